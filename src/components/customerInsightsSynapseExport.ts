// The one-line all-in-one: a spec (object or YAML file) in, the whole Customer Insights export to
// Azure Synapse Analytics out: connection, storage, workspace, permissions, and the export itself.

import * as pulumi from "@pulumi/pulumi";
import { SpecError } from "../spec/specError";
import { loadSpecFile, SpecFileError } from "../spec/specFile";
import type { Spec } from "../spec/types";
import type { Grant } from "../plan/grants";
import type { TargetRef } from "../plan/exportResources";
import { ExportDatabase } from "../providers/exportDatabase";
import { resolveReaderLoginNames } from "./readerLogins";
import { EntityTable, sourceFolderProblem } from "../providers/entityTable";
import type { ExportStorage } from "./exportStorage";
import type { WorkspaceLink } from "./workspaceLink";
import { checkConnectionArgs, ExportConnection, type SpecLike } from "./exportConnection";
import { handToConnection, takeHandedSpec } from "./checkedSpecs";
import { sharedConnectionIssues } from "../plan/sharedConnection";
import { shownWithoutStack } from "./componentErrors";
import { withLakeSourceIssues } from "../plan/exportableSpec";
import { entityEngine } from "../plan/lakeSource";

export const CUSTOMER_INSIGHTS_SYNAPSE_EXPORT_TYPE =
  "synapse-export:index:CustomerInsightsSynapseExport";

export interface CustomerInsightsSynapseExportArgs {
  /** The spec as an object (TypeScript args or Pulumi config). Give this or `specFile`. */
  spec?: SpecLike;
  /** With `spec`: the folder entity sources are relative to. Default: the working folder. */
  baseDir?: string;
  /** A YAML (or JSON) spec file; entity sources are relative to its folder. Give this or `spec`. */
  specFile?: string;
  /** See ExportConnectionArgs.sqlAdministratorPassword: kept a secret. */
  sqlAdministratorPassword?: pulumi.Input<string>;
  /** Pulumi `protect` on a new storage account and container. */
  protectStorage?: boolean;
  /** Allow account keys on a new storage account. Default false (Entra ID only). */
  allowSharedKeyAccess?: boolean;
  /**
   * Where the export database and entity data go. Default: Azure (the connection's storage account
   * and the workspace's serverless SQL endpoint). `{ kind: "local", dir }` runs the same plan into a
   * folder and DuckDB files, e.g. to try a stack before it has Azure access.
   */
  exportTarget?: TargetRef;
  /**
   * An ExportConnection to export over instead of making one: several exports share one connection
   * (storage, workspace and grants), as Customer Insights exports share one connection. The spec's
   * connection and principals must be that connection's; `sqlAdministratorPassword`,
   * `protectStorage` and `allowSharedKeyAccess` belong to the connection then. Two components each
   * making the same connection would both own its role assignments, and removing one would remove
   * the other's access.
   */
  connection?: ExportConnection;
}

/**
 * The whole export: its connection (storage, workspace, permissions), the export database and one
 * entity table per selected entity. Its own outputs say whose they are (`storageAccountResourceId`,
 * `workspaceIdentityPrincipalId`); the child components are exposed for everything else.
 */
export class CustomerInsightsSynapseExport extends pulumi.ComponentResource {
  /** The export's display name (the seed's "Display name" of the export). */
  readonly exportDisplayName: pulumi.Output<string>;
  readonly spec: Spec;
  readonly grants: readonly Grant[];
  readonly connection: ExportConnection;
  /** The connection's storage account and container (the same as `connection.storage`). */
  readonly storage: ExportStorage;
  /** The connection's Synapse workspace (the same as `connection.workspace`). */
  readonly workspace: WorkspaceLink;

