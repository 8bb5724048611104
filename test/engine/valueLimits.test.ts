// Values Synapse cannot hold, or that would change on the way: each fails its entity with the file,
// line, column and value, instead of reaching the lake as NULL, as a rounded number or in another
// year. Synapse's date and datetime2 hold 0001-01-01 to 9999-12-31 with at most 7 fractional digits
// (https://learn.microsoft.com/sql/t-sql/data-types/datetime2-transact-sql), and the export writes
// microseconds (datetime2(6)); decimal(p,s) holds s digits after the point
// (https://learn.microsoft.com/sql/t-sql/data-types/decimal-and-numeric-transact-sql).

import { expect } from "chai";
import type { ColumnSpec, EntitySpec } from "../../src/spec/types";
import { exportSource, runSource } from "./support/exportSource";
import * as path from "node:path";
import { promises as fs } from "node:fs";
import { DuckSession } from "../../src/engine/writer/duckdbSession";
import { removeTempDirs, tempDir } from "./support/fixtures";

/** A Parquet file with one typed value (written by DuckDB: only the producer of the fixture). */
async function parquetWith(select: string): Promise<Buffer> {
  const dir = await tempDir("parquet-fixture");
  const file = path.join(dir, "v.parquet");
  const session = await DuckSession.open({ threads: 1 });
  try {
    await session.run(
      `COPY (SELECT 1::INTEGER AS id, ${select} AS v) TO '${file}' (FORMAT parquet)`,
    );
  } finally {
    session.close();
  }
  return fs.readFile(file);
}

const entity = (v: ColumnSpec | undefined, path = "e.csv"): EntitySpec => ({
  name: "E",
  source: { path, format: path.endsWith(".jsonl") ? "jsonl" : "csv" },
  columns: v ? [{ name: "id", type: "int32" }, v] : undefined,
});

