// The inputs of one Synapse role assignment as a deployment sees them: validated and given their
// defaults (check), and compared (diff). Pure, and free of Pulumi, so the provider stays a thin adapter
// and these rules are tested as plain calls. Values not known yet (preview) are passed through untouched
// and counted as changes of unknown outcome.

import { roleAssignmentGuid } from "./deterministicGuid";
import { ROLES } from "./roles";
import {
  defaultSynapseEndpoint,
  parseSynapseEndpoint,
  workspaceNameProblem,
  workspaceScope,
} from "./synapseEndpoint";

export interface RoleAssignmentInputs {
  workspaceName: string;
  endpoint?: string;
  roleId: string;
  roleName: string;
  principalId: string;
  principalType: string;
  scope?: string;
  purpose: string;
}

export interface InputFailure {
  property: keyof RoleAssignmentInputs;
  reason: string;
}

/**
 * Changing any of these names a different grant (or, for principalType, a grant Synapse SQL maps
 * differently), so the assignment is replaced. The old one is deleted first: with the same role,
 * principal and scope the new one would otherwise adopt the old one, and then lose it to the delete.
 */
export const REPLACE_KEYS = [
  "workspaceName",
  "roleId",
  "principalId",
  "principalType",
  "scope",
] as const;
/** Labels and the route to the service: recorded, with no call to Synapse. */
export const IN_PLACE_KEYS = ["purpose", "roleName", "endpoint"] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRINCIPAL_TYPES = ["User", "Group", "ServicePrincipal"];

export function checkRoleAssignmentInputs(
  news: Record<string, unknown>,
  isUnknown: (value: unknown) => boolean,
): { inputs: Record<string, unknown>; failures: InputFailure[] } {
  const failures: InputFailure[] = [];
  const inputs: Record<string, unknown> = { ...news };
  const known = (key: keyof RoleAssignmentInputs) => !isUnknown(news[key]);
  const text = (key: keyof RoleAssignmentInputs, required = true): string | undefined => {
    const value = news[key];
    if (isUnknown(value)) return undefined;
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || (required && value.trim() === "")) {
      failures.push({
        property: key,
        reason: `${key} must be a non-empty string, got ${JSON.stringify(value)}`,
      });
      return undefined;
    }
    return value;
  };

  const workspaceName = text("workspaceName");
  if (workspaceName !== undefined) {
    const problem = workspaceNameProblem(workspaceName);
    if (problem) failures.push({ property: "workspaceName", reason: problem });
  }
  const workspaceOk =
    workspaceName !== undefined && !failures.some((f) => f.property === "workspaceName");

  for (const key of ["roleId", "principalId"] as const) {
    const value = text(key);
    if (value === undefined) continue;
    if (!GUID.test(value)) {
      const hint =
        key === "principalId" ? " (the principal's object id)" : " (a Synapse built-in role id)";
      failures.push({ property: key, reason: `${key} must be a GUID${hint}, got "${value}"` });
    } else {
      inputs[key] = value.toLowerCase();
    }
  }

  const roleId =
    typeof inputs.roleId === "string" && GUID.test(inputs.roleId) ? inputs.roleId : undefined;
  const roleName = text("roleName");
  if (roleId) {
    const armRole = Object.values(ROLES).find((r) => r.plane === "arm" && r.id === roleId);
    if (armRole) {
      failures.push({
        property: "roleId",
        reason: `${armRole.name} (${armRole.id}) is an Azure (ARM) role: assign it with a Microsoft.Authorization role assignment, not through Synapse RBAC`,
      });
    }
  }
  const namedRole =
    roleName !== undefined ? Object.values(ROLES).find((r) => r.name === roleName) : undefined;
  if (namedRole && roleId && namedRole.id !== roleId) {
    failures.push({
      property: "roleId",
      reason: `roleName is "${namedRole.name}", whose id is ${namedRole.id}, but roleId is ${roleId}`,
    });
  }

  const principalType = text("principalType");
  if (principalType !== undefined && !PRINCIPAL_TYPES.includes(principalType)) {
    failures.push({
      property: "principalType",
      reason: `principalType must be one of ${PRINCIPAL_TYPES.join(", ")}, got "${principalType}"`,
    });
  }

  const endpoint = text("endpoint", false);
  if (endpoint !== undefined) {
    try {
      parseSynapseEndpoint(endpoint);
    } catch (err) {
      failures.push({ property: "endpoint", reason: (err as Error).message });
    }
  } else if (news.endpoint === undefined && workspaceOk) {
    inputs.endpoint = defaultSynapseEndpoint(workspaceName!);
  }

  const scope = text("scope", false);
  if (scope !== undefined && workspaceOk && !isWithinWorkspace(scope, workspaceName!)) {
    failures.push({
      property: "scope",
      reason: `scope "${scope}" is not in workspace "${workspaceName}": expected ${workspaceScope(workspaceName!)} or a path below it`,
    });
  } else if (news.scope === undefined && workspaceOk) {
    inputs.scope = workspaceScope(workspaceName!);
  }

  if (known("purpose") && news.purpose !== undefined && typeof news.purpose !== "string") {
    failures.push({
      property: "purpose",
      reason: `purpose must be a string, got ${JSON.stringify(news.purpose)}`,
    });
  }
  if (news.purpose === undefined) inputs.purpose = "";
  return { inputs, failures };
}

