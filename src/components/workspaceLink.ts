// The Azure Synapse workspace the export lands in: an existing one (read for its managed identity and
// endpoints) or a new one linked to the export's storage. A new workspace is Entra-only by default,
// so there is no SQL password anywhere; when a SQL administrator is asked for, its password stays a
// Pulumi secret from config to state.

import * as pulumi from "@pulumi/pulumi";
import * as synapse from "@pulumi/azure-native/synapse";
import type { FirewallRule } from "../spec/types";
import { workspaceLinkArgsIssues } from "../spec/componentArgs";
import { knownArguments, refuseBadArguments, runError } from "./componentErrors";

export const WORKSPACE_LINK_TYPE = "synapse-export:index:WorkspaceLink";

/** The stack config key that holds the SQL administrator password, set with `pulumi config set --secret`. */
export const SQL_ADMIN_PASSWORD_CONFIG = "sqlAdministratorPassword";
const CONFIG_NAMESPACE = "synapse-export";
const DEFAULT_SQL_ADMIN_LOGIN = "sqladminuser";

export interface WorkspaceLinkCreateArgs {
  location: pulumi.Input<string>;
  /** The export storage's dfs endpoint, e.g. `https://<account>.dfs.core.windows.net/`. */
  dfsEndpoint: pulumi.Input<string>;
  /** The export container, used as the workspace's default file system. */
  container: pulumi.Input<string>;
  storageAccountResourceId?: pulumi.Input<string>;
  /** Asks for a SQL administrator besides Entra ID; its password comes from `sqlAdministratorPassword`. */
  sqlAdministratorLogin?: string;
  /**
   * The SQL administrator password. Default when a login is given: the secret stack config
   * `synapse-export:sqlAdministratorPassword`. Always stored as a secret.
   */
  sqlAdministratorPassword?: pulumi.Input<string>;
  firewallRules?: FirewallRule[];
  /** Adds AllowAllWindowsAzureIps (0.0.0.0-0.0.0.0), the only name Azure reads as "allow Azure services". */
  allowAzureServices?: boolean;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface WorkspaceLinkArgs {
  workspaceName: string;
  resourceGroupName: string;
  /** Present: a new workspace is created; absent: the existing workspace is read. */
  create?: WorkspaceLinkCreateArgs;
}

export class WorkspaceLink extends pulumi.ComponentResource {
  /** The workspace name. */
  readonly name: pulumi.Output<string>;
  /** The workspace's ARM resource id. */
  readonly resourceId: pulumi.Output<string>;
  readonly resourceGroupName: pulumi.Output<string>;
  /** The workspace managed identity ("workspace identity writes to storage"). */
  readonly systemAssignedMIPrincipalId: pulumi.Output<string>;
  /** The data-plane endpoint for Synapse RBAC, e.g. `https://<ws>.dev.azuresynapse.net`. */
  readonly devEndpoint: pulumi.Output<string>;
  /** The serverless SQL endpoint, `<ws>-ondemand.sql.azuresynapse.net`. */
  readonly serverlessSqlEndpoint: pulumi.Output<string>;
  readonly isNew: boolean;
  /** The workspace and its firewall rules (empty for an existing workspace). */
  readonly resources: pulumi.Resource[];

