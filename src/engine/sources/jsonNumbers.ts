// DuckDB's JSON reader parses every number before it hands it on, and gives the parsed number's text:
// 1234567890123456.78 becomes "1234567890123456.8", 1.00000000000000001 becomes "1.0" (which then
// fits a decimal(18,2)), 0.1000000000000000055511151231257827 becomes "0.1"; and even where the value
// survives, the spelling does not: 1e2 becomes "100.0", 1.2300 "1.23", -0 "0". DuckDB has no option
// to keep a number's text (read_json's `columns={x: 'VARCHAR'}` and `'JSON'` both give the parsed
// text; only read_json_objects keeps each record as written). So, found in each record's own text:
//
// - a decimal column fails on a number whose value the double does not keep (the spelling does not
//   matter there: 1.2300 and 1.23 are one decimal);
// - a string column fails on a number whose text would land otherwise than it is written, since a
//   string is its characters. What lands is what the writer's own reader gives (read_json with the
//   key as VARCHAR, read here beside the records and joined by record number); where the key is
//   followed by a number in the record's text and its top-level value is a number (json_type), the
//   text must spell the landed value, or the entity fails naming file, record, column and both
//   spellings. (json_extract's own text is yyjson's, which differs from the reader's: 1e-7 is "1e-7"
//   there and "1e-07" in the column.)
//
// Whole numbers a double cannot hold are kept by the reader as written, and a double column holds
// the double the number is anyway.
import { literalDuckdbPath } from "../../plan/duckdbPath";
import { quoteDuckdbIdentifier, quoteDuckdbLiteral } from "../../plan/sqlQuote";
import type { EntitySpec } from "../../spec/types";
import type { DuckSession } from "../writer/duckdbSession";
import type { ColumnBinding } from "./bindColumns";
import { canonicalNumber } from "./numberText";
import type { SourceFile } from "./resolveSources";
import { SourceError } from "./sourceError";
import { readAsTextSql, readJsonObjectsSql } from "./sourceSql";

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

/** The JSONPath DuckDB's json_extract reads for a top-level key: `$."key"`, `\\` and `"` escaped. */
function keyPath(key: string): string {
  return `$."${key.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The key as written, then a number: the number's text, as regexp_extract_all's group 1. */
function numberAfterKey(key: string): string {
  return `"${keyPattern(key)}"\\s*:\\s*(-?[0-9][0-9.eE+-]*)`;
}

const JSON_NUMBER_TYPES = "('UBIGINT', 'BIGINT', 'DOUBLE', 'HUGEINT')";

export async function refuseInexactJsonNumbers(
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
  bindings: readonly ColumnBinding[],
): Promise<void> {
  const format = entity.source.format;
  if (format !== "jsonl" && format !== "json") return;
  const allDecimals = bindings.filter((b) => b.column.type === "decimal");
  const allStrings = bindings.filter((b) => b.column.type === "string");
  if (allDecimals.length === 0 && allStrings.length === 0) return;
  // One cheap scan of each file first (the records' text and two regular expressions): a decimal
  // key followed by sixteen digits (fewer always survive a double), a string key followed by a
  // number. Most files have neither, and the exact checks below (a second read, a join) are then
  // skipped. Measured in BENCHMARKS.md ("JSON number checks").
  const afterKeys = (bs: readonly ColumnBinding[], number: string) =>
    quoteDuckdbLiteral(
      `"(?:${bs.map((b) => keyPattern(b.sourceName)).join("|")})"\\s*:\\s*${number}`,
    );
  const decimalCandidate =
    allDecimals.length > 0
      ? `regexp_matches(t, ${afterKeys(allDecimals, `-?${LONG_NUMBER}`)})`
      : "false";
  const stringCandidate =
    allStrings.length > 0 ? `regexp_matches(t, ${afterKeys(allStrings, "-?[0-9]")})` : "false";
  for (const file of files) {
    const records = `SELECT row_number() OVER () AS r, json, CAST(json AS VARCHAR) AS t FROM ${readJsonObjectsSql(format, [file.absPath])}`;
    const scan = await candidates(
      session,
      format,
      file,
      records,
      decimalCandidate,
      stringCandidate,
    );
    const decimals = scan.d === true ? allDecimals : [];
    const strings = scan.s === true ? allStrings : [];
    if (decimals.length === 0 && strings.length === 0) continue;
    const row = await firstChange(session, entity, file, records, decimals, strings);
    if (!row) continue;
    const where = `${file.relPath} ${format === "jsonl" ? `record ${String(row.r)}` : `element ${String(row.r)} of the array`}`;
    const given = (x: unknown) => x !== null && x !== undefined;
    const d = decimals.findIndex((_, k) => given(row[`d${k}`]));
    const s = strings.findIndex((_, k) => given(row[`s${k}`]));
    if (d >= 0) {
      const n = String(row[`d${d}`]);
      throw new SourceError(
        `entity "${entity.name}": ${where}, column "${decimals[d].column.name}": the number ${n} has more digits than DuckDB's JSON reader keeps ` +
          `(it reads a number with a fraction as a double, which would hold ${String(await doubleText(session, n))}). ` +
          `Write the value as a JSON string ("${n}") to keep every digit, or declare the column a double.`,
      );
    }
    const written = given(row[`w${s}`]) ? String(row[`w${s}`]) : "a number";
    throw new SourceError(
      `entity "${entity.name}": ${where}, column "${strings[s].column.name}": the number ${written} would land in this string column as "${String(row[`s${s}`])}" ` +
        `(DuckDB's JSON reader keeps a number's value, not its spelling). Write the value as a JSON string ("${written}") to keep it as written, ` +
        `or declare the column a number type.`,
    );
  }
}

