// After a strict COPY has failed: find the first value that does not fit its column, and say where it
// is (file, line, row, column, value), so the user can fix the data or the spec. Files are searched
// one at a time in the entity's order, each with a streaming top-1 query, so memory stays bounded.

import type { BoundSource } from "../sources/bindColumns";
import { csvRecordLine, jsonlRecordLine } from "../sources/lineLocator";
import type { SourceFile } from "../sources/resolveSources";
import type { SourceSpec } from "../../spec/types";
import { csvDialect } from "../sources/csvDialect";
import { literalDuckdbPath } from "../../plan/duckdbPath";
import { quoteDuckdbIdentifier, quoteDuckdbLiteral } from "../../plan/sqlQuote";
import { misfitPredicate, misfitReason } from "./columnCasts";
import type { DuckSession } from "./duckdbSession";

export interface Misfit {
  file: SourceFile;
  /** 1-based data row (records after the header). */
  row: number;
  /** 1-based physical line where the row starts (CSV, JSON Lines). */
  line?: number;
  column: string;
  value: string;
  reason: string;
  /** The value fits its column but not the export's format (a CSV string past 8000 bytes). */
  formatLimit?: true;
}

export async function findMisfit(
  session: DuckSession,
  sourceSpec: SourceSpec,
  files: readonly SourceFile[],
  source: BoundSource,
): Promise<Misfit | undefined> {
  const predicates = source.bindings.map(misfitPredicate);
  const values = source.bindings.map(
    (b, i) =>
      `CAST(${quoteDuckdbIdentifier(b.sourceName)} AS VARCHAR) AS __v${i}, ${predicates[i]} AS __m${i}`,
  );
  const format = sourceSpec.format;
  for (const file of files) {
    // Parquet knows each row's position; for text formats, the reader's order is the file's order
    // (insertion order is preserved), so row_number() over it counts records.
    const numbered =
      format === "parquet"
        ? `SELECT file_row_number + 1 AS __row, * FROM read_parquet(${quoteDuckdbLiteral(literalDuckdbPath(file.absPath))}, file_row_number=true, hive_partitioning=false)`
        : `SELECT row_number() OVER () AS __row, * FROM ${source.relation([file.absPath])}`;
    const rows = await session.query(
      `SELECT __row, ${values.join(", ")} FROM (${numbered}) WHERE ${predicates.join(" OR ")} ORDER BY __row LIMIT 1`,
    );
    if (rows.length === 0) continue;
    const r = rows[0];
    const i = source.bindings.findIndex((_, k) => r[`__m${k}`] === true);
    const binding = source.bindings[i];
    const row = Number(r.__row);
    const value = String(r[`__v${i}`]);
    const line =
      format === "csv"
        ? await csvRecordLine(file.absPath, row, csvDialect(sourceSpec))
        : format === "jsonl"
          ? await jsonlRecordLine(file.absPath, row)
          : undefined;
    let reason = misfitReason(binding.column);
    if (binding.column.type === "string") reason += ` (it has ${[...value].length})`;
    const bytes = Buffer.byteLength(value, "utf8");
    if (binding.maxBytes !== undefined && bytes > binding.maxBytes) {
      const formatLimit = true as const;
      reason = bytesReason(bytes, binding.maxBytes);
      return { file, row, line, column: binding.column.name, value, reason, formatLimit };
    }
    return { file, row, line, column: binding.column.name, value, reason };
  }
  return undefined;
}

/** A string the snapshot's format cannot hold (serverlessLimits.ts): what it is, and what is allowed. */
function bytesReason(bytes: number, maxBytes: number): string {
  return (
    `is ${bytes} bytes in UTF-8, more than the ${maxBytes} a string of a format: csv export holds ` +
    `(serverless SQL reads CSV snapshots with PARSER_VERSION 2.0, whose longest character column is ${maxBytes} bytes, ` +
    `so the value could not be read back as it is); use format: parquet, whose strings have no such limit`
  );
}
