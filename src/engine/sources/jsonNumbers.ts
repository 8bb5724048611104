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
//   key as VARCHAR, read here beside the records and joined by record number). A top-level number
//   must be spelt as it lands; an object or array lands as DuckDB's JSON text (its whitespace and
//   string escapes are JSON's own), and each number in it must be spelt as it lands. Otherwise the
//   entity fails naming file, record, column and both spellings. (json_extract's own text is
//   yyjson's, which differs from the reader's: 1e-7 is "1e-7" there and "1e-07" in the column.)
//
// Only the top-level value counts: the same key may also be in a nested object (`{"a": 1.50, "b":
// {"a": 1.5}}`), where a regular expression cannot tell the two apart. A record whose text has the
// key once is decided in SQL; one with it twice or more, or a container in a string column, is read
// by jsonText.ts, which can. A key written twice in one object is refused by jsonKeys.ts.
//
// Whole numbers a double cannot hold are kept by the reader as written, and a double column holds
// the double the number is anyway.
import { literalDuckdbPath } from "../../plan/duckdbPath";
import { quoteDuckdbIdentifier, quoteDuckdbLiteral } from "../../plan/sqlQuote";
import type { EntitySpec } from "../../spec/types";
import type { DuckSession } from "../writer/duckdbSession";
import type { ColumnBinding } from "./bindColumns";
import { scannedNumberCandidates } from "./jsonKeys";
import { keyPattern, LONG_NUMBER, numberCandidateSql } from "./jsonNumberCandidates";
import { topLevelValueTexts, numberTokens } from "./jsonText";
import { canonicalNumber, canonicalNumberText } from "./numberText";
import type { SourceFile } from "./resolveSources";
import { SourceError } from "./sourceError";
import { readAsTextSql, readJsonObjectsSql } from "./sourceSql";

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
  const watch = {
    decimals: allDecimals.map((b) => b.sourceName),
    strings: allStrings.map((b) => b.sourceName),
  };
  const flags = numberCandidateSql("t", watch);
  for (const file of files) {
    const records = `SELECT row_number() OVER () AS r, json, CAST(json AS VARCHAR) AS t FROM ${readJsonObjectsSql(format, [file.absPath])}`;
    // The key scan has usually looked already (in the same read); else one cheap scan here.
    const scan =
      scannedNumberCandidates(session, format, file, watch) ??
      (await candidates(session, format, file, records, flags.d, flags.s));
    const decimals = scan.d ? allDecimals : [];
    const strings = scan.s ? allStrings : [];
    if (decimals.length === 0 && strings.length === 0) continue;
    const change = await firstChange(session, entity, file, records, decimals, strings);
    if (!change) continue;
    const where = `${file.relPath} ${format === "jsonl" ? `record ${String(change.r)}` : `element ${String(change.r)} of the array`}`;
    if (change.kind === "decimal") {
      const n = change.written;
      throw new SourceError(
        `entity "${entity.name}": ${where}, column "${change.column}": the number ${n} has more digits than DuckDB's JSON reader keeps ` +
          `(it reads a number with a fraction as a double, which would hold ${String(await doubleText(session, n))}). ` +
          `Write the value as a JSON string ("${n}") to keep every digit, or declare the column a double.`,
      );
    }
    if (change.inside !== undefined) {
      throw new SourceError(
        `entity "${entity.name}": ${where}, column "${change.column}": the number ${change.written} in its value would land in this string column as ${change.landed} ` +
          `(the value lands as DuckDB's JSON text of it, ${JSON.stringify(shorten(change.inside))}, which keeps a number's value, not its spelling). ` +
          `Write the value as a JSON string to keep it as written, or leave the column out.`,
      );
    }
    throw new SourceError(
      `entity "${entity.name}": ${where}, column "${change.column}": the number ${change.written} would land in this string column as "${change.landed}" ` +
        `(DuckDB's JSON reader keeps a number's value, not its spelling). Write the value as a JSON string ("${change.written}") to keep it as written, ` +
        `or declare the column a number type.`,
    );
  }
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * Whether any record may hold a number the exact checks must see, when the key scan did not look:
 * JSON Lines are scanned as lines of text (DuckDB's CSV reader, one VARCHAR column; JSON text has no
 * raw control character to split on), twice as fast here as parsing every record; should that read
 * fail, and for a JSON array, the records' own text is scanned instead.
 */
