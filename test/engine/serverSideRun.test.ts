// The server-side export run against Azure's wire protocols: runExport over azureTarget, with a
// lake-resident CSV glob that serverless SQL (the TDS test server's CETAS over the dfs test server's
// files, tds/cetas.ts) exports where it lies. What the user would see is read back from the servers:
// the T-SQL in the order it arrived (against the reviewed golden files, never the product's
// rendering), who moved which bytes (dfs.bytesTransferred per caller), the Parquet parts (hyparquet),
// and the snapshot each view serves. Expected rows come from the CSV text by this test's own reader.

import { expect } from "chai";
import { rowCountMismatch } from "../../src/engine/serverSide/exportLakeEntity";
import * as path from "node:path";
import { parquetReadObjects } from "hyparquet";
import { AdlsGen2Lake } from "../../src/engine/lake/adlsGen2Lake";
import type { RunRecord } from "../../src/engine/run/runRecord";
import type { EntitySpec } from "../../src/spec/types";
import { errorText } from "../helpers/errorText";
import { modelJson } from "./support/cdmExport";
import type { LoggedRequest } from "../servers/dfsServer";
import {
  ACCOUNT,
  AzureWorld,
  CONTAINER,
  DB,
  EDITION_CHECK,
  FAST,
  goldenStatements,
  PRINCIPALS,
} from "./support/azureWorld";
import { csvRows } from "../helpers/csvRows";

const SOURCE_CONTAINER = "insights";
/** Customer Insights, writing its CSV partitions into the lake (not the identity that runs the export). */
const PRODUCER = {
  objectId: "55555555-0000-4000-8000-000000000005",
  name: "customer-insights",
  type: "ServicePrincipal",
  appId: "55555555-0000-4000-8000-0000000000aa",
} as const;

const CUSTOMER: EntitySpec = {
  name: "Customer",
  source: {
    path: `https://${ACCOUNT}.dfs.core.windows.net/${SOURCE_CONTAINER}/Customer/*.csv`,
    format: "csv",
  },
  columns: [
    { name: "Id", type: "int64", sourceColumn: "id" },
    { name: "Name", type: "string", maxLength: 40, sourceColumn: "name" },
    { name: "Amount", type: "decimal", precision: 9, scale: 2, sourceColumn: "amount" },
    { name: "Joined", type: "date", sourceColumn: "joined" },
  ],
};

// A header, a quoted comma, a doubled quote, an empty (NULL) field, in two partitions; `_SUCCESS` is
// hidden from serverless (a name beginning with _), so it is neither read nor fingerprinted.
const PARTS: Record<string, string> = {
  "Customer/part-0.csv":
    'id,name,amount,joined\n1,"Ada, Countess",12.50,2024-01-31\n2,Grace,,2024-02-29\n',
  "Customer/part-1.csv": 'id,name,amount,joined\n3,"Zoë ""Z""",99.99,2023-12-01\n',
  "Customer/_SUCCESS": "",
};

const GOLDEN_SERVER_SIDE = path.join(
  __dirname,
  "../../../test/fixtures/golden/server_side_run.tsql",
);

/** The rows the CSV partitions hold, as the snapshot's columns read them back. */
function expectedRows(parts: Record<string, string>): unknown[][] {
  return Object.entries(parts)
    .filter(([name]) => name.endsWith(".csv"))
    .flatMap(([, text]) => csvRows(text))
    .map(([id, name, amount, joined]) => [
      id,
      name,
      amount === null ? null : Number(amount).toFixed(2),
      joined,
    ])
    .sort((a, b) => Number(a[0]) - Number(b[0]));
}