  /** The workspace name. */
  readonly workspaceName: pulumi.Output<string>;
  /** The workspace's ARM resource id. */
  readonly workspaceResourceId: pulumi.Output<string>;
  /** The workspace's data-plane endpoint, `https://<ws>.dev.azuresynapse.net`. */
  readonly workspaceDevEndpoint: pulumi.Output<string>;
  /** Where readers connect: `<ws>-ondemand.sql.azuresynapse.net`. */
  readonly serverlessSqlEndpoint: pulumi.Output<string>;
  /** The principal id of the workspace's system-assigned managed identity (the seed's "workspace managed identity"). */
  readonly workspaceIdentityPrincipalId: pulumi.Output<string>;
  readonly storageAccountName: pulumi.Output<string>;
  /** The storage account's ARM resource id. */
  readonly storageAccountResourceId: pulumi.Output<string>;
  readonly container: pulumi.Output<string>;
  /** e.g. `https://<account>.dfs.core.windows.net/` */
  readonly dfsEndpoint: pulumi.Output<string>;
  readonly databaseName: string;
  /**
   * Every role assignment (ARM and Synapse): writing to the lake or creating the database must wait
   * for them, or the first run fails with 403 while the grants are still being made.
   */
  readonly roleAssignments: pulumi.Resource[];
  /** The export database (Synapse serverless SQL), created after the grants. */
  readonly database: ExportDatabase;
  /** One per selected entity: its view `[dbo].[<Entity>]`, the snapshot it shows and the data behind it. */
  readonly entityTables: EntityTable[];

  /** @deprecated Use `exportDisplayName` (this is the export's, not a resource's, name). Removed in the next version. */
  readonly name: pulumi.Output<string>;
  /** @deprecated Use `storageAccountResourceId` (or `storage.resourceId`). Removed in the next version. */
  readonly resourceId: pulumi.Output<string>;
  /** @deprecated Use `workspaceIdentityPrincipalId` (or `workspace.systemAssignedMIPrincipalId`). Removed in the next version. */
  readonly systemAssignedMIPrincipalId: pulumi.Output<string>;

