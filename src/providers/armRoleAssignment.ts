// An Azure (ARM) role assignment as a Pulumi resource that adopts what already exists. azure-native's
// RoleAssignment cannot: ARM answers a second assignment of the same role, principal and scope with 409
// RoleAssignmentExists, and Azure itself assigns Storage Blob Data Contributor to a new workspace's
// identity when its creator owns the lake, so the usual first `pulumi up` failed. The rules are in
// src/engine/armRbac (loaded inside each method: Pulumi serializes this provider); adoption:
// - create looks up an assignment of the same (scope, principal, role); one under another name is
//   adopted (`adopted: true, owned: false`), ours is recognised (`owned: true`); else our deterministic
//   name is PUT, and a 409 from a race is looked up and adopted;
// - delete removes only what this stack owns: an adopted assignment was not ours;
// - preview shows an adoption: for a new resource whose inputs are all known, check looks the assignment
//   up and records `adoptsExisting` (the existing assignment's id, or "" when there is none), which the
//   preview prints; without credentials, or when the look-up fails or takes more than a few seconds,
//   the property is left out and preview goes on (unknown, not a failure). `pulumi up` decides anew.

import * as pulumi from "@pulumi/pulumi";
import { loadEngine, loadPlan } from "./loadEngine";
import type * as InputsModule from "../plan/armRoleAssignmentInputs";
import { PULUMI_UNKNOWN } from "../plan/pulumiUnknown";
import type * as ClientModule from "../engine/armRbac/armRoleAssignmentClient";

// What Pulumi passes for a value not known yet (preview): a plain constant, serialized with the provider.
const UNKNOWN = PULUMI_UNKNOWN;

export interface ArmRoleAssignmentArgs {
  /** The deterministic name (a GUID of scope, principal and role). */
  roleAssignmentName: pulumi.Input<string>;
  /** /subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>. */
  roleDefinitionId: pulumi.Input<string>;
  scope: pulumi.Input<string>;
  principalId: pulumi.Input<string>;
  /** Always given: ARM refuses a wrong one (UnmatchedPrincipalType) and looks up a missing one. */
  principalType: pulumi.Input<string>;
  /** Why the grant exists; a label, recorded without a call to ARM. */
  description?: pulumi.Input<string>;
  /** Default https://management.azure.com (tests: a loopback server). */
  armEndpoint?: pulumi.Input<string>;
  /**
   * The principals of the grants this one is made after, whose assignment it may adopt (the deploying
   * identity's, when it is also the administrator). A change is an update that makes the assignment
   * again when the adopted one went with the other grant's replacement.
   */
  adoptsFrom?: pulumi.Input<string>;
}

/** How long preview waits for the adoption look-up (a credential chain without credentials can be slow). */
const PREVIEW_LOOKUP_MS = 10_000;

