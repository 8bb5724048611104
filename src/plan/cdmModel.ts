// One entity of a Common Data Model folder's metadata file, model.json, read from its text: the
// entity's attributes as our columns, its partitions as lake locations, and the CSV dialect its
// partitions are written in. Pure (the file is read by engine/sources/cdmSource.ts), so every
// decision here is a plain function call in tests.
//
// The format is "CDM metadata file - model.json" (learn.microsoft.com/common-data-model/model-json):
// - an entity is `{"$type": "LocalEntity", name, attributes[], partitions[]}`; a "ReferenceEntity"
//   only points at another model (source, modelId) and has no attributes or partitions of its own;
// - an attribute is `{name, dataType}`, dataType one of string, int64, double, dateTime,
//   dateTimeOffset, decimal, boolean, GUID, JSON (case differs between producers: GUID, guid);
// - a partition is `{name, location, fileFormatSettings?}`: location is "the partition physical file
//   location, including the file itself" as a full URI, "if null, this entity definition is for
//   schema purposes only";
// - fileFormatSettings is `{"$type": "CsvFormatSettings", columnHeaders, delimiter, quoteStyle,
//   csvStyle, encoding}` with the defaults false, ",", "QuoteStyle.Csv", "CsvStyle.QuoteAlways", "UTF-8";
// - without `culture`, datetime values are ISO 8601 (2018-01-02T12:00:00Z, 2018-01-02T12:00:00+08:00)
//   and decimals use "." as the separator.
// Customer Insights' exports write headerless CSV partitions with these defaults
// (learn.microsoft.com/dynamics365/customer-insights/data/export-azure-blob-storage: "The model.json for
// the exported tables resides at the %ExportDestinationName% level", the partitions under
// %TableName%/%Year%/%Month%/%Day%/%HHMM%/%TableName%_%PartitionId%.csv).

import { ExportError } from "../errors";
import type { ColumnSpec, ColumnType } from "../spec/types";
import { parseLakeLocation, sameContainer, type LakeLocation } from "./lakeLocation";

/** CDM's decimal carries no precision: the widest Synapse and DuckDB share, with 18 digits after the point. */
export const CDM_DECIMAL = { precision: 38, scale: 18 } as const;

/** dataType (lower-cased) → our column type. JSON stays its text. */
export const CDM_TYPE_MAPPING: Readonly<Record<string, ColumnType>> = {
  string: "string",
  int64: "int64",
  double: "double",
  datetime: "dateTime",
  datetimeoffset: "dateTimeOffset",
  decimal: "decimal",
  boolean: "boolean",
  guid: "guid",
  json: "string",
};

/** How the partitions are read: what csvDialect() and DuckDB's read_csv take. */
export interface CdmCsvOptions {
  delimiter: string;
  quote: string;
  header: boolean;
}

export interface CdmPartition {
  name: string;
  /** The location as model.json writes it. */
  url: string;
  location: LakeLocation;
}

/** One entity of a model.json, in the plain shape the runner and the server-side export both take. */
export interface CdmEntity {
  /** The entity's name as model.json spells it. */
  name: string;
  /** Where it is in model.json, e.g. `$.entities[2]`, for messages. */
  at: string;
  columns: ColumnSpec[];
  partitions: CdmPartition[];
  csv: CdmCsvOptions;
}

export class CdmModelError extends ExportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("data", message, options);
    this.name = "CdmModelError";
  }
}

type Json = Record<string, unknown>;

/**
 * The entity named `entityName` (compared ignoring case, as Customer Insights' names are) in the
 * model.json text. `file` names the file in every message. Refuses what it cannot read exactly: an
 * unknown dataType, a referenced or partition-less entity, partitions in two containers, CSV
 * settings other than the ones DuckDB reads the same way.
 */
