// The seed's rules that a schema alone cannot say: consent, reserved and duplicate names, the refusal
// of Common Data Model folder sources, and what each column type allows. They read the spec as the
// user wrote it (before normaliseSpec, so a default is the schema's, named here where a rule needs it)
// and change nothing.

import { childPath, type SpecIssue } from "./specError";
import { CUSTOMER_INSIGHTS_APP_ID, type ColumnSpec } from "./types";
import {
  EXPORT_SCHEMAS,
  foldName,
  howNamesFold,
  mixedScriptProblem,
  nameBytesProblem,
  snapshotTableStem,
} from "./nameRules";
import { USABLE_BY_DEFAULT } from "./schema";
import { defaultDelimiter, formatFromPath } from "./sourcePath";

export { formatFromPath } from "./sourcePath";

type Raw = Record<string, unknown>;

const RESERVED_DATABASES = ["master", "tempdb", "model", "msdb"];

export const CONSENT_MESSAGE =
  "Select I agree to confirm the data privacy and compliance statement: set it to true";

export const CDM_FOLDER_MESSAGE =
  "data sources based on a Common Data Model folder aren't supported by the export to Azure Synapse Analytics; export an entity from another kind of data source";

/** Options that only a CSV source reads. */
const CSV_OPTIONS = ["delimiter", "quote", "escape", "header", "nullString"] as const;

/** Column options that only the date and time types read. */
const TEMPORAL_TYPES = ["date", "dateTime", "dateTimeOffset"];

/** Runs beside the structural check, on the value as written; a key set to null counts as absent. */
export function checkRules(spec: Raw, issues: SpecIssue[], warnings: SpecIssue[]): void {
  const connection = (spec.connection ?? {}) as Raw;
  const principals = (spec.principals ?? {}) as Raw;
  const exp = (spec.export ?? {}) as Raw;

  if (
    typeof connection.dataPrivacyConsent === "boolean" &&
    connection.dataPrivacyConsent !== true
  ) {
    issues.push({ path: "connection.dataPrivacyConsent", message: CONSENT_MESSAGE });
  }

  const admin = principals.administrator as Raw | undefined;
  if (admin && typeof admin === "object" && !admin.userPrincipalName && !admin.objectId) {
    issues.push({
      path: "principals.administrator",
      message: "give userPrincipalName (e.g. admin@contoso.com) or objectId",
    });
  }
  checkWorkspaceFirewall(connection, issues);
  checkPrincipalList(principals.readers, "principals.readers", issues);
  checkPrincipalList(principals.contributors, "principals.contributors", issues);
  checkSharedAssignments(connection, principals, issues);
  if (
    (connection.usableBy ?? USABLE_BY_DEFAULT) === "administrators" &&
    Array.isArray(principals.contributors) &&
    principals.contributors.length > 0
  ) {
    warnings.push({
      path: "principals.contributors",
      message:
        "ignored: the connection is usable by administrators only; set connection.usableBy: administrators-and-contributors to share it",
    });
  }

  if (
    typeof exp.databaseName === "string" &&
    // Folded as the pool compares names: `ｍａｓｔｅｒ` is master too.
    RESERVED_DATABASES.includes(foldName(exp.databaseName))
  ) {
    issues.push({
      path: "export.databaseName",
      message: `'${exp.databaseName}' is a system database; choose another name (not ${RESERVED_DATABASES.join(", ")})`,
    });
  }

  if (typeof exp.databaseName === "string") {
    if (EXPORT_SCHEMAS.includes(foldName(exp.databaseName))) {
      issues.push({
        path: "export.databaseName",
        message: `'${exp.databaseName}' is the schema that holds the export's snapshot tables in every database, and the two names would be ambiguous; choose another name`,
      });
    }
    checkLakeName(exp.databaseName, "export.databaseName", issues);
  }

  if (Array.isArray(exp.entities)) {
    checkUnique(exp.entities, "export.entities", "entity", issues);
    checkSnapshotTableStems(exp.entities, issues);
    exp.entities.forEach((e, i) => {
      const name = (e as Raw | null)?.name;
      if (typeof name === "string")
        checkLakeName(name, childPath(childPath("export.entities", i), "name"), issues);
    });
    exp.entities.forEach((e, i) => checkEntity(e as Raw, childPath("export.entities", i), issues));
    exp.entities.forEach((e, i) =>
      checkRenamedFrom(e as Raw, childPath("export.entities", i), issues),
    );
  }
}

