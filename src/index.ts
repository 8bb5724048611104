// The public API of synapse-export: what a Pulumi program or a script imports. Curated: the
// components and their arguments, the spec and its validation, the plan a review reads, and the
// engine's run for scripts without Pulumi. Internal helpers (quoting, rendering, layout) are not
// part of it; import them from their modules inside this repository only.
//
//   import { CustomerInsightsSynapseExport } from "synapse-export";

// The spec: its types, validation with field paths, and the JSON Schema for editors.
export type * from "./spec/types";
export {
  validateSpec,
  parseSpecText,
  assertValidSpec,
  type ValidationResult,
} from "./spec/validate";
export { SpecError, type SpecIssue } from "./spec/specError";
export { toJsonSchema } from "./spec/jsonSchema";

// The plan: every grant with its purpose, and the whole export as `synapse-export plan` shows it.
export { planGrants, type Grant, type GrantPrincipal, type GrantScope } from "./plan/grants";
export { ROLES, type RoleDefinition, type RoleName, type RolePlane } from "./plan/roles";
export { planExport, type ExportPlan, type EntityColumns } from "./plan/exportPlan";

// The Pulumi components (azure-native and azuread) and the dynamic resources they are made of.
export {
  CustomerInsightsSynapseExport,
  type CustomerInsightsSynapseExportArgs,
} from "./components/customerInsightsSynapseExport";
export {
  ExportStorage,
  type ExportStorageArgs,
  type ExportStorageCreateArgs,
} from "./components/exportStorage";
export {
  WorkspaceLink,
  SQL_ADMIN_PASSWORD_CONFIG,
  type WorkspaceLinkArgs,
  type WorkspaceLinkCreateArgs,
} from "./components/workspaceLink";
export {
  ExportPermissions,
  type ExportPermissionsArgs,
  type PrincipalIds,
  type GrantScopes,
} from "./components/exportPermissions";
export {
  ExportConnection,
  type ExportConnectionArgs,
  type SpecLike,
} from "./components/exportConnection";
export {
  SynapseRoleAssignment,
  type SynapseRoleAssignmentArgs,
  type SynapsePrincipalType,
} from "./providers/synapseRoleAssignment";
export { ArmRoleAssignment, type ArmRoleAssignmentArgs } from "./providers/armRoleAssignment";
export { ExportDatabase, type ExportDatabaseArgs } from "./providers/exportDatabase";
export { EntityTable, type EntityTableArgs } from "./providers/entityTable";
// The types of those resources' inputs (README's API tables name them).
export type { TargetRef, SourceState } from "./plan/exportResources";
export type { ExportDatabaseSpec, EntityTableSpec } from "./plan/specSlices";

// The engine, for scripts that run an export without Pulumi or the CLI (DuckDB loads on first run).
export { setAzureCredential } from "./engine/azureCredential";
export {
  runExport,
  inferColumns,
  type RunRecord,
  type EntityRunRecord,
  type RunOptions,
} from "./engine";
export {
  localTarget,
  azureTarget,
  type ExportTarget,
  type AzureTargetOptions,
} from "./engine/targets";
