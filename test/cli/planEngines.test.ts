// `synapse-export plan` and `plan --json` say which engine runs each entity and why, show the CETAS of a
// lake-resident entity and the grant its source needs; `validate` refuses a lake source serverless
// cannot read, naming the field. Through the real command; no source file is read for a lake entity.

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, runCliJson } from "../helpers/cli";

const SPEC = (engine = "") => `
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
    - name: Orders
      source: { path: "abfss://raw@otherlake.dfs.core.windows.net/orders/*.csv", format: csv }
      ${engine}
      columns:
        - { name: Id, type: int64 }
        - { name: Amount, type: decimal, precision: 10, scale: 2 }
    - name: Local
      source: data/local.csv
      columns:
        - { name: A, type: string }
`;

describe("synapse-export plan: engines", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-engines-"));
    fs.mkdirSync(path.join(dir, "data"));
    fs.writeFileSync(path.join(dir, "data/local.csv"), "A\nx\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("--json names the engine per entity, the CETAS, and the source's grant", async () => {
    fs.writeFileSync(path.join(dir, "spec.yaml"), SPEC());
    const r = await runCliJson(["plan", path.join(dir, "spec.yaml"), "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.doc.engines.map((e: any) => [e.entity, e.engine])).to.deep.equal([
      ["Orders", "synapse"],
      ["Local", "runner"],
    ]);
    const sql = r.doc.sql.map((s: any) => s.statement).join("\n");
    expect(sql).to.contain(
      "CREATE EXTERNAL TABLE [snapshots].[Orders__<snapshot>]\nWITH (LOCATION = N'Orders/v=<snapshot>/'",
    );
    expect(sql).to.contain(
      "OPENROWSET(BULK N'https://otherlake.dfs.core.windows.net/raw/orders/*.csv', FORMAT = 'CSV', PARSER_VERSION = '2.0', HEADER_ROW = TRUE",
    );
    expect(r.doc.lakeSourceGrants.map((g: any) => [g.role, g.scope])).to.deep.equal([
      ["Storage Blob Data Reader", "otherlake/raw"],
    ]);
  });

  it("prints the engine table and the grant to make by hand", async () => {
    fs.writeFileSync(path.join(dir, "spec.yaml"), SPEC());
    const r = await runCli(["plan", path.join(dir, "spec.yaml")], { env: { COLUMNS: "200" } });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/Engines:\n.*entity.*engine.*why/);
    expect(r.stdout).to.match(/Orders\s+\S*\s*synapse/);
    expect(r.stdout).to.match(/Local\s+\S*\s*runner/);
    expect(r.stdout).to.contain("Lake sources: grants to make by hand");
  });

  it("validate refuses engine: runner on a lake source, naming the field", async () => {
    fs.writeFileSync(path.join(dir, "spec.yaml"), SPEC("engine: runner"));
    const r = await runCliJson(["validate", path.join(dir, "spec.yaml"), "--json"]);
    expect(r.code).to.equal(1);
    expect(r.doc.error.field).to.equal("export.entities[0].engine");
    expect(r.doc.error.message).to.contain("download the whole entity");
  });

  it("run refuses a lake-resident entity before writing anything (its server-side run is not built yet)", async () => {
    fs.writeFileSync(path.join(dir, "spec.yaml"), SPEC());
    const out = path.join(dir, "out");
    const r = await runCli(["run", path.join(dir, "spec.yaml"), "--local", out]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.contain(
      "Orders: a lake-resident source is exported by Synapse serverless (CETAS)",
    );
    expect(r.stderr).to.contain("Nothing was written");
    expect(fs.existsSync(out) ? fs.readdirSync(out) : []).to.deep.equal([]);
  });
});
