// CSV sources as real users have them: other delimiters, quotes and escapes, no header row, a NULL
// marker, headers that are not SQL names, and the encodings and header mistakes that must fail with
// a message saying what to set. Expected values come from the test's own split of the source text.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import type { ColumnSpec, EntitySpec, SourceSpec } from "../../src/spec/types";
import { parseSpecText } from "../../src/spec/validate";
import * as path from "node:path";
import { LocalLake, runExport } from "../../src/engine";
import { exportSource, runSource } from "./support/exportSource";
import { age, makeSpec, removeTempDirs, tempDir, writeFiles } from "./support/fixtures";
import { flowSpecYaml } from "../helpers/specs";

const strings = (...names: string[]): ColumnSpec[] =>
  names.map((name) => ({ name, type: "string" }));
const csvEntity = (source: Partial<SourceSpec>, columns?: ColumnSpec[]): EntitySpec => ({
  name: "E",
  source: { path: "e.csv", format: "csv", ...source },
  columns,
});

/** The entity as the validator leaves it, from a YAML source line. */
function validatedEntity(source: string, columns = ""): { entity?: EntitySpec; issues: string[] } {
  const yaml = flowSpecYaml(`{ name: E, source: ${source}${columns} }`);
  const result = parseSpecText(yaml, "/tmp");
  return {
    entity: result.spec?.export.entities[0],
    issues: result.issues.map((i) => `${i.path}: ${i.message}`),
  };
}

describe("CSV dialects", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  for (const delimiter of [";", "|", "\t"]) {
    it(`reads fields delimited by ${JSON.stringify(delimiter)}, quoted delimiters intact`, async () => {
      const rows = [
        ["1", `a${delimiter}b`],
        ["2", "plain"],
      ];
      const text =
        `id${delimiter}v\n` + rows.map(([id, v]) => `${id}${delimiter}"${v}"`).join("\n") + "\n";
      const x = await exportSource(
        { "e.csv": text },
        csvEntity({ delimiter }, [{ name: "id", type: "int32" }, ...strings("v")]),
      );
      expect(x.rows.map((r) => [String(r.id), r.v])).to.deep.equal(rows);
    });
  }

  it("reads a .tsv file as tab-separated without being told", async () => {
    const { entity, issues } = validatedEntity("data/e.tsv");
    expect(issues).to.deep.equal([]);
    expect(entity!.source).to.deep.equal({ path: "data/e.tsv", format: "csv", delimiter: "\t" });
    const x = await exportSource({ "data/e.tsv": "id\tname\n1\tAda, Countess\n" }, entity!);
    expect(x.rows).to.deep.equal([{ id: 1n, name: "Ada, Countess" }]);
  });

  it("reads another quote and a backslash escape", async () => {
    const x = await exportSource(
      { "e.csv": "id,v\n1,'it\\'s, quoted'\n2,'two \"double\" quotes'\n" },
      csvEntity({ quote: "'", escape: "\\" }, strings("id", "v")),
    );
    expect(x.rows.map((r) => r.v)).to.deep.equal(["it's, quoted", 'two "double" quotes']);
  });

  it("reads a file without a header row into the declared columns, in order", async () => {
    const x = await exportSource(
      { "e.csv": "1,Ada\n2,Grace\n" },
      csvEntity({ header: false }, [{ name: "id", type: "int32" }, ...strings("name")]),
    );
    expect(x.rows).to.deep.equal([
      { id: 1, name: "Ada" },
      { id: 2, name: "Grace" },
    ]);
  });

  it("names the editor's line of a bad value in a file without a header", async () => {
    const { error } = await runSource(
      { "e.csv": "1,Ada\nx,Grace\n" },
      csvEntity({ header: false }, [{ name: "id", type: "int32" }, ...strings("name")]),
    );
    expect(error).to.contain('e.csv line 2 (row 2), column "id": value "x" is not an int32');
  });

  it("refuses header: false without declared columns, and dialect options on other formats", () => {
    expect(validatedEntity("{ path: e.csv, format: csv, header: false }").issues).to.deep.equal([
      "export.entities[0].source.header: is false, so the file has no column names: declare the entity's columns, in the file's order",
    ]);
    expect(
      validatedEntity("{ path: e.jsonl, format: jsonl, delimiter: ';' }").issues,
    ).to.deep.equal([
      "export.entities[0].source.delimiter: applies to format csv only (this source is jsonl)",
    ]);
    expect(validatedEntity("{ path: e.csv, format: csv, delimiter: ';;' }").issues[0]).to.match(
      /^export\.entities\[0\]\.source\.delimiter: /,
    );
  });

  it("takes nullString for NULL, and an empty field then for an empty string", async () => {
    const x = await exportSource(
      { "e.csv": "id,v\n1,NULL\n2,\n3,x\n" },
      csvEntity({ nullString: "NULL" }, strings("id", "v")),
    );
    expect(x.rows.map((r) => r.v)).to.deep.equal([null, "", "x"]);
  });

  it("exports again when only the dialect changes (the same bytes read another way)", async () => {
    const dir = await tempDir("dialect-change");
    await writeFiles(dir, { "e.csv": "id,v\n1,NULL\n" });
    await age(path.join(dir, "e.csv"));
    const lake = new LocalLake(path.join(dir, "lake"), "ci-export");
    const run = (source: Partial<SourceSpec>) =>
      runExport(makeSpec(dir, [csvEntity(source, strings("id", "v"))]), { lake });
    const first = await run({});
    const same = await run({});
    const other = await run({ nullString: "NULL" });
    expect([first, same, other].map((r) => r.entities[0].status)).to.deep.equal([
      "exported",
      "unchanged",
      "exported",
    ]);
    expect(other.entities[0].snapshot).to.not.equal(first.entities[0].snapshot);
  });

  it("refuses a one-column header that contains ';', naming the delimiter to set", async () => {
    const { error } = await runSource({ "e.csv": "id;name\n1;Ada\n" }, csvEntity({}));
    expect(error).to.contain('Set source.delimiter: ";"');
    const tab = await runSource({ "e.csv": "id\tname\n1\tAda\n" }, csvEntity({}));
    expect(errorText(tab)).to.contain('Set source.delimiter: "\\t"');
  });
});