/**
 * `renamedFrom` is the opt-in for a rename the target cannot tell from no rename (only case or
 * Unicode width differ: one view to DuckDB and to a case-insensitive Synapse database). A rename to
 * a name the target tells apart needs none: the new name gets its own view and the old entity is a
 * removed one (kept, or dropped with onEntityRemoved: drop). The old name cannot be another
 * entity's: checkUnique refuses two entities whose names fold to one.
 */
function checkRenamedFrom(entity: Raw, path: string, issues: SpecIssue[]): void {
  const from = entity?.renamedFrom;
  const name = entity?.name;
  if (typeof from !== "string" || typeof name !== "string") return;
  const at = childPath(path, "renamedFrom");
  if (from === name) {
    issues.push({
      path: at,
      message: `is the entity's own name '${name}'; remove it, or name the previous spelling`,
    });
  } else if (foldName(from) !== foldName(name)) {
    issues.push({
      path: at,
      message:
        `'${from}' differs from '${name}' by more than case or Unicode width, so the target sees two views: no ` +
        `opt-in is needed. Remove renamedFrom; '${from}' is then a removed entity (kept, or dropped with onEntityRemoved: drop)`,
    });
  }
}

/** The rule Azure recognises as "allow Azure services" only under this exact name. */
export const ALLOW_AZURE_SERVICES_RULE = "AllowAllWindowsAzureIps";

export const NO_FIREWALL_RULE_MESSAGE =
  "a new workspace with no firewall rule refuses every call after its creation (IP firewall rules apply to all public " +
  "endpoints of the workspace, its dev endpoint and serverless SQL included), so this deploying machine could not reach " +
  "it: add a rule for its public address, e.g. { name: AllowDeployer, startIpAddress: 203.0.113.7, endIpAddress: 203.0.113.7 } " +
  "(find it with `curl https://ifconfig.me`), or set allowAzureServices: true when deploying from Azure (a pipeline's hosted agent)";

// "IP firewall rules configured at the workspace level apply to all public endpoints of the workspace"
// and the "Allow Azure services" rule is AllowAllWindowsAzureIps, 0.0.0.0-0.0.0.0
// (learn.microsoft.com/azure/synapse-analytics/security/synapse-workspace-ip-firewall; azure-native
// synapse IpFirewallRule docs).
function checkWorkspaceFirewall(connection: Raw, issues: SpecIssue[]): void {
  const create = (connection.workspace as Raw | undefined)?.create as Raw | undefined;
  if (!create || typeof create !== "object") return;
  const rules = Array.isArray(create.firewallRules) ? (create.firewallRules as Raw[]) : [];
  if (rules.length === 0 && create.allowAzureServices !== true) {
    issues.push({
      path: "connection.workspace.create.firewallRules",
      message: NO_FIREWALL_RULE_MESSAGE,
    });
  }
  checkFirewallRuleNames(create, "connection.workspace.create", issues);
}

/**
 * The rule of a new workspace's firewall that holds for the WorkspaceLink component on its own too
 * (`path` is where `create` is): the all-zero range means "allow Azure services" only under its name.
 * A workspace with no rule at all is refused only for a connection, which calls the workspace next.
 */
export function checkFirewallRuleNames(create: Raw, path: string, issues: SpecIssue[]): void {
  const rules = Array.isArray(create.firewallRules) ? (create.firewallRules as Raw[]) : [];
  rules.forEach((rule, i) => {
    if (typeof rule !== "object" || rule === null) return;
    const zero = rule.startIpAddress === "0.0.0.0" && rule.endIpAddress === "0.0.0.0";
    if (zero && rule.name !== ALLOW_AZURE_SERVICES_RULE) {
      issues.push({
        path: childPath(childPath(childPath(path, "firewallRules"), i), "name"),
        message: `the range 0.0.0.0-0.0.0.0 means "allow Azure services" only under the name ${ALLOW_AZURE_SERVICES_RULE}: set allowAzureServices: true instead`,
      });
    }
  });
}

/** A database or entity name, which becomes a folder of the lake and a name readers see. */
function checkLakeName(name: string, path: string, issues: SpecIssue[]): void {
  for (const problem of [nameBytesProblem(name), mixedScriptProblem(name)]) {
    if (problem) issues.push({ path, message: problem });
  }
}

