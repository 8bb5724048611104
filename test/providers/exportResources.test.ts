// The export database and entity table providers, their lifecycle methods called directly as the
// Pulumi engine would, against the local target (a folder and DuckDB): the seed's update rules,
// end to end.

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { exportDatabaseProvider } from "../../src/providers/exportDatabase";
import { entityTableProvider } from "../../src/providers/entityTable";
import { LocalSql } from "../../src/engine/sql/localSql";
import { validateSpec } from "../../src/spec/validate";
import type { Spec } from "../../src/spec/types";
import type {
  EntityTableInputs,
  ExportDatabaseInputs,
  TargetRef,
} from "../../src/plan/exportResources";
import {
  entityTableSpec,
  exportDatabaseSpec,
  PULUMI_UNKNOWN,
} from "../../src/plan/exportResources";
import { sourceStates } from "../../src/engine/exportOperations";
import { validRawSpec } from "../helpers/specs";

let dir: string;
let target: TargetRef;

function specWith(mutate: (raw: any) => void = () => {}): Spec {
  const raw = validRawSpec();
  raw.export.entities = [
    {
      name: "Customer",
      source: "data/Customer.csv",
      columns: [
        { name: "CustomerId", type: "int64" },
        { name: "FullName", type: "string" },
      ],
    },
    { name: "Orders", source: "data/Orders.csv" },
  ];
  mutate(raw);
  const result = validateSpec(raw, dir);
  expect(result.issues).to.deep.equal([]);
  return result.spec!;
}

function writeSource(file: string, text: string, mtime = Date.now() - 60_000) {
  const full = path.join(dir, "data", file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, text);
  // An mtime safely in the past, as for data written well before the export runs.
  fs.utimesSync(full, mtime / 1000, mtime / 1000);
}

// What the resources' constructors pass: each its share of the spec.
async function tableInputs(spec: Spec, entity: string): Promise<EntityTableInputs> {
  return {
    spec: entityTableSpec(spec, entity),
    target,
    entity,
    sources: await sourceStates(spec, entity),
  };
}

function dbInputs(spec: Spec): ExportDatabaseInputs {
  return { spec: exportDatabaseSpec(spec), target };
}

async function query(database: string, sql: string) {
  const db = new LocalSql(path.join(dir, "out"));
  try {
    return await db.query(database, sql);
  } finally {
    await db.close();
  }
}