describe("CSV headers that are not SQL names", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it("maps a declared column to a header with sourceColumn", async () => {
    const x = await exportSource(
      { "e.csv": "Airport Name,IATA\nSchiphol,AMS\n" },
      csvEntity({}, [
        { name: "AirportName", type: "string", sourceColumn: "Airport Name" },
        { name: "IATA", type: "string" },
      ]),
    );
    expect(x.rows).to.deep.equal([{ AirportName: "Schiphol", IATA: "AMS" }]);
  });

  it("infers SQL names for unsafe headers and records the mapping in the manifest", async () => {
    const x = await exportSource(
      { "e.csv": "Airport Name,2024 total,e-mail\nSchiphol,12,a@b.nl\n" },
      csvEntity({}),
    );
    expect(x.manifest.columns).to.deep.equal([
      { name: "Airport_Name", type: "string", sourceColumn: "Airport Name" },
      { name: "_2024_total", type: "int64", sourceColumn: "2024 total" },
      { name: "e_mail", type: "string", sourceColumn: "e-mail" },
    ]);
    expect(x.rows).to.deep.equal([
      { Airport_Name: "Schiphol", _2024_total: 12n, e_mail: "a@b.nl" },
    ]);
  });

  it("refuses two headers that would become the same column", async () => {
    const { error } = await runSource({ "e.csv": "a b,a_b\n1,2\n" }, csvEntity({}));
    expect(error).to.contain(
      'the source columns "a b" and "a_b" would both become the column "a_b"',
    );
  });

  it("refuses a sourceColumn that is not in the file, naming it", async () => {
    const { error } = await runSource(
      { "e.csv": "Airport Name\nSchiphol\n" },
      csvEntity({}, [{ name: "AirportName", type: "string", sourceColumn: "Airport name" }]),
    );
    expect(error).to.contain(
      'sourceColumn "Airport name" of column "AirportName" is declared in the spec but is not in e.csv',
    );
  });
});