function checkEntity(entity: Raw, path: string, issues: SpecIssue[]): void {
  if (typeof entity !== "object" || entity === null) return;
  if (entity.dataSourceType === "commonDataModelFolder") {
    issues.push({ path: childPath(path, "dataSourceType"), message: CDM_FOLDER_MESSAGE });
  }
  if (typeof entity.source === "string" && isModelJson(entity.source)) {
    issues.push({
      path: childPath(path, "source"),
      message: `'${entity.source}' is a Common Data Model metadata file: write { path: ${entity.source}, format: cdm, entity: <its entity> }`,
    });
    return;
  }
  if (typeof entity.source === "string" && !formatFromPath(entity.source)) {
    issues.push({
      path: childPath(path, "source"),
      message: `cannot tell the format of '${entity.source}': name a .csv, .jsonl or .parquet file (or .tsv, .ndjson, .json; the text formats may end in .gz or .zst), or write { path, format }`,
    });
  }
  // DuckDB reads a Parquet file only as it is (Parquet compresses its pages itself): a gzip or zstd
  // wrapped one failed at the run as "not a readable Parquet file".
  const sourcePath =
    typeof entity.source === "string" ? entity.source : (entity.source as Raw | null)?.path;
  const format =
    typeof entity.source === "object" && entity.source !== null
      ? (entity.source as Raw).format
      : undefined;
  if (
    typeof sourcePath === "string" &&
    /\.(gz|zst)$/i.test(sourcePath) &&
    (format === "parquet" || (format === undefined && formatFromPath(sourcePath) === "parquet"))
  ) {
    issues.push({
      path:
        typeof entity.source === "string"
          ? childPath(path, "source")
          : childPath(childPath(path, "source"), "path"),
      message: `'${sourcePath}' is a compressed Parquet file, which is not read: Parquet compresses inside the file; decompress it to a .parquet file`,
    });
  }
  // A shorthand (a path alone) has no options to check: normaliseSpec writes it out.
  if (typeof entity.source === "object" && entity.source !== null) {
    checkSource(entity.source as Raw, entity.columns, childPath(path, "source"), issues);
  }
  if (Array.isArray(entity.columns)) {
    checkUnique(entity.columns, childPath(path, "columns"), "column", issues);
    entity.columns.forEach((c, i) =>
      checkColumn(c as Raw, childPath(childPath(path, "columns"), i), issues),
    );
  }
}

function checkSource(source: Raw, columns: unknown, path: string, issues: SpecIssue[]): void {
  if (source.entity != null && source.format !== "cdm") {
    issues.push({
      path: childPath(path, "entity"),
      message: `applies to format cdm only (this source is ${String(source.format)})`,
    });
  }
  if (source.format === "cdm") {
    checkCdmSource(source, columns, path, issues);
    return;
  }
  if (source.format !== "csv") {
    for (const key of CSV_OPTIONS) {
      if (source[key] != null) {
        issues.push({
          path: childPath(path, key),
          message: `applies to format csv only (this source is ${String(source.format)})`,
        });
      }
    }
    return;
  }
  const delimiter = source.delimiter ?? defaultDelimiter(source.path);
  const quote = source.quote ?? '"';
  if (delimiter === quote) {
    issues.push({
      path: childPath(path, source.quote == null ? "delimiter" : "quote"),
      message: `the delimiter and the quote are both '${String(delimiter)}'; they must differ`,
    });
  }
  for (const key of ["delimiter", "quote", "escape"] as const) {
    const v = source[key];
    if (typeof v === "string" && (v === "\n" || v === "\r")) {
      issues.push({ path: childPath(path, key), message: "cannot be a line break" });
    }
  }
  if (source.header === false && !(Array.isArray(columns) && columns.length > 0)) {
    issues.push({
      path: childPath(path, "header"),
      message:
        "is false, so the file has no column names: declare the entity's columns, in the file's order",
    });
  }
}

/** A Customer Insights export folder: model.json says the dialect and the columns, the spec does not. */
function checkCdmSource(source: Raw, columns: unknown, path: string, issues: SpecIssue[]): void {
  for (const key of CSV_OPTIONS) {
    if (source[key] != null) {
      issues.push({
        path: childPath(path, key),
        message:
          "does not apply to format cdm: the partitions' dialect comes from model.json's fileFormatSettings",
      });
    }
  }
  if (Array.isArray(columns) && columns.length > 0) {
    issues.push({
      path: childPath(path.replace(/\.source$/, ""), "columns"),
      message:
        "cannot be declared for a cdm source: the columns and their types come from the entity's attributes in model.json",
    });
  }
}

