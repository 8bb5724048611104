// Which source column feeds each declared column, and how to read the files for it. Names match
// exactly first, then ignoring case (SQL names are case-insensitive, and Customer Insights and
// hand-written specs disagree on case); a declared column missing from the source fails the entity.

import type { ColumnSpec, EntitySpec } from "../../spec/types";
import type { DuckSession } from "../writer/duckdbSession";
import { readCsvHeader } from "./csvHeader";
import type { SourceFile } from "./resolveSources";
import { SourceError } from "./sourceError";
import { describeSql, readAsTextSql, readDetectedSql, type SourceColumn } from "./sourceSql";

export interface ColumnBinding {
  column: ColumnSpec;
  /** The column's name in the source. */
  sourceName: string;
  /** The source column's DuckDB type: VARCHAR for CSV and JSON Lines, the file's type for Parquet. */
  sourceType: string;
}

export interface BoundSource {
  bindings: ColumnBinding[];
  /** The table function that reads these files (all of the entity's, or one for a diagnostic). */
  relation(paths: readonly string[]): string;
  /** Every column of the source (for CSV: its header, in order). */
  columns: SourceColumn[];
}

export async function describe(session: DuckSession, relation: string): Promise<SourceColumn[]> {
  const rows = await session.query(describeSql(relation));
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/**
 * The source's columns: a CSV file's header (every file of a glob must have the same one, as they
 * are read as one table), or what DuckDB finds in JSON Lines and Parquet files.
 */
export async function sourceColumns(
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
): Promise<SourceColumn[]> {
  const format = entity.source.format;
  if (format !== "csv") {
    return describe(
      session,
      readDetectedSql(
        format,
        files.map((f) => f.absPath),
      ),
    );
  }
  const first = await readCsvHeader(files[0].absPath, files[0].relPath);
  for (const file of files.slice(1)) {
    const header = await readCsvHeader(file.absPath, file.relPath);
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
  const found = available ?? (await sourceColumns(session, entity, files));
  const bindings: ColumnBinding[] = columns.map((column) => {
    const match =
      found.find((a) => a.name === column.name) ??
      found.find((a) => a.name.toLowerCase() === column.name.toLowerCase());
    if (match) {
      return {
        column,
        sourceName: match.name,
        sourceType: format === "parquet" ? match.type : "VARCHAR",
      };
    }
    // JSON Lines keys are detected from a sample of the lines: a key first seen later, or never,
    // is read as null, as a JSON document without the key means.
    if (format === "jsonl") return { column, sourceName: column.name, sourceType: "VARCHAR" };
    const names = found.map((a) => a.name).join(", ");
    throw new SourceError(
      `entity "${entity.name}": column "${column.name}" is declared in the spec but is not in ${files[0].relPath} ` +
        `(its columns: ${names}). Fix the name in the spec or in the file.`,
    );
  });
  // CSV is read with all of its header's columns (DuckDB checks each row's field count against them).
  const names = format === "csv" ? found.map((a) => a.name) : bindings.map((b) => b.sourceName);
  return { bindings, relation: (p) => readAsTextSql(format, p, names), columns: [...found] };
}
