// The rules of the spec, applied to the arguments of the components that take a part of it directly
// (ExportStorage, WorkspaceLink): the same schema nodes, so a storage account name or a firewall rule
// is refused alike whether it comes from a spec or from a program, and each issue names the argument
// by its own path (`accountName`, `create.firewallRules[0].name`).

import { checkShape } from "./checkShape";
import { checkFirewallRuleNames } from "./rules";
import {
  STORAGE_CREATE_SCHEMA,
  STORAGE_SCHEMA,
  WORKSPACE_CREATE_SCHEMA,
  WORKSPACE_SCHEMA,
  type ObjectNode,
} from "./schema";
import type { SpecIssue } from "./specError";

/** ExportStorage's arguments that the spec declares (`connection.storage`), under the same names. */
export const EXPORT_STORAGE_ARGS_SCHEMA: ObjectNode = {
  kind: "object",
  typeName: "ExportStorageArgs",
  properties: {
    accountName: STORAGE_SCHEMA.properties.accountName,
    resourceGroupName: STORAGE_SCHEMA.properties.resourceGroupName,
    container: STORAGE_SCHEMA.properties.container,
    create: { node: STORAGE_CREATE_SCHEMA },
  },
};

/** WorkspaceLink's arguments that the spec declares (`connection.workspace`): its name is `workspaceName`. */
export const WORKSPACE_LINK_ARGS_SCHEMA: ObjectNode = {
  kind: "object",
  typeName: "WorkspaceLinkArgs",
  properties: {
    workspaceName: WORKSPACE_SCHEMA.properties.name,
    resourceGroupName: WORKSPACE_SCHEMA.properties.resourceGroupName,
    create: { node: WORKSPACE_CREATE_SCHEMA },
  },
};

/** Every issue of ExportStorage's declared arguments (values known only at deploy time pass). */
export function exportStorageArgsIssues(args: unknown): SpecIssue[] {
  const issues: SpecIssue[] = [];
  checkShape(EXPORT_STORAGE_ARGS_SCHEMA, args, "", issues);
  return issues;
}

/** Every issue of WorkspaceLink's declared arguments, its firewall rules' names included. */
export function workspaceLinkArgsIssues(args: unknown): SpecIssue[] {
  const issues: SpecIssue[] = [];
  checkShape(WORKSPACE_LINK_ARGS_SCHEMA, args, "", issues);
  const create = (args as { create?: unknown } | null)?.create;
  if (typeof create === "object" && create !== null) {
    checkFirewallRuleNames(create as Record<string, unknown>, "create", issues);
  }
  return issues;
}