describe("export database and entity table providers (local target)", () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-providers-"));
    target = { kind: "local", dir: path.join(dir, "out") };
    writeSource("Customer.csv", "CustomerId,FullName\n1,Ada Lovelace\n2,Grace Hopper\n");
    writeSource("Orders.csv", "OrderId,CustomerId,Amount\n10,1,9.5\n11,2,20.25\n");
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("creates the database, then an entity's view whose data equals the source", async () => {
    const spec = specWith();
    const db = await exportDatabaseProvider.create!(dbInputs(spec));
    expect(db.id).to.equal("ci_export");
    expect(fs.existsSync(path.join(dir, "out", "ci_export.duckdb"))).to.equal(true);
    const created = await entityTableProvider.create!(await tableInputs(spec, "Customer"));
    // The local target's views are DuckDB's, in schema main (Synapse's are in dbo).
    expect(created.outs).to.deep.include({
      rows: 2,
      viewName: "main.Customer",
      status: "exported",
    });
    expect(created.outs.snapshot).to.match(/^[0-9a-f]{16}$/);
    expect(
      await query("ci_export", "SELECT CustomerId, FullName FROM Customer ORDER BY CustomerId"),
    ).to.deep.equal([
      { CustomerId: 1n, FullName: "Ada Lovelace" },
      { CustomerId: 2n, FullName: "Grace Hopper" },
    ]);
  });

  it("sees changed data as an update, exports a new snapshot and the view follows", async () => {
    const spec = specWith();
    await exportDatabaseProvider.create!(dbInputs(spec));
    const before = await tableInputs(spec, "Customer");
    const first = await entityTableProvider.create!(before);
    writeSource(
      "Customer.csv",
      "CustomerId,FullName\n1,Ada Lovelace\n2,Grace Hopper\n3,Alan Turing\n",
    );
    const after = await tableInputs(spec, "Customer");
    const diff = await entityTableProvider.diff!("ci_export.Customer", first.outs, after);
    expect(diff).to.deep.equal({ changes: true, replaces: [] });
    const updated = await entityTableProvider.update!("ci_export.Customer", first.outs, after);
    expect(updated.outs!.snapshot).not.to.equal(first.outs.snapshot);
    expect(await query("ci_export", "SELECT count(*)::INT AS n FROM Customer")).to.deep.equal([
      { n: 3 },
    ]);
  });

  it("sees unchanged data as no change; a forced refresh writes no new snapshot", async () => {
    const spec = specWith();
    await exportDatabaseProvider.create!(dbInputs(spec));
    const inputs = await tableInputs(spec, "Customer");
    const first = await entityTableProvider.create!(inputs);
    expect(
      await entityTableProvider.diff!("id", first.outs, await tableInputs(spec, "Customer")),
    ).to.deep.equal({
      changes: false,
      replaces: [],
    });
    // A new reader or another label in the spec does not touch the entity's data either.
    const relabelled = specWith((raw) => {
      raw.export.displayName = "Renamed export";
      raw.principals.readers = [];
    });
    expect(
      (await entityTableProvider.diff!("id", first.outs, await tableInputs(relabelled, "Customer")))
        .changes,
    ).to.equal(false);
    const again = await entityTableProvider.update!("id", first.outs, inputs);
    expect(again.outs).to.deep.include({ snapshot: first.outs.snapshot, status: "unchanged" });
    const folders = fs.readdirSync(path.join(dir, "out", "ci-export", "ci_export", "Customer"));
    expect(folders).to.deep.equal([`v=${first.outs.snapshot}`]);
  });

  it("keeps a removed entity's view, tables and data (onEntityRemoved: retain, the seed's rule)", async () => {
    const spec = specWith();
    await exportDatabaseProvider.create!(dbInputs(spec));
    const created = await entityTableProvider.create!(await tableInputs(spec, "Orders"));
    await entityTableProvider.delete!("ci_export.Orders", created.outs);
    expect(await query("ci_export", "SELECT sum(Amount) AS total FROM Orders")).to.deep.equal([
      { total: 29.75 },
    ]);
    expect(
      fs.existsSync(
        path.join(dir, "out", "ci-export", "ci_export", "Orders", `v=${created.outs.snapshot}`),
      ),
    ).to.equal(true);
  });

  it("drops a removed entity's view, tables and folders only with onEntityRemoved: drop", async () => {
    const spec = specWith((raw) => (raw.export.onEntityRemoved = "drop"));
    await exportDatabaseProvider.create!(dbInputs(spec));
    const created = await entityTableProvider.create!(await tableInputs(spec, "Orders"));
    await entityTableProvider.delete!("ci_export.Orders", created.outs);
    expect(
      await query("ci_export", "SELECT view_name FROM duckdb_views() WHERE NOT internal"),
    ).to.deep.equal([]);
    expect(fs.existsSync(path.join(dir, "out", "ci-export", "ci_export", "Orders"))).to.equal(
      false,
    );
  });

  it("replaces the database on a new name: the new one is created, the old one keeps answering with the old data", async () => {
    const oldSpec = specWith();
    const oldDb = await exportDatabaseProvider.create!(dbInputs(oldSpec));
    const oldTable = await entityTableProvider.create!(await tableInputs(oldSpec, "Customer"));

    writeSource("Customer.csv", "CustomerId,FullName\n7,Katherine Johnson\n");
    const newSpec = specWith((raw) => (raw.export.databaseName = "ci_export_v2"));
    expect(
      await exportDatabaseProvider.diff!("ci_export", oldDb.outs, dbInputs(newSpec)),
    ).to.deep.equal({
      changes: true,
      replaces: ["spec.export.databaseName"],
    });
    const newTableInputs = await tableInputs(newSpec, "Customer");
    expect(
      (await entityTableProvider.diff!("id", oldTable.outs, newTableInputs)).replaces,
    ).to.deep.equal(["entity"]);

    // Pulumi's replacement: create the new ones, then delete the old ones.
    await exportDatabaseProvider.create!(dbInputs(newSpec));
    await entityTableProvider.create!(newTableInputs);
    await entityTableProvider.delete!("ci_export.Customer", oldTable.outs);
    await exportDatabaseProvider.delete!("ci_export", oldDb.outs);

    expect(await query("ci_export_v2", "SELECT FullName FROM Customer")).to.deep.equal([
      { FullName: "Katherine Johnson" },
    ]);
    expect(await query("ci_export", "SELECT FullName FROM Customer ORDER BY 1")).to.deep.equal([
      { FullName: "Ada Lovelace" },
      { FullName: "Grace Hopper" },
    ]);
  });

  it("refuses a new database name that differs only by case: on Synapse it is the same database, which the old one's delete would drop", async () => {
    const oldSpec = specWith((raw) => (raw.export.onEntityRemoved = "drop"));
    await exportDatabaseProvider.create!(dbInputs(oldSpec));
    await entityTableProvider.create!(await tableInputs(oldSpec, "Customer"));
    const before = fs.readdirSync(path.join(dir, "out"), { recursive: true }).sort();

    const newSpec = specWith((raw) => {
      raw.export.onEntityRemoved = "drop";
      raw.export.databaseName = "CI_EXPORT";
    });
    // Pulumi creates the replacement first: its refusal stops the update before any delete.
    let error: Error | undefined;
    await exportDatabaseProvider.create!(dbInputs(newSpec)).catch((e: Error) => (error = e));
    expect(error?.message).to.equal(
      'export.databaseName "CI_EXPORT": the container already holds the export database "ci_export", which Synapse SQL takes for the same database (database names compare ignoring case), so "CI_EXPORT" would not be a new database. Keep the name "ci_export", or choose a name that differs in more than case. Nothing was written.',
    );
    const tableError = await entityTableProvider.create!(
      await tableInputs(newSpec, "Customer"),
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(tableError?.message).to.match(/already holds the export database "ci_export"/);
    expect(fs.readdirSync(path.join(dir, "out"), { recursive: true }).sort()).to.deep.equal(before);
    expect(await query("ci_export", "SELECT FullName FROM Customer ORDER BY 1")).to.deep.equal([
      { FullName: "Ada Lovelace" },
      { FullName: "Grace Hopper" },
    ]);
  });

  it("refuses in the diff a database name changed only by case, even with a new container beside it", async () => {
    const oldSpec = specWith((raw) => (raw.export.onEntityRemoved = "drop"));
    const oldDb = await exportDatabaseProvider.create!(dbInputs(oldSpec));
    const oldTable = await entityTableProvider.create!(await tableInputs(oldSpec, "Customer"));
    const newSpec = specWith((raw) => {
      raw.export.onEntityRemoved = "drop";
      raw.export.databaseName = "CI_EXPORT";
      raw.connection.storage.container = "ci-export-2";
    });
    const message =
      'export.databaseName "CI_EXPORT": this stack already deployed the export database "ci_export", which Synapse SQL takes for the same database (database names compare ignoring case), so "CI_EXPORT" would not be a new database. Keep the name "ci_export", or choose a name that differs in more than case. Nothing was written.';
    const dbDiff = await exportDatabaseProvider.diff!(
      "ci_export",
      oldDb.outs,
      dbInputs(newSpec),
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(dbDiff?.message).to.equal(message);
    const tableDiff = await entityTableProvider.diff!(
      "id",
      oldTable.outs,
      await tableInputs(newSpec, "Customer"),
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(tableDiff?.message).to.equal(message);
  });

  it("lets a case-only new name through when the database also moves to another pool: that is another database", async () => {
    const spec = specWith();
    const olds = {
      ...dbInputs(spec),
      target: { kind: "azure" as const, sqlServer: "ws-a-ondemand.sql.azuresynapse.net" },
    };
    const news = {
      ...dbInputs(specWith((raw) => (raw.export.databaseName = "CI_EXPORT"))),
      target: { kind: "azure" as const, sqlServer: "ws-b-ondemand.sql.azuresynapse.net" },
    };
    expect(await exportDatabaseProvider.diff!("ci_export", olds, news)).to.deep.equal({
      changes: true,
      replaces: ["spec.export.databaseName"],
    });
    // Still unknown in preview (a new workspace): decided at deploy, not refused now.
    const unknown = { ...news, target: { kind: "azure" as const, sqlServer: PULUMI_UNKNOWN } };
    const sameServer = { ...news, target: olds.target };
    expect(await exportDatabaseProvider.diff!("ci_export", olds, unknown)).to.include({
      changes: true,
    });
    const refused = await exportDatabaseProvider.diff!("ci_export", olds, sameServer).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refused?.message).to.match(
      /this stack already deployed the export database "ci_export"/,
    );
  });

  it("treats a new storage account or container as an update of the same database, never a replacement", async () => {
    const spec = specWith((raw) => (raw.export.onEntityRemoved = "drop"));
    const db = await exportDatabaseProvider.create!(dbInputs(spec));
    const table = await entityTableProvider.create!(await tableInputs(spec, "Customer"));
    const moved = specWith((raw) => {
      raw.export.onEntityRemoved = "drop";
      raw.connection.storage.container = "ci-export-2";
    });
    expect(await exportDatabaseProvider.diff!("ci_export", db.outs, dbInputs(moved))).to.deep.equal(
      {
        changes: true,
        replaces: [],
      },
    );
    const movedInputs = await tableInputs(moved, "Customer");
    expect(await entityTableProvider.diff!("id", table.outs, movedInputs)).to.deep.equal({
      changes: true,
      replaces: [],
    });
    await exportDatabaseProvider.update!("ci_export", db.outs, dbInputs(moved));
    const updated = await entityTableProvider.update!("id", table.outs, movedInputs);
    expect(updated.outs!.status).to.equal("exported");
    expect(fs.existsSync(path.join(dir, "out", "ci-export-2", "ci_export", "Customer"))).to.equal(
      true,
    );
    expect(await query("ci_export", "SELECT count(*)::INT AS n FROM Customer")).to.deep.equal([
      { n: 2 },
    ]);
  });

  it("takes a new workspace name on the local target as an update: its database file is the same one", async () => {
    // Review rv-sql: the replacement (create the new, then delete the old under drop) deleted the
    // database file and folders the replacement had just made, since both are the same locally.
    const spec = specWith((raw) => (raw.export.onEntityRemoved = "drop"));
    const db = await exportDatabaseProvider.create!(dbInputs(spec));
    const table = await entityTableProvider.create!(await tableInputs(spec, "Customer"));
    const renamed = specWith((raw) => {
      raw.export.onEntityRemoved = "drop";
      raw.connection.workspace.name = "ws-ci-2";
    });
    expect(
      (await exportDatabaseProvider.diff!("ci_export", db.outs, dbInputs(renamed))).replaces,
    ).to.deep.equal([]);
    expect(
      (await entityTableProvider.diff!("id", table.outs, await tableInputs(renamed, "Customer")))
        .replaces,
    ).to.deep.equal([]);
  });

  it("leaves the lake folders of a database replaced over the same lake to the replacement, and drops them on a plain delete", async () => {
    const spec = specWith((raw) => (raw.export.onEntityRemoved = "drop"));
    const db = await exportDatabaseProvider.create!(dbInputs(spec));
    const table = await entityTableProvider.create!(await tableInputs(spec, "Customer"));
    const lake = path.join(dir, "out", "ci-export");
    const owner = path.join(lake, "ci_export.database.json");
    // Provisioning says whose the lake folder is: this resource's identity.
    const ours = fs.readFileSync(owner, "utf8");
    expect(JSON.parse(ours).identity).to.be.a("string").and.to.contain('"database":"ci_export"');

    // A replacement over the same lake (on Azure: a new workspace or SQL endpoint) was provisioned
    // after this one: its identity is in the marker when Pulumi deletes the old resources.
    fs.writeFileSync(owner, `${JSON.stringify({ identity: "the replacement" })}\n`);
    await entityTableProvider.delete!("ci_export.Customer", table.outs);
    await exportDatabaseProvider.delete!("ci_export", db.outs);
    expect(
      fs.existsSync(path.join(lake, "ci_export", "Customer")),
      "the entity's snapshots",
    ).to.equal(true);
    expect(fs.readFileSync(owner, "utf8")).to.contain("the replacement");

    // The resource whose marker it is drops everything, the marker too.
    fs.writeFileSync(owner, ours);
    const again = await entityTableProvider.create!(await tableInputs(spec, "Customer"));
    await entityTableProvider.delete!("ci_export.Customer", again.outs);
    await exportDatabaseProvider.delete!("ci_export", db.outs);
    expect(fs.existsSync(path.join(lake, "ci_export"))).to.equal(false);
    expect(fs.existsSync(owner)).to.equal(false);
  });

  it("refuses to drop when the lake's owner marker is not one it wrote, before anything is dropped", async () => {
    const spec = specWith((raw) => (raw.export.onEntityRemoved = "drop"));
    const db = await exportDatabaseProvider.create!(dbInputs(spec));
    const table = await entityTableProvider.create!(await tableInputs(spec, "Customer"));
    const lake = path.join(dir, "out", "ci-export");
    const owner = path.join(lake, "ci_export.database.json");
    for (const [text, why] of [
      ["{ identity: oops", "it is not JSON"],
      ['{"identity": 7}\n', 'it has no string "identity"'],
      ["null\n", 'it has no string "identity"'],
    ]) {
      fs.writeFileSync(owner, text);
      for (const drop of [
        () => entityTableProvider.delete!("ci_export.Customer", table.outs),
        () => exportDatabaseProvider.delete!("ci_export", db.outs),
      ]) {
        const e = await drop().then(
          () => undefined,
          (x: unknown) => x as Error,
        );
        expect(e?.message, text).to.contain(
          `ci_export.database.json in the lake says which deployment`,
        );
        expect(e?.message, text).to.contain(why);
        expect(e?.message, text).to.contain("Nothing was dropped");
      }
      // The view still serves, and the snapshots are there.
      expect(await query("ci_export", "SELECT count(*)::INT AS n FROM Customer")).to.deep.equal([
        { n: 2 },
      ]);
      expect(fs.existsSync(path.join(lake, "ci_export", "Customer"))).to.equal(true);
    }
  });

  describe("keeps the drop policy current in the state, so a later delete follows the newest setting", () => {
    const databaseFile = () => path.join(dir, "out", "ci_export.duckdb");
    const databaseFolder = () => path.join(dir, "out", "ci-export", "ci_export");
    const deployWith = async (onEntityRemoved: "retain" | "drop") => {
      const spec = specWith((raw) => (raw.export.onEntityRemoved = onEntityRemoved));
      const db = await exportDatabaseProvider.create!(dbInputs(spec));
      await entityTableProvider.create!(await tableInputs(spec, "Customer"));
      expect(fs.existsSync(databaseFile())).to.equal(true);
      expect(fs.existsSync(databaseFolder())).to.equal(true);
      return db;
    };
    // The state Pulumi keeps is what update returns: only that reaches delete.
    const switchTo = async (olds: ExportDatabaseInputs, onEntityRemoved: "retain" | "drop") => {
      const news = dbInputs(specWith((raw) => (raw.export.onEntityRemoved = onEntityRemoved)));
      expect(await exportDatabaseProvider.diff!("ci_export", olds, news)).to.deep.equal({
        changes: true,
        replaces: [],
      });
      const updated = await exportDatabaseProvider.update!("ci_export", olds, news);
      expect(updated.outs!.spec.export.onEntityRemoved, "the stored policy").to.equal(
        onEntityRemoved,
      );
      return updated.outs as ExportDatabaseInputs;
    };

    it("retain, then drop: the delete drops the database and its folder", async () => {
      const db = await deployWith("retain");
      const stored = await switchTo(db.outs, "drop");
      await exportDatabaseProvider.delete!("ci_export", stored);
      expect(fs.existsSync(databaseFile()), "the database").to.equal(false);
      expect(fs.existsSync(databaseFolder()), "its lake folder").to.equal(false);
    });

    it("one commit that sets retain and removes an entity keeps the entity: its delete follows the newest policy", async () => {
      // Pulumi updates the database (the new policy) before it deletes the removed entity's table,
      // whose state still says drop.
      const spec = specWith((raw) => (raw.export.onEntityRemoved = "drop"));
      const db = await exportDatabaseProvider.create!(dbInputs(spec));
      const table = await entityTableProvider.create!(await tableInputs(spec, "Customer"));
      await switchTo(db.outs, "retain");
      await entityTableProvider.delete!("ci_export.Customer", table.outs);
      expect(await query("ci_export", "SELECT count(*)::INT AS n FROM Customer")).to.deep.equal([
        { n: 2 },
      ]);
      expect(fs.existsSync(path.join(databaseFolder(), "Customer")), "its data").to.equal(true);
    });

    it("one commit that sets drop and removes an entity drops it, as the newest policy says", async () => {
      const spec = specWith((raw) => (raw.export.onEntityRemoved = "retain"));
      const db = await exportDatabaseProvider.create!(dbInputs(spec));
      const table = await entityTableProvider.create!(await tableInputs(spec, "Customer"));
      await switchTo(db.outs, "drop");
      await entityTableProvider.delete!("ci_export.Customer", table.outs);
      expect(fs.existsSync(path.join(databaseFolder(), "Customer")), "its data").to.equal(false);
    });

    it("drop, then retain: the delete keeps the database and its data", async () => {
      const db = await deployWith("drop");
      const stored = await switchTo(db.outs, "retain");
      await exportDatabaseProvider.delete!("ci_export", stored);
      expect(await query("ci_export", "SELECT count(*)::INT AS n FROM Customer")).to.deep.equal([
        { n: 2 },
      ]);
      expect(fs.existsSync(databaseFolder()), "its lake folder").to.equal(true);
    });
  });

  it("with runOnDeploy: false, points the view at the newest snapshot already in the lake and writes nothing", async () => {
    const spec = specWith();
    await exportDatabaseProvider.create!(dbInputs(spec));
    const exported = await entityTableProvider.create!(await tableInputs(spec, "Customer"));
    writeSource("Customer.csv", "CustomerId,FullName\n9,Not exported yet\n");
    const provisionOnly = specWith((raw) => (raw.export.runOnDeploy = false));
    const published = await entityTableProvider.update!(
      "id",
      exported.outs,
      await tableInputs(provisionOnly, "Customer"),
    );
    expect(published.outs).to.deep.include({
      snapshot: exported.outs.snapshot,
      status: "published",
    });
    expect(await query("ci_export", "SELECT count(*)::INT AS n FROM Customer")).to.deep.equal([
      { n: 2 },
    ]);
    // An entity with nothing in the lake yet gets no view, and no error.
    const orders = await entityTableProvider.create!(await tableInputs(provisionOnly, "Orders"));
    expect(orders.outs).to.deep.include({ snapshot: null, rows: 0 });
  });

  it("reports a bad value as a failed create, naming the file, row, column and value", async () => {
    writeSource("Customer.csv", "CustomerId,FullName\n1,Ada\nnot-a-number,Grace\n");
    const spec = specWith();
    await exportDatabaseProvider.create!(dbInputs(spec));
    let message = "";
    try {
      await entityTableProvider.create!(await tableInputs(spec, "Customer"));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.match(
      /Entity Customer was not exported: .*Customer\.csv.*CustomerId.*not-a-number/s,
    );
  });

  it("takes over a state written with the whole spec: no change, its delete follows its policy, an update stores the share", async () => {
    const spec = specWith((raw) => (raw.export.onEntityRemoved = "drop"));
    await exportDatabaseProvider.create!(dbInputs(spec));
    const created = await entityTableProvider.create!(await tableInputs(spec, "Orders"));
    // What earlier versions stored: the whole spec, readers and every entity included.
    const oldState = { ...created.outs, spec };
    const news = await tableInputs(spec, "Orders");
    expect(await entityTableProvider.diff!("ci_export.Orders", oldState, news)).to.deep.equal({
      changes: false,
      replaces: [],
    });
    const updated = await entityTableProvider.update!("ci_export.Orders", oldState, news);
    expect(updated.outs!.spec).not.to.have.property("principals");
    expect(updated.outs!.spec.export.entities.map((e: any) => e.name)).to.deep.equal(["Orders"]);
    await entityTableProvider.delete!("ci_export.Orders", oldState);
    expect(fs.existsSync(path.join(dir, "out", "ci-export", "ci_export", "Orders"))).to.equal(
      false,
    );
  });

  it("still works after Pulumi serializes the providers and loads them elsewhere, as the provider host does", async () => {
    const requireFromString = require(
      require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] }),
    ) as (code: string) => { handler: () => pulumi.dynamic.ResourceProvider };
    const revive = async (provider: pulumi.dynamic.ResourceProvider) =>
      requireFromString((await pulumi.runtime.serializeFunction(() => provider)).text).handler();
    const database = await revive(exportDatabaseProvider);
    const table = await revive(entityTableProvider);
    const spec = specWith((raw) => (raw.export.onEntityRemoved = "drop"));
    const db = await database.create(dbInputs(spec));
    expect(db.id).to.equal("ci_export");
    const created = await table.create(await tableInputs(spec, "Customer"));
    expect(created.id).to.equal("ci_export.Customer");
    expect(await query("ci_export", "SELECT count(*)::INT AS n FROM Customer")).to.deep.equal([
      { n: 2 },
    ]);
    expect(
      await table.diff!(created.id, created.outs, await tableInputs(spec, "Customer")),
    ).to.deep.equal({
      changes: false,
      replaces: [],
    });
    await table.delete!(created.id, created.outs);
    expect(fs.existsSync(path.join(dir, "out", "ci-export", "ci_export", "Customer"))).to.equal(
      false,
    );
  });

  it("shows a change of unknown outcome during preview instead of failing", async () => {
    const spec = specWith();
    const olds = await tableInputs(spec, "Customer");
    const news = { ...olds, sources: PULUMI_UNKNOWN as any };
    expect(await entityTableProvider.diff!("id", olds, news)).to.deep.equal({
      changes: true,
      replaces: [],
    });
  });
});
