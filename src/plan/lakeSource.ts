// Lake-resident sources and the engine that exports each entity. Pure.
//
// A source whose path is a lake URL (abfss:// or https://<account>.dfs...) already lives in Azure, so
// it is exported where it lies, by Synapse serverless SQL's CREATE EXTERNAL TABLE AS SELECT (CETAS),
// and never flows through the machine that runs the export. What serverless can read decides what a
// lake source may be (https://learn.microsoft.com/azure/synapse-analytics/sql/develop-openrowset):
// - CSV through PARSER_VERSION 2.0 (HEADER_ROW needs it): no DATA_COMPRESSION, so no `.gz`; a quote
//   inside a quoted field is escaped by another quote only ("The quoting character must be escaped with
//   another quoting character"), so `escape` other than the quote cannot be said; no option names a
//   NULL text (an empty unquoted field is NULL, `""` an empty string), so no `nullString`;
// - Parquet, whose columns bind by name, case-sensitively (a wrong case reads NULL silently, so the
//   statement names each column with a strict JSON path, which fails instead);
// - JSON only as text: serverless reads JSON lines as one-column CSV (FIELDTERMINATOR and FIELDQUOTE
//   0x0b) and parses each line with JSON_VALUE/OPENJSON, which cannot keep the runner's exact key
//   matching (duplicate keys, escaped keys, numbers past a double): json and jsonl are refused;
// - no strptime: a column `format` cannot be applied, so it is refused (dates are read as YYYY-MM-DD,
//   CSV parser 2.0's date format).
// Columns must be declared: inferring them would read the lake's bytes on the runner.
// `engine: runner` with a lake source is refused rather than downloading the entity: the point of a lake
// source is that one machine's network and disk never carry it; copy the files to the runner to use it.

import { databaseFolder, databaseOwnerPath } from "./lakeLayout";
import { childPath, type SpecIssue } from "../spec/specError";
import type { ColumnSpec, EntitySpec, Spec } from "../spec/types";
import { looksLikeLakeUrl, parseLakeLocation, type LakeLocation } from "./lakeLocation";

export type EngineName = "runner" | "synapse";

export interface EntityEngineChoice {
  engine: EngineName;
  /** Why, in a sentence `plan` prints. */
  reason: string;
}

/**
 * The server-side entity input: the files (or one glob) serverless reads and how. Built from a
 * lake-resident `source` here, and from a model.json entity's partitions (headerless CSV) by the CDM
 * reader, so both render through the same CETAS.
 */
export interface LakeSourceFiles {
  /** One location holding a glob (`*`, `**`), or an explicit list of files. */
  files: LakeLocation[];
  format: "csv" | "parquet";
  csv?: LakeCsvOptions;
  columns: ColumnSpec[];
  /**
   * For a model.json's partitions: where each of `files` is named (its JSON path), each of which must
   * be one file; a lake path of a spec may name a folder (its files are read), a partition may not.
   */
  partitionFields?: string[];
}

/**
 * A file a run listed for a CSV source with a header, and that header as the run read it. Serverless
 * reads the source's glob and binds each file's columns by its header itself (renderCetas.ts ignores
 * these); the local target reads exactly these files, each with its own header's columns given to
 * DuckDB, whose sniffing of a glob turned a malformed row into "Error when sniffing file" or a
 * column "not found" instead of naming the file and line (localLakeStatements.ts).
 */
export interface LakeFileHeader {
  location: LakeLocation;
  /** The file's https:// dfs URL, as messages name it. */
  url: string;
  columns: readonly string[];
}

export interface LakeCsvOptions {
  delimiter: string;
  quote: string;
  /** True: the first row names the columns (bound by name); false: columns bind by position. */
  header: boolean;
}

/** The lake location of an entity's source, when its path is a lake URL that parses. */
export function lakeLocationOf(entity: EntitySpec): LakeLocation | undefined {
  if (!looksLikeLakeUrl(entity.source.path)) return undefined;
  const parsed = parseLakeLocation(entity.source.path);
  return parsed.ok ? parsed.location : undefined;
}

