// `synapse-export run --local DIR` over a Customer Insights export folder in the (local) lake: the
// model.json at DIR/<container>/<path>, its partitions where their https:// locations say, and the
// database view serving exactly the partitions' rows.

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, runCliJson } from "../helpers/cli";
import { writeSettled } from "../helpers/files";
import { LocalSql } from "../../src/engine/sql/localSql";
import {
  ACCOUNT,
  CONTAINER,
  EXPORT,
  modelJson,
  PARTITION_1,
  PARTITION_2,
} from "../engine/support/cdmExport";
import { parseCsv } from "../engine/support/csv";
import { cliSpecYaml } from "../helpers/specs";

const LAKE_PATH = `abfss://${CONTAINER}@${ACCOUNT}.dfs.core.windows.net/${EXPORT}`;

const SPEC = cliSpecYaml(`    - name: Customer
      source: { path: "${LAKE_PATH}", format: cdm }`);

describe("synapse-export plan --local and run --local: a model.json folder in the lake", function () {
  this.timeout(60_000);
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** `plan <the spec> ... --json`: one JSON document. */
  const planJson = (...args: string[]) =>
    runCliJson(["plan", path.join(dir, "spec.yaml"), ...args, "--json"]);

  /** The spec beside a local lake (the returned DIR) holding a Customer Insights export folder. */
  function exportFolder(): string {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-cdm-"));
    const out = path.join(dir, "out");
    const exportDir = path.join(CONTAINER, ...EXPORT.split("/"));
    writeSettled(dir, "spec.yaml", SPEC);
    writeSettled(out, path.join(exportDir, "model.json"), modelJson());
    writeSettled(out, path.join(exportDir, "Customer/2024/05/01/0930/Customer_1.csv"), PARTITION_1);
    writeSettled(out, path.join(exportDir, "Customer/2024/05/01/0930/Customer_2.csv"), PARTITION_2);
    return out;
  }

  it("plan --local reads the model.json: its columns, its partitions and the CETAS over them", async () => {
    const out = exportFolder();
    const r = await planJson("--local", out);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(r.stderr).to.equal("");
    // Expected from the model.json itself, read here as plain JSON.
    const model = JSON.parse(modelJson());
    const customer = model.entities.find((e: { name: string }) => e.name === "Customer");
    const [columns] = r.doc.columns;
    expect(columns.entity).to.equal("Customer");
    expect(columns.columns.map((c: { name: string }) => c.name)).to.deep.equal(
      customer.attributes.map((a: { name: string }) => a.name),
    );
    const partitions = customer.partitions.map((p: { location: string }) => p.location);
    const cetas = r.doc.sql.find((s: { statement: string }) =>
      s.statement.startsWith("CREATE EXTERNAL TABLE [snapshots].[Customer__"),
    );
    expect(cetas, "a CETAS for Customer").to.not.equal(undefined);
    const bulk = [...cetas.statement.matchAll(/OPENROWSET\(BULK N'([^']+)'/g)].map((m) => m[1]);
    expect(bulk).to.deep.equal(partitions);

    const text = await runCli(["plan", path.join(dir, "spec.yaml"), "--local", out]);
    for (const p of partitions) {
      const lake = new URL(p);
      const [container, ...rest] = lake.pathname.slice(1).split("/");
      expect(text.stdout).to.contain(`    abfss://${container}@${lake.host}/${rest.join("/")}\n`);
    }

    // Without --local nothing is read, and the warning says where the columns will come from.
    const offline = await planJson();
    expect(offline.code).to.equal(0);
    expect(offline.doc.columns).to.deep.equal([]);
    expect(offline.stderr).to.contain(
      `Customer: its columns and partitions come from the model.json at ${LAKE_PATH}`,
    );
    expect(offline.stderr).to.contain("plan --local DIR reads DIR/<container>/<path> instead");
  });

  it("plan --local names the local file it read, and refuses a --local folder that is not there", async () => {
    const out = exportFolder();
    const model = path.join(out, CONTAINER, ...EXPORT.split("/"), "model.json");
    fs.rmSync(model);
    const missing = await planJson("--local", out);
    expect(missing.code).to.equal(0);
    expect(missing.stderr).to.contain(
      `(plan --local read it from ${path.join(out, CONTAINER, ...EXPORT.split("/"))})`,
    );
    fs.mkdirSync(model);
    const folder = await planJson("--local", out);
    expect(folder.stderr).to.contain(`${model} is a folder, not a file`);

    const nowhere = path.join(dir, "nowhere");
    const refused = await planJson("--local", nowhere);
    expect(refused.code).to.equal(1);
    expect(refused.doc.error.message).to.contain(`--local ${nowhere}: no such folder`);
  });

  it("exports the export folder's rows exactly and names it in the run record", async () => {
    const out = exportFolder();

    const r = await runCliJson(["run", path.join(dir, "spec.yaml"), "--local", out, "--json"]);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    const e = r.doc.entities[0];
    expect(e).to.include({ name: "Customer", status: "exported" });
    expect(e.cdm).to.deep.equal({
      modelJson: `${LAKE_PATH}/model.json`,
      exportFolder: `${LAKE_PATH}/Customer/2024/05/01/0930`,
    });

    // The server-side steps ran (DuckDB standing in for serverless): the sources were listed, with
    // a stat-based etag each, and no byte of them was hashed.
    const manifest = JSON.parse(
      fs.readFileSync(
        path.join(out, "ci-export", "ci_export", "Customer", `v=${e.snapshot}`, "_manifest.json"),
        "utf8",
      ),
    );
    expect(manifest.sources.map((s: { sha256: string }) => s.sha256)).to.deep.equal(["", ""]);
    for (const s of manifest.sources) expect(s.etag).to.match(/^\d+-\d+-\d+-\d+$/);

    const expected = [...parseCsv(PARTITION_1), ...parseCsv(PARTITION_2)].map((row) => [
      row[0],
      row[1] === "" ? null : row[1],
    ]);
    const db = new LocalSql(out);
    try {
      const rows = await db.query(
        "ci_export",
        "SELECT CAST(CustomerId AS VARCHAR) AS id, FullName FROM Customer ORDER BY CustomerId",
      );
      expect(rows.map((x: any) => [x.id, x.FullName])).to.deep.equal(expected);
    } finally {
      await db.close();
    }
  });
});
