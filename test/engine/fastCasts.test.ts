// The writer takes dates, timestamps, decimals and GUIDs of the common shapes by a shorter way than the full
// checks (src/engine/writer/columnCasts.ts, FAST_*_TEXT and fastDecimal). These values sit on both
// sides of every edge of those shapes — years 0001/0002 and 9998/9999, offsets ±14:00 and one minute
// past, six and seven fractional digits, midnight and one second or microsecond past it, with and
// without an offset, a leap second, a GUID in lower and in upper case — so a value the shorter way takes lands
// exactly as the full checks land it, and one it leaves is still decided by them.
//
// The expected instants are computed here from the text, with the test's own reader (a regular
// expression and Date's UTC arithmetic), never by DuckDB.

import { expect } from "chai";
import type { ColumnSpec, EntitySpec } from "../../src/spec/types";
import { exportSource, runSource } from "./support/exportSource";
import { removeTempDirs } from "./support/fixtures";

const entity = (column: ColumnSpec): EntitySpec => ({
  name: "E",
  source: { path: "e.csv", format: "csv" },
  columns: [{ name: "id", type: "int32" }, column],
});

const csvOf = (values: readonly string[]) =>
  "id,v\n" + values.map((v, i) => `${i},${v}`).join("\n") + "\n";

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** Microseconds since the epoch in UTC that an ISO 8601 text names (years 1-9999 included). */
function expectedMicros(text: string): bigint {
  const m = ISO.exec(text);
  if (!m) throw new Error(`the test's reader does not read ${text}`);
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = ""] = m;
  const day = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0-99 as 1900-1999.
  day.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  const offsetMinutes =
    m[9] === undefined ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] ?? 0));
  const ms =
    day.getTime() + ((Number(h) * 60 + Number(mi) - offsetMinutes) * 60 + Number(s)) * 1000;
  const micros = BigInt(frac.padEnd(7, "0").slice(0, 6));
  if (/[1-9]/.test(frac.slice(6))) throw new Error(`${text} has a digit past the microsecond`);
  return BigInt(ms) * 1000n + micros;
}

function expectedDay(text: string): string {
  const [y, mo, d] = text.slice(0, 10).split("-").map(Number);
  const day = new Date(0);
  day.setUTCFullYear(y, mo - 1, d);
  return day.toISOString();
}

const TIMESTAMPS = [
  "2024-01-31T13:45:00",
  "2024-01-31 13:45",
  "2024-01-31T23:59:59.999999",
  "2024-01-31T00:00:00.1234560",
  "0001-01-01T00:00:00",
  "0002-01-01T00:00:00",
  "9998-12-31T23:59:59.999999",
  "9999-12-31T23:59:59.999999",
  "2024-02-29T12:00:00",
  "2024-01-31T13:45:00Z",
  "2024-01-31T13:45:00+14:00",
  "2024-01-31T13:45:00-14:00",
  "2024-01-31T13:45:00+1400",
  "2024-01-31T13:45:00+13:59",
  "2024-01-31T13:45:00.5+05:30",
  "2024-01-31T13:45:00-0530",
  "2024-01-31T13:45:00+05",
  "0001-01-01T01:00:00+01:00",
  "9999-12-31T22:00:00-01:00",
];

const TIMESTAMP_MISFITS = [
  "2016-12-31T23:59:60",
  "2016-12-31T23:59:60Z",
  "2024-01-31T13:45:00.1234567",
  "2024-01-31T13:45:00.1234567+01:00",
  "2024-01-31T13:45:00+14:01",
  "2024-01-31T13:45:00-1401",
  "2024-01-31T13:45:00+15",
  "0000-12-31T23:59:59",
  "0001-01-01T00:00:00+00:01",
  "9999-12-31T23:59:59-00:01",
  "2023-02-29T00:00:00",
  "2024-01-31T13:61:00",
];

const DATES = ["2024-02-29", "0001-01-01", "0002-01-01", "9998-12-31", "9999-12-31"];
const MIDNIGHTS = ["2024-01-31T00:00:00", "2024-01-31 00:00:00.000000", "2024-01-31T00:00:00Z"];
const DATE_MISFITS = [
  "2024-01-31T00:00:01",
  "2024-01-31T00:00:00.000001",
  "2024-01-31T00:00:00+01:00",
  "2024-01-31T00:00:00-00:01",
  "2024-01-31 12:30",
  "2023-02-29",
  "0000-01-01",
];

