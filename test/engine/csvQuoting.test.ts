// What DuckDB's CSV reader changes without an error (src/engine/sources/csvQuoting.ts): one space
// outside a field's quotes, and an escape before a character it does not escape. Such a file fails
// naming its line; what DuckDB keeps as the file says lands exactly. Expected values are the source's
// own text as written in the test.

import { expect } from "chai";
import { gzipSync } from "node:zlib";
import type { EntitySpec, SourceSpec } from "../../src/spec/types";
import { exportSource, runSource } from "./support/exportSource";
import { removeTempDirs } from "./support/fixtures";

const entity = (source: Partial<SourceSpec> = {}, path = "e.csv"): EntitySpec => ({
  name: "E",
  source: { path, format: "csv", ...source },
  columns: [
    { name: "id", type: "int32" },
    { name: "v", type: "string" },
  ],
});

describe("CSV quoting the reader would change: fails, never lands changed", function () {
  this.timeout(60_000);
  after(removeTempDirs);

  for (const [label, row, what] of [
    ["a space before the opening quote (read as x)", '2, "x"', "a space before the quote"],
    ["a space after the closing quote (read as x)", '2,"x" ', "a space after the quote"],
    ["a space before the first field's quote", ' "2",x', "a space before the quote"],
  ] as const) {
    it(`refuses ${label}, naming file and line`, async () => {
      const { error, errorKind } = await runSource(
        { "e.csv": `id,v\n1,"a, b"\n${row}\n` },
        entity(),
      );
      expect(error).to.contain(`entity "E": e.csv line 3: ${what}`);
      expect(errorKind).to.equal("data");
    });
  }

  it("finds the space in a gzipped file, and one that straddles two reads of the file", async () => {
    const gz = await runSource(
      { "e.csv.gz": gzipSync(Buffer.from('id,v\n1,x\n2, "y"\n')) },
      entity({}, "e.csv.gz"),
    );
    expect(gz.error).to.contain("e.csv.gz line 3: a space before the quote");
    // The scan reads 4 MiB at a time: the space is the last byte of the first read, the quote the
    // first of the second.
    const head = "id,v\n";
    const filler = "1,abcdefgh\n";
    const fill = Math.floor((4 * 1024 * 1024 - head.length - 3) / filler.length);
    let text = head + filler.repeat(fill);
    text += "9".repeat(4 * 1024 * 1024 - text.length - 2) + ", ";
    const csv = `${text}"z"\n`;
    expect(csv.indexOf('"')).to.equal(4 * 1024 * 1024);
    const straddle = await runSource({ "e.csv": csv }, entity());
    expect(straddle.error).to.contain(`e.csv line ${fill + 2}: a space before the quote`);
  });

  it("lands exactly what the reader keeps as written: two spaces, a tab, a quote inside a field, quoted commas and quotes", async () => {
    const rows = [
      ["1", '  "x"'],
      ["2", '\t"x"'],
      ["3", 'ab "c"'],
      ["4", '"a, ""b"" c"'],
      ["5", '" "'],
    ];
    const x = await exportSource(
      { "e.csv": `id,v\n${rows.map((r) => r.join(",")).join("\n")}\n` },
      entity(),
    );
    expect(x.rows.map((r) => r.v)).to.deep.equal(['  "x"', '\t"x"', 'ab "c"', 'a, "b" c', " "]);
  });

  it("lands a space-delimited file's quoted fields (the space is the delimiter there)", async () => {
    const x = await exportSource({ "e.csv": 'id v\n1 "a b"\n2 "c"\n' }, entity({ delimiter: " " }));
    expect(x.rows.map((r) => r.v)).to.deep.equal(["a b", "c"]);
  });

  it("follows a delimiter of two bytes (§ in UTF-8) the same way", async () => {
    const { error } = await runSource(
      { "e.csv": 'id§v\n1§"a§b"\n2§ "x"\n' },
      entity({ delimiter: "§" }),
    );
    expect(error).to.contain("e.csv line 3: a space before the quote");
    const x = await exportSource(
      { "e.csv": 'id§v\n1§"a§ b"\n2§x "y"\n' },
      entity({ delimiter: "§" }),
    );
    expect(x.rows.map((r) => r.v)).to.deep.equal(["a§ b", 'x "y"']);
  });

  describe("an escape other than the quote", () => {
    it("refuses an escape before a character it does not escape (C:\\temp read as C:temp)", async () => {
      const { error } = await runSource(
        { "e.csv": 'id,v\n1,"a\\"b"\n2,"C:\\temp"\n' },
        entity({ escape: "\\" }),
      );
      expect(error).to.contain('e.csv line 3: the escape (\\) before "t" inside a quoted field');
    });

    it("lands an escaped quote and an escaped escape as the one character each stands for", async () => {
      const x = await exportSource(
        { "e.csv": 'id,v\n1,"a\\"b"\n2,"C:\\\\temp"\n3,C:\\temp\n' },
        entity({ escape: "\\" }),
      );
      // Outside quotes the reader keeps a backslash as text.
      expect(x.rows.map((r) => r.v)).to.deep.equal(['a"b', "C:\\temp", "C:\\temp"]);
    });
  });
});
