// The files an entity is read from, whatever its source format: the writer reads `files`; the
// fingerprint and the "did it change while read" check cover `fingerprinted`, which for a cdm source
// adds its model.json (its attributes decide the columns, its settings the dialect).

import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { LakeEntry } from "../lake/lakeStore";
import { matchBulkPath } from "../serverSide/lakeSourceListing";
import { localRelativePath, looksLikeLakeUrl, parseLakeLocation } from "../../plan/lakeLocation";
import type { EntitySpec } from "../../spec/types";
import { SourceError } from "./sourceError";
import { resolveCdmSource, type CdmResolveOptions, type CdmSourceRecord } from "./cdmSource";
import { resolveSources, type SourceFile } from "./resolveSources";

export interface EntitySources {
  /** The entity as the writer reads it (a cdm source becomes the CSV source model.json describes). */
  entity: EntitySpec;
  files: SourceFile[];
  fingerprinted: SourceFile[];
  /** Which export folder a cdm source was read from. */
  cdm?: CdmSourceRecord;
}

export async function entitySources(
  baseDir: string,
  entity: EntitySpec,
  options: CdmResolveOptions = {},
): Promise<EntitySources> {
  if (entity.source.format !== "cdm") {
    // The local lake is a root only of a lake-resident source mapped into it: a file path that merely
    // lies under --local DIR keeps the spec's rules (no absolute path or `..` outside sourceRoots).
    const lakeResident = looksLikeLakeUrl(entity.source.path);
    const resolved = await resolveSources(baseDir, localEntity(entity, options), {
      ...options,
      sourceRoots: [
        ...(options.sourceRoots ?? []),
        ...(lakeResident && options.localLakeDir !== undefined
          ? [path.resolve(options.localLakeDir)]
          : []),
      ],
    });
    const files = lakeResident ? await asServerlessReads(entity, resolved, options) : resolved;
    return { entity, files, fingerprinted: files };
  }
  const cdm = await resolveCdmSource(baseDir, entity, options);
  return {
    entity: cdm.entity,
    files: cdm.partitions,
    fingerprinted: [cdm.modelFile, ...cdm.partitions],
    cdm: cdm.record,
  };
}

/**
 * A lake-resident source on the local target is read from `DIR/<container>/<path>` (its glob kept),
 * the folder that stands for the lake; without a local target it is Synapse's to read, never a path here.
 */
function localEntity(entity: EntitySpec, options: CdmResolveOptions): EntitySpec {
  if (!looksLikeLakeUrl(entity.source.path)) return entity;
  const where = `entity "${entity.name}": source.path "${entity.source.path}"`;
  const parsed = parseLakeLocation(entity.source.path);
  if (!parsed.ok) throw new SourceError(`${where}: ${parsed.problem}`);
  if (options.localLakeDir === undefined) {
    throw new SourceError(
      `${where} lies in the lake: Synapse serverless exports it there, or the local target reads it from DIR/${localRelativePath(parsed.location)} (run --local DIR).`,
    );
  }
  const local = path.join(
    path.resolve(options.localLakeDir),
    ...localRelativePath(parsed.location).split("/"),
  );
  // OPENROWSET's trailing `/**` reads every file below; this glob's `**` is folders, so add the file.
  const pattern = /\/\*\*$/.test(local.replace(/\\/g, "/")) ? `${local}/*` : local;
  return { ...entity, source: { ...entity.source, path: pattern } };
}

/**
 * The files serverless's OPENROWSET would read of those the glob found (matchBulkPath: no name below
 * the listed folder beginning with `_` or `.`), so that `run --local` reads what Azure reads.
 */
async function asServerlessReads(
  entity: EntitySpec,
  files: SourceFile[],
  options: CdmResolveOptions,
): Promise<SourceFile[]> {
  const parsed = parseLakeLocation(entity.source.path);
  if (!parsed.ok || options.localLakeDir === undefined) return files;
  const container = path.join(path.resolve(options.localLakeDir), parsed.location.container);
  const realContainer = await fs.realpath(container).catch(() => container);
  const inContainer = (f: SourceFile) =>
    path.relative(realContainer, f.absPath).split(path.sep).join("/");
  const kept = new Set(
    matchBulkPath(
      parsed.location.path,
      files.map((f) => ({ path: inContainer(f), isDirectory: false }) as LakeEntry),
    ).map((e) => e.path),
  );
  const read = files.filter((f) => kept.has(inContainer(f)));
  if (read.length === 0) {
    throw new SourceError(
      `entity "${entity.name}": source.path "${entity.source.path}" matches no file serverless reads in ${container}: ` +
        "names beginning with _ or . below the listed folder are skipped, as OPENROWSET skips them.",
    );
  }
  return read;
}