  constructor(
    name: string,
    args: CustomerInsightsSynapseExportArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const loaded = loadSpec(name, args);
    refuseMissingSourceFolder(name, args, loaded);
    if (args.connection) refuseOtherConnection(name, args, loaded.spec);
    super(CUSTOMER_INSIGHTS_SYNAPSE_EXPORT_TYPE, name, {}, opts);

    this.connection =
      args.connection ??
      new ExportConnection(
        `${name}-connection`,
        {
          spec: loaded.spec,
          baseDir: loaded.baseDir,
          sqlAdministratorPassword: args.sqlAdministratorPassword,
          protectStorage: args.protectStorage,
          allowSharedKeyAccess: args.allowSharedKeyAccess,
        },
        { parent: this },
      );
    const c = this.connection;
    // Over a shared connection, this export's own spec (its entities and database; the connection
    // and principals are the connection's, refuseOtherConnection checked).
    this.spec = args.connection ? loaded.spec : c.spec;
    this.grants = c.grants;
    this.storage = c.storage;
    this.workspace = c.workspace;
    this.exportDisplayName = pulumi.output(c.spec.export.displayName);
    this.databaseName = c.spec.export.databaseName;
    this.workspaceName = c.workspace.name;
    this.workspaceResourceId = c.workspace.resourceId;
    this.workspaceDevEndpoint = c.workspace.devEndpoint;
    this.serverlessSqlEndpoint = c.workspace.serverlessSqlEndpoint;
    this.workspaceIdentityPrincipalId = c.workspace.systemAssignedMIPrincipalId;
    this.storageAccountName = c.storage.name;
    this.storageAccountResourceId = c.storage.resourceId;
    this.container = c.storage.containerName;
    this.dfsEndpoint = c.storage.dfsEndpoint;
    this.roleAssignments = c.permissions.resources;
    // The old names, kept for one version so programs that read them still build.
    this.name = this.exportDisplayName;
    this.resourceId = this.storageAccountResourceId;
    this.systemAssignedMIPrincipalId = this.workspaceIdentityPrincipalId;

    // ── Export database and entity tables ─────────────────────────────────────────────────────
    // After every grant: the deploying identity must write the lake before an entity can be exported
    // and read it (serverless reads as the caller) before a view is switched; readers read as themselves.
    // Azure: the endpoints the workspace and the account report, not names built from the spec, so
    // another cloud or a custom domain works as it is.
    const target: pulumi.Input<TargetRef> =
      args.exportTarget ??
      pulumi
        .all([this.serverlessSqlEndpoint, this.dfsEndpoint])
        .apply(([sqlServer, dfs]): TargetRef => ({
          kind: "azure",
          sqlServer,
          lakeAccountUrl: `${dfs.replace(/\/+$/, "")}`,
        }));
    // Readers' login names resolved from their object ids where the spec gives none (azuread): the
    // database runs the readers' SQL setup; an entity table keeps no reader (see entityTableSpec).
    const exportSpec = resolveReaderLoginNames(this.spec, this);
    // A group named as the deployer signs in as one of its members, whose object id is not the
    // group's: then there is no one identity to check the engine's sign-in against.
    const deployer = this.spec.principals.deployer;
    const signsInAs = deployer && deployer.type === "Group" ? undefined : c.deployerPrincipalId;
    this.database = new ExportDatabase(
      `${name}-database`,
      // The engine must sign in as the identity the deployer's grants are for (exportOperations.ts).
      { spec: exportSpec, target, signsInAs, grantsMadeAt: c.permissions.grantsMadeAt },
      { parent: this, dependsOn: this.roleAssignments },
    );
    // One after another: every entity's export takes the target's lock, so parallel creates would
    // only queue on it (and a long export could outlast another's lock wait).
    this.entityTables = [];
    for (const entity of this.spec.export.entities) {
      const previous = this.entityTables[this.entityTables.length - 1];
      this.entityTables.push(
        new EntityTable(
          `${name}-entity-${entity.name}`,
          {
            spec: this.spec,
            target,
            entity: entity.name,
            signsInAs,
            grantsMadeAt: c.permissions.grantsMadeAt,
          },
          {
            parent: this,
            dependsOn: [this.database, ...this.roleAssignments, ...(previous ? [previous] : [])],
          },
        ),
      );
    }
    // ─────────────────────────────────────────────────────────────────────────────────────────

    this.registerOutputs({
      exportDisplayName: this.exportDisplayName,
      databaseName: this.databaseName,
      workspaceName: this.workspaceName,
      workspaceResourceId: this.workspaceResourceId,
      serverlessSqlEndpoint: this.serverlessSqlEndpoint,
      workspaceIdentityPrincipalId: this.workspaceIdentityPrincipalId,
      storageAccountName: this.storageAccountName,
      storageAccountResourceId: this.storageAccountResourceId,
      container: this.container,
      dfsEndpoint: this.dfsEndpoint,
      databaseLocation: this.database.databaseLocation,
      entityTables: this.entityTables.map((t) => t.viewName),
    });
  }
}

/**
 * An export given another component's connection: its spec must state that connection and its
 * principals (sharedConnectionIssues), and the connection's own arguments go to the connection.
 */
