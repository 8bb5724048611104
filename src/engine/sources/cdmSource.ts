// A `format: cdm` source: a Customer Insights export folder (or its model.json) read into the plain
// shape the runner exports, a headerless CSV entity with the columns model.json declares and the
// partition files it names. The parsing is plan/cdmModel.ts; this file finds and reads the files.
//
// Where the files are:
// - `source.path` a lake location (abfss:// or https://): on the local target (`run --local DIR`)
//   model.json is read from DIR/<container>/<path>, and each partition from DIR/<container>/<path of
//   its location>, which must be in the model.json's own container.
// - `source.path` a local path (relative to the spec's folder): a copy of the export folder. Each
//   partition is read from the model.json's folder plus its location's path from the folder named
//   after the entity on: Customer Insights writes <export>/<Entity>/yyyy/MM/dd/HHmm/<Entity>_<n>.csv
//   with model.json in <export> (learn.microsoft.com/dynamics365/customer-insights/data/export-azure-blob-storage).
//
// Which export: model.json describes one export, the newest it finished. It counts as complete when
// model.json is there and every partition it names is there (a file, not empty); otherwise nothing is
// exported and the previous snapshot stays served. A newer yyyy/MM/dd/HHmm folder beside the one
// model.json names is an export still being written (its model.json is not out yet): it is skipped,
// and the run record says so.

import { promises as fs } from "node:fs";
import * as path from "node:path";
import {
  CdmModelError,
  exportFolderOf,
  isExportFolderName,
  parseCdmEntity,
  partitionOutsideExport,
  type CdmEntity,
} from "../../plan/cdmModel";
import {
  abfssUrl,
  localRelativePath,
  looksLikeLakeUrl,
  parseLakeLocation,
  sameContainer,
  type LakeLocation,
} from "../../plan/lakeLocation";
import type { ColumnSpec, EntitySpec } from "../../spec/types";
import { isInside, resolveSources, type ResolveOptions, type SourceFile } from "./resolveSources";
import { safeColumnNames } from "./safeColumnNames";
import { SourceError } from "./sourceError";

export interface CdmResolveOptions extends ResolveOptions {
  /** The local target's root (`--local DIR`): where lake locations are read from. */
  localLakeDir?: string;
}

/** What a run records about the export folder it read. */
export interface CdmSourceRecord {
  /** model.json as the spec's folder or the lake names it. */
  modelJson: string;
  /** The yyyy/MM/dd/HHmm folder the partitions are in, when they share one. */
  exportFolder?: string;
  /** Newer export folders skipped because model.json does not describe them yet. */
  skippedIncomplete?: string[];
}

export interface CdmSource {
  /** The entity as a headerless (or headed, as model.json says) CSV source with model.json's columns. */
  entity: EntitySpec;
  /** The partition files, in model.json's order: what the writer reads. */
  partitions: SourceFile[];
  /** model.json itself: fingerprinted with the partitions, never read as data. */
  modelFile: SourceFile;
  /** The entity as model.json describes it, partition locations as written. */
  model: CdmEntity;
  /**
   * The same entity as the server-side (CETAS) export takes a lake-resident source: the partitions as
   * lake locations, read as this CSV dialect into these columns (the shape of plan/lakeSource.ts's
   * LakeSourceFiles on the `lake` branch, where a list of files renders as a UNION ALL of OPENROWSETs).
   */
  lakeInput: CdmLakeInput;
  record: CdmSourceRecord;
}

export interface CdmLakeInput {
  files: LakeLocation[];
  format: "csv";
  csv: CdmEntity["csv"];
  columns: ColumnSpec[];
}

const MODEL_JSON = "model.json";

