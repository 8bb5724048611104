// The TDS test server executes CETAS and OPENROWSET queries over the dfs test server's files, at the
// wire: statements go through the real mssql driver (tedious), source files arrive through the real
// @azure/storage-file-datalake SDK (AdlsGen2Lake, as a producer such as Customer Insights writes them),
// and what CETAS wrote is read back with hyparquet, not DuckDB (the engine inside the server). Expected
// rows come from the source text, split here by the test's own reader.

import { expect } from "chai";
import type * as Mssql from "mssql";
import type { DfsServer } from "./dfsServer";
import type { ServerlessLakeEngine } from "./tds/cetas";
import { CetasWorld } from "./tds/cetasWorld";

const ACCOUNT = "acct";
const RUNNER = "11111111-0000-4000-8000-000000000001";
const PRODUCER = "55555555-0000-4000-8000-000000000005";
const OUTSIDER = "66666666-0000-4000-8000-000000000006";
const DB = "ci_export";
const DS_URL = `https://${ACCOUNT}.dfs.core.windows.net/ci-export/ci_export`;
const SOURCE = `https://${ACCOUNT}.dfs.core.windows.net/insights/Customer`;

// Two partitions with a header, a quoted comma, a doubled quote, an empty (NULL) and a quoted empty ("").
const PARTS: Record<string, string> = {
  "Customer/part-0.csv":
    'id,name,amount,joined\n1,"Ada, Countess",12.50,2024-01-31\n2,Grace,,2024-02-29\n',
  "Customer/part-1.csv": 'id,name,amount,joined\n3,"Zoë ""Z""",99.99,2023-12-01\n4,"",0.01,\n',
  // Hidden from serverless: names starting with _ or . are skipped.
  "Customer/_SUCCESS": "",
};

/** The test's own CSV reader: RFC 4180 quoting, header row, "" quoted empty vs empty unquoted (NULL). */
function readCsv(text: string): Record<string, string | null>[] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let field = "";
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && c === '"') {
      quoted = false;
    } else if (quoted) {
      field += c;
    } else if (c === '"') {
      quoted = true;
      wasQuoted = true;
    } else if (c === "," || c === "\n") {
      row.push(field === "" && !wasQuoted ? null : field);
      field = "";
      wasQuoted = false;
      if (c === "\n") {
        rows.push(row);
        row = [];
      }
    } else {
      field += c;
    }
  }
  const [header, ...data] = rows;
  return data.map((r) => Object.fromEntries(header.map((h, i) => [h as string, r[i]])));
}

const CETAS = (table: string, location: string, bulk = `${SOURCE}/*.csv`) =>
  `CREATE EXTERNAL TABLE [snapshots].[${table}] WITH (LOCATION = N'${location}', DATA_SOURCE = [lake_ds], FILE_FORMAT = [parquet_ff]) AS\n` +
  `SELECT r.[id], r.[name], r.[amount], r.[joined]\n` +
  `FROM OPENROWSET(BULK N'${bulk}', FORMAT = 'CSV', PARSER_VERSION = '2.0', HEADER_ROW = TRUE, FIELDTERMINATOR = ',', FIELDQUOTE = '"')\n` +
  `WITH ([id] bigint, [name] nvarchar(100) COLLATE Latin1_General_100_BIN2_UTF8, [amount] decimal(9,2), [joined] date) AS r`;