function refuseOtherConnection(
  name: string,
  args: CustomerInsightsSynapseExportArgs,
  spec: Spec,
): void {
  // Handed over for an ExportConnection this export does not make: taken back.
  takeHandedSpec(spec);
  const source = `CustomerInsightsSynapseExport '${name}'`;
  const own = (["sqlAdministratorPassword", "protectStorage", "allowSharedKeyAccess"] as const)
    .filter((k) => args[k] !== undefined)
    .map((k) => ({
      path: k,
      message: "is the connection's: give it to the ExportConnection passed as `connection`",
    }));
  const claimed = args.connection!.exportDatabases;
  const database = spec.export.databaseName;
  const other = claimed.get(database.toLowerCase());
  const twice =
    other === undefined
      ? []
      : [
          {
            path: "export.databaseName",
            message: `'${database}' is already exported over this connection by CustomerInsightsSynapseExport '${other}' (serverless compares database names ignoring case); each export needs a database of its own, or a drop of one would drop what the other serves`,
          },
        ];
  const issues = [...own, ...twice, ...sharedConnectionIssues(spec, args.connection!.spec)];
  if (issues.length > 0) throw shownWithoutStack(new SpecError(issues, source));
  claimed.set(database.toLowerCase(), name);
}

/**
 * The spec and the folder its sources are relative to, from exactly one of spec / specFile, validated
 * once here (so that a bad spec registers nothing, not even this component) and handed to the
 * connection as it is. A file is read by the CLI's loader, with the same refusals.
 */
function loadSpec(
  name: string,
  args: CustomerInsightsSynapseExportArgs,
): { spec: Spec; baseDir: string } {
  const source = `CustomerInsightsSynapseExport '${name}'`;
  const fail = (message: string, cause?: unknown): never => {
    throw shownWithoutStack(
      Object.assign(new SpecError([{ path: "", message }], source), cause ? { cause } : {}),
    );
  };
  if (args?.spec !== undefined && args?.specFile !== undefined) {
    fail("give either spec (an object) or specFile (a path), not both");
  }
  if (args?.specFile !== undefined) {
    let result: ReturnType<typeof loadSpecFile> | undefined;
    try {
      // The CLI's refusals too (lake sources serverless cannot read), before anything is registered.
      result = withLakeSourceIssues(loadSpecFile(args.specFile));
    } catch (err) {
      if (!(err instanceof SpecFileError)) throw err;
      fail(err.message, err);
    }
    if (!result?.spec) throw shownWithoutStack(new SpecError(result!.issues, args.specFile));
    const spec = handToConnection({ spec: result.spec, warnings: result.warnings });
    return { spec, baseDir: spec.baseDir };
  }
  if (args?.spec === undefined) fail("give spec (an object) or specFile (a path to a YAML spec)");
  const checked = checkConnectionArgs(name, { spec: args.spec!, baseDir: args.baseDir }, source);
  const exportable = withLakeSourceIssues({ spec: checked.spec, issues: [], warnings: [] });
  if (!exportable.spec) throw shownWithoutStack(new SpecError(exportable.issues, source));
  const spec = handToConnection(checked);
  return { spec, baseDir: spec.baseDir };
}

/**
 * Every entity the runner exports reads its source.path relative to the spec's folder: a folder that
 * is not there stops the component before it registers anything, naming the folder and the argument
 * that set it, instead of failing each entity's preview after the storage and grants were registered.
 */
function refuseMissingSourceFolder(
  name: string,
  args: CustomerInsightsSynapseExportArgs,
  loaded: { spec: Spec; baseDir: string },
): void {
  const local = loaded.spec.export.entities.filter((e) => entityEngine(e).engine === "runner");
  if (local.length === 0) return;
  const problem = sourceFolderProblem(loaded.baseDir);
  if (problem === undefined) return;
  const field = args.specFile !== undefined ? "specFile" : "baseDir";
  const why =
    field === "specFile"
      ? `the folder of specFile ${args.specFile}`
      : "baseDir (default: the spec object's own baseDir, else the working folder)";
  throw shownWithoutStack(
    new SpecError(
      [
        {
          path: field,
          message: `${problem}; it is ${why}, and the source.path of ${local
            .map((e) => `"${e.name}"`)
            .join(
              ", ",
            )} is read relative to it. Give baseDir as the folder that holds the source files (or specFile as a file in it).`,
        },
      ],
      `CustomerInsightsSynapseExport '${name}'`,
    ),
  );
}
