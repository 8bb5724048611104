// The DuckDB table functions that read an entity's files. CSV and JSON Lines are read as text
// (every column VARCHAR) and converted by the writer's own casts, so a value that does not fit its
// type is found and named by the same rules whether the columns were declared or inferred.

import { literalDuckdbPath } from "../../plan/duckdbPath";
import { quoteDuckdbLiteral } from "../../plan/sqlQuote";
import type { SourceFormat } from "../../spec/types";

/**
 * A folder named like `year=2024` (or our own `v=<snapshot>`) must not add a column, nor replace a
 * column of that name: DuckDB's readers detect such "hive partitions" by default.
 */
const NO_HIVE = "hive_partitioning=false";

/**
 * RFC 4180: comma, double quote, a quote inside a field doubled, a header row. Nothing is sniffed
 * (auto_detect=false): the header is read by readCsvHeader and the columns are given, so a row with
 * a field too many or too few fails with its line instead of changing what DuckDB guesses. An empty
 * field is null; a quoted empty field ("") is an empty string, so the two stay distinguishable.
 */
const CSV_DIALECT = `header=true, delim=',', quote='"', escape='"', strict_mode=true, auto_detect=false, allow_quoted_nulls=false, ${NO_HIVE}`;

/** Each path matches only itself: DuckDB globs `[`, `*` and `?` even in a list (plan/duckdbPath.ts). */
function fileList(paths: readonly string[]): string {
  return `[${paths.map((p) => quoteDuckdbLiteral(literalDuckdbPath(p))).join(", ")}]`;
}

/** CSV with some columns parsed by the reader itself (see typedForCopy in the writer). */
export function readCsvTypedSql(
  paths: readonly string[],
  columns: readonly SourceColumn[],
): string {
  const list = columns.map((c) => `${quoteDuckdbLiteral(c.name)}: ${quoteDuckdbLiteral(c.type)}`);
  return `read_csv(${fileList(paths)}, ${CSV_DIALECT}, columns={${list.join(", ")}})`;
}

/**
 * Every line must be an object. With DuckDB's default (records='auto') one line that is an array or
 * a number makes it read each whole line as a single value: with declared columns every row's value
 * became its line's JSON text, and inference found one column `json`, both exported without error.
 */
const JSONL = `format='newline_delimited', records=true`;

function varcharColumns(names: readonly string[]): string {
  return `{${names.map((k) => `${quoteDuckdbLiteral(k)}: 'VARCHAR'`).join(", ")}}`;
}

/**
 * The files as text: CSV with the header's columns as VARCHAR; JSON Lines with the named keys as
 * VARCHAR (numbers and booleans as their JSON text, objects and arrays as JSON). Parquet keeps its
 * own types, which the casts take as they are.
 */
export function readAsTextSql(
  format: SourceFormat,
  paths: readonly string[],
  names: readonly string[],
): string {
  switch (format) {
    case "csv":
      return `read_csv(${fileList(paths)}, ${CSV_DIALECT}, columns=${varcharColumns(names)})`;
    case "jsonl":
      return `read_json(${fileList(paths)}, ${JSONL}, columns=${varcharColumns(names)}, ${NO_HIVE})`;
    case "parquet":
      return `read_parquet(${fileList(paths)}, ${NO_HIVE})`;
  }
}

/** JSON Lines and Parquet with the types DuckDB detects (JSON: from a sample of the lines). */
export function readDetectedSql(format: "jsonl" | "parquet", paths: readonly string[]): string {
  switch (format) {
    case "jsonl":
      return `read_json(${fileList(paths)}, ${JSONL}, ${NO_HIVE})`;
    case "parquet":
      return `read_parquet(${fileList(paths)}, ${NO_HIVE})`;
  }
}

export interface SourceColumn {
  name: string;
  /** DuckDB type as DESCRIBE prints it, e.g. VARCHAR, DECIMAL(18,2), STRUCT(a BIGINT). */
  type: string;
}

export function describeSql(relation: string): string {
  return `DESCRIBE SELECT * FROM ${relation}`;
}
