// A Customer Insights export folder in the lake (`format: cdm`, model.json) as the server-side
// export's input: model.json is read through the dfs API (a small metadata file, never entity data),
// read by the pure cdmModel.ts into columns (the CDM types → ours, README's table), a CSV dialect and
// partition locations, and those partitions become the files of one CETAS (a UNION ALL of one
// OPENROWSET per partition, headerless CSV bound by position; renderCetas.ts). The snapshot id then
// comes from the partitions' listing and the columns, as for any lake source: a new export that
// model.json names gives a new id, a model.json rewritten with the same partitions and columns does not.

import { abfssUrl, sameContainer, type LakeLocation } from "../../plan/lakeLocation";
import { ExportError } from "../../errors";
import {
  exportFolderOf,
  newerExportFolderNames,
  parseCdmEntity,
  partitionOutsideExport,
} from "../../plan/cdmModel";
import { lakeLocationOf, type LakeSourceFiles } from "../../plan/lakeSource";
import type { EntitySpec } from "../../spec/types";
import type { CdmSourceRecord } from "../sources/cdmSource";
import { safeColumnNames } from "../sources/safeColumnNames";

/** Reads a small text file of a source's container (undefined when it is not there). */
export type ReadSourceText = (location: LakeLocation) => Promise<string | undefined>;

const MODEL_JSON = "model.json";

/** Lists a container's paths below a folder (recursive); lakeSourceListing.ts's ListContainer. */
type ListFolder = (location: LakeLocation, folder: string) => Promise<{ path: string }[]>;

export async function cdmLakeSource(
  entity: EntitySpec,
  read: ReadSourceText,
  list: ListFolder,
): Promise<{ source: LakeSourceFiles; record: CdmSourceRecord }> {
  const named = lakeLocationOf(entity);
  if (!named)
    throw new ExportError("spec", `source.path "${entity.source.path}" is not a lake location`);
  const model: LakeLocation = /\.json$/i.test(named.path)
    ? named
    : {
        ...named,
        path: named.path === "" ? MODEL_JSON : `${named.path.replace(/\/+$/, "")}/${MODEL_JSON}`,
      };
  const name = abfssUrl(model);
  const text = await read(model);
  if (text === undefined) {
    throw new ExportError(
      "data",
      `${name} does not exist; name the export folder Customer Insights writes (the one with model.json in it) or the model.json itself.`,
    );
  }
  // A model.json that cannot be read exactly throws CdmModelError (kind data) naming the JSON path.
  const cdm = parseCdmEntity(text, name, entity.source.entity ?? entity.name);
  cdm.partitions.forEach((p, i) => {
    // The suffix too: the same account and container names in another cloud are another place.
    if (!sameContainer(p.location, model)) {
      throw new ExportError(
        "data",
        `${name}: ${cdm.at}.partitions[${i}].location "${p.url}" is outside the container of the model.json (${model.account}.dfs.${model.suffix}/${model.container}); a Customer Insights export keeps its partitions beside its model.json.`,
      );
    }
  });
  const outside = partitionOutsideExport(model.path, cdm.partitions);
  if (outside) {
    throw new ExportError(
      "data",
      `${name}: the partition location "${outside.url}" is outside the model.json's folder; a Customer Insights export keeps its partitions below its model.json, so this one is not the export's data. Nothing was exported.`,
    );
  }
  const folder = exportFolderOf(cdm.partitions);
  // As on the runner's path (cdmSource.ts): a newer yyyy/MM/dd/HHmm folder beside the one model.json
  // names is an export still being written, skipped and named in the run record. One listing of the
  // entity's folder (five segments up from a partition: <Entity>/yyyy/MM/dd/HHmm/<file>).
  const skipped: string[] = [];
  if (folder !== undefined) {
    const entityFolder = folder.split("/").slice(0, -4).join("/");
    const prefix = entityFolder === "" ? "" : `${entityFolder}/`;
    const below = (await list(model, entityFolder))
      .filter((e) => e.path.startsWith(prefix))
      .map((e) => e.path.slice(prefix.length));
    skipped.push(...newerExportFolderNames(below, folder));
  }
  return {
    source: {
      files: cdm.partitions.map((p) => p.location),
      format: "csv",
      csv: cdm.csv,
      columns: safeColumnNames(entity.name, cdm.columns, "cdm"),
      partitionFields: cdm.partitions.map((_, i) => `${name}: ${cdm.at}.partitions[${i}].location`),
    },
    record: {
      modelJson: name,
      ...(folder !== undefined ? { exportFolder: abfssUrl({ ...model, path: folder }) } : {}),
      ...(skipped.length > 0 ? { skippedIncomplete: skipped } : {}),
    },
  };
}