export function parseCdmEntity(text: string, file: string, entityName: string): CdmEntity {
  const fail = (where: string, why: string): never => {
    throw new CdmModelError(`${file}: ${where} ${why}`);
  };
  let model: unknown;
  try {
    model = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    return fail("is", `not JSON (${(e as Error).message}); a model.json is one JSON object.`);
  }
  if (!isObject(model)) return fail("is", "not a JSON object; a model.json is one JSON object.");
  if (!Array.isArray(model.entities)) {
    return fail("$.entities", "is missing or not an array; a model.json lists its entities there.");
  }
  const entities = model.entities as unknown[];
  const nameOf = (e: unknown) => (isObject(e) && typeof e.name === "string" ? e.name : undefined);
  // The name as written wins; otherwise the one entity of that name in another case. Two of them
  // (`Customer` and `customer`) are refused: taking the first would export another entity's data.
  const exact = entities.findIndex((e) => nameOf(e) === entityName);
  const byCase = entities.flatMap((e, i) =>
    nameOf(e)?.toLowerCase() === entityName.toLowerCase() ? [i] : [],
  );
  if (exact < 0 && byCase.length > 1) {
    return fail(
      "$.entities",
      `has ${byCase.map((i) => `"${nameOf(entities[i])}" ($.entities[${i}])`).join(" and ")}, which differ from "${entityName}" only by case; ` +
        "set source.entity to the one to export, spelt as model.json spells it.",
    );
  }
  const index = exact >= 0 ? exact : (byCase[0] ?? -1);
  if (index < 0) {
    const names = entities
      .map((e) => (isObject(e) && typeof e.name === "string" ? e.name : undefined))
      .filter((n): n is string => n !== undefined);
    return fail(
      "$.entities",
      `has no entity "${entityName}"; it has ${names.length === 0 ? "none" : names.map((n) => `"${n}"`).join(", ")}.`,
    );
  }
  const at = `$.entities[${index}]`;
  const entity = entities[index] as Json;
  const name = entity.name as string;
  if (entity["$type"] !== "LocalEntity") {
    return fail(
      `${at}.$type`,
      `is ${JSON.stringify(entity["$type"])}: entity "${name}" is not a LocalEntity (a ReferenceEntity only points at another model.json); name the model.json that holds its attributes and partitions.`,
    );
  }
  const columns = attributesOf(entity, at, fail);
  const { partitions, csv } = partitionsOf(entity, at, fail);
  return { name, at, columns, partitions, csv };
}

type Fail = (where: string, why: string) => never;

function attributesOf(entity: Json, at: string, fail: Fail): ColumnSpec[] {
  if (!Array.isArray(entity.attributes) || entity.attributes.length === 0) {
    return fail(`${at}.attributes`, "is missing or empty; an entity needs at least one attribute.");
  }
  const seen = new Map<string, number>();
  return (entity.attributes as unknown[]).map((a, i) => {
    const where = `${at}.attributes[${i}]`;
    if (!isObject(a)) return fail(where, "is not an object.");
    if (typeof a.name !== "string" || a.name === "") {
      return fail(`${where}.name`, "is missing or empty.");
    }
    const first = seen.get(a.name.toLowerCase());
    if (first !== undefined) {
      return fail(
        `${where}.name`,
        `"${a.name}" is already ${at}.attributes[${first}] (names are compared ignoring case).`,
      );
    }
    seen.set(a.name.toLowerCase(), i);
    const dataType = typeof a.dataType === "string" ? a.dataType : undefined;
    const type = dataType === undefined ? undefined : CDM_TYPE_MAPPING[dataType.toLowerCase()];
    if (type === undefined) {
      return fail(
        `${where}.dataType`,
        `is ${JSON.stringify(a.dataType)} (attribute "${a.name}"); model.json allows string, int64, double, dateTime, dateTimeOffset, decimal, boolean, GUID, JSON.`,
      );
    }
    return type === "decimal"
      ? { name: a.name, type, precision: CDM_DECIMAL.precision, scale: CDM_DECIMAL.scale }
      : { name: a.name, type };
  });
}

