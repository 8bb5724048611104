// Microsoft's built-in role definitions that the seed's prerequisites name, pinned in one table.
// ARM ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
// Synapse RBAC ids: https://learn.microsoft.com/azure/synapse-analytics/security/synapse-workspace-synapse-rbac-roles
// (the ids are those the Synapse data-plane `roleDefinitions` API returns for the built-in roles).

export type RolePlane = "arm" | "synapse";

export interface RoleDefinition {
  /** The role's display name, as Azure shows it. */
  name: RoleName;
  /** The built-in role definition GUID. */
  id: string;
  /** ARM roles go to Microsoft.Authorization; Synapse roles to the workspace's data-plane API. */
  plane: RolePlane;
}

export type RoleName =
  | "Reader"
  | "Storage Blob Data Contributor"
  | "Storage Blob Data Reader"
  | "Storage Blob Delegator"
  | "Synapse Administrator";

export const ROLES: Readonly<Record<RoleName, RoleDefinition>> = {
  Reader: { name: "Reader", id: "acdd72a7-3385-48ef-bd42-f606fba81ae7", plane: "arm" },
  "Storage Blob Data Contributor": {
    name: "Storage Blob Data Contributor",
    id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    plane: "arm",
  },
  "Storage Blob Data Reader": {
    name: "Storage Blob Data Reader",
    id: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    plane: "arm",
  },
  "Storage Blob Delegator": {
    name: "Storage Blob Delegator",
    id: "db58b8e5-c6ad-4a2a-8342-4190687cbf4a",
    plane: "arm",
  },
  "Synapse Administrator": {
    name: "Synapse Administrator",
    id: "6e4bf58a-b8e1-4cc3-bbf9-d73143322b78",
    plane: "synapse",
  },
};

/** Roles this project must never grant: broader than anything the seed asks for. */
export const FORBIDDEN_ROLE_IDS: Readonly<Record<string, string>> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
};

/** The role's name for a definition id (or a full ARM role definition resource id), if it is one of ours. */
export function roleNameForId(idOrResourceId: string): string | undefined {
  const id = idOrResourceId.split("/").pop()!.toLowerCase();
  const ours = Object.values(ROLES).find((r) => r.id === id);
  // hasOwn: an id read from a document, such as "__proto__", must not find Object's prototype.
  return ours?.name ?? (Object.hasOwn(FORBIDDEN_ROLE_IDS, id) ? FORBIDDEN_ROLE_IDS[id] : undefined);
}