export function isLakeSource(entity: EntitySpec): boolean {
  return looksLikeLakeUrl(entity.source.path);
}

/** What the lake-source rules read of a spec. */
export type LakeSourceSpec = {
  export: Pick<Spec["export"], "format" | "entities"> & { databaseName?: string };
  /** The export's own account and container, which no source may lie in. */
  connection?: { storage: Pick<Spec["connection"]["storage"], "accountName" | "container"> };
};

/** Which engine exports the entity, and why (the spec is assumed free of lakeSourceIssues). */
export function entityEngine(entity: EntitySpec): EntityEngineChoice {
  if (entity.source.format === "cdm") {
    return isLakeSource(entity) && entity.engine !== "runner"
      ? {
          engine: "synapse",
          reason:
            "a Customer Insights export folder in the lake (model.json): serverless SQL reads its partitions there (headerless CSV) and writes the snapshot (CETAS); locally (--local DIR) DuckDB reads DIR/<container>/...",
        }
      : {
          engine: "runner",
          reason:
            "a Customer Insights export folder (model.json): DuckDB here reads its partitions (a lake location only locally, from --local DIR/<container>/...)",
        };
  }
  const lake = isLakeSource(entity);
  const forced = entity.engine === "runner" || entity.engine === "synapse";
  if (lake) {
    return {
      engine: "synapse",
      reason: forced
        ? "engine: synapse; the source lies in the lake, so serverless SQL exports it there (CETAS)"
        : "the source lies in the lake, so serverless SQL exports it there (CETAS); no entity data passes through this machine",
    };
  }
  return {
    engine: "runner",
    reason: forced
      ? "engine: runner; the source is a file on this machine"
      : "the source is a file on this machine, so DuckDB here converts and uploads it",
  };
}

/** The server-side input of a lake-resident entity with declared columns. */
export function lakeSourceFiles(entity: EntitySpec): LakeSourceFiles | undefined {
  const location = lakeLocationOf(entity);
  if (!location || !entity.columns) return undefined;
  const format = entity.source.format;
  if (format !== "csv" && format !== "parquet") return undefined;
  return {
    files: [location],
    format,
    ...(format === "csv"
      ? {
          csv: {
            delimiter: entity.source.delimiter ?? ",",
            quote: entity.source.quote ?? '"',
            header: entity.source.header !== false,
          },
        }
      : {}),
    columns: entity.columns,
  };
}

/** Every field of a lake-resident entity that serverless cannot read as the spec says, with its path. */
export function lakeSourceIssues(spec: LakeSourceSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  spec.export.entities.forEach((entity, i) => {
    const path = childPath("export.entities", i);
    entityIssues(entity, spec, path, issues);
  });
  return issues;
}

/**
 * True when a lake-resident source could read what the export writes: in the export's own container
 * (same account, container and cloud), a path whose first segment is the export database's folder or
 * its owner marker (`<db>/`, `<db>.database.json`), matches one of them, is `**`, or is the root.
 * A source elsewhere in that container (`landing/*.csv`) reads none of it and is allowed.
 */
