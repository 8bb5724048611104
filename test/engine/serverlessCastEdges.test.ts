// Values serverless SQL's own casts would change, through a lake-resident source's server-side
// export on the loopback dfs and TDS servers (which model those casts, tds/tsqlTypes.ts, with their
// sources): a lone sign is 0 as an int, 1e-400 and a subnormal are 0 as a float, a time alone is on
// 1900-01-01 and 01/02/2020 is month first as a datetimeoffset, a CSV value past 4000 characters, and
// a Parquet DECIMAL(18,4) read into decimal(18,2) rounds. Each must fail naming the value, write no
// snapshot, and be refused the same way by the local target. A well-formed row beside it lands as is.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EntitySpec } from "../../src/spec/types";
import { errorText } from "../helpers/errorText";
import { ACCOUNT, AzureWorld, CONTAINER, DB, FAST, PRINCIPALS } from "./support/azureWorld";
import { makeSpec, runLocalTarget } from "./support/fixtures";

const SRC = "insights";

interface Case {
  label: string;
  columns: EntitySpec["columns"];
  format: "csv" | "parquet";
  /** The CSV text, or the SQL of a DuckDB query whose result is the Parquet file. */
  content: string;
  /** What the failure must name. */
  names: string;
}

const long = "x".repeat(5000);
const CASES: Case[] = [
  {
    label: "a lone sign in an int32 column (T-SQL casts it to 0)",
    columns: [{ name: "V", type: "int32" }],
    format: "csv",
    content: "V\n7\n-\n",
    names: '"-"',
  },
  {
    label: "1e-400 in a double column (float has no value below 2.23E-308 but 0)",
    columns: [{ name: "V", type: "double" }],
    format: "csv",
    content: "V\n1.5\n1e-400\n",
    names: '"1e-400"',
  },
  {
    label: "a time alone in a dateTime column (T-SQL puts it on 1900-01-01)",
    columns: [{ name: "V", type: "dateTime" }],
    format: "csv",
    content: "V\n2020-01-02 10:00:00\n10:00:00\n",
    names: '"10:00:00"',
  },
  {
    label: "a numeric date in a dateTimeOffset column (month or day first by language)",
    columns: [{ name: "V", type: "dateTimeOffset" }],
    format: "csv",
    content: "V\n2020-01-02 10:00:00+01:00\n01/02/2020 10:00:00\n",
    names: '"01/02/2020 10:00:00"',
  },
  {
    label: "a 5000-character value in a string column of maxLength 4500",
    columns: [{ name: "V", type: "string", maxLength: 4500 }],
    format: "csv",
    content: `V\nshort\n${long}\n`,
    names: "longer than the column's maxLength of 4500",
  },
  {
    label:
      "a Parquet DECIMAL(18,4) 1.2345 in a decimal(18,2) column (the WITH clause would round it)",
    columns: [{ name: "V", type: "decimal", precision: 18, scale: 2 }],
    format: "parquet",
    content: `SELECT * FROM (VALUES (1.25::DECIMAL(18,4)), (1.2345::DECIMAL(18,4))) t("V")`,
    names: "1.2345",
  },
];

async function sourceFile(c: Case, dir: string): Promise<string> {
  const file = path.join(dir, c.format === "csv" ? "part-0.csv" : "part-0.parquet");
  if (c.format === "csv") {
    await fs.writeFile(file, c.content);
    return file;
  }
  const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  await db.run(`COPY (${c.content}) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`);
  db.closeSync();
  instance.closeSync();
  return file;
}

describe("values serverless's casts would change, on a lake-resident source", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-casts-"))));
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  for (const c of CASES) {
    it(`refuses ${c.label}, on Azure and locally, writing no snapshot`, async () => {
      const file = await sourceFile(c, dir);
      const name = path.basename(file);
      const entity = {
        name: "E",
        source: {
          path: `https://${ACCOUNT}.dfs.core.windows.net/${SRC}/E/*.${c.format}`,
          format: c.format,
        },
        columns: c.columns,
      } as EntitySpec;

      const world = await AzureWorld.start(FAST, { entities: [entity], serverless: true });
      try {
        const producer = world.lakeClientOf(SRC, PRINCIPALS.deployer);
        await producer.ensureContainer();
        await producer.uploadFile(file, `E/${name}`);
        const r = (await world.run()).entities.find((x) => x.name === "E")!;
        expect(r.status, errorText(r)).to.equal("failed");
        expect(errorText(r)).to.contain("do not fit their columns").and.contain(c.names);
        expect(
          world.dfs.pathsOf(CONTAINER).filter((p) => p.startsWith(`${DB}/E/v=`)),
          "no snapshot folder",
        ).to.deep.equal([]);
      } finally {
        await world.close();
      }

      const lake = path.join(dir, "lake");
      await fs.mkdir(path.join(lake, SRC, "E"), { recursive: true });
      await fs.copyFile(file, path.join(lake, SRC, "E", name));
      await fs.mkdir(path.join(dir, "spec"), { recursive: true });
      const local = (await runLocalTarget(makeSpec(path.join(dir, "spec"), [entity]), lake))
        .entities[0];
      expect(local.status, errorText(local)).to.equal("failed");
    });
  }
});

