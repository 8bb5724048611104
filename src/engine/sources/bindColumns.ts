// Which source column feeds each declared column, and how to read the files for it. A column's
// source name is its `sourceColumn`, else its own name. JSON keys and `sourceColumn` match exactly;
// a CSV header or Parquet column named by the column's own name matches exactly first, then ignoring
// case (SQL names are case-insensitive, and Customer Insights and hand-written specs disagree on
// case). A declared column missing from the source fails the entity, whatever the format.

import type { ColumnSpec, EntitySpec } from "../../spec/types";
import type { DuckSession } from "../writer/duckdbSession";
import { csvDialect } from "./csvDialect";
import { readCsvHeader } from "./csvHeader";
import { jsonKeys } from "./jsonKeys";
import { parquetSourceColumns } from "./parquetColumns";
import type { NumberWatch } from "./jsonNumberCandidates";
import type { SourceFile } from "./resolveSources";
import { SourceError } from "./sourceError";
import { describeSql, isJsonFormat, readAsTextSql, type SourceColumn } from "./sourceSql";

export interface ColumnBinding {
  column: ColumnSpec;
  /** The column's name in the source. */
  sourceName: string;
  /** The source column's DuckDB type: VARCHAR for CSV and JSON, the file's type for Parquet. */
  sourceType: string;
  /** The most UTF-8 bytes a string may have in the snapshot's format (serverlessLimits.ts), if bounded so. */
  maxBytes?: number;
}

export interface BoundSource {
  bindings: ColumnBinding[];
  /** The table function that reads these files (all of the entity's, or one for a diagnostic). */
  relation(paths: readonly string[]): string;
  /** Every column of the source (for CSV: its header, in order). */
  columns: SourceColumn[];
}

/** The columns whose JSON numbers must land exactly, by their names in the source. */
export function numberWatch(columns: readonly ColumnSpec[]): NumberWatch {
  const named = (type: ColumnSpec["type"]) =>
    columns.filter((c) => c.type === type).map(sourceNameOf);
  return { decimals: named("decimal"), strings: named("string") };
}

export async function describe(session: DuckSession, relation: string): Promise<SourceColumn[]> {
  const rows = await session.query(describeSql(relation));
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** The name a column has in its source. */
export function sourceNameOf(column: ColumnSpec): string {
  return column.sourceColumn ?? column.name;
}

/**
 * The source's columns: a CSV file's header (every file of a glob must have the same one, as they
 * are read as one table; with `header: false`, the declared columns in order), every key of the
 * JSON records, or a Parquet file's columns.
 */
export async function sourceColumns(
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
  columns?: readonly ColumnSpec[],
): Promise<SourceColumn[]> {
  const format = entity.source.format;
  if (format === "parquet") return parquetSourceColumns(session, entity.name, files);
  if (isJsonFormat(format)) {
    // With the columns known, the key scan also looks for the numbers jsonNumbers.ts must check.
    const keys = await jsonKeys(
      session,
      entity.name,
      format,
      files,
      columns ? numberWatch(columns) : undefined,
    );
    return keys.map((name) => ({ name, type: "VARCHAR" }));
  }
  if (!csvDialect(entity.source).header) {
    // The spec rules require declared columns with `header: false`: they name the fields in order.
    return (entity.columns ?? []).map((c) => ({ name: sourceNameOf(c), type: "VARCHAR" }));
  }
  const first = await readCsvHeader(files[0].absPath, files[0].relPath, entity.source);
  for (const file of files.slice(1)) {
    const header = await readCsvHeader(file.absPath, file.relPath, entity.source);
    if (header.join("\u0000") !== first.join("\u0000")) {
      throw new SourceError(
        `entity "${entity.name}": ${file.relPath} has the header (${header.join(", ")}) but ` +
          `${files[0].relPath} has (${first.join(", ")}); all files of an entity need the same columns in the same order.`,
      );
    }
  }
  return first.map((name) => ({ name, type: "VARCHAR" }));
}

export async function bindColumns(
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
  columns: readonly ColumnSpec[],
  available?: readonly SourceColumn[],
): Promise<BoundSource> {
  const format = entity.source.format;
  const found = available ?? (await sourceColumns(session, entity, files, columns));
  const exactOnly = isJsonFormat(format);
  const bindings: ColumnBinding[] = columns.map((column) => {
    const wanted = sourceNameOf(column);
    const match =
      found.find((a) => a.name === wanted) ??
      (exactOnly || column.sourceColumn !== undefined
        ? undefined
        : found.find((a) => a.name.toLowerCase() === wanted.toLowerCase()));
    if (match) {
      return {
        column,
        sourceName: match.name,
        sourceType: format === "parquet" ? match.type : "VARCHAR",
      };
    }
    const names = found.map((a) => a.name).join(", ");
    const what =
      column.sourceColumn !== undefined ? `sourceColumn "${wanted}" of column` : "column";
    const where = files.length === 1 ? files[0].relPath : `the files of ${entity.source.path}`;
    const kind = exactOnly ? "keys, matched exactly" : "columns";
    throw new SourceError(
      `entity "${entity.name}": ${what} "${column.name}" is declared in the spec but is not in ${where} ` +
        `(its ${kind}: ${names}). Fix the name in the spec or in the file.`,
    );
  });
  // CSV is read with all of its header's columns (DuckDB checks each row's field count against them).
  const names = format === "csv" ? found.map((a) => a.name) : bindings.map((b) => b.sourceName);
  return {
    bindings,
    relation: (p) => readAsTextSql(entity.source, p, names),
    columns: [...found],
  };
}
