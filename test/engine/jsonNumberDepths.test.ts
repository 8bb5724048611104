// A JSON key at two depths of one record (`{"a": 1.50, "b": {"a": 1.5}}`), or written twice in one
// object: the value that lands is the top-level one, exactly as written, or the entity fails naming
// the record, the column and both spellings. Expected values are the records' own text, cut out by
// hand here (each record is written so that the test knows which text is the top-level value), or
// JSON.parse / JSON.stringify of it: never the engine's reading of it.

import { expect } from "chai";
import type { ColumnSpec, EntitySpec, SourceFormat } from "../../src/spec/types";
import { DuckSession } from "../../src/engine/writer/duckdbSession";
import { errorText } from "../helpers/errorText";
import { exportSource, runSource } from "./support/exportSource";
import { removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

const entity = (format: SourceFormat, columns: ColumnSpec[]): EntitySpec => ({
  name: "E",
  source: { path: format === "json" ? "e.json" : "e.jsonl", format },
  columns,
});

const stringA: ColumnSpec[] = [
  { name: "id", type: "int64" },
  { name: "a", type: "string" },
];

async function failure(text: string, format: SourceFormat, columns: ColumnSpec[]) {
  const file = format === "json" ? "e.json" : "e.jsonl";
  const r = await runSource({ [file]: text }, entity(format, columns));
  return errorText({ error: r.error });
}

describe("JSON numbers: one key at two depths, or twice in one object", function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it("fails a top-level number respelt even when a nested key of the same name spells it as it lands (was exported as 1.5)", async () => {
    // Each: the record, and the top-level value of "a" as the record writes it.
    const cases: [string, string][] = [
      ['{"id": 1, "a": 1.50, "b": {"a": 1.5}}', "1.50"],
      ['{"id": 1, "b": {"a": 1.5}, "a": 1.50}', "1.50"],
      ['{"id": 1, "a": 1.50, "list": [{"a": 1.5}, {"a": 2}]}', "1.50"],
      ['{"id": 1, "\\u0061": 1.50, "b": {"a": 1.5}}', "1.50"],
      ['{"id": 1, "a": 1e2, "b": {"\\u0061": 100.0}}', "1e2"],
      ['{"id": 1, "a": -0, "b": {"a": 0}}', "-0"],
      ['{"id": 1, "a" :\t1.50 , "b": {"a"\t: 1.5}}', "1.50"],
    ];
    for (const [record, written] of cases) {
      const error = await failure(`{"id": 0, "a": "x"}\n${record}\n`, "jsonl", stringA);
      expect(error, record).to.contain(
        `e.jsonl record 2, column "a": the number ${written} would land in this string column as`,
      );
    }
    // Inferred columns (a string, as "a" holds a string and a number): the same check, after inference.
    const inferred = await runSource(
      { "e.jsonl": '{"id": 0, "a": "x"}\n{"id": 1, "a": 1.50, "b": {"a": 1.5}}\n' },
      { name: "E", source: { path: "e.jsonl", format: "jsonl" } },
    );
    expect(errorText({ error: inferred.error })).to.contain(
      'e.jsonl record 2, column "a": the number 1.50 would land in this string column as "1.5"',
    );
    const arrayForm = await failure('[{"id": 1, "a": 2.50, "b": [{"a": 2.5}]}]', "json", stringA);
    expect(arrayForm).to.contain('e.json element 1 of the array, column "a": the number 2.50');
  });

  it("lands the top-level number as written when only a nested key of the same name is respelt", async () => {
    const records = [
      '{"id": 1, "a": 1.5, "b": {"a": 1.50}}',
      '{"id": 2, "b": [{"a": 1e2}], "a": 7}',
      '{"id": 3, "a": "text", "b": {"a": 2.50}}',
      '{"id": 4, "b": {"a": 2.50}}',
      '{"id": 5, "a" : 2.5, "b": {"a" : 2.50}}',
    ];
    const x = await exportSource(
      { "e.jsonl": `${records.join("\n")}\n` },
      entity("jsonl", stringA),
    );
    // The top-level "a" of each record, by hand: 1.5, 7, text, absent, 2.5.
    expect(x.rows.map((r) => r.a)).to.deep.equal(["1.5", "7", "text", null, "2.5"]);
  });

  it("fails a number inside an object or array that a string column receives, when it would be respelt", async () => {
    const cases: [string, string][] = [
      ['{"id": 1, "a": {"a": 1.50}}', "1.50"],
      ['{"id": 1, "a": [{"x": 1}, {"x": 1E+2}]}', "1E+2"],
      ['{"id": 1, "a": {"x": 1.50, "x": 2}}', "1.50"],
    ];
    for (const [record, written] of cases) {
      const error = await failure(`${record}\n`, "jsonl", stringA);
      expect(error, record).to.contain(
        `e.jsonl record 1, column "a": the number ${written} in its value would land in this string column as`,
      );
    }
    // Numbers DuckDB keeps as written: the value lands as JSON text, equal to JSON's own of the record.
    const kept = '{"id": 1, "a": {"x": 1.5, "y": [1, -2, 12345678901234567890123], "s": "1.50"}}';
    const x = await exportSource({ "e.jsonl": `${kept}\n` }, entity("jsonl", stringA));
    // JSON.stringify cannot hold 12345678901234567890123 as written; the text is cut out by hand.
    expect(x.rows[0].a).to.equal('{"x":1.5,"y":[1,-2,12345678901234567890123],"s":"1.50"}');
  });

  it("a decimal is judged by its top-level number, not by a nested key of the same name (was refused)", async () => {
    const columns: ColumnSpec[] = [
      { name: "id", type: "int64" },
      { name: "amount", type: "decimal", precision: 18, scale: 2 },
    ];
    const records = [
      '{"id": 1, "amount": 1.5, "meta": {"amount": 1234567890123456.78}}',
      '{"id": 2, "meta": {"amount": 1234567890123456.78}}',
    ];
    const x = await exportSource(
      { "e.jsonl": `${records.join("\n")}\n` },
      entity("jsonl", columns),
      "csv",
    );
    expect(x.rows.map((r) => r.amount)).to.deep.equal(["1.50", null]);
    const error = await failure(
      '{"id": 1, "meta": {"amount": 1.5}, "amount": 1234567890123456.78}\n',
      "jsonl",
      columns,
    );
    expect(error).to.contain(
      'e.jsonl record 1, column "amount": the number 1234567890123456.78 has more digits',
    );
  });

  it("DuckDB's reader fails on a duplicated key it reads, and silently takes one it does not: the basis of the rule below", async () => {
    const dir = await tempDir("dupkeys");
    await writeFiles(dir, { "d.jsonl": '{"a": 1.50, "a": 2, "b": 1}\n' });
    const session = await DuckSession.open({ threads: 1 });
    try {
      const read = (cols: string) =>
        session.query(
          `SELECT * FROM read_json('${dir}/d.jsonl', format='newline_delimited', records=true, columns={${cols}})`,
        );
      let refused = "";
      await read("'a': 'VARCHAR'").catch((e: Error) => (refused = e.message));
      expect(refused).to.contain('duplicate key "a"');
      expect(await read("'b': 'VARCHAR'")).to.deep.equal([{ b: "1" }]);
    } finally {
      session.close();
    }
  });

  it("refuses a record with a key twice in one object (written alike or with escapes), naming it, whether or not it is a column", async () => {
    const cases: [string, ColumnSpec[]][] = [
      ['{"id": 1, "a": 1.50, "a": 1.5}', stringA],
      ['{"id": 1, "a": "x", "\\u0061": "y"}', stringA],
      ['{"id": 1, "a": "x", "z": 1, "z": 2}', stringA],
    ];
    for (const [record, columns] of cases) {
      const error = await failure(`{"id": 0, "a": "w"}\n${record}\n`, "jsonl", columns);
      const key = record.includes('"z"') ? "z" : "a";
      expect(error, record).to.contain(`e.jsonl record 2 has the key "${key}" twice`);
    }
    const inferred = await runSource(
      { "e.json": '[{"a": 1}, {"b": 1, "b": 2}]' },
      { name: "E", source: { path: "e.json", format: "json" } },
    );
    expect(errorText({ error: inferred.error })).to.contain(
      'e.json element 2 of the array has the key "b" twice',
    );
  });
});
