// The T-SQL of a server-side export: serverless SQL reads a lake-resident source and writes the
// snapshot's Parquet parts itself with CREATE EXTERNAL TABLE AS SELECT (CETAS). Pure; the one place
// this text is written (docs/cetas-statements.md lists the shapes for the test server).
//
// From Microsoft's pages:
// - CETAS in serverless SQL (https://learn.microsoft.com/azure/synapse-analytics/sql/develop-tables-cetas):
//   `CREATE EXTERNAL TABLE t WITH (LOCATION, DATA_SOURCE, FILE_FORMAT) AS SELECT ...`; the LOCATION
//   folder must not exist yet (CETAS cannot overwrite: "location already exists"), the external table
//   cannot be altered afterwards, and there is no transaction around it: a failure can leave part of
//   the folder written, which is why each snapshot gets a fresh folder and only a manifest makes it count.
// - OPENROWSET (https://learn.microsoft.com/azure/synapse-analytics/sql/develop-openrowset): BULK with
//   an absolute https URL reads as the caller's Microsoft Entra identity (no data source credential, the
//   export's access model); FORMAT = 'CSV' with PARSER_VERSION = '2.0' (HEADER_ROW needs it; its
//   character columns hold at most 8000 bytes, so every CSV column is read as varchar(8000) and cast
//   here); with HEADER_ROW = TRUE and a WITH clause, columns bind by name, with FALSE by position;
//   Parquet columns bind by name, case-sensitively, and a wrong case reads NULL, so each is named by a
//   strict JSON path, which fails instead. Files whose names begin with `_` or `.` are not read, so the
//   snapshot's `_manifest.json` never reaches the external table over the folder.
// - Every value lands exactly or fails: the casts are checked first by one query that counts the
//   values TRY_CAST / TRY_CONVERT cannot take and returns the least of them per column (one scan; the
//   CETAS does not start when any count is above 0), so the failure names the column and a value.
//   Serverless bills each query by data processed, at least 10 MB
//   (https://learn.microsoft.com/azure/synapse-analytics/sql/data-processed), so the check costs one
//   more scan of the source; it is what keeps a bad value from being half-written.

import type { ColumnSpec } from "../spec/types";
import { describeValue } from "./describeValue";
import { dfsUrl } from "./lakeLocation";
import type { LakeSourceFiles } from "./lakeSource";
import { snapshotLocation } from "./lakeLayout";
import { DEFAULT_DECIMAL_PRECISION, UTF8_COLLATION } from "./typeMapping";
import {
  quoteTsqlIdentifier as id,
  quoteTsqlLiteral as lit,
  quoteTsqlName as name,
} from "./sqlQuote";
import { CSV_MAX_STRING_BYTES } from "./serverlessLimits";
import { serverlessCsvFormText } from "./serverlessCsvText";
import { SNAPSHOT_SCHEMA, snapshotTableName } from "./sqlPlan";
import type { SqlStatement } from "./sqlStatement";
import { tsqlType } from "./typeMapping";

/** CSV parser 2.0 reads character columns of at most 8000 bytes (develop-openrowset, "CSV parser version 2.0 specifics"). */
const CSV_TEXT = `varchar(${CSV_MAX_STRING_BYTES}) COLLATE ${UTF8_COLLATION}`;

export interface CetasTarget {
  database: string;
  /** The export's data source: the CETAS writes under its folder. */
  dataSource: string;
  /** The Parquet file format the snapshot tables use. */
  fileFormat: string;
}

export interface CetasInput {
  entity: string;
  snapshot: string;
  source: LakeSourceFiles;
}

/** The alias of the check query's row count, and of each column's count and least offending value. */
export const CHECK_ROWS = "rows";
export function checkBadColumn(index: number): string {
  return `bad_${index + 1}`;
}
export function checkExampleColumn(index: number): string {
  return `example_${index + 1}`;
}
/**
 * The aliases of a column's count of values past the 8000 bytes serverless reads of a CSV column,
 * and the least of them: only the local target's check has them (serverless fails its query instead,
 * 15813), so that `run --local` refuses what Azure would (localLakeStatements.ts).
 */
