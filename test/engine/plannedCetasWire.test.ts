// The server-side export's T-SQL as the plan renders it (the statements of
// test/fixtures/golden/lake_cetas.tsql's shape), executed by the TDS test server over the dfs test
// server's files: the check query counts no misfit and the source's rows, the CETAS writes Parquet parts
// whose rows are the CSV's (read back by hyparquet; expected rows split by this test's own reader), and
// the runner's identity moves no entity data. A value that does not fit is counted and named.

import { expect } from "chai";
import type * as Mssql from "mssql";
import { parquetReadObjects } from "hyparquet";
import { AdlsGen2Lake } from "../../src/engine/lake/adlsGen2Lake";
import { validateSpec } from "../../src/spec";
import { planExport } from "../../src/plan/exportPlan";
import { startDfsServer, type DfsServer } from "../servers/dfsServer";
import { audienceOf, entraToken } from "../servers/tds/entraToken";
import { ServerlessLakeEngine } from "../servers/tds/cetas";
import { ServerlessLake } from "../servers/tds/serverlessLake";
import { ServerlessModel } from "../servers/tds/serverlessModel";
import { TdsTestServer } from "../servers/tds/tdsTestServer";
import { validRawSpec } from "../helpers/specs";

const ACCOUNT = "acct";
const RUNNER = "11111111-0000-4000-8000-000000000001";
const PRODUCER = "55555555-0000-4000-8000-000000000005";
const DB = "ci_export";

// A header, a quoted comma, a doubled quote, an empty (NULL) field, in two partitions.
const PARTS: Record<string, string> = {
  "Customer/part-0.csv":
    'id,name,amount,joined\n1,"Ada, Countess",12.50,2024-01-31\n2,Grace,,2024-02-29\n',
  "Customer/part-1.csv": 'id,name,amount,joined\n3,"Zoë ""Z""",99.99,2023-12-01\n',
};

/** This test's own reader of the parts above: split on commas outside quotes, "" inside quotes. */
function rowsOf(text: string): (string | null)[][] {
  return text
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      const fields: (string | null)[] = [];
      let field = "";
      let quoted = false;
      let wasQuoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quoted && c === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') {
          quoted = !quoted;
          wasQuoted = true;
        } else if (c === "," && !quoted) {
          fields.push(field === "" && !wasQuoted ? null : field);
          field = "";
          wasQuoted = false;
        } else field += c;
      }
      fields.push(field === "" && !wasQuoted ? null : field);
      return fields;
    });
}

function credentialOf(oid: string) {
  return {
    async getToken(scopes: string | string[]) {
      const expiresOnTimestamp = Date.now() + 3600e3;
      const exp = Math.floor(expiresOnTimestamp / 1000);
      return { token: entraToken({ aud: audienceOf(scopes), oid, exp }), expiresOnTimestamp };
    },
  };
}

function planned(columns: unknown[]) {
  const raw = validRawSpec();
  raw.connection.storage.accountName = ACCOUNT;
  raw.principals.readers = [];
  raw.export.entities = [
    {
      name: "Customer",
      source: {
        path: `https://${ACCOUNT}.dfs.core.windows.net/insights/Customer/*.csv`,
        format: "csv",
      },
      columns,
    },
  ];
  const spec = validateSpec(raw, "/base").spec!;
  const plan = planExport(spec, [
    { entity: "Customer", columns: spec.export.entities[0].columns!, inferred: false },
  ]);
  const of = (re: RegExp) => plan.sql.find((s) => re.test(s.statement))!.statement;
  const snapshot = (text: string) => text.replace(/<snapshot>/g, "s1");
  return {
    setup: [
      of(/CREATE EXTERNAL DATA SOURCE/),
      of(/CREATE EXTERNAL FILE FORMAT/),
      of(/CREATE SCHEMA \[snapshots\]/),
    ],
    check: snapshot(of(/^SELECT COUNT_BIG/)),
    cetas: snapshot(of(/^CREATE EXTERNAL TABLE/)),
  };
}

const COLUMNS = [
  { name: "Id", type: "int64", sourceColumn: "id" },
  { name: "Name", type: "string", maxLength: 40, sourceColumn: "name" },
  { name: "Amount", type: "decimal", precision: 9, scale: 2, sourceColumn: "amount" },
  { name: "Joined", type: "date", sourceColumn: "joined" },
];

