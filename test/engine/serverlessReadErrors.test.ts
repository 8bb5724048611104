// A lake-resident CSV that serverless SQL cannot read fails the entity as data, naming the file and
// what is wrong with it, on Azure as on `run --local`; before, Azure handed back serverless's own
// 15813 as a SQL error. The texts serverless sends are the TDS test server's, each cited there
// (tds/openrowset.ts) and in src/engine/sql/serverlessFileErrors.ts; the files are written here.

import { expect } from "chai";
import * as path from "node:path";
import { serverlessFileProblem } from "../../src/engine/sql/serverlessFileErrors";
import { classifySqlError } from "../../src/engine/sql/sqlErrorKinds";
import type { ListedLakeFile } from "../../src/engine/serverSide/lakeSourceListing";
import { serverlessReadFailure } from "../../src/engine/serverSide/serverlessReadFailure";
import type { EntitySpec } from "../../src/spec/types";
import { errorText } from "../helpers/errorText";
import { ACCOUNT, AzureWorld, FAST, PRINCIPALS } from "./support/azureWorld";
import {
  ID_NAME_COLUMNS,
  lakeCsvEntity,
  removeTempDirs,
  runLocalLakeEntity,
  tempDir,
} from "./support/fixtures";

const SOURCE = `https://${ACCOUNT}.dfs.core.windows.net/insights/E`;
const ENTITY: EntitySpec = {
  name: "E",
  source: { path: `${SOURCE}/*.csv`, format: "csv" },
  columns: ID_NAME_COLUMNS,
} as EntitySpec;

/** A 9000-byte name: past the 8000 bytes serverless reads of a CSV column (develop-openrowset). */
const LONG = `id,name\n1,Ann\n2,${"x".repeat(9000)}\n`;
/** The second row's quote is never closed. */
const UNCLOSED = 'id,name\n1,Ann\n2,"Bob\n3,Cy\n';

async function azureRun(files: Record<string, string>, before?: (world: AzureWorld) => void) {
  const world = await AzureWorld.start(FAST, { entities: [ENTITY], serverless: true });
  try {
    const producer = world.lakeClientOf("insights", PRINCIPALS.deployer);
    await producer.ensureContainer();
    for (const [p, text] of Object.entries(files)) await producer.writeText(`E/${p}`, text);
    before?.(world);
    const record = (await world.run()).entities.find((r) => r.name === "E")!;
    return { record, cetas: world.serverless!.cetas.length, batches: world.tds.batches };
  } finally {
    await world.close();
  }
}

/** The same file as a lake source of `run --local`: it must fail as data; its error's text. */
async function failedLocally(name: string, text: string) {
  const local = await runLocalLakeEntity(lakeCsvEntity("o/*.csv", ID_NAME_COLUMNS), {
    [`raw/o/${name}`]: text,
  });
  expect(local.status).to.equal("failed");
  expect(local.kind).to.equal("data");
  return local;
}

