// The rules of the ArmRoleAssignment resource (providers/armRoleAssignment.ts), kept pure as the
// Synapse one's are (synapseRoleAssignmentInputs.ts): which inputs ARM would refuse, which changes
// are another grant (a replacement) and which are labels, and whether a check's old inputs are the
// same grant already in the state. `unknown(v)` says whether a value is Pulumi's unknown (preview).

/** Changing any of these is another grant: replace, deleting the old (owned) one first. */
export const ARM_REPLACE_KEYS = [
  "roleAssignmentName",
  "roleDefinitionId",
  "scope",
  "principalId",
  "principalType",
];
/** A label, the endpoint, or the grants it is made after: an update without a call to ARM. */
export const ARM_IN_PLACE_KEYS = ["description", "armEndpoint", "adoptsFrom"];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROLE_DEFINITION_ID =
  /^\/subscriptions\/[0-9a-f-]{36}\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i;
/** Microsoft.Authorization 2022-04-01 RoleAssignmentProperties.principalType. */
const PRINCIPAL_TYPES = ["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"];

export interface ArmInputFailure {
  property: string;
  reason: string;
}

/** What ARM would refuse of the known inputs, each with its property (ARM's rules for a PUT). */
export function armRoleAssignmentFailures(
  news: Record<string, unknown>,
  unknown: (v: unknown) => boolean,
): ArmInputFailure[] {
  const failures: ArmInputFailure[] = [];
  const known = (k: string) => news[k] !== undefined && !unknown(news[k]);
  if (known("roleAssignmentName") && !GUID.test(String(news.roleAssignmentName)))
    failures.push({
      property: "roleAssignmentName",
      reason: "must be a GUID (ARM's rule for role assignment names)",
    });
  if (known("principalId") && !GUID.test(String(news.principalId)))
    failures.push({
      property: "principalId",
      reason: "must be the principal's object id (a GUID)",
    });
  if (known("roleDefinitionId") && !ROLE_DEFINITION_ID.test(String(news.roleDefinitionId)))
    failures.push({
      property: "roleDefinitionId",
      reason:
        "must be /subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/<guid>",
    });
  if (known("scope") && !String(news.scope).startsWith("/subscriptions/"))
    failures.push({
      property: "scope",
      reason: "must be an ARM resource id starting with /subscriptions/",
    });
  if (known("principalType") && !PRINCIPAL_TYPES.includes(String(news.principalType)))
    failures.push({
      property: "principalType",
      reason: `must be one of ${PRINCIPAL_TYPES.join(", ")}`,
    });
  return failures;
}

/**
 * True when a check's `olds` (the old inputs, Pulumi's check contract) are the same grant as `news`:
 * what was decided at create stands; a grant that changes is another assignment, looked up anew.
 */
export function sameArmGrantInState(
  olds: Record<string, unknown> | undefined,
  news: Record<string, unknown>,
): boolean {
  return (
    olds !== undefined &&
    olds.roleAssignmentName !== undefined &&
    ARM_REPLACE_KEYS.every(
      (k) => String(olds[k] ?? "").toLowerCase() === String(news[k] ?? "").toLowerCase(),
    )
  );
}

/** Which inputs changed: another grant (replaced, the old one deleted first) or an update. */
export function diffArmRoleAssignmentInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  unknown: (v: unknown) => boolean,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean } {
  const same = (k: string) =>
    !unknown(news[k]) &&
    String(olds[k] ?? "").toLowerCase() === String(news[k] ?? "").toLowerCase();
  const replaces = ARM_REPLACE_KEYS.filter((k) => !same(k));
  const changed = [...replaces, ...ARM_IN_PLACE_KEYS.filter((k) => !same(k))];
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/**
 * An update of an adopted assignment whose grant-before changed (the administrator's grant it was
 * adopted from was replaced, taking the one assignment with it): made again, as create makes it.
 */
export function armUpdateEnsuresAgain(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): boolean {
  return olds.adopted === true && String(olds.adoptsFrom ?? "") !== String(news.adoptsFrom ?? "");
}