describe("the planned server-side export at the wire (TDS and dfs test servers)", function () {
  this.timeout(60_000);
  let dfs: DfsServer;
  let tds: TdsTestServer;
  let engine: ServerlessLakeEngine;
  let pools: Mssql.ConnectionPool[];

  async function sqlAs(oid: string, database: string): Promise<Mssql.ConnectionPool> {
    const sql = require("mssql") as typeof Mssql;
    const pool = new sql.ConnectionPool({
      server: "127.0.0.1",
      port: tds.port,
      database,
      options: { encrypt: false, trustServerCertificate: false, maxRetriesOnTransientErrors: 0 },
      authentication: { type: "token-credential", options: { credential: credentialOf(oid) } },
      pool: { max: 1, min: 0 },
      validateConnection: "socket",
    } as Mssql.config);
    pool.on("error", () => undefined);
    pools.push(pool);
    await pool.connect();
    return pool;
  }

  async function start(parts: Record<string, string>, columns: unknown[]) {
    const statements = planned(columns);
    const producer = new AdlsGen2Lake({
      accountName: ACCOUNT,
      container: "insights",
      accountUrl: dfs.accountUrl,
      trustedCaPem: dfs.caPem,
      credential: credentialOf(PRODUCER),
      retryOptions: { maxTries: 1 },
      requestTimeoutMs: 2000,
    });
    await producer.ensureContainer();
    for (const [p, text] of Object.entries(parts)) await producer.writeText(p, text);
    await new AdlsGen2Lake({
      accountName: ACCOUNT,
      container: "ci-export",
      accountUrl: dfs.accountUrl,
      trustedCaPem: dfs.caPem,
      credential: credentialOf(PRODUCER),
      retryOptions: { maxTries: 1 },
      requestTimeoutMs: 2000,
    }).ensureContainer();
    const master = await sqlAs(RUNNER, "master");
    await master
      .request()
      .batch(
        `IF DB_ID(N'${DB}') IS NULL\n    EXEC (N'CREATE DATABASE [${DB}] COLLATE Latin1_General_100_CI_AS_SC_UTF8')`,
      );
    const db = await sqlAs(RUNNER, DB);
    for (const ddl of statements.setup) await db.request().batch(ddl);
    return { db, statements };
  }

  beforeEach(async () => {
    pools = [];
    dfs = await startDfsServer({ account: ACCOUNT });
    engine = new ServerlessLakeEngine(new ServerlessLake(dfs));
    const model = new ServerlessModel({
      directory: [],
      administrators: [RUNNER],
      storageReaders: [RUNNER],
      lake: engine,
    });
    tds = await TdsTestServer.start("testws-ondemand", { model });
  });

  afterEach(async () => {
    for (const pool of pools) await pool.close().catch(() => undefined);
    await tds.close();
    await engine.close();
    await dfs.close();
  });

  it("checks, then writes exactly the CSV glob's rows, moving no entity data through the runner", async () => {
    const { db, statements } = await start(PARTS, COLUMNS);
    const check = (await db.request().batch(statements.check)).recordset[0];
    expect(Number(check.rows)).to.equal(3);
    for (const i of [1, 2, 3, 4]) expect(Number(check[`bad_${i}`])).to.equal(0);

    const result = await db.request().batch(statements.cetas);
    expect(result.rowsAffected).to.deep.equal([3]);
    const files = dfs
      .pathsOf("ci-export")
      .filter((p) => p.startsWith("ci_export/Customer/v=s1/") && p.endsWith(".parquet"));
    expect(files.length).to.be.greaterThan(0);
    const rows: Record<string, unknown>[] = [];
    for (const file of files) {
      const data = dfs.readFile("ci-export", file)!;
      const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      rows.push(...(await parquetReadObjects({ file: buffer as ArrayBuffer })));
    }
    const read = rows
      .map((r) => [
        String(r.Id),
        r.Name ?? null,
        r.Amount === null ? null : Number(r.Amount).toFixed(2),
        r.Joined === null ? null : (r.Joined as Date).toISOString().slice(0, 10),
      ])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    const expected = Object.values(PARTS)
      .flatMap(rowsOf)
      .map(([id, name, amount, joined]) => [
        id,
        name,
        amount === null ? null : Number(amount).toFixed(2),
        joined,
      ]);
    expect(read).to.deep.equal(expected);
    expect(dfs.bytesTransferred((r) => r.caller === RUNNER)).to.deep.equal({
      uploaded: 0,
      downloaded: 0,
    });
  });

  it("counts and names a value that does not fit, before any CETAS", async () => {
    const { db, statements } = await start(
      { "Customer/part-0.csv": "id,name,amount,joined\n1,a,1.005,2024-01-31\n2,b,x,2024-02-30\n" },
      COLUMNS,
    );
    const check = (await db.request().batch(statements.check)).recordset[0];
    expect(Number(check.bad_3)).to.equal(2);
    expect(check.example_3).to.equal("1.005");
    expect(Number(check.bad_4)).to.equal(1);
    expect(check.example_4).to.equal("2024-02-30");
    expect(
      dfs.pathsOf("ci-export").filter((p) => p.startsWith("ci_export/Customer/")),
    ).to.deep.equal([]);
  });
});