export async function resolveCdmSource(
  baseDir: string,
  entity: EntitySpec,
  options: CdmResolveOptions = {},
): Promise<CdmSource> {
  const where = `entity "${entity.name}": source.path "${entity.source.path}"`;
  const entityName = entity.source.entity ?? entity.name;
  const lake = looksLikeLakeUrl(entity.source.path)
    ? parsedOrThrow(entity.source.path, where)
    : undefined;
  if (lake && options.localLakeDir === undefined) {
    throw new SourceError(
      `${where} is a model.json in the lake; the runner reads lake locations only on the local target (run --local DIR), ` +
        `and against Azure a lake model.json is exported by Synapse serverless: leave the entity's engine at auto (or set synapse), or copy the export folder next to the spec and name it by its local path.`,
    );
  }
  const roots = [
    ...(options.sourceRoots ?? []),
    ...(options.localLakeDir !== undefined ? [path.resolve(options.localLakeDir)] : []),
  ];
  const resolveOptions: ResolveOptions = { sourceRoots: roots, excludeDirs: options.excludeDirs };
  const named = lake
    ? path.join(path.resolve(options.localLakeDir!), ...localRelativePath(lake).split("/"))
    : path.resolve(baseDir, entity.source.path);
  // Nothing outside the allowed folders is even looked at (resolveSources checks the files again, by real path).
  const allowed = [path.resolve(baseDir), ...roots.map((r) => path.resolve(baseDir, r))];
  if (!allowed.some((dir) => isInside(dir, named))) {
    throw new SourceError(
      `${where} leaves the spec's folder ${path.resolve(baseDir)}; a cdm source must be inside it or export.sourceRoots.`,
    );
  }
  const stat = await fs.stat(named).catch(() => undefined);
  if (!stat) throw new SourceError(`${where}: ${named} does not exist.`);
  const modelAbs = stat.isDirectory() ? path.join(named, MODEL_JSON) : named;
  if (stat.isDirectory() && !(await isFile(modelAbs))) {
    throw new SourceError(
      `${where}: the folder ${named} holds no ${MODEL_JSON}; name the export folder Customer Insights writes ` +
        `(the one with model.json in it, above the <Entity>/yyyy/MM/dd/HHmm folders) or the model.json itself.`,
    );
  }
  const [modelFile] = await resolveSources(
    baseDir,
    { ...entity, source: { path: modelAbs, format: "json" } },
    resolveOptions,
  );
  const modelLake: LakeLocation | undefined = lake && {
    ...lake,
    path: stat.isDirectory() ? joinLake(lake.path, MODEL_JSON) : lake.path,
  };
  const modelName = modelLake ? abfssUrl(modelLake) : modelFile.relPath;

  let model: CdmEntity;
  try {
    model = parseCdmEntity(await fs.readFile(modelFile.absPath, "utf8"), modelName, entityName);
  } catch (e) {
    if (e instanceof CdmModelError) throw new SourceError(`entity "${entity.name}": ${e.message}`);
    throw e;
  }

  const outside = modelLake && partitionOutsideExport(modelLake.path, model.partitions);
  if (outside) {
    throw new SourceError(
      `entity "${entity.name}": ${modelName}: the partition location "${outside.url}" is outside the model.json's folder; ` +
        `a Customer Insights export keeps its partitions below its model.json, so this one is not the export's data. Nothing was exported.`,
    );
  }
  const partitionPaths = model.partitions.map((p, i) => {
    const at = `${modelName}: ${model.at}.partitions[${i}].location "${p.url}"`;
    if (modelLake) {
      if (!sameContainer(modelLake, p.location)) {
        throw new SourceError(
          `entity "${entity.name}": ${at} is outside the container of the model.json (${modelLake.account}/${modelLake.container}); ` +
            `a Customer Insights export keeps its partitions beside its model.json.`,
        );
      }
      return path.join(
        path.resolve(options.localLakeDir!),
        ...localRelativePath(p.location).split("/"),
      );
    }
    return localCopyOf(path.dirname(modelFile.absPath), p.location, model.name, entity.name, at);
  });

  const missing: string[] = [];
  for (const p of partitionPaths) {
    const s = await fs.stat(p).catch(() => undefined);
    if (!s?.isFile() || s.size === 0) missing.push(p);
  }
  if (missing.length > 0) {
    throw new SourceError(
      `entity "${entity.name}": the export ${modelName} describes is not complete: ${missing.length} of its ` +
        `${partitionPaths.length} partition(s) are missing or empty (${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", ..." : ""}). ` +
        `Nothing was exported; the snapshot served before stays served. Run again once Customer Insights has finished the export.`,
    );
  }
  const partitions: SourceFile[] = [];
  // Two partitions that reach one local file (their lake paths differ only before the entity's
  // folder, or a link joins them) would be read twice: every row exported twice.
  const seen = new Map<string, number>();
  for (const [i, p] of partitionPaths.entries()) {
    const [file] = await resolveSources(
      baseDir,
      { ...entity, source: { path: p, format: "csv" } },
      resolveOptions,
    );
    const stat = await fs.stat(file.absPath);
    const key = stat.nlink > 1 && stat.ino !== 0 ? `${stat.dev}:${stat.ino}` : file.absPath;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new SourceError(
        `entity "${entity.name}": ${modelName}: ${model.at}.partitions[${first}] and [${i}] ("${model.partitions[first].url}", "${model.partitions[i].url}") ` +
          `are the same local file ${file.relPath}, which would be read twice. Nothing was exported; name the model.json by its lake location, ` +
          `or copy the export so that each partition is its own file.`,
      );
    }
    seen.set(key, i);
    partitions.push(file);
  }

  const exportFolder = exportFolderOf(model.partitions);
  const record: CdmSourceRecord = { modelJson: modelName };
  if (exportFolder !== undefined) {
    record.exportFolder = modelLake
      ? abfssUrl({ ...modelLake, path: exportFolder })
      : path.posix.dirname(partitions[0].relPath);
    // <Entity>/yyyy/MM/dd/HHmm/<file>: five folders up from a partition is the entity's folder.
    let entityDir = partitions[0].absPath;
    for (let i = 0; i < 5; i++) entityDir = path.dirname(entityDir);
    const skipped = await newerExportFolders(entityDir, exportFolder);
    if (skipped.length > 0) record.skippedIncomplete = skipped;
  }

  const columns = safeColumnNames(entity.name, model.columns, "cdm");
  return {
    entity: {
      name: entity.name,
      dataSourceType: entity.dataSourceType,
      source: {
        path: entity.source.path,
        format: "csv",
        delimiter: model.csv.delimiter,
        quote: model.csv.quote,
        header: model.csv.header,
      },
      columns,
    },
    partitions,
    modelFile,
    model,
    lakeInput: {
      files: model.partitions.map((p) => p.location),
      format: "csv",
      csv: model.csv,
      columns,
    },
    record,
  };
}

