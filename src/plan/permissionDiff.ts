// Reads `pulumi preview --json` and tells a reviewer which permissions change: ARM role assignments
// (azure-native:authorization:RoleAssignment) and Synapse role assignments (our dynamic resource), and
// which of them need a second look: broader than the export needs, or not what the spec's plan says.
// The document's shape is Pulumi's: { steps: [{ op, urn, oldState?, newState?, ... }] }, each state
// with `type` and `inputs` (https://www.pulumi.com/docs/iac/cli/commands/pulumi_preview/, --json).
// The document comes from outside: every field is checked, and anything else is a PreviewDocumentError
// that says what was expected, never a TypeError.

import type { Spec } from "../spec/types";
import { planGrants, type Grant as PlannedGrant } from "./grants";
import { roleNameForId } from "./roles";

export type PermissionChangeKind = "added" | "removed" | "replaced" | "updated";

export type PermissionFlagKind = "broad-role" | "broad-scope" | "differs-from-plan" | "not-in-plan";

export interface PermissionFlag {
  kind: PermissionFlagKind;
  /** Why, in words a reviewer can act on. */
  reason: string;
}

export interface PermissionChange {
  change: PermissionChangeKind;
  plane: "arm" | "synapse";
  urn: string;
  /** The object id, or UNKNOWN_VALUE when Pulumi knows it only after deploy. */
  principalId: string;
  principalType: string;
  /** What the preview itself says the principal is, when it can tell (e.g. a workspace's identity). */
  principalName?: string;
  role: string;
  roleDefinitionId: string;
  scope: string;
  purpose: string;
  /** For replaced and updated grants: what it was before, where that differs. */
  before?: { principalId: string; role: string; scope: string };
  /** Empty when nothing needs a second look. */
  flags: PermissionFlag[];
  /**
   * With a spec: the planned grant it matched knows its principal only at deploy time (the deployer
   * when the spec names none, Customer Insights by appId, the administrator by UPN, the workspace's
   * identity), so its principal was not compared; why, and what makes it comparable.
   */
  principalUnchecked?: string;
}

export interface PermissionReview {
  summary: {
    added: number;
    removed: number;
    replaced: number;
    updated: number;
    /** Changes with a role or scope broader than the export needs. */
    broad: number;
    /** Changes whose principal, role or scope is not what the spec's plan says (with a spec only). */
    differsFromPlan: number;
    /** Changes matched to a planned grant whose principal the plan knows only at deploy time. */
    principalUnchecked: number;
  };
  changes: PermissionChange[];
}

/** How a value that is computed during the deployment reads in the review. */
export const UNKNOWN_VALUE = "(known after deploy)";

/**
 * Pulumi's marker for a value not known until deploy: the `unknownValue` of its RPC layer
 * (sdk/nodejs/runtime/rpc.ts `unknownValue`, sdk/go/pulumi/rpc.go `rpcTokenUnknownValue`), which
 * preview JSON prints where the value will be.
 */
export { PULUMI_UNKNOWN } from "./pulumiUnknown";
import { PULUMI_UNKNOWN } from "./pulumiUnknown";
/** Pulumi's signature key and secret signature (same RPC files): `{ [SIG_KEY]: SECRET_SIG, value }`. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const ARM_TYPE = "azure-native:authorization:RoleAssignment";
/** The components' own ARM role assignment (src/providers/armRoleAssignment.ts), which adopts. */
const OUR_ARM_TYPE = "pulumi-nodejs:dynamic/synapse-export:ArmRoleAssignment";
const WORKSPACE_TYPE = "azure-native:synapse:Workspace";

// Pulumi's step ops (sdk/go/common/apitype OpType). Only four change a grant; the others read, keep or
// forget a resource, which changes no permission.
const KIND_OF_OP = new Map<string, PermissionChangeKind | null>([
  ["create", "added"],
  ["delete", "removed"],
  ["replace", "replaced"],
  ["create-replacement", "replaced"],
  ["delete-replaced", "replaced"],
  ["update", "updated"],
  ["same", null],
  ["read", null],
  ["read-replacement", null],
  ["read-discard", null],
  ["refresh", null],
  ["discard", null],
  ["discard-replaced", null],
  ["remove-pending-replace", null],
  ["import", null],
  ["import-replacement", null],
]);