describe("the writer's short way for common shapes lands what the full checks land", function () {
  this.timeout(60_000);
  after(removeTempDirs);

  for (const type of ["dateTime", "dateTimeOffset"] as const) {
    it(`${type}: both sides of each edge land as the test's own reader reads them`, async () => {
      const x = await exportSource({ "e.csv": csvOf(TIMESTAMPS) }, entity({ name: "v", type }));
      expect(x.rows.map((r) => r.v)).to.deep.equal(TIMESTAMPS.map(expectedMicros));
    });

    for (const value of TIMESTAMP_MISFITS) {
      it(`${type}: refuses ${value}, naming the row and the value`, async () => {
        const { error } = await runSource(
          { "e.csv": csvOf(["2024-01-31T13:45:00", value]) },
          entity({ name: "v", type }),
        );
        expect(error).to.contain(`line 3 (row 2), column "v": value ${JSON.stringify(value)}`);
      });
    }
  }

  it("date: plain dates at both ends of the range, and timestamps at midnight UTC", async () => {
    const values = [...DATES, ...MIDNIGHTS];
    const x = await exportSource({ "e.csv": csvOf(values) }, entity({ name: "v", type: "date" }));
    expect(x.rows.map((r) => (r.v as Date).toISOString())).to.deep.equal(values.map(expectedDay));
  });

  for (const value of DATE_MISFITS) {
    it(`date: refuses ${value}, naming the row and the value`, async () => {
      const { error } = await runSource(
        { "e.csv": csvOf(["2024-01-31", value]) },
        entity({ name: "v", type: "date" }),
      );
      expect(error).to.contain(`line 3 (row 2), column "v": value ${JSON.stringify(value)}`);
    });
  }

  it("guid: the canonical form is kept, every other form normalised to it, a non-GUID refused", async () => {
    const values = [
      "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff",
      "0BFC4568-A4BA-4C58-BD3E-5D3E76BD7FFF",
      "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fFf",
      "{0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff}",
      "0bfc4568a4ba4c58bd3e5d3e76bd7fff",
      "{0BFC4568A4BA4C58BD3E5D3E76BD7FFF}",
    ];
    const x = await exportSource({ "e.csv": csvOf(values) }, entity({ name: "v", type: "guid" }));
    // The test's reader: the 32 hex digits, lower case, grouped 8-4-4-4-12.
    const canonical = (t: string) =>
      t
        .replace(/[{}-]/g, "")
        .toLowerCase()
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
    expect(x.rows.map((r) => r.v)).to.deep.equal(values.map(canonical));
    for (const bad of [
      "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7ffg",
      "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7ff",
      // DuckDB's UUID cast skips hyphens wherever they are; README says only these forms land.
      "0-b-f-c4568a4ba4c58bd3e5d3e76bd7fff",
      "0bfc4568a4ba-4c58-bd3e-5d3e76bd7fff",
      "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff-",
      "{0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff",
    ]) {
      const { error } = await runSource(
        { "e.csv": csvOf(["0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff", bad]) },
        entity({ name: "v", type: "guid" }),
      );
      expect(error, bad).to.contain(`line 3 (row 2), column "v": value ${JSON.stringify(bad)}`);
    }
  });

  it("decimal: plain digits up to the scale land digit for digit; one digit past it is refused", async () => {
    const values = ["0", "-0.5", "+12.3", "1234567890123456.78", "7.", "-9999999999999999.99"];
    const x = await exportSource(
      { "e.csv": csvOf(values) },
      entity({ name: "v", type: "decimal", precision: 18, scale: 2 }),
      "csv",
    );
    // The CSV part keeps the decimal's text; the test's reader writes each value with two digits.
    const twoDigits = (t: string) => {
      const [whole, frac = ""] = t.replace(/^\+/, "").split(".");
      const sign = whole.startsWith("-") ? "-" : "";
      const digits = whole.replace("-", "");
      return `${sign}${digits}.${frac.padEnd(2, "0")}`;
    };
    expect(x.rows.map((r) => r.v)).to.deep.equal(values.map(twoDigits));
    for (const bad of ["1.239", "1.2301", "12345678901234567.0"]) {
      const { error } = await runSource(
        { "e.csv": csvOf(["1.00", bad]) },
        entity({ name: "v", type: "decimal", precision: 18, scale: 2 }),
      );
      expect(error, bad).to.contain(`line 3 (row 2), column "v": value ${JSON.stringify(bad)}`);
    }
  });
});