export function checkBytesColumn(index: number): string {
  return `bytes_${index + 1}`;
}
export function checkBytesExampleColumn(index: number): string {
  return `bytes_example_${index + 1}`;
}

/**
 * True when a column of this source has something to check: every CSV column but an unbounded
 * string (text is any text); of a Parquet source strings with maxLength, GUIDs and decimals (read
 * wider than the column, parquetReadType), the other columns being typed by the WITH clause.
 */
export function isChecked(c: ColumnSpec, parquet: boolean): boolean {
  if (c.type === "string") return c.maxLength !== undefined;
  return !parquet || c.type === "guid" || c.type === "decimal";
}

/** True when the source has a column to check, so the plan runs the check query before the CETAS. */
export function needsCetasCheck(source: LakeSourceFiles): boolean {
  return source.columns.some((c) => isChecked(c, source.format === "parquet"));
}

/** The check query: rows, and per column how many values do not fit and the least of them. */
export function renderCetasCheck(input: CetasInput, target: CetasTarget): SqlStatement {
  const cols = input.source.columns;
  const parts = [`COUNT_BIG(*) AS ${id(CHECK_ROWS)}`];
  const parquet = input.source.format === "parquet";
  cols.forEach((c, i) => {
    if (!isChecked(c, parquet)) return;
    const v = value(c, parquet);
    const bad = parquet ? badParquetValue(c, v) : badValue(c, v);
    parts.push(
      `SUM(CASE WHEN ${bad} THEN 1 ELSE 0 END) AS ${id(checkBadColumn(i))}`,
      `MIN(CASE WHEN ${bad} THEN ${asText(c, v)} END) AS ${id(checkExampleColumn(i))}`,
    );
  });
  return {
    database: target.database,
    statement: `SELECT ${parts.join(",\n    ")}\nFROM ${fromClause(input.source)}`,
    purpose: `check that every value of ${input.entity}'s lake source fits its column, before snapshot ${input.snapshot} is written`,
  };
}

/** The CETAS that writes snapshot `<Entity>/v=<snapshot>/` and creates its table. */
export function renderCetas(input: CetasInput, target: CetasTarget): SqlStatement {
  const table = name(SNAPSHOT_SCHEMA, snapshotTableName(input.entity, input.snapshot));
  const parquet = input.source.format === "parquet";
  const select = input.source.columns
    .map((c) => {
      const v = value(c, parquet);
      const typed = parquet && c.type !== "string" && c.type !== "guid" && c.type !== "decimal";
      return `${typed ? v : converted(c, v)} AS ${id(c.name)}`;
    })
    .join(",\n    ");
  return {
    database: target.database,
    statement:
      `CREATE EXTERNAL TABLE ${table}\n` +
      `WITH (LOCATION = ${lit(snapshotLocation(input.entity, input.snapshot))}, DATA_SOURCE = ${id(target.dataSource)}, FILE_FORMAT = ${id(target.fileFormat)})\n` +
      `AS SELECT ${select}\nFROM ${fromClause(input.source)}`,
    purpose: `write ${input.entity} snapshot ${input.snapshot} from its lake source with serverless SQL (CETAS), and create its table`,
  };
}

/** The source's rowset aliased `r`: one OPENROWSET, or one per file joined with UNION ALL. */
function fromClause(source: LakeSourceFiles): string {
  if (source.files.length === 0) throw new Error("a lake source needs at least one file");
  if (source.files.length === 1) return `${openrowset(source, 0)} AS r`;
  const each = source.files.map((_, i) => `SELECT * FROM ${openrowset(source, i)} AS f${i + 1}`);
  return `(\n    ${each.join("\n    UNION ALL\n    ")}\n) AS r`;
}