  constructor(name: string, args: WorkspaceLinkArgs, opts?: pulumi.ComponentResourceOptions) {
    // The spec's own rules for connection.workspace, before anything is registered, naming the argument.
    refuseBadArguments("WorkspaceLink", name, workspaceLinkArgsIssues(declaredArguments(args)));
    super(WORKSPACE_LINK_TYPE, name, {}, opts);
    const { workspaceName, resourceGroupName, create } = args;
    this.isNew = create !== undefined;
    this.resourceGroupName = pulumi.output(resourceGroupName);
    const fallbackDev = `https://${workspaceName}.dev.azuresynapse.net`;
    const fallbackSql = `${workspaceName}-ondemand.sql.azuresynapse.net`;

    if (create) {
      const password = sqlAdministratorPassword(create);
      const workspace = new synapse.Workspace(
        `${name}-workspace`,
        {
          workspaceName,
          resourceGroupName,
          location: create.location,
          identity: { type: "SystemAssigned" },
          defaultDataLakeStorage: {
            accountUrl: create.dfsEndpoint,
            filesystem: create.container,
            resourceId: create.storageAccountResourceId,
          },
          // Entra ID only unless a SQL password is given. The login name goes either way: the
          // workspace takes none without an Entra admin or a customer-managed key (azurerm's
          // synapse_workspace docs), and Azure Verified Modules' workspace module requires it,
          // leaving the password to the service when none is given.
          azureADOnlyAuthentication: password === undefined,
          sqlAdministratorLogin: create.sqlAdministratorLogin ?? DEFAULT_SQL_ADMIN_LOGIN,
          ...(password === undefined ? {} : { sqlAdministratorLoginPassword: password }),
          tags: create.tags,
        },
        // The provider does not mark the password as a secret output by itself.
        { parent: this, additionalSecretOutputs: ["sqlAdministratorLoginPassword"] },
      );
      const wanted: FirewallRule[] = [...(create.firewallRules ?? [])];
      if (create.allowAzureServices) {
        wanted.push({
          name: "AllowAllWindowsAzureIps",
          startIpAddress: "0.0.0.0",
          endIpAddress: "0.0.0.0",
        });
      }
      const rules = wanted.map(
        (rule) =>
          new synapse.IpFirewallRule(
            `${name}-firewall-${rule.name}`,
            {
              workspaceName: workspace.name,
              resourceGroupName,
              ruleName: rule.name,
              startIpAddress: rule.startIpAddress,
              endIpAddress: rule.endIpAddress,
            },
            { parent: this },
          ),
      );
      this.name = workspace.name;
      this.resourceId = workspace.id;
      this.systemAssignedMIPrincipalId = workspace.identity.apply((i) =>
        requirePrincipalId(i?.principalId, workspaceName),
      );
      this.devEndpoint = workspace.connectivityEndpoints.apply((e) => e?.dev ?? fallbackDev);
      this.serverlessSqlEndpoint = workspace.connectivityEndpoints.apply(
        (e) => e?.sqlOnDemand ?? fallbackSql,
      );
      this.resources = [workspace, ...rules];
    } else {
      const existing = synapse.getWorkspaceOutput(
        { workspaceName, resourceGroupName },
        { parent: this },
      );
      this.name = existing.name;
      this.resourceId = existing.id;
      this.systemAssignedMIPrincipalId = existing.apply((w) =>
        requirePrincipalId(w.identity?.principalId, workspaceName),
      );
      this.devEndpoint = existing.apply((w) => w.connectivityEndpoints?.dev ?? fallbackDev);
      this.serverlessSqlEndpoint = existing.apply(
        (w) => w.connectivityEndpoints?.sqlOnDemand ?? fallbackSql,
      );
      this.resources = [];
    }

    this.registerOutputs({
      name: this.name,
      resourceId: this.resourceId,
      resourceGroupName: this.resourceGroupName,
      systemAssignedMIPrincipalId: this.systemAssignedMIPrincipalId,
      devEndpoint: this.devEndpoint,
      serverlessSqlEndpoint: this.serverlessSqlEndpoint,
    });
  }
}

/** undefined: Entra-only. Otherwise the password, wrapped as a secret whatever the caller passed. */
function sqlAdministratorPassword(
  create: WorkspaceLinkCreateArgs,
): pulumi.Output<string> | undefined {
  if (create.sqlAdministratorPassword !== undefined)
    return pulumi.secret(create.sqlAdministratorPassword);
  if (create.sqlAdministratorLogin === undefined) return undefined;
  return new pulumi.Config(CONFIG_NAMESPACE).requireSecret(SQL_ADMIN_PASSWORD_CONFIG);
}

function requirePrincipalId(principalId: string | undefined, workspaceName: string): string {
  if (principalId) return principalId;
  // rbac: the identity is what the export's storage grants are made to.
  throw runError(
    "rbac",
    `Synapse workspace '${workspaceName}' has no system-assigned managed identity, and the export needs it to read and write storage: turn on the workspace's system-assigned identity.`,
  );
}

/** The arguments the spec also declares (connection.workspace); the rest are Pulumi's or Azure's. */
function declaredArguments(args: WorkspaceLinkArgs | undefined): unknown {
  const create = args?.create;
  return knownArguments({
    workspaceName: args?.workspaceName,
    resourceGroupName: args?.resourceGroupName,
    create: create && {
      location: create.location,
      sqlAdministratorLogin: create.sqlAdministratorLogin,
      firewallRules: create.firewallRules,
      allowAzureServices: create.allowAzureServices,
    },
  });
}