/**
 * Whether any record may hold a number the exact checks must see. JSON Lines are scanned as lines of
 * text (DuckDB's CSV reader, one VARCHAR column; JSON text has no raw control character to split
 * on), twice as fast here as parsing every record; should that read fail, and for a JSON array, the
 * records' own text is scanned instead.
 */
async function candidates(
  session: DuckSession,
  format: "jsonl" | "json",
  file: SourceFile,
  records: string,
  decimal: string,
  string: string,
): Promise<{ d: unknown; s: unknown }> {
  const scan = (relation: string) =>
    session
      .query(
        `SELECT coalesce(bool_or(${decimal}), false) AS d, coalesce(bool_or(${string}), false) AS s FROM (${relation})`,
      )
      .then(([row]) => ({ d: row.d, s: row.s }));
  if (format === "jsonl") {
    const lines = `SELECT t FROM read_csv(${quoteDuckdbLiteral(literalDuckdbPath(file.absPath))}, columns={'t': 'VARCHAR'}, header=false, delim=chr(1), quote='', escape='', auto_detect=false, hive_partitioning=false)`;
    const fromLines = await scan(lines).catch(() => undefined);
    if (fromLines) return fromLines;
  }
  return scan(records);
}

/** The first record where a decimal or a string column would not hold the number as written. */
async function firstChange(
  session: DuckSession,
  entity: EntitySpec,
  file: SourceFile,
  records: string,
  decimals: readonly ColumnBinding[],
  strings: readonly ColumnBinding[],
): Promise<Record<string, unknown> | undefined> {
  const inexact = (x: string) =>
    `regexp_matches(${x}, '[.eE]') AND ${canonicalNumber(x)} <> ${canonicalNumber(`CAST(TRY_CAST(${x} AS DOUBLE) AS VARCHAR)`)}`;
  // A key inside a string has its quotes escaped, so it does not match; one in a nested object may,
  // which for a decimal can only refuse more. For a string column the top-level value decides, and
  // a nested key spelling it the same way could hide a change: a record would need the same key twice,
  // at two depths, with one number spelt two ways.
  const decimalFinds = decimals.map((b, i) => {
    const numbers = `regexp_extract_all(t, ${quoteDuckdbLiteral(numberAfterKey(b.sourceName))}, 1)`;
    return `CASE WHEN long THEN list_filter(${numbers}, x -> ${inexact("x")})[1] END AS d${i}`;
  });
  const stringFinds = strings.flatMap((b, i) => {
    const landed = `l${i}`;
    const numbers = `regexp_extract_all(t, ${quoteDuckdbLiteral(numberAfterKey(b.sourceName))}, 1)`;
    const isNumber = `json_type(json, ${quoteDuckdbLiteral(keyPath(b.sourceName))}) IN ${JSON_NUMBER_TYPES}`;
    // The cheap tests first: most records have no number after this key at all.
    const changed = `len(${numbers}) > 0 AND NOT list_contains(${numbers}, ${landed}) AND ${isNumber}`;
    return [
      `CASE WHEN ${changed} THEN ${landed} END AS s${i}`,
      `CASE WHEN ${changed} THEN ${numbers}[1] END AS w${i}`,
    ];
  });
  const found = [
    ...decimals.map((_, i) => `d${i} IS NOT NULL`),
    ...strings.map((_, i) => `s${i} IS NOT NULL`),
  ];
  // The decimals' check needs only records with sixteen digits in a row (a cheap scan of the text).
  const long = decimals.length > 0 ? `regexp_matches(t, '${LONG_NUMBER}')` : "false";
  const landedColumns = strings
    .map((b, i) => `${quoteDuckdbIdentifier(b.sourceName)} AS l${i}`)
    .join(", ");
  const landedText = readAsTextSql(
    entity.source,
    [file.absPath],
    strings.map((b) => b.sourceName),
  );
  const relation =
    strings.length > 0
      ? `(${records}) JOIN (SELECT row_number() OVER () AS r, ${landedColumns} FROM ${landedText}) USING (r)`
      : `(${records}) WHERE regexp_matches(t, '${LONG_NUMBER}')`;
  const [row] = await session.query(
    `SELECT * FROM (
       SELECT r, ${[...decimalFinds, ...stringFinds].join(", ")} FROM (
         SELECT *, ${long} AS long FROM ${relation}))
     WHERE ${found.join(" OR ")} ORDER BY r LIMIT 1`,
  );
  return row;
}

async function doubleText(session: DuckSession, n: string): Promise<unknown> {
  const [row] = await session.query(
    `SELECT CAST(TRY_CAST(${quoteDuckdbLiteral(n)} AS DOUBLE) AS VARCHAR) AS d`,
  );
  return row.d;
}
