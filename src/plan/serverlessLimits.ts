// Limits of Synapse serverless SQL that a spec must respect before anything is written, and the
// column types that follow from them. Pure.
//
// CSV snapshots are read with PARSER_VERSION 2.0, whose documented specifics
// (https://learn.microsoft.com/azure/synapse-analytics/sql/develop-openrowset, "CSV parser version
// 2.0 specifics") are what the writer's text must match:
// - "Maximum character column length is 8000": a CSV string column is at most varchar(8000), never
//   varchar(max); with maxLength n it is varchar(4n) (UTF-8, at most 4 bytes a character), so n is at
//   most 2000;
// - date as `YYYY-MM-DD`, datetime2 as `YYYY-MM-DD HH:MM:SS[.fractional seconds]`: what DuckDB's CSV
//   writer produces for DATE and TIMESTAMP (tested in test/engine/csvSnapshotText.test.ts);
// - bit from `true` / `false`: "The string values TRUE and FALSE can be converted to bit values"
//   (https://learn.microsoft.com/sql/t-sql/data-types/bit-transact-sql); decimals as plain digits.

import { childPath, type SpecIssue } from "../spec/specError";
import type { ColumnSpec, ExportFormat, ExportSpec } from "../spec/types";
import { tsqlType, UTF8_COLLATION } from "./typeMapping";

export const CSV_MAX_STRING_BYTES = 8000;

/**
 * Databases a serverless SQL pool holds at most, master not counted (self-help for serverless SQL
 * pool, "Constraints": https://learn.microsoft.com/azure/synapse-analytics/sql/resources-self-help-sql-on-demand).
 */
export const MAX_POOL_DATABASES = 100;

/**
 * What validate and plan say about that limit: the databases a pool holds (the ones earlier renames
 * left behind among them) are only known to the pool, so only a run counts them.
 */
export function databaseCountNote(database: string): string {
  return (
    `A serverless SQL pool holds at most ${MAX_POOL_DATABASES} databases; how many it holds now (old databases ` +
    "that earlier databaseName changes left behind among them) is unknown offline. " +
    `synapse-export run counts sys.databases before it creates ${database}, and refuses a ${MAX_POOL_DATABASES + 1}st, naming the databases the pool holds.`
  );
}
const MAX_UTF8_BYTES_PER_CHAR = 4;
export const CSV_MAX_STRING_LENGTH = CSV_MAX_STRING_BYTES / MAX_UTF8_BYTES_PER_CHAR;

/**
 * The most UTF-8 bytes a value of this column may have in a snapshot of this format, when its
 * declared type alone does not bound it: a CSV string column without maxLength is varchar(8000), the
 * most PARSER_VERSION 2.0 reads, so a longer value could not be read back as it is. The writer refuses
 * it at export, naming the row, instead of every reader's query failing later. Parquet strings are
 * varchar(max) (typeMapping.ts), and a maxLength of at most 2000 characters always fits in 8000 bytes.
 */
export function exportStringByteLimit(c: ColumnSpec, format: ExportFormat): number | undefined {
  return format === "csv" && c.type === "string" && c.maxLength === undefined
    ? CSV_MAX_STRING_BYTES
    : undefined;
}

/** The column's type in a serverless external table over snapshots of this format. */
export function externalColumnType(c: ColumnSpec, format: ExportFormat): string {
  if (format !== "csv" || c.type !== "string") return tsqlType(c);
  if (c.maxLength !== undefined && c.maxLength > CSV_MAX_STRING_LENGTH) {
    throw new Error(
      `column ${c.name}: maxLength ${c.maxLength} is more than format: csv can read (PARSER_VERSION 2.0 reads at most ${CSV_MAX_STRING_BYTES} bytes, ${CSV_MAX_STRING_LENGTH} characters); lower it or use format: parquet`,
    );
  }
  const bytes =
    c.maxLength === undefined ? CSV_MAX_STRING_BYTES : c.maxLength * MAX_UTF8_BYTES_PER_CHAR;
  return `varchar(${bytes}) COLLATE ${UTF8_COLLATION}`;
}

/** Declared columns a CSV export cannot serve: each with its field path and what is allowed. */
export function serverlessLimitIssues(spec: {
  export: Pick<ExportSpec, "format" | "entities">;
}): SpecIssue[] {
  if (spec.export.format !== "csv") return [];
  const issues: SpecIssue[] = [];
  spec.export.entities.forEach((entity, i) => {
    entity.columns?.forEach((c, j) => {
      if (c.type === "string" && c.maxLength !== undefined && c.maxLength > CSV_MAX_STRING_LENGTH) {
        issues.push({
          path: childPath(
            childPath(childPath(childPath("export.entities", i), "columns"), j),
            "maxLength",
          ),
          message: `${c.maxLength} is more than format: csv can serve: serverless reads CSV strings of at most ${CSV_MAX_STRING_BYTES} bytes (${CSV_MAX_STRING_LENGTH} characters); lower it or use format: parquet`,
        });
      }
    });
  });
  return issues;
}