function inOwnContainer(entity: EntitySpec, spec: LakeSourceSpec): boolean {
  const own = spec.connection?.storage;
  if (!own || !isLakeSource(entity)) return false;
  const parsed = parseLakeLocation(entity.source.path);
  if (
    !parsed.ok ||
    parsed.location.suffix !== "core.windows.net" ||
    parsed.location.account.toLowerCase() !== own.accountName.toLowerCase() ||
    parsed.location.container.toLowerCase() !== own.container.toLowerCase()
  ) {
    return false;
  }
  const first = parsed.location.path.split("/")[0];
  if (first === "" || first === "**") return true;
  const database = spec.export.databaseName;
  if (database === undefined) return false;
  const written = [databaseFolder(database), databaseOwnerPath(database)].map((n) =>
    n.toLowerCase(),
  );
  const glob = new RegExp(
    `^${first
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return written.some((n) => glob.test(n));
}

function entityIssues(
  entity: EntitySpec,
  spec: LakeSourceSpec,
  path: string,
  issues: SpecIssue[],
): void {
  const sourcePath = childPath(path, "source");
  const add = (field: string, message: string) => issues.push({ path: field, message });
  if (inOwnContainer(entity, spec)) {
    const own = spec.connection!.storage;
    add(
      childPath(sourcePath, "path"),
      `reaches what the export writes in its own container (${own.container} in ${own.accountName}, connection.storage: ` +
        `the folder ${spec.export.databaseName ?? "of the export database"}/ and its marker): it would read the export's own files as source data. ` +
        "Keep sources in another folder (landing/...) or another container",
    );
    return;
  }
  // A Customer Insights export folder has its own rules (cdmModel.ts, rules.ts).
  if (entity.source.format === "cdm") return;
  if (!isLakeSource(entity)) {
    if (entity.engine === "synapse") {
      add(
        childPath(path, "engine"),
        `is synapse, which exports lake-resident sources only, but source.path '${entity.source.path}' is a file on this machine; use a lake location (abfss://<container>@<account>.dfs.core.windows.net/<path>) or engine runner or auto`,
      );
    }
    return;
  }
  const parsed = parseLakeLocation(entity.source.path);
  if (!parsed.ok) {
    add(childPath(sourcePath, "path"), parsed.problem);
    return;
  }
  if (entity.engine === "runner") {
    add(
      childPath(path, "engine"),
      "is runner, but the source lies in the lake: the runner would download the whole entity through this machine, which a lake source exists to avoid; use engine auto or synapse, or copy the files to this machine",
    );
  }
  if (spec.export.format !== "parquet") {
    add(
      "export.format",
      `is ${spec.export.format}, but entity ${entity.name} is exported by Synapse (CETAS), which writes Parquet snapshots here; use format parquet`,
    );
  }
  const format = entity.source.format as string;
  if (format !== "csv" && format !== "parquet") {
    add(
      childPath(sourcePath, "format"),
      `is ${format}, which serverless SQL reads only as text lines parsed row by row (not exactly as the runner reads JSON); a lake source is csv or parquet`,
    );
    return;
  }
  if (/\.gz$/i.test(parsed.location.path)) {
    add(
      childPath(sourcePath, "path"),
      "names a .gz file: serverless reads compressed CSV only with PARSER_VERSION 1.0, which has no HEADER_ROW; decompress it in the lake",
    );
  }
  if (entity.source.escape !== undefined && entity.source.escape !== (entity.source.quote ?? '"')) {
    add(
      childPath(sourcePath, "escape"),
      "cannot be read by serverless SQL, where a quote inside a quoted field is escaped only by another quote; remove it",
    );
  }
  if (entity.source.nullString !== undefined) {
    add(
      childPath(sourcePath, "nullString"),
      "cannot be read by serverless SQL, which has no NULL-text option (an empty unquoted field is NULL); remove it",
    );
  }
  if (!entity.columns) {
    add(
      childPath(path, "columns"),
      "are required for a lake source: inferring them would read the lake's bytes on this machine; declare each column and its type",
    );
    return;
  }
  entity.columns.forEach((c, j) => {
    const columnPath = childPath(childPath(path, "columns"), j);
    if (c.format !== undefined) {
      add(
        childPath(columnPath, "format"),
        "cannot be applied by serverless SQL (no strptime); a lake source's dates are YYYY-MM-DD and times YYYY-MM-DD HH:MM:SS[.fraction]",
      );
    }
    const sourceName = c.sourceColumn ?? c.name;
    if (format === "parquet" && /["\\]/.test(sourceName)) {
      add(
        childPath(columnPath, c.sourceColumn === undefined ? "name" : "sourceColumn"),
        `'${sourceName}' holds a double quote or backslash, which a Parquet column's JSON path cannot name here`,
      );
    }
  });
}
