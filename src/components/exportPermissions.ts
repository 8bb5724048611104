// Every grant of the permission plan as a resource: ARM roles as Microsoft.Authorization role
// assignments (through ArmRoleAssignment, which adopts one that already exists instead of failing with
// RoleAssignmentExists), the Synapse Administrator role through the workspace's own RBAC. Each resource is named
// after its grant, so `pulumi preview` says in words which permission is added, changed or removed.

import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import {
  armAssignmentOrder,
  type Grant,
  type GrantPrincipal,
  type GrantScope,
} from "../plan/grants";
import { FORBIDDEN_ROLE_IDS, ROLES } from "../plan/roles";
import { roleAssignmentGuid } from "../plan/deterministicGuid";
import { newestGrantMadeAt } from "../plan/grantWindow";
import { SynapseRoleAssignment } from "../providers/synapseRoleAssignment";
import { ArmRoleAssignment } from "../providers/armRoleAssignment";
import { logArmAssignmentNotices, logSynapseAssignmentNotices } from "./assignmentNotices";
import { resourceError, runError } from "./componentErrors";
import { ExportError } from "../errors";

export const EXPORT_PERMISSIONS_TYPE = "synapse-export:index:ExportPermissions";

/** Object ids for the principals the plan could not know offline (looked up or created at deploy). */
export type PrincipalIds = Record<
  Exclude<GrantPrincipal, "reader" | "contributor" | "deployer">,
  pulumi.Input<string>
> & {
  /** The deploying identity's object id (required when the plan has a deployer grant). */
  deployer?: pulumi.Input<string>;
  /** Its kind, looked up at deploy time when the spec does not say. */
  deployerType?: pulumi.Input<string>;
};

/** The real scope of each kind of grant: ARM resource ids, and `workspaces/<name>` for Synapse RBAC. */
export type GrantScopes = Record<GrantScope, pulumi.Input<string>>;

export interface ExportPermissionsArgs {
  /** The permission plan (`planGrants(spec)`). */
  grants: readonly Grant[];
  principalIds: PrincipalIds;
  scopes: GrantScopes;
  /** The subscription of the role definitions. Default: the one Pulumi deploys to. */
  subscriptionId?: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
  /** The workspace's data-plane endpoint, e.g. `https://<ws>.dev.azuresynapse.net`. */
  synapseEndpoint?: pulumi.Input<string>;
  /** What the Synapse role assignments wait for (the workspace and its firewall rules). */
  synapseDependsOn?: pulumi.Input<pulumi.Resource>[];
  /**
   * A check of the principals every assignment waits for (its failure fails them all, so none of a
   * refused spec's grants is made): the look-ups' refusal of principals that would share one.
   */
  principalsChecked?: pulumi.Input<unknown>;
}

export class ExportPermissions extends pulumi.ComponentResource {
  /** One per ARM grant, in plan order. */
  readonly roleAssignments: ArmRoleAssignment[];
  /** One per Synapse RBAC grant, in plan order. */
  readonly synapseRoleAssignments: SynapseRoleAssignment[];
  /** Every assignment: what writing data to the lake or the workspace must wait for. */
  readonly resources: pulumi.Resource[];
  /** The deterministic role assignment name (a GUID) of each ARM grant, by grant key. */
  readonly assignmentNames: pulumi.Output<Record<string, string>>;
  /**
   * When the newest assignment was made or adopted by this stack (ISO 8601; plan/grantWindow.ts):
   * how long what writes the lake waits for the grants to apply.
   */
  readonly grantsMadeAt: pulumi.Output<string>;

