// The server-side export's T-SQL as the plan renders it (the statements of
// test/fixtures/golden/lake_cetas.tsql's shape), executed by the TDS test server over the dfs test
// server's files: the check query counts no misfit and the source's rows, the CETAS writes Parquet parts
// whose rows are the CSV's (read back by hyparquet; expected rows split by this test's own reader), and
// the runner's identity moves no entity data. A value that does not fit is counted and named.

import { expect } from "chai";
import { validateSpec } from "../../src/spec";
import { planExport } from "../../src/plan/exportPlan";
import type { DfsServer } from "../servers/dfsServer";
import { CetasWorld } from "../servers/tds/cetasWorld";
import { validRawSpec } from "../helpers/specs";
import { csvRows } from "../helpers/csvRows";

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
  let world: CetasWorld;
  let dfs: DfsServer;

  async function start(parts: Record<string, string>, columns: unknown[]) {
    const statements = planned(columns);
    const producer = world.lakeOf(ACCOUNT, "insights", PRODUCER);
    await producer.ensureContainer();
    for (const [p, text] of Object.entries(parts)) await producer.writeText(p, text);
    await world.lakeOf(ACCOUNT, "ci-export", PRODUCER).ensureContainer();
    const db = await world.database(RUNNER, DB, statements.setup);
    return { db, statements };
  }

  beforeEach(async () => {
    world = await CetasWorld.start({
      accounts: [ACCOUNT],
      administrators: [RUNNER],
      storageReaders: [RUNNER],
    });
    dfs = world.dfs(ACCOUNT);
  });

  afterEach(() => world.close());

  it("checks, then writes exactly the CSV glob's rows, moving no entity data through the runner", async () => {
    const { db, statements } = await start(PARTS, COLUMNS);
    const check = (await db.request().batch(statements.check)).recordset[0];
    expect(Number(check.rows)).to.equal(3);
    for (const i of [1, 2, 3, 4]) expect(Number(check[`bad_${i}`])).to.equal(0);

    const result = await db.request().batch(statements.cetas);
    expect(result.rowsAffected).to.deep.equal([3]);
    const { files, rows } = await world.parquetRows(ACCOUNT, "ci-export", (p) =>
      p.startsWith("ci_export/Customer/v=s1/"),
    );
    expect(files.length).to.be.greaterThan(0);
    const read = rows
      .map((r) => [
        String(r.Id),
        r.Name ?? null,
        r.Amount === null ? null : Number(r.Amount).toFixed(2),
        r.Joined === null ? null : (r.Joined as Date).toISOString().slice(0, 10),
      ])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    const expected = Object.values(PARTS)
      .flatMap(csvRows)
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
