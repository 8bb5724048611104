// Writes one entity's rows as part files in a local staging folder, with one streaming DuckDB COPY:
// read → strict casts → Parquet (or CSV) parts, rolled at a size bound. Nothing is uploaded here, so a
// failure leaves nothing in the lake.

import { ExportError } from "../../errors";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { partFileName } from "../../plan/lakeLayout";
import { quoteDuckdbIdentifier, quoteDuckdbLiteral } from "../../plan/sqlQuote";
import type { ColumnSpec, EntitySpec, ExportFormat, SourceSpec } from "../../spec/types";
import { csvDialect } from "../sources/csvDialect";
import { bindColumns, type BoundSource, type ColumnBinding } from "../sources/bindColumns";
import { duckdbType } from "../../plan/typeMapping";
import { exportStringByteLimit } from "../../plan/serverlessLimits";
import type { NamedSourceFile, SourceFile } from "../sources/resolveSources";
import { csvStructureProblem, FIRST_RECORD_PROBLEM } from "../sources/csvStructure";
import { csvQuotingProblem } from "../sources/csvQuoting";
import { csvLineOfDuckdbLine } from "../sources/lineLocator";
import { refuseInexactJsonNumbers } from "../sources/jsonNumbers";
import { jsonOrParquetProblem } from "../sources/readerErrors";
import { SourceError } from "../sources/sourceError";
import { readAsTextSql, readCsvTypedSql } from "../sources/sourceSql";
import { castExpression } from "./columnCasts";
import type { DuckSession } from "./duckdbSession";
import { describeValue } from "../../plan/describeValue";
import { findMisfit } from "./findMisfit";

/**
 * Serverless SQL reads Parquet best in files of 100 MB to 10 GB and splits work by file and row
 * group; 256 MB parts keep parallel reads busy without a flood of small files.
 */
export const DEFAULT_PART_BYTES = 256 * 1024 * 1024;
/** DuckDB's own default row group (120 Ki rows): inside the 100k-1M range Synapse reads well, and small
 * enough that a thread's buffered row group stays well inside the memory limit. */
export const DEFAULT_ROW_GROUP_ROWS = 122_880;

export interface WritePartsOptions {
  session: DuckSession;
  entity: EntitySpec;
  files: readonly SourceFile[];
  columns: readonly ColumnSpec[];
  columnsInferred: boolean;
  format: ExportFormat;
  /** An empty local folder for this entity's parts. */
  outDir: string;
  partBytes?: number;
  rowGroupRows?: number;
  /** The quoting scan of a CSV file: csvQuotingProblem, or a read shared with the fingerprint. */
  quotingProblem?: (absPath: string) => Promise<string | undefined>;
}

export interface WrittenPart {
  /** part-00000.parquet, ... */
  name: string;
  localPath: string;
  rows: number;
  bytes: number;
}

export class ValueError extends ExportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("data", message, options);
    this.name = "ValueError";
  }
}

export async function writeParts(o: WritePartsOptions): Promise<WrittenPart[]> {
  const bound = await bindColumns(o.session, o.entity, o.files, o.columns).catch(async (e) => {
    throw await asSourceError(o.entity, o.files, e);
  });
  // What the snapshot's format bounds beyond the column's type: a CSV string's 8000 bytes.
  const source: BoundSource = {
    ...bound,
    bindings: bound.bindings.map((b) => {
      const maxBytes = exportStringByteLimit(b.column, o.format);
      return maxBytes === undefined ? b : { ...b, maxBytes };
    }),
  };
  await refuseInexactJsonNumbers(o.session, o.entity, o.files, source.bindings);
  const paths = o.files.map((f) => f.absPath);
  const copy = o.entity.source.format === "csv" ? typedForCopy(o.entity, source, paths) : undefined;
  const select = (copy?.bindings ?? source.bindings)
    .map((b) => `${castExpression(b, o.session.shapes)} AS ${quoteDuckdbIdentifier(b.column.name)}`)
    .join(", ");
  await fs.mkdir(o.outDir, { recursive: true });
  const rawDir = path.join(o.outDir, "raw");
  const options = [
    o.format === "csv"
      ? "FORMAT csv, HEADER true"
      : "FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION V1",
    o.format === "parquet"
      ? `ROW_GROUP_SIZE ${o.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS}`
      : undefined,
    `FILE_SIZE_BYTES ${o.partBytes ?? DEFAULT_PART_BYTES}`,
    "FILENAME_PATTERN 'part-{i}'",
  ].filter(Boolean);
  // Beside the COPY, on the main thread while DuckDB's threads convert: what the reader would drop.
  const quoting = quotingError(o);
  try {
    await o.session.withMemoryForColumns(source.columns.length, () =>
      o.session.run(
        `COPY (SELECT ${select} FROM ${copy?.relation ?? source.relation(paths)}) TO ${quoteDuckdbLiteral(rawDir)} (${options.join(", ")})`,
      ),
    );
  } catch (e) {
    throw (await quoting) ?? (await explainFailure(o, source, e));
  }
  const problem = await quoting;
  if (problem) throw problem;
  return collectParts(o, rawDir);
}