/**
 * Built-in ARM roles that can do far more than the export needs (write anything, or grant access):
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles (ids pinned there; the
 * same ids are in Azure Verified Modules' role tables).
 */
// A Map, not an object: a role id read from the preview such as "__proto__" must find nothing.
const BROAD_ROLES: ReadonlyMap<string, string> = new Map([
  ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"],
  ["b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"],
  ["18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "User Access Administrator"],
  ["f58310d9-a9f6-439a-9e8d-f62e7b41a168", "Role Based Access Control Administrator"],
]);

export class PreviewDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PreviewDocumentError";
  }
}

const EXPECTED =
  "expected the output of `pulumi preview --json`: { steps: [{ op, urn, oldState?, newState? }] }";

type Json = Record<string, unknown>;

interface GrantFields {
  plane: "arm" | "synapse";
  principalId: string;
  principalType: string;
  role: string;
  roleDefinitionId: string;
  scope: string;
  purpose: string;
}

/** The permission changes of a preview; with a spec, also compared with what its plan grants. */
export function reviewPermissions(document: unknown, spec?: Spec): PermissionReview {
  const steps = stepsOf(document);
  const identities = managedIdentities(steps);
  const byUrn = new Map<string, PermissionChange>();
  steps.forEach((step, index) => {
    const where = `step ${index + 1} of the preview`;
    const kind = KIND_OF_OP.get(step.op);
    if (kind === undefined) {
      throw new PreviewDocumentError(
        `${where} has op '${step.op}', which is not one of Pulumi's (${[...KIND_OF_OP.keys()].join(", ")}); ${EXPECTED}`,
      );
    }
    if (kind === null) return;
    const before = grantOf(step.oldState, where, "oldState");
    const after = grantOf(step.newState, where, "newState");
    const current = after ?? before;
    if (!current) return;
    const urn = step.urn;
    const principalName =
      identities.byId.get(current.principalId) ??
      (current.principalId === UNKNOWN_VALUE && /workspace-identity/.test(urnName(urn))
        ? identities.workspaceName
        : undefined);
    // A replacement shows up as up to three steps (replace, create-replacement, delete-replaced): one row.
    const previous = byUrn.get(urn);
    const change: PermissionChange = {
      change: kind,
      urn,
      ...current,
      ...(principalName ? { principalName } : {}),
      ...(before && after && (kind === "replaced" || kind === "updated")
        ? { before: { principalId: before.principalId, role: before.role, scope: before.scope } }
        : {}),
      flags: [],
    };
    byUrn.set(
      urn,
      previous ? { ...previous, ...change, before: change.before ?? previous.before } : change,
    );
  });
  const planned = spec ? planGrants(spec) : undefined;
  // The spec names some principals by object id (readers, contributors): say who they are.
  const named = new Map(
    (planned ?? [])
      .filter((g) => g.principalId !== null)
      .map((g) => [g.principalId!.toLowerCase(), g.principalName] as const),
  );
  const changes = [...byUrn.values()].map((c) => {
    const name = c.principalName ?? named.get(c.principalId.toLowerCase());
    const unchecked =
      planned && c.change !== "removed" ? uncheckedPrincipal(c, planned) : undefined;
    return {
      ...c,
      ...(name ? { principalName: name } : {}),
      flags: flagsOf(c, planned),
      ...(unchecked ? { principalUnchecked: unchecked } : {}),
    };
  });
  const count = (k: PermissionChangeKind) => changes.filter((c) => c.change === k).length;
  return {
    summary: {
      added: count("added"),
      removed: count("removed"),
      replaced: count("replaced"),
      updated: count("updated"),
      broad: changes.filter((c) => c.flags.some((f) => f.kind.startsWith("broad"))).length,
      differsFromPlan: changes.filter((c) =>
        c.flags.some((f) => f.kind === "differs-from-plan" || f.kind === "not-in-plan"),
      ).length,
      principalUnchecked: changes.filter((c) => c.principalUnchecked !== undefined).length,
    },
    changes,
  };
}

