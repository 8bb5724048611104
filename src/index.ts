// The public API of synapse-export: what a Pulumi program, a script or a test imports.
//
//   import { CustomerInsightsSynapseExport } from "synapse-export";

export * from "./spec";
export * from "./plan";
export * from "./components";
export {
  SynapseRoleAssignment,
  type SynapseRoleAssignmentArgs,
} from "./providers/synapseRoleAssignment";
export { ArmRoleAssignment, type ArmRoleAssignmentArgs } from "./providers/armRoleAssignment";
export { ExportDatabase, type ExportDatabaseArgs } from "./providers/exportDatabase";
export { EntityTable, type EntityTableArgs } from "./providers/entityTable";
export { setAzureCredential } from "./engine/azureCredential";
// The engine, for scripts that run an export without Pulumi or the CLI.
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