describe("a lake CSV serverless SQL cannot read: the entity fails as data naming the file", function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it("a value past 8000 bytes: Azure names the file and the likely cause; run --local names the column", async () => {
    const { record, cetas } = await azureRun({ "a.csv": "id,name\n5,Eve\n", "b.csv": LONG });
    expect(record.status).to.equal("failed");
    expect(record.error?.kind).to.equal("data");
    const text = errorText(record);
    expect(text).to.contain(`serverless SQL could not read ${SOURCE}/b.csv of the lake source`);
    expect(text).to.contain("longer than the 8000 bytes serverless reads of a CSV column");
    expect(text).to.contain(
      "copy the file to DIR/insights/E/b.csv and run `synapse-export run <spec> --local DIR --entities E`",
    );
    expect(text).to.contain("Max errors count reached");
    expect(cetas).to.equal(0);

    const local = await failedLocally("b.csv", LONG);
    expect(local.error).to.match(/column name: 1 value\(s\)/);
  });

  it("an unclosed quote: Azure names the file and serverless's byte; run --local names the line", async () => {
    const { record, cetas } = await azureRun({ "a.csv": UNCLOSED });
    expect(record.status).to.equal("failed");
    expect(record.error?.kind).to.equal("data");
    const text = errorText(record);
    expect(text).to.contain(`serverless SQL could not read ${SOURCE}/a.csv of the lake source`);
    // The test server reports the open record's start: "id,name\n1,Ann\n" is 14 bytes.
    expect(text).to.contain("the file ends inside a row (serverless reports byte 14)");
    expect(text).to.contain("a quoted field is not closed");
    expect(cetas).to.equal(0);

    const local = await failedLocally("a.csv", UNCLOSED);
    expect(local.error).to.contain("https://otherlake.dfs.core.windows.net/raw/o/a.csv");
    expect(local.error).to.match(/line [0-9]+/);
  });

  it("a file rewritten while serverless reads it: data, naming the file, and run again", async () => {
    const { record, cetas } = await azureRun({ "a.csv": "id,name\n1,Ann\n" }, (world) => {
      world.serverless!.afterListing = () => {
        world.serverless!.afterListing = undefined;
        // Customer Insights rewrites the partition after serverless listed it: 4861 on the read.
        world.dfs.namespace.createPath("insights", "E/a.csv", "file", {}, {}).data =
          Buffer.from("id,name\n9,Mallory\n");
      };
    });
    expect(record.status).to.equal("failed");
    expect(record.error?.kind).to.equal("data");
    const text = errorText(record);
    expect(text).to.contain(
      `${SOURCE}/a.csv was rewritten after it was listed, while the export read it`,
    );
    expect(text).to.contain("run the export again once the source is written");
    expect(cetas).to.equal(0);
  });

  it("a file added meanwhile is not blamed for an error it cannot explain (a missing credential)", async () => {
    const { record } = await azureRun({ "a.csv": "id,name\n1,Ann\n" }, (world) => {
      world.serverless!.afterListing = () => {
        world.serverless!.afterListing = undefined;
        world.dfs.namespace.createPath("insights", "E/c.csv", "file", {}, {}).data =
          Buffer.from("id,name\n3,Cy\n");
      };
      world.tds.answer(
        /^CREATE EXTERNAL TABLE/,
        {
          error: {
            number: 15151,
            message:
              "Cannot find the CREDENTIAL 'x', because it does not exist or you do not have permission.",
            class: 16,
          },
        },
        1,
      );
    });
    expect(record.status).to.equal("failed");
    expect(record.error?.kind).to.equal("sql");
    expect(errorText(record)).to.contain("15151");
    expect(errorText(record)).not.to.contain("was added");
  });

  it("the only file of a source removed after serverless listed it: removed, not a grant to wait for", async () => {
    const single = {
      ...ENTITY,
      source: { ...ENTITY.source, path: `${SOURCE}/a.csv` },
    } as EntitySpec;
    const world = await AzureWorld.start(FAST, { entities: [single], serverless: true });
    try {
      const producer = world.lakeClientOf("insights", PRINCIPALS.deployer);
      await producer.ensureContainer();
      await producer.writeText("E/a.csv", "id,name\n1,Ann\n");
      world.serverless!.afterListing = () => {
        world.serverless!.afterListing = undefined;
        world.dfs.namespace.delete("insights", "E/a.csv", false, undefined, 5000);
      };
      const record = (await world.run()).entities.find((r) => r.name === "E")!;
      expect(record.status).to.equal("failed");
      expect(record.error?.kind).to.equal("data");
      expect(errorText(record)).to.contain(
        `${SOURCE}/a.csv was removed after it was listed, while the export read it`,
      );
      expect(errorText(record)).not.to.contain("Storage Blob Data Contributor");
    } finally {
      await world.close();
    }
  });

  it("a failed read of the storage (15813 'Async IO failed') is retried, and the entity exports", async () => {
    const { record, batches } = await azureRun({ "a.csv": "id,name\n1,Ann\n2,Bob\n" }, (world) => {
      world.tds.answer(
        /^SELECT COUNT_BIG\(\*\)[\s\S]*OPENROWSET/,
        {
          error: {
            number: 15813,
            message: `Error handling external file: 'Async IO failed. ERROR = 0x4C7.'. File/External table name: '${SOURCE}/a.csv'.`,
            class: 16,
          },
        },
        1,
      );
    });
    expect(record.status, errorText(record)).to.equal("exported");
    expect(record.rows).to.equal(2);
    const checks = batches.filter((b) => /^SELECT COUNT_BIG\(\*\)[\s\S]*OPENROWSET/.test(b.text));
    expect(checks.map((b) => b.errorNumber)).to.deep.equal([15813, undefined]);
  });
});

