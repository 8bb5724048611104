// The files an entity is read from, whatever its source format: the writer reads `files`; the
// fingerprint and the "did it change while read" check cover `fingerprinted`, which for a cdm source
// adds its model.json (its attributes decide the columns, its settings the dialect).

import type { EntitySpec } from "../../spec/types";
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
    const files = await resolveSources(baseDir, entity, options);
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
