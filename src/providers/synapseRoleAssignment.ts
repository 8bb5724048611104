// A Synapse RBAC role assignment as a Pulumi resource: the seed's "Synapse Administrator for the
// Customer Insights service principal on the workspace". Synapse roles live in the workspace's data
// plane (https://<workspace>.dev.azuresynapse.net), which neither azure-native nor ARM manages, hence a
// dynamic provider. It is a thin adapter: the rules are in src/plan/synapseRoleAssignmentInputs.ts (check, diff,
// ownership) and src/engine/synapseRbac (the service), loaded inside each
// method because Pulumi serializes this provider and runs it in another process.

import * as pulumi from "@pulumi/pulumi";
import { loadEngine, loadPlan } from "./loadEngine";
import { PULUMI_UNKNOWN } from "../plan/pulumiUnknown";
import type * as InputsModule from "../plan/synapseRoleAssignmentInputs";
import type * as ClientModule from "../engine/synapseRbac/synapseRbacClient";

// What Pulumi passes for a value not known yet (preview): a plain constant, serialized with the provider.
const UNKNOWN = PULUMI_UNKNOWN;

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
  /** False for an assignment that was there before us: delete leaves it. */
  owned: boolean;
  /** The principalType the service reports (null on assignments made without one); never diffed. */
  servicePrincipalType: string | null;
  /** What the user should know about an adopted assignment, or "". */
  notice: string;
  /** False when the assignment's id could not be read (a refused look-up): `assignmentId` is then ours. */
  idKnown: boolean;
}

interface Outcome {
  assignmentId: string;
  adopted: boolean;
  owned: boolean;
  servicePrincipalType: string | null;
  notice: string;
  idKnown: boolean;
  /** When this stack made or adopted it (ISO 8601), "" when not known: the export waits from it. */
  madeAt: string;
}

function stateOf(inputs: Record<string, unknown>, outcome: Outcome): State {
  return {
    workspaceName: inputs.workspaceName as string,
    endpoint: inputs.endpoint as string,
    roleId: inputs.roleId as string,
    roleName: inputs.roleName as string,
    principalId: inputs.principalId as string,
    principalType: inputs.principalType as SynapsePrincipalType,
    scope: inputs.scope as string,
    purpose: (inputs.purpose as string | undefined) ?? "",
    ...outcome,
  };
}

function outcomeOf(olds: Record<string, unknown>, id: string): Outcome {
  return {
    assignmentId: (olds.assignmentId as string | undefined) ?? id,
    adopted: Boolean(olds.adopted),
    // States written before `owned` existed: what was not adopted was ours.
    owned: typeof olds.owned === "boolean" ? olds.owned : !olds.adopted,
    servicePrincipalType:
      olds.servicePrincipalType === undefined
        ? ((olds.principalType as string | undefined) ?? null)
        : (olds.servicePrincipalType as string | null),
    notice: (olds.notice as string | undefined) ?? "",
    idKnown: typeof olds.idKnown === "boolean" ? olds.idKnown : true,
    madeAt: typeof olds.madeAt === "string" ? olds.madeAt : "",
  };
}

/** Waits on a terminal say why, once per retry: a 10-minute authorization wait must not look like a hang. */
function progress(event: ClientModule.RetryEvent): void {
  process.stderr.write(
    `synapse-export: ${event.operation}: ${event.reason}; retrying in ${Math.round(event.delayMs / 1000)} s (attempt ${event.attempt})\n`,
  );
}