async function candidates(
  session: DuckSession,
  format: "jsonl" | "json",
  file: SourceFile,
  records: string,
  decimal: string,
  string: string,
): Promise<{ d: boolean; s: boolean }> {
  const scan = (relation: string) =>
    session
      .query(
        `SELECT coalesce(bool_or(${decimal}), false) AS d, coalesce(bool_or(${string}), false) AS s FROM (${relation})`,
      )
      .then(([row]) => ({ d: row.d === true, s: row.s === true }));
  if (format === "jsonl") {
    const lines = `SELECT t FROM read_csv(${quoteDuckdbLiteral(literalDuckdbPath(file.absPath))}, columns={'t': 'VARCHAR'}, header=false, delim=chr(1), quote='', escape='', auto_detect=false, hive_partitioning=false)`;
    const fromLines = await scan(lines).catch(() => undefined);
    if (fromLines) return fromLines;
  }
  return scan(records);
}

interface Change {
  r: number;
  kind: "decimal" | "string";
  column: string;
  /** The number as the record writes it, and (a string column) as it would land. */
  written: string;
  landed?: string;
  /** A string column's object or array value, as it would land, when the number is inside it. */
  inside?: string;
}

const CONTAINER_TYPES = "('OBJECT', 'ARRAY')";

/**
 * The first record where a decimal or a string column would not hold the number as written. SQL
 * decides the records whose text has the key once; the rest of the records it marks (the key more
 * than once, or a string column's object or array with a number that may be respelt) come to
 * jsonText.ts with their text, in record order, and the first change of either kind is the answer.
 */