/** The changes only (kept for callers that do not review). */
export function permissionChanges(document: unknown): PermissionChange[] {
  return reviewPermissions(document).changes;
}

interface Step {
  op: string;
  urn: string;
  oldState?: State;
  newState?: State;
}

interface State {
  type: string;
  inputs: Json;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "a list" : typeof v;
}

function stepsOf(document: unknown): Step[] {
  if (!isObject(document)) {
    throw new PreviewDocumentError(`the preview is ${describe(document)}; ${EXPECTED}`);
  }
  const steps = document.steps;
  if (!Array.isArray(steps)) {
    throw new PreviewDocumentError(
      `not a \`pulumi preview --json\` document: it has no \`steps\` list (steps is ${describe(steps)}); ` +
        "run `pulumi preview --json > preview.json`",
    );
  }
  return steps.map((raw, index) => {
    const where = `step ${index + 1} of the preview`;
    if (!isObject(raw)) throw new PreviewDocumentError(`${where} is ${describe(raw)}; ${EXPECTED}`);
    if (typeof raw.op !== "string") {
      throw new PreviewDocumentError(
        `${where} has no \`op\` string (op is ${describe(raw.op)}); ${EXPECTED}`,
      );
    }
    // The engine's event stream calls the states old/new.
    const oldState = stateOf(raw.oldState ?? raw.old, where, "oldState");
    const newState = stateOf(raw.newState ?? raw.new, where, "newState");
    const urn = [raw.urn, newState?.urn, oldState?.urn].find((u) => typeof u === "string");
    if (typeof urn !== "string") {
      throw new PreviewDocumentError(`${where} (op ${raw.op}) has no \`urn\` string; ${EXPECTED}`);
    }
    return {
      op: raw.op,
      urn,
      oldState: oldState && { type: oldState.type, inputs: oldState.inputs },
      newState: newState && { type: newState.type, inputs: newState.inputs },
    };
  });
}

function stateOf(
  raw: unknown,
  where: string,
  field: string,
): (State & { urn?: unknown }) | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    throw new PreviewDocumentError(`${where}: ${field} is ${describe(raw)}, expected an object`);
  }
  for (const part of ["inputs", "outputs"]) {
    if (raw[part] !== undefined && raw[part] !== null && !isObject(raw[part])) {
      throw new PreviewDocumentError(
        `${where}: ${field}.${part} is ${describe(raw[part])}, expected an object`,
      );
    }
  }
  const urn = typeof raw.urn === "string" ? raw.urn : undefined;
  const type = typeof raw.type === "string" ? raw.type : urn ? typeOfUrn(urn) : "";
  // Inputs say what is asked for; outputs fill what a delete step may carry only there.
  const inputs = { ...((raw.outputs as Json) ?? {}), ...((raw.inputs as Json) ?? {}) };
  return { type, inputs, urn };
}

/** `urn:pulumi:<stack>::<project>::<parent$type>::<name>` => the resource's own type. */
function typeOfUrn(urn: string): string {
  const parts = urn.split("::");
  return parts.length >= 4 ? (parts[2].split("$").pop() ?? "") : "";
}

function urnName(urn: string): string {
  const parts = urn.split("::");
  return parts.length >= 4 ? parts.slice(3).join("::") : urn;
}

/** A field of a preview state as text: unknowns and secrets say so; another type is refused. */
function text(inputs: Json, name: string, where: string): string {
  const v = inputs[name];
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v === PULUMI_UNKNOWN ? UNKNOWN_VALUE : v;
  if (isObject(v) && v[SIG_KEY] === SECRET_SIG) return "(secret)";
  throw new PreviewDocumentError(`${where}: ${name} is ${describe(v)}, expected a string`);
}

