// What the role assignments' providers want a reader of `pulumi up` / `pulumi preview` to know, logged
// through Pulumi on the resource it is about. A dynamic provider runs apart from the engine and cannot
// log itself (pulumi/pulumi#6065: dynamic providers are not connected to the engine; #18249: pulumi.log
// from a dynamic provider is not shown, #18253 passes plain console output through instead), so the
// providers return the text as an output and the component logs it here, once its value is known.

import * as pulumi from "@pulumi/pulumi";
import type { ArmRoleAssignment } from "../providers/armRoleAssignment";
import type { SynapseRoleAssignment } from "../providers/synapseRoleAssignment";

/** An ARM assignment: the adoption `up` made (info), or the one preview found it will make (info). */
export function logArmAssignmentNotices(assignment: ArmRoleAssignment, grant: string): void {
  // Apart, not through pulumi.all: in preview `notice` is unknown, and an apply over an unknown value
  // never runs, which would hide what preview found.
  assignment.adoptsExisting.apply((adoptsExisting) => {
    if (adoptsExisting && pulumi.runtime.isDryRun()) {
      pulumi.log.info(
        `${grant}: up will adopt the existing role assignment ${adoptsExisting} (same role, principal and scope) instead of creating one; pulumi destroy will leave it`,
        assignment,
      );
    }
  });
  assignment.notice.apply((notice) => {
    if (notice) pulumi.log.info(`${grant}: ${notice}`, assignment);
  });
}

/** A Synapse assignment: what to do about an adopted one (a refused look-up, no principalType) is a warning. */
export function logSynapseAssignmentNotices(
  assignment: SynapseRoleAssignment,
  grant: string,
): void {
  assignment.notice.apply((notice) => {
    if (notice) pulumi.log.warn(`${grant}: ${notice}`, assignment);
  });
}