describe("serverless's texts about a source file, read", () => {
  const URL_B = `${SOURCE}/b.csv`;

  it("finds the file in 15802's wrapper, which names it `File:` (a distributed query)", () => {
    const wrapped = `Request to perform an external distributed computation has failed with error "[[Error handling external file: 'Max errors count reached.'. File: '${URL_B}'. (Number: 15813, Severity: 16, State: 1)]]".`;
    const found = serverlessFileProblem(15802, wrapped);
    expect(found?.file).to.equal(URL_B);
    expect(found?.problem).to.contain("8000 bytes");
  });

  it("keeps a text it does not know, quotes and all, and names its file", () => {
    const found = serverlessFileProblem(
      15813,
      `Error handling external file: 'Column 'Name' is not found'. File/External table name: '${URL_B}'.`,
    );
    expect(found).to.deep.include({
      file: URL_B,
      problem: "serverless could not read it: Column 'Name' is not found",
      next: undefined,
    });
  });

  it("reads Learn's WaitIOCompletion texts by HRESULT: a grant, the Archive tier, a change, transient", () => {
    const wait = (h: string) =>
      `Error handling external file: 'WaitIOCompletion call failed. HRESULT = ${h}'. File/External table name: '${URL_B}'.`;
    expect(classifySqlError({ number: 15813, message: wait("0x80070005") })).to.equal(
      "storage-permission",
    );
    expect(classifySqlError({ number: 15813, message: wait("0x80070057") })).to.equal(
      "storage-permission",
    );
    expect(classifySqlError({ number: 15813, message: wait("0x80072EE7") })).to.equal("transient");
    expect(classifySqlError({ number: 15813, message: wait("0x800700A1") })).to.equal("fatal");
    expect(serverlessFileProblem(15813, wait("0x800700A1"))?.next).to.equal("rehydrate");
    // Deleted or modified during the query: the run's second listing names the file, not this text.
    expect(classifySqlError({ number: 15813, message: wait("0x80070002") })).to.equal("fatal");
    expect(serverlessFileProblem(15813, wait("0x8007000C"))).to.equal(undefined);
  });

  it("names the listed file a message means, though its name holds an apostrophe", () => {
    const url = `${SOURCE}/O'Brien part.csv`;
    const listed = [
      {
        url,
        location: {
          account: ACCOUNT,
          container: "insights",
          path: "E/O'Brien part.csv",
          endpoint: "dfs",
          suffix: "core.windows.net",
        },
        bytes: 1,
        etag: "e",
        lastModified: "",
      },
    ] as ListedLakeFile[];
    const error = Object.assign(new Error("x"), {
      number: 15813,
      serverMessage: `Error handling external file: 'Max errors count reached'. File/External table name: '${url}'.`,
    });
    const text = (serverlessReadFailure(ENTITY, listed, error) as Error).message;
    expect(text).to.contain(`could not read ${url} of the lake source`);
    expect(text).to.contain(`copy the file to DIR/insights/E/O'Brien part.csv and run`);
  });

  it("leaves alone what is not about a file's content: a failed storage read, a denied open", () => {
    const io = `Error handling external file: 'waitIOCompletion error. HRESULT = 0x800704C7(offset = 0, bytes requested = 594917).'. File/External table name: '${URL_B}'.`;
    expect(serverlessFileProblem(15813, io)).to.equal(undefined);
    expect(classifySqlError({ number: 15813, message: io })).to.equal("transient");
    // Access denied (code 5) is a grant, not a file written meanwhile (code 12).
    const denied = `Cannot bulk load because the file "${URL_B}" could not be opened. Operating system error code 5(Access is denied.).`;
    expect(serverlessFileProblem(4861, denied)).to.equal(undefined);
    expect(
      serverlessFileProblem(
        4861,
        denied.replace("5(Access is denied.)", "12(The access code is invalid.)"),
      )?.next,
    ).to.equal("run-again");
    // The same texts under another number are not taken for it.
    expect(
      serverlessFileProblem(
        50000,
        `Error handling external file: 'x'. File/External table name: '${URL_B}'.`,
      ),
    ).to.equal(undefined);
    expect(
      classifySqlError({
        number: 15813,
        message: `Error handling external file: 'Max errors count reached'. File/External table name: '${URL_B}'.`,
      }),
    ).to.equal("fatal");
  });
});

describe("a lake Parquet file whose column type the entity's cannot take (Azure)", function () {
  this.timeout(60_000);

  it("fails as data naming the file, the column, the file's type and the one to declare", async () => {
    // The producer writes Score as DOUBLE; the entity declares it int32.
    const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
    const dir = await tempDir("lake-parquet");
    const local = path.join(dir, "part-0.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const duck = await instance.connect();
    await duck.run(
      `COPY (SELECT * FROM (VALUES (1, 2.5::DOUBLE)) AS t("Id", "Score")) TO '${local}' (FORMAT parquet)`,
    );
    duck.closeSync();
    instance.closeSync();
    const entity = {
      name: "P",
      source: {
        path: `https://${ACCOUNT}.dfs.core.windows.net/insights/P/*.parquet`,
        format: "parquet",
      },
      columns: [
        { name: "Id", type: "int32" },
        { name: "Score", type: "int32" },
      ],
    } as EntitySpec;
    const world = await AzureWorld.start(FAST, { entities: [entity], serverless: true });
    try {
      const producer = world.lakeClientOf("insights", PRINCIPALS.deployer);
      await producer.ensureContainer();
      await producer.uploadFile(local, "P/part-0.parquet");
      const record = (await world.run()).entities.find((r) => r.name === "P")!;
      expect(record.status).to.equal("failed");
      expect(record.error?.kind).to.equal("data");
      const text = errorText(record);
      expect(text).to.contain(
        `serverless SQL could not read https://${ACCOUNT}.dfs.core.windows.net/insights/P/part-0.parquet of the lake source: its column Score holds Parquet physical type: DOUBLE, which the entity's column type (T-SQL INT) cannot take (serverless suggests FLOAT)`,
      );
      expect(text).to.contain("Declare column Score (now type int32) with a type that holds");
      expect(world.serverless!.cetas).to.deep.equal([]);
    } finally {
      await world.close();
    }
  });
});
