// The local target's rendering of a lake-resident source's two server-side steps (the check query and
// the export), DuckDB over `<--local DIR>/<container>/<path>` standing in for serverless SQL's CETAS.
// Pure, and in the engine beside the runner's strict casts it uses (writer/columnCasts.ts), which src/plan
// may not import. The casts are the runner's strict ones, so a value lands by the same
// rules whichever engine exported it; the check query counts per column the values they refuse and
// names the least of them with renderCetas.ts's aliases, so cetasCheckFailure reads both targets' rows.
//
// Files are matched as serverless matches them (lakeSourceListing.ts): a name below the listed folder
// beginning with `_` or `.` is not read, so DuckDB's glob is filtered by the file name it reports.
// CSV is read as text with the dialect the spec says (the runner's options: no sniffing of the
// dialect, an empty field NULL, a quoted empty field ""); with a header, columns bind by name
// (union_by_name across files), without one by position, as OPENROWSET binds them.
//
// The runner's casts take texts serverless refuses (`yes` as a boolean, `1e5` as a decimal, 24:00 as
// a time): the check also counts a value not in the form serverless takes (plan/serverlessCsvText.ts)
// as a misfit, and the COPY fails on one, so that `run --local` refuses what Azure would.

import { castExpression, misfitPredicate } from "../writer/columnCasts";
import type { ColumnBinding } from "../sources/bindColumns";
import { csvDialectOptions } from "../sources/sourceSql";
import { duckdbPathProblem, literalDuckdbPath } from "../../plan/duckdbPath";
import { SourceError } from "../sources/sourceError";
import { snapshotFolder } from "../../plan/lakeLayout";
import { CSV_MAX_STRING_BYTES } from "../../plan/serverlessLimits";
import { localRelativePath } from "../../plan/lakeLocation";
import type { LakeFileHeader, LakeSourceFiles } from "../../plan/lakeSource";
import {
  CHECK_ROWS,
  checkBadColumn,
  checkBytesColumn,
  checkBytesExampleColumn,
  checkExampleColumn,
  isChecked,
} from "../../plan/renderCetas";
import { serverlessCsvForm, serverlessCsvFormText } from "../../plan/serverlessCsvText";
import { listingFolder } from "./lakeSourceListing";
import { quoteDuckdbIdentifier as id, quoteDuckdbLiteral as lit } from "../../plan/sqlQuote";
import type { SqlStatement } from "../../plan/sqlStatement";

export interface LocalLakeTarget {
  database: string;
  /** The `--local DIR` a lake location is read below (`DIR/<container>/<path>`). */
  localDir: string;
  /** The export's own container folder, where the snapshot is written. */
  lakeRoot: string;
  /** Whether `<localDir>/<relative path>` is a file (a lake path without wildcards may name a folder). */
  isFile(relative: string): boolean;
}

export interface LocalLakeInput {
  entity: string;
  snapshot: string;
  source: LakeSourceFiles;
  /** For a source with a header: the files the run listed, each with its header (lakeSourceHeaders.ts). */
  headers?: readonly LakeFileHeader[];
}

/**
 * The column DuckDB adds with the file a row came from, to leave hidden files out: a name no declared
 * source column has (DuckDB refuses a `filename` column the file also has; names compare without case).
 */
function fileColumn(source: LakeSourceFiles): string {
  const taken = new Set(source.columns.map((c) => (c.sourceColumn ?? c.name).toLowerCase()));
  let name = "__synapse_export_file";
  for (let i = 1; taken.has(name.toLowerCase()); i++) name = `__synapse_export_file_${i}`;
  return name;
}

/**
 * Serverless reads every CSV column of a lake source as varchar(8000) (renderCetas.ts), and a longer
 * value fails its query (15813, "Max errors count reached"; develop-openrowset, "CSV parser version
 * 2.0 specifics": "Maximum character column length is 8000"). DuckDB reads any length, so the local
 * target refuses a value of any column past 8000 bytes in UTF-8 itself: its check counts them per
 * column (checkBytesColumn), and a string's cast in the COPY fails on one (maxBytes), rather than
 * exporting here what Azure would not.
 */