function grantOf(state: State | undefined, where: string, field: string): GrantFields | undefined {
  if (!state) return undefined;
  const inputs = state.inputs;
  const at = `${where}: ${field}.inputs`;
  if (state.type === ARM_TYPE || state.type === OUR_ARM_TYPE) {
    const roleDefinitionId = text(inputs, "roleDefinitionId", at);
    return {
      plane: "arm",
      principalId: text(inputs, "principalId", at),
      principalType: text(inputs, "principalType", at),
      roleDefinitionId,
      role: roleName(roleDefinitionId),
      scope: text(inputs, "scope", at),
      purpose: text(inputs, "description", at),
    };
  }
  // Our Synapse role assignments are dynamic resources: recognised by their inputs.
  if (typeof inputs.roleId === "string" && "workspaceName" in inputs) {
    const roleId = text(inputs, "roleId", at);
    return {
      plane: "synapse",
      principalId: text(inputs, "principalId", at),
      principalType: text(inputs, "principalType", at),
      roleDefinitionId: roleId,
      role: text(inputs, "roleName", at) || roleName(roleId),
      scope: text(inputs, "scope", at) || `workspaces/${text(inputs, "workspaceName", at)}`,
      purpose: text(inputs, "purpose", at),
    };
  }
  return undefined;
}

function roleName(roleDefinitionId: string): string {
  if (roleDefinitionId === UNKNOWN_VALUE || roleDefinitionId === "") return roleDefinitionId;
  return (
    BROAD_ROLES.get(guidOf(roleDefinitionId)) ?? roleNameForId(roleDefinitionId) ?? roleDefinitionId
  );
}

/** The GUID at the end of a role definition resource id (or the id itself), lower case. */
function guidOf(id: string): string {
  return (id.split("/").pop() ?? "").toLowerCase();
}

function sameScope(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\/+$/, "").toLowerCase();
  return norm(a) === norm(b);
}

/** Who the preview's managed identities are: principal id => name, and the workspace being created. */
function managedIdentities(steps: Step[]): { byId: Map<string, string>; workspaceName?: string } {
  const byId = new Map<string, string>();
  let workspaceName: string | undefined;
  for (const step of steps) {
    for (const state of [step.oldState, step.newState]) {
      if (!state || state.type !== WORKSPACE_TYPE) continue;
      const name =
        typeof state.inputs.workspaceName === "string"
          ? state.inputs.workspaceName
          : urnName(step.urn);
      const words = `workspace ${name} managed identity`;
      workspaceName = words;
      const identity = state.inputs.identity;
      if (isObject(identity) && typeof identity.principalId === "string") {
        if (identity.principalId !== PULUMI_UNKNOWN) byId.set(identity.principalId, words);
      }
    }
  }
  return { byId, workspaceName };
}

function flagsOf(c: PermissionChange, planned: PlannedGrant[] | undefined): PermissionFlag[] {
  if (c.change === "removed") return [];
  const flags: PermissionFlag[] = [];
  const broadRole = BROAD_ROLES.get(guidOf(c.roleDefinitionId));
  if (c.plane === "arm" && broadRole) {
    flags.push({
      kind: "broad-role",
      reason: `${broadRole} is broader than the export needs (it can ${broadRole === "Contributor" ? "change every resource" : broadRole === "Owner" ? "change every resource and grant access" : "grant any role"} in its scope); the export needs only the data and Reader roles of its plan`,
    });
  }
  const scope = c.scope.replace(/\/+$/, "");
  if (c.plane === "arm" && (scope === "" ? false : isBroadScope(scope))) {
    flags.push({
      kind: "broad-scope",
      reason: `the scope ${c.scope} is a whole ${/managementGroups/i.test(scope) ? "management group" : scope === "/" ? "tenant" : "subscription"}; the export's grants are on its storage account, container, resource group or workspace`,
    });
  }
  if (planned) flags.push(...planFlags(c, planned));
  return flags;
}