/**
 * A partition of a local copy of the export: the model.json's folder plus the location's path from
 * the last folder named after the entity on (<Entity>/yyyy/MM/dd/HHmm/<file>).
 */
function localCopyOf(
  modelDir: string,
  location: LakeLocation,
  cdmName: string,
  entityName: string,
  at: string,
): string {
  const segments = location.path.split("/");
  const from = segments
    .slice(0, -1)
    .map((s) => s.toLowerCase())
    .lastIndexOf(cdmName.toLowerCase());
  if (from < 0) {
    throw new SourceError(
      `entity "${entityName}": ${at} has no folder named "${cdmName}", so its place in a local copy of the export is not known ` +
        `(Customer Insights writes <export>/<Entity>/yyyy/MM/dd/HHmm/<file>); name the model.json by its lake location instead.`,
    );
  }
  return path.join(modelDir, ...segments.slice(from));
}

/** yyyy/MM/dd/HHmm folders under the entity's folder that are newer than the one model.json names. */
async function newerExportFolders(entityDir: string, used: string): Promise<string[]> {
  const usedName = used.split("/").slice(-4).join("/");
  const found: string[] = [];
  const walk = async (dir: string, rel: string[], depth: number): Promise<void> => {
    if (depth === 4) {
      if (isExportFolderName(rel.join("/"))) found.push(rel.join("/"));
      return;
    }
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isDirectory()) await walk(path.join(dir, e.name), [...rel, e.name], depth + 1);
    }
  };
  await walk(entityDir, [], 0);
  // The names sort as they date: four-digit year, two-digit month, day, HHmm.
  return found.filter((f) => f > usedName).sort();
}

function parsedOrThrow(text: string, where: string): LakeLocation {
  const parsed = parseLakeLocation(text);
  if (!parsed.ok) throw new SourceError(`${where}: ${parsed.problem}`);
  return parsed.location;
}

function joinLake(folder: string, name: string): string {
  return folder === "" ? name : `${folder.replace(/\/$/, "")}/${name}`;
}

async function isFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isFile() ?? false;
}
