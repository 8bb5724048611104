// The demo's spec, written as the YAML a user would write by hand, so that the file left in .demo/
// works with the CLI as it is (`synapse-export plan .demo/spec.yaml`). Two entities declare their
// columns with real types; the other two have none, so their columns are inferred from the files
// (CSV by the writer's own parsing rules, JSON Lines from the types DuckDB detects).

import type { SampleFile } from "./sampleData";

export const DEMO_DATABASE = "customer_insights";
export const DEMO_CONTAINER = "ci-export";

const DECLARED_COLUMNS: Record<string, string[]> = {
  Customer: [
    "{ name: CustomerId, type: guid }",
    "{ name: FirstName, type: string, maxLength: 100 }",
    "{ name: LastName, type: string, maxLength: 100 }",
    "{ name: FullName, type: string, maxLength: 200 }",
    "{ name: Email, type: string, maxLength: 320 }",
    "{ name: City, type: string, maxLength: 100 }",
    "{ name: CountryRegion, type: string, maxLength: 2 }",
    "{ name: PostalCode, type: string, maxLength: 10 }",
    "{ name: BirthDate, type: date }",
    "{ name: CreatedOn, type: dateTime }",
  ],
  CustomerMeasure: [
    "{ name: CustomerId, type: guid }",
    "{ name: LifetimeValue, type: decimal, precision: 18, scale: 2 }",
    "{ name: TransactionCount, type: int32 }",
    "{ name: AverageOrderValue, type: decimal, precision: 18, scale: 2 }",
    "{ name: LastPurchaseDate, type: date }",
    "{ name: ChurnScore, type: double }",
  ],
};

/** `dataFolder` is the data's folder relative to the spec's folder, with `/`. */
export function demoSpecYaml(files: readonly SampleFile[], dataFolder: string): string {
  const entities = files.flatMap((f) => {
    const columns = DECLARED_COLUMNS[f.entity];
    return [
      `    - name: ${f.entity}`,
      `      source: ${dataFolder}/${f.relPath}`,
      "      dataSourceType: powerQuery",
      ...(columns
        ? ["      columns:", ...columns.map((c) => `        - ${c}`)]
        : ["      # No columns: they are inferred from the source file."]),
    ];
  });
  return [
    "# Written by `npm run demo` (examples/local-demo). The Azure names and ids below are examples: the",
    "# local run ignores them, and `synapse-export permissions plan` shows the grants they would get.",
    "connection:",
    "  displayName: Customer Insights to Synapse (demo)",
    "  usableBy: administrators",
    "  dataPrivacyConsent: true",
    "  subscriptionId: 11111111-2222-3333-4444-555555555555",
    "  workspace: { name: ws-ci-demo, resourceGroupName: rg-ci-demo }",
    `  storage: { accountName: stcidemo, container: ${DEMO_CONTAINER}, resourceGroupName: rg-ci-demo }`,
    "principals:",
    "  customerInsights: { appId: 0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff }",
    "  administrator: { userPrincipalName: admin@contoso.com }",
    "  readers:",
    "    - { objectId: 6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60, type: Group, name: analysts }",
    "export:",
    "  displayName: Customer Insights demo",
    `  databaseName: ${DEMO_DATABASE}`,
    "  format: parquet",
    "  runOnDeploy: true",
    "  onEntityRemoved: retain",
    "  entities:",
    ...entities,
    "",
  ].join("\n");
}