describe("TDS test server: CETAS and OPENROWSET over the dfs test server", function () {
  this.timeout(60_000);
  let world: CetasWorld;
  let dfs: DfsServer;
  let engine: ServerlessLakeEngine;
  let db: Mssql.ConnectionPool;
  const sqlAs = (oid: string, database: string) => world.sqlAs(oid, database);
  const lakeOf = (oid: string, container: string) => world.lakeOf(ACCOUNT, container, oid);

  async function refusal(promise: Promise<unknown>): Promise<{ number: number; message: string }> {
    try {
      await promise;
    } catch (error) {
      const e = error as {
        number?: number;
        originalError?: { info?: { number: number } };
        message: string;
      };
      return { number: e.number ?? e.originalError?.info?.number ?? -1, message: e.message };
    }
    throw new Error("expected the statement to be refused");
  }

  beforeEach(async () => {
    world = await CetasWorld.start({
      accounts: [ACCOUNT],
      administrators: [RUNNER, OUTSIDER],
      storageReaders: [RUNNER],
    });
    ({ engine } = world);
    dfs = world.dfs(ACCOUNT);
    // The producer writes the sources through the SDK; the export's container exists.
    const producer = lakeOf(PRODUCER, "insights");
    await producer.ensureContainer();
    for (const [path, text] of Object.entries(PARTS)) await producer.writeText(path, text);
    await lakeOf(PRODUCER, "ci-export").ensureContainer();
    db = await world.database(RUNNER, DB, [
      "IF SCHEMA_ID(N'snapshots') IS NULL\n    EXEC (N'CREATE SCHEMA [snapshots]')",
      `IF NOT EXISTS (SELECT * FROM sys.external_data_sources WHERE name = N'lake_ds')\n    CREATE EXTERNAL DATA SOURCE [lake_ds] WITH (LOCATION = N'${DS_URL}')`,
      "IF NOT EXISTS (SELECT * FROM sys.external_file_formats WHERE name = N'parquet_ff')\n    CREATE EXTERNAL FILE FORMAT [parquet_ff] WITH (FORMAT_TYPE = PARQUET, DATA_COMPRESSION = N'org.apache.hadoop.io.compress.SnappyCodec')",
    ]);
  });

  afterEach(() => world.close());

  /** The rows of every Parquet part below `folder` of the export container, read by hyparquet. */
  const partsOf = (folder: string) =>
    world.parquetRows(ACCOUNT, "ci-export", (p) => p.startsWith(`ci_export/${folder}`));

  function expectedRows() {
    return Object.entries(PARTS)
      .filter(([path]) => path.endsWith(".csv"))
      .flatMap(([, text]) => readCsv(text))
      .map((r) => ({
        id: BigInt(r.id!),
        name: r.name,
        amount: r.amount === null ? null : Number(r.amount),
        joined: r.joined,
      }));
  }

  it("exports a CSV glob to Parquet parts under the data source's LOCATION, with the row count as rows affected", async () => {
    const result = await db.request().batch(CETAS("Customer__s1", "Customer/v=s1/"));
    const expected = expectedRows();
    expect(result.rowsAffected).to.deep.equal([expected.length]);

    const { files, rows } = await partsOf("Customer/v=s1/");
    expect(files).to.have.length(1);
    expect(files[0]).to.match(/^ci_export\/Customer\/v=s1\/QID\d+_\d{8}_\d{6}_0\.parquet$/);
    const read = rows
      .map((r) => ({
        id: r.id,
        name: r.name,
        amount: r.amount === null ? null : Number(r.amount),
        joined: r.joined === null ? null : (r.joined as Date).toISOString().slice(0, 10),
      }))
      .sort((a, b) => Number(a.id) - Number(b.id));
    expect(read).to.deep.equal(expected);
    // The table exists: the probe the plan sends reads it.
    const probe = await db.request().batch("SELECT TOP 1 * FROM [snapshots].[Customer__s1]");
    expect(probe.recordset.columns).to.have.keys("id", "name", "amount", "joined");
  });

  it("moves no entity data through the runner: serverless's reads and writes are counted apart", async () => {
    const before = dfs.bytesTransferred((r) => r.caller === RUNNER);
    await db.request().batch(CETAS("Customer__s1", "Customer/v=s1/"));
    const runner = dfs.bytesTransferred((r) => r.caller === RUNNER);
    expect(before).to.deep.equal({ uploaded: 0, downloaded: 0 });
    expect(runner).to.deep.equal({ uploaded: 0, downloaded: 0 });
    const sourceBytes = Object.values(PARTS)
      .filter((t) => t !== "")
      .reduce((n, t) => n + Buffer.byteLength(t), 0);
    expect(engine.lake.bytesRead).to.equal(sourceBytes);
    const { files } = await partsOf("Customer/v=s1/");
    const written = files.reduce((n, f) => n + dfs.readFile("ci-export", f)!.length, 0);
    expect(engine.lake.bytesWritten).to.equal(written);
    // The producer's uploads were counted at the wire, under its own identity.
    expect(dfs.bytesTransferred((r) => r.caller === PRODUCER).uploaded).to.equal(sourceBytes);
  });

  it("refuses a LOCATION that exists (15842) and writes nothing", async () => {
    await db.request().batch(CETAS("Customer__s1", "Customer/v=s1/"));
    const before = dfs.pathsOf("ci-export");
    const error = await refusal(db.request().batch(CETAS("Customer__s2", "Customer/v=s1/")));
    expect(error.number).to.equal(15842);
    expect(error.message).to.equal(
      `Cannot create external table. External table location already exists. Location provided: '${DS_URL}/Customer/v=s1/'`,
    );
    expect(dfs.pathsOf("ci-export")).to.deep.equal(before);
  });

  it("refuses a LOCATION without a trailing slash (15840) and an existing table name (2714)", async () => {
    expect(
      (await refusal(db.request().batch(CETAS("Customer__s1", "Customer/v=s1")))).number,
    ).to.equal(15840);
    await db.request().batch(CETAS("Customer__s1", "Customer/v=s1/"));
    expect(
      (await refusal(db.request().batch(CETAS("Customer__s1", "Customer/v=s2/")))).number,
    ).to.equal(2714);
  });

  it("fails partway and leaves a half-written folder when the clean-up fails; the folder then blocks a rerun", async () => {
    engine.rowsPerPart = 2;
    engine.failNextCetas({ afterParts: 1, cleanUp: false });
    const error = await refusal(db.request().batch(CETAS("Customer__s1", "Customer/v=s1/")));
    expect(error.number).to.equal(15856);
    const { files, rows } = await partsOf("Customer/v=s1/");
    expect(files).to.have.length(1);
    expect(rows).to.have.length(2);
    // No table was created, and the same LOCATION is refused until the folder is removed.
    const probe = await refusal(
      db.request().batch("SELECT TOP 1 * FROM [snapshots].[Customer__s1]"),
    );
    expect(probe.number).to.equal(208);
    expect(
      (await refusal(db.request().batch(CETAS("Customer__s1", "Customer/v=s1/")))).number,
    ).to.equal(15842);
    // A fresh folder converges, in two parts of two rows.
    const result = await db.request().batch(CETAS("Customer__s1", "Customer/v=s1b/"));
    expect(result.rowsAffected).to.deep.equal([4]);
    expect((await partsOf("Customer/v=s1b/")).files).to.have.length(2);
  });

  it("removes what it wrote when the one-time clean-up succeeds", async () => {
    engine.rowsPerPart = 2;
    engine.failNextCetas({ afterParts: 1, cleanUp: true });
    expect(
      (await refusal(db.request().batch(CETAS("Customer__s1", "Customer/v=s1/")))).number,
    ).to.equal(15856);
    expect(
      dfs.pathsOf("ci-export").filter((p) => p.startsWith("ci_export/Customer")),
    ).to.deep.equal([]);
  });

  it("fails with 4861 when a source file changes between listing and reading, and writes nothing", async () => {
    engine.afterListing = (files) => {
      const node = dfs.namespace.node(files[0].filesystem, files[0].path);
      dfs.namespace.flush(files[0].filesystem, files[0].path, node.data.length, undefined, false);
    };
    const error = await refusal(db.request().batch(CETAS("Customer__s1", "Customer/v=s1/")));
    expect(error.number).to.equal(4861);
    expect(error.message).to.contain(`${SOURCE}/part-0.csv`);
    expect(
      dfs.pathsOf("ci-export").filter((p) => p.startsWith("ci_export/Customer")),
    ).to.deep.equal([]);
  });

  it("fails with 15813 naming the file when a value does not fit its WITH type under PARSER_VERSION 2.0", async () => {
    await lakeOf(PRODUCER, "insights").writeText(
      "Customer/part-2.csv",
      "id,name,amount,joined\nfive,Eva,1.00,2024-01-01\n",
    );
    const error = await refusal(db.request().batch(CETAS("Customer__s1", "Customer/v=s1/")));
    expect(error.number).to.equal(15813);
    expect(error.message).to.equal(
      `Error handling external file: 'Max errors count reached'. File/External table name: '${SOURCE}/part-2.csv'.`,
    );
    expect(
      dfs.pathsOf("ci-export").filter((p) => p.startsWith("ci_export/Customer")),
    ).to.deep.equal([]);
  });

  it("answers the plan's type checks: COUNT_BIG(*) of values TRY_CAST rejects, and the first of them", async () => {
    // Values whose T-SQL conversion is documented (cast-and-convert): decimal takes no exponent and no
    // second point; blanks around a number are ignored.
    const values = [
      { text: "12.50", fits: true },
      { text: " 7 ", fits: true },
      { text: "1e3", fits: false },
      { text: "1.2.3", fits: false },
      { text: "abc", fits: false },
    ];
    await lakeOf(PRODUCER, "insights").writeText(
      "Checks/values.csv",
      `amount\n${values.map((v) => `"${v.text}"`).join("\n")}\n`,
    );
    const from =
      `FROM OPENROWSET(BULK N'https://${ACCOUNT}.dfs.core.windows.net/insights/Checks/values.csv', FORMAT = 'CSV', PARSER_VERSION = '2.0', HEADER_ROW = TRUE)\n` +
      `WITH ([amount] varchar(8000) COLLATE Latin1_General_100_BIN2_UTF8) AS r\n` +
      `WHERE r.[amount] IS NOT NULL AND TRY_CAST(r.[amount] AS decimal(9,2)) IS NULL`;
    const count = await db.request().batch(`SELECT COUNT_BIG(*) AS bad ${from}`);
    // tedious reads a bigint as a string.
    expect(count.recordset[0].bad).to.equal(String(values.filter((v) => !v.fits).length));
    const first = await db.request().batch(`SELECT TOP 1 r.[amount] AS value ${from}`);
    expect(first.recordset.map((r) => r.value)).to.deep.equal([values.find((v) => !v.fits)!.text]);
    // LEN counts characters without trailing blanks, the check for an nvarchar(n) column.
    const longest = await db
      .request()
      .batch(
        `SELECT MAX(LEN(r.[amount])) AS n FROM OPENROWSET(BULK N'https://${ACCOUNT}.dfs.core.windows.net/insights/Checks/values.csv', FORMAT = 'CSV', PARSER_VERSION = '2.0', HEADER_ROW = TRUE) WITH ([amount] varchar(8000)) AS r`,
      );
    expect(Number(longest.recordset[0].n)).to.equal(
      Math.max(...values.map((v) => v.text.trimEnd().length)),
    );
  });

  it("refuses INSERT into an external table (46519) and ALTER EXTERNAL TABLE (102); DROP leaves the files", async () => {
    await db.request().batch(CETAS("Customer__s1", "Customer/v=s1/"));
    const insert = await refusal(
      db
        .request()
        .batch("INSERT INTO [snapshots].[Customer__s1] VALUES (5, N'Eve', 1.00, '2024-01-01')"),
    );
    expect(insert.number).to.equal(46519);
    expect(insert.message).to.equal("DML Operations are not supported with external tables.");
    expect(
      (
        await refusal(
          db.request().batch("ALTER EXTERNAL TABLE [snapshots].[Customer__s1] ADD [x] int"),
        )
      ).number,
    ).to.equal(102);
    const files = (await partsOf("Customer/v=s1/")).files;
    await db
      .request()
      .batch(
        "IF OBJECT_ID(N'[snapshots].[Customer__s1]') IS NOT NULL\n    DROP EXTERNAL TABLE [snapshots].[Customer__s1]",
      );
    expect((await partsOf("Customer/v=s1/")).files).to.deep.equal(files);
    expect(
      (await refusal(db.request().batch("DROP EXTERNAL TABLE [snapshots].[Customer__s1]"))).number,
    ).to.equal(3701);
  });

  it("reads the lake as the caller: without a storage data role the files cannot be opened (13822)", async () => {
    const outsider = await sqlAs(OUTSIDER, DB);
    const error = await refusal(
      outsider
        .request()
        .batch(
          `SELECT COUNT_BIG(*) AS n FROM OPENROWSET(BULK N'${SOURCE}/part-0.csv', FORMAT = 'CSV', PARSER_VERSION = '2.0', HEADER_ROW = TRUE) WITH ([id] bigint) AS r`,
        ),
    );
    expect(error.number).to.equal(13822);
    expect(error.message).to.contain(`File '${SOURCE}/part-0.csv' cannot be opened`);
  });
});
