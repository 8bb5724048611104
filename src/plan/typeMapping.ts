// The one table that maps a spec column type to what the writer produces (DuckDB type, hence the
// Parquet type) and to what Synapse serverless SQL declares over it. The SQL side and the writer both
// read this table, so a Parquet file and the external table over it can never disagree.
//
// Synapse serverless reads Parquet INT64 TIMESTAMP(MICROS) as datetime2 and rejects NANOS, so
// timestamps are written in microseconds; strings read from Parquet need a UTF-8 collation
// (Latin1_General_100_BIN2_UTF8) or they are converted with the database's code page.
// https://learn.microsoft.com/azure/synapse-analytics/sql/develop-openrowset#type-mapping-for-parquet

import type { ColumnSpec, ColumnType } from "../spec/types";

export const UTF8_COLLATION = "Latin1_General_100_BIN2_UTF8";

/** varchar(n) counts bytes under a UTF-8 collation; a character takes at most 4 bytes. */
const MAX_UTF8_BYTES_PER_CHAR = 4;
const VARCHAR_MAX_LENGTH = 8000;

interface TypeRow {
  /** What the writer casts to in DuckDB (before Parquet). */
  duckdb: (c: ColumnSpec) => string;
  /** The column type in a Synapse serverless external table. */
  tsql: (c: ColumnSpec) => string;
}

// Without maxLength, varchar(max): a varchar(8000) column fails every reader's query with a truncation
// error as soon as one value is longer, long after the export succeeded.
function varcharFor(c: ColumnSpec): string {
  if (c.maxLength === undefined) return "varchar(max)";
  const bytes = c.maxLength * MAX_UTF8_BYTES_PER_CHAR;
  return bytes > VARCHAR_MAX_LENGTH ? "varchar(max)" : `varchar(${bytes})`;
}

function decimalArgs(c: ColumnSpec): string {
  return `${c.precision ?? DEFAULT_DECIMAL_PRECISION},${c.scale ?? 0}`;
}

export const DEFAULT_DECIMAL_PRECISION = 18;

export const TYPE_MAPPING: Readonly<Record<ColumnType, TypeRow>> = {
  string: {
    duckdb: () => "VARCHAR",
    tsql: (c) => `${varcharFor(c)} COLLATE ${UTF8_COLLATION}`,
  },
  int32: { duckdb: () => "INTEGER", tsql: () => "int" },
  int64: { duckdb: () => "BIGINT", tsql: () => "bigint" },
  double: { duckdb: () => "DOUBLE", tsql: () => "float" },
  decimal: {
    duckdb: (c) => `DECIMAL(${decimalArgs(c)})`,
    tsql: (c) => `decimal(${decimalArgs(c)})`,
  },
  boolean: { duckdb: () => "BOOLEAN", tsql: () => "bit" },
  date: { duckdb: () => "DATE", tsql: () => "date" },
  dateTime: {
    duckdb: () => "TIMESTAMP",
    tsql: () => "datetime2(6)",
  },
  // Normalised to UTC by the writer, so the lake holds one instant per value whatever the source offset.
  dateTimeOffset: {
    duckdb: () => "TIMESTAMP",
    tsql: () => "datetime2(6)",
  },
  // A GUID stays a 36-character string: serverless reads it as varchar(36) without a UUID logical type.
  guid: {
    duckdb: () => "VARCHAR",
    tsql: () => `varchar(36) COLLATE ${UTF8_COLLATION}`,
  },
};

export function duckdbType(c: ColumnSpec): string {
  return TYPE_MAPPING[c.type].duckdb(c);
}

export function tsqlType(c: ColumnSpec): string {
  return TYPE_MAPPING[c.type].tsql(c);
}

/** A column's type as `plan` shows it: what will be created, e.g. `decimal(38,0)`, `string(200)`. */
export function columnTypeText(c: ColumnSpec): string {
  let text: string = c.type;
  if (c.type === "decimal") text = `decimal(${decimalArgs(c)})`;
  else if (c.type === "string" && c.maxLength !== undefined) text = `string(${c.maxLength})`;
  if (c.format !== undefined) text += ` format ${JSON.stringify(c.format)}`;
  return text;
}

/** A column as `plan` shows it: name, type and, when it is read from a column named otherwise, that name. */
export function columnText(c: ColumnSpec): string {
  const from = c.sourceColumn !== undefined ? ` (from ${JSON.stringify(c.sourceColumn)})` : "";
  return `${c.name} ${columnTypeText(c)}${from}`;
}