async function firstChange(
  session: DuckSession,
  entity: EntitySpec,
  file: SourceFile,
  records: string,
  decimals: readonly ColumnBinding[],
  strings: readonly ColumnBinding[],
): Promise<Change | undefined> {
  const inexact = (x: string) =>
    `regexp_matches(${x}, '[.eE]') AND ${canonicalNumber(x)} <> ${canonicalNumber(`CAST(TRY_CAST(${x} AS DOUBLE) AS VARCHAR)`)}`;
  const numbersAfter = (b: ColumnBinding) =>
    `regexp_extract_all(t, ${quoteDuckdbLiteral(numberAfterKey(b.sourceName))}, 1)`;
  const occurrences = (b: ColumnBinding) =>
    `len(regexp_extract_all(t, ${quoteDuckdbLiteral(`"${keyPattern(b.sourceName)}"\\s*:`)}))`;
  const typeOf = (b: ColumnBinding) =>
    `json_type(json, ${quoteDuckdbLiteral(keyPath(b.sourceName))})`;
  // Per decimal: d<i>, the number that fails (the key once, at the top level); a<i>, the key more
  // than once with some long number after it that fails: which one is the top level's, jsonText says.
  const decimalFinds = decimals.flatMap((b, i) => {
    const failing = `list_filter(${numbersAfter(b)}, x -> ${inexact("x")})`;
    const top = `long AND ${typeOf(b)} IN ${JSON_NUMBER_TYPES}`;
    return [
      `CASE WHEN ${top} AND ${occurrences(b)} = 1 THEN ${failing}[1] END AS d${i}`,
      `CASE WHEN ${top} AND ${occurrences(b)} > 1 THEN len(${failing}) > 0 END AS da${i}`,
    ];
  });
  // Per string: s<i> the landed text and w<i> the written one (the key once, a top-level number);
  // sa<i>, the record is for jsonText (the key more than once, or an object or array that may hold
  // a number DuckDB spells otherwise: a point, an exponent, a minus sign, or nineteen digits).
  const stringFinds = strings.flatMap((b, i) => {
    const landed = `l${i}`;
    const numbers = numbersAfter(b);
    const isNumber = `${typeOf(b)} IN ${JSON_NUMBER_TYPES}`;
    const once = `${occurrences(b)} = 1`;
    // The cheap tests first: most records have no number after this key at all.
    const changed = `len(${numbers}) > 0 AND ${isNumber} AND ${once} AND ${numbers}[1] <> ${landed}`;
    const ambiguous =
      `(len(${numbers}) > 0 AND ${isNumber} AND NOT (${once}) AND len(list_filter(${numbers}, x -> x <> ${landed})) > 0)` +
      ` OR (${typeOf(b)} IN ${CONTAINER_TYPES} AND regexp_matches(t, '[0-9][.eE]|-[0-9]|[0-9]{19}'))`;
    return [
      `CASE WHEN ${changed} THEN ${landed} END AS s${i}`,
      `CASE WHEN ${changed} THEN ${numbers}[1] END AS w${i}`,
      `CASE WHEN ${ambiguous} THEN ${landed} END AS sa${i}`,
    ];
  });
  const found = [
    ...decimals.flatMap((_, i) => [`d${i} IS NOT NULL`, `da${i}`]),
    ...strings.flatMap((_, i) => [`s${i} IS NOT NULL`, `sa${i} IS NOT NULL`]),
  ];
  const ambiguousAny = [
    ...decimals.map((_, i) => `coalesce(da${i}, false)`),
    ...strings.map((_, i) => `sa${i} IS NOT NULL`),
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
  const sql = `SELECT * EXCLUDE (t), CASE WHEN ${ambiguousAny.join(" OR ")} THEN t END AS t FROM (
       SELECT r, t, ${[...decimalFinds, ...stringFinds].join(", ")} FROM (
         SELECT *, ${long} AS long FROM ${relation}))
     WHERE ${found.join(" OR ")} ORDER BY r`;
  for await (const rows of session.streamRows(sql)) {
    for (const row of rows) {
      const change = changeIn(row, decimals, strings);
      if (change) return change;
    }
  }
  return undefined;
}

/** The first change a marked record holds: decimals first, then strings, each in column order. */
function changeIn(
  row: Record<string, unknown>,
  decimals: readonly ColumnBinding[],
  strings: readonly ColumnBinding[],
): Change | undefined {
  const given = (x: unknown) => x !== null && x !== undefined;
  const r = Number(row.r);
  const text = given(row.t) ? String(row.t) : undefined;
  const wanted = new Set(
    [
      ...decimals.filter((_, i) => row[`da${i}`] === true),
      ...strings.filter((_, i) => given(row[`sa${i}`])),
    ].map((b) => b.sourceName),
  );
  const top = text !== undefined && wanted.size > 0 ? topLevelValueTexts(text, wanted) : new Map();
  for (const [i, b] of decimals.entries()) {
    const column = b.column.name;
    if (given(row[`d${i}`])) return { r, kind: "decimal", column, written: String(row[`d${i}`]) };
    const value = row[`da${i}`] === true ? top.get(b.sourceName) : undefined;
    if (value !== undefined && inexactDecimal(value)) {
      return { r, kind: "decimal", column, written: value };
    }
  }
  for (const [i, b] of strings.entries()) {
    const column = b.column.name;
    if (given(row[`s${i}`])) {
      return {
        r,
        kind: "string",
        column,
        written: String(row[`w${i}`]),
        landed: String(row[`s${i}`]),
      };
    }
    const value = given(row[`sa${i}`]) ? top.get(b.sourceName) : undefined;
    if (value === undefined) continue;
    const landed = String(row[`sa${i}`]);
    if (value.startsWith("{") || value.startsWith("[")) {
      const written = numberTokens(value);
      const landedNumbers = numberTokens(landed);
      const k = written.findIndex((n, j) => n !== landedNumbers[j]);
      if (k >= 0) {
        return {
          r,
          kind: "string",
          column,
          written: written[k],
          landed: landedNumbers[k] ?? "nothing",
          inside: landed,
        };
      }
    } else if (/^-?[0-9]/.test(value) && value !== landed) {
      return { r, kind: "string", column, written: value, landed };
    }
  }
  return undefined;
}

/** A number with a fraction or an exponent whose value a double does not keep. */
function inexactDecimal(text: string): boolean {
  if (!/^-?[0-9]/.test(text) || !/[.eE]/.test(text)) return false;
  return canonicalNumberText(text) !== canonicalNumberText(String(Number(text)));
}

async function doubleText(session: DuckSession, n: string): Promise<unknown> {
  const [row] = await session.query(
    `SELECT CAST(TRY_CAST(${quoteDuckdbLiteral(n)} AS DOUBLE) AS VARCHAR) AS d`,
  );
  return row.d;
}