function isModelJson(p: string): boolean {
  return /(^|[\\/])model\.json$/i.test(p);
}

function checkColumn(column: Raw, path: string, issues: SpecIssue[]): void {
  if (typeof column !== "object" || column === null) return;
  const c = column as Partial<ColumnSpec>;
  if (c.format != null && !TEMPORAL_TYPES.includes(String(c.type))) {
    issues.push({
      path: childPath(path, "format"),
      message: `applies to types ${TEMPORAL_TYPES.join(", ")} only`,
    });
  }
  if (typeof c.format === "string" && c.format.includes("%n") && c.format.includes("%z")) {
    // With an offset, DuckDB's strptime rounds %n's nanoseconds to microseconds, and no check
    // after it can see the digits it dropped.
    issues.push({
      path: childPath(path, "format"),
      message:
        "uses %n (nanoseconds) with %z, which DuckDB's strptime rounds to microseconds: use %f (at most 6 digits), or declare the column a string",
    });
  }
  if (typeof c.format === "string" && /%z(?!$)/.test(c.format)) {
    // The offset is checked for -14:00..+14:00 at the end of the text (writer/columnCasts.ts).
    issues.push({
      path: childPath(path, "format"),
      message:
        "has %z (the UTC offset) before the end: put %z last, as in '%Y%m%d %H%M%S%z', so the offset can be checked to lie from -14:00 to +14:00",
    });
  }
  if (c.maxLength != null && c.type !== "string") {
    issues.push({ path: childPath(path, "maxLength"), message: "applies to type string only" });
  }
  if (c.type === "decimal") {
    if (c.precision == null) {
      issues.push({
        path: childPath(path, "precision"),
        message: "is required for a decimal (1-38)",
      });
    }
    if (c.scale == null) {
      issues.push({
        path: childPath(path, "scale"),
        message: "is required for a decimal (0 to precision)",
      });
    } else if (c.precision != null && c.scale > c.precision) {
      issues.push({
        path: childPath(path, "scale"),
        message: `must not exceed precision (${c.precision}), got ${c.scale}`,
      });
    }
  } else {
    for (const key of ["precision", "scale"] as const) {
      if (c[key] != null)
        issues.push({ path: childPath(path, key), message: "applies to type decimal only" });
    }
  }
}

function checkUnique(items: unknown[], path: string, what: string, issues: SpecIssue[]): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const name = (item as Raw | null)?.name;
    if (typeof name !== "string") return;
    const key = foldName(name);
    const first = seen.get(key);
    if (first !== undefined) {
      const other = (items[first] as Raw).name as string;
      const how = howNamesFold(other, name);
      issues.push({
        path: childPath(childPath(path, i), "name"),
        message: `${what} '${name}' is already ${path}[${first}] (${how})`,
      });
    } else seen.set(key, i);
  });
}

/**
 * A long entity's snapshot tables are named by its shortened name (`<73 characters>_<8 hex>`): an
 * entity of exactly that name would write the same tables, each export dropping the other's.
 */
function checkSnapshotTableStems(items: unknown[], issues: SpecIssue[]): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const name = (item as Raw | null)?.name;
    if (typeof name !== "string") return;
    const stem = snapshotTableStem(name);
    const first = seen.get(foldName(stem));
    const other = first === undefined ? undefined : ((items[first] as Raw).name as string);
    if (other === undefined) {
      seen.set(foldName(stem), i);
    } else if (foldName(other) !== foldName(name)) {
      const shortened = stem === name ? other : name;
      issues.push({
        path: childPath(childPath("export.entities", i), "name"),
        message:
          `entity '${name}' would name the same snapshot tables as export.entities[${first}] '${other}': ` +
          `'${shortened}' is too long for a table name (100 characters with '__' and the snapshot id) and becomes ` +
          `'${stem}' in its tables' names (names compared ignoring case); rename one of them`,
      });
    }
  });
}