  constructor(name: string, args: ExportPermissionsArgs, opts?: pulumi.ComponentResourceOptions) {
    args.grants.forEach(assertGrantable);
    super(EXPORT_PERMISSIONS_TYPE, name, {}, opts);

    let subscription: pulumi.Output<string> | undefined;
    const subscriptionId = () =>
      (subscription ??= args.subscriptionId
        ? pulumi.output(args.subscriptionId)
        : authorization.getClientConfigOutput({ parent: this }).subscriptionId);

    this.roleAssignments = [];
    this.synapseRoleAssignments = [];
    const names: Record<string, pulumi.Output<string>> = {};
    const byKey = new Map<string, ArmRoleAssignment>();

    const principalIds = new Map<string, pulumi.Output<string>>();
    for (const grant of args.grants) {
      const principalId = pulumi
        .all([
          args.principalsChecked,
          grant.principalId ?? principalIdFor(args.principalIds, grant, this),
        ])
        .apply(([, id]) => id);
      principalIds.set(grant.key, principalId);
      const scope = pulumi.output(args.scopes[grant.scope]);
      const logicalName = `${name}-${grant.key}`;

      if (grant.plane === "synapse") {
        const synapseAssignment = new SynapseRoleAssignment(
          logicalName,
          {
            workspaceName: args.workspaceName,
            endpoint: args.synapseEndpoint,
            roleId: grant.roleDefinitionId,
            roleName: grant.role,
            principalId,
            principalType: synapsePrincipalType(grant),
            scope,
            purpose: grant.purpose,
          },
          { parent: this, dependsOn: args.synapseDependsOn },
        );
        logSynapseAssignmentNotices(synapseAssignment, grant.key);
        this.synapseRoleAssignments.push(synapseAssignment);
        continue;
      }

      // The deployer's grant may be the administrator's too: its own name, made after the others of its
      // role and scope, so that it adopts their assignment instead of sharing (and deleting) it.
      const order = armAssignmentOrder(grant, args.grants);
      const roleAssignmentName = pulumi
        .all([scope, principalId])
        .apply(([s, p]) => roleAssignmentGuid(s, p, grant.roleDefinitionId, order.nameQualifier));
      names[grant.key] = roleAssignmentName;
      const after = order.after.map((key) => {
        const earlier = byKey.get(key);
        // The plan orders the grants; one out of order is a bug of the plan (its stack is wanted).
        if (!earlier) {
          throw new ExportError("internal", `grant ${grant.key}: grant ${key} must come before it`);
        }
        return earlier;
      });
      const assignment = new ArmRoleAssignment(
        logicalName,
        {
          roleAssignmentName,
          roleDefinitionId: pulumi.interpolate`/subscriptions/${subscriptionId()}/providers/Microsoft.Authorization/roleDefinitions/${grant.roleDefinitionId}`,
          scope,
          principalId,
          // Always set: without it ARM looks the principal up, and a principal created minutes ago
          // fails with PrincipalNotFound until Entra ID replication catches up.
          principalType: grant.principalType ?? principalTypeFor(args.principalIds, grant),
          description: grant.purpose,
          // Whose assignment this grant may have adopted: when that principal changes, its grant is
          // replaced and the shared assignment deleted, so this one is made again (its update).
          ...(order.after.length > 0
            ? {
                adoptsFrom: pulumi
                  .all(order.after.map((key) => principalIds.get(key)!))
                  .apply((ids) => ids.map((id) => id.toLowerCase()).join(",")),
              }
            : {}),
        },
        // Role assignments cannot be updated in place, and a new one with the same scope, principal
        // and role would collide with the old one while it still exists.
        {
          parent: this,
          deleteBeforeReplace: true,
          ...(after.length > 0 ? { dependsOn: after } : {}),
        },
      );
      logArmAssignmentNotices(assignment, grant.key);
      byKey.set(grant.key, assignment);
      this.roleAssignments.push(assignment);
    }

    this.resources = [...this.roleAssignments, ...this.synapseRoleAssignments];
    this.grantsMadeAt = pulumi
      .all([...this.roleAssignments, ...this.synapseRoleAssignments].map((a) => a.madeAt))
      .apply(newestGrantMadeAt);
    this.assignmentNames = pulumi.output(names);
    this.registerOutputs({ assignmentNames: this.assignmentNames });
  }
}

function principalIdFor(
  ids: PrincipalIds,
  grant: Grant,
  parent: pulumi.Resource,
): pulumi.Input<string> {
  if (grant.principal === "reader" || grant.principal === "contributor") {
    throw runError(
      "spec",
      `grant ${grant.key}: a ${grant.principal} needs an objectId in the spec`,
    );
  }
  if (grant.principal === "deployer") {
    if (ids.deployer === undefined) {
      throw resourceError(
        "spec",
        `grant ${grant.key}: give principalIds.deployer (resolveDeployer), or set principals.deployer: false`,
        parent,
      );
    }
    return ids.deployer;
  }
  return ids[grant.principal];
}

/** Only the deployer's kind can be unknown offline. */
function principalTypeFor(ids: PrincipalIds, grant: Grant): pulumi.Input<string> {
  if (grant.principal !== "deployer" || ids.deployerType === undefined) {
    throw runError("spec", `grant ${grant.key}: the principal's type is unknown`);
  }
  return ids.deployerType;
}

/** Synapse RBAC needs the type on every assignment (Synapse SQL maps the principal by it). */
function synapsePrincipalType(grant: Grant): "User" | "Group" | "ServicePrincipal" {
  if (!grant.principalType) {
    throw runError(
      "spec",
      `grant ${grant.key}: a Synapse role assignment needs the principal's type`,
    );
  }
  return grant.principalType;
}

/**
 * Only the plan's roles, each on its own plane: a Synapse role id sent to ARM would be refused at best
 * and, were a GUID ever to collide, grant something else; a broader ARM role is never ours to grant.
 */
export function assertGrantable(grant: Grant): void {
  const id = grant.roleDefinitionId.toLowerCase();
  // hasOwn: an id such as "__proto__" must not find Object's prototype (and be named "[object Object]").
  const forbidden = Object.hasOwn(FORBIDDEN_ROLE_IDS, id) ? FORBIDDEN_ROLE_IDS[id] : undefined;
  if (forbidden) {
    throw runError(
      "spec",
      `grant ${grant.key}: the role ${forbidden} is broader than the export needs and is never granted; use the permission plan's roles`,
    );
  }
  const role = Object.values(ROLES).find((r) => r.id === id);
  if (!role) {
    throw runError(
      "spec",
      `grant ${grant.key}: role definition ${grant.roleDefinitionId} is not one of the permission plan's roles (${Object.keys(ROLES).join(", ")})`,
    );
  }
  if (role.plane !== grant.plane) {
    throw runError(
      "spec",
      `grant ${grant.key}: ${role.name} is a ${role.plane === "synapse" ? "Synapse RBAC" : "Azure (ARM)"} role and cannot be assigned through ${grant.plane === "synapse" ? "Synapse RBAC" : "Azure (ARM) role assignments"}`,
    );
  }
}