function isBroadScope(scope: string): boolean {
  return (
    scope === "/" ||
    /^\/subscriptions\/[^/]+$/i.test(scope) ||
    /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i.test(scope)
  );
}

/** The planned grant a change is for, by its resource name (`<component>-<grant key>`). */
function plannedByKey(c: PermissionChange, planned: PlannedGrant[]): PlannedGrant | undefined {
  const name = urnName(c.urn);
  return planned
    .filter((g) => name === g.key || name.endsWith(`-${g.key}`))
    .sort((a, b) => b.key.length - a.key.length)[0];
}

/** Same role and scope as a planned grant (its principal aside). */
function sameRoleAndScope(g: PlannedGrant, c: PermissionChange): boolean {
  return (
    g.plane === c.plane &&
    guidOf(g.roleDefinitionId) === guidOf(c.roleDefinitionId) &&
    (g.scopeId === null || c.scope === UNKNOWN_VALUE || sameScope(g.scopeId, c.scope))
  );
}

/**
 * Why the change's principal could not be compared with the plan's, when the planned grant it
 * matches (by name, else the only candidates by role and scope) knows its principal only at deploy
 * time; undefined when it was compared, or is itself known only after deploy.
 */
function uncheckedPrincipal(c: PermissionChange, planned: PlannedGrant[]): string | undefined {
  if (c.principalId === UNKNOWN_VALUE) return undefined;
  const byKey = plannedByKey(c, planned);
  const candidates = byKey ? [byKey] : planned.filter((g) => sameRoleAndScope(g, c));
  if (candidates.length === 0) return undefined;
  if (candidates.some((g) => g.principalId?.toLowerCase() === c.principalId.toLowerCase())) {
    return undefined;
  }
  const open = candidates.filter((g) => g.principalId === null);
  if (open.length === 0) return undefined;
  const who = open.map((g) => `${g.key} (${g.principalName})`).join(", ");
  const fix = open.every((g) => g.principal === "workspaceIdentity")
    ? "it is the workspace's own identity: compare it with the workspace's identity.principalId"
    : `give ${[...new Set(open.filter((g) => g.principal !== "workspaceIdentity").map((g) => `principals.${g.principal}.objectId`))].join(" or ")} in the spec to have it checked`;
  return `${c.principalId} was not compared: the plan's ${who} knows its principal only at deploy time; ${fix}`;
}

/** The planned grant a change is for: by its resource name (`<component>-<grant key>`), else by value. */
function planFlags(c: PermissionChange, planned: PlannedGrant[]): PermissionFlag[] {
  const byKey = plannedByKey(c, planned);
  if (!byKey) {
    const sameValues = planned.some(
      (g) =>
        sameRoleAndScope(g, c) &&
        (g.principalId === null ||
          c.principalId === UNKNOWN_VALUE ||
          g.principalId.toLowerCase() === c.principalId.toLowerCase()),
    );
    return sameValues
      ? []
      : [
          {
            kind: "not-in-plan",
            reason: `the spec's plan has no grant of ${c.role} on ${c.scope} to ${c.principalId}`,
          },
        ];
  }
  const differs: string[] = [];
  if (
    byKey.principalId !== null &&
    c.principalId !== UNKNOWN_VALUE &&
    byKey.principalId.toLowerCase() !== c.principalId.toLowerCase()
  ) {
    differs.push(`principal ${c.principalId}, the plan says ${byKey.principalId}`);
  }
  if (
    c.roleDefinitionId !== UNKNOWN_VALUE &&
    guidOf(byKey.roleDefinitionId) !== guidOf(c.roleDefinitionId)
  ) {
    differs.push(`role ${c.role}, the plan says ${byKey.role}`);
  }
  if (byKey.scopeId !== null && c.scope !== UNKNOWN_VALUE && !sameScope(byKey.scopeId, c.scope)) {
    differs.push(`scope ${c.scope}, the plan says ${byKey.scopeId}`);
  }
  return differs.length
    ? [{ kind: "differs-from-plan", reason: `${byKey.key}: ${differs.join("; ")}` }]
    : [];
}
