// The Azure target end to end: runExport over azureTarget, with ADLS Gen2 and Synapse serverless SQL
// played by the loopback dfs and TDS test servers (only Entra ID is faked, at the credential). What a
// user would see in Azure is read back from the servers: the files in the container, the Parquet bytes,
// and the SQL batches in the order they reached the endpoint.

import { expect } from "chai";
import {
  AzureWorld,
  DB,
  EDITION_CHECK,
  ENTITIES,
  claimsOf,
  PRINCIPALS,
  FAST,
  SOURCE_ROWS,
} from "./support/azureWorld";
import {
  everythingFails,
  FAILURE_BOUND_MS,
  lakeFailsMidRun,
  lakeWritesFail,
  sqlFails,
  tenPercentFaults,
} from "./support/faultScenarios";

const NAMES = ENTITIES.map((e) => e.name);

describe("azureTarget end to end against the dfs and TDS test servers", function () {
  this.timeout(30_000);
  let world: AzureWorld;

  beforeEach(async () => {
    world = await AzureWorld.start(FAST);
  });
  afterEach(async () => {
    await world.close();
  });

  it("writes the lake layout, the manifest of each snapshot last, and Parquet equal to the sources", async () => {
    const record = await world.run();

    expect(record.ok, JSON.stringify(record.entities)).to.equal(true);
    expect(record.entities.map((e) => [e.name, e.status, e.rows])).to.deep.equal([
      ["Customer", "exported", 3],
      ["Orders", "exported", 2],
      ["Segment", "exported", 1],
    ]);
    const snapshot = Object.fromEntries(record.entities.map((e) => [e.name, e.snapshot!]));
    expect(world.lakeFiles()).to.deep.equal([
      // The lock beside the database folder, where dropping the database cannot delete it.
      `${DB}.export.lock`,
      `${DB}/Customer/v=${snapshot.Customer}/_manifest.json`,
      `${DB}/Customer/v=${snapshot.Customer}/part-00000.parquet`,
      `${DB}/Orders/v=${snapshot.Orders}/_manifest.json`,
      `${DB}/Orders/v=${snapshot.Orders}/part-00000.parquet`,
      `${DB}/Segment/v=${snapshot.Segment}/_manifest.json`,
      `${DB}/Segment/v=${snapshot.Segment}/part-00000.parquet`,
    ]);

    for (const name of NAMES) {
      expect(await world.snapshotRows(name, snapshot[name]), name).to.deep.equal(SOURCE_ROWS[name]);
      // The part is flushed before the manifest is even started, and the manifest appears whole, by a
      // rename of its temporary file.
      const folder = `${DB}/${name}/v=${snapshot[name]}/`;
      const writes = world.dfs.requests
        .filter((r) => r.path.startsWith(folder) && r.method !== "GET" && r.method !== "HEAD")
        .map(
          (r) =>
            `${r.op} ${r.path.slice(folder.length).replace(/^\._manifest\.json\.[0-9a-f-]+\.tmp$/, "<temporary>")}`,
        );
      expect(writes, name).to.deep.equal([
        "create part-00000.parquet",
        "append part-00000.parquet",
        "flush part-00000.parquet",
        "create <temporary>",
        "append <temporary>",
        "flush <temporary>",
        "rename _manifest.json",
      ]);
      expect(world.manifest(name, snapshot[name])).to.include({
        entity: name,
        snapshot: snapshot[name],
        rows: SOURCE_ROWS[name].length,
      });
    }
  });

  it("sends exactly the reviewed golden T-SQL, in order, each statement in its database, signed in with Entra ID", async () => {
    const record = await world.run();
    expect(record.ok, JSON.stringify(record.entities)).to.equal(true);

    const manifests = record.entities.map((e) => world.manifest(e.name, e.snapshot!));
    const plan = world.expectedSql(manifests);
    expect(world.tds.statements().map(({ database, text }) => ({ database, text }))).to.deep.equal([
      { database: "master", text: EDITION_CHECK },
      ...plan.map(({ database, statement }) => ({ database, text: statement })),
    ]);
    // What that plan is, in words: the database from master, then its setup, then per entity the
    // snapshot's external table and the view switched to it.
    const [check, claim, ...inDatabase] = world.tds.statements();
    expect(check.database).to.equal("master");
    expect(claim.database).to.equal("master");
    expect(claim.text).to.contain("THROW 50001");
    const inMaster = /CREATE DATABASE|CREATE LOGIN|THROW 50002/;
    expect(inDatabase.every((s) => (s.database === "master") === inMaster.test(s.text))).to.equal(
      true,
    );
    const texts = world.tds.statements().map((s) => s.text);
    let previousView = texts.findIndex((t) => t.includes("CREATE SCHEMA"));
    NAMES.forEach((name, i) => {
      const snapshot = manifests[i].snapshot;
      const table = texts.findIndex((t) =>
        t.includes(`CREATE EXTERNAL TABLE [snapshots].[${name}__${snapshot}]`),
      );
      const view = texts.findIndex((t) => t.startsWith(`CREATE OR ALTER VIEW [dbo].[${name}] AS`));
      expect(texts[table], name).to.contain(`LOCATION = N'${name}/v=${snapshot}/*.parquet'`);
      expect(texts[view], name).to.contain(`FROM [snapshots].[${name}__${snapshot}]`);
      expect(previousView, `${name} after the previous entity`).to.be.below(table);
      expect(table, `${name}: the table before its view`).to.be.below(view);
      previousView = view;
      expect(world.servedSnapshot(name)).to.equal(snapshot);
    });
    expect(world.tds.logins.length).to.be.greaterThan(0);
    expect(world.tds.accessTokens()).to.have.length(world.tds.logins.length);
    // The deployer's own tokens, each for the resource it is sent to.
    for (const token of world.tds.accessTokens()) {
      expect(claimsOf(token)).to.include({
        aud: "https://database.windows.net/",
        oid: PRINCIPALS.deployer.objectId,
      });
    }
    for (const r of world.dfs.requests) {
      expect(claimsOf(r.headers.authorization as string)).to.include({
        aud: "https://storage.azure.com",
        oid: PRINCIPALS.deployer.objectId,
      });
    }
  });

  it("uploads nothing again for unchanged entities on a second run, and re-points every view", async () => {
    const first = await world.run();
    expect(first.ok).to.equal(true);
    const before = Object.fromEntries(first.entities.map((e) => [e.name, e.snapshot!]));
    await world.writeSources({
      "orders.csv":
        "order_id,customer_id,amount,paid\n10,1,12.5,true\n12,3,7.25,true\n13,3,1,false\n",
    });
    const requestsBefore = world.dfs.requests.length;
    const statementsBefore = world.tds.statements().length;

    const second = await world.run();

    expect(second.entities.map((e) => [e.name, e.status])).to.deep.equal([
      ["Customer", "unchanged"],
      ["Orders", "exported"],
      ["Segment", "unchanged"],
    ]);
    const after = Object.fromEntries(second.entities.map((e) => [e.name, e.snapshot!]));
    expect(after.Customer).to.equal(before.Customer);
    expect(after.Segment).to.equal(before.Segment);
    expect(after.Orders).to.not.equal(before.Orders);
    const uploads = world.dfs.requests
      .slice(requestsBefore)
      .filter((r) => ["create", "append", "flush", "rename"].includes(r.op))
      .filter((r) => !r.path.endsWith(".export.lock"));
    expect(uploads.length).to.be.greaterThan(0);
    expect(
      uploads
        .filter((r) => !r.path.startsWith(`${DB}/Orders/v=${after.Orders}/`))
        .map((r) => r.path),
      "uploads outside the changed entity's new snapshot",
    ).to.deep.equal([]);
    expect(await world.snapshotRows("Orders", after.Orders)).to.deep.equal([
      { order_id: 10, customer_id: 1n, amount: 12.5, paid: true },
      { order_id: 12, customer_id: 3n, amount: 7.25, paid: true },
      { order_id: 13, customer_id: 3n, amount: 1, paid: false },
    ]);
    // The old snapshot of Orders is kept (retainSnapshots: 2), its manifest untouched.
    expect(world.completeSnapshots("Orders").sort()).to.deep.equal(
      [before.Orders, after.Orders].sort(),
    );

    const manifests = second.entities.map((e) => world.manifest(e.name, e.snapshot!));
    expect(
      world.tds
        .statements()
        .slice(statementsBefore)
        .map(({ database, text }) => ({ database, text })),
    ).to.deep.equal([
      { database: "master", text: EDITION_CHECK },
      ...world
        .expectedSql(manifests)
        .map(({ database, statement }) => ({ database, text: statement })),
    ]);
    for (const name of NAMES) expect(world.servedSnapshot(name), name).to.equal(after[name]);
  });

  it("after a move to another container, the views read the new container's snapshots, not the old tables", async () => {
    const first = await world.run();
    expect(first.ok).to.equal(true);
    world.spec.connection.storage.container = "ci-export2";
    const moved = await world.run();
    expect(moved.entities.map((e) => [e.name, e.status])).to.deep.equal(
      NAMES.map((n) => [n, "exported"]),
    );
    for (const e of moved.entities) {
      // The same bytes: a snapshot id of its own all the same, so a table of its own.
      expect(e.snapshot).to.not.equal(first.entities.find((f) => f.name === e.name)?.snapshot);
      const source = world.model.viewSource(DB, `dbo.${e.name}`);
      expect(source?.table.toLowerCase(), e.name).to.equal(
        `snapshots.${e.name}__${e.snapshot}`.toLowerCase(),
      );
      expect(source?.dataSource, e.name).to.match(/\/ci-export2\//);
      expect(source?.location, e.name).to.equal(`${e.name}/v=${e.snapshot}/*.parquet`);
    }
  });

  it("refuses a databaseName that differs only by case before any request that writes: on Synapse it is the same database", async () => {
    expect((await world.run()).ok).to.equal(true);
    const lakeBefore = world.lakeFiles();
    const statementsBefore = world.tds.statements().length;
    world.spec.export.databaseName = DB.toUpperCase();
    const error = await world.run().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.equal(
      `export.databaseName "${DB.toUpperCase()}": the container already holds the export database "${DB}", which Synapse SQL takes for the same database (database names compare ignoring case), so "${DB.toUpperCase()}" would not be a new database. Keep the name "${DB}", or choose a name that differs in more than case. Nothing was written.`,
    );
    expect(world.lakeFiles()).to.deep.equal(lakeBefore);
    expect(world.tds.statements().length).to.equal(statementsBefore);
    for (const name of NAMES)
      expect(world.model.viewSource(DB, `dbo.${name}`), name).to.not.equal(undefined);
  });

  it("refuses the case-only rename made with a move to another container too: serverless itself says it holds the other spelling", async () => {
    expect((await world.run()).ok).to.equal(true);
    world.spec.export.databaseName = DB.toUpperCase();
    world.spec.connection.storage.container = "ci-export2";
    const error = await world.run().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.contain(
      `export.databaseName "${DB.toUpperCase()}": the serverless SQL pool already holds this database under another spelling`,
    );
    expect(world.tds.batches.at(-1)?.errorNumber).to.equal(50004);
    // The views still read the first container.
    for (const name of NAMES) {
      expect(world.model.viewSource(DB, `dbo.${name}`)?.dataSource, name).to.match(/\/ci-export\//);
    }
  });

  it("finishes a run whose lock release took effect but whose answer was lost, and frees the lock", async () => {
    // After the last entity, the next lease call is the release: its connection drops after the
    // server applied it, so the SDK's retry finds no lease left to release.
    const record = await world.run({
      onProgress: (e) => {
        if (e.kind === "entity-finished" && e.entity === "Segment") {
          world.dfs.faults.enqueue(
            { kind: "drop", afterProcessing: true },
            { match: (r) => r.op === "lease" },
          );
        }
      },
    });

    expect(record.ok, JSON.stringify(record.entities)).to.equal(true);
    const releases = world.dfs.requests.filter(
      (r) => r.op === "lease" && r.headers["x-ms-lease-action"] === "release",
    );
    expect(releases.map((r) => r.status)).to.deep.equal(["dropped", 409]);
    const next = await world.run();
    expect(next.entities.map((e) => e.status)).to.deep.equal([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
  });
});

// Each scenario is a whole world of its own (servers, sources, runs) and checks what a user would:
// see support/faultScenarios.ts. The reliability script runs the same scenarios many times.
describe("azureTarget with faults injected by the dfs and TDS test servers", function () {
  this.timeout(FAILURE_BOUND_MS * 2);

  it("at 10% of lake requests and SQL logins and batches, two runs complete with the sources' rows served", async () => {
    const result = await tenPercentFaults(14);
    expect(result.lakeFaults, "lake faults injected").to.be.greaterThan(0);
    expect(result.sqlFaults, "SQL faults injected").to.be.greaterThan(0);
  });

  it("at 100% of lake writes once the run started, the changed entity fails in bounded time, naming the storage upload, and the old snapshot stays served", async () => {
    expect((await lakeWritesFail(1)).lakeFaults).to.be.greaterThan(0);
  });

  it("at 100% of SQL once the entities started, each entity fails in bounded time, naming Synapse SQL and the statement, and the old snapshots stay served", async () => {
    expect((await sqlFails(1)).sqlFaults).to.be.greaterThan(0);
  });

  it("at 100% of everything from the first request, the run stops at once, naming the storage service, and nothing served changes", async () => {
    expect((await everythingFails(1)).lakeFaults).to.be.greaterThan(0);
  });

  it("at 100% of the lake once the run started, the run fails with the storage error that stopped it, not the lock's", async () => {
    expect((await lakeFailsMidRun(2)).lakeFaults).to.be.greaterThan(0);
  });
});
