// DuckDB's detected types mapped back to the spec's column types, for entities without `columns`.
// The inverse of src/plan/typeMapping.ts, widened: every DuckDB type lands on the narrowest spec type
// that holds all its values, and what has no spec type (times, intervals, blobs, nested values)
// becomes a string.

import type { ColumnSpec, ColumnType } from "../../spec/types";

export function columnFromDuckdbType(name: string, duckdbType: string): ColumnSpec {
  const t = duckdbType.trim().toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) {
    return { name, type: "decimal", precision: Number(decimal[1]), scale: Number(decimal[2]) };
  }
  // Integers wider than int64 keep every digit as a decimal of scale 0.
  if (t === "UBIGINT") return { name, type: "decimal", precision: 20, scale: 0 };
  if (t === "HUGEINT" || t === "UHUGEINT")
    return { name, type: "decimal", precision: 38, scale: 0 };
  return { name, type: SIMPLE[t] ?? "string" };
}

const SIMPLE: Record<string, ColumnType> = {
  VARCHAR: "string",
  BOOLEAN: "boolean",
  TINYINT: "int32",
  SMALLINT: "int32",
  INTEGER: "int32",
  UTINYINT: "int32",
  USMALLINT: "int32",
  UINTEGER: "int64",
  BIGINT: "int64",
  FLOAT: "double",
  DOUBLE: "double",
  DATE: "date",
  TIMESTAMP: "dateTime",
  TIMESTAMP_S: "dateTime",
  TIMESTAMP_MS: "dateTime",
  TIMESTAMP_NS: "dateTime",
  "TIMESTAMP WITH TIME ZONE": "dateTimeOffset",
  UUID: "guid",
};

/** True for DuckDB types whose values are lists, structs, maps or unions (written as JSON text). */
export function isNestedDuckdbType(duckdbType: string): boolean {
  const t = duckdbType.trim().toUpperCase();
  return /^(STRUCT|MAP|UNION)\(/.test(t) || t.endsWith("]") || t === "JSON";
}
