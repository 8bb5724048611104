// The permission plan: every role assignment the seed's prerequisites ask for, as data. Pure, so
// `pulumi preview`, `synapse-export plan` and the tests all see the same list, and a reviewer can read
// why each grant exists from its purpose.

import {
  CUSTOMER_INSIGHTS_APP_ID,
  type PrincipalType,
  type ReaderPrincipal,
  type Spec,
} from "../spec/types";
import { ROLES, type RoleName, type RolePlane } from "./roles";

export type GrantPrincipal =
  | "customerInsights"
  | "administrator"
  | "workspaceIdentity"
  | "deployer"
  | "reader"
  | "contributor";

export type GrantScope = "storageAccount" | "container" | "workspaceResourceGroup" | "workspace";

export interface Grant {
  /** A stable logical name that reads as the grant; the Pulumi resource name. */
  key: string;
  principal: GrantPrincipal;
  /** The principal's object id, or null when it is only known at deploy time (looked up or created). */
  principalId: string | null;
  /** A readable name for the principal: user principal name, app id, reader label. */
  principalName: string;
  /**
   * Null only for the deployer when the spec does not name it: its kind (user or service principal) is
   * known only at deploy time, and ARM refuses a wrong one (UnmatchedPrincipalType,
   * Azure/modern-web-app-pattern-dotnet#129), so the assignment leaves it for ARM to look up.
   */
  principalType: PrincipalType | null;
  role: RoleName;
  roleDefinitionId: string;
  scope: GrantScope;
  /** The full scope (ARM resource id, or `workspaces/<name>` for Synapse RBAC) when it can be known offline. */
  scopeId: string | null;
  plane: RolePlane;
  purpose: string;
}

type GrantInput = Omit<Grant, "key" | "roleDefinitionId" | "plane" | "scopeId">;

export function planGrants(spec: Spec): Grant[] {
  const { connection, principals } = spec;
  const dataScope: GrantScope =
    connection.dataRoleScope === "container" ? "container" : "storageAccount";
  const dataScopeWords =
    dataScope === "container" ? "the export's container" : "the storage account";
  const ci = principals.customerInsights;
  const customerInsights = {
    principal: "customerInsights" as const,
    principalId: ci.objectId ?? null,
    principalName: `Customer Insights (app ${ci.appId ?? CUSTOMER_INSIGHTS_APP_ID})`,
    principalType: "ServicePrincipal" as const,
  };
  const admin = principals.administrator;
  const administrator = {
    principal: "administrator" as const,
    principalId: admin.objectId ?? null,
    // The rules require one of the two, so the name is never a placeholder.
    principalName: (admin.userPrincipalName ?? admin.objectId) as string,
    principalType: "User" as const,
  };
  const workspaceIdentity = {
    principal: "workspaceIdentity" as const,
    principalId: null,
    principalName: `workspace ${connection.workspace.name} managed identity`,
    principalType: "ServicePrincipal" as const,
  };

  const grants: GrantInput[] = [
    {
      ...customerInsights,
      role: "Storage Blob Data Contributor",
      scope: dataScope,
      purpose: `Customer Insights service principal writes the exported entity data to ${dataScopeWords}.`,
    },
    {
      ...customerInsights,
      role: "Reader",
      scope: "workspaceResourceGroup",
      purpose:
        "Customer Insights service principal finds the Synapse workspace in its resource group.",
    },
    {
      ...customerInsights,
      role: "Synapse Administrator",
      scope: "workspace",
      purpose:
        "Customer Insights service principal creates the export database, tables and views in the Synapse workspace.",
    },
    {
      ...administrator,
      role: "Reader",
      scope: "workspaceResourceGroup",
      purpose:
        "The Customer Insights administrator selects the Synapse workspace when setting up the connection.",
    },
    {
      ...administrator,
      role: "Storage Blob Data Contributor",
      scope: dataScope,
      purpose: `The Customer Insights administrator selects and manages the export's data in ${dataScopeWords}.`,
    },
    {
      ...workspaceIdentity,
      role: "Storage Blob Data Contributor",
      scope: dataScope,
      purpose: `Workspace identity writes to storage: the Synapse workspace managed identity reads and writes the exported data in ${dataScopeWords}.`,
    },
  ];

  // The identity that runs `pulumi up` and `synapse-export run` writes the lake itself, and Owner does not
  // imply data access ("The Storage Owner role does not imply that a user is also Storage Data Owner",
  // learn.microsoft.com/azure/synapse-analytics/sql/develop-storage-files-storage-access-control).
  const deployer = principals.deployer;
  if (deployer !== false) {
    grants.push({
      principal: "deployer",
      principalId: deployer?.objectId ?? null,
      principalName: deployer
        ? deployer.objectId
        : "the deploying identity (signed in at deploy time)",
      principalType: deployer?.type ?? null,
      role: "Storage Blob Data Contributor",
      scope: dataScope,
      purpose: `The deploying identity (pulumi up, synapse-export run) writes the export's files to ${dataScopeWords}.`,
    });
  }

  if (dataScope === "container") {
    // User delegation keys are an account-level action (blobServices/generateUserDelegationKey), so a
    // container-scoped data role cannot sign SAS URLs; Delegator grants exactly that and no data access.
    grants.push({
      ...customerInsights,
      role: "Storage Blob Delegator",
      scope: "storageAccount",
      purpose:
        "Customer Insights service principal gets user delegation keys on the account, which a container-scoped data role does not include (no data access).",
    });
  }

  for (const reader of principals.readers) {
    grants.push({
      ...named("reader", reader),
      role: "Storage Blob Data Reader",
      scope: dataScope,
      purpose: `Reader queries the exported data (the seed's Storage Blob Data Reader on the destination storage): reads the export's files in ${dataScopeWords}.`,
    });
  }

  // Contributors matter only on a shared connection (the seed: "Allow contributors to use a connection").
  if (connection.usableBy === "administrators-and-contributors") {
    for (const contributor of principals.contributors) {
      grants.push(
        {
          ...named("contributor", contributor),
          role: "Reader",
          scope: "workspaceResourceGroup",
          purpose:
            "Contributor on the shared connection sees the Synapse workspace to configure exports.",
        },
        {
          ...named("contributor", contributor),
          role: "Storage Blob Data Reader",
          scope: "container",
          purpose:
            "Contributor on the shared connection queries what the export wrote, in its container only.",
        },
      );
    }
  }

  return grants.map((g) => ({
    ...g,
    key: grantKey(g),
    roleDefinitionId: ROLES[g.role].id,
    plane: ROLES[g.role].plane,
    scopeId: scopeId(spec, g.scope),
  }));
}

