// A valid spec as a plain object, for tests to start from and break one field at a time.

export function validRawSpec(): Record<string, any> {
  return {
    connection: {
      displayName: "Customer Insights to Synapse",
      dataPrivacyConsent: true,
      subscriptionId: "11111111-2222-3333-4444-555555555555",
      workspace: { name: "ws-ci", resourceGroupName: "rg-analytics" },
      storage: { accountName: "stciexport", container: "ci-export", resourceGroupName: "rg-data" },
    },
    principals: {
      administrator: { userPrincipalName: "admin@contoso.com" },
      readers: [
        { objectId: "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60", type: "Group", name: "analysts" },
      ],
    },
    export: {
      displayName: "Customer data",
      databaseName: "ci_export",
      entities: [
        {
          name: "Customer",
          source: "data/Customer.csv",
          columns: [
            { name: "CustomerId", type: "guid" },
            { name: "LifetimeValue", type: "decimal", precision: 18, scale: 2 },
          ],
        },
        { name: "Segments", source: { path: "data/seg-*.jsonl", format: "jsonl" } },
      ],
    },
  };
}

/** The folder that validRawSpec's sources exist in (for tests that read them). */
export const VALID_SPEC_BASE_DIR = require("node:path").resolve(
  __dirname,
  "../../../test/fixtures/specs",
);

/** validRawSpec with a new ADLS Gen2 account and a new workspace (ws-new) in rg-new. */
export function newStorageAndWorkspaceRawSpec(
  workspaceCreate: Record<string, unknown> = {},
): Record<string, any> {
  const spec = validRawSpec();
  spec.connection.storage = {
    accountName: "stnewexport",
    container: "ci-export",
    resourceGroupName: "rg-new",
    create: { location: "westeurope" },
  };
  spec.connection.workspace = {
    name: "ws-new",
    resourceGroupName: "rg-new",
    // A new workspace needs a firewall rule (validation refuses one without): Azure services by default.
    create: { location: "westeurope", allowAzureServices: true, ...workspaceCreate },
  };
  return spec;
}

/**
 * The spec YAML the CLI tests write beside their data: one connection and administrator, export
 * "Test export" into `databaseName`, `exportLines` (more indented `export:` fields, each ending in a
 * newline) and the entity list `entities` (YAML list lines under `entities:`).
 */
export function cliSpecYaml(
  entities: string,
  options: { databaseName?: string; exportLines?: string } = {},
): string {
  return `
connection:
  displayName: Test connection
  dataPrivacyConsent: true
  workspace: { name: ws-test, resourceGroupName: rg }
  storage: { accountName: sttest, container: ci-export, resourceGroupName: rg }
principals:
  administrator: { userPrincipalName: admin@contoso.com }
export:
  displayName: Test export
  databaseName: ${options.databaseName ?? "ci_export"}
${options.exportLines ?? ""}  entities:
${entities}
`;
}

/** The connection, administrator and export header of flowSpecYaml in block style, over `entities` (list lines). */
export function blockSpecYaml(entities: string): string {
  return `
connection:
  displayName: c
  dataPrivacyConsent: true
  subscriptionId: 11111111-2222-3333-4444-555555555555
  workspace: { name: ws, resourceGroupName: rg }
  storage: { accountName: acct, container: ci-export, resourceGroupName: rg }
principals:
  administrator: { objectId: 11111111-2222-3333-4444-555555555555 }
export:
  displayName: d
  databaseName: db
  entities:
${entities}
`;
}

/** A one-entity-list spec in YAML flow style, for validation tests: `entities` is the list's items. */
export function flowSpecYaml(entities: string): string {
  return [
    "connection: { displayName: c, dataPrivacyConsent: true, subscriptionId: 11111111-2222-3333-4444-555555555555,",
    "  workspace: { name: ws, resourceGroupName: rg }, storage: { accountName: acct, container: ci-export, resourceGroupName: rg } }",
    "principals: { administrator: { objectId: 11111111-2222-3333-4444-555555555555 } }",
    `export: { displayName: d, databaseName: db, entities: [ ${entities} ] }`,
  ].join("\n");
}
