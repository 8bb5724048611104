// JSON Lines and JSON array sources: every key of every record is seen, keys are matched exactly,
// and names DuckDB would confuse (`a` and `A`, an empty key) fail the entity with both names instead
// of becoming an all-NULL column. Expected values come from JSON.parse of the same text.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import type { ColumnSpec, EntitySpec, SourceFormat } from "../../src/spec/types";
import { parseSpecText } from "../../src/spec/validate";
import { exportSource, runSource } from "./support/exportSource";
import { removeTempDirs } from "./support/fixtures";
import { flowSpecYaml } from "../helpers/specs";

const entity = (format: SourceFormat, columns?: ColumnSpec[]): EntitySpec => ({
  name: "E",
  source: { path: format === "json" ? "e.json" : "e.jsonl", format },
  columns,
});

describe("JSON Lines: exact keys", function () {
  this.timeout(60_000);
  after(removeTempDirs);

  it("infers a key first seen after DuckDB's sample (row 25,000 of 30,000), values intact", async () => {
    const records: Record<string, unknown>[] = [];
    for (let i = 0; i < 30_000; i++) {
      records.push(
        i === 24_999 ? { id: i, late: 424242 } : i > 24_999 ? { id: i, late: i } : { id: i },
      );
    }
    const text = records.map((r) => JSON.stringify(r)).join("\n") + "\n";
    const x = await exportSource({ "e.jsonl": text }, entity("jsonl"));
    expect(x.manifest.columns).to.deep.equal([
      { name: "id", type: "int64" },
      { name: "late", type: "int64" },
    ]);
    const expected = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: number; late?: number })
      .filter((r) => r.late !== undefined)
      .map((r) => [BigInt(r.id), BigInt(r.late!)]);
    const got = x.rows
      .filter((r) => r.late !== null)
      .map((r) => [r.id, r.late])
      .sort((a, b) => Number((a[0] as bigint) - (b[0] as bigint)));
    expect(got).to.deep.equal(expected);
  });

  it("exports a 17 MB record within the session's memory limit, inferred and declared", async () => {
    const big = "x".repeat(17_000_000);
    const text = `{"id": 1}\n{"id": 2, "v": "${big}"}\n`;
    for (const columns of [
      undefined,
      [
        { name: "id", type: "int64" },
        { name: "v", type: "string" },
      ],
    ] as const) {
      const x = await exportSource({ "e.jsonl": text }, entity("jsonl", columns && [...columns]));
      const lengths = x.rows.map((r) => (r.v === null ? null : String(r.v).length));
      expect(lengths).to.deep.equal([null, big.length]);
    }
  });

  it("refuses keys that differ only by case, naming both (was `A_1`, all NULL)", async () => {
    const { error } = await runSource({ "e.jsonl": '{"a": 1, "A": 2}\n' }, entity("jsonl"));
    expect(error).to.contain('the keys "a" (e.jsonl) and "A" (e.jsonl) are the same name to SQL');
  });

  it("refuses keys equal after NFKC folding (a full-width Ｃ)", async () => {
    const { error } = await runSource(
      { "e.jsonl": '{"Customer": 1}\n{"\uff23ustomer": 2}\n' },
      entity("jsonl"),
    );
    expect(error).to.contain('the keys "Customer" (e.jsonl) and "\uff23ustomer" (e.jsonl)');
  });

  it("refuses an empty key (was `C0`, all NULL)", async () => {
    const { error } = await runSource({ "e.jsonl": '{"id": 1, "": 3}\n' }, entity("jsonl"));
    expect(error).to.contain('e.jsonl has the key "", which cannot be a column name');
  });

  it("refuses a declared column the file does not have (was 200,000 NULLs)", async () => {
    const { error } = await runSource(
      { "e.jsonl": '{"id": 1, "distance": 3.5}\n' },
      entity("jsonl", [
        { name: "id", type: "int64" },
        { name: "dist", type: "double" },
      ]),
    );
    expect(error).to.equal(
      'entity "E": column "dist" is declared in the spec but is not in e.jsonl (its keys, matched exactly: id, distance). Fix the name in the spec or in the file.',
    );
  });

  it("does not read `Email` for a declared `email`", async () => {
    const { error } = await runSource(
      { "e.jsonl": '{"Email": "a@example.com"}\n' },
      entity("jsonl", [{ name: "email", type: "string" }]),
    );
    expect(error).to.contain('column "email" is declared in the spec but is not in e.jsonl');
  });

  it("fails a number with more digits than the JSON reader's double keeps, in a decimal or a string (was rounded)", async () => {
    const columns: ColumnSpec[] = [
      { name: "id", type: "int64" },
      { name: "amount", type: "decimal", precision: 18, scale: 2 },
    ];
    // 1234567890123456.78 was exported as 1234567890123456.80; 1.00000000000000001 as 1.00.
    for (const n of ["1234567890123456.78", "1.00000000000000001"]) {
      const { error } = await runSource(
        { "e.jsonl": `{"id": 1, "amount": 1.5, "s": "x"}\n{"id": 2, "amount": ${n}}\n` },
        entity("jsonl", columns),
      );
      expect(error).to.contain(
        `e.jsonl record 2, column "amount": the number ${n} has more digits`,
      );
    }
    const { error } = await runSource(
      { "e.json": '[{"s": 0.1000000000000000055511151231257827}]' },
      entity("json", [{ name: "s", type: "string" }]),
    );
    expect(error).to.contain(
      'e.json element 1 of the array, column "s": the number 0.1000000000000000055511151231257827',
    );
    // A key written with escapes is the same key (`am\u006funt`, `a\/b`).
    const escaped = await runSource(
      { "e.jsonl": '{"id": 1, "am\\u006Funt": 1234567890123456.78}\n' },
      entity("jsonl", columns),
    );
    expect(errorText(escaped)).to.contain(
      'record 1, column "amount": the number 1234567890123456.78',
    );
    const slashed = await runSource(
      { "e.jsonl": '{"a\\/b": 1234567890123456.78}\n' },
      entity("jsonl", [{ name: "ab", type: "string", sourceColumn: "a/b" }]),
    );
    expect(errorText(slashed)).to.contain('column "ab": the number 1234567890123456.78');
    // What a double holds exactly passes, and so do long numbers in strings and in double columns.
    const text =
      '{"id": 1, "amount": 12345678901234.56, "d": 0.1000000000000000055511151231257827, "s": "1234567890123456.78", "w": 12345678901234567890}\n';
    const x = await exportSource(
      { "e.jsonl": text },
      entity("jsonl", [
        ...columns,
        { name: "d", type: "double" },
        { name: "s", type: "string" },
        { name: "w", type: "string" },
      ]),
      "csv", // decimals as text: every digit shows
    );
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(x.rows.map((r) => [r.amount, Number(r.d), r.s, r.w])).to.deep.equal([
      ["12345678901234.56", parsed.d, parsed.s, "12345678901234567890"],
    ]);
  });

  it("a JSON number in a string column lands as written, or the entity fails naming both spellings", async () => {
    const columns: ColumnSpec[] = [
      { name: "id", type: "int64" },
      { name: "code", type: "string" },
    ];
    // The reader gives 1e2 as "100.0", 1.2300 as "1.23", -0 as "0", 1e-7 as "1e-07": each was exported that way.
    for (const n of ["1e2", "1.2300", "-0", "1E+02", "2.50", "123e-2", "-0.50", "1e-7"]) {
      const { error } = await runSource(
        { "e.jsonl": `{"id": 1, "code": "x"}\n{"id": 2, "code": ${n}}\n` },
        entity("jsonl", columns),
      );
      expect(error, n).to.contain(`e.jsonl record 2, column "code": the number ${n} would land`);
      expect(error, n).to.contain(`Write the value as a JSON string ("${n}")`);
    }
    const arrayForm = await runSource(
      { "e.json": '[{"id": 1, "c\\u006fde": 1e2}]' },
      entity("json", columns),
    );
    expect(errorText(arrayForm)).to.contain(
      'e.json element 1 of the array, column "code": the number 1e2',
    );

    // Numbers whose text the reader keeps land as written; a nested key of the same name does not
    // make a top-level string fail. Expected: each record's own text for "code", cut out here.
    const lines = [
      '{"id": 1, "code": 1.5}',
      '{"id": 2, "code": 100}',
      '{"id": 3, "code": -5}',
      '{"id": 4, "code": 0.1}',
      '{"id": 5, "code": "1e2"}',
      '{"id": 6, "code": 12345678901234567890123}',
      '{"id": 7, "code": "abc", "meta": {"code": 1e2}}',
      '{"id": 8, "code": 1e-07}',
    ];
    const x = await exportSource({ "e.jsonl": `${lines.join("\n")}\n` }, entity("jsonl", columns));
    const written = lines.map((l) => {
      const m = /"code": ("[^"]*"|[^,}]+)/.exec(l)![1];
      return m.startsWith('"') ? m.slice(1, -1) : m;
    });
    expect(x.rows.map((r) => r.code)).to.deep.equal(written);
  });

  it("reads a declared key that only some records have, null elsewhere", async () => {
    const text = '{"id": 1}\n{"id": 2, "note": "x"}\n';
    const x = await exportSource(
      { "e.jsonl": text },
      entity("jsonl", [
        { name: "id", type: "int64" },
        { name: "note", type: "string" },
      ]),
    );
    expect(x.rows.map((r) => [r.id, r.note])).to.deep.equal([
      [1n, null],
      [2n, "x"],
    ]);
  });
});