function named(principal: "reader" | "contributor", p: ReaderPrincipal) {
  return {
    principal,
    principalId: p.objectId,
    principalName: p.name ?? p.objectId,
    principalType: p.type,
  };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

const PRINCIPAL_SLUG: Record<GrantPrincipal, string> = {
  customerInsights: "customer-insights",
  administrator: "administrator",
  workspaceIdentity: "workspace-identity",
  deployer: "deployer",
  reader: "reader",
  contributor: "contributor",
};

const SCOPE_SLUG: Record<GrantScope, string> = {
  storageAccount: "storage-account",
  container: "container",
  workspaceResourceGroup: "workspace-resource-group",
  workspace: "workspace",
};

/**
 * What the deploying identity needs and no grant gives it. Synapse Administrator on the workspace: it
 * assigns the Synapse roles (so may an Azure Owner: "In addition to Synapse Administrator, Azure
 * Owners can also assign Synapse RBAC roles", Synapse RBAC roles page) and, what an Owner does not
 * get, creates the database, logins and users in serverless SQL. Role assignments need
 * Microsoft.Authorization/roleAssignments/write; creating the account or the workspace needs
 * Contributor. Principals named by app id, UPN or object id alone are looked up in Microsoft Graph,
 * which a pipeline's service principal is often not allowed to read.
 */
export function deployerPrerequisites(spec: Spec): string[] {
  const ws = spec.connection.workspace;
  const onWorkspace = ws.create
    ? `the new workspace "${ws.name}" makes its creator Synapse Administrator`
    : `on the existing workspace "${ws.name}", a Synapse Administrator must assign it (Synapse Studio > Manage > Access control)`;
  return [
    `The deploying identity needs the Synapse Administrator role on workspace "${ws.name}" before deploying (a prerequisite, not a grant: serverless SQL needs it to create the export database, its logins and users): ${onWorkspace}.`,
    `The deploying identity needs Owner or User Access Administrator (Microsoft.Authorization/roleAssignments/write) on the storage account and the workspace's resource group, to create the role assignments above.`,
    ...(spec.connection.storage.create || ws.create
      ? [
          `The deploying identity needs Contributor (or Owner) on the resource group of the new ${[spec.connection.storage.create ? "storage account" : "", ws.create ? "workspace" : ""].filter(Boolean).join(" and ")}, to create it.`,
        ]
      : []),
    ...graphLookups(spec),
    ...(spec.principals.deployer === false
      ? [
          `principals.deployer is false: grant the deploying identity a data role (Storage Blob Data Contributor) on the export's storage yourself; Owner does not imply data access.`,
        ]
      : []),
  ];
}

/** The Microsoft Graph reads the deploy makes for principals the spec names without an object id. */
function graphLookups(spec: Spec): string[] {
  const { customerInsights, administrator, readers, contributors } = spec.principals;
  const shared = spec.connection.usableBy === "administrators-and-contributors";
  const unnamed = [...readers, ...(shared ? contributors : [])].filter((p) => !p.name);
  const reads = [
    ...(customerInsights.objectId
      ? []
      : ["the Customer Insights service principal by its app id (Application.Read.All)"]),
    ...(customerInsights.createIfMissing
      ? ["creating it when missing (Application.ReadWrite.All)"]
      : []),
    ...(administrator.objectId ? [] : ["the administrator by user principal name (User.Read.All)"]),
    ...(unnamed.length > 0
      ? [`the login names of ${unnamed.length} reader(s) or contributor(s) given without a name`]
      : []),
  ];
  if (reads.length === 0) return [];
  return [
    `The deploying identity reads Microsoft Graph for ${reads.join("; ")}; Directory.Read.All covers the reads. A pipeline's service principal usually may not: give objectId (and a name for readers) in the spec instead.`,
  ];
}

/**
 * How an ARM grant's assignment is named and ordered when its principal may be another grant's too. The
 * deploying identity is often the Customer Insights administrator (deploying from a laptop), who already
 * has Storage Blob Data Contributor at the same scope: one Azure assignment for two grants. Under the same
 * deterministic name both resources would own it, and dropping the deployer's grant (principals.deployer:
 * false) would delete the administrator's access with it. So the deployer's assignment has a name of its
 * own and is made after the other ARM grants of its role and scope: when they coincide, ARM's assignment
 * already exists and the deployer's grant adopts it (never owned, never deleted by this stack).
 */
export function armAssignmentOrder(
  grant: Grant,
  grants: readonly Grant[],
): { nameQualifier?: string; after: string[] } {
  if (grant.plane !== "arm" || grant.principal !== "deployer") return { after: [] };
  return {
    nameQualifier: "deployer",
    after: grants
      .filter(
        (g) =>
          g.plane === "arm" &&
          g.principal !== "deployer" &&
          g.role === grant.role &&
          g.scope === grant.scope,
      )
      .map((g) => g.key),
  };
}

/** e.g. `customer-insights-storage-blob-data-contributor-on-storage-account`, `reader-<id>-...`. */
function grantKey(g: GrantInput): string {
  const who =
    g.principal === "reader" || g.principal === "contributor"
      ? `${PRINCIPAL_SLUG[g.principal]}-${g.principalId}`
      : PRINCIPAL_SLUG[g.principal];
  return `${who}-${slug(g.role)}-on-${SCOPE_SLUG[g.scope]}`;
}

/** The ARM id of each scope (or the Synapse RBAC scope), when the subscription is known offline. */
export function scopeId(spec: Spec, scope: GrantScope): string | null {
  const { workspace, storage, subscriptionId } = spec.connection;
  if (scope === "workspace") return `workspaces/${workspace.name}`;
  if (!subscriptionId) return null;
  const sub = `/subscriptions/${subscriptionId}`;
  const account = `${sub}/resourceGroups/${storage.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${storage.accountName}`;
  switch (scope) {
    case "storageAccount":
      return account;
    case "container":
      return `${account}/blobServices/default/containers/${storage.container}`;
    case "workspaceResourceGroup":
      return `${sub}/resourceGroups/${workspace.resourceGroupName}`;
  }
}
