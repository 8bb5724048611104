// Lake-resident sources in the plan: which engine runs each entity and why, what serverless cannot
// read (refused with the field path), the grants that let the server-side export read a source, and
// the T-SQL of the export, compared with the reviewed golden file test/fixtures/golden/lake_cetas.tsql
// (never with the product's own rendering).

import { expect } from "chai";
import * as path from "node:path";
import { validateSpec } from "../../src/spec";
import type { Spec } from "../../src/spec/types";
import { planExport } from "../../src/plan/exportPlan";
import { entityEngine, lakeSourceIssues } from "../../src/plan/lakeSource";
import { planLakeSourceGrants } from "../../src/plan/lakeSourceGrants";
import { validRawSpec } from "../helpers/specs";
import { goldenStatements } from "../helpers/golden";

const GOLDEN = path.resolve(__dirname, "../../../test/fixtures/golden/lake_cetas.tsql");

const ORDERS = {
  name: "Orders",
  source: { path: "abfss://raw@stcilake.dfs.core.windows.net/sales/orders/*.csv", format: "csv" },
  columns: [
    { name: "OrderId", type: "int64" },
    { name: "CustomerId", type: "guid", sourceColumn: "Customer Id" },
    { name: "Amount", type: "decimal", precision: 18, scale: 2 },
    { name: "Paid", type: "boolean" },
    { name: "OrderDate", type: "date" },
    { name: "PlacedAt", type: "dateTimeOffset" },
    { name: "Note", type: "string", maxLength: 200 },
  ],
};
const VISITS = {
  name: "Visits",
  source: { path: "https://stciexport.dfs.core.windows.net/landing/visits/**", format: "parquet" },
  columns: [
    { name: "VisitId", type: "int32" },
    { name: "Page", type: "string" },
    { name: "At", type: "dateTime" },
  ],
};

function lakeSpec(entities: unknown[], edit: (raw: any) => void = () => {}): Spec {
  const raw = validRawSpec();
  raw.export.entities = entities;
  edit(raw);
  const result = validateSpec(raw, "/base");
  if (!result.spec) throw new Error(JSON.stringify(result.issues));
  return result.spec;
}

function issuesOf(entity: Record<string, unknown>, edit?: (raw: any) => void) {
  return lakeSourceIssues(lakeSpec([entity], edit)).map((i) => i.path);
}

function planOf(spec: Spec) {
  return planExport(
    spec,
    spec.export.entities.map((e) => ({ entity: e.name, columns: e.columns!, inferred: false })),
  );
}

const golden = () => goldenStatements(GOLDEN);

