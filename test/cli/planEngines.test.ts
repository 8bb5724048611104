// `synapse-export plan` and `plan --json` say which engine runs each entity and why, show the CETAS of a
// lake-resident entity and the grant its source needs; `validate` refuses a lake source serverless
// cannot read, naming the field. Through the real command; no source file is read for a lake entity.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, runCliJson } from "../helpers/cli";
import { blockSpecYaml } from "../helpers/specs";
import { writeSettled } from "../helpers/files";
import { LocalSql } from "../../src/engine/sql/localSql";
import { parseCsv } from "../engine/support/csv";

const SPEC = (engine = "") =>
  blockSpecYaml(`    - name: Orders
      source: { path: "abfss://raw@otherlake.dfs.core.windows.net/orders/*.csv", format: csv }
      ${engine}
      columns:
        - { name: Id, type: int64 }
        - { name: Amount, type: decimal, precision: 10, scale: 2 }
    - name: Local
      source: data/local.csv
      columns:
        - { name: A, type: string }
`);

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

  it("run --local reads a lake-resident CSV glob from DIR/<container>/<path> and serves its rows exactly", async () => {
    fs.writeFileSync(path.join(dir, "spec.yaml"), SPEC());
    const out = path.join(dir, "out");
    // The glob's files in the folder standing for the lake, a file it does not match beside them.
    const parts: Record<string, string> = {
      "a.csv": 'Id,Amount\n1,12.50\n2,"1000.00"\n',
      "b.csv": "Id,Amount\n3,-0.01\n4,\n",
    };
    const bad = 'Id,Amount\n9,"1,000.00"\n';
    fs.mkdirSync(path.join(out, "raw", "orders"), { recursive: true });
    for (const [name, text] of Object.entries(parts)) {
      writeSettled(path.join(out, "raw", "orders"), name, text);
    }
    writeSettled(path.join(out, "raw", "orders"), "notes.txt", "not a source\n");
    const r = await runCliJson(["run", path.join(dir, "spec.yaml"), "--local", out, "--json"]);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(r.doc.entities.map((e: any) => [e.name, e.status])).to.deep.equal([
      ["Orders", "exported"],
      ["Local", "exported"],
    ]);
    // Expected rows from the files' own text, split by the test's CSV reader.
    const expected = ["a.csv", "b.csv"]
      .flatMap((name) =>
        parseCsv(fs.readFileSync(path.join(out, "raw", "orders", name), "utf8")).slice(1),
      )
      .map(([id, amount]) => [id, amount === "" ? null : amount]);
    const db = new LocalSql(out);
    try {
      const rows = await db.query(
        "db",
        "SELECT CAST(Id AS VARCHAR) AS id, CAST(Amount AS VARCHAR) AS amount FROM Orders ORDER BY Id",
      );
      expect(rows.map((x: any) => [x.id, x.amount])).to.deep.equal(expected);
    } finally {
      await db.close();
    }

    // A value that does not fit fails the entity, naming it, and the view keeps serving what it served.
    writeSettled(path.join(out, "raw", "orders"), "c.csv", bad);
    const again = await runCliJson(["run", path.join(dir, "spec.yaml"), "--local", out, "--json"]);
    expect(again.code).to.not.equal(0);
    const orders = again.doc.entities.find((e: any) => e.name === "Orders");
    expect(orders.status).to.equal("failed");
    expect(errorText(orders)).to.contain("Amount");
  });
});
