// The reference stack program: one Customer Insights export to Azure Synapse Analytics, built from
// stack config. Point `synapse-export:specFile` at a YAML spec (relative to the project folder), or put
// the spec itself under `synapse-export:spec`. A spec error stops the program with every field path
// listed and no stack trace.

import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CustomerInsightsSynapseExport, SQL_ADMIN_PASSWORD_CONFIG } from "../src";

const config = new pulumi.Config("synapse-export");
// Pulumi runs a program in its project folder (the folder of Pulumi.yaml).
const projectDir = process.cwd();

const specFile = config.get("specFile");
const spec = config.getObject<Record<string, unknown>>("spec");
if ((specFile === undefined) === (spec === undefined)) {
  throw new pulumi.RunError(
    "Set exactly one of the stack config keys synapse-export:specFile (a YAML spec, relative to the project folder, e.g. stacks/customer-insights.spec.yaml) or synapse-export:spec (the spec as an object).",
  );
}

const ciExport = new CustomerInsightsSynapseExport("customer-insights", {
  ...(specFile !== undefined
    ? { specFile: path.resolve(projectDir, specFile) }
    : { spec, baseDir: projectDir }),
  // Only read when the spec asks for a SQL administrator on a new workspace; a secret end to end.
  sqlAdministratorPassword: config.getSecret(SQL_ADMIN_PASSWORD_CONFIG),
  protectStorage: config.getBoolean("protectStorage"),
});

export const displayName = ciExport.exportDisplayName;
export const databaseName = ciExport.databaseName;
export const workspaceName = ciExport.workspaceName;
export const serverlessSqlEndpoint = ciExport.serverlessSqlEndpoint;
export const storageAccountName = ciExport.storageAccountName;
export const container = ciExport.container;
export const dfsEndpoint = ciExport.dfsEndpoint;
export const workspaceIdentityPrincipalId = ciExport.workspaceIdentityPrincipalId;
export const storageAccountResourceId = ciExport.storageAccountResourceId;
/** Each grant as the plan names it, with the GUID its ARM role assignment got. */
export const grants = ciExport.connection.permissions.assignmentNames.apply((names) =>
  ciExport.grants.map((g) => ({
    key: g.key,
    role: g.role,
    scope: g.scope,
    plane: g.plane,
    principal: g.principalName,
    roleAssignmentName: names[g.key] ?? null,
  })),
);
