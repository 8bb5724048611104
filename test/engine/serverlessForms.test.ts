// A lake-resident CSV is refused or exported alike by serverless SQL (on Azure) and by `run --local`
// (DuckDB standing in for it): the same hostile texts, one per column, run through the server-side
// export against the dfs and TDS test servers and through the local target, and each side names the
// same columns as misfits. What each text should do is written here from Microsoft's pages (cited per
// row), not taken from either engine: the runner's casts take `yes`, `1e5` and 24:00, which the local
// target used to export while Azure refused them.

import { expect } from "chai";
import type { EntitySpec } from "../../src/spec/types";
import { errorText } from "../helpers/errorText";
import { ACCOUNT, AzureWorld, FAST, PRINCIPALS } from "./support/azureWorld";
import { lakeCsvEntity, removeTempDirs, runLocalLakeEntity } from "./support/fixtures";

type Case = [type: object, text: string, takes: boolean, why: string];

const BIT = "bit: only the strings TRUE and FALSE (bit-transact-sql)";
const NUM = "CAST from varchar: a sign, no exponent for int and decimal (cast-and-convert)";
const DTO =
  "datetimeoffset: hh 00-23, offset -14:00..+14:00 as {+|-}hh:mm (datetimeoffset-transact-sql)";
const D23 = "date: 10 characters, style 23 yyyy-mm-dd (cast-and-convert, date and time styles)";
const UID = "uniqueidentifier: 36 characters, 8-4-4-4-12 (renderCetas.ts's check)";

const CASES: Case[] = [
  [{ type: "boolean" }, "yes", false, BIT],
  [{ type: "boolean" }, "1", false, BIT],
  [{ type: "boolean" }, "t", false, BIT],
  [{ type: "boolean" }, "TRUE", true, BIT],
  [{ type: "boolean" }, "False", true, BIT],
  [{ type: "decimal", precision: 9, scale: 2 }, "1e5", false, NUM],
  [{ type: "decimal", precision: 9, scale: 2 }, "1.5E1", false, NUM],
  [{ type: "decimal", precision: 9, scale: 2 }, "+1.50", true, NUM],
  [{ type: "decimal", precision: 9, scale: 2 }, ".5", true, NUM],
  [{ type: "int64" }, "+5", true, NUM],
  [{ type: "int64" }, "1e3", false, NUM],
  [{ type: "double" }, "1e3", true, "float takes an exponent (cast-and-convert)"],
  [{ type: "date" }, "2024-1-1", false, D23],
  [{ type: "date" }, "2024/01/01", false, D23],
  [{ type: "date" }, "2024-02-29", true, D23],
  [{ type: "dateTime" }, "2024-01-01T24:00:00", false, DTO],
  [{ type: "dateTime" }, "2024-01-01T12:60:00", false, DTO],
  [{ type: "dateTime" }, "2024-01-01 12:30:00+01:00", true, DTO],
  [{ type: "dateTime" }, "2024-01-01T12:30:00Z", true, DTO],
  [{ type: "dateTimeOffset" }, "2024-01-01 12:30:00+14:01", false, DTO],
  [{ type: "dateTimeOffset" }, "2024-01-01 12:30:00-14:00", true, DTO],
  [{ type: "guid" }, "{0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff}", false, UID],
  [{ type: "guid" }, "0bfc4568a4ba4c58bd3e5d3e76bd7fff", false, UID],
  [{ type: "guid" }, "0BFC4568-A4BA-4C58-BD3E-5D3E76BD7FFF", true, UID],
];

const columns = CASES.map(([type], i) => ({ name: `c${i + 1}`, ...type }));
const csv = `${columns.map((c) => c.name).join(",")}\n${CASES.map(([, text]) => text).join(",")}\n`;
const refusedColumns = CASES.flatMap(([, , takes], i) => (takes ? [] : [`c${i + 1}`]));
const takenColumns = CASES.flatMap(([, , takes], i) => (takes ? [`c${i + 1}`] : []));

/** A column as the case it holds: `c3 "t" (why)`, so that a mismatch reads as the texts it is about. */
const described = (names: string[]) =>
  names.map((n) => {
    const [, text, , why] = CASES[Number(n.slice(1)) - 1];
    return `${n} ${JSON.stringify(text)} (${why})`;
  });
