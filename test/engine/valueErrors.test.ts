// Values that do not fit their declared type, and malformed files: the entity fails with the file,
// the line an editor shows, the row, the column and the value, and nothing of it reaches the lake.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { LocalLake, runExport } from "../../src/engine";
import type { ColumnSpec, EntitySpec, SourceFormat } from "../../src/spec/types";
import { makeSpec, removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

async function failure(
  files: Record<string, string | Buffer>,
  source: string,
  columns: ColumnSpec[] | undefined,
  format: SourceFormat = "csv",
): Promise<string> {
  const dir = await tempDir("values");
  await writeFiles(path.join(dir, "spec"), files);
  const entity: EntitySpec = { name: "E", source: { path: source, format }, columns };
  const lake = new LocalLake(path.join(dir, "lake"), "c");
  const staging = path.join(dir, "staging");
  const record = await runExport(makeSpec(path.join(dir, "spec"), [entity]), {
    lake,
    stagingDir: staging,
  });
  expect(record.ok).to.equal(false);
  expect(record.entities[0].status).to.equal("failed");
  expect(await lake.list(""), "nothing is left in the lake, not even a folder").to.deep.equal([]);
  expect(await fs.readdir(staging), "staging is cleaned up").to.deep.equal([]);
  return errorText(record.entities[0]);
}

const col = (type: ColumnSpec["type"], extra: Partial<ColumnSpec> = {}): ColumnSpec[] => [
  { name: "id", type: "int32" },
  { name: "v", type, ...extra },
];
const withNote = (columns: ColumnSpec[]): ColumnSpec[] => [
  columns[0],
  { name: "note", type: "string" },
  columns[1],
];

describe("values that do not fit, and malformed files", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  const cases: [string, ColumnSpec[], string, RegExp][] = [
    ["1.5 in an int32", col("int32"), "1.5", /is not an int32/],
    ["int32 overflow", col("int32"), "2147483648", /is not an int32/],
    ["text in an int64", col("int64"), "12abc", /is not an int64/],
    ["an exponent in an int64", col("int64"), "1e3", /is not an int64/],
    ["NaN in a double", col("double"), "NaN", /is not a finite double/],
    [
      "decimal overflow",
      col("decimal", { precision: 5, scale: 2 }),
      "1234.5",
      /does not fit decimal\(5,2\)/,
    ],
    ["a bad boolean", col("boolean"), "maybe", /is not a boolean/],
    ["February 30th", col("date"), "2024-02-30", /is not a date/],
    ["a bad dateTime", col("dateTime"), "yesterday", /is not a dateTime/],
    ["hour 25", col("dateTimeOffset"), "2024-01-01T25:00:00Z", /is not a dateTimeOffset/],
    ["a bad GUID", col("guid"), "not-a-guid", /is not a GUID/],
    [
      "a string past maxLength",
      col("string", { maxLength: 5 }),
      "toolong",
      /is longer than its maxLength of 5 characters \(it has 7\)/,
    ],
  ];
  for (const [label, columns, value, reason] of cases) {
    it(`names file, line, row, column and value: ${label}`, async () => {
      // A quoted field spanning lines and an empty line before the bad row: the line is the editor's.
      const csv = `id,note,v\n1,,\n2,"a\nb",\n\n3,,${value}\n`;
      const error = await failure({ "data/e.csv": csv }, "data/e.csv", withNote(columns));
      expect(error).to.contain(
        `entity "E": data/e.csv line 6 (row 3), column "v": value ${JSON.stringify(value)} `,
      );
      expect(error).to.match(reason);
    });
  }

  it("names the line of a row with a field too many", async () => {
    const error = await failure({ "e.csv": 'id,v\n1,"a\nb"\n2,b,extra\n' }, "e.csv", col("string"));
    expect(error).to.equal(
      'entity "E": e.csv line 4: Expected Number of Columns: 2 Found: 3 (the row: 2,b,extra)',
    );
  });

  it("names the line where CRLF and LF line endings start to mix", async () => {
    const error = await failure({ "e.csv": "id,v\r\n1,a\r\n2,b\n3,c\r\n" }, "e.csv", col("string"));
    expect(error).to.equal(
      'entity "E": e.csv: line 3 ends with LF but line 1 ends with CRLF: mixed line endings. Save the file with one kind of line ending.',
    );
  });

  // RFC 4180 (and Python's csv) read all three; DuckDB 1.5.6 takes the file's line ending from the
  // first line break it meets, quoted or not, and cannot read them. Refused, saying why.
  for (const [label, text, quoted, ending] of [
    ["an LF in a CRLF file", '0,"b\nc"\r\n1,x\r\n2,y\r\n', "LF", "CRLF"],
    ["a CR in an LF file", '0,"b\rc"\n1,x\n', "CR", "LF"],
    ["a CRLF in an LF file", '0,"a\r\nb"\n1,x\n', "CRLF", "LF"],
  ] as const) {
    it(`explains a headerless file whose first record holds ${label} inside quotes`, async () => {
      const dir = await tempDir("values");
      await writeFiles(path.join(dir, "spec"), { "e.csv": text });
      const entity: EntitySpec = {
        name: "E",
        source: { path: "e.csv", format: "csv", header: false },
        columns: col("string"),
      };
      const lake = new LocalLake(path.join(dir, "lake"), "c");
      const record = await runExport(makeSpec(path.join(dir, "spec"), [entity]), {
        lake,
        stagingDir: path.join(dir, "staging"),
      });
      expect(record.entities[0].status).to.equal("failed");
      expect(errorText(record.entities[0])).to.contain(
        `e.csv: line 1: the first record holds a line break inside quotes (${quoted}) unlike the file's line endings (${ending})`,
      );
      expect(await lake.list("")).to.deep.equal([]);
    });
  }

  it("names a declared column the file does not have", async () => {
    const error = await failure({ "e.csv": "id,value\n1,a\n" }, "e.csv", col("string"));
    expect(error).to.equal(
      'entity "E": column "v" is declared in the spec but is not in e.csv (its columns: id, value). Fix the name in the spec or in the file.',
    );
  });

  it("names the file of a glob whose header differs", async () => {
    const error = await failure(
      { "a.csv": "id,v\n1,a\n", "b.csv": "v,id\nb,2\n" },
      "*.csv",
      col("string"),
    );
    expect(error).to.match(/b\.csv has the header \(v, id\) but a\.csv has \(id, v\)/);
  });

  it("names the second file of a glob when the bad value is there", async () => {
    const error = await failure(
      { "a.csv": "id,v\n1,1\n", "b.csv": "id,v\n2,2\n3,x\n" },
      "*.csv",
      col("int32"),
    );
    expect(error).to.contain('b.csv line 3 (row 2), column "v": value "x" is not an int32');
  });

  it("names the line of a bad value in JSON Lines", async () => {
    const jsonl = '{"id": 1, "v": "2024-01-01"}\n\n{"id": 2, "v": "someday"}\n';
    const error = await failure({ "e.jsonl": jsonl }, "e.jsonl", col("date"), "jsonl");
    expect(error).to.contain('e.jsonl line 3 (row 2), column "v": value "someday" is not a date');
  });

  it("names the row of a bad value in Parquet", async () => {
    // A Parquet file the engine itself wrote, with an int64 that does not fit an int32.
    const dir = await tempDir("parquet-in");
    await writeFiles(dir, { "in.csv": "id,v\n1,1\n2,9000000000\n" });
    const lake = new LocalLake(path.join(dir, "lake"), "c");
    const spec = makeSpec(dir, [
      { name: "In", source: { path: "in.csv", format: "csv" }, columns: col("int64") },
    ]);
    const r = await runExport(spec, { lake });
    const part = await fs.readFile(
      lake.resolve(`ci_export/In/v=${r.entities[0].snapshot}/part-00000.parquet`),
    );
    const error = await failure({ "e.parquet": part }, "e.parquet", col("int32"), "parquet");
    expect(error).to.contain('e.parquet row 2, column "v": value "9000000000" is not an int32');
  });

  it("refuses a truncated Parquet file with its name", async () => {
    const error = await failure(
      { "e.parquet": Buffer.from("PAR1 this is not parquet") },
      "e.parquet",
      col("int32"),
      "parquet",
    );
    expect(error).to.match(/^entity "E": .*e\.parquet/);
  });

  it("says that an inferred type came from the first rows when a later value does not fit it", async () => {
    const lines = ["id,v"];
    for (let i = 0; i < 25_000; i++) lines.push(`${i},${i}`);
    lines.push("25000,oops");
    const error = await failure({ "e.csv": `${lines.join("\n")}\n` }, "e.csv", undefined);
    expect(error).to.contain(
      `e.csv line 25002 (row 25001), column "v": value "oops" is not an int64`,
    );
    expect(error).to.contain(
      "inferred from the first rows; declare the entity's columns in the spec",
    );
  });
});