describe("lake-resident sources in the plan", () => {
  it("runs lake sources on synapse and files on the runner, each with its reason", () => {
    const spec = lakeSpec([
      ORDERS,
      { name: "Local", source: "data/Customer.csv", columns: [{ name: "A", type: "string" }] },
      { ...VISITS, engine: "synapse" },
    ]);
    const plan = planOf(spec);
    expect(plan.engines.map((e) => [e.entity, e.engine])).to.deep.equal([
      ["Orders", "synapse"],
      ["Local", "runner"],
      ["Visits", "synapse"],
    ]);
    expect(plan.engines[0].reason).to.match(/lies in the lake.*CETAS/);
    expect(plan.engines[1].reason).to.match(/file on this machine/);
    expect(plan.engines[2].reason).to.match(/^engine: synapse/);
    expect(entityEngine(spec.export.entities[1]).engine).to.equal("runner");
  });

  it("sends the reviewed golden T-SQL for a CSV glob and a Parquet folder, after the setup", () => {
    const plan = planOf(lakeSpec([ORDERS, VISITS]));
    const expected = golden();
    expect(expected).to.have.length(10);
    const sent = plan.sql.slice(-expected.length).map((s) => ({
      database: s.database,
      statement: s.statement,
    }));
    expect(sent).to.deep.equal(expected);
    // Nothing of a runner-side snapshot table for these entities.
    expect(plan.sql.map((s) => s.statement).join("\n")).not.to.contain(
      "IF OBJECT_ID(N'[snapshots]",
    );
  });

  it("refuses what serverless cannot read, naming the field", () => {
    const at = (field: string) => `export.entities[0].${field}`;
    expect(issuesOf({ ...ORDERS, engine: "runner" })).to.deep.equal([at("engine")]);
    expect(
      issuesOf({
        name: "L",
        source: "data/Customer.csv",
        engine: "synapse",
        columns: ORDERS.columns,
      }),
    ).to.deep.equal([at("engine")]);
    expect(issuesOf({ ...ORDERS, source: { ...ORDERS.source, format: "jsonl" } })).to.deep.equal([
      at("source.format"),
    ]);
    expect(
      issuesOf({ ...ORDERS, source: { ...ORDERS.source, path: `${ORDERS.source.path}.gz` } }),
    ).to.deep.equal([at("source.path")]);
    expect(issuesOf({ ...ORDERS, source: { ...ORDERS.source, escape: "\\" } })).to.deep.equal([
      at("source.escape"),
    ]);
    expect(issuesOf({ ...ORDERS, source: { ...ORDERS.source, nullString: "NULL" } })).to.deep.equal(
      [at("source.nullString")],
    );
    expect(issuesOf({ name: "Orders", source: ORDERS.source })).to.deep.equal([at("columns")]);
    expect(
      issuesOf({ ...ORDERS, columns: [{ name: "D", type: "date", format: "%d/%m/%Y" }] }),
    ).to.deep.equal([at("columns[0].format")]);
    expect(issuesOf(ORDERS, (raw) => (raw.export.format = "csv"))).to.deep.equal(["export.format"]);
    expect(
      issuesOf({
        ...ORDERS,
        source: { path: "abfss://raw@ST.dfs.core.windows.net/x.csv", format: "csv" },
      }),
    ).to.deep.equal([at("source.path")]);
    expect(issuesOf(ORDERS)).to.deep.equal([]);
  });

  it("refuses a source in the export's own container that reaches the export's own folder or marker, and allows the rest", () => {
    const own = (p: string) => `abfss://ci-export@stciexport.dfs.core.windows.net/${p}`;
    const refused = [
      own("ci_export/Other/**"),
      "https://stciexport.dfs.core.windows.net/ci-export/CI_EXPORT/Customer/*.csv",
      own("ci_*/x/*.csv"),
      own("**"),
      own("*.json"),
      own(""),
    ];
    for (const sourcePath of refused) {
      const issues = lakeSourceIssues(
        lakeSpec([{ ...ORDERS, source: { ...ORDERS.source, path: sourcePath } }]),
      );
      expect(issues, sourcePath).to.deep.equal([
        {
          path: "export.entities[0].source.path",
          message:
            "reaches what the export writes in its own container (ci-export in stciexport, connection.storage: the folder ci_export/ and its marker): it would read the export's own files as source data. Keep sources in another folder (landing/...) or another container",
        },
      ]);
    }
    const cdm = (p: string) =>
      lakeSourceIssues(lakeSpec([{ name: "Customer", source: { path: own(p), format: "cdm" } }]));
    expect(cdm("ci_export/LakeExport").map((i) => i.path)).to.deep.equal([
      "export.entities[0].source.path",
    ]);
    // A Customer Insights export written beside the export's folder, and another folder, are fine.
    expect(cdm("LakeExport")).to.deep.equal([]);
    for (const allowed of [
      own("landing/*.csv"),
      "abfss://landing@stciexport.dfs.core.windows.net/x/*.csv",
    ]) {
      expect(
        issuesOf({ ...ORDERS, source: { ...ORDERS.source, path: allowed } }),
        allowed,
      ).to.deep.equal([]);
    }
  });

  it("says what is wrong and what is allowed", () => {
    const [issue] = lakeSourceIssues(lakeSpec([{ ...ORDERS, engine: "runner" }]));
    expect(issue.message).to.match(/download the whole entity.*use engine auto or synapse/);
    const [url] = lakeSourceIssues(
      lakeSpec([
        { ...ORDERS, source: { path: "abfss://raw@ST.dfs.core.windows.net/x.csv", format: "csv" } },
      ]),
    );
    expect(url.message).to.contain('storage account "st"');
    expect(() => planOf(lakeSpec([{ ...ORDERS, engine: "runner" }]))).to.throw(
      /export\.entities\[0\]\.engine/,
    );
  });

  it("lists a grant on a source container the deployer's own grant does not cover", () => {
    // Another account: a grant by hand, with no ARM id (its resource group is not in the spec).
    const other = planLakeSourceGrants(lakeSpec([ORDERS]));
    expect(other.map((g) => [g.role, g.scope, g.scopeId, g.entities])).to.deep.equal([
      ["Storage Blob Data Reader", "stcilake/raw", null, ["Orders"]],
    ]);
    expect(other[0].roleDefinitionId).to.equal("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1");
    // The export's own account, data roles on the account: the deployer's Contributor covers it.
    expect(planLakeSourceGrants(lakeSpec([VISITS]))).to.deep.equal([]);
    // The export's own account, data roles on the export's container only: the other container needs one.
    const own = planLakeSourceGrants(
      lakeSpec([VISITS], (raw) => (raw.connection.dataRoleScope = "container")),
    );
    expect(own.map((g) => g.scopeId)).to.deep.equal([
      "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stciexport/blobServices/default/containers/landing",
    ]);
  });
});

describe("a lake source the program may not list before the grants", () => {
  it("awaits this deploy's grants only where the stack's own data grant covers it; elsewhere the refusal stands", () => {
    const { sourcesAwaitingGrants } =
      require("../../src/plan/lakeSourceGrants") as typeof import("../../src/plan/lakeSourceGrants");
    const entity = (url: string) => ({
      name: "Orders",
      source: { path: url, format: "csv" as const },
    });
    const storage = { accountName: "stciexport", container: "ci-export" };
    const landing = entity("abfss://landing@StCiExport.dfs.core.windows.net/orders/*.csv");
    const own = sourcesAwaitingGrants(landing, storage, { dataRoleScope: "storageAccount" });
    expect(own).to.have.length(1);
    expect(own![0].etag).to.equal("awaiting-grants");
    // dataRoleScope: container grants the export's container only: landing's grant is by hand.
    expect(sourcesAwaitingGrants(landing, storage, { dataRoleScope: "container" })).to.equal(
      undefined,
    );
    const inExportContainer = entity("abfss://ci-export@stciexport.dfs.core.windows.net/in/*.csv");
    expect(
      sourcesAwaitingGrants(inExportContainer, storage, { dataRoleScope: "container" }),
    ).to.have.length(1);
    // No deployer grant (principals.deployer: false): nothing of this deploy lets it in.
    expect(sourcesAwaitingGrants(landing, storage, undefined)).to.equal(undefined);
    expect(
      sourcesAwaitingGrants(
        entity("abfss://raw@stcilake.dfs.core.windows.net/orders/*.csv"),
        storage,
        {
          dataRoleScope: "storageAccount",
        },
      ),
    ).to.equal(undefined);
    expect(
      sourcesAwaitingGrants(entity("data/orders.csv"), storage, {
        dataRoleScope: "storageAccount",
      }),
    ).to.equal(undefined);
  });
});