describe("CSV files that cannot be read as they are", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it("says a UTF-16 file must be saved as UTF-8 (was: an SQL identifier cannot contain a NUL)", async () => {
    const text = "id,name\r\n1,Ada\r\n";
    for (const [label, bytes] of [
      ["UTF-16LE", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])],
      ["UTF-16LE", Buffer.from(text, "utf16le")],
    ] as const) {
      const { error } = await runSource({ "e.csv": bytes }, csvEntity({}));
      expect(error).to.contain(`e.csv is ${label}-encoded text; CSV sources must be UTF-8`);
    }
  });

  it("says what to do with a record past DuckDB's line limit, without echoing the line", async () => {
    const long = "x".repeat(3_000_000);
    const { error } = await runSource(
      { "e.csv": `id,v\n1,a\n2,${long}\n3,b\n` },
      csvEntity({}, strings("id", "v")),
    );
    // The record's length is the source's own: "2," and the value, without its line ending.
    const bytes = `2,${long}`.length.toLocaleString("en-US");
    expect(error).to.equal(
      `entity "E": e.csv line 3: the record is ${bytes} bytes long, more than the 2,000,000 bytes a CSV record may have. ` +
        "If it should be several records, look for a quote that is not closed before it; if it is one, shorten the value or export the entity as JSON Lines or Parquet.",
    );
  });

  it("refuses header names equal after NFKC folding and case, with both names", async () => {
    const { error } = await runSource({ "e.csv": "Customer,\uff23USTOMER\n1,2\n" }, csvEntity({}));
    expect(error).to.contain(
      'the header names "Customer" (column 1) and "\uff23USTOMER" (column 2), which SQL takes for the same name',
    );
  });
});

describe("names that differ only in kana (the database's collation has no _KS)", () => {
  it("are refused by validate for entities and declared columns, naming both", () => {
    const yaml = flowSpecYaml(
      "{ name: カナ, source: a.csv, columns: [ { name: かず, type: string }, { name: カズ, type: string } ] }, { name: かな, source: b.csv }",
    );
    expect(parseSpecText(yaml, "/tmp").issues).to.deep.equal([
      {
        path: "export.entities[1].name",
        message:
          "entity 'かな' is already export.entities[0] (names are compared ignoring case, Unicode compatibility forms and kana (the database's collation takes hiragana and katakana as equal): 'かな' is 'カナ')",
      },
      {
        path: "export.entities[0].columns[1].name",
        message:
          "column 'カズ' is already export.entities[0].columns[0] (names are compared ignoring case, Unicode compatibility forms and kana (the database's collation takes hiragana and katakana as equal): 'カズ' is 'かず')",
      },
    ]);
  });

  it("keeps names with other letters apart, and half-width katakana is its full-width form", () => {
    const yaml = flowSpecYaml(
      "{ name: カナ, source: a.csv }, { name: カニ, source: b.csv }, { name: ｶﾅ, source: c.csv }",
    );
    expect(parseSpecText(yaml, "/tmp").issues.map((i) => i.path)).to.deep.equal([
      "export.entities[2].name",
    ]);
  });

  it("refuses a CSV header naming two columns that differ only in kana", async () => {
    const { error } = await runSource(
      { "e.csv": "id,かな,カナ\n1,a,b\n" },
      {
        name: "E",
        source: { path: "e.csv", format: "csv" },
      },
    );
    expect(error).to.contain('the header names "かな" (column 2) and "カナ" (column 3)');
  });
});

describe("declared column names equal after NFKC folding and case", () => {
  it("are refused by validate, with both names", () => {
    const yaml = flowSpecYaml(
      "{ name: E, source: e.csv, columns: [ { name: Customer, type: string }, { name: \uff23ustomer, type: string } ] }",
    );
    expect(parseSpecText(yaml, "/tmp").issues).to.deep.equal([
      {
        path: "export.entities[0].columns[1].name",
        message:
          "column '\uff23ustomer' is already export.entities[0].columns[0] (names are compared ignoring case and Unicode compatibility forms: 'Ｃustomer' is 'Customer' after NFKC)",
      },
    ]);
  });
});