function partitionsOf(
  entity: Json,
  at: string,
  fail: Fail,
): { partitions: CdmPartition[]; csv: CdmCsvOptions } {
  const list = Array.isArray(entity.partitions) ? (entity.partitions as unknown[]) : [];
  const located = list.filter(
    (p) => isObject(p) && p.location !== null && p.location !== undefined,
  );
  if (located.length === 0) {
    return fail(
      `${at}.partitions`,
      `names no partition with a location: entity "${String(entity.name)}" is for schema purposes only (its data files are not described), so there is nothing to export.`,
    );
  }
  const partitions: CdmPartition[] = [];
  let csv: CdmCsvOptions | undefined;
  let csvFrom = "";
  list.forEach((p, i) => {
    const where = `${at}.partitions[${i}]`;
    if (!isObject(p)) return fail(where, "is not an object.");
    if (p.location === null || p.location === undefined) return;
    if (typeof p.location !== "string") return fail(`${where}.location`, "is not a string.");
    const parsed = parseLakeLocation(p.location);
    if (!parsed.ok) return fail(`${where}.location`, parsed.problem);
    if (parsed.location.path === "" || parsed.location.path.endsWith("/")) {
      return fail(`${where}.location`, "names a folder; a partition is one file.");
    }
    if (parsed.location.path.includes("*")) {
      // Read as a pattern by OPENROWSET and by the listing, it would export files model.json does not name.
      return fail(`${where}.location`, "holds a wildcard (*); a partition is one file.");
    }
    if (partitions.length > 0 && !sameContainer(partitions[0].location, parsed.location)) {
      return fail(
        `${where}.location`,
        `is in ${containerName(parsed.location)}, outside the container of the first partition (${containerName(partitions[0].location)}); one entity's partitions must share a container.`,
      );
    }
    if (partitions.some((q) => q.location.path === parsed.location.path)) {
      return fail(`${where}.location`, "names a file an earlier partition already names.");
    }
    const settings = csvSettings(p.fileFormatSettings, `${where}.fileFormatSettings`, fail);
    if (csv !== undefined && JSON.stringify(csv) !== JSON.stringify(settings)) {
      return fail(
        `${where}.fileFormatSettings`,
        `differ from ${csvFrom}; one entity's partitions are read with one CSV dialect.`,
      );
    }
    csv = settings;
    csvFrom = `${where}.fileFormatSettings`;
    partitions.push({
      name: typeof p.name === "string" ? p.name : `partition ${i}`,
      url: p.location,
      location: parsed.location,
    });
  });
  return { partitions, csv: csv! };
}

const UTF8 = ["utf-8", "utf8"];

