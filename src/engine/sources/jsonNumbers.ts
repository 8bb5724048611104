// DuckDB's JSON reader parses a number with a fraction or an exponent into a double and gives its
// shortest text: 1234567890123456.78 becomes "1234567890123456.8", 1.00000000000000001 becomes "1.0"
// (which then fits a decimal(18,2)), 0.1000000000000000055511151231257827 becomes "0.1". A decimal or
// string column would then hold another number than the file's, so such a number fails the entity,
// found in each record's own text (read_json_objects keeps it as written). Whole numbers are kept
// exactly by the reader, and a double column holds the double the number is anyway.

import { quoteDuckdbLiteral } from "../../plan/sqlQuote";
import type { EntitySpec } from "../../spec/types";
import type { DuckSession } from "../writer/duckdbSession";
import type { ColumnBinding } from "./bindColumns";
import { canonicalNumber } from "./numberText";
import type { SourceFile } from "./resolveSources";
import { SourceError } from "./sourceError";
import { readJsonObjectsSql } from "./sourceSql";

/** Sixteen digits, a point allowed between them: fewer significant digits always survive a double. */
const LONG_NUMBER = "([0-9][.]?){16}";

function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "/": "\\/",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/**
 * A key as a JSON file may write it: each character as itself, as a \uXXXX escape (a pair of them
 * past the BMP), or as its short escape (`\"`, `\/`, ...). `am\u006funt` is the key `amount`.
 */
function keyPattern(key: string): string {
  return [...key]
    .map((ch) => {
      const units = [...Array(ch.length).keys()].map((i) => ch.charCodeAt(i));
      const unicode = units.map((u) => `\\\\u(?i:${u.toString(16).padStart(4, "0")})`).join("");
      const alternatives = [unicode];
      if (SHORT_ESCAPES[ch]) alternatives.push(regexEscape(SHORT_ESCAPES[ch]));
      if (ch !== '"' && ch !== "\\") alternatives.push(regexEscape(ch));
      return `(?:${alternatives.join("|")})`;
    })
    .join("");
}

export async function refuseInexactJsonNumbers(
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
  bindings: readonly ColumnBinding[],
): Promise<void> {
  const format = entity.source.format;
  if (format !== "jsonl" && format !== "json") return;
  const exact = bindings.filter((b) => b.column.type === "decimal" || b.column.type === "string");
  if (exact.length === 0) return;
  const inexact = (x: string) =>
    `regexp_matches(${x}, '[.eE]') AND ${canonicalNumber(x)} <> ${canonicalNumber(`CAST(TRY_CAST(${x} AS DOUBLE) AS VARCHAR)`)}`;
  const found = exact.map((b, i) => {
    // The key as it may be written, then a number: a key inside a string has its quotes escaped, so it does
    // not match; one in a nested object may, which can only refuse more.
    const pattern = `"${keyPattern(b.sourceName)}"\\s*:\\s*(-?[0-9][0-9.eE+-]*)`;
    return `list_filter(regexp_extract_all(t, ${quoteDuckdbLiteral(pattern)}, 1), x -> ${inexact("x")})[1] AS n${i}`;
  });
  for (const file of files) {
    const [row] = await session.query(
      `SELECT r, ${exact.map((_, i) => `n${i}`).join(", ")} FROM (
         SELECT r, ${found.join(", ")} FROM (
           SELECT row_number() OVER () AS r, CAST(json AS VARCHAR) AS t FROM ${readJsonObjectsSql(format, [file.absPath])})
         WHERE regexp_matches(t, '${LONG_NUMBER}'))
       WHERE ${exact.map((_, i) => `n${i} IS NOT NULL`).join(" OR ")} ORDER BY r LIMIT 1`,
    );
    if (!row) continue;
    const i = exact.findIndex((_, k) => row[`n${k}`] !== null && row[`n${k}`] !== undefined);
    const b = exact[i];
    const n = String(row[`n${i}`]);
    const where =
      format === "jsonl" ? `record ${String(row.r)}` : `element ${String(row.r)} of the array`;
    throw new SourceError(
      `entity "${entity.name}": ${file.relPath} ${where}, column "${b.column.name}": the number ${n} has more digits than DuckDB's JSON reader keeps ` +
        `(it reads a number with a fraction as a double, which would hold ${String(await doubleText(session, n))}). ` +
        `Write the value as a JSON string ("${n}") to keep every digit, or declare the column a double.`,
    );
  }
}

async function doubleText(session: DuckSession, n: string): Promise<unknown> {
  const [row] = await session.query(
    `SELECT CAST(TRY_CAST(${quoteDuckdbLiteral(n)} AS DOUBLE) AS VARCHAR) AS d`,
  );
  return row.d;
}