describe("values Synapse cannot hold fail the entity, never change on the way", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  const refused: [string, ColumnSpec, string, RegExp][] = [
    [
      "dateTime infinity (was NULL)",
      { name: "v", type: "dateTime" },
      "infinity",
      /is not a dateTime/,
    ],
    ["date infinity", { name: "v", type: "date" }, "infinity", /is not a date/],
    [
      "date in year 10000",
      { name: "v", type: "date" },
      "10000-01-01",
      /from 0001-01-01 to 9999-12-31/,
    ],
    ["date in year 0", { name: "v", type: "date" }, "0000-01-01", /from 0001-01-01 to 9999-12-31/],
    ["a date BC", { name: "v", type: "date" }, "-0044-03-15", /is not a date/],
    [
      "an offset that moves the instant into year 10000",
      { name: "v", type: "dateTimeOffset" },
      "9999-12-31T23:59:59-05:00",
      /from 0001-01-01 to 9999-12-31 \(in UTC\)/,
    ],
    [
      "an offset past +14:00 (was applied as 99 hours)",
      { name: "v", type: "dateTimeOffset" },
      "2024-01-31T12:00:00+99",
      /is not a dateTimeOffset/,
    ],
    [
      "an offset past -14:00",
      { name: "v", type: "dateTime" },
      "2024-01-31T12:00:00.5-14:30",
      /is not a dateTime/,
    ],
    [
      "a seventh fractional digit (datetime2(7))",
      { name: "v", type: "dateTime" },
      "2024-01-31T13:45:00.1234567",
      /at most 6 fractional digits/,
    ],
    [
      "a decimal with more digits after the point than its scale (was rounded)",
      { name: "v", type: "decimal", precision: 18, scale: 2 },
      "1.239",
      /more than 2 digits after it \(values are never rounded\)/,
    ],
    [
      "a date with a time of day (DuckDB's cast dropped it)",
      { name: "v", type: "date" },
      "2024-01-31T13:45:00",
      /is not a date/,
    ],
    [
      "a date whose offset puts it on another day in UTC",
      { name: "v", type: "date" },
      "2024-01-31T23:00:00-05:00",
      /is not a date/,
    ],
    [
      "a date BC written as a suffix (was year 2024 AD)",
      { name: "v", type: "date" },
      "2024-01-31 BC",
      /is not a date/,
    ],
    ["a date followed by other text", { name: "v", type: "date" }, "2024-01-31 x", /is not a date/],
    [
      "a decimal whose exponent leaves more digits than its scale (compared as a double, it was rounded)",
      { name: "v", type: "decimal", precision: 18, scale: 2 },
      "1.00000000000000001e0",
      /more than 2 digits after it/,
    ],
    [
      "a decimal with a digit separator (was 1000.00)",
      { name: "v", type: "decimal", precision: 18, scale: 2 },
      "1_000",
      /does not fit decimal/,
    ],
    [
      "a double with a digit separator (was 1000.5)",
      { name: "v", type: "double" },
      "1_000.5",
      /is not a finite double/,
    ],
    [
      "a decimal of scale 0 with a fraction",
      { name: "v", type: "decimal", precision: 38, scale: 0 },
      "12345678901234567890.5",
      /more than 0 digits after it/,
    ],
  ];
  for (const [label, column, value, reason] of refused) {
    it(`refuses ${label}: ${value}`, async () => {
      const { error } = await runSource(
        // A first row that fits, so the bad value's line and row are not the first ones.
        {
          "e.csv": `id,v\n1,${column.type === "decimal" || column.type === "double" ? "1" : "2000-01-01"}\n2,${value}\n`,
        },
        entity(column),
      );
      expect(error).to.contain(`e.csv line 3 (row 2), column "v": value ${JSON.stringify(value)}`);
      expect(error).to.match(reason);
    });
  }

  it("keeps the edges of the range, trailing zeros past the scale and a zero seventh digit exactly", async () => {
    const csv =
      "id,d,ts,tso,dec\n" +
      "1,0001-01-01,0001-01-01T00:00:00,9999-12-31T18:59:59.999999-05:00,1.230\n" +
      "2,9999-12-31,9999-12-31T23:59:59.9999990,0001-01-01T01:00:00+01:00,-0.10\n" +
      // A date written as midnight (a datetime export's dates) is that date; exponents move the point.
      "3,2024-01-31 00:00:00,2024-01-31T00:00:00Z,2024-01-31T00:00:00Z,1.2500e2\n" +
      "4,2024/2/1,2024-01-31T00:00:00Z,2024-01-31T00:00:00Z,12345e-2\n" +
      "5,2024-01-20,2024-01-20,2024-01-31T14:00:00+14:00,0\n" +
      "6,2024-01-20,2024-01-20 12:00,2024-01-30T10:00:00.5-1400,0\n";
    const x = await exportSource(
      { "e.csv": csv },
      {
        name: "E",
        source: { path: "e.csv", format: "csv" },
        columns: [
          { name: "id", type: "int32" },
          { name: "d", type: "date" },
          { name: "ts", type: "dateTime" },
          { name: "tso", type: "dateTimeOffset" },
          { name: "dec", type: "decimal", precision: 18, scale: 2 },
        ],
      },
      "csv",
    );
    // Expected: the source text itself, read by eye: the writer's CSV output has every digit.
    expect(x.rows.map((r) => [r.d, r.ts, r.tso, r.dec])).to.deep.equal([
      ["0001-01-01", "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "1.23"],
      ["9999-12-31", "9999-12-31 23:59:59.999999", "0001-01-01 00:00:00", "-0.10"],
      ["2024-01-31", "2024-01-31 00:00:00", "2024-01-31 00:00:00", "125.00"],
      ["2024-02-01", "2024-01-31 00:00:00", "2024-01-31 00:00:00", "123.45"],
      ["2024-01-20", "2024-01-20 00:00:00", "2024-01-31 00:00:00", "0.00"],
      ["2024-01-20", "2024-01-20 12:00:00", "2024-01-31 00:00:00.5", "0.00"],
    ]);
  });

  describe("a string without maxLength in a CSV export (serverless reads at most 8000 bytes a column)", () => {
    // PARSER_VERSION 2.0: "Maximum character column length is 8000"
    // (https://learn.microsoft.com/azure/synapse-analytics/sql/develop-openrowset), so the column is
    // varchar(8000) and a longer value could not be read back. € is U+20AC: 3 bytes in UTF-8.
    const euros = "€".repeat(2667); // 8001 bytes, 2667 characters
    const column: ColumnSpec = { name: "v", type: "string" };

    it("lands a value of exactly 8000 bytes as it is", async () => {
      const full = "a".repeat(7997) + "€"; // 7997 + 3 bytes
      const x = await exportSource({ "e.csv": `id,v\n1,${full}\n` }, entity(column), "csv");
      expect(x.rows.map((r) => r.v)).to.deep.equal([full]);
    });

    it("fails the entity on a value of 8001 bytes, naming file, line, row and column, and what is allowed", async () => {
      const { error } = await runSource(
        { "e.csv": `id,v\n1,short\n2,${euros}\n` },
        entity(column),
        "csv",
      );
      expect(error).to.contain('entity "E": e.csv line 3 (row 2), column "v": value "€€€');
      expect(error).to.contain(
        "is 8001 bytes in UTF-8, more than the 8000 a string of a format: csv export holds",
      );
      expect(error).to.contain("use format: parquet");
      // The column's type is not at fault: no advice to change it or the value's column.
      expect(error).not.to.contain("Fix the value in the source, or the column's type");
    });

    it("lands the same value in a Parquet export, whose strings are varchar(max)", async () => {
      const x = await exportSource({ "e.csv": `id,v\n1,${euros}\n` }, entity(column), "parquet");
      expect(x.rows.map((r) => r.v)).to.deep.equal([euros]);
    });
  });

  it("infers 20-digit integers as decimal(38,0) and keeps every digit (was double)", async () => {
    const ids = ["12345678901234567890", "-98765432109876543210", "7"];
    const csv = `id\n${ids.join("\n")}\n`;
    const x = await exportSource({ "e.csv": csv }, entity(undefined), "csv");
    expect(x.manifest.columns).to.deep.equal([
      { name: "id", type: "decimal", precision: 38, scale: 0 },
    ]);
    // The expected values are the source's own text, compared as BigInt.
    expect(x.rows.map((r) => BigInt(String(r.id)))).to.deep.equal(ids.map((s) => BigInt(s)));
  });

  it("never infers a double for numbers a double does not read back as written", async () => {
    // 1234567890123456.78 read back from a double is 1234567890123456.8.
    const x = await exportSource(
      { "e.csv": "v\n1234567890123456.78\n1.5\n" },
      entity(undefined),
      "csv",
    );
    expect(x.manifest.columns).to.deep.equal([{ name: "v", type: "string" }]);
    expect(x.rows.map((r) => r.v)).to.deep.equal(["1234567890123456.78", "1.5"]);
    const y = await exportSource(
      { "e.csv": "v\n123456789012.345\n1.5e300\n0.30000000000000004\n-2.50\n" },
      entity(undefined),
      "csv",
    );
    expect(y.manifest.columns).to.deep.equal([{ name: "v", type: "double" }]);
    expect(y.rows.map((r) => Number(r.v))).to.deep.equal([
      123456789012.345, 1.5e300, 0.30000000000000004, -2.5,
    ]);
  });

  it("never infers a floating type for a column mixing a 20-digit integer with fractions", async () => {
    const x = await exportSource(
      { "e.csv": "v\n12345678901234567890\n1.5\n" },
      entity(undefined),
      "csv",
    );
    expect(x.manifest.columns).to.deep.equal([{ name: "v", type: "string" }]);
    expect(x.rows.map((r) => r.v)).to.deep.equal(["12345678901234567890", "1.5"]);
  });

  it("infers JSON Lines whole numbers of mixed sign as int64 (was decimal(38,0)), big ones as decimal(38,0)", async () => {
    const lines = [
      { n: -5, big: "12345678901234567890" },
      { n: 7, big: "-1" },
    ];
    const jsonl = lines.map((l) => `{"n": ${l.n}, "big": ${l.big}}`).join("\n") + "\n";
    const x = await exportSource({ "e.jsonl": jsonl }, entity(undefined, "e.jsonl"), "csv");
    expect(x.manifest.columns).to.deep.equal([
      { name: "n", type: "int64" },
      { name: "big", type: "decimal", precision: 38, scale: 0 },
    ]);
    expect(x.rows.map((r) => [Number(r.n), BigInt(String(r.big))])).to.deep.equal(
      lines.map((l) => [l.n, BigInt(l.big)]),
    );
  });

  const typed: [string, string, ColumnSpec, RegExp][] = [
    [
      "a nanosecond Parquet timestamp with a digit past the microsecond",
      "TIMESTAMP_NS '2024-01-31 13:45:00.123456789'",
      { name: "v", type: "dateTime" },
      /at most 6 fractional digits/,
    ],
    [
      "a Parquet decimal(10,3) into a decimal(18,2)",
      "1.239::DECIMAL(10,3)",
      { name: "v", type: "decimal", precision: 18, scale: 2 },
      /more than 2 digits after it/,
    ],
    [
      "a Parquet double into a decimal(18,2)",
      "1.239::DOUBLE",
      { name: "v", type: "decimal", precision: 18, scale: 2 },
      /more than 2 digits after it/,
    ],
    [
      "a Parquet date in year 10000",
      "DATE '10000-01-01'",
      { name: "v", type: "date" },
      /from 0001-01-01 to 9999-12-31/,
    ],
    [
      "a Parquet timestamp with a time of day into a date (the time would be lost)",
      "TIMESTAMP '2024-01-31 10:00:00'",
      { name: "v", type: "date" },
      /is not a date/,
    ],
  ];
  it("says an undeclared Parquet column's type is the file's, not inferred from rows", async () => {
    const { error } = await runSource(
      { "e.parquet": await parquetWith("TIMESTAMP_NS '2024-01-31 13:45:00.123456789'") },
      { name: "E", source: { path: "e.parquet", format: "parquet" } },
    );
    expect(error).to.contain('e.parquet row 1, column "v"');
    expect(error).to.contain("Its type is the Parquet file's");
    expect(error).not.to.contain("inferred from the first rows");
  });

  for (const [label, select, column, reason] of typed) {
    it(`refuses ${label}`, async () => {
      const { error } = await runSource(
        { "e.parquet": await parquetWith(select) },
        {
          name: "E",
          source: { path: "e.parquet", format: "parquet" },
          columns: [{ name: "id", type: "int32" }, column],
        },
      );
      expect(error).to.contain('e.parquet row 1, column "v"');
      expect(error).to.match(reason);
    });
  }

  it("keeps a Parquet decimal(10,3) whose third digit is zero, and a whole-microsecond TIMESTAMP_NS", async () => {
    const dir = await tempDir("parquet-fixture");
    const file = path.join(dir, "v.parquet");
    const session = await DuckSession.open({ threads: 1 });
    try {
      await session.run(
        `COPY (SELECT 1.230::DECIMAL(10,3) AS dec, TIMESTAMP_NS '2024-01-31 13:45:00.123456000' AS ts) TO '${file}' (FORMAT parquet)`,
      );
    } finally {
      session.close();
    }
    const x = await exportSource(
      { "e.parquet": await fs.readFile(file) },
      {
        name: "E",
        source: { path: "e.parquet", format: "parquet" },
        columns: [
          { name: "dec", type: "decimal", precision: 18, scale: 2 },
          { name: "ts", type: "dateTime" },
        ],
      },
      "csv",
    );
    expect(x.rows).to.deep.equal([{ dec: "1.23", ts: "2024-01-31 13:45:00.123456" }]);
  });
});
