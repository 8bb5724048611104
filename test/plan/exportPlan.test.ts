// What `synapse-export plan` is built from, in process: the export plan of a spec (SQL for the Azure
// target with the snapshot left as a placeholder, the lake layout, the grants) and the grant graph as
// Mermaid. Expected text is written out here from the spec in test/helpers/specs.ts.

import { expect } from "chai";
import { validateSpec } from "../../src/spec";
import type { Grant } from "../../src/plan/grants";
import { grantsToMermaid } from "../../src/plan/grantGraph";
import { azureDataSourceLocation, dfsEndpoint, planExport } from "../../src/plan/exportPlan";
import { validRawSpec } from "../helpers/specs";

describe("the export plan", () => {
  const spec = () => validateSpec(validRawSpec(), "/base").spec!;

  it("locates the data source at the database folder of the container on the dfs endpoint", () => {
    expect(dfsEndpoint("stciexport")).to.equal("https://stciexport.dfs.core.windows.net");
    expect(azureDataSourceLocation(spec())).to.equal(
      "https://stciexport.dfs.core.windows.net/ci-export/ci_export",
    );
  });

  it("plans a table and a view switch per entity, with the snapshot as a placeholder", () => {
    const plan = planExport(spec(), [
      { entity: "Customer", columns: [{ name: "Id", type: "int64" }], inferred: false },
      { entity: "Orders", columns: [{ name: "Amount", type: "double" }], inferred: true },
    ]);
    const sql = plan.sql.map((s) => s.statement).join("\n");
    expect(sql).to.contain("https://stciexport.dfs.core.windows.net/ci-export/ci_export");
    expect(sql).to.contain("[snapshots].[Customer__<snapshot>]");
    expect(sql).to.contain("[snapshots].[Orders__<snapshot>]");
    expect(sql).to.match(/CREATE OR ALTER VIEW \[dbo\]\.\[Customer\]/);
    expect(sql).to.match(/CREATE OR ALTER VIEW \[dbo\]\.\[Orders\]/);
    expect(sql).to.contain("[Id] bigint");
    expect(sql).to.contain("[Amount] float");
    expect(plan.columns.map((c) => [c.entity, c.inferred])).to.deep.equal([
      ["Customer", false],
      ["Orders", true],
    ]);
    expect(plan.lake).to.deep.equal({
      container: "ci-export",
      databaseFolder: "ci_export",
      entities: [
        {
          name: "Customer",
          folder: "ci_export/Customer",
          snapshotPattern: "ci_export/Customer/v=<snapshot>/*.parquet",
        },
        // The spec's entities, whatever columns were passed in.
        {
          name: "Segments",
          folder: "ci_export/Segments",
          snapshotPattern: "ci_export/Segments/v=<snapshot>/*.parquet",
        },
      ],
    });
    expect(plan.grants).to.have.length(8); // the seed's seven and the deployer's own
  });
});

describe("the grant graph as Mermaid", () => {
  const grant = (g: Partial<Grant>): Grant => ({
    key: "k",
    principal: "reader",
    principalId: "p",
    principalName: 'the "analysts" <group>',
    principalType: "Group",
    role: "Storage Blob Data Reader",
    roleDefinitionId: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    scope: "storageAccount",
    scopeId: "/subscriptions/s/acc",
    plane: "arm",
    purpose: "why",
    ...g,
  });

  it("draws principals, scopes and one labelled edge per grant, with safe labels and ids", () => {
    expect(
      grantsToMermaid([
        grant({}),
        grant({
          principal: "customerInsights",
          principalName: "Customer Insights (app x)",
          role: "Synapse Administrator",
          scope: "workspace",
          scopeId: null,
          plane: "synapse",
        }),
      ]),
    ).to.equal(
      [
        "graph LR",
        `  p_reader_the__analysts___group_["reader: the 'analysts' group"]`,
        `  s_storageAccount[("/subscriptions/s/acc")]`,
        `  p_customerInsights_Customer_Insights__app_x_["customerInsights: Customer Insights (app x)"]`,
        `  s_workspace[("workspace")]`,
        `  p_reader_the__analysts___group_ -- "Storage Blob Data Reader" --> s_storageAccount`,
        `  p_customerInsights_Customer_Insights__app_x_ -- "Synapse Administrator (Synapse RBAC)" --> s_workspace`,
      ].join("\n"),
    );
  });
});
