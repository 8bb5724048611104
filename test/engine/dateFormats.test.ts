// Date and time formats: `format` on date, dateTime and dateTimeOffset columns is a strptime
// pattern applied strictly (https://duckdb.org/docs/sql/functions/dateformat), so `Jan 1 2000` in a
// stocks file lands as the date it says, and a value that does not match fails with the pattern and
// the value. The expected instants are computed here with Date.UTC from the source text.

import { expect } from "chai";
import type { ColumnSpec, EntitySpec } from "../../src/spec/types";
import { parseSpecText } from "../../src/spec/validate";
import { exportSource, runSource } from "./support/exportSource";
import { removeTempDirs } from "./support/fixtures";
import { flowSpecYaml } from "../helpers/specs";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const entity = (columns: ColumnSpec[]): EntitySpec => ({
  name: "E",
  source: { path: "e.csv", format: "csv" },
  columns: [{ name: "id", type: "int32" }, ...columns],
});

describe("date and time formats", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it("reads `Jan 1 2000` with %b %d %Y, and a slashed timestamp with its pattern", async () => {
    const days = ["Jan 1 2000", "Dec 31 1999", "Feb 29 2024"];
    const stamps = ["2000/01/31 13:45:00", "1999/12/31 23:59:59", "2024/02/29 00:00:01"];
    const csv = "id,day,at\n" + days.map((d, i) => `${i},"${d}",${stamps[i]}`).join("\n") + "\n";
    const x = await exportSource(
      { "e.csv": csv },
      entity([
        { name: "day", type: "date", format: "%b %d %Y" },
        { name: "at", type: "dateTime", format: "%Y/%m/%d %H:%M:%S" },
      ]),
    );
    const expectedDays = days.map((d) => {
      const [mon, day, year] = d.split(" ");
      return new Date(Date.UTC(Number(year), MONTHS.indexOf(mon), Number(day))).toISOString();
    });
    const expectedStamps = stamps.map((s) => {
      const [y, mo, d, h, mi, se] = s.split(/[/ :]/).map(Number);
      return BigInt(Date.UTC(y, mo - 1, d, h, mi, se)) * 1000n;
    });
    expect(x.rows.map((r) => (r.day as Date).toISOString())).to.deep.equal(expectedDays);
    expect(x.rows.map((r) => r.at)).to.deep.equal(expectedStamps);
  });

  it("applies the offset a %z pattern reads, to UTC", async () => {
    const x = await exportSource(
      { "e.csv": "id,at\n1,31.01.2024 13:45 +0100\n" },
      entity([{ name: "at", type: "dateTimeOffset", format: "%d.%m.%Y %H:%M %z" }]),
    );
    expect(x.rows[0].at).to.equal(BigInt(Date.UTC(2024, 0, 31, 12, 45)) * 1000n);
  });

  it("fails an offset past ±14:00 that a %z pattern reads, never applies it; keeps ±14:00 itself", async () => {
    // strptime's %z takes any two-digit hour: +9900 landed 99 hours earlier.
    for (const [value, type] of [
      ["202401311345+9900", "dateTimeOffset"],
      ["202401311345-1401", "dateTimeOffset"],
      ["202401311345+15:00", "dateTime"],
    ] as const) {
      const { error } = await runSource(
        { "e.csv": `id,at\n1,202401311345+0100\n2,${value}\n` },
        entity([{ name: "at", type, format: "%Y%m%d%H%M%z" }]),
      );
      expect(error, value).to.contain(`line 3 (row 2), column "at": value "${value}"`);
      expect(error, value).to.contain("its offset from -14:00 to +14:00");
    }
    const x = await exportSource(
      { "e.csv": "id,at\n1,202401311345+1400\n2,202401311345-14:00\n" },
      entity([{ name: "at", type: "dateTimeOffset", format: "%Y%m%d%H%M%z" }]),
    );
    expect(x.rows.map((r) => r.at)).to.deep.equal([
      BigInt(Date.UTC(2024, 0, 30, 23, 45)) * 1000n,
      BigInt(Date.UTC(2024, 1, 1, 3, 45)) * 1000n,
    ]);
  });

  it("refuses %z anywhere but at the end of a format, where its offset is checked", () => {
    const yaml = flowSpecYaml(
      "{ name: E, source: e.csv, columns: [ { name: n, type: dateTimeOffset, format: '%z %Y%m%d' } ] }",
    );
    const issues = parseSpecText(yaml, "/tmp").issues;
    expect(issues.map((i) => i.path)).to.deep.equal(["export.entities[0].columns[0].format"]);
    expect(issues[0].message).to.contain("put %z last");
  });

  it("fails a value that does not match, with the pattern and the value", async () => {
    const { error } = await runSource(
      { "e.csv": 'id,day\n1,"Jan 1 2000"\n2,2000-01-02\n' },
      entity([{ name: "day", type: "date", format: "%b %d %Y" }]),
    );
    expect(error).to.contain(
      'e.csv line 3 (row 2), column "day": value "2000-01-02" does not match the format "%b %d %Y" of a date',
    );
  });

  it("fails a date whose pattern reads a time of day that is not midnight (never dropped)", async () => {
    const { error } = await runSource(
      { "e.csv": "id,day\n1,2000-01-01 00:00\n2,2000-01-01 10:30\n" },
      entity([{ name: "day", type: "date", format: "%Y-%m-%d %H:%M" }]),
    );
    expect(error).to.contain('line 3 (row 2), column "day": value "2000-01-01 10:30"');
  });

  it("fails nanoseconds (%n) with a digit past the microsecond, never dropped; keeps zeros there", async () => {
    const { error } = await runSource(
      { "e.csv": "id,at\n1,20240131 134500.123456000\n2,20240131 134500.123456789\n" },
      entity([{ name: "at", type: "dateTime", format: "%Y%m%d %H%M%S.%n" }]),
    );
    expect(error).to.contain('line 3 (row 2), column "at": value "20240131 134500.123456789"');
    const x = await exportSource(
      { "e.csv": "id,at\n1,20240131 134500.123456000\n" },
      entity([{ name: "at", type: "dateTime", format: "%Y%m%d %H%M%S.%n" }]),
    );
    expect(x.rows[0].at).to.equal(BigInt(Date.UTC(2024, 0, 31, 13, 45)) * 1000n + 123456n);
  });

  it("refuses %n with %z in a format: strptime rounds those nanoseconds", () => {
    const yaml = flowSpecYaml(
      "{ name: E, source: e.csv, columns: [ { name: n, type: dateTimeOffset, format: '%Y%m%d %H%M%S.%n %z' } ] }",
    );
    expect(parseSpecText(yaml, "/tmp").issues.map((i) => i.path)).to.deep.equal([
      "export.entities[0].columns[0].format",
    ]);
  });

  it("refuses format on a column that is not a date or time", () => {
    const yaml = flowSpecYaml(
      "{ name: E, source: e.csv, columns: [ { name: n, type: int32, format: '%d' } ] }",
    );
    expect(parseSpecText(yaml, "/tmp").issues).to.deep.equal([
      {
        path: "export.entities[0].columns[0].format",
        message: "applies to types date, dateTime, dateTimeOffset only",
      },
    ]);
  });
});
