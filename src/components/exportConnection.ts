// The Customer Insights connection to Azure Synapse Analytics (Admin > Connections) as one component:
// the storage, the workspace, who may use the connection, the consent, and every permission of the
// seed's prerequisites between them.

import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { validateSpec } from "../spec/validate";
import { SpecError } from "../spec/specError";
import { planGrants, type Grant } from "../plan/grants";
import type { Spec } from "../spec/types";
import { ExportStorage } from "./exportStorage";
import { WorkspaceLink } from "./workspaceLink";
import { ExportPermissions } from "./exportPermissions";
import {
  resolveAdministrator,
  resolveCustomerInsightsPrincipal,
  refuseSharedLookedUp,
  resolveDeployer,
} from "./principals";
import { resourceError, shownWithoutStack } from "./componentErrors";
import { takeHandedSpec, type CheckedSpec } from "./checkedSpecs";

export type { CheckedSpec } from "./checkedSpecs";

export const EXPORT_CONNECTION_TYPE = "synapse-export:index:ExportConnection";

/** A validated spec, or the raw object a user writes (TypeScript args, Pulumi config): validated here. */
export type SpecLike = Spec | Record<string, unknown>;

export interface ExportConnectionArgs {
  spec: SpecLike;
  /** The folder entity sources are relative to. Default: the spec's own `baseDir`, else the working folder. */
  baseDir?: string;
  /**
   * The SQL administrator password of a new workspace that asks for a SQL administrator
   * (`connection.workspace.create.sqlAdministratorLogin`). Default: the secret stack config
   * `synapse-export:sqlAdministratorPassword`. Always kept a secret.
   */
  sqlAdministratorPassword?: pulumi.Input<string>;
  /** Pulumi `protect` on a new storage account and container. */
  protectStorage?: boolean;
  /** Allow account keys on a new storage account. Default false (Entra ID only). */
  allowSharedKeyAccess?: boolean;
}

export class ExportConnection extends pulumi.ComponentResource {
  /** The connection's display name. */
  readonly name: pulumi.Output<string>;
  /** The validated spec, defaults filled in. */
  readonly spec: Spec;
  /** The permission plan this connection deploys. */
  readonly grants: readonly Grant[];
  readonly storage: ExportStorage;
  readonly workspace: WorkspaceLink;
  readonly permissions: ExportPermissions;
  /** Whether contributors may use the connection (`usableBy: administrators-and-contributors`). */
  readonly sharedWithContributors: boolean;
  readonly customerInsightsPrincipalId: pulumi.Output<string>;
  readonly administratorPrincipalId: pulumi.Output<string>;
  /** The deploying identity that gets a data role (undefined with `principals.deployer: false`). */
  readonly deployerPrincipalId?: pulumi.Output<string>;
  /**
   * The export databases exported over this connection in this program, by name as serverless
   * compares them (ignoring case), with the export that claimed each: two exports of one database
   * would each drop what the other serves.
   */
  readonly exportDatabases = new Map<string, string>();

