// Reads `pulumi preview --json` and tells a reviewer which permissions change: ARM role assignments
// (azure-native:authorization:RoleAssignment) and Synapse role assignments (our dynamic resource).
// The document's shape is Pulumi's: { steps: [{ op, urn, oldState?, newState?, ... }] }, each state
// with `type` and `inputs` (https://www.pulumi.com/docs/iac/cli/commands/pulumi_preview/, --json).

import { roleNameForId } from "./roles";

export type PermissionChangeKind = "added" | "removed" | "replaced" | "updated";

export interface PermissionChange {
  change: PermissionChangeKind;
  plane: "arm" | "synapse";
  urn: string;
  principalId: string;
  principalType: string;
  role: string;
  roleDefinitionId: string;
  scope: string;
  purpose: string;
  /** For replaced and updated grants: what it was before, where that differs. */
  before?: { principalId: string; role: string; scope: string };
}

interface State {
  type?: string;
  urn?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

interface Step {
  op?: string;
  urn?: string;
  oldState?: State;
  newState?: State;
  // The engine's event stream calls them old/new.
  old?: State;
  new?: State;
}

const ARM_TYPE = "azure-native:authorization:RoleAssignment";

const KIND_OF_OP: Record<string, PermissionChangeKind | undefined> = {
  create: "added",
  delete: "removed",
  replace: "replaced",
  "create-replacement": "replaced",
  "delete-replaced": "replaced",
  update: "updated",
};

export class PreviewDocumentError extends Error {}

export function permissionChanges(document: unknown): PermissionChange[] {
  const steps = (document as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) {
    throw new PreviewDocumentError(
      "not a `pulumi preview --json` document: it has no `steps` list (run `pulumi preview --json > preview.json`)",
    );
  }
  const byUrn = new Map<string, PermissionChange>();
  for (const step of steps as Step[]) {
    const kind = step.op ? KIND_OF_OP[step.op] : undefined;
    if (!kind) continue;
    const oldState = step.oldState ?? step.old;
    const newState = step.newState ?? step.new;
    const after = grantOf(newState);
    const before = grantOf(oldState);
    const current = after ?? before;
    if (!current) continue;
    const urn = step.urn ?? newState?.urn ?? oldState?.urn ?? "";
    // A replacement shows up as up to three steps (replace, create-replacement, delete-replaced): one row.
    const previous = byUrn.get(urn);
    const change: PermissionChange = {
      change: kind,
      urn,
      ...current,
      ...(before && after && (kind === "replaced" || kind === "updated")
        ? { before: { principalId: before.principalId, role: before.role, scope: before.scope } }
        : {}),
    };
    byUrn.set(
      urn,
      previous ? { ...previous, ...change, before: change.before ?? previous.before } : change,
    );
  }
  return [...byUrn.values()];
}

type Grant = Omit<PermissionChange, "change" | "urn" | "before">;

function grantOf(state: State | undefined): Grant | undefined {
  if (!state) return undefined;
  const inputs = { ...(state.outputs ?? {}), ...(state.inputs ?? {}) };
  const text = (v: unknown) =>
    typeof v === "string" ? v : v === undefined ? "" : "(known after deploy)";
  if (state.type === ARM_TYPE) {
    const roleDefinitionId = text(inputs.roleDefinitionId);
    return {
      plane: "arm",
      principalId: text(inputs.principalId),
      principalType: text(inputs.principalType),
      roleDefinitionId,
      role: roleNameForId(roleDefinitionId) ?? roleDefinitionId,
      scope: text(inputs.scope),
      purpose: text(inputs.description),
    };
  }
  // Our Synapse role assignments are dynamic resources: recognised by their inputs.
  if (typeof inputs.roleId === "string" && "workspaceName" in inputs) {
    return {
      plane: "synapse",
      principalId: text(inputs.principalId),
      principalType: text(inputs.principalType),
      roleDefinitionId: inputs.roleId,
      role: text(inputs.roleName) || roleNameForId(inputs.roleId) || inputs.roleId,
      scope: text(inputs.scope) || `workspaces/${text(inputs.workspaceName)}`,
      purpose: text(inputs.purpose),
    };
  }
  return undefined;
}