function bindings(source: LakeSourceFiles): ColumnBinding[] {
  if (source.format !== "csv") {
    throw new Error(
      "the local target exports a lake-resident CSV source (or a model.json's partitions) only",
    );
  }
  return source.columns.map((c) => ({
    column: c,
    sourceName: c.sourceColumn ?? c.name,
    sourceType: "VARCHAR",
    ...(c.type === "string" ? { maxBytes: CSV_MAX_STRING_BYTES } : {}),
  }));
}

/**
 * With a header: each file the run listed, read with its own header's columns (declared ones by their
 * names, the others by names no declared column has), never DuckDB's sniffing of a glob, which takes
 * a malformed row for another dialect ("Error when sniffing file", or a header column "not found")
 * where the reader given the columns names the file and line. Files bind by name across the union.
 */
function listedFiles(
  source: LakeSourceFiles,
  headers: readonly LakeFileHeader[],
  options: readonly string[],
  t: LocalLakeTarget,
): string {
  const declared = source.columns.map((c) => c.sourceColumn ?? c.name);
  if (headers.length === 0) {
    // Only empty files: no header and no row, as serverless reads them.
    const none = declared.map((n) => `CAST(NULL AS VARCHAR) AS ${id(n)}`).join(", ");
    return `(SELECT ${none} WHERE false) AS r`;
  }
  const taken = new Set(declared.map((n) => n.toLowerCase()));
  const other = (i: number) => {
    let name = `__synapse_export_other_${i + 1}`;
    for (let k = 1; taken.has(name.toLowerCase()); k++)
      name = `__synapse_export_other_${i + 1}_${k}`;
    return name;
  };
  const reads = headers.map((h) => {
    const columns = h.columns
      .map((n, i) => `${lit(declared.includes(n) ? n : other(i))}: 'VARCHAR'`)
      .join(", ");
    const relative = localRelativePath(h.location);
    // A name with a backslash and one of * ? [ cannot be given to DuckDB as itself (plan/duckdbPath.ts).
    const problem = duckdbPathProblem(relative);
    if (problem) throw new SourceError(`${h.url}: ${problem}.`);
    const file = `${literalDuckdbPath(t.localDir)}/${literalDuckdbPath(relative)}`;
    const all = [...options, "auto_detect=false", `columns={${columns}}`];
    return `SELECT ${declared.map(id).join(", ")} FROM read_csv(${lit(file)}, ${all.join(", ")})`;
  });
  return `(${reads.join(" UNION ALL BY NAME ")}) AS r`;
}

