// A Synapse RBAC role assignment as a Pulumi resource: the seed's "Synapse Administrator for the
// Customer Insights service principal on the workspace". Synapse roles live in the workspace's data
// plane (https://<workspace>.dev.azuresynapse.net), which neither azure-native nor ARM manages, hence a
// dynamic provider. It is a thin adapter: the rules are in src/engine/synapseRbac, loaded inside each
// method because Pulumi serializes this provider and runs it in another process.

import * as pulumi from "@pulumi/pulumi";
import { loadEngine } from "./loadEngine";
import type * as InputsModule from "../engine/synapseRbac/roleAssignmentInputs";
import type * as ClientModule from "../engine/synapseRbac/synapseRbacClient";

/** What Pulumi passes for a value not known yet (preview), in the dynamic provider's property bags. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type SynapsePrincipalType = "User" | "Group" | "ServicePrincipal";

export interface SynapseRoleAssignmentArgs {
  /** The Synapse workspace name. */
  workspaceName: pulumi.Input<string>;
  /** The workspace's data-plane endpoint. Default: https://<workspaceName>.dev.azuresynapse.net. */
  endpoint?: pulumi.Input<string>;
  /** The Synapse built-in role id, e.g. ROLES["Synapse Administrator"].id. Never an ARM role. */
  roleId: pulumi.Input<string>;
  /** The role's display name, for preview and messages. */
  roleName: pulumi.Input<string>;
  /** The principal's object id. */
  principalId: pulumi.Input<string>;
  /** Always sent: Synapse SQL maps a principal without it to the wrong SID. */
  principalType: pulumi.Input<SynapsePrincipalType>;
  /** Default: workspaces/<workspaceName>. */
  scope?: pulumi.Input<string>;
  /** Why the grant exists; a label, changing it does not touch the assignment. */
  purpose: pulumi.Input<string>;
}

interface State {
  workspaceName: string;
  endpoint: string;
  roleId: string;
  roleName: string;
  principalId: string;
  principalType: SynapsePrincipalType;
  scope: string;
  purpose: string;
  assignmentId: string;
  adopted: boolean;
}

function stateOf(inputs: Record<string, unknown>, assignmentId: string, adopted: boolean): State {
  return {
    workspaceName: inputs.workspaceName as string,
    endpoint: inputs.endpoint as string,
    roleId: inputs.roleId as string,
    roleName: inputs.roleName as string,
    principalId: inputs.principalId as string,
    principalType: inputs.principalType as SynapsePrincipalType,
    scope: inputs.scope as string,
    purpose: (inputs.purpose as string | undefined) ?? "",
    assignmentId,
    adopted,
  };
}

export const synapseRoleAssignmentProvider: pulumi.dynamic.ResourceProvider = {
  async check(
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult> {
    const { checkRoleAssignmentInputs } = loadEngine<typeof InputsModule>(
      "synapseRbac/roleAssignmentInputs",
    );
    const { inputs, failures } = checkRoleAssignmentInputs(news, (v) => v === UNKNOWN);
    return { inputs, failures };
  },

  async diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.DiffResult> {
    const { diffRoleAssignmentInputs } = loadEngine<typeof InputsModule>(
      "synapseRbac/roleAssignmentInputs",
    );
    const { changes, replaces, deleteBeforeReplace } = diffRoleAssignmentInputs(
      olds,
      news,
      (v) => v === UNKNOWN,
    );
    return { changes, replaces, deleteBeforeReplace };
  },

  async create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    const { ensureRoleAssignment } = loadEngine<typeof ClientModule>(
      "synapseRbac/synapseRbacClient",
    );
    const result = await ensureRoleAssignment({
      endpoint: inputs.endpoint as string,
      workspaceName: inputs.workspaceName as string,
      roleId: inputs.roleId as string,
      roleName: inputs.roleName as string,
      principalId: inputs.principalId as string,
      principalType: inputs.principalType as SynapsePrincipalType,
      scope: inputs.scope as string,
    });
    return { id: result.assignmentId, outs: stateOf(inputs, result.assignmentId, result.adopted) };
  },

  // Only labels and the endpoint reach here (everything else replaces): nothing to send to Synapse.
  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return {
      outs: stateOf(news, (olds.assignmentId as string | undefined) ?? id, Boolean(olds.adopted)),
    };
  },

  async read(id: string, props?: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    if (!props?.endpoint) {
      throw new Error(
        `SynapseRoleAssignment ${id}: cannot refresh or import without its endpoint and workspace; declare the resource ` +
          `in the program (it adopts an existing assignment of the same role, principal and scope) instead of importing by id.`,
      );
    }
    const { getRoleAssignment } = loadEngine<typeof ClientModule>("synapseRbac/synapseRbacClient");
    const found = await getRoleAssignment({
      endpoint: props.endpoint as string,
      workspaceName: props.workspaceName as string | undefined,
      assignmentId: id,
    });
    // Gone: an empty id tells Pulumi to drop it from the state, and the next `up` creates it again.
    if (!found) return { id: "" };
    return {
      id,
      props: {
        ...props,
        roleId: found.roleDefinitionId.toLowerCase(),
        principalId: found.principalId.toLowerCase(),
        scope: found.scope,
        // Absent on the service means the assignment lacks it: the next `up` shows a replacement that sets it.
        principalType: found.principalType ?? "",
        assignmentId: found.id,
      },
    };
  },

  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    const { ownedByThisStack } = loadEngine<typeof InputsModule>(
      "synapseRbac/roleAssignmentInputs",
    );
    if (!ownedByThisStack(props)) return;
    const { deleteRoleAssignment } = loadEngine<typeof ClientModule>(
      "synapseRbac/synapseRbacClient",
    );
    await deleteRoleAssignment({
      endpoint: props.endpoint as string,
      workspaceName: props.workspaceName as string | undefined,
      assignmentId: (props.assignmentId as string | undefined) ?? id,
    });
  },
};

/**
 * A Synapse RBAC role assignment on a workspace (data plane). Creating it adopts an existing assignment
 * of the same role, principal and scope; deleting it removes the assignment, adopted or not (use the
 * `retainOnDelete` resource option to keep one that was there before). Its Pulumi type is
 * `pulumi-nodejs:dynamic/synapse-export:SynapseRoleAssignment`.
 */
export class SynapseRoleAssignment extends pulumi.dynamic.Resource {
  declare readonly workspaceName: pulumi.Output<string>;
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly roleId: pulumi.Output<string>;
  declare readonly roleName: pulumi.Output<string>;
  declare readonly principalId: pulumi.Output<string>;
  declare readonly principalType: pulumi.Output<SynapsePrincipalType>;
  declare readonly scope: pulumi.Output<string>;
  declare readonly purpose: pulumi.Output<string>;
  /** The Synapse role assignment id (a GUID), ours or the adopted one's. */
  declare readonly assignmentId: pulumi.Output<string>;
  /** True when the assignment existed before and was adopted rather than created. */
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: SynapseRoleAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      synapseRoleAssignmentProvider,
      name,
      {
        endpoint: undefined,
        scope: undefined,
        ...args,
        assignmentId: undefined,
        adopted: undefined,
      },
      opts,
      "synapse-export",
      "SynapseRoleAssignment",
    );
  }
}
