// run --local over a lake-resident CSV with a header: DuckDB is given each listed file with its own
// header's columns, so a malformed row fails the entity as a data error naming the file (its dfs URL,
// as the run's other messages name it) and the line, as the runner's read of a local file does. With
// a glob DuckDB sniffed the dialect and reported "Error when sniffing file" or a header column "not
// found" (kind internal). Expected rows are written here beside the CSV text.

import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { errorText } from "../helpers/errorText";
import {
  ID_NAME_COLUMNS,
  lakeCsvEntity,
  makeSpec,
  removeTempDirs,
  tempDir,
  writeFiles,
  runLocalLakeEntity,
  runLocalTarget,
} from "./support/fixtures";

const URL = "https://otherlake.dfs.core.windows.net/raw/o";

const run = (files: Record<string, string>) =>
  runLocalLakeEntity(lakeCsvEntity("o/*.csv", ID_NAME_COLUMNS), files);

describe("run --local: a lake CSV with a header, row by row", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  for (const [what, text, message] of [
    [
      "an unterminated quote",
      'id,name\n1,"Ann\n',
      'line 2: Value with unterminated quote found. (the row: 1,"Ann)',
    ],
    [
      "a field too many",
      "id,name\n1,Ann\n2,Bob,x\n",
      "line 3: Expected Number of Columns: 2 Found: 3 (the row: 2,Bob,x)",
    ],
    [
      "a field too few",
      "id,name\n1\n",
      "line 2: Expected Number of Columns: 2 Found: 1 (the row: 1)",
    ],
  ]) {
    it(`${what} fails the entity as data, naming the file and the line`, async () => {
      const { record, error } = await run({
        "raw/o/a.csv": "id,name\n0,Zed\n",
        "raw/o/b.csv": text,
      });
      expect(record.status).to.equal("failed");
      expect(record.error?.kind).to.equal("data");
      expect(error).to.contain(`entity "E": ${URL}/b.csv ${message}`);
    });
  }

  it("binds each file by its own header: another order and undeclared columns read exactly", async () => {
    const { record, error, rows } = await run({
      "raw/o/a.csv": "id,name\n1,Ann\n",
      "raw/o/b.csv": 'name,extra,id\n"Bob, Jr.",x,2\n',
      "raw/o/c.csv": "extra,ID2,name,id,other\n,,Cy,3,\n",
      "raw/o/d.csv": "",
    });
    expect(record.status, error).to.equal("exported");
    const got = rows.map((r) => [r.id, r.name]);
    expect(got.sort((a, b) => Number(a[0]) - Number(b[0]))).to.deep.equal([
      [1n, "Ann"],
      [2n, "Bob, Jr."],
      [3n, "Cy"],
    ]);
  });
});

describe("run --local: a lake CSV's quoting the reader would change", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  for (const [what, row, message] of [
    ["a space before an opening quote", '2, "Bob"', "a space before the quote"],
    ["a space after a closing quote", '2,"Bob" ', "a space after the quote"],
  ]) {
    it(`${what} fails the entity as data, naming the file and the line (DuckDB would read Bob)`, async () => {
      const { record, error } = await run({ "raw/o/a.csv": `id,name\n1,Ann\n${row}\n` });
      expect(record.status).to.equal("failed");
      expect(record.error?.kind).to.equal("data");
      expect(error).to.contain(`entity "E": ${URL}/a.csv line 3: ${message}`);
    });
  }

  it("two spaces before a quote, and quoted delimiters, land as written", async () => {
    const { record, error, rows } = await run({
      "raw/o/a.csv": 'id,name\n1,  "Ann"\n2,"Bob, Jr."\n',
    });
    expect(record.status, error).to.equal("exported");
    const got = rows.map((r) => [r.id, r.name]);
    expect(got.sort((a, b) => Number(a[0]) - Number(b[0]))).to.deep.equal([
      [1n, '  "Ann"'],
      [2n, "Bob, Jr."],
    ]);
  });
});

describe("run --local: a lake file removed while the export reads it", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it("after the quoting scan and before DuckDB's read: data, naming the file, nothing published", async () => {
    const dir = await tempDir("lake-rows-gone");
    await writeFiles(dir, { "raw/o/a.csv": "id,name\n1,Ann\n", "raw/o/b.csv": "id,name\n2,Bob\n" });
    const spec = makeSpec(path.join(dir, "spec"), [lakeCsvEntity("o/*.csv", ID_NAME_COLUMNS)]);
    const record = (
      await runLocalTarget(spec, dir, (t) => {
        const scan = t.serverSide!.checkSourceText!;
        t.serverSide!.checkSourceText = async (source, files) => {
          await scan(source, files);
          fs.rmSync(path.join(dir, "raw", "o", "a.csv"));
        };
      })
    ).entities[0];
    expect(record.status).to.equal("failed");
    expect(record.error?.kind).to.equal("data");
    expect(errorText(record)).to.contain(`${URL}/a.csv was removed after it was listed`);
    expect(record.snapshot).to.equal(undefined);
  });
});
