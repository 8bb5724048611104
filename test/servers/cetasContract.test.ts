// The statements of docs/cetas-statements.md (the server-side export's contract, branch `lake`, golden
// file test/fixtures/golden/lake_cetas.tsql) executed by the TDS test server at the wire: the check query
// over a CSV glob in one account, the CETAS into the export's account, and a Parquet folder read by
// strict JSON paths. Expected values come from the source text by the test's own reading (JS Date for
// instants), and the written Parquet is read back with hyparquet.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as Mssql from "mssql";
import type { DfsServer } from "./dfsServer";
import type { ServerlessLakeEngine } from "./tds/cetas";
import { CetasWorld } from "./tds/cetasWorld";

const RUNNER = "11111111-0000-4000-8000-000000000001";
const DB = "ci_export";
const DS = "SynapseExportLake_0950ce36";
const EXPORT_ROOT = "https://stciexport.dfs.core.windows.net/ci-export/ci_export";

const COLUMNS = ["OrderId", "Customer Id", "Amount", "Paid", "OrderDate", "PlacedAt", "Note"];
const ROWSET =
  "FROM OPENROWSET(BULK N'https://stcilake.dfs.core.windows.net/raw/sales/orders/*.csv', FORMAT = 'CSV', PARSER_VERSION = '2.0', HEADER_ROW = TRUE, FIELDTERMINATOR = N',', FIELDQUOTE = N'\"') WITH (" +
  COLUMNS.map((c) => `[${c}] varchar(8000) COLLATE Latin1_General_100_BIN2_UTF8`).join(", ") +
  ") AS r";

// The `<bad>` test of each checked column, as docs/cetas-statements.md's example writes it.
const BAD = [
  "r.[OrderId] IS NOT NULL AND TRY_CAST(r.[OrderId] AS bigint) IS NULL",
  "r.[Customer Id] IS NOT NULL AND (LEN(r.[Customer Id]) <> 36 OR TRY_CAST(r.[Customer Id] AS uniqueidentifier) IS NULL)",
  "r.[Amount] IS NOT NULL AND (TRY_CAST(r.[Amount] AS decimal(18,2)) IS NULL OR TRY_CAST(r.[Amount] AS decimal(38,22)) IS NULL OR TRY_CAST(r.[Amount] AS decimal(18,2)) <> TRY_CAST(r.[Amount] AS decimal(38,22)) OR (CHARINDEX(N'.', r.[Amount]) > 0 AND LEN(r.[Amount]) - CHARINDEX(N'.', r.[Amount]) > 22))",
  "r.[Paid] IS NOT NULL AND LOWER(r.[Paid]) NOT IN (N'true', N'false')",
  "r.[OrderDate] IS NOT NULL AND (LEN(r.[OrderDate]) <> 10 OR TRY_CONVERT(date, r.[OrderDate], 23) IS NULL)",
  "r.[PlacedAt] IS NOT NULL AND (TRY_CAST(r.[PlacedAt] AS datetimeoffset(7)) IS NULL OR TRY_CAST(r.[PlacedAt] AS datetimeoffset(7)) <> TRY_CAST(r.[PlacedAt] AS datetimeoffset(6)))",
  "r.[Note] IS NOT NULL AND LEN(CONCAT(r.[Note], N'x')) - 1 > 200",
];
const EXAMPLE = (i: number) =>
  i === 1 || i === 6 ? `r.[${COLUMNS[i]}]` : `CAST(r.[${COLUMNS[i]}] AS nvarchar(4000))`;
const CHECK =
  "SELECT COUNT_BIG(*) AS [rows],\n" +
  BAD.map(
    (bad, i) =>
      `    SUM(CASE WHEN ${bad} THEN 1 ELSE 0 END) AS [bad_${i + 1}],\n    MIN(CASE WHEN ${bad} THEN ${EXAMPLE(i)} END) AS [example_${i + 1}]`,
  ).join(",\n") +
  `\n${ROWSET}`;
const CETAS =
  "CREATE EXTERNAL TABLE [snapshots].[Orders__s1]\n" +
  `WITH (LOCATION = N'Orders/v=s1/', DATA_SOURCE = [${DS}], FILE_FORMAT = [SynapseExportParquet])\n` +
  "AS SELECT CAST(r.[OrderId] AS bigint) AS [OrderId],\n" +
  "    CAST(LOWER(r.[Customer Id]) AS varchar(36)) COLLATE Latin1_General_100_BIN2_UTF8 AS [CustomerId],\n" +
  "    CAST(r.[Amount] AS decimal(18,2)) AS [Amount],\n" +
  "    CAST(CASE LOWER(r.[Paid]) WHEN N'true' THEN 1 WHEN N'false' THEN 0 END AS bit) AS [Paid],\n" +
  "    CONVERT(date, r.[OrderDate], 23) AS [OrderDate],\n" +
  "    CAST(SWITCHOFFSET(CAST(r.[PlacedAt] AS datetimeoffset(6)), N'+00:00') AS datetime2(6)) AS [PlacedAt],\n" +
  "    CAST(r.[Note] AS varchar(800)) COLLATE Latin1_General_100_BIN2_UTF8 AS [Note]\n" +
  ROWSET;