describe("the writer's CSV fast path accepts and refuses exactly what the declared type allows", function () {
  this.timeout(60_000);
  after(removeTempDirs);

  // The writer lets DuckDB's CSV reader parse these types itself (faster); a DuckDB release in which
  // the reader turns a bad value into NULL, as it does for TIMESTAMPTZ, must fail this test.
  // The expected values are a reviewed table, written from the type rules in README.md ("Column
  // types") and DuckDB's documented casts, not computed by the product's castExpression: what each
  // value must become in the Parquet file (as DuckDB prints it), or "refused" (the entity fails).
  const REFUSED = "refused";
  const values: Record<string, { column: ColumnSpec; values: [string, string][] }> = {
    date: {
      column: { name: "v", type: "date" },
      values: [
        ["2024-01-31", "2024-01-31"],
        [" 2024-01-31 ", "2024-01-31"], // surrounding blanks are not part of the value
        ["2024-02-30", REFUSED],
        ["yesterday", REFUSED],
        ["31/01/2024", REFUSED], // only ISO 8601 dates
        // A date-time is a date only at midnight: a time of day would be lost.
        ["2024-01-31T10:00:00", REFUSED],
        ["2024-01-31 00:00:00.000001", REFUSED],
        ["2024-01-31T00:00:00", "2024-01-31"],
      ],
    },
    decimal: {
      column: { name: "v", type: "decimal", precision: 6, scale: 2 },
      values: [
        // More fractional digits than the scale would be rounded: refused instead (README, types).
        ["1.005", REFUSED],
        ["1.2300", "1.23"], // trailing zeros change nothing
        ["-0.5", "-0.50"],
        ["1e3", "1000.00"], // exactly 1000: an exponent is a way of writing the same number
        ["9999.99", "9999.99"], // the largest decimal(6,2)
        ["10000", REFUSED], // five digits before the point do not fit decimal(6,2)
        ["1,5", REFUSED], // no decimal comma
        ["abc", REFUSED],
        ["0x10", REFUSED],
      ],
    },
    boolean: {
      column: { name: "v", type: "boolean" },
      values: [
        ["true", "true"],
        ["T", "true"],
        ["no", "false"],
        ["1", "true"],
        ["maybe", REFUSED],
        ["2", REFUSED],
      ],
    },
    double: {
      column: { name: "v", type: "double" },
      values: [
        ["1.5", "1.5"],
        [".5", "0.5"],
        ["1e400", REFUSED], // beyond the largest double
        ["nan", REFUSED], // Synapse cannot hold NaN: "is not a finite double"
        ["1,5", REFUSED],
        ["0x10", REFUSED],
        ["abc", REFUSED],
      ],
    },
    guid: {
      column: { name: "v", type: "guid" },
      // README: a guid lands as the 36-character, lower-case string.
      values: [
        ["0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff", "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff"],
        ["{0BFC4568-A4BA-4C58-BD3E-5D3E76BD7FFF}", "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff"],
        ["0bfc4568a4ba4c58bd3e5d3e76bd7fff", "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff"],
        ["0bfc4568-a4ba-4c58-bd3e", REFUSED],
        ["yesterday", REFUSED],
      ],
    },
  };
  for (const [type, { column, values: list }] of Object.entries(values)) {
    it(`${type}: ${list.length} tricky values`, async () => {
      const { DuckSession } = await import("../../src/engine/writer/duckdbSession");
      for (const [value, expected] of list) {
        const dir = await tempDir("fastpath");
        await writeFiles(dir, { "e.csv": `id,v\n1,"${value}"\n` });
        const lake = new LocalLake(path.join(dir, "lake"), "c");
        const entity: EntitySpec = {
          name: "E",
          source: { path: "e.csv", format: "csv" },
          columns: [{ name: "id", type: "int32" }, column],
        };
        const r = await runExport(makeSpec(dir, [entity]), { lake });
        let actual = REFUSED;
        if (r.ok) {
          const read = await DuckSession.open({ threads: 1 });
          try {
            const part = lake.resolve(`ci_export/E/v=${r.entities[0].snapshot}/part-00000.parquet`);
            actual = String(
              (
                await read.query(
                  `SELECT CAST(v AS VARCHAR) AS r FROM read_parquet('${part}', hive_partitioning=false)`,
                )
              )[0].r,
            );
          } finally {
            read.close();
          }
        } else {
          // Refused loudly, naming the value, never as a NULL in the lake.
          expect(errorText(r.entities[0]), `value ${JSON.stringify(value)}`).to.contain(
            `value ${JSON.stringify(value)}`,
          );
        }
        expect(actual, `value ${JSON.stringify(value)}`).to.equal(expected);
      }
    });
  }
});