/**
 * The first file whose quoting DuckDB's reader would silently change (sources/csvQuoting.ts), as an
 * error; never rejects, since it is awaited only once the COPY is done.
 */
async function quotingError(o: WritePartsOptions): Promise<SourceError | undefined> {
  if (o.entity.source.format !== "csv") return undefined;
  const dialect = csvDialect(o.entity.source);
  const scan = o.quotingProblem ?? ((file: string) => csvQuotingProblem(file, dialect));
  for (const f of o.files) {
    try {
      const problem = await scan(f.absPath);
      if (problem) return new SourceError(`entity "${o.entity.name}": ${f.relPath} ${problem}`);
    } catch (e) {
      // A cut-short .zst is its own error; a file the reader cannot open, the COPY reports.
      if (e instanceof SourceError) return e;
    }
  }
  return undefined;
}

/**
 * CSV columns whose type DuckDB's CSV reader parses with exactly the rules of CAST, accepting and
 * refusing the same values (checked value by value for booleans),
 * are parsed by the reader, which skips building a string per value: about 5-10% of the export's
 * time. Integers stay text (the reader, like CAST, rounds 1.5), decimals too (it rounds 1.239 into a
 * decimal(18,2), and only the text shows the digit it dropped), doubles (it, like CAST, reads `1_000` as 1000), dates (it, like CAST, ignores what
 * follows the date: a time of day, an offset, `BC`; the writer's check needs the text), strings, and timestamps: the
 * reader turns an unparseable TIMESTAMPTZ ("2024-01-31T25:00:00Z") into NULL where CAST fails. The
 * diagnostic query still reads all text, so a failure is explained the same way.
 */
function typedForCopy(
  entity: EntitySpec,
  source: BoundSource,
  paths: readonly string[],
): { relation: string; bindings: ColumnBinding[] } {
  const readerType = (c: ColumnSpec): string | undefined => {
    // A date with a format is parsed by strptime, from the text.
    if (c.format !== undefined) return undefined;
    switch (c.type) {
      // Not "date" nor "double": the reader keeps the day of a date-time and reads `1_000` as 1000, so
      // both are read as text and cast with the checks of columnCasts.ts.
      case "boolean":
        return duckdbType(c);
      // Not "guid": text already in the canonical form is kept without a round trip through UUID
      // (columnCasts.ts), so it is read as text too.
      default:
        return undefined;
    }
  };
  const typeOf = new Map<string, string>();
  const bindings = source.bindings.map((b) => {
    const t = readerType(b.column);
    if (t === undefined) return b;
    typeOf.set(b.sourceName, t);
    return { ...b, sourceType: t };
  });
  const columns = source.columns.map((c) => ({
    name: c.name,
    type: typeOf.get(c.name) ?? "VARCHAR",
  }));
  return { relation: readCsvTypedSql(entity.source, paths, columns), bindings };
}

/** DuckDB names rolled files part-0, part-1, ...; the lake layout wants part-00000, part-00001, .... */
async function collectParts(o: WritePartsOptions, rawDir: string): Promise<WrittenPart[]> {
  const produced = (await fs.readdir(rawDir))
    .map((name) => ({ name, index: Number(/^part-(\d+)\./.exec(name)?.[1]) }))
    .filter((p) => Number.isInteger(p.index))
    .sort((a, b) => a.index - b.index);
  const parts: WrittenPart[] = [];
  for (const [i, p] of produced.entries()) {
    const name = partFileName(i, o.format);
    const localPath = path.join(o.outDir, name);
    await fs.rename(path.join(rawDir, p.name), localPath);
    const bytes = (await fs.stat(localPath)).size;
    parts.push({ name, localPath, bytes, rows: await countRows(o, localPath) });
  }
  return parts;
}

/** Parquet keeps the count in its footer; a CSV part is counted by reading it back as text. */
async function countRows(o: WritePartsOptions, file: string): Promise<number> {
  const lit = quoteDuckdbLiteral(file);
  const sql =
    o.format === "csv"
      ? `SELECT count(*) AS n FROM ${readAsTextSql(
          { path: file, format: "csv" },
          [file],
          o.columns.map((c) => c.name),
        )}`
      : `SELECT sum(row_group_num_rows) AS n FROM (SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(${lit}))`;
  const [row] = await o.session.query(sql);
  return Number(row.n ?? 0);
}