describe("the server-side export run (CETAS) against the dfs and TDS test servers", function () {
  this.timeout(60_000);
  let world: AzureWorld;
  let producer: AdlsGen2Lake;

  beforeEach(async () => {
    world = await AzureWorld.start(FAST, { entities: [CUSTOMER], serverless: true });
    producer = world.lakeClientOf(SOURCE_CONTAINER, PRODUCER);
    await producer.ensureContainer();
    await writeParts(PARTS);
  });
  afterEach(async () => {
    await world.close();
  });

  async function writeParts(parts: Record<string, string>) {
    for (const [p, text] of Object.entries(parts)) await producer.writeText(p, text);
  }

  const runner = (r: LoggedRequest) => r.caller === PRINCIPALS.deployer.objectId;

  /**
   * The T-SQL of a run: the database setup of azure_world.tsql, then (given the snapshot exported)
   * the entity's statements of server_side_run.tsql, from `from` on.
   */
  function expectedSql(snapshot?: string, from = 0) {
    const setup = goldenStatements().filter((s) => !/<\w+ snapshot>/.test(s.statement));
    const entity = snapshot === undefined ? [] : goldenStatements(GOLDEN_SERVER_SIDE).slice(from);
    return [
      { database: "master", text: EDITION_CHECK },
      ...setup.map((s) => ({ database: s.database, text: s.statement })),
      ...entity.map((s) => ({
        database: s.database,
        text: s.statement.split("<Customer snapshot>").join(snapshot!),
      })),
    ];
  }

  /** The snapshot served before is still the view's, the only complete one, and nothing else is left. */
  function expectStillServing(snapshot: string) {
    expect(world.servedSnapshot("Customer")).to.equal(snapshot);
    expect(world.completeSnapshots("Customer")).to.deep.equal([snapshot]);
    expect(
      world.lakeFiles().filter((p) => p.startsWith(`${DB}/Customer/v=`) && !p.includes(snapshot)),
    ).to.deep.equal([]);
  }

  function statementsSince(count: number) {
    return world.tds
      .statements()
      .slice(count)
      .map(({ database, text }) => ({ database, text }));
  }

  async function servedRows(snapshot: string): Promise<unknown[][]> {
    const rows: Record<string, unknown>[] = [];
    for (const file of world.manifest("Customer", snapshot).files) {
      const data = world.dfs.readFile(CONTAINER, `${DB}/Customer/v=${snapshot}/${file.name}`)!;
      const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      rows.push(...(await parquetReadObjects({ file: buffer as ArrayBuffer })));
    }
    return rows
      .map((r) => [
        String(r.Id),
        r.Name ?? null,
        r.Amount === null ? null : Number(r.Amount).toFixed(2),
        r.Joined === null ? null : (r.Joined as Date).toISOString().slice(0, 10),
      ])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
  }

  function customer(record: RunRecord) {
    const e = record.entities.find((x) => x.name === "Customer")!;
    expect(e, "the run reports Customer").to.not.equal(undefined);
    return e;
  }

  it("exports the CSV glob with the golden T-SQL, exact rows, and no entity data through the runner but the header rows", async () => {
    const record = await world.run();

    const e = customer(record);
    expect(e.status, errorText(e)).to.equal("exported");
    expect(e.rows).to.equal(3);
    const snapshot = e.snapshot!;
    expect(statementsSince(0)).to.deep.equal(expectedSql(snapshot));
    expect(await servedRows(snapshot)).to.deep.equal(expectedRows(PARTS));
    expect(world.servedSnapshot("Customer")).to.equal(snapshot);

    // The manifest: the rows serverless reported, the parts it wrote, the listing it was taken from.
    const manifest = world.manifest("Customer", snapshot);
    expect(manifest.rows).to.equal(3);
    expect(manifest.files.map((f) => f.name)).to.deep.equal(
      world.serverless!.cetas[0].parts.map((u) => u.slice(u.lastIndexOf("/") + 1)).sort(),
    );
    expect(manifest.sources.map((s) => s.path)).to.deep.equal([
      `https://${ACCOUNT}.dfs.core.windows.net/${SOURCE_CONTAINER}/Customer/part-0.csv`,
      `https://${ACCOUNT}.dfs.core.windows.net/${SOURCE_CONTAINER}/Customer/part-1.csv`,
    ]);

    // The runner listed the source and read each file's header row, not a byte more, and wrote no
    // part: serverless moved the data.
    const sourceReads = world.dfs.requests.filter(
      (r) => runner(r) && r.filesystem === SOURCE_CONTAINER && r.op !== "list",
    );
    expect(sourceReads.map((r) => [r.op, r.path])).to.deep.equal([
      ["read", "Customer/part-0.csv"],
      ["read", "Customer/part-1.csv"],
    ]);
    const headerBytes = Object.entries(PARTS)
      .filter(([p]) => p.endsWith(".csv"))
      .reduce((n, [, text]) => n + text.indexOf("\n") + 1, 0);
    expect(world.dfs.bytesTransferred((r) => sourceReads.includes(r))).to.deep.equal({
      uploaded: 0,
      downloaded: headerBytes,
    });
    const entityData = (r: LoggedRequest) => runner(r) && r.path.endsWith(".parquet");
    expect(world.dfs.bytesTransferred(entityData)).to.deep.equal({ uploaded: 0, downloaded: 0 });
    expect(world.dfs.requests.filter(entityData)).to.deep.equal([]);
    expect(world.serverless!.lake.bytesRead).to.be.greaterThan(0);
    expect(world.serverless!.lake.bytesWritten).to.equal(manifest.bytes);
  });

  it("gives pulumi preview the source's listing (URL, size, ETag), never its bytes, and a new state after a partition is rewritten", async () => {
    const target = world.target();
    const before = world.dfs.requests.length;
    const sqlBefore = world.tds.statements().length;
    const statesOf = async () => {
      const { lakeSourceStates } = await import("../../src/engine/serverSide/exportLakeEntity");
      return lakeSourceStates(CUSTOMER, target.serverSide!);
    };
    try {
      // Expected: the test's own reading of the dfs server's namespace, not the product's listing.
      const expected = () =>
        ["Customer/part-0.csv", "Customer/part-1.csv"].map((name) => {
          const node = world.dfs.namespace.node(SOURCE_CONTAINER, name);
          return {
            path: `https://${ACCOUNT}.dfs.core.windows.net/${SOURCE_CONTAINER}/${name}`,
            bytes: Buffer.byteLength(PARTS[name]),
            sha256: "",
            // ETag headers are quoted; ListPaths' JSON gives the bare value (FileSystem_ListPaths).
            etag: node.etag.replace(/^"|"$/g, ""),
          };
        });
      const first = await statesOf();
      expect(first).to.deep.equal(expected());
      const requests = world.dfs.requests.slice(before);
      expect(requests.map((r) => r.op)).to.deep.equal(["list"]);
      expect(world.tds.statements().length, "no SQL at preview").to.equal(sqlBefore);

      // The same bytes written again: a write all the same, which the run would export again.
      await producer.writeText("Customer/part-1.csv", PARTS["Customer/part-1.csv"]);
      const second = await statesOf();
      expect(second).to.deep.equal(expected());
      expect(second[1].etag).to.not.equal(first[1].etag);
      expect(second[0]).to.deep.equal(first[0]);
    } finally {
      await target.views.close();
    }
  });

  it("costs one listing of the source and no SQL of the entity when the source is unchanged", async () => {
    const first = await world.run();
    expect(customer(first).status, errorText(customer(first))).to.equal("exported");
    const requests = world.dfs.requests.length;
    const statements = world.tds.statements().length;

    const second = await world.run();

    expect(customer(second)).to.include({
      status: "unchanged",
      snapshot: customer(first).snapshot,
    });
    const sourceCalls = world.dfs.requests
      .slice(requests)
      .filter((r) => r.filesystem === SOURCE_CONTAINER);
    expect(sourceCalls.map((r) => r.op)).to.deep.equal(["list"]);
    // The database setup of every run, and nothing for the entity.
    expect(statementsSince(statements)).to.deep.equal(expectedSql());
    expect(world.serverless!.cetas).to.have.length(1);
  });

  it("exports a changed partition as a new snapshot and switches the view to it", async () => {
    const first = customer(await world.run());
    const changed = {
      ...PARTS,
      "Customer/part-1.csv": "id,name,amount,joined\n3,Zoe,1.00,2023-12-02\n",
    };
    await writeParts({ "Customer/part-1.csv": changed["Customer/part-1.csv"] });
    const statements = world.tds.statements().length;

    const second = customer(await world.run());

    expect(second.status, errorText(second)).to.equal("exported");
    expect(second.snapshot).to.not.equal(first.snapshot);
    expect(statementsSince(statements)).to.deep.equal(expectedSql(second.snapshot!));
    expect(world.servedSnapshot("Customer")).to.equal(second.snapshot);
    expect(await servedRows(second.snapshot!)).to.deep.equal(expectedRows(changed));
    // The old snapshot is kept (retainSnapshots: 2), as the runner's path keeps it.
    expect(world.completeSnapshots("Customer").sort()).to.deep.equal(
      [first.snapshot, second.snapshot].sort(),
    );
  });

  it("keeps the old view serving when CETAS fails half-written, and the next run converges", async () => {
    const first = customer(await world.run());
    const changed = { "Customer/part-1.csv": "id,name,amount,joined\n3,Zoe,1.00,2023-12-02\n" };
    await writeParts(changed);
    // One row per part, and the write fails after the first part with serverless's clean-up failing
    // too: a half-written folder is left (the CETAS T-SQL page, "Remarks").
    world.serverless!.rowsPerPart = 1;
    world.serverless!.failNextCetas({ afterParts: 1, cleanUp: false });

    const failed = customer(await world.run());

    expect(failed.status).to.equal("failed");
    expect(errorText(failed)).to.match(/^entity "Customer": .*15856/);
    expect(world.servedSnapshot("Customer")).to.equal(first.snapshot);
    const halfWritten = world
      .lakeFiles()
      .filter((p) => p.startsWith(`${DB}/Customer/v=`) && !p.includes(`v=${first.snapshot}/`));
    expect(halfWritten).to.have.length(1);
    expect(halfWritten[0]).to.match(/\.parquet$/);

    const again = customer(await world.run());

    expect(again.status, errorText(again)).to.equal("exported");
    expect(again.rows).to.equal(3);
    expect(world.servedSnapshot("Customer")).to.equal(again.snapshot);
    expect(await servedRows(again.snapshot!)).to.deep.equal(expectedRows({ ...PARTS, ...changed }));
    // Only the complete parts of the new CETAS are in its folder: the half-written one was removed.
    expect(world.manifest("Customer", again.snapshot!).files.map((f) => f.name)).to.deep.equal(
      world
        .serverless!.cetas.at(-1)!
        .parts.map((u) => u.slice(u.lastIndexOf("/") + 1))
        .sort(),
    );
  });

  it("says the folder exists when a retried CETAS finds its own half-written folder, and the next run converges", async () => {
    const first = customer(await world.run());
    await writeParts({ "Customer/part-1.csv": "id,name,amount,joined\n3,Zoe,1.00,2023-12-02\n" });
    world.serverless!.rowsPerPart = 1;
    // A transient error after one part (40613, database unavailable: retried on a new connection by
    // SynapseSql), whose clean-up fails: the retry meets "location already exists" (15842).
    world.serverless!.failNextCetas({
      afterParts: 1,
      cleanUp: false,
      error: {
        number: 40613,
        message: "Database 'ci_export' on server 'testws-ondemand' is not currently available.",
      },
    });

    const failed = customer(await world.run());

    expect(failed.status).to.equal("failed");
    expect(errorText(failed)).to.contain("already there");
    expect(failed.error?.kind).to.equal("sql");
    expect(errorText(failed)).to.contain("15842");
    expect(world.servedSnapshot("Customer")).to.equal(first.snapshot);

    const again = customer(await world.run());
    expect(again.status, errorText(again)).to.equal("exported");
    expect(world.servedSnapshot("Customer")).to.equal(again.snapshot);
  });

  it("repairs a view a killed run left behind its manifest, with the publish statements only", async () => {
    const first = customer(await world.run());
    // A run killed after the manifest and before the view switch leaves no marker of what is served.
    await world.target().lake.deleteTree(`${DB}/Customer/v=${first.snapshot}/_published`);
    const statements = world.tds.statements().length;

    const second = customer(await world.run());

    expect(second).to.include({ status: "unchanged", snapshot: first.snapshot });
    // The golden file's last three: the snapshot's table (already there), the probe, the view switch.
    expect(statementsSince(statements)).to.deep.equal(expectedSql(first.snapshot, 5));
    const third = world.tds.statements().length;
    await world.run();
    expect(statementsSince(third)).to.deep.equal(expectedSql());
  });

  it("serves an older snapshot again without a CETAS when the spec goes back to its columns", async () => {
    const first = customer(await world.run());
    const columns = world.spec.export.entities[0].columns!;
    world.spec.export.entities[0].columns = columns.map((c) =>
      c.name === "Name" ? { ...c, maxLength: 50 } : c,
    );
    const wider = customer(await world.run());
    expect(wider.snapshot).to.not.equal(first.snapshot);
    world.spec.export.entities[0].columns = columns;
    const statements = world.tds.statements().length;

    const back = customer(await world.run());

    expect(back).to.include({ status: "exported", snapshot: first.snapshot });
    expect(world.serverless!.cetas).to.have.length(2);
    expect(statementsSince(statements)).to.deep.equal(expectedSql(first.snapshot, 5));
    expect(world.servedSnapshot("Customer")).to.equal(first.snapshot);
    expect(world.manifest("Customer", first.snapshot!).sequence).to.equal(3);
  });

  it("fails the entity naming the file and the column its header lacks, before any SQL of the entity", async () => {
    const first = customer(await world.run());
    // serverless binds a header's columns by name; what it reads for a name the header lacks is not
    // documented (plan/lakeHeader.ts), so the runner reads the header rows and refuses the file.
    await writeParts({ "Customer/part-1.csv": "id,name,joined\n3,Zoe,2023-12-02\n" });
    const statements = world.tds.statements().length;

    const e = customer(await world.run());

    expect(e.status).to.equal("failed");
    expect(e.error?.kind).to.equal("data");
    expect(errorText(e)).to.contain(
      `https://${ACCOUNT}.dfs.core.windows.net/${SOURCE_CONTAINER}/Customer/part-1.csv: sourceColumn "amount" of column "Amount" is declared in the spec but is not in this file's header (its columns: id, name, joined)`,
    );
    expect(
      statementsSince(statements).filter((s) => /OPENROWSET|CREATE EXTERNAL TABLE/.test(s.text)),
    ).to.deep.equal([]);
    expectStillServing(first.snapshot!);
  });

  it("fails the entity when a file is rewritten between its listing and the read of its header", async () => {
    const first = customer(await world.run());
    await writeParts({ "Customer/part-1.csv": "id,name,amount,joined\n3,Zoe,1.00,2023-12-02\n" });
    let release!: () => void;
    world.dfs.faults.enqueue(
      {
        kind: "hold",
        until: new Promise<void>((r) => (release = r)),
        onHeld: () => {
          // Customer Insights rewrites the file after the runner listed it: a new ETag.
          world.dfs.namespace.createPath(
            SOURCE_CONTAINER,
            "Customer/part-0.csv",
            "file",
            {},
            {},
          ).data = Buffer.from("id,name,amount,joined\n9,Mallory,0.00,2020-01-01\n");
          release();
        },
      },
      { match: (r) => r.op === "read" && r.path === "Customer/part-0.csv" },
    );

    const e = customer(await world.run());

    expect(e.status).to.equal("failed");
    expect(errorText(e)).to.contain(
      "Customer/part-0.csv was rewritten or removed after it was listed, while its header was read",
    );
    expectStillServing(first.snapshot!);
  });

  it("fails the entity and publishes nothing when the source changes between its listing and the CETAS", async () => {
    const first = customer(await world.run());
    await writeParts({ "Customer/part-1.csv": "id,name,amount,joined\n3,Zoe,1.00,2023-12-02\n" });
    world.serverless!.afterListing = () => {
      // While serverless checks the source, Customer Insights adds a partition: the CETAS after the
      // check reads it, though the snapshot id was taken from the listing before it.
      world.serverless!.afterListing = undefined;
      world.dfs.namespace.createPath(SOURCE_CONTAINER, "Customer/part-2.csv", "file", {}, {}).data =
        Buffer.from("id,name,amount,joined\n4,Eve,2.00,2023-12-03\n");
    };

    const e = customer(await world.run());

    expect(e.status).to.equal("failed");
    expect(errorText(e)).to.contain("changed while serverless SQL exported it");
    expect(e.error?.kind).to.equal("data");
    expectStillServing(first.snapshot!);
  });

  it("fails the entity and publishes nothing when serverless reports more rows than its parts hold", async () => {
    const first = customer(await world.run());
    await writeParts({ "Customer/part-1.csv": "id,name,amount,joined\n3,Zoe,1.00,2023-12-02\n" });
    world.serverless!.misreportNextCetas(+1);

    const e = customer(await world.run());

    const held = expectedRows({
      ...PARTS,
      "Customer/part-1.csv": "id,name,amount,joined\n3,Zoe,1.00,2023-12-02\n",
    }).length;
    expect(e.status).to.equal("failed");
    expect(errorText(e)).to.contain(
      `serverless SQL reported ${held + 1} row(s) exported, but the parts it wrote hold ${held}`,
    );
    expect(e.error?.kind).to.equal("sql");
    expectStillServing(first.snapshot!);
  });

  it("records the rows its parts hold when serverless reports no count for the CETAS", async () => {
    // A DONE token without DONE_COUNT reads as 0 rows affected: not a claim, so the count decides.
    world.serverless!.misreportNextCetas(-expectedRows(PARTS).length);

    const e = customer(await world.run());

    expect(e.status, errorText(e)).to.equal("exported");
    expect(e.rows).to.equal(expectedRows(PARTS).length);
    expect(world.manifest("Customer", e.snapshot!).rows).to.equal(expectedRows(PARTS).length);
    expect(await servedRows(e.snapshot!)).to.deep.equal(expectedRows(PARTS));
  });

  it("fails the entity naming the column and a value that does not fit, before any CETAS", async () => {
    await writeParts({
      "Customer/part-1.csv":
        "id,name,amount,joined\n3,Zoe,1.005,2023-12-01\n4,Eve,2.00,2024-02-30\n",
    });

    const e = customer(await world.run());

    expect(e.status).to.equal("failed");
    expect(errorText(e)).to.contain(
      'column Amount (source column amount): 1 value(s) do not fit decimal(9,2) (at most 7 digits before the point and 2 after it, trailing zeros aside, an optional sign, no exponent), the least of them "1.005"',
    );
    expect(errorText(e)).to.contain(
      'column Joined (source column joined): 1 value(s) do not fit date (a date from 0001-01-01 to 9999-12-31 as YYYY-MM-DD), the least of them "2024-02-30"',
    );
    expect(e.error?.kind).to.equal("data");
    expect(world.serverless!.cetas).to.deep.equal([]);
    expect(
      world.tds.statements().some((s) => s.text.startsWith("CREATE EXTERNAL TABLE [snapshots]")),
    ).to.equal(false);
    expect(world.lakeFiles().filter((p) => p.startsWith(`${DB}/Customer/`))).to.deep.equal([]);
  });

  /** The entity Customer read from the model.json folder `folder` of the source container. */
  function cdmEntityAt(folder: string): EntitySpec {
    return {
      name: "Customer",
      source: {
        path: `abfss://${SOURCE_CONTAINER}@${ACCOUNT}.dfs.core.windows.net/${folder}`,
        format: "cdm",
      },
    } as EntitySpec;
  }

  /** The model.json folder as the one entity; it must fail before any CETAS is sent. */
  async function runRefusedCdm(folder: string) {
    world.spec.export.entities = [cdmEntityAt(folder)];
    const e = customer(await world.run());
    expect(e.status).to.equal("failed");
    expect(
      world.tds.statements().filter((s) => s.text.startsWith("CREATE EXTERNAL TABLE")),
    ).to.deep.equal([]);
    return e;
  }

  it("refuses a model.json whose partition lies outside its folder, and sends no CETAS", async () => {
    const folder = "CustomerInsights_abcd1234/LakeExport";
    const secret = `https://${ACCOUNT}.dfs.core.windows.net/${SOURCE_CONTAINER}/Secret/2024/05/01/0930/Customer_2.csv`;
    const model = modelJson({ attributes: [{ name: "CustomerId", dataType: "int64" }] })
      .replace(
        /https:\/\/cistore\.dfs\.core\.windows\.net\/ci-data\//g,
        `https://${ACCOUNT}.dfs.core.windows.net/${SOURCE_CONTAINER}/`,
      )
      .replace(/"https:[^"]*Customer_2\.csv"/, JSON.stringify(secret));
    expect(model).to.contain(secret);
    await producer.writeText(`${folder}/model.json`, model);
    await producer.writeText(`${folder}/Customer/2024/05/01/0930/Customer_1.csv`, "1\n");
    await producer.writeText("Secret/2024/05/01/0930/Customer_2.csv", "666\n");
    const e = await runRefusedCdm(folder);
    expect(e.error?.kind).to.equal("data");
    expect(errorText(e)).to.contain(`"${secret}" is outside the model.json's folder`);
  });

  it("refuses a model.json partition in another cloud's account of the same name, and sends no CETAS", async () => {
    const folder = "CustomerInsights_abcd1234/LakeExport";
    // The account and container names of the model.json's own, under the US Government cloud's suffix.
    // Both partitions there (two in different clouds are refused as not sharing a container).
    const elsewhere = `https://${ACCOUNT}.dfs.core.usgovcloudapi.net/${SOURCE_CONTAINER}/${folder}/Customer/2024/05/01/0930/Customer_2.csv`;
    const model = modelJson({ attributes: [{ name: "CustomerId", dataType: "int64" }] }).replace(
      /https:\/\/cistore\.dfs\.core\.windows\.net\/ci-data\//g,
      `https://${ACCOUNT}.dfs.core.usgovcloudapi.net/${SOURCE_CONTAINER}/`,
    );
    expect(model).to.contain(elsewhere);
    await producer.writeText(`${folder}/model.json`, model);
    await producer.writeText(`${folder}/Customer/2024/05/01/0930/Customer_1.csv`, "1\n");
    await producer.writeText(`${folder}/Customer/2024/05/01/0930/Customer_2.csv`, "2\n");
    const e = await runRefusedCdm(folder);
    expect(errorText(e)).to.contain(
      `is outside the container of the model.json (${ACCOUNT}.dfs.core.windows.net/${SOURCE_CONTAINER})`,
    );
  });

  it("exports a model.json entity's two headerless partitions with the CDM types, through one CETAS", async () => {
    // Customer Insights' export folder (support/cdmExport.ts) in this world's account and container.
    const attributes = [
      { name: "CustomerId", dataType: "int64" },
      { name: "FullName", dataType: "string" },
      { name: "Balance", dataType: "decimal" },
      { name: "IsVip", dataType: "boolean" },
      { name: "Score", dataType: "double" },
    ];
    const partitions: Record<string, string> = {
      "Customer_1.csv":
        '1,"Ada, Countess",12.5,True,1.25\n2,"Grace ""Amazing"" Hopper",-0.25,False,-3.5\n',
      "Customer_2.csv": "3,two words,1000.125,true,0\n4,,,,\n",
    };
    const folder = "CustomerInsights_abcd1234/LakeExport";
    const model = modelJson({ attributes }).replace(
      /https:\/\/cistore\.dfs\.core\.windows\.net\/ci-data\//g,
      `https://${ACCOUNT}.dfs.core.windows.net/${SOURCE_CONTAINER}/`,
    );
    await producer.writeText(`${folder}/model.json`, model);
    for (const [name, text] of Object.entries(partitions))
      await producer.writeText(`${folder}/Customer/2024/05/01/0930/${name}`, text);
    // An older export (kept by Customer Insights) and a newer one still being written: its partition
    // is out, its model.json not yet, so the model.json above still names 0930.
    await producer.writeText(
      `${folder}/Customer/2024/04/30/2300/Customer_1.csv`,
      "9,old,0,false,0\n",
    );
    await producer.writeText(
      `${folder}/Customer/2024/05/02/0800/Customer_1.csv`,
      "8,new,0,false,0\n",
    );
    world.spec.export.entities = [cdmEntityAt(folder)];

    const e = customer(await world.run());

    expect(e.status, errorText(e)).to.equal("exported");
    expect(e.rows).to.equal(4);
    expect(e.cdm).to.deep.equal({
      modelJson: `abfss://${SOURCE_CONTAINER}@${ACCOUNT}.dfs.core.windows.net/${folder}/model.json`,
      exportFolder: `abfss://${SOURCE_CONTAINER}@${ACCOUNT}.dfs.core.windows.net/${folder}/Customer/2024/05/01/0930`,
      skippedIncomplete: ["2024/05/02/0800"],
    });
    // The CDM types as README's table maps them: int64, string, decimal(38,18), boolean, double.
    expect(e.columns!.map((c) => [c.name, c.type, c.precision, c.scale])).to.deep.equal([
      ["CustomerId", "int64", undefined, undefined],
      ["FullName", "string", undefined, undefined],
      ["Balance", "decimal", 38, 18],
      ["IsVip", "boolean", undefined, undefined],
      ["Score", "double", undefined, undefined],
    ]);
    const cetas = world.tds.statements().filter((s) => s.text.startsWith("CREATE EXTERNAL TABLE"));
    expect(cetas).to.have.length(1);
    expect(cetas[0].text.match(/OPENROWSET\(BULK/g)).to.have.length(2);
    expect(cetas[0].text).to.contain("UNION ALL").and.to.contain("HEADER_ROW = FALSE");

    const rows: Record<string, unknown>[] = [];
    for (const file of world.manifest("Customer", e.snapshot!).files) {
      const data = world.dfs.readFile(CONTAINER, `${DB}/Customer/v=${e.snapshot}/${file.name}`)!;
      const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      rows.push(...(await parquetReadObjects({ file: buffer as ArrayBuffer })));
    }
    const read = rows
      .map((r) => [
        String(r.CustomerId),
        r.FullName ?? null,
        r.Balance === null ? null : Number(r.Balance),
        r.IsVip ?? null,
        r.Score ?? null,
      ])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    // This test's reading of the partitions: headerless, so every line is a row.
    const expected = Object.values(partitions)
      .flatMap((text) => csvRows(`header\n${text}`))
      .map(([id, name, balance, vip, score]) => [
        id,
        name,
        balance === null ? null : Number(balance),
        vip === null ? null : vip.toLowerCase() === "true",
        score === null ? null : Number(score),
      ]);
    expect(read).to.deep.equal(expected);
    const entityData = (r: LoggedRequest) =>
      runner(r) &&
      ((r.filesystem === SOURCE_CONTAINER && r.op === "read" && r.path.endsWith(".csv")) ||
        r.path.endsWith(".parquet"));
    expect(world.dfs.bytesTransferred(entityData)).to.deep.equal({ uploaded: 0, downloaded: 0 });
  });
});

describe("rowCountMismatch: what a CETAS's rows must agree with before a manifest records them", () => {
  const cases: [string, number, number, number | undefined, string | undefined][] = [
    ["all three agree", 3, 3, 3, undefined],
    ["no check query ran", 3, 3, undefined, undefined],
    ["serverless reported nothing (0)", 3, 0, 3, undefined],
    ["an empty source, nothing reported", 0, 0, 0, undefined],
    ["the parts lost a row the check read", 2, 2, 3, "hold 2 row(s), but the check query read 3"],
    [
      "serverless reported a row the parts lack",
      3,
      4,
      3,
      "reported 4 row(s) exported, but the parts it wrote hold 3",
    ],
    [
      "the count query gave no number",
      NaN,
      3,
      3,
      "gave no row count for the parts it wrote (got null)",
    ],
    ["a negative count", -1, 0, undefined, "gave no row count for the parts it wrote (got -1)"],
  ];
  for (const [what, counted, reported, source, expected] of cases) {
    it(what, () => {
      const got = rowCountMismatch(counted, reported, source);
      if (expected === undefined) expect(got).to.equal(undefined);
      else expect(got).to.contain(expected);
    });
  }
});