const GOOD =
  "OrderId,Customer Id,Amount,Paid,OrderDate,PlacedAt,Note\n" +
  '1,0f8fad5b-d9cb-469f-a165-70867728950e,12.50,true,2024-01-31,2024-01-31T10:00:00+01:00,"first, with a comma"\n' +
  "2,7C9E6679-7425-40DE-944B-E07FC1F90AE7,0.10,FALSE,2024-02-29,2024-02-29T23:59:59.123Z,\n";

// One value per column that does not fit, each for a documented reason (cast-and-convert): an integer
// takes no decimal point; a GUID has 36 characters; decimal takes no exponent; bit is true/false here;
// style 23 is yyyy-mm-dd; a 7th fractional digit does not fit datetime2(6); Note is at most 200.
const BAD_VALUES = [
  "1.0",
  "0f8fad5b",
  "1e3",
  "yes",
  "20240131",
  "2024-01-01T00:00:00.1234567Z",
  "n".repeat(201),
];

describe("TDS test server: the server-side export's statements (docs/cetas-statements.md)", function () {
  this.timeout(60_000);
  let world: CetasWorld;
  let sources: DfsServer;
  let exportLake: DfsServer;
  let engine: ServerlessLakeEngine;
  let db: Mssql.ConnectionPool;
  const PRODUCER = "55555555-0000-4000-8000-000000000005";
  const lakeOf = (dfs: DfsServer, container: string) =>
    world.lakeOf(dfs.account, container, PRODUCER);

  beforeEach(async () => {
    world = await CetasWorld.start({
      accounts: ["stcilake", "stciexport"],
      administrators: [RUNNER],
      storageReaders: [RUNNER],
    });
    ({ engine } = world);
    sources = world.dfs("stcilake");
    exportLake = world.dfs("stciexport");
    const raw = lakeOf(sources, "raw");
    await raw.ensureContainer();
    await raw.writeText("sales/orders/2024-01.csv", GOOD);
    await lakeOf(exportLake, "ci-export").ensureContainer();
    db = await world.database(RUNNER, DB, [
      "IF SCHEMA_ID(N'snapshots') IS NULL\n    EXEC (N'CREATE SCHEMA [snapshots]')",
      `IF NOT EXISTS (SELECT * FROM sys.external_data_sources WHERE name = N'${DS}')\n    CREATE EXTERNAL DATA SOURCE [${DS}] WITH (LOCATION = N'${EXPORT_ROOT}')`,
      "IF NOT EXISTS (SELECT * FROM sys.external_file_formats WHERE name = N'SynapseExportParquet')\n    CREATE EXTERNAL FILE FORMAT [SynapseExportParquet] WITH (FORMAT_TYPE = PARQUET, DATA_COMPRESSION = N'org.apache.hadoop.io.compress.SnappyCodec')",
    ]);
  });

  afterEach(() => world.close());

  const rowsUnder = async (dfs: DfsServer, container: string, folder: string) =>
    (await world.parquetRows(dfs.account, container, (p) => p.startsWith(folder))).rows;

  it("answers the check query with the row count and no misfits for values that fit", async () => {
    const result = await db.request().batch(CHECK);
    const row = result.recordset[0];
    expect(row.rows).to.equal("2"); // bigint, which tedious reads as a string
    for (let i = 1; i <= 7; i++) {
      expect(row[`bad_${i}`], `bad_${i}`).to.equal(0);
      expect(row[`example_${i}`], `example_${i}`).to.equal(null);
    }
  });

  it("counts and names one misfit per column, each rejected by T-SQL's documented conversion rules", async () => {
    await lakeOf(sources, "raw").writeText(
      "sales/orders/2024-02.csv",
      `${COLUMNS.join(",")}\n${BAD_VALUES.join(",")}\n`,
    );
    const row = (await db.request().batch(CHECK)).recordset[0];
    expect(row.rows).to.equal("3");
    BAD_VALUES.forEach((value, i) => {
      expect(row[`bad_${i + 1}`], `bad_${i + 1}`).to.equal(1);
      expect(row[`example_${i + 1}`], `example_${i + 1}`).to.equal(value);
    });
  });

  it("writes the typed snapshot: the CETAS's rows affected and its Parquet equal the source", async () => {
    const result = await db.request().batch(CETAS);
    expect(result.rowsAffected).to.deep.equal([2]);
    const rows = await rowsUnder(exportLake, "ci-export", "ci_export/Orders/v=s1/");
    const source = GOOD.trim().split("\n").slice(1);
    const expected = [
      {
        OrderId: 1n,
        CustomerId: "0f8fad5b-d9cb-469f-a165-70867728950e",
        Amount: 12.5,
        Paid: true,
        OrderDate: "2024-01-31",
        PlacedAt: new Date("2024-01-31T10:00:00+01:00").getTime(),
        Note: "first, with a comma",
      },
      {
        OrderId: 2n,
        // Written upper case; serverless writes it lower case, as the runner does (README's type table).
        CustomerId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        Amount: 0.1,
        Paid: false,
        OrderDate: "2024-02-29",
        PlacedAt: new Date("2024-02-29T23:59:59.123Z").getTime(),
        Note: null,
      },
    ];
    expect(source).to.have.length(expected.length);
    const read = rows
      .sort((a, b) => Number(a.OrderId) - Number(b.OrderId))
      .map((r) => ({
        ...r,
        Amount: Number(r.Amount),
        OrderDate: (r.OrderDate as Date).toISOString().slice(0, 10),
        PlacedAt: (r.PlacedAt as Date).getTime(),
      }));
    expect(read).to.deep.equal(expected);
    expect(engine.cetas.map((c) => c.location)).to.deep.equal([`${EXPORT_ROOT}/Orders/v=s1/`]);
  });

  it("fails the CETAS with 245 when a value stopped fitting after the check, and writes nothing", async () => {
    await lakeOf(sources, "raw").writeText(
      "sales/orders/2024-03.csv",
      `${COLUMNS.join(",")}\nx1,,,,,,\n`,
    );
    const error = await db
      .request()
      .batch(CETAS)
      .then(
        () => undefined,
        (e: { number?: number; message: string }) => e,
      );
    expect(error?.number).to.equal(245);
    expect(error?.message).to.equal(
      "Conversion failed when converting the varchar value 'x1' to data type bigint.",
    );
    expect(
      exportLake.pathsOf("ci-export").filter((p) => p.startsWith("ci_export/Orders")),
    ).to.deep.equal([]);
  });

  it("reads a Parquet folder recursively by strict JSON paths, and fails on a path that names no column", async () => {
    // The source is written by DuckDB here (a producer), read by the server, and checked with hyparquet.
    const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "visits-"));
    const local = path.join(dir, "part-0.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const duck = await instance.connect();
    await duck.run(
      `COPY (SELECT * FROM (VALUES (1, 'home', TIMESTAMP '2024-05-01 08:00:00.250'), (2, 'cart', TIMESTAMP '2024-05-02 09:30:00')) AS t("VisitId", "Page", "At")) TO '${local}' (FORMAT parquet)`,
    );
    duck.closeSync();
    instance.closeSync();
    await lakeOf(exportLake, "landing").ensureContainer();
    await lakeOf(exportLake, "landing").uploadFile(local, "visits/2024/05/part-0.parquet");
    await fs.rm(dir, { recursive: true, force: true });

    const visits = (pathOfPage: string) =>
      "CREATE EXTERNAL TABLE [snapshots].[Visits__s1]\n" +
      `WITH (LOCATION = N'Visits/v=s1/', DATA_SOURCE = [${DS}], FILE_FORMAT = [SynapseExportParquet])\n` +
      "AS SELECT r.[VisitId] AS [VisitId],\n    r.[Page] AS [Page],\n    r.[At] AS [At]\n" +
      `FROM OPENROWSET(BULK N'https://stciexport.dfs.core.windows.net/landing/visits/**', FORMAT = 'PARQUET') WITH ([VisitId] int N'strict $."VisitId"', [Page] varchar(max) COLLATE Latin1_General_100_BIN2_UTF8 N'strict $."${pathOfPage}"', [At] datetime2(6) N'strict $."At"') AS r`;
    const missing = await db
      .request()
      .batch(visits("Pages"))
      .then(
        () => undefined,
        (e: { number?: number }) => e,
      );
    expect(missing?.number).to.equal(15813);

    const result = await db.request().batch(visits("Page"));
    expect(result.rowsAffected).to.deep.equal([2]);
    const rows = (await rowsUnder(exportLake, "ci-export", "ci_export/Visits/v=s1/"))
      .sort((a, b) => Number(a.VisitId) - Number(b.VisitId))
      .map((r) => ({ ...r, At: (r.At as Date).toISOString() }));
    expect(rows).to.deep.equal([
      { VisitId: 1, Page: "home", At: "2024-05-01T08:00:00.250Z" },
      { VisitId: 2, Page: "cart", At: "2024-05-02T09:30:00.000Z" },
    ]);
  });
});