  constructor(name: string, args: ExportConnectionArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before anything is registered: TypeScript callers bypass the YAML front door, and consent in
    // particular must be refused here whatever the types said. Once: a spec the aggregate component
    // has just validated is taken as it is, with its warnings.
    const { spec, warnings } = takeHandedSpec(args?.spec) ?? checkConnectionArgs(name, args);
    super(EXPORT_CONNECTION_TYPE, name, {}, opts);
    for (const w of warnings) pulumi.log.warn(`${w.path}: ${w.message}`, this);

    const { connection, principals } = spec;
    this.spec = spec;
    this.grants = planGrants(spec);
    this.sharedWithContributors = connection.usableBy === "administrators-and-contributors";
    this.name = pulumi.output(connection.displayName);

    this.storage = new ExportStorage(
      `${name}-storage`,
      {
        accountName: connection.storage.accountName,
        resourceGroupName: connection.storage.resourceGroupName,
        container: connection.storage.container,
        create: connection.storage.create && {
          location: connection.storage.create.location,
          sku: connection.storage.create.sku,
          allowSharedKeyAccess: args.allowSharedKeyAccess,
        },
        protect: args.protectStorage,
      },
      { parent: this },
    );

    const ws = connection.workspace;
    this.workspace = new WorkspaceLink(
      `${name}-workspace`,
      {
        workspaceName: ws.name,
        resourceGroupName: ws.resourceGroupName,
        create: ws.create && {
          location: ws.create.location,
          dfsEndpoint: this.storage.dfsEndpoint,
          container: this.storage.containerName,
          storageAccountResourceId: this.storage.resourceId,
          sqlAdministratorLogin: ws.create.sqlAdministratorLogin,
          sqlAdministratorPassword: args.sqlAdministratorPassword,
          firewallRules: ws.create.firewallRules,
          allowAzureServices: ws.create.allowAzureServices,
        },
      },
      // A new workspace's default file system is the export container: it must exist first.
      { parent: this, dependsOn: [this.storage] },
    );

    const customerInsights = resolveCustomerInsightsPrincipal(
      name,
      principals.customerInsights,
      this,
    );
    this.customerInsightsPrincipalId = customerInsights.objectId;
    this.administratorPrincipalId = resolveAdministrator(principals.administrator, this);
    const principalsChecked = refuseSharedLookedUp(
      spec,
      {
        administrator: this.administratorPrincipalId,
        customerInsights: this.customerInsightsPrincipalId,
      },
      this,
      `ExportConnection '${name}'`,
    );
    const deployer =
      principals.deployer === false ? undefined : resolveDeployer(principals.deployer, this);
    this.deployerPrincipalId = deployer?.objectId;

    // The subscription azure-native deploys to holds the storage account and the workspace it reads
    // and creates: the spec's, when it names one, must be that one, or the grants' role definitions
    // and the workspace's resource group would be built in a subscription nothing is deployed to.
    const deployedTo = authorization.getClientConfigOutput({ parent: this }).subscriptionId;
    const subscriptionId = connection.subscriptionId
      ? deployedTo.apply((actual) => {
          const named = connection.subscriptionId!;
          if (actual.toLowerCase() === named.toLowerCase()) return actual;
          throw resourceError(
            "spec",
            `connection.subscriptionId is ${named}, but azure-native deploys to subscription ${actual} ` +
              "(its azure-native:subscriptionId config, ARM_SUBSCRIPTION_ID, or the az login default). " +
              "Set azure-native:subscriptionId (pulumi config set azure-native:subscriptionId " +
              `${named}) or ARM_SUBSCRIPTION_ID to the spec's, or correct the spec; no grant is made until they agree.`,
            this,
          );
        })
      : deployedTo;

    this.permissions = new ExportPermissions(
      `${name}-permissions`,
      {
        grants: this.grants,
        principalIds: {
          customerInsights: this.customerInsightsPrincipalId,
          administrator: this.administratorPrincipalId,
          workspaceIdentity: this.workspace.systemAssignedMIPrincipalId,
          deployer: deployer?.objectId,
          deployerType: deployer?.principalType,
        },
        scopes: {
          storageAccount: this.storage.resourceId,
          container: this.storage.containerResourceId,
          workspaceResourceGroup: pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${ws.resourceGroupName}`,
          workspace: `workspaces/${ws.name}`,
        },
        subscriptionId,
        workspaceName: this.workspace.name,
        synapseEndpoint: this.workspace.devEndpoint,
        // The data-plane call needs the workspace and the firewall rules that let the deployer in.
        synapseDependsOn: [this.workspace],
        principalsChecked,
      },
      { parent: this },
    );

    this.registerOutputs({
      name: this.name,
      usableBy: connection.usableBy,
      dataPrivacyConsent: connection.dataPrivacyConsent,
      workspaceName: this.workspace.name,
      serverlessSqlEndpoint: this.workspace.serverlessSqlEndpoint,
      storageAccountName: this.storage.name,
      container: this.storage.containerName,
      dfsEndpoint: this.storage.dfsEndpoint,
      customerInsightsPrincipalId: this.customerInsightsPrincipalId,
      administratorPrincipalId: this.administratorPrincipalId,
      assignmentNames: this.permissions.assignmentNames,
    });
  }
}

/** The spec, validated whatever the caller's types claimed; errors name every field at once. */
export function checkConnectionArgs(
  name: string,
  args: ExportConnectionArgs,
  source = `ExportConnection '${name}'`,
): CheckedSpec {
  if (!args || typeof args !== "object" || args.spec === undefined || args.spec === null) {
    throw shownWithoutStack(
      new SpecError(
        [{ path: "", message: "give the spec: { spec: { connection, principals, export } }" }],
        source,
      ),
    );
  }
  const raw = args.spec as Record<string, unknown>;
  const baseDir =
    args.baseDir ?? (typeof raw.baseDir === "string" ? raw.baseDir : undefined) ?? process.cwd();
  const result = validateSpec(specWithoutBaseDir(raw), baseDir);
  if (!result.spec) throw shownWithoutStack(new SpecError(result.issues, source));
  return { spec: result.spec, warnings: result.warnings };
}

/** `baseDir` is where the spec was read from, not part of what a user writes. */
function specWithoutBaseDir(spec: SpecLike): Record<string, unknown> {
  const { baseDir: _baseDir, ...rest } = spec as Record<string, unknown>;
  return rest;
}