describe("valid edge texts still land, exactly, on a lake-resident source", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-edges-"))));
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  // Each text and what it is, written out by hand (not by the code under test).
  const ROWS: [string, string, string, string][] = [
    // [int32, double, dateTime (UTC instant), date-only dateTime]
    ["+5", "1E5", "2020-01-02T10:00:00+01:00", "2020-01-02"],
    [" 12", "-0", "2020-01-02 10:00:00.123Z", " 2020-01-03"],
    ["-0", "0e0", "2020-01-02 23:59:59.999", "2020-01-04"],
    ["-2147483648", "1.5e-300", " 2020-01-02 10:00:00", "2020-01-05"],
  ];
  const EXPECTED = [
    [5, 100000, Date.parse("2020-01-02T09:00:00Z"), Date.parse("2020-01-02T00:00:00Z")],
    [12, -0, Date.parse("2020-01-02T10:00:00.123Z"), Date.parse("2020-01-03T00:00:00Z")],
    [0, 0, Date.parse("2020-01-02T23:59:59.999Z"), Date.parse("2020-01-04T00:00:00Z")],
    [-2147483648, 1.5e-300, Date.parse("2020-01-02T10:00:00Z"), Date.parse("2020-01-05T00:00:00Z")],
  ];

  it("takes a sign, blanks, an exponent, -0, 'T' or ' ' with an offset or Z, and a date alone", async () => {
    const csv = `I,D,T,O\n${ROWS.map((r) => r.join(",")).join("\n")}\n`;
    const file = path.join(dir, "part-0.csv");
    await fs.writeFile(file, csv);
    const entity = {
      name: "E",
      source: { path: `https://${ACCOUNT}.dfs.core.windows.net/${SRC}/E/*.csv`, format: "csv" },
      columns: [
        { name: "I", type: "int32" },
        { name: "D", type: "double" },
        { name: "T", type: "dateTime" },
        { name: "O", type: "dateTime" },
      ],
    } as EntitySpec;
    const world = await AzureWorld.start(FAST, { entities: [entity], serverless: true });
    try {
      const producer = world.lakeClientOf(SRC, PRINCIPALS.deployer);
      await producer.ensureContainer();
      await producer.uploadFile(file, "E/part-0.csv");
      const r = (await world.run()).entities.find((x) => x.name === "E")!;
      expect(r.status, errorText(r)).to.equal("exported");
      const rows = await world.snapshotRows("E", r.snapshot!);
      const ms = (v: unknown) =>
        typeof v === "bigint" ? Number(v) / 1000 : v instanceof Date ? v.getTime() : Number(v);
      const got = rows
        .map((row) => [Number(row.I), Number(row.D), ms(row.T), ms(row.O)])
        .sort((a, b) => a[3] - b[3]);
      // -0 and 0 are one value to SQL (and to ===): compared so, whichever the engine wrote.
      const zeroed = (v: number) => (v === 0 ? 0 : v);
      expect(got.map((g) => g.slice(0, 2).map(zeroed))).to.deep.equal(
        EXPECTED.map((e) => e.slice(0, 2).map(zeroed)),
      );
      expect(got.map((g) => g[2])).to.deep.equal(EXPECTED.map((e) => e[2]));
      expect(got.map((g) => g[3])).to.deep.equal(EXPECTED.map((e) => e[3]));
    } finally {
      await world.close();
    }
    const lake = path.join(dir, "lake");
    await fs.mkdir(path.join(lake, SRC, "E"), { recursive: true });
    await fs.copyFile(file, path.join(lake, SRC, "E", "part-0.csv"));
    await fs.mkdir(path.join(dir, "spec"), { recursive: true });
    const local = (await runLocalTarget(makeSpec(path.join(dir, "spec"), [entity]), lake))
      .entities[0];
    expect(local.status, errorText(local)).to.equal("exported");
  });
});