/** The existing assignment's id, "" when there is none, undefined when it could not be found out. */
async function lookUpExisting(inputs: Record<string, unknown>): Promise<string | undefined> {
  const keys = ["roleAssignmentName", "roleDefinitionId", "scope", "principalId"];
  if (keys.some((k) => typeof inputs[k] !== "string" || inputs[k] === UNKNOWN)) return undefined;
  const lookup = clientFor(inputs)
    .findExisting({
      scope: inputs.scope as string,
      roleAssignmentName: inputs.roleAssignmentName as string,
      roleDefinitionId: inputs.roleDefinitionId as string,
      principalId: inputs.principalId as string,
    })
    .then((found) => (found?.adopted ? found.id : ""))
    .catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), PREVIEW_LOOKUP_MS);
    timer.unref();
  });
  try {
    return await Promise.race([lookup, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function clientFor(inputs: Record<string, unknown>) {
  const { ArmRoleAssignmentClient } = loadEngine<typeof ClientModule>(
    "armRbac/armRoleAssignmentClient",
  );
  return new ArmRoleAssignmentClient({
    endpoint: (inputs.armEndpoint as string | undefined) || undefined,
  });
}

export const armRoleAssignmentProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds, news): Promise<pulumi.dynamic.CheckResult> {
    const rules = loadPlan<typeof InputsModule>("armRoleAssignmentInputs");
    const failures = rules.armRoleAssignmentFailures(news, (v) => v === UNKNOWN);
    if (failures.length > 0) return { inputs: news, failures };
    const inputs: Record<string, unknown> = { ...news };
    delete inputs.adoptsExisting;
    // `olds` are the old *inputs*: an assignment already in the state keeps what create decided.
    if (rules.sameArmGrantInState(olds, news)) {
      if (olds.adoptsExisting !== undefined) inputs.adoptsExisting = olds.adoptsExisting;
    } else {
      const existing = await lookUpExisting(news);
      if (existing !== undefined) inputs.adoptsExisting = existing;
    }
    return { inputs, failures };
  },

  async diff(_id, olds, news): Promise<pulumi.dynamic.DiffResult> {
    return loadPlan<typeof InputsModule>("armRoleAssignmentInputs").diffArmRoleAssignmentInputs(
      olds,
      news,
      (v) => v === UNKNOWN,
    );
  },

  async create(inputs): Promise<pulumi.dynamic.CreateResult> {
    const result = await clientFor(inputs).ensure({
      scope: inputs.scope as string,
      roleAssignmentName: inputs.roleAssignmentName as string,
      roleDefinitionId: inputs.roleDefinitionId as string,
      principalId: inputs.principalId as string,
      principalType: inputs.principalType as string,
      description: inputs.description as string | undefined,
    });
    // A dynamic provider runs apart from the Pulumi engine and cannot log through it (pulumi/pulumi#6065,
    // #18249): the notice is an output, which the component logs on this resource (pulumi.log).
    const notice = !result.adopted
      ? ""
      : result.idKnown
        ? `adopted the existing role assignment ${result.id} (same role, principal and scope): it was not made by this stack, so pulumi destroy leaves it`
        : `adopted an existing role assignment of the same role, principal and scope at ${inputs.scope as string}: ARM answered RoleAssignmentExists, and listing assignments was refused, so its id is not known; ` +
          `it is recorded as adopted and not owned, pulumi destroy leaves it, and a refresh finds it once the deploying identity may read role assignments (Microsoft.Authorization/roleAssignments/read)`;
    return {
      id: result.id,
      outs: {
        ...inputs,
        assignmentId: result.id,
        adopted: result.adopted,
        owned: result.owned,
        idKnown: result.idKnown,
        notice,
        // When this stack made (or adopted) it: what the export waits from for it to apply.
        madeAt: new Date().toISOString(),
      },
    };
  },

  async update(_id, olds, news): Promise<pulumi.dynamic.UpdateResult> {
    // An adopted assignment may have gone with the grant it was adopted from (a new administrator
    // replaced it): ensured again, as create does. Ours, or nothing to re-check: as it was.
    if (
      loadPlan<typeof InputsModule>("armRoleAssignmentInputs").armUpdateEnsuresAgain(olds, news)
    ) {
      const created = await armRoleAssignmentProvider.create!(news);
      return { outs: created.outs };
    }
    return {
      outs: {
        ...news,
        assignmentId: olds.assignmentId,
        adopted: olds.adopted,
        owned: olds.owned,
        idKnown: olds.idKnown ?? true,
        notice: olds.notice ?? "",
        // Not made again: as it was ("" in a state from before madeAt: not known).
        madeAt: olds.madeAt ?? "",
      },
    };
  },

  async read(id, props): Promise<pulumi.dynamic.ReadResult> {
    const { adoptedWithUnknownId } = loadEngine<typeof ClientModule>(
      "armRbac/armRoleAssignmentClient",
    );
    const client = clientFor(props ?? {});
    if (props && adoptedWithUnknownId(props)) {
      // Our deterministic id is not the assignment's (the list was refused at create): a GET of it
      // answers 404 although the assignment is there. Look it up by what it grants; when the list is
      // refused again, nothing says it is gone, so the state stays (dropping it made the next `up`
      // adopt it again, refresh after refresh).
      const lookup = await client.lookUp({
        scope: props.scope as string,
        roleAssignmentName: props.roleAssignmentName as string,
        roleDefinitionId: props.roleDefinitionId as string,
        principalId: props.principalId as string,
      });
      if (lookup.refused) return { id, props };
      if (!lookup.found) return { id: "" };
      return { id, props: { ...props, assignmentId: lookup.found.id, idKnown: true } };
    }
    const found = await client.get((props?.assignmentId as string | undefined) || id);
    if (!found) return { id: "" };
    return { id, props: { ...props, assignmentId: found.id } };
  },

  async delete(id, props): Promise<void> {
    if (props.owned === false) return;
    await clientFor(props).delete((props.assignmentId as string | undefined) ?? id);
  },
};

/**
 * An Azure role assignment that adopts an existing one of the same role, principal and scope, and
 * deletes only what it created. Its Pulumi type is `pulumi-nodejs:dynamic/synapse-export:ArmRoleAssignment`.
 */
export class ArmRoleAssignment extends pulumi.dynamic.Resource {
  declare readonly roleAssignmentName: pulumi.Output<string>;
  declare readonly roleDefinitionId: pulumi.Output<string>;
  declare readonly scope: pulumi.Output<string>;
  declare readonly principalId: pulumi.Output<string>;
  declare readonly principalType: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string | undefined>;
  /** The ARM id of the assignment, ours or the adopted one's. */
  declare readonly assignmentId: pulumi.Output<string>;
  /** True when an assignment made outside this stack was adopted. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** False when `pulumi destroy` leaves the assignment. */
  declare readonly owned: pulumi.Output<boolean>;
  /** False when the assignment exists but its id could not be read (listing was refused). */
  declare readonly idKnown: pulumi.Output<boolean>;
  /** What `up` did that a reader should know (an adoption), or "": the component logs it. */
  declare readonly notice: pulumi.Output<string>;
  /** What preview found: the id of the assignment `up` will adopt, "" for none; absent when unknown. */
  declare readonly adoptsExisting: pulumi.Output<string | undefined>;
  /** When this stack made or adopted the assignment (ISO 8601), "" when not known. */
  declare readonly madeAt: pulumi.Output<string>;

  constructor(name: string, args: ArmRoleAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      armRoleAssignmentProvider,
      name,
      {
        armEndpoint: undefined,
        description: undefined,
        ...args,
        assignmentId: undefined,
        adopted: undefined,
        owned: undefined,
        idKnown: undefined,
        notice: undefined,
        // Set by check (what preview found); declared so the component can read it.
        adoptsExisting: undefined,
        madeAt: undefined,
      },
      opts,
      "synapse-export",
      "ArmRoleAssignment",
    );
  }
}
