// Who must be able to read a lake-resident source, and the grant that lets it. Pure.
//
// The export's data sources have no credential (caller pass-through, see renderTsql.ts), and
// OPENROWSET without DATA_SOURCE reads "using their own Microsoft Entra identity" for Entra logins
// (https://learn.microsoft.com/azure/synapse-analytics/sql/develop-openrowset, "Security";
// develop-storage-files-storage-access-control, "user identity"). So the CETAS reads the source as the
// identity that runs the export (`synapse-export run`, or the entity table under `pulumi up`): the
// deploying identity, which already holds Storage Blob Data Contributor where the export writes. It
// needs Storage Blob Data Reader on the source's container unless that grant already covers it (the
// export's own account with dataRoleScope storageAccount, or the export's own container). Readers of
// the views read only the snapshots CETAS wrote into the export's folder, never the source.
//
// These grants are listed by `plan` and `permissions plan`, but not made by the Pulumi components:
// a source in another account names no resource group in the spec, so its ARM scope cannot be built
// here, and a grant on someone else's lake is theirs to give. README says so.

import type { Spec } from "../spec/types";
import { lakeLocationOf } from "./lakeSource";
import { ROLES } from "./roles";

export interface LakeSourceGrant {
  key: string;
  principal: "deployer";
  principalName: string;
  role: "Storage Blob Data Reader";
  roleDefinitionId: string;
  /** `<account>/<container>`: the source's container. */
  scope: string;
  /** The ARM id when the account is the export's own and the subscription is known; else null. */
  scopeId: string | null;
  plane: "arm";
  purpose: string;
  /** The entities whose sources it lets the deployer read. */
  entities: string[];
}

export function planLakeSourceGrants(spec: Spec): LakeSourceGrant[] {
  const { storage, dataRoleScope, subscriptionId } = spec.connection;
  const byScope = new Map<string, LakeSourceGrant>();
  for (const entity of spec.export.entities) {
    const location = lakeLocationOf(entity);
    if (!location) continue;
    const ownAccount = location.account === storage.accountName;
    if (coveredByStackGrant(location, { storage, dataRoleScope })) continue;
    const scope = `${location.account}/${location.container}`;
    const existing = byScope.get(scope);
    if (existing) {
      existing.entities.push(entity.name);
      continue;
    }
    byScope.set(scope, {
      key: `deployer-storage-blob-data-reader-on-lake-source-${location.account}-${location.container}`,
      principal: "deployer",
      principalName:
        spec.principals.deployer === false || spec.principals.deployer === undefined
          ? "the deploying identity (signed in at deploy time)"
          : spec.principals.deployer.objectId,
      role: "Storage Blob Data Reader",
      roleDefinitionId: ROLES["Storage Blob Data Reader"].id,
      scope,
      scopeId:
        ownAccount && subscriptionId
          ? `/subscriptions/${subscriptionId}/resourceGroups/${storage.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${storage.accountName}/blobServices/default/containers/${location.container}`
          : null,
      plane: "arm",
      purpose: `The deploying identity runs the server-side export (CETAS), which reads the lake source in container ${location.container} of account ${location.account} as its caller; not created by the stack: grant it on the source's container${ownAccount ? "" : ", in the account that owns it"}.`,
      entities: [entity.name],
    });
  }
  return [...byScope.values()];
}

/**
 * Whether the deploying identity's data role that the stack makes covers a source at `location`: the
 * export's own account with `dataRoleScope: storageAccount`, or the export's own container.
 */
export function coveredByStackGrant(
  location: { account: string; container: string },
  connection: {
    storage: { accountName: string; container: string };
    dataRoleScope?: "storageAccount" | "container";
  },
): boolean {
  const { storage, dataRoleScope } = connection;
  if (location.account.toLowerCase() !== storage.accountName.toLowerCase()) return false;
  return dataRoleScope === "storageAccount" || location.container === storage.container;
}

/** What the stack grants the deploying identity: its data role's scope, or none. */
export interface StackDataGrant {
  dataRoleScope: "storageAccount" | "container";
}

/**
 * The state the Pulumi program records for a lake-resident source it may not list yet, because the
 * grant that lets the deploying identity in is one this deploy makes (coveredByStackGrant; the
 * program reads before any grant, in preview as in the first `up`). The entity then shows a change,
 * and its export, which runs after the grants, lists the source itself; a grant that is missing fails
 * there, naming it. Undefined when the stack makes no grant that covers it (a source elsewhere, or
 * no deployer grant): a refusal there is reported at once.
 */
export function sourcesAwaitingGrants(
  entity: Parameters<typeof lakeLocationOf>[0],
  storage: { accountName: string; container: string },
  grant: StackDataGrant | undefined,
): { path: string; bytes: number; sha256: string; etag: string }[] | undefined {
  const location = lakeLocationOf(entity);
  if (!location || !grant) return undefined;
  if (!coveredByStackGrant(location, { storage, dataRoleScope: grant.dataRoleScope })) {
    return undefined;
  }
  return [
    {
      path: `${entity.source.path} (not listed: the deploying identity may read it once this deploy's grants apply)`,
      bytes: 0,
      sha256: "",
      etag: "awaiting-grants",
    },
  ];
}
