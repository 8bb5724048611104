// Every key of a JSON Lines or JSON array source, exactly as written, in the order first seen.
// DuckDB's own detection samples the first records (a key first seen later is not a column at all),
// renames keys that differ only by case (`a`, `A` → `a`, `A_1`, the second read as all NULL), calls
// an empty key `C0`, and matches a requested column to a key ignoring case. So the keys are read
// here from every record, and the names DuckDB could confuse are refused before anything is read.

import type { DuckSession } from "../writer/duckdbSession";
import { numberCandidateSql, watchKey, type NumberWatch } from "./jsonNumberCandidates";
import { sameNameKey } from "./nameKey";
import { firstNonObjectLine } from "./readerErrors";
import type { SourceFile } from "./resolveSources";
import { SourceError } from "./sourceError";
import { describeSql, readDetectedJsonSql, readJsonObjectsSql } from "./sourceSql";

interface ScannedFile {
  keys: string[];
  /** Which columns the number candidates were looked for, and whether any record has one. */
  watched?: string;
  numbers?: { d: boolean; s: boolean };
}

/**
 * Keys found per session and file version: an entity's keys are needed to infer its columns and
 * again to bind them for the write, and each costs a full read of the file.
 */
const found = new WeakMap<DuckSession, Map<string, ScannedFile>>();

function cacheKeyOf(format: "jsonl" | "json", file: SourceFile): string {
  return [format, file.absPath, file.bytes, file.mtimeMs].join("\u0000");
}

/**
 * Every key of the files. Given the columns whose numbers must land exactly (`watch`), the same read
 * also looks for the records the number checks must see (jsonNumberCandidates.ts), so those checks
 * need no read of their own when nothing is found.
 */
export async function jsonKeys(
  session: DuckSession,
  entityName: string,
  format: "jsonl" | "json",
  files: readonly SourceFile[],
  watch?: NumberWatch,
): Promise<string[]> {
  const keys: string[] = [];
  const where = new Map<string, string>();
  // One file at a time, so a refusal can name the file a key is in.
  for (const file of files) {
    for (const key of await fileKeys(session, entityName, format, file, watch)) {
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

/**
 * What the key scan found for the number checks of these columns, or undefined when the scan did not
 * look for them (the columns were inferred after it): then the checks look themselves.
 */
export function scannedNumberCandidates(
  session: DuckSession,
  format: "jsonl" | "json",
  file: SourceFile,
  watch: NumberWatch,
): { d: boolean; s: boolean } | undefined {
  const scanned = found.get(session)?.get(cacheKeyOf(format, file));
  return scanned?.watched === watchKey(watch) ? scanned.numbers : undefined;
}

async function fileKeys(
  session: DuckSession,
  entityName: string,
  format: "jsonl" | "json",
  file: SourceFile,
  watch: NumberWatch | undefined,
): Promise<string[]> {
  const cacheKey = cacheKeyOf(format, file);
  let cache = found.get(session);
  const known = cache?.get(cacheKey);
  // Keys already read (while inferring the columns, before they were known): not read again for the
  // number candidates; jsonNumbers.ts then runs its own cheaper scan of the lines.
  if (known) return known.keys;
  // One streaming read, grouped by each record's list of keys (few distinct lists in real files)
  // and its first character (`{` for an object). No window over the records: ordering them would
  // hold every record in memory; and no json_type() beside json_keys(): parsing a 17 MB record
  // twice ran the session out of its memory limit. The number candidates are two regular
  // expressions over the text already made for the first character.
  const numbers = numberCandidateSql("t", watch ?? { decimals: [], strings: [] });
  const rows = await session.query(
    `SELECT ks, c, coalesce(bool_or(d), false) AS d, coalesce(bool_or(s), false) AS s FROM (
       SELECT json_keys(json) AS ks, left(t, 1) AS c, ${numbers.d} AS d, ${numbers.s} AS s FROM (
         SELECT json, CAST(json AS VARCHAR) AS t FROM ${readJsonObjectsSql(format, [file.absPath])}))
     GROUP BY ks, c`,
  );
  if (rows.some((row) => row.c !== "{")) {
    await refuseNonObjects(session, entityName, format, file);
  }
  const all = new Set<string>();
  for (const row of rows) {
    const ks = ((row.ks as string[] | null) ?? []).map(String);
    if (new Set(ks).size !== ks.length)
      await refuseDuplicateKeys(session, entityName, format, file);
    for (const k of ks) all.add(k);
  }
  // The order DuckDB finds in the first records, then keys first seen later, alphabetically.
  const detected = await session.query(
    `SELECT column_name FROM (${describeSql(readDetectedJsonSql(format, [file.absPath]))})`,
  );
  const keys = detected.map((r) => String(r.column_name)).filter((k) => all.has(k));
  const placed = new Set(keys);
  keys.push(...[...all].filter((k) => !placed.has(k)).sort());
  if (!cache) found.set(session, (cache = new Map()));
  cache.set(cacheKey, {
    keys,
    ...(watch === undefined
      ? {}
      : {
          watched: watchKey(watch),
          numbers: { d: rows.some((r) => r.d === true), s: rows.some((r) => r.s === true) },
        }),
  });
  return keys;
}

/** The first record (its number `r`, from 1) of which `where` holds, with `select` beside it. */
async function firstRecordWhere(
  session: DuckSession,
  format: "jsonl" | "json",
  file: SourceFile,
  select: string,
  where: string,
): Promise<Record<string, unknown> | undefined> {
  const [row] = await session.query(
    `SELECT * FROM (
       SELECT row_number() OVER () AS r, ${select}, json FROM ${readJsonObjectsSql(format, [file.absPath])})
     WHERE ${where} ORDER BY r LIMIT 1`,
  );
  return row;
}

/**
 * RFC 8259 leaves a duplicated name to the reader; DuckDB's reads one (`{"a": 1.50, "a": 2}`) when
 * the key is not a column, and fails ("has duplicate key") when it is. Either way one of the two
 * values would be lost, so the record is refused, with its place and the key (`a` and `\u0061` are
 * one key).
 */
async function refuseDuplicateKeys(
  session: DuckSession,
  entityName: string,
  format: "jsonl" | "json",
  file: SourceFile,
): Promise<void> {
  const row = await firstRecordWhere(
    session,
    format,
    file,
    "json_keys(json) AS ks",
    "len(ks) <> len(list_distinct(ks))",
  );
  if (!row) return;
  const ks = (row.ks as unknown[]).map(String);
  const key = ks.find((k, i) => ks.indexOf(k) !== i) ?? "";
  const where =
    format === "jsonl" ? `record ${String(row.r)}` : `element ${String(row.r)} of the array`;
  throw new SourceError(
    `entity "${entityName}": ${file.relPath} ${where} has the key ${JSON.stringify(key)} twice (written the same or with escapes); ` +
      `only one of its values could be exported. Keep one of them in the file.`,
  );
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
  const row = await firstRecordWhere(
    session,
    format,
    file,
    "CAST(json AS VARCHAR) AS text",
    "json_type(json) <> 'OBJECT'",
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