describe("JSON array sources (format: json)", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it("reads a top-level array of objects with the same inference rules as JSON Lines", async () => {
    const records = [
      { id: 1, name: "Ada", zip: "01234", at: "2024-01-31", score: 1.5 },
      { id: -2, name: "Grace", zip: "10001", score: 2, extra: { k: [1] } },
    ];
    const text = JSON.stringify(records, null, 2);
    const x = await exportSource({ "e.json": text }, entity("json"));
    expect(x.manifest.columns).to.deep.equal([
      { name: "id", type: "int64" },
      { name: "name", type: "string" },
      { name: "zip", type: "string" },
      { name: "at", type: "date" },
      { name: "score", type: "double" },
      { name: "extra", type: "string" },
    ]);
    const parsed = JSON.parse(text) as typeof records;
    expect(x.rows.map((r) => [r.id, r.name, r.zip, r.score, r.extra])).to.deep.equal(
      parsed.map((p) => [
        BigInt(p.id),
        p.name,
        p.zip,
        p.score,
        "extra" in p ? JSON.stringify(p.extra) : null,
      ]),
    );
  });

  it("refuses an array element that is not an object, with its position", async () => {
    const { error } = await runSource({ "e.json": '[{"id": 1}, [2, 3]]' }, entity("json"));
    expect(error).to.contain("e.json element 2 of the array");
    expect(error).to.contain("is not a JSON object");
  });

  it("names the element that is not valid JSON, and a file that is not an array", async () => {
    const bad = await runSource(
      { "e.json": '[{"id": 1}, {"id": 2}, {"id": 3 x}]' },
      entity("json"),
    );
    // The third element, `{"id": 3 x}`: its 10th byte is the x.
    expect(errorText(bad)).to.equal(
      'entity "E": e.json: element 3 of the array is not valid JSON at byte 10 of the element (unexpected character).',
    );
    const object = await runSource({ "e.json": '{"id": 1}\n{"id": 2}\n' }, entity("json"));
    expect(errorText(object)).to.contain("e.json is not a JSON array (it starts with '{')");
    expect(errorText(object)).to.contain("set format: jsonl");
  });

  it("takes the format from the .json and .json.gz extensions", () => {
    const yaml = (source: string) => flowSpecYaml(`{ name: E, source: ${source} }`);
    for (const source of ["data/e.json", "data/e.json.gz"]) {
      const result = parseSpecText(yaml(source), "/tmp");
      expect(result.issues, source).to.deep.equal([]);
      expect(result.spec!.export.entities[0].source).to.deep.equal({
        path: source,
        format: "json",
      });
    }
  });
});
