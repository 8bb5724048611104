// Hostile review of the runner path (files on this machine): CSV, JSON Lines and Parquet sources with
// input meant to make a value land as something else. The first block holds the bugs it found that
// are fixed (each says the input, what landed and what is now asserted); the second, edge cases the
// product handles correctly that no other test covers. Expected values come from the test's own reading of
// the source text, never from the code under test; rows are read back by hyparquet (Parquet parts) or
// the tests' own RFC 4180 reader (CSV parts, where every digit of a decimal stays text). DuckDB only
// produces the Parquet fixtures.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { ColumnSpec, EntitySpec, SourceSpec } from "../../src/spec/types";
import { DuckSession } from "../../src/engine/writer/duckdbSession";
import { exportSource, runSource } from "../engine/support/exportSource";
import { removeTempDirs, tempDir } from "../engine/support/fixtures";

const strings = (...names: string[]): ColumnSpec[] =>
  names.map((name) => ({ name, type: "string" }));

const csv = (columns: ColumnSpec[] | undefined, source: Partial<SourceSpec> = {}): EntitySpec => ({
  name: "E",
  source: { path: "e.csv", format: "csv", ...source },
  columns,
});

const parquet = (columns: ColumnSpec[] | undefined, file = "e.parquet"): EntitySpec => ({
  name: "E",
  source: { path: file, format: "parquet" },
  columns,
});