const refused = described(refusedColumns);

/** The columns a failure names as misfits ("column c3: 1 value(s) ..."), described. */
function namedColumns(error: string): string[] {
  const names = [...error.matchAll(/column (c[0-9]+): /g)].map((m) => m[1]);
  return described(names.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
}

/** One entity of the taken columns only: what each engine exports for them. */
const takenOnly = (e: EntitySpec): EntitySpec => ({
  ...e,
  columns: e.columns!.filter((c) => takenColumns.includes(c.name)),
});
const takenCsv = () => {
  const idx = CASES.flatMap(([, , takes], i) => (takes ? [i] : []));
  return `${idx.map((i) => `c${i + 1}`).join(",")}\n${idx.map((i) => CASES[i][1]).join(",")}\n`;
};

describe("a lake-resident CSV: serverless SQL and run --local refuse the same texts", function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it("run --local names every column whose text serverless would refuse, and writes nothing", async () => {
    const { record } = await runLocalLakeEntity(lakeCsvEntity("o/*.csv", columns), {
      "raw/o/a.csv": csv,
    });
    expect(record.status).to.equal("failed");
    expect(record.error?.kind).to.equal("data");
    expect(namedColumns(errorText(record))).to.deep.equal(refused);
    // The failure says what serverless takes, e.g. for the boolean.
    expect(errorText(record)).to.contain(
      'column c1: 1 value(s) do not fit bit (true or false, any case), the least of them "yes"',
    );
  });

  it("serverless SQL names the same columns, before any CETAS", async () => {
    const e: EntitySpec = {
      name: "E",
      source: { path: `https://${ACCOUNT}.dfs.core.windows.net/insights/E/*.csv`, format: "csv" },
      columns,
    } as EntitySpec;
    const world = await AzureWorld.start(FAST, { entities: [e], serverless: true });
    try {
      const producer = world.lakeClientOf("insights", PRINCIPALS.deployer);
      await producer.ensureContainer();
      await producer.writeText("E/a.csv", csv);
      const record = (await world.run()).entities.find((r) => r.name === "E")!;
      expect(record.status).to.equal("failed");
      expect(record.error?.kind).to.equal("data");
      expect(namedColumns(errorText(record))).to.deep.equal(refused);
      expect(world.serverless!.cetas).to.deep.equal([]);
    } finally {
      await world.close();
    }
  });

  it("run --local exports the texts serverless takes, as the values they write", async () => {
    const { status, error, rows } = await runLocalLakeEntity(
      takenOnly(lakeCsvEntity("o/*.csv", columns)),
      { "raw/o/a.csv": takenCsv() },
    );
    expect(status, error).to.equal("exported");
    expect(rows).to.have.length(1);
    const row = rows[0];
    const at = (text: string) => `c${CASES.findIndex(([, t, takes]) => takes && t === text) + 1}`;
    expect(row[at("TRUE")]).to.equal(true);
    expect(row[at("False")]).to.equal(false);
    expect(row[at("+5")]).to.equal(5n);
    expect(row[at("+1.50")]).to.equal(1.5);
    expect(row[at(".5")]).to.equal(0.5);
    expect(row[at("1e3")]).to.equal(1000);
    expect((row[at("2024-02-29")] as Date).toISOString()).to.equal("2024-02-29T00:00:00.000Z");
    // Timestamps in microseconds since 1970, in UTC: 12:30 at +01:00 is 11:30, -14:00 adds 14 hours.
    const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
    expect(row[at("2024-01-01 12:30:00+01:00")]).to.equal(micros("2024-01-01T11:30:00Z"));
    expect(row[at("2024-01-01T12:30:00Z")]).to.equal(micros("2024-01-01T12:30:00Z"));
    expect(row[at("2024-01-01 12:30:00-14:00")]).to.equal(micros("2024-01-02T02:30:00Z"));
    expect(row[at("0BFC4568-A4BA-4C58-BD3E-5D3E76BD7FFF")]).to.equal(
      "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff",
    );
  });
});