/**
 * A contributor that would get a role another principal entry already gets at the same scope (refused
 * rather than merged: a merged grant's Pulumi resource is renamed when one entry goes, and Pulumi
 * creates the renamed one before deleting the old, whose delete removes the shared assignment). Azure
 * keeps one role assignment per role, principal and scope, so two grants would be two Pulumi
 * resources owning one assignment, and removing either entry (a reader dropped, `usableBy` back to
 * administrators) would delete the other's access with it. A reader's Storage Blob Data Reader on the
 * container (`dataRoleScope: container`) is the contributor's own; an administrator given by object
 * id has Reader on the workspace's resource group already. Listed once, the principal has it all.
 */
function checkSharedAssignments(connection: Raw, principals: Raw, issues: SpecIssue[]): void {
  const idOf = (p: unknown) => {
    const id = (p as Raw | null)?.objectId;
    return typeof id === "string" ? id : undefined;
  };
  issues.push(
    ...sharedAssignmentIssues(connection, principals, {
      administrator: idOf(principals.administrator),
      customerInsights: idOf(principals.customerInsights),
    }),
  );
}

/** The administrator's and the Customer Insights principal's object ids, as given or as looked up. */
export interface KnownPrincipalIds {
  administrator?: string;
  customerInsights?: string;
}

/**
 * The contributors that share an assignment with another entry, given the object ids of the
 * administrator and the Customer Insights principal. The spec's rules call it with the ids the spec
 * gives; a component calls it again once a user principal name or an application id is looked up, so
 * that an administrator given as `admin@contoso.com` and listed as a contributor by object id is
 * refused in `pulumi preview` too, before any assignment is made.
 */
export function sharedAssignmentIssues(
  connection: Raw,
  principals: Raw,
  known: KnownPrincipalIds,
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if ((connection.usableBy ?? USABLE_BY_DEFAULT) !== "administrators-and-contributors")
    return issues;
  if (!Array.isArray(principals.contributors)) return issues;
  const idOf = (p: unknown) => {
    const id = (p as Raw | null)?.objectId;
    return typeof id === "string" ? id.toLowerCase() : undefined;
  };
  const readers = Array.isArray(principals.readers) ? principals.readers.map(idOf) : [];
  const admin = known.administrator?.toLowerCase();
  const customerInsights = known.customerInsights?.toLowerCase();
  principals.contributors.forEach((c, i) => {
    const id = idOf(c);
    if (id === undefined) return;
    const path = `principals.contributors[${i}].objectId`;
    if (id === admin) {
      issues.push({
        path,
        message: `is the administrator (principals.administrator${given(principals.administrator, known.administrator)}), who already has Reader on the workspace's resource group: Azure keeps one role assignment for both, and removing either entry would remove the other's access. Remove it from contributors`,
      });
    }
    if (id === customerInsights) {
      issues.push({
        path,
        message: `is the Customer Insights service principal (principals.customerInsights${given(principals.customerInsights, known.customerInsights)}), which already has Reader on the workspace's resource group: Azure keeps one role assignment for both. Remove it from contributors, or check the object ids`,
      });
    }
    const reader = readers.indexOf(id);
    if (reader >= 0 && connection.dataRoleScope === "container") {
      issues.push({
        path,
        message: `is also principals.readers[${reader}], whose Storage Blob Data Reader on the container is the contributor's too: Azure keeps one role assignment for both, and removing either entry would remove the other's access. List it in one of the two, or set connection.dataRoleScope: storageAccount (the reader's role is then on the account, the contributor's on the container: two assignments)`,
      });
    }
  });
  return issues;
}

/** How an entry's object id was known: given (`.objectId`), or looked up from what the entry says. */
function given(entry: unknown, id: string | undefined): string {
  const e = (entry ?? {}) as Raw;
  if (typeof e.objectId === "string") return ".objectId";
  if (typeof e.userPrincipalName === "string") {
    return `.userPrincipalName ${e.userPrincipalName}: object id ${id}`;
  }
  const appId = typeof e.appId === "string" ? e.appId : CUSTOMER_INSIGHTS_APP_ID;
  return `: the service principal of application ${appId}, object id ${id}`;
}

function checkPrincipalList(list: unknown, path: string, issues: SpecIssue[]): void {
  if (!Array.isArray(list)) return;
  const seen = new Map<string, number>();
  list.forEach((p, i) => {
    const id = (p as Raw | null)?.objectId;
    if (typeof id !== "string") return;
    const first = seen.get(id.toLowerCase());
    if (first !== undefined) {
      issues.push({
        path: childPath(childPath(path, i), "objectId"),
        message: `is already ${path}[${first}]`,
      });
    } else seen.set(id.toLowerCase(), i);
  });
}
