// Deterministic names for role assignments (and anything else that must be adopted, not duplicated,
// on a re-run): a name-based UUID, version 5 (RFC 9562 section 5.5), of the parts that identify it.

import { createHash } from "node:crypto";

/** A fixed namespace for this project, so our names never collide with other tools' v5 UUIDs. */
export const SYNAPSE_EXPORT_NAMESPACE = "6f0d1c2e-8a47-5b39-9d1e-3c2b7a5e4f10";

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`Not a UUID: ${uuid}`);
  return Buffer.from(hex, "hex");
}

/** UUID v5 of `name` in `namespace`. */
export function uuidV5(name: string, namespace: string = SYNAPSE_EXPORT_NAMESPACE): string {
  const hash = createHash("sha1")
    .update(Buffer.concat([uuidBytes(namespace), Buffer.from(name, "utf8")]))
    .digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The name of a role assignment: the same scope, principal and role always give the same GUID, so a
 * re-run adopts the assignment and preview shows exactly the grants that change. Case-insensitive,
 * as Azure resource ids and GUIDs are.
 */
export function roleAssignmentGuid(
  scope: string,
  principalId: string,
  roleDefinitionId: string,
  /** Another name for the same (scope, principal, role), for a grant that may coincide with another (the deployer's). */
  qualifier?: string,
): string {
  const parts = [scope, principalId, roleDefinitionId, ...(qualifier ? [qualifier] : [])];
  return uuidV5(parts.map((p) => p.toLowerCase()).join("|"));
}