function openrowset(source: LakeSourceFiles, index: number): string {
  const bulk = lit(dfsUrl(source.files[index]));
  if (source.format === "parquet") {
    const withList = source.columns
      .map(
        (c) =>
          `${id(c.name)} ${parquetReadType(c)} ${lit(`strict $."${c.sourceColumn ?? c.name}"`)}`,
      )
      .join(", ");
    return `OPENROWSET(BULK ${bulk}, FORMAT = 'PARQUET') WITH (${withList})`;
  }
  const csv = source.csv;
  if (!csv) throw new Error("a CSV lake source needs its dialect");
  // With a header, WITH names the file's own column names (bound by name); without, the ordinals.
  const withList = source.columns
    .map((c, i) =>
      csv.header
        ? `${id(c.sourceColumn ?? c.name)} ${CSV_TEXT}`
        : `${id(c.sourceColumn ?? c.name)} ${CSV_TEXT} ${i + 1}`,
    )
    .join(", ");
  return (
    `OPENROWSET(BULK ${bulk}, FORMAT = 'CSV', PARSER_VERSION = '2.0', HEADER_ROW = ${csv.header ? "TRUE" : "FALSE"}, ` +
    `FIELDTERMINATOR = ${lit(csv.delimiter)}, FIELDQUOTE = ${lit(csv.quote)}) WITH (${withList})`
  );
}

/** The column as read: `r.[<source name>]` for CSV (text), `r.[<name>]` for Parquet (typed, renamed by WITH). */
function value(c: ColumnSpec, parquet: boolean): string {
  return `r.${id(parquet ? c.name : (c.sourceColumn ?? c.name))}`;
}

// Parquet strings are read whole (varchar(max)), so a value longer than the column is seen and
// refused rather than cut by a narrower WITH type. A decimal is read with every fraction digit
// decimal(38) leaves room for: the WITH clause converts implicitly, and a decimal of lower scale is
// rounded ("Loss of only precision and scale isn't sufficient to raise an error", the decimal and
// numeric page), so 1.2345 read as decimal(18,2) would land as 1.23. The other types are typed by
// the WITH clause.
function parquetReadType(c: ColumnSpec): string {
  if (c.type === "string" || c.type === "guid") return `varchar(max) COLLATE ${UTF8_COLLATION}`;
  if (c.type === "decimal") {
    const precision = c.precision ?? DEFAULT_DECIMAL_PRECISION;
    return `decimal(38,${38 - (precision - (c.scale ?? 0))})`;
  }
  return tsqlType(c);
}

// A Parquet rowset is typed by its WITH clause: strings are left to check, and a decimal must be
// the same number at the column's own scale (neither rounded nor out of its range).
function badParquetValue(c: ColumnSpec, v: string): string {
  if (c.type === "decimal") {
    const narrow = `TRY_CAST(${v} AS decimal(${c.precision ?? DEFAULT_DECIMAL_PRECISION},${c.scale ?? 0}))`;
    return `${v} IS NOT NULL AND (${narrow} IS NULL OR ${narrow} <> ${v})`;
  }
  if (c.type !== "string" && c.type !== "guid")
    throw new Error(`column ${c.name} has nothing to check`);
  return badValue(c, v);
}

/** LIKE patterns of the checks (under the text's BIN2 collation, [0-9] is the ten ASCII digits). */
const DIGIT_SOMEWHERE = "'%[0-9]%'";
const ISO_DATE = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'";
const ISO_DATE_TIME =
  "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]%'";

