// Every key of a JSON Lines or JSON array source, exactly as written, in the order first seen.
// DuckDB's own detection samples the first records (a key first seen later is not a column at all),
// renames keys that differ only by case (`a`, `A` → `a`, `A_1`, the second read as all NULL), calls
// an empty key `C0`, and matches a requested column to a key ignoring case. So the keys are read
// here from every record, and the names DuckDB could confuse are refused before anything is read.

import type { DuckSession } from "../writer/duckdbSession";
import { sameNameKey } from "./nameKey";
import { firstNonObjectLine } from "./readerErrors";
import type { SourceFile } from "./resolveSources";
import { SourceError } from "./sourceError";
import { describeSql, readDetectedJsonSql, readJsonObjectsSql } from "./sourceSql";

/**
 * Keys found per session and file version: an entity's keys are needed to infer its columns and
 * again to bind them for the write, and each costs a full read of the file.
 */
const found = new WeakMap<DuckSession, Map<string, string[]>>();

export async function jsonKeys(
  session: DuckSession,
  entityName: string,
  format: "jsonl" | "json",
  files: readonly SourceFile[],
): Promise<string[]> {
  const keys: string[] = [];
  const where = new Map<string, string>();
  // One file at a time, so a refusal can name the file a key is in.
  for (const file of files) {
    for (const key of await fileKeys(session, entityName, format, file)) {
      if (!where.has(key)) {
        keys.push(key);
        where.set(key, file.relPath);
      }
    }
  }
  const seen = new Map<string, string>();
  for (const key of keys) {
    if (key.trim() === "") {
      throw new SourceError(
        `entity "${entityName}": ${where.get(key)} has the key ${JSON.stringify(key)}, which cannot be a column name. Rename the key in the file.`,
      );
    }
    const other = seen.get(sameNameKey(key));
    if (other !== undefined) {
      throw new SourceError(
        `entity "${entityName}": the keys "${other}" (${where.get(other)}) and "${key}" (${where.get(key)}) ` +
          `are the same name to SQL (compared ignoring case, after Unicode NFKC folding), so they cannot be two columns. Rename one of them in the file.`,
      );
    }
    seen.set(sameNameKey(key), key);
  }
  return keys;
}

async function fileKeys(
  session: DuckSession,
  entityName: string,
  format: "jsonl" | "json",
  file: SourceFile,
): Promise<string[]> {
  const cacheKey = [format, file.absPath, file.bytes, file.mtimeMs].join("\u0000");
  let cache = found.get(session);
  const known = cache?.get(cacheKey);
  if (known) return known;
  // One streaming read, grouped by each record's list of keys (few distinct lists in real files)
  // and its first character (`{` for an object). No window over the records: ordering them would
  // hold every record in memory; and no json_type() beside json_keys(): parsing a 17 MB record
  // twice ran the session out of its memory limit.
  const rows = await session.query(
    `SELECT ks, c FROM (SELECT json_keys(json) AS ks, left(CAST(json AS VARCHAR), 1) AS c FROM ${readJsonObjectsSql(format, [file.absPath])}) GROUP BY ks, c`,
  );
  if (rows.some((row) => row.c !== "{")) {
    await refuseNonObjects(session, entityName, format, file);
  }
  const all = new Set<string>();
  for (const row of rows) for (const k of (row.ks as string[] | null) ?? []) all.add(String(k));
  // The order DuckDB finds in the first records, then keys first seen later, alphabetically.
  const detected = await session.query(
    `SELECT column_name FROM (${describeSql(readDetectedJsonSql(format, [file.absPath]))})`,
  );
  const keys = detected.map((r) => String(r.column_name)).filter((k) => all.has(k));
  const placed = new Set(keys);
  keys.push(...[...all].filter((k) => !placed.has(k)).sort());
  if (!cache) found.set(session, (cache = new Map()));
  cache.set(cacheKey, keys);
  return keys;
}

/**
 * A record that is an array, a number or a string has no keys; DuckDB would read such a file's
 * records as one JSON value each, or fail without a line. Refused with the line (JSON Lines) or the
 * position in the array (JSON).
 */
async function refuseNonObjects(
  session: DuckSession,
  entityName: string,
  format: "jsonl" | "json",
  file: SourceFile,
): Promise<void> {
  const [row] = await session.query(
    `SELECT r, CAST(json AS VARCHAR) AS text FROM (
       SELECT row_number() OVER () AS r, json FROM ${readJsonObjectsSql(format, [file.absPath])})
     WHERE json_type(json) <> 'OBJECT' ORDER BY r LIMIT 1`,
  );
  if (!row) return;
  const text = String(row.text);
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
  if (format === "jsonl") {
    const found = await firstNonObjectLine(file.absPath).catch(() => undefined);
    const where = found ? `line ${found.line}` : `record ${String(row.r)}`;
    const value = found
      ? JSON.stringify(found.text.length > 60 ? `${found.text.slice(0, 60)}…` : found.text)
      : shown;
    throw new SourceError(
      `entity "${entityName}": ${file.relPath} ${where}: ${value} is not a JSON object. Each line of a JSON Lines source must be one JSON object.`,
    );
  }
  throw new SourceError(
    `entity "${entityName}": ${file.relPath} element ${String(row.r)} of the array: ${shown} is not a JSON object. A JSON source is one array of objects.`,
  );
}