export const synapseRoleAssignmentProvider: pulumi.dynamic.ResourceProvider = {
  async check(
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.CheckResult> {
    const { checkRoleAssignmentInputs } = loadPlan<typeof InputsModule>(
      "synapseRoleAssignmentInputs",
    );
    const { inputs, failures } = checkRoleAssignmentInputs(news, (v) => v === UNKNOWN);
    return { inputs, failures };
  },

  async diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.DiffResult> {
    const { diffRoleAssignmentInputs } = loadPlan<typeof InputsModule>(
      "synapseRoleAssignmentInputs",
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
      onRetry: progress,
    });
    const outcome: Outcome = {
      assignmentId: result.assignmentId,
      adopted: result.adopted,
      owned: result.owned,
      servicePrincipalType: result.assignment.principalType ?? null,
      notice: result.notice ?? "",
      idKnown: result.idKnown,
      madeAt: new Date().toISOString(),
    };
    // Not logged here: a dynamic provider cannot reach the Pulumi engine's log (pulumi/pulumi#6065,
    // #18249); the component logs `notice` on this resource.
    return { id: result.assignmentId, outs: stateOf(inputs, outcome) };
  },

  // Only labels and the endpoint reach here (everything else replaces): nothing to send to Synapse.
  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: stateOf(news, outcomeOf(olds, id)) };
  },

  async read(id: string, props?: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
    if (!props?.endpoint) {
      throw new Error(
        `SynapseRoleAssignment ${id}: cannot refresh or import without its endpoint and workspace; declare the resource ` +
          `in the program (it adopts an existing assignment of the same role, principal and scope) instead of importing by id.`,
      );
    }
    const { getRoleAssignment, lookUpRoleAssignment } = loadEngine<typeof ClientModule>(
      "synapseRbac/synapseRbacClient",
    );
    const { adoptedWithUnknownId } = loadPlan<typeof InputsModule>("synapseRoleAssignmentInputs");
    if (adoptedWithUnknownId(props)) {
      // Our id is not the assignment's (its look-up was refused at create): a GET of it answers 404
      // although the assignment is there. Find it by what it grants; when that is refused too, nothing
      // says it is gone, so the state stays as it is (dropping it made the next `up` adopt it again).
      const lookup = await lookUpRoleAssignment({
        endpoint: props.endpoint as string,
        workspaceName: props.workspaceName as string | undefined,
        roleId: props.roleId as string,
        principalId: props.principalId as string,
        scope: props.scope as string,
      });
      if (lookup.refused) return { id, props };
      if (!lookup.found) return { id: "" };
      return {
        id,
        props: {
          ...props,
          assignmentId: lookup.found.id,
          idKnown: true,
          servicePrincipalType: lookup.found.principalType ?? null,
        },
      };
    }
    const found = await getRoleAssignment({
      endpoint: props.endpoint as string,
      workspaceName: props.workspaceName as string | undefined,
      // The assignment's own id, which a refresh may have learnt after create recorded ours.
      assignmentId: (props.assignmentId as string | undefined) || id,
    });
    // Gone: an empty id tells Pulumi to drop it from the state, and the next `up` creates it again.
    if (!found) return { id: "" };
    // The service's own values land in service* fields, never in the inputs: a principalType that is null
    // on the service (Azure/azure-cli#22078) would otherwise show a replacement on every refresh, and the
    // replacement would adopt the same assignment again, so it would never settle.
    return {
      id,
      props: {
        ...props,
        assignmentId: found.id,
        servicePrincipalType: found.principalType ?? null,
      },
    };
  },

  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    const { ownedByThisStack } = loadPlan<typeof InputsModule>("synapseRoleAssignmentInputs");
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
 * A Synapse RBAC role assignment on a workspace (data plane). Creating it PUTs the deterministic id and,
 * when the service answers RoleAssignmentAlreadyExists, adopts the existing assignment of the same role,
 * principal and scope; deleting it removes only an assignment this stack created (`owned`). Its Pulumi type is
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
  /** False when `pulumi destroy` leaves the assignment (it was there before this stack). */
  declare readonly owned: pulumi.Output<boolean>;
  /** The principalType the service reports; null on assignments made without one. */
  declare readonly servicePrincipalType: pulumi.Output<string | null>;
  /** What to do about an adopted assignment (a refused look-up, a missing principalType), or "". */
  declare readonly notice: pulumi.Output<string>;
  /** False when the assignment exists but its id could not be read (listing was refused). */
  declare readonly idKnown: pulumi.Output<boolean>;
  /** When this stack made or adopted the assignment (ISO 8601), "" when not known. */
  declare readonly madeAt: pulumi.Output<string>;

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
        owned: undefined,
        servicePrincipalType: undefined,
        notice: undefined,
        idKnown: undefined,
        madeAt: undefined,
      },
      opts,
      "synapse-export",
      "SynapseRoleAssignment",
    );
  }
}
