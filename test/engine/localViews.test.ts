import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { LocalSql, localDatabaseFile } from "../../src/engine/sql/localSql";
import { SqlViewPublisher } from "../../src/engine/views/sqlViewPublisher";
import { renderDuckdb } from "../../src/plan/renderDuckdb";
import { snapshotFolder } from "../../src/plan/lakeLayout";
import type { SnapshotManifest } from "../../src/plan/manifest";

// The lake's content is made here with DuckDB directly, so these tests check only the SQL side:
// the plan rendered for DuckDB, run by LocalSql, gives views that answer with the snapshot's data.
async function writeSnapshot(
  lakeRoot: string,
  db: string,
  entity: string,
  snapshot: string,
  rows: [string, number][],
) {
  const dir = path.join(lakeRoot, snapshotFolder(db, entity, snapshot));
  fs.mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  const values = rows.map(([n, v]) => `('${n}', ${v})`).join(", ");
  await c.run(
    `COPY (SELECT * FROM (VALUES ${values}) t(Name, Amount)) TO '${dir}/part-00000.parquet' (FORMAT parquet)`,
  );
  c.closeSync();
  instance.closeSync();
}

function manifest(entity: string, snapshot: string): SnapshotManifest {
  return {
    manifestVersion: 1,
    entity,
    snapshot,
    format: "parquet",
    columns: [
      { name: "Name", type: "string" },
      { name: "Amount", type: "int32" },
    ],
    columnsInferred: false,
    files: [{ name: "part-00000.parquet", bytes: 1, rows: 1 }],
    rows: 0,
    bytes: 0,
    createdAt: new Date().toISOString(),
    sources: [],
  };
}

describe("local SQL target (DuckDB) through the view publisher", () => {
  let dir: string;
  let lakeRoot: string;
  let sql: LocalSql;
  let views: SqlViewPublisher;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-views-"));
    lakeRoot = path.join(dir, "ci-export");
    sql = new LocalSql(dir);
    views = new SqlViewPublisher(
      sql,
      (steps) => renderDuckdb(steps, { database: "ci_export", lakeRoot }),
      "parquet",
    );
  });

  afterEach(async () => {
    await views.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("creates the database file and a view that follows the newest published snapshot", async () => {
    await writeSnapshot(lakeRoot, "ci_export", "Customer", "s1", [
      ["Ada", 1],
      ["Grace", 2],
    ]);
    await writeSnapshot(lakeRoot, "ci_export", "Customer", "s2", [["Alan", 3]]);
    await views.prepareDatabase();
    await views.publish(manifest("Customer", "s1"));
    expect(fs.existsSync(localDatabaseFile(dir, "ci_export"))).to.equal(true);
    expect(await sql.query("ci_export", "SELECT Name FROM Customer ORDER BY Name")).to.deep.equal([
      { Name: "Ada" },
      { Name: "Grace" },
    ]);
    await views.publish(manifest("Customer", "s2"));
    expect(await sql.query("ci_export", "SELECT Name, Amount FROM Customer")).to.deep.equal([
      { Name: "Alan", Amount: 3 },
    ]);
  });

  it("is idempotent: preparing and publishing twice converges", async () => {
    await writeSnapshot(lakeRoot, "ci_export", "Customer", "s1", [["Ada", 1]]);
    for (let i = 0; i < 2; i++) {
      await views.prepareDatabase();
      await views.publish(manifest("Customer", "s1"));
    }
    expect(await sql.query("ci_export", "SELECT count(*)::INT AS n FROM Customer")).to.deep.equal([
      { n: 1 },
    ]);
  });

  it("drops a removed snapshot's view but keeps the entity's view on the current one", async () => {
    await writeSnapshot(lakeRoot, "ci_export", "Customer", "s1", [["Ada", 1]]);
    await writeSnapshot(lakeRoot, "ci_export", "Customer", "s2", [["Alan", 3]]);
    await views.prepareDatabase();
    await views.publish(manifest("Customer", "s1"));
    await views.publish(manifest("Customer", "s2"));
    await views.dropSnapshots("Customer", ["s1"]);
    const names = await sql.query(
      "ci_export",
      "SELECT schema_name || '.' || view_name AS v FROM duckdb_views() WHERE NOT internal ORDER BY v",
    );
    expect(names.map((r) => r.v)).to.deep.equal(["main.Customer", "snapshots.Customer__s2"]);
    expect(await sql.query("ci_export", "SELECT Name FROM Customer")).to.deep.equal([
      { Name: "Alan" },
    ]);
  });

  it("drops the entity's view and snapshot views only when told to drop the entity", async () => {
    await writeSnapshot(lakeRoot, "ci_export", "Customer", "s1", [["Ada", 1]]);
    await views.prepareDatabase();
    await views.publish(manifest("Customer", "s1"));
    await views.dropEntity("Customer", ["s1"]);
    const left = await sql.query(
      "ci_export",
      "SELECT view_name FROM duckdb_views() WHERE NOT internal",
    );
    expect(left).to.deep.equal([]);
  });

  it("names the step that failed", async () => {
    await views.prepareDatabase();
    // No files for this snapshot: DuckDB cannot bind the view over them.
    let message = "";
    try {
      await views.publish(manifest("Customer", "missing"));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.match(
      /Local database ci_export: could not create the view of Customer snapshot missing/,
    );
  });
});