function isWithinWorkspace(scope: string, workspaceName: string): boolean {
  const root = workspaceScope(workspaceName).toLowerCase();
  const s = scope.toLowerCase();
  return s === root || s.startsWith(`${root}/`);
}

export interface RoleAssignmentDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Keys whose new value is not known yet (preview); included in replaces when they would replace. */
  unknowns: string[];
}

export function diffRoleAssignmentInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  isUnknown: (value: unknown) => boolean,
): RoleAssignmentDiff {
  const changed: string[] = [];
  const unknowns: string[] = [];
  for (const key of [...REPLACE_KEYS, ...IN_PLACE_KEYS]) {
    if (isUnknown(news[key])) {
      unknowns.push(key);
      changed.push(key);
    } else if (!sameValue(key, olds[key], news[key])) {
      changed.push(key);
    }
  }
  const replaces = changed.filter((k) => (REPLACE_KEYS as readonly string[]).includes(k));
  return {
    changes: changed.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
    unknowns,
  };
}

function sameValue(key: string, a: unknown, b: unknown): boolean {
  // GUIDs and scopes compare as the service compares them: ignoring case.
  if (
    (key === "roleId" || key === "principalId" || key === "scope") &&
    typeof a === "string" &&
    typeof b === "string"
  ) {
    return a.toLowerCase() === b.toLowerCase();
  }
  return (a ?? "") === (b ?? "");
}

/**
 * Whether deleting the resource may remove the assignment. One that was adopted under an id that is
 * not ours was made outside this stack — for the Customer Insights service principal often by hand,
 * and shared by Customer Insights' own export — so `pulumi destroy` or a replacement leaves it.
 */
export function ownedByThisStack(state: Record<string, unknown>): boolean {
  // Recorded at create: false when the assignment was there before us, even under our own id (a 409
  // whose look-up was refused).
  if (typeof state.owned === "boolean") return state.owned;
  if (!state.adopted) return true;
  const ours = roleAssignmentGuid(
    String(state.scope),
    String(state.principalId),
    String(state.roleId),
  );
  return String(state.assignmentId).toLowerCase() === ours;
}

/**
 * Whether the state records an assignment that exists but whose id could not be read: the PUT of our
 * deterministic id answered RoleAssignmentAlreadyExists and the look-up was refused, so the state holds
 * our id, not the assignment's. A GET of that id answers 404 although the assignment is there, so a
 * refresh must look it up by role, principal and scope, and keep it when that look-up is refused too.
 */
export function adoptedWithUnknownId(state: Record<string, unknown>): boolean {
  if (typeof state.idKnown === "boolean") return !state.idKnown;
  // States written before idKnown: not owned, yet recorded under our own deterministic id, is exactly
  // the refused look-up (a found assignment is recorded under its own id).
  if (state.owned !== false || !state.adopted) return false;
  const ours = roleAssignmentGuid(
    String(state.scope),
    String(state.principalId),
    String(state.roleId),
  );
  return String(state.assignmentId).toLowerCase() === ours;
}
