// The spec: what a user writes (YAML file, Pulumi stack config or TypeScript args) to describe one
// Customer Insights export to Azure Synapse Analytics. Key names are a public contract.

/** Who may use the connection for exports (the seed: "By default, it's only administrators"). */
export type UsableBy = "administrators" | "administrators-and-contributors";

export type PrincipalType = "User" | "Group" | "ServicePrincipal";

/** An Entra ID principal, by object id or by a name that is resolved at deploy time. */
export interface PrincipalRef {
  objectId?: string;
  appId?: string;
  userPrincipalName?: string;
  type?: PrincipalType;
}

export interface CustomerInsightsPrincipal {
  /** The Customer Insights application id; default: the first-party app 0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff. */
  appId?: string;
  /** The service principal's object id, when already known (skips the look-up). */
  objectId?: string;
  /** Create the service principal in the tenant when it is missing (as the seed's service-principal page does). */
  createIfMissing?: boolean;
}

export interface AdministratorPrincipal {
  userPrincipalName?: string;
  objectId?: string;
}

/** The identity that deploys and runs the export, when named in the spec. */
export interface DeployerPrincipal {
  objectId: string;
  type: PrincipalType;
}

export interface ReaderPrincipal {
  objectId: string;
  type: PrincipalType;
  /** A label shown in plans and previews, e.g. "analysts". */
  name?: string;
  /** A service principal's application (client) id: the SID of its serverless SQL login. */
  appId?: string;
}

export interface FirewallRule {
  name: string;
  startIpAddress: string;
  endIpAddress: string;
}

export interface WorkspaceCreate {
  /** Azure region, e.g. westeurope. */
  location: string;
  /** The SQL administrator login of the new workspace (its password is a Pulumi secret, never in the spec). */
  sqlAdministratorLogin?: string;
  firewallRules?: FirewallRule[];
  /** Adds the rule AllowAllWindowsAzureIps (0.0.0.0-0.0.0.0). */
  allowAzureServices?: boolean;
}

export interface WorkspaceSpec {
  name: string;
  resourceGroupName: string;
  /** Present: a new workspace is created; absent: an existing workspace is used. */
  create?: WorkspaceCreate;
}

export interface StorageCreate {
  location: string;
  /** Storage SKU, default Standard_LRS. */
  sku?: string;
}

export interface StorageSpec {
  accountName: string;
  container: string;
  resourceGroupName: string;
  /** Present: a new ADLS Gen2 account is created; absent: an existing account is used. */
  create?: StorageCreate;
}

/** Where the data roles are granted: the whole account (as the seed says) or only the export's container. */
export type DataRoleScope = "storageAccount" | "container";

export interface ConnectionSpec {
  displayName: string;
  usableBy: UsableBy;
  /** The data privacy and compliance consent ("I agree"); only `true` is accepted. */
  dataPrivacyConsent: true;
  subscriptionId?: string;
  workspace: WorkspaceSpec;
  storage: StorageSpec;
  /** Least-privilege option: scope the data roles to the container instead of the account. */
  dataRoleScope: DataRoleScope;
}

export interface PrincipalsSpec {
  customerInsights: CustomerInsightsPrincipal;
  administrator?: AdministratorPrincipal;
  /** Absent: the signed-in identity at deploy time; false: no grant for it. */
  deployer?: DeployerPrincipal | false;
  readers: ReaderPrincipal[];
  contributors: ReaderPrincipal[];
}

export type ColumnType =
  | "string"
  | "int32"
  | "int64"
  | "double"
  | "decimal"
  | "boolean"
  | "date"
  | "dateTime"
  | "dateTimeOffset"
  | "guid";

export const COLUMN_TYPES: readonly ColumnType[] = [
  "string",
  "int32",
  "int64",
  "double",
  "decimal",
  "boolean",
  "date",
  "dateTime",
  "dateTimeOffset",
  "guid",
];

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** string only: the longest value allowed, in characters. */
  maxLength?: number;
  /** decimal only. */
  precision?: number;
  /** decimal only. */
  scale?: number;
  /** The source's name for this column when it differs (a header such as `Airport Name`). */
  sourceColumn?: string;
  /** date, dateTime and dateTimeOffset only: a strptime pattern such as `%b %d %Y`, applied strictly. */
  format?: string;
}

/** `cdm`: a Customer Insights export folder described by its model.json (not the `commonDataModelFolder` data source). */
export type SourceFormat = "csv" | "jsonl" | "json" | "parquet" | "cdm";

export interface SourceSpec {
  /**
   * A file or a glob, relative to the spec's folder (`baseDir`), or a lake location:
   * `abfss://<container>@<account>.dfs.core.windows.net/<path or glob>` or
   * `https://<account>.dfs.core.windows.net/<container>/<path or glob>` (exported by Synapse itself).
   */
  path: string;
  format: SourceFormat;
  /** CSV only: the field delimiter (`,` by default; `\t` for .tsv files). */
  delimiter?: string;
  /** CSV only: the quote character (`"` by default). */
  quote?: string;
  /** CSV only: the character that escapes a quote inside a quoted field (the quote itself by default). */
  escape?: string;
  /** CSV only: false when the first row is data (the entity must then declare its columns). */
  header?: boolean;
  /** CSV only: the text that means NULL (an empty unquoted field by default). */
  nullString?: string;
  /** cdm only: the entity of model.json to export (default: the spec entity's name). */
  entity?: string;
}

/** The Customer Insights data source behind an entity. CDM-folder sources are refused, as the seed says. */
export type DataSourceType =
  "powerQuery" | "azureDataLake" | "dataverse" | "deltaLake" | "commonDataModelFolder";

/**
 * Which engine exports an entity: `runner` (DuckDB on the machine that runs the export, for files on
 * it), `synapse` (serverless SQL's CREATE EXTERNAL TABLE AS SELECT, for sources in the lake) or `auto`
 * (the default: lake-resident sources on Synapse, files on the runner).
 */
export type EntityEngine = "runner" | "synapse" | "auto";

export const ENTITY_ENGINES: readonly EntityEngine[] = ["runner", "synapse", "auto"];

export interface EntitySpec {
  name: string;
  /**
   * The previous spelling of the name (only case or Unicode width differ): the target sees one view,
   * so a case-only rename is refused unless it names the folder it renames.
   */
  renamedFrom?: string;
  source: SourceSpec;
  /** Absent means `auto`. */
  engine?: EntityEngine;
  dataSourceType?: DataSourceType;
  columns?: ColumnSpec[];
}

export type ExportFormat = "parquet" | "csv";
export type OnEntityRemoved = "retain" | "drop";

export interface ExportSpec {
  displayName: string;
  databaseName: string;
  format: ExportFormat;
  runOnDeploy: boolean;
  onEntityRemoved: OnEntityRemoved;
  /** How many complete snapshots of each entity are kept (the newest first). */
  retainSnapshots: number;
  /** Folders sources may come from besides the spec's folder (absolute or relative to it). */
  sourceRoots?: string[];
  entities: EntitySpec[];
}

/** A validated spec with every default filled in. */
export interface Spec {
  connection: ConnectionSpec;
  principals: PrincipalsSpec;
  export: ExportSpec;
  /** The folder that source paths are relative to (the spec file's folder). */
  baseDir: string;
}

/** The Customer Insights first-party application id (the seed's "service principal for Customer Insights"). */
export const CUSTOMER_INSIGHTS_APP_ID = "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff";