async function explainFailure(
  o: WritePartsOptions,
  source: Awaited<ReturnType<typeof bindColumns>>,
  cause: unknown,
): Promise<Error> {
  const misfit = await findMisfit(o.session, o.entity.source, o.files, source).catch(
    () => undefined,
  );
  if (misfit) {
    const where =
      misfit.line !== undefined ? `line ${misfit.line} (row ${misfit.row})` : `row ${misfit.row}`;
    // A string past what the format holds is not the column's type at fault: the reason says what to do.
    const hint = misfit.formatLimit
      ? ""
      : o.columnsInferred
        ? o.entity.source.format === "parquet"
          ? ` Its type is the Parquet file's; declare the entity's columns in the spec to take it as another.`
          : ` Its type was inferred from the first rows; declare the entity's columns in the spec.`
        : ` Fix the value in the source, or the column's type in the spec.`;
    return new ValueError(
      `entity "${o.entity.name}": ${misfit.file.relPath} ${where}, column "${misfit.column}": ` +
        `value ${describeValue(misfit.value)} ${misfit.reason}.${hint}`,
    );
  }
  return new SourceError(
    `entity "${o.entity.name}": ${await readerMessage(o.entity.source, o.files, cause)}`,
  );
}

/**
 * DuckDB's reader errors (a row with a field too many, malformed JSON, a truncated Parquet file) end
 * with fixes that do not apply here and a dump of its settings; keep what is wrong and where, with
 * the file as the spec names it and, for CSV, the line an editor shows.
 */
/** A reader failure as an error naming the entity and its file as the spec names it. */
export async function asSourceError(
  entity: EntitySpec,
  files: readonly NamedSourceFile[],
  cause: unknown,
): Promise<Error> {
  if (cause instanceof SourceError || cause instanceof ValueError) return cause;
  return new SourceError(
    `entity "${entity.name}": ${await readerMessage(entity.source, files, cause)}`,
  );
}

/** DuckDB's CSV reader refuses a record longer than its max_line_size (2,000,000 bytes by default). */
const MAX_LINE = /Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+) bytes/;

async function readerMessage(
  sourceSpec: SourceSpec,
  files: readonly NamedSourceFile[],
  cause: unknown,
): Promise<string> {
  const quote = sourceSpec.format === "csv" ? csvDialect(sourceSpec).quote : '"';
  const full = cause instanceof Error ? cause.message : String(cause);
  const fileLine = /^\s*file = (.*)$/m.exec(full)?.[1]?.trim();
  const file =
    files.find((f) => f.absPath === fileLine) ?? (files.length === 1 ? files[0] : undefined);
  // DuckDB ends the part worth showing with "Possible fixes:" or, for some errors, "Possible Solution:".
  const head = full
    .split(/\nPossible (?:fixes|Solution)/)[0]
    .replace(/^[A-Z][A-Za-z ]* Error: /, "");
  let text = head.split(/\n\s*\n/)[0].trim();
  const csvLine = /^CSV Error on Line: (\d+)\s*\n/.exec(head);
  if (file && csvLine) {
    // "Original Line: <the row, which may span lines>" and then what is wrong, on the last line.
    const lines = head.slice(csvLine[0].length).trimEnd().split("\n");
    const what = lines.pop() ?? "";
    const original = lines
      .join("\n")
      .replace(/^Original Line: /, "")
      .trim();
    const line = await csvLineOfDuckdbLine(file.absPath, Number(csvLine[1]), quote).catch(
      () => undefined,
    );
    const tooLong = MAX_LINE.exec(what);
    // A row that spans lines (an unclosed quote swallows the next ones) stays on one line of the
    // report, and a long one is cut: the message is for a terminal or a log line.
    const row = original.replace(/\r?\n/g, "\\n");
    const shown = row.length > 200 ? `${row.slice(0, 200)}…` : row;
    text = tooLong
      ? `${file.relPath} line ${line ?? csvLine[1]}: the record is ${Number(tooLong[2]).toLocaleString("en-US")} bytes long, ` +
        `more than the ${Number(tooLong[1]).toLocaleString("en-US")} bytes a CSV record may have. If it should be several records, ` +
        `look for a quote that is not closed before it; if it is one, shorten the value or export the entity as JSON Lines or Parquet.`
      : `${file.relPath} line ${line ?? csvLine[1]}: ${what.trim()}` +
        (original ? ` (the row: ${shown})` : "");
  }
  const jsonOrParquet = await jsonOrParquetProblem(files, text);
  if (jsonOrParquet) return jsonOrParquet;
  const stateMachine = /state machine reached an invalid state/.test(text);
  // DuckDB's "unterminated quote" names its line already; only the first record's line break of
  // another kind (csvStructure.ts) explains it better.
  if (stateMachine || /unterminated quote/i.test(text)) {
    for (const f of files) {
      const problem = await csvStructureProblem(f.absPath, quote).catch(() => undefined);
      if (problem && (stateMachine || problem.startsWith(FIRST_RECORD_PROBLEM)))
        return `${f.relPath}: ${problem}`;
    }
  }
  for (const f of files) text = text.split(f.absPath).join(f.relPath);
  return file && !text.includes(file.relPath) ? `${file.relPath}: ${text}` : text;
}