/** `read_csv` of every file of the source, hidden names below the listed folder left out. */
function fromClause(
  source: LakeSourceFiles,
  t: LocalLakeTarget,
  headers?: readonly LakeFileHeader[],
): string {
  const csv = source.csv;
  if (!csv) throw new Error("a CSV lake source needs its dialect");
  // Serverless escapes a quote by doubling it only, and reads an empty field as NULL (lakeSource.ts).
  const dialect = csvDialectOptions({ ...csv, escape: csv.quote, nullString: "" });
  if (csv.header && headers !== undefined) return listedFiles(source, headers, dialect, t);
  const file = fileColumn(source);
  const reads = source.files.map((f) => {
    // Wildcards stay DuckDB's (`*`, `**`); every other character is matched as itself.
    const rel = localRelativePath(f);
    const pattern = `${literalDuckdbPath(t.localDir)}/${rel
      .split("/")
      .map((s) => (/[*?]/.test(s) ? s : literalDuckdbPath(s)))
      .join("/")}`;
    const columns = csv.header
      ? "all_varchar=true, union_by_name=true"
      : `auto_detect=false, columns={${source.columns
          .map((c) => `${lit(c.sourceColumn ?? c.name)}: 'VARCHAR'`)
          .join(", ")}}`;
    const options = [...dialect, `filename=${lit(file)}`, columns];
    // A file's name below `folder`: hidden when a segment of it starts with `_` or `.`. DuckDB counts
    // characters (code points), not UTF-16 units as String.length does.
    const hiddenBelow = (folder: string) => {
      const prefix = `${t.localDir}/${folder === "" ? "" : `${folder}/`}`;
      return `regexp_matches(substr(${id(file)}, ${[...prefix].length + 1}), ${lit("(^|/)[_.]")})`;
    };
    const read = (p: string) => `SELECT * FROM read_csv(${lit(p)}, ${options.join(", ")})`;
    if (/[*?]/.test(rel)) return `${read(pattern)} WHERE NOT ${hiddenBelow(listingFolder(rel))}`;
    // Without a wildcard serverless reads the file of that name, hidden-looking or not, or else the
    // folder's own files, whatever the folder's own name (lakeSourceListing.ts's matchBulkPath,
    // which the snapshot id comes from).
    const exact = rel.replace(/\/+$/, "");
    if (!rel.endsWith("/") && t.isFile(exact)) return read(pattern);
    return `${read(`${pattern.replace(/\/+$/, "")}/*`)} WHERE NOT ${hiddenBelow(exact)}`;
  });
  return `(${reads.join(" UNION ALL BY NAME ")}) AS r`;
}

export function renderLocalLakeCheck(input: LocalLakeInput, t: LocalLakeTarget): SqlStatement {
  const parts = [`COUNT(*) AS ${id(CHECK_ROWS)}`];
  bindings(input.source).forEach((b, i) => {
    const v = id(b.sourceName);
    if (isChecked(b.column, false)) {
      // The column's own rule, as serverless's check counts it; the bytes are counted apart.
      const rule = misfitPredicate({ ...b, maxBytes: undefined });
      const outside = notServerlessForm(b);
      const bad = outside === undefined ? rule : `(${rule} OR ${outside})`;
      parts.push(
        `SUM(CASE WHEN ${bad} THEN 1 ELSE 0 END) AS ${id(checkBadColumn(i))}`,
        `MIN(CASE WHEN ${bad} THEN CAST(${v} AS VARCHAR) END) AS ${id(checkExampleColumn(i))}`,
      );
    }
    const long = `strlen(${v}) > ${CSV_MAX_STRING_BYTES}`;
    parts.push(
      `SUM(CASE WHEN ${long} THEN 1 ELSE 0 END) AS ${id(checkBytesColumn(i))}`,
      `MIN(CASE WHEN ${long} THEN ${v} END) AS ${id(checkBytesExampleColumn(i))}`,
    );
  });
  return {
    database: t.database,
    statement: `SELECT ${parts.join(",\n    ")}\nFROM ${fromClause(input.source, t, input.headers)}`,
    purpose: `check that every value of ${input.entity}'s lake source fits its column, before snapshot ${input.snapshot} is written`,
  };
}

/** SQL true when the value is there and not in the form serverless takes for its column (none for a string). */
function notServerlessForm(b: ColumnBinding): string | undefined {
  const form = serverlessCsvForm(b.column);
  if (form === undefined) return undefined;
  const v = id(b.sourceName);
  return `(${v} IS NOT NULL AND NOT regexp_full_match(${v}, ${lit(form)}))`;
}

/**
 * The runner's cast, failing first on a text serverless would not take: the check refused such a
 * value already, so this holds only for a file rewritten between the check and the COPY.
 */
function localCast(b: ColumnBinding): string {
  const outside = notServerlessForm(b);
  if (outside === undefined) return castExpression(b);
  const message = `column "${b.column.name}": is not a text serverless SQL reads as ${b.column.type} (${serverlessCsvFormText(b.column)})`;
  return `CASE WHEN ${outside} THEN error(${lit(message)}) ELSE ${castExpression(b)} END`;
}

export function renderLocalLakeExport(input: LocalLakeInput, t: LocalLakeTarget): SqlStatement {
  const select = bindings(input.source)
    .map((b) => `${localCast(b)} AS ${id(b.column.name)}`)
    .join(",\n    ");
  const folder = `${t.lakeRoot}/${snapshotFolder(t.database, input.entity, input.snapshot)}`;
  return {
    database: t.database,
    statement:
      `COPY (SELECT ${select}\nFROM ${fromClause(input.source, t, input.headers)})\n` +
      `TO ${lit(folder)} (FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION V1, PER_THREAD_OUTPUT true, FILENAME_PATTERN 'part-{i}')`,
    purpose: `write ${input.entity} snapshot ${input.snapshot} from its lake source with DuckDB (the local target's CETAS)`,
  };
}