/** The dialect of one partition, or a refusal naming the setting that cannot be read exactly. */
function csvSettings(settings: unknown, where: string, fail: Fail): CdmCsvOptions {
  if (settings === undefined || settings === null)
    return { delimiter: ",", quote: '"', header: false };
  if (!isObject(settings)) return fail(where, "is not an object.");
  if (settings["$type"] !== undefined && settings["$type"] !== "CsvFormatSettings") {
    return fail(
      `${where}.$type`,
      `is ${JSON.stringify(settings["$type"])}; only "CsvFormatSettings" partitions are read.`,
    );
  }
  const header = settings.columnHeaders ?? false;
  if (typeof header !== "boolean") {
    return fail(`${where}.columnHeaders`, `is ${JSON.stringify(header)}; it is true or false.`);
  }
  const delimiter = settings.delimiter ?? ",";
  if (typeof delimiter !== "string" || [...delimiter].length !== 1 || /[\r\n"]/.test(delimiter)) {
    return fail(
      `${where}.delimiter`,
      `is ${JSON.stringify(delimiter)}; a delimiter is one character, not a quote or a line break.`,
    );
  }
  const quoteStyle = settings.quoteStyle ?? "QuoteStyle.Csv";
  if (quoteStyle !== "QuoteStyle.Csv") {
    // QuoteStyle.None means a quote is an ordinary character; DuckDB would still read one as a
    // quote, so values holding a `"` would land changed.
    return fail(
      `${where}.quoteStyle`,
      `is ${JSON.stringify(quoteStyle)}; only "QuoteStyle.Csv" (RFC 4180 quoting) is read exactly.`,
    );
  }
  const csvStyle = settings.csvStyle ?? "CsvStyle.QuoteAlways";
  if (csvStyle !== "CsvStyle.QuoteAlways" && csvStyle !== "CsvStyle.QuoteAfterDelimiter") {
    return fail(
      `${where}.csvStyle`,
      `is ${JSON.stringify(csvStyle)}; model.json allows "CsvStyle.QuoteAlways" or "CsvStyle.QuoteAfterDelimiter".`,
    );
  }
  const encoding = settings.encoding ?? "UTF-8";
  if (typeof encoding !== "string" || !UTF8.includes(encoding.toLowerCase())) {
    return fail(
      `${where}.encoding`,
      `is ${JSON.stringify(encoding)}; only UTF-8 partitions are read (convert the files, or export them as UTF-8).`,
    );
  }
  return { delimiter, quote: '"', header };
}

/** Customer Insights' per-export folder: <Entity>/yyyy/MM/dd/HHmm. */
const EXPORT_FOLDER = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{4})$/;

/**
 * The first partition that is not inside the model.json's own folder, if any. Customer Insights
 * writes an export's partitions below its model.json (<export>/<Entity>/yyyy/MM/dd/HHmm/); one
 * elsewhere in the container (another export's or someone's folder) is not this export's data.
 */
export function partitionOutsideExport(
  modelJsonPath: string,
  partitions: readonly CdmPartition[],
): CdmPartition | undefined {
  const folder = modelJsonPath.split("/").slice(0, -1).join("/");
  const prefix = folder === "" ? "" : `${folder}/`;
  return partitions.find((p) => !p.location.path.startsWith(prefix));
}

/**
 * The `yyyy/MM/dd/HHmm` folder the partitions share, when they do (Customer Insights writes one per
 * export), as the path of the folder; undefined for another layout.
 */
export function exportFolderOf(partitions: readonly CdmPartition[]): string | undefined {
  const folders = new Set(partitions.map((p) => p.location.path.split("/").slice(0, -1).join("/")));
  if (folders.size !== 1) return undefined;
  const [folder] = folders;
  const tail = folder.split("/").slice(-4).join("/");
  return EXPORT_FOLDER.test(tail) ? folder : undefined;
}

/**
 * The export folders newer than the one model.json names, from the paths found below the entity's
 * folder (`<Entity>/`, relative, `/`-separated, files or folders): Customer Insights writes an export's
 * partitions before its model.json, so a newer `yyyy/MM/dd/HHmm` folder is an export still being
 * written. Sorted; the names sort as they date (four-digit year, two-digit month, day, HHmm).
 */
export function newerExportFolderNames(
  pathsBelowEntity: readonly string[],
  used: string,
): string[] {
  const usedName = used.split("/").slice(-4).join("/");
  const found = new Set<string>();
  for (const p of pathsBelowEntity) {
    const name = p.split("/").slice(0, 4).join("/");
    if (isExportFolderName(name) && name > usedName) found.add(name);
  }
  return [...found].sort();
}

/** True for a `yyyy/MM/dd/HHmm` path (relative, `/`-separated), the name of one export. */
export function isExportFolderName(relative: string): boolean {
  return EXPORT_FOLDER.test(relative);
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A container as a message names it: `<account>.dfs.<suffix>/<container>`, the cloud included. */
function containerName(l: LakeLocation): string {
  return `${l.account}.dfs.${l.suffix}/${l.container}`;
}