/** When a CSV text value does not fit its column (NULL always fits). */
function badValue(c: ColumnSpec, v: string): string {
  const present = `${v} IS NOT NULL`;
  // CAST turns an empty or blank text into 0 for the number types and into 1900-01-01 for the
  // date-time ones (dba.stackexchange.com/questions/101884: CONVERT(int, '') is 0, CONVERT(datetime,
  // '') 1900-01-01), and TRY_CAST with it; the CSV parser 2.0 reads a quoted "" as an empty string
  // (develop-openrowset). LEN ignores trailing blanks, so LEN = 0 is every such text.
  const blank = `LEN(${v}) = 0`;
  switch (c.type) {
    case "string":
      // LEN ignores trailing spaces: counted with each blank made a dot, of the same length. (Not
      // CONCAT with N'x': that is nvarchar(4000), which cut the count at 3999 characters.)
      if (c.maxLength === undefined) throw new Error(`column ${c.name} has nothing to check`);
      return `${present} AND LEN(REPLACE(${v}, ' ', '.')) > ${c.maxLength}`;
    case "int32":
    case "int64":
      // A lone sign casts to 0 (ISNUMERIC takes + and - as numbers: learn.microsoft.com/sql/t-sql/
      // functions/isnumeric-transact-sql; TRY_CAST('-' AS int) is 0): a text without a digit fails.
      return `${present} AND (${blank} OR ${v} NOT LIKE ${DIGIT_SOMEWHERE} OR TRY_CAST(${v} AS ${c.type === "int32" ? "int" : "bigint"}) IS NULL)`;
    case "double":
      // float holds nothing below 2.23E-308 but 0 (the float and real page's range): a text whose
      // digits before the exponent are not all zeros must not come out 0 (1e-400, a subnormal).
      return (
        `${present} AND (${blank} OR TRY_CAST(${v} AS float) IS NULL OR (TRY_CAST(${v} AS float) = 0` +
        ` AND LEFT(${v}, CHARINDEX(N'e', CONCAT(LOWER(${v}), N'e')) - 1) LIKE '%[1-9]%'))`
      );
    case "decimal": {
      // TRY_CAST rounds digits past the scale. The same text cast with every fraction digit decimal(38)
      // leaves room for (the value's integer digits fit p - s) must be the same number, so trailing
      // zeros pass as the runner lets them; a text with more fraction digits than that fails.
      const precision = c.precision ?? DEFAULT_DECIMAL_PRECISION;
      const scale = c.scale ?? 0;
      const wide = 38 - (precision - scale);
      const narrow = `TRY_CAST(${v} AS decimal(${precision},${scale}))`;
      const exact = `TRY_CAST(${v} AS decimal(38,${wide}))`;
      return (
        `${present} AND (${narrow} IS NULL OR ${exact} IS NULL OR ${narrow} <> ${exact}` +
        ` OR (CHARINDEX(N'.', ${v}) > 0 AND LEN(${v}) - CHARINDEX(N'.', ${v}) > ${wide}))`
      );
    }
    case "boolean":
      return `${present} AND LOWER(${v}) NOT IN (N'true', N'false')`;
    case "date":
      // Style 23 is yyyy-mm-dd (CAST and CONVERT, "Date and time styles").
      return `${present} AND (LEN(${v}) <> 10 OR TRY_CONVERT(date, ${v}, 23) IS NULL)`;
    case "dateTime":
    case "dateTimeOffset":
      // Read as datetimeoffset for both (converted() says why); (7) keeps the seventh digit (6) would
      // round away: they differ when one is there.
      // The cast also takes a time alone (on 1900-01-01) and numeric dates in the session's
      // DATEFORMAT (mdy or dmy by language: the datetime page, "Supported string literal formats"):
      // only the ISO form, date first, is taken, as the local target's form (serverlessCsvText.ts).
      return `${present} AND (${blank} OR NOT (LTRIM(${v}) LIKE ${ISO_DATE_TIME} OR (LEN(LTRIM(${v})) = 10 AND LTRIM(${v}) LIKE ${ISO_DATE})) OR TRY_CAST(${v} AS datetimeoffset(7)) IS NULL OR TRY_CAST(${v} AS datetimeoffset(7)) <> TRY_CAST(${v} AS datetimeoffset(6)))`;
    case "guid":
      // A string longer than 36 characters converts to uniqueidentifier with the excess ignored.
      return `${present} AND (LEN(${v}) <> 36 OR TRY_CAST(${v} AS uniqueidentifier) IS NULL)`;
  }
}

/** The value as text for the check's example column. */
function asText(c: ColumnSpec, v: string): string {
  return c.type === "string" || c.type === "guid" ? v : `CAST(${v} AS nvarchar(4000))`;
}

