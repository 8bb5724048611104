import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, REPO_ROOT } from "../helpers/cli";

const EXAMPLE = "stacks/customer-insights.spec.yaml";
const PREVIEW = path.join(REPO_ROOT, "test/fixtures/preview/grants-changed.json");

describe("synapse-export validate", () => {
  it("exits 0 on a valid spec and says what it exports", async () => {
    const r = await runCli(["validate", EXAMPLE]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(
      /valid\. Export 'Customer data' to database ci_export: 2 entities \(Customer, Segments\)/,
    );
    // The pool's databases are only known to the pool: validate says so, and who counts them.
    expect(r.stdout).to.contain(
      "A serverless SQL pool holds at most 100 databases; how many it holds now (old databases that earlier databaseName changes left behind among them) is unknown offline.",
    );
  });

  it("exits 1 with every error and its field path on an invalid spec", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-cli-"));
    const file = path.join(dir, "bad.yaml");
    const text = fs
      .readFileSync(path.join(REPO_ROOT, EXAMPLE), "utf8")
      .replace("dataPrivacyConsent: true", "dataPrivacyConsent: false")
      .replace("databaseName: ci_export", "databaseName: master");
    fs.writeFileSync(file, text);
    try {
      const r = await runCli(["validate", file]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain("connection.dataPrivacyConsent: Select I agree");
      expect(r.stderr).to.contain("export.databaseName: 'master' is a system database");
      expect(r.stderr).not.to.match(/\bat .*\.js:\d+/); // no stack trace
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("warns of a reader without a login name, which plan and an Azure run refuse and Pulumi looks up", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-cli-"));
    const file = path.join(dir, "noname.yaml");
    const text = fs
      .readFileSync(path.join(REPO_ROOT, EXAMPLE), "utf8")
      .replace(", type: Group, name: analysts }", ", type: Group }");
    fs.writeFileSync(file, text);
    try {
      const r = await runCli(["validate", file]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.match(
        /^warning: principals\.readers\[0\]\.name: .*Pulumi looks it up from the object id/m,
      );
      const asJson = await runCli(["validate", file, "--json"]);
      expect(asJson.code).to.equal(0);
      const doc = JSON.parse(asJson.stdout);
      expect(doc.warnings.map((w: { path: string }) => w.path)).to.include(
        "principals.readers[0].name",
      );
      // plan refuses the same field.
      const plan = await runCli(["plan", file]);
      expect(plan.code).to.equal(1);
      expect(plan.stderr).to.contain("principals.readers[0].name");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 1 on a column serverless could not read (a format: csv string above 2000 characters)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-cli-"));
    const file = path.join(dir, "long.yaml");
    const example = fs.readFileSync(path.join(REPO_ROOT, EXAMPLE), "utf8");
    expect(example).to.contain("format: parquet").and.contain("maxLength: 200 }");
    fs.writeFileSync(
      file,
      example
        .replace("format: parquet", "format: csv")
        .replace("maxLength: 200 }", "maxLength: 5000 }"),
    );
    try {
      const r = await runCli(["validate", file]);
      expect(r.code, r.stdout).to.equal(1);
      expect(r.stderr).to.match(/export\.entities\[0\]\.columns\[\d+\]\.maxLength/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 1 with a readable message for a missing file and for usage errors", async () => {
    const missing = await runCli(["validate", "nope.yaml"]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(
      /cannot read the spec file nope\.yaml: ENOENT, no such file \(tried \/.*\/nope\.yaml\)/,
    );
    const unknown = await runCli(["frobnicate"]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/unknown command 'frobnicate'/);
    const badOption = await runCli(["validate", EXAMPLE, "--colour"]);
    expect(badOption.code).to.equal(1);
    expect(badOption.stderr).to.match(/unknown option --colour/);
  });

  it("reads a stack's spec with --stack", async () => {
    const r = await runCli(["validate", "--stack", "dev"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/customer-insights\.spec\.yaml: valid/);
  });

  it("documents the exit codes in --help", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(
      /0 {2}success\n {2}1 {2}invalid spec or usage\n {2}2 {2}the run failed/,
    );
  });
});

describe("synapse-export plan", () => {
  it("prints the seed's grants, the lake layout and the SQL as one JSON document", async () => {
    const r = await runCli(["plan", EXAMPLE, "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const plan = JSON.parse(r.stdout);
    const rows = plan.grants.map(
      (g: any) => `${g.principal}|${g.role}|${g.roleDefinitionId}|${g.scope}|${g.plane}`,
    );
    expect(rows).to.include.members([
      "customerInsights|Storage Blob Data Contributor|ba92f5b4-2d11-453d-a403-e96b0029c9fe|storageAccount|arm",
      "customerInsights|Reader|acdd72a7-3385-48ef-bd42-f606fba81ae7|workspaceResourceGroup|arm",
      "customerInsights|Synapse Administrator|6e4bf58a-b8e1-4cc3-bbf9-d73143322b78|workspace|synapse",
      "administrator|Reader|acdd72a7-3385-48ef-bd42-f606fba81ae7|workspaceResourceGroup|arm",
      "administrator|Storage Blob Data Contributor|ba92f5b4-2d11-453d-a403-e96b0029c9fe|storageAccount|arm",
      "workspaceIdentity|Storage Blob Data Contributor|ba92f5b4-2d11-453d-a403-e96b0029c9fe|storageAccount|arm",
      "reader|Storage Blob Data Reader|2a2b9908-6ea1-4ae2-8e65-a410df84e7d1|storageAccount|arm",
    ]);
    for (const g of plan.grants) {
      expect(g).to.have.all.keys(
        "key",
        "principal",
        "principalId",
        "principalName",
        "principalType",
        "role",
        "roleDefinitionId",
        "scope",
        "scopeId",
        "plane",
        "purpose",
      );
    }
    expect(plan.lake.entities[0].snapshotPattern).to.equal(
      "ci_export/Customer/v=<snapshot>/*.parquet",
    );
    expect(plan.sql[0]).to.deep.include({ database: "master" });
    expect(plan.sql.map((s: any) => s.statement).join("\n")).to.contain(
      "CREATE OR ALTER VIEW [dbo].[Segments]",
    );
    // Segments declares no columns: they are inferred from its source file.
    const segments = plan.columns.find((c: any) => c.entity === "Segments");
    expect(segments.inferred).to.equal(true);
    expect(segments.columns.map((c: any) => `${c.name}:${c.type}`)).to.deep.equal([
      "SegmentName:string",
      "CustomerId:guid",
      "AddedOn:date",
    ]);
  });

  it("prints a readable table without --json", async () => {
    const r = await runCli(["plan", EXAMPLE], { env: { COLUMNS: "200" } });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/Permissions \(8 role assignments\):/);
    expect(r.stdout).to.match(/customerInsights .*Synapse Administrator +workspace +synapse/);
  });
});

describe("synapse-export plan and permissions plan fit the terminal", () => {
  const longest = (text: string) => Math.max(...text.split("\n").map((l) => l.length));
  for (const columns of [80, 200]) {
    it(`fit COLUMNS=${columns} (the T-SQL section is left as it is)`, async () => {
      const env = { COLUMNS: String(columns) };
      const plan = await runCli(["plan", EXAMPLE], { env });
      const beforeSql = plan.stdout.slice(0, plan.stdout.indexOf("SQL for Synapse serverless"));
      expect(longest(beforeSql), beforeSql).to.be.at.most(columns);
      const permissions = await runCli(["permissions", "plan", EXAMPLE], { env });
      expect(longest(permissions.stdout), permissions.stdout).to.be.at.most(columns);
      // Narrow or wide, every grant's role and principal is there to read.
      for (const words of [
        "Synapse Administrator",
        "reader (analysts)",
        "workspaceResourceGroup",
      ]) {
        expect(permissions.stdout.replace(/\s+/g, " ")).to.contain(words);
      }
    });
  }
});

describe("synapse-export permissions", () => {
  it("plans the grant graph as a table, JSON and Mermaid", async () => {
    const t = await runCli(["permissions", "plan", EXAMPLE], { env: { COLUMNS: "200" } });
    expect(t.code, t.stderr).to.equal(0);
    expect(t.stdout.split("\n")[0]).to.match(/^principal +role +scope +plane +purpose$/);
    const j = await runCli(["permissions", "plan", EXAMPLE, "--format", "json"]);
    expect(JSON.parse(j.stdout).grants).to.have.length(8);
    const m = await runCli(["permissions", "plan", EXAMPLE, "--format", "mermaid"]);
    expect(m.stdout).to.match(/^graph LR\n/);
    expect(m.stdout).to.contain('-- "Synapse Administrator (Synapse RBAC)" -->');
    const bad = await runCli(["permissions", "plan", EXAMPLE, "--format", "svg"]);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/use table, json or mermaid/);
  });

  it("reads a preview from stdin and lists added, removed, replaced and updated grants of both kinds", async () => {
    const r = await runCli(["permissions", "diff", "--json"], {
      stdin: fs.readFileSync(PREVIEW, "utf8"),
    });
    expect(r.code, r.stderr).to.equal(0);
    const changes = JSON.parse(r.stdout).changes.map(
      (c: any) => `${c.change}|${c.plane}|${c.role}|${c.principalId}|${c.scope.split("/").pop()}`,
    );
    expect(changes).to.deep.equal([
      "added|arm|Storage Blob Data Reader|dddddddd-0000-0000-0000-000000000004|stciexport",
      "added|synapse|Synapse Administrator|aaaaaaaa-0000-0000-0000-000000000009|ws-ci",
      "removed|arm|Storage Blob Data Reader|eeeeeeee-0000-0000-0000-000000000005|stciexport",
      "replaced|synapse|Synapse Administrator|aaaaaaaa-0000-0000-0000-0000000000ff|ws-ci",
      "replaced|arm|Storage Blob Data Contributor|bbbbbbbb-0000-0000-0000-000000000002|ci-export",
      "updated|arm|Reader|cccccccc-0000-0000-0000-000000000003|rg-analytics",
    ]);
  });

  it("prints a table that names the role, the principal, the scope, the purpose and what a replacement changed", async () => {
    const r = await runCli(["permissions", "diff", PREVIEW], { env: { COLUMNS: "200" } });
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).to.equal(
      "6 permission changes: 2 added, 1 removed, 2 replaced, 1 updated; 0 broader than the export needs.",
    );
    expect(lines[2]).to.match(/^change +plane +principal +role +scope +purpose$/);
    expect(r.stdout).to.match(
      /replaced +Synapse +aaaaaaaa-…-0000000000ff \(ServicePrincipal\) +Synapse Administrator +workspaces\/ws-ci +\[principal was aaaaaaaa-…-000000000001\] Customer Insights/,
    );
    expect(r.stdout).to.match(
      /replaced +ARM .*Storage Blob Data Contributor +\/subscriptions\/…\/ci-export +\[scope was \/subscriptions\/…\/rg-data\/…\/stciexport\]/,
    );
  });

  it("says so when nothing changes, and refuses what is not a preview", async () => {
    const none = await runCli([
      "permissions",
      "diff",
      path.join(REPO_ROOT, "test/fixtures/preview/no-changes.json"),
    ]);
    expect(none.stdout.trim()).to.equal("No permission changes.");
    const notJson = await runCli(["permissions", "diff"], { stdin: "Previewing update (dev)" });
    expect(notJson.code).to.equal(1);
    expect(notJson.stderr).to.match(/not JSON .*pulumi preview --json/);
    const notPreview = await runCli(["permissions", "diff"], { stdin: "{}" });
    expect(notPreview.code).to.equal(1);
    expect(notPreview.stderr).to.match(/has no `steps` list/);
  });
});
