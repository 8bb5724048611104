// The DuckDB table functions that read an entity's files. CSV and JSON (Lines) are read as text
// (every column VARCHAR) and converted by the writer's own casts, so a value that does not fit its
// type is found and named by the same rules whether the columns were declared or inferred.
// Compressed files (.gz, .zst) are read by the same functions: DuckDB's `compression='auto'`
// (the default) detects them from the file name.

import { literalDuckdbPath } from "../../plan/duckdbPath";
import { quoteDuckdbLiteral } from "../../plan/sqlQuote";
import type { SourceFormat, SourceSpec } from "../../spec/types";
import { csvDialect, type CsvDialect } from "./csvDialect";

/**
 * A folder named like `year=2024` (or our own `v=<snapshot>`) must not add a column, nor replace a
 * column of that name: DuckDB's readers detect such "hive partitions" by default.
 */
const NO_HIVE = "hive_partitioning=false";

/**
 * How DuckDB's CSV reader splits a file in this dialect: an empty field is null; a quoted empty field
 * ("") is an empty string, so the two stay distinguishable; a row with a field too many or too few
 * fails (strict_mode) instead of being padded. The runner's reads (below) and the local target's
 * server-side reads (serverSide/localLakeStatements.ts) both use it, so the two engines cannot read
 * one file differently.
 */
export function csvDialectOptions(d: CsvDialect): string[] {
  return [
    `header=${d.header}`,
    `delim=${quoteDuckdbLiteral(d.delimiter)}`,
    `quote=${quoteDuckdbLiteral(d.quote)}`,
    `escape=${quoteDuckdbLiteral(d.escape)}`,
    `nullstr=${quoteDuckdbLiteral(d.nullString)}`,
    "strict_mode=true",
    "allow_quoted_nulls=false",
    NO_HIVE,
  ];
}

/**
 * RFC 4180 unless the source says otherwise (delimiter, quote, escape, header, nullString). Nothing
 * is sniffed (auto_detect=false): the header is read by readCsvHeader and the columns are given, so
 * a row with a field too many or too few fails with its line instead of changing what DuckDB
 * guesses.
 */
function csvOptions(source: SourceSpec): string {
  return [...csvDialectOptions(csvDialect(source)), "auto_detect=false"].join(", ");
}

/** Each path matches only itself: DuckDB globs `[`, `*` and `?` even in a list (plan/duckdbPath.ts). */
function fileList(paths: readonly string[]): string {
  return `[${paths.map((p) => quoteDuckdbLiteral(literalDuckdbPath(p))).join(", ")}]`;
}

/** CSV with some columns parsed by the reader itself (see typedForCopy in the writer). */
export function readCsvTypedSql(
  source: SourceSpec,
  paths: readonly string[],
  columns: readonly SourceColumn[],
): string {
  const list = columns.map((c) => `${quoteDuckdbLiteral(c.name)}: ${quoteDuckdbLiteral(c.type)}`);
  return `read_csv(${fileList(paths)}, ${csvOptions(source)}, columns={${list.join(", ")}})`;
}

/**
 * Every record must be an object. With DuckDB's default (records='auto') one line that is an array
 * or a number makes it read each whole line as a single value: with declared columns every row's
 * value became its line's JSON text, and inference found one column `json`, both exported without
 * error. A `json` source is one array of objects.
 */
function jsonOptions(format: "jsonl" | "json"): string {
  return `format='${format === "jsonl" ? "newline_delimited" : "array"}', records=true`;
}

function varcharColumns(names: readonly string[]): string {
  return `{${names.map((k) => `${quoteDuckdbLiteral(k)}: 'VARCHAR'`).join(", ")}}`;
}

/**
 * The files as text: CSV with the header's columns as VARCHAR; JSON with the named keys as VARCHAR
 * (numbers and booleans as their JSON text, objects and arrays as JSON). Parquet keeps its own
 * types, which the casts take as they are.
 */
export function readAsTextSql(
  source: SourceSpec,
  paths: readonly string[],
  names: readonly string[],
): string {
  return readWithColumnsSql(source, paths, names, "VARCHAR");
}

/** The same, with every named column of one DuckDB type (JSON keeps a value's JSON kind). */
export function readWithColumnsSql(
  source: SourceSpec,
  paths: readonly string[],
  names: readonly string[],
  type: "VARCHAR" | "JSON",
): string {
  const columns =
    type === "VARCHAR"
      ? varcharColumns(names)
      : `{${names.map((k) => `${quoteDuckdbLiteral(k)}: 'JSON'`).join(", ")}}`;
  switch (source.format) {
    case "csv":
      return `read_csv(${fileList(paths)}, ${csvOptions(source)}, columns=${columns})`;
    case "jsonl":
    case "json":
      return `read_json(${fileList(paths)}, ${jsonOptions(source.format)}, columns=${columns}, ${NO_HIVE})`;
    case "parquet":
      return `read_parquet(${fileList(paths)}, ${NO_HIVE})`;
    case "cdm":
      // A cdm entity is read as the CSV source its model.json describes (sources/cdmSource.ts).
      throw new Error("a cdm source is read through its model.json's CSV partitions");
  }
}

/** Each JSON record as one JSON value, for finding the keys the records have. */
export function readJsonObjectsSql(format: "jsonl" | "json", paths: readonly string[]): string {
  return `read_json_objects(${fileList(paths)}, format='${format === "jsonl" ? "newline_delimited" : "array"}', ${NO_HIVE})`;
}

/** JSON with the columns and types DuckDB detects from the first records (for their order). */
export function readDetectedJsonSql(format: "jsonl" | "json", paths: readonly string[]): string {
  return `read_json(${fileList(paths)}, ${jsonOptions(format)}, ${NO_HIVE})`;
}

/** Parquet with its own types. */
export function readParquetSql(paths: readonly string[]): string {
  return `read_parquet(${fileList(paths)}, ${NO_HIVE})`;
}

export function isJsonFormat(format: SourceFormat): format is "jsonl" | "json" {
  return format === "jsonl" || format === "json";
}

export interface SourceColumn {
  name: string;
  /** DuckDB type as DESCRIBE prints it, e.g. VARCHAR, DECIMAL(18,2), STRUCT(a BIGINT). */
  type: string;
}

export function describeSql(relation: string): string {
  return `DESCRIBE SELECT * FROM ${relation}`;
}