/** The typed value CETAS writes: the type the snapshot's table declares (typeMapping.ts). */
function converted(c: ColumnSpec, v: string): string {
  switch (c.type) {
    case "string": {
      // The snapshot table's type (varchar(4n)); varchar(max) needs no cast.
      const [type, collation] = tsqlType(c).split(" COLLATE ");
      return type === "varchar(max)" ? v : `CAST(${v} AS ${type}) COLLATE ${collation}`;
    }
    case "guid": {
      // Lower case, as the runner writes a GUID (columnCasts.ts): one entity gives the same text
      // whichever engine exported it, and a view over both engines' snapshots compares equal.
      const [type, collation] = tsqlType(c).split(" COLLATE ");
      return `CAST(LOWER(${v}) AS ${type}) COLLATE ${collation}`;
    }
    case "int32":
      return `CAST(${v} AS int)`;
    case "int64":
      return `CAST(${v} AS bigint)`;
    case "double":
      return `CAST(${v} AS float)`;
    case "decimal":
      return `CAST(${v} AS decimal(${c.precision ?? DEFAULT_DECIMAL_PRECISION},${c.scale ?? 0}))`;
    case "boolean":
      return `CAST(CASE LOWER(${v}) WHEN N'true' THEN 1 WHEN N'false' THEN 0 END AS bit)`;
    case "date":
      return `CONVERT(date, ${v}, 23)`;
    case "dateTime":
    case "dateTimeOffset":
      // The lake holds one instant per value, in UTC, as the runner writes it (typeMapping.ts). For a
      // dateTime too: the runner applies an offset the text has and takes a text without one as UTC
      // (columnCasts.ts); datetimeoffset takes a text without an offset as +00:00, while what a
      // datetime2 CAST does with an offset is not documented.
      return `CAST(SWITCHOFFSET(CAST(${v} AS datetimeoffset(6)), N'+00:00') AS datetime2(6))`;
  }
}

/**
 * What the check query's one row says, as the entity's failure: every column with values that do
 * not fit, each with its count and the least of them (MIN over the misfits: one scan, no ORDER BY;
 * the runner names the first in file order, which serverless cannot give without a second scan), or
 * undefined when every value fits. The columns are the ones the row counts (`bad_<n>`): serverless's
 * check counts those isChecked names, the local target's also its strings' bytes
 * (localLakeStatements.ts).
 */
export function cetasCheckFailure(
  input: CetasInput,
  row: Record<string, unknown>,
): string | undefined {
  const misfits: string[] = [];
  input.source.columns.forEach((c, i) => {
    const source =
      c.sourceColumn && c.sourceColumn !== c.name ? ` (source column ${c.sourceColumn})` : "";
    const bad = Number(row[checkBadColumn(i)] ?? 0);
    if (bad > 0) {
      misfits.push(
        `column ${c.name}${source}: ${bad} value(s) ${fitsWhat(c)}, the least of them ${describeValue(String(row[checkExampleColumn(i)]))}`,
      );
    }
    const long = Number(row[checkBytesColumn(i)] ?? 0);
    if (long > 0) {
      misfits.push(
        `column ${c.name}${source}: ${long} value(s) are more than ${CSV_MAX_STRING_BYTES} bytes in UTF-8, the longest CSV value serverless SQL reads (PARSER_VERSION 2.0), the least of them ${describeValue(String(row[checkBytesExampleColumn(i)]))}`,
      );
    }
  });
  if (misfits.length === 0) return undefined;
  return `the lake source has values that do not fit their columns, so snapshot ${input.snapshot} was not written: ${misfits.join("; ")}. Fix the data or the column's type.`;
}

/** What a value that the check counts failed, in the failure's words. */
function fitsWhat(c: ColumnSpec): string {
  if (c.type === "string" && c.maxLength !== undefined) {
    return `are longer than the column's maxLength of ${c.maxLength} characters`;
  }
  const form = serverlessCsvFormText(c);
  return `do not fit ${tsqlType(c).split(" COLLATE ")[0]}${form === undefined ? "" : ` (${form})`}`;
}

/** The row count the check query read. */
export function cetasCheckRows(row: Record<string, unknown>): number {
  return Number(row[CHECK_ROWS]);
}