/** Parquet files written by DuckDB from SELECTs (the fixtures' producer only, never the reader). */
async function parquetFiles(selects: Record<string, string>): Promise<Record<string, Buffer>> {
  const dir = await tempDir("hostile-parquet");
  const session = await DuckSession.open({ threads: 1 });
  const out: Record<string, Buffer> = {};
  try {
    for (const [name, select] of Object.entries(selects)) {
      const file = path.join(dir, name.replace(/\//g, "_"));
      await session.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
      out[name] = await fs.readFile(file);
    }
  } finally {
    session.close();
  }
  return out;
}

/** Every occurrence of one byte string replaced by another of the same length (Thrift names). */
function patchBytes(b: Buffer, from: string, to: string): Buffer {
  expect(from.length).to.equal(to.length);
  const out = Buffer.from(b);
  const f = Buffer.from(from);
  let found = 0;
  for (let i = out.indexOf(f); i >= 0; i = out.indexOf(f, i + 1)) {
    Buffer.from(to).copy(out, i);
    found++;
  }
  expect(found, `"${from}" is in the file`).to.be.greaterThan(0);
  return out;
}

/** The entity must fail with `text` in its error; an export fails the test showing what landed. */
function expectFailure(r: Awaited<ReturnType<typeof runSource>>, text: string | RegExp): void {
  if (r.error === undefined) {
    const landed = JSON.stringify(r.exported!.rows, (_, v: unknown) =>
      typeof v === "bigint" ? `${v}n` : v,
    );
    expect.fail(`exported instead of failing; landed ${landed}`);
  }
  if (typeof text === "string") expect(r.error).to.contain(text);
  else expect(r.error).to.match(text);
}

describe("review: hostile input on the runner path", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  describe("found by the review, now exact or refused", () => {
    // Input: `0.000000000000000012345e16` (= 1.2345) into a decimal(18,4), and the same with 35 zeros
    // and e36 into a decimal(38,4); the scale check passes (4 digits after the point once the exponent
    // is applied). Landed: 1.2300 — DuckDB's DECIMAL cast keeps only as many mantissa digits after the
    // point as the storage width (18 / 38) before applying the exponent, dropping 45 silently. Must land
    // 1.2345 (a double reads it so) or fail naming the value. The same text in a JSON string lands 1.2300.
    it("decimal: text with an exponent and more fraction digits than the precision fails (it landed truncated, 1.2345 → 1.2300)", async () => {
      const v18 = `0.${"0".repeat(15)}12345e16`;
      const v38 = `0.${"0".repeat(35)}12345e36`;
      expect(Number(v18)).to.equal(1.2345);
      expect(Number(v38)).to.equal(1.2345);
      // Refused rather than truncated: DuckDB's cast reads at most `precision` digits after the point.
      for (const [v, precision] of [
        [v18, 18],
        [v38, 38],
      ] as const) {
        const r = await runSource(
          { "e.csv": `a\n${v}\n` },
          csv([{ name: "a", type: "decimal", precision, scale: 4 }]),
        );
        expectFailure(r, `e.csv line 2 (row 1), column "a": value "${v}"`);
      }
    });

    // Input: Parquet INT32 2 and DOUBLE 0.5 into declared boolean columns. Landed: true, true (a plain
    // CAST: any non-zero number is true). README: a boolean is true/false, t/f, yes/no, 1/0; anything
    // else fails (CSV's `2` does fail). Must fail naming the row and the value.
    it("Parquet: a number other than 0/1 in a boolean column fails (INT32 2, DOUBLE 0.5 landed true)", async () => {
      const files = await parquetFiles({
        "e.parquet": "SELECT 2::INTEGER AS i, 0.5::DOUBLE AS d",
      });
      const r = await runSource(
        files,
        parquet([
          { name: "i", type: "boolean" },
          { name: "d", type: "boolean" },
        ]),
      );
      expectFailure(r, 'e.parquet row 1, column "i": value "2"');
    });

    // Input: a Parquet BYTE_ARRAY column without the UTF8/STRING annotation (what Impala and older
    // parquet-mr write for strings) holding the bytes of "café". DuckDB reads it as BLOB and the string
    // cast writes its escape form. Landed (declared string or inferred): the 10 characters
    // `caf\xC3\xA9`. Must land "café" (the bytes are UTF-8) or fail saying the column is binary.
    it("Parquet: a binary column holding UTF-8 lands as its text (it landed as DuckDB's escapes, café → caf\\xC3\\xA9)", async () => {
      const files = await parquetFiles({ "e.parquet": "SELECT encode('café') AS s" });
      for (const columns of [strings("s"), undefined]) {
        const r = await runSource(files, parquet(columns));
        if (r.error === undefined) {
          expect(r.exported!.rows.map((row) => row.s)).to.deep.equal(["café"]);
        } else expect(r.error).to.contain("e.parquet");
      }
    });

    // Input: a Parquet TIMESTAMP_NS 2024-01-01 00:00:00.000000001 into a date column. Landed:
    // 2024-01-01 (the nanosecond after midnight dropped). The same value into a dateTime is refused
    // ("at most 6 fractional digits"), and README says a time of day in a date fails: so must this.
    it("Parquet: a nanosecond past midnight in a TIMESTAMP_NS fails in a date column (it landed as that day)", async () => {
      const files = await parquetFiles({
        "e.parquet": "SELECT TIMESTAMP_NS '2024-01-01 00:00:00.000000001' AS t",
      });
      const r = await runSource(files, parquet([{ name: "t", type: "date" }]));
      expectFailure(r, 'e.parquet row 1, column "t"');
    });

    // Input: a Parquet file with two columns named `qqqq` (1) and `QQQQ` (2), as pyarrow writes.
    // DuckDB renames the second `QQQQ_1`. Landed: a declared column `QQQQ` took the value 1 of `qqqq`
    // (the case-insensitive fallback of bindColumns), and an inferred entity got a column `QQQQ_1`
    // with no sourceColumn. CSV headers and JSON keys equal ignoring case are refused; this must be
    // too (or `QQQQ` must land 2).
    it("Parquet: columns equal ignoring case are refused (a declared QQQQ landed qqqq's values)", async () => {
      const base = await parquetFiles({ "e.parquet": "SELECT 1 AS qqqq, 2 AS zzzz" });
      const files = { "e.parquet": patchBytes(base["e.parquet"], "zzzz", "QQQQ") };
      const declared = await runSource(files, parquet([{ name: "QQQQ", type: "int32" }]));
      if (declared.error === undefined) {
        expect(declared.exported!.rows.map((row) => row.QQQQ)).to.deep.equal([2]);
      } else expect(declared.error).to.match(/qqqq.*QQQQ|QQQQ.*qqqq/);
      const inferred = await runSource(files, parquet(undefined));
      expectFailure(inferred, /qqqq.*QQQQ/);
    });

    // Input: d/a.parquet with `a` BIGINT 1 and d/b.parquet with `a` DOUBLE 1.5, one entity `d/*.parquet`.
    // DuckDB reads every file with the first file's schema and casts: 1.5 becomes 2. Landed: [1, 2]
    // (declared int64 and inferred alike); with b.parquet first, the same files fail ("1.5 is not an
    // int64"). Must fail naming b.parquet, whatever the order.
    it("Parquet glob: a later file's DOUBLE beside the first file's BIGINT fails (1.5 landed as 2)", async () => {
      const files = await parquetFiles({
        "d/a.parquet": "SELECT 1::BIGINT AS a",
        "d/b.parquet": "SELECT 1.5::DOUBLE AS a",
      });
      for (const columns of [[{ name: "a", type: "int64" } as ColumnSpec], undefined]) {
        const r = await runSource(files, parquet(columns, "d/*.parquet"));
        if (r.error === undefined) {
          expect(r.exported!.rows.map((row) => Number(row.a))).to.deep.equal([1, 1.5]);
        } else expect(r.error).to.contain("b.parquet");
      }
    });

    // Input: d/a.parquet `a` DECIMAL(18,2) 1.23, d/b.parquet `a` DECIMAL(18,4) 1.2345, declared
    // decimal(18,4). Landed: 1.2300 and 1.2300 — b's value rounded to a's scale by the reader before
    // the scale check sees it. Must land 1.2345 or fail naming b.parquet.
    it("Parquet glob: a later file's DECIMAL(18,4) beside the first file's (18,2) fails (1.2345 landed as 1.2300)", async () => {
      const files = await parquetFiles({
        "d/a.parquet": "SELECT 1.23::DECIMAL(18,2) AS a",
        "d/b.parquet": "SELECT 1.2345::DECIMAL(18,4) AS a",
      });
      const r = await runSource(
        files,
        parquet([{ name: "a", type: "decimal", precision: 18, scale: 4 }], "d/*.parquet"),
        "csv",
      );
      if (r.error === undefined) {
        expect(r.exported!.rows.map((row) => row.a)).to.deep.equal(["1.2300", "1.2345"]);
      } else expect(r.error).to.contain("b.parquet");
    });

    // Input: inferred columns over d/a.parquet (`a`) and d/b.parquet (`a`, `c` = "extra"). Landed: one
    // column `a`; b's column `c` silently dropped (with b first the run fails: "column c ... could not
    // be found"). A CSV glob whose headers differ fails; this must fail too, or export `c`.
    it("Parquet glob, inferred: a column only a later file has fails the entity (it was dropped)", async () => {
      const files = await parquetFiles({
        "d/a.parquet": "SELECT 1::BIGINT AS a",
        "d/b.parquet": "SELECT 2::BIGINT AS a, 'extra' AS c",
      });
      const r = await runSource(files, parquet(undefined, "d/*.parquet"));
      if (r.error === undefined) {
        expect(r.exported!.manifest.columns.map((c) => c.name)).to.deep.equal(["a", "c"]);
      } else expect(r.error).to.contain("b.parquet");
    });

    // Input: a Latin-1 CSV whose only non-ASCII byte is in the header (`id,Stra\xDFe`), columns inferred.
    // Landed: a column `Stra_e` whose sourceColumn is "Stra\uFFFDe" (the header decoded with
    // replacement characters), a name the file does not have. A data row with such a byte fails ("not
    // utf-8 encoded"), and UTF-16 is refused with a fix; the header must be refused the same way.
    it("CSV: a header that is not UTF-8 is refused (it became a column named with U+FFFD)", async () => {
      const latin1 = Buffer.concat([
        Buffer.from("id,Stra"),
        Buffer.from([0xdf]),
        Buffer.from("e\n1,2\n"),
      ]);
      const r = await runSource({ "e.csv": latin1 }, csv(undefined));
      expectFailure(r, /UTF-8|utf-8/);
    });
  });

  describe("edge cases handled correctly", () => {
    it("CSV: lone CR line endings, and a lone CR or CRLF inside a quoted field of an LF file", async () => {
      const cr = await exportSource({ "e.csv": "id,b\r1,x\r2,y\r" }, csv(strings("id", "b")));
      expect(cr.rows).to.deep.equal([
        { id: "1", b: "x" },
        { id: "2", b: "y" },
      ]);
      const inside = await exportSource(
        { "e.csv": 'id,b\n1,"x\ry"\n2,"p\r\nq"\n' },
        csv(strings("id", "b")),
      );
      expect(inside.rows.map((r) => r.b)).to.deep.equal(["x\ry", "p\r\nq"]);
    });

    it("CSV: a lone CR inside an unquoted field fails instead of splitting the row", async () => {
      const r = await runSource({ "e.csv": "id,b\n1,x\ry\n2,z\n" }, csv(strings("id", "b")));
      expect(r.error).to.match(/^entity "E": e\.csv/);
    });

    it("CSV: a NUL byte, a quote inside an unquoted field and a lone blank land as written", async () => {
      const x = await exportSource(
        { "e.csv": 'id,b\n1,x\u0000y\n2,x"y\n3, \n4, x\n' },
        csv(strings("id", "b")),
      );
      expect(x.rows.map((r) => r.b)).to.deep.equal(["x\u0000y", 'x"y', " ", " x"]);
    });

    it("CSV: text after a closing quote fails naming the line", async () => {
      const r = await runSource({ "e.csv": 'id,b\n1,ok\n2,"x"y\n' }, csv(strings("id", "b")));
      expect(r.error).to.contain("e.csv line 3");
    });

    it("CSV: a byte-order mark is not part of the first value of a file without a header", async () => {
      const x = await exportSource(
        { "e.csv": "\ufeffabc,1\n" },
        csv(strings("a", "b"), { header: false }),
      );
      expect(x.rows).to.deep.equal([{ a: "abc", b: "1" }]);
    });

    it("CSV: a one-column file keeps an empty line as a NULL row, as RFC 4180 reads it", async () => {
      const x = await exportSource({ "e.csv": "a\n1\n\n2\n" }, csv(strings("a")));
      expect(x.rows.map((r) => r.a)).to.deep.equal(["1", null, "2"]);
    });

    it("CSV: a last row with a field too few and no newline fails naming its line", async () => {
      const r = await runSource({ "e.csv": "a,b\n1,2\n3" }, csv(strings("a", "b")));
      expect(r.error).to.contain("e.csv line 3");
    });

    it("CSV: invalid UTF-8 in a value fails naming the line", async () => {
      const bytes = Buffer.concat([
        Buffer.from("a,b\n1,x"),
        Buffer.from([0xff]),
        Buffer.from("y\n"),
      ]);
      const r = await runSource({ "e.csv": bytes }, csv(strings("a", "b")));
      expect(r.error).to.contain("e.csv line 2");
      expect(r.error).to.contain("not utf-8");
    });

    it("boolean: blanks around a value fail (the reader parses booleans itself); on/off fail", async () => {
      for (const v of [" true", "1 ", "on", "off"]) {
        const r = await runSource(
          { "e.csv": `id,b\n1,${v}\n` },
          csv([
            { name: "id", type: "int32" },
            { name: "b", type: "boolean" },
          ]),
        );
        expect(r.error, v).to.contain(`value ${JSON.stringify(v)} is not a boolean`);
      }
    });

    it("int: digits of other scripts (Arabic-Indic, full-width) fail, as do exponents of ±1000 in a decimal", async () => {
      for (const [v, type] of [
        ["١٢", "int32"],
        ["５", "int64"],
        ["1e-1000", "decimal"],
        ["1e1000", "decimal"],
        ["１.２", "decimal"],
      ] as const) {
        const column: ColumnSpec =
          type === "decimal" ? { name: "a", type, precision: 18, scale: 2 } : { name: "a", type };
        const r = await runSource({ "e.csv": `a\n${v}\n` }, csv([column]));
        expect(r.error, v).to.contain(`value ${JSON.stringify(v)}`);
      }
    });

    it("double: the largest double lands, one past it and 1e309 fail; -0 and the smallest denormal land", async () => {
      const x = await exportSource(
        { "e.csv": "a\n1.7976931348623157e308\n4.9e-324\n-0\n" },
        csv([{ name: "a", type: "double" }]),
      );
      expect(x.rows.map((r) => r.a)).to.deep.equal([Number.MAX_VALUE, 5e-324, -0]);
      expect(Object.is(x.rows[2].a, -0)).to.equal(true);
      for (const v of ["1.7976931348623159e308", "1e309"]) {
        const r = await runSource({ "e.csv": `a\n${v}\n` }, csv([{ name: "a", type: "double" }]));
        expect(r.error, v).to.contain("is not a finite double");
      }
    });

    it("double: a number below the smallest double fails (1e-400 landed as 0); zeros in any spelling land as 0", async () => {
      const x = await exportSource(
        { "e.csv": "a\n0e5\n0.000\n-0.0e-400\n" },
        csv([{ name: "a", type: "double" }]),
      );
      expect(x.rows.map((r) => r.a)).to.deep.equal([0, 0, -0]);
      for (const v of ["1e-400", "2e-324", "-0.0001e-320"]) {
        const r = await runSource({ "e.csv": `a\n${v}\n` }, csv([{ name: "a", type: "double" }]));
        expect(r.error, v).to.contain(`value ${JSON.stringify(v)}`);
        expect(r.error, v).to.contain("is not a finite double");
      }
    });

    it("dateTimeOffset: a leap second, 7 digits at 9999-12-31 and an offset of -14:30:00 fail", async () => {
      for (const v of [
        "2024-12-31 23:59:60",
        "9999-12-31 23:59:59.9999999",
        "0001-01-01 00:00:00+01",
        "2024-01-01 12:00:00-14:30:00",
      ]) {
        const r = await runSource(
          { "e.csv": `a\n${v}\n` },
          csv([{ name: "a", type: "dateTimeOffset" }]),
        );
        expect(r.error, v).to.contain(`value ${JSON.stringify(v)}`);
      }
    });

    it("date: a time at midnight in another offset fails (it is another UTC day); 29 Feb of a leap year lands", async () => {
      const r = await runSource(
        { "e.csv": "a\n2024-01-01T00:00:00-00:30\n" },
        csv([{ name: "a", type: "date" }]),
      );
      expect(r.error).to.contain('value "2024-01-01T00:00:00-00:30"');
      const bad = await runSource(
        { "e.csv": "a\n2023-02-29\n" },
        csv([{ name: "a", type: "date" }]),
      );
      expect(bad.error).to.contain('value "2023-02-29"');
      const x = await exportSource(
        { "e.csv": "a\n2024-02-29\n" },
        csv([{ name: "a", type: "date" }]),
        "csv",
      );
      expect(x.rows).to.deep.equal([{ a: "2024-02-29" }]);
    });

    it("string maxLength counts code points: an emoji (a surrogate pair in JS) is one, e + combining acute two", async () => {
      const x = await exportSource(
        { "e.csv": "a\n😀\n" },
        csv([{ name: "a", type: "string", maxLength: 1 }]),
      );
      expect(x.rows).to.deep.equal([{ a: "😀" }]);
      const r = await runSource(
        { "e.csv": "a\ne\u0301\n" },
        csv([{ name: "a", type: "string", maxLength: 1 }]),
      );
      expect(r.error).to.contain("is longer than its maxLength of 1 characters (it has 2)");
    });

    it("JSON Lines: an escaped NUL and a surrogate pair land exactly; a lone surrogate fails naming the line", async () => {
      const entity = (columns: ColumnSpec[]): EntitySpec => ({
        name: "E",
        source: { path: "e.jsonl", format: "jsonl" },
        columns,
      });
      const x = await exportSource(
        { "e.jsonl": '{"a":"\\u0000\\ud83d\\ude00\\t\\"\\\\"}\n' },
        entity(strings("a")),
      );
      expect(x.rows).to.deep.equal([{ a: '\u0000😀\t"\\' }]);
      const r = await runSource({ "e.jsonl": '{"a":"\\ud800x"}\n' }, entity(strings("a")));
      expect(r.error).to.contain("e.jsonl line 1");
    });

    it("JSON Lines: 2^53+1 lands exactly in an int64 and in a string; true in an int64 fails", async () => {
      const entity = (columns: ColumnSpec[]): EntitySpec => ({
        name: "E",
        source: { path: "e.jsonl", format: "jsonl" },
        columns,
      });
      const x = await exportSource(
        { "e.jsonl": '{"a":9007199254740993,"b":9007199254740993}\n' },
        entity([{ name: "a", type: "int64" }, ...strings("b")]),
        "csv",
      );
      expect(x.rows).to.deep.equal([{ a: "9007199254740993", b: "9007199254740993" }]);
      const r = await runSource(
        { "e.jsonl": '{"a":true}\n' },
        entity([{ name: "a", type: "int64" }]),
      );
      expect(r.error).to.contain('value "true" is not an int64');
    });

    it("Parquet: a DOUBLE 1e20 into an int64 and a TIMESTAMPTZ at 23:30 into a date fail; a TIME into a dateTime fails", async () => {
      const files = await parquetFiles({
        "e.parquet":
          "SELECT 1e20::DOUBLE AS d, TIMESTAMPTZ '2024-01-01 23:30:00+00' AS t, TIME '12:00:00' AS h",
      });
      for (const column of [
        { name: "d", type: "int64" },
        { name: "t", type: "date" },
        { name: "h", type: "dateTime" },
      ] as ColumnSpec[]) {
        const r = await runSource(files, parquet([column]));
        expect(r.error, column.name).to.contain(`e.parquet row 1, column "${column.name}"`);
      }
    });

    it("Parquet glob: files with the same columns in another order are bound by name", async () => {
      const files = await parquetFiles({
        "d/a.parquet": "SELECT 1::BIGINT AS a, 'x' AS b",
        "d/b.parquet": "SELECT 'z' AS b, 7::BIGINT AS a",
      });
      const x = await exportSource(
        files,
        parquet([{ name: "a", type: "int64" }, ...strings("b")], "d/*.parquet"),
      );
      // Row order across a glob's files is DuckDB's (threads read files in parallel): not promised.
      const byA = [...x.rows].sort((p, q) => Number(p.a) - Number(q.a));
      expect(byA).to.deep.equal([
        { a: 1n, b: "x" },
        { a: 7n, b: "z" },
      ]);
    });
  });
});
