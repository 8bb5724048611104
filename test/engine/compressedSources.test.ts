// Compressed sources (.csv.gz, .jsonl.gz, .json.gz, and the same with .zst): read as the text they
// hold, with the line of a bad value counted in that text, and fingerprinted over the compressed
// bytes the lake's manifest lists. The files are compressed by Node's zlib and by the `zstd` command
// (an independent tool; those tests are skipped where it is not installed), and the expected values
// read from the plain text.

import { expect } from "chai";
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import type { EntitySpec, SourceFormat } from "../../src/spec/types";
import { exportSource, runSource } from "./support/exportSource";
import { removeTempDirs } from "./support/fixtures";

const entity = (
  file: string,
  format: SourceFormat,
  columns?: EntitySpec["columns"],
): EntitySpec => ({
  name: "E",
  source: { path: file, format },
  columns,
});

describe("compressed sources", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  const plain: [string, SourceFormat, string][] = [
    ["e.csv.gz", "csv", "id,zip\n1,01234\n2,10001\n"],
    ["e.jsonl.gz", "jsonl", '{"id": 1, "zip": "01234"}\n{"id": 2, "zip": "10001"}\n'],
    ["e.json.gz", "json", '[{"id": 1, "zip": "01234"}, {"id": 2, "zip": "10001"}]'],
  ];
  for (const [file, format, text] of plain) {
    it(`reads ${file} and fingerprints its compressed bytes`, async () => {
      const gz = gzipSync(Buffer.from(text));
      const x = await exportSource({ [file]: gz }, entity(file, format));
      expect(x.manifest.columns).to.deep.equal([
        { name: "id", type: "int64" },
        { name: "zip", type: "string" },
      ]);
      expect(x.rows).to.deep.equal([
        { id: 1n, zip: "01234" },
        { id: 2n, zip: "10001" },
      ]);
      expect(x.manifest.sources).to.have.length(1);
      expect(x.manifest.sources[0]).to.include({
        path: file,
        bytes: gz.length,
        sha256: createHash("sha256").update(gz).digest("hex"),
      });
    });
  }

  const hasZstd = spawnSync("zstd", ["--version"]).status === 0;
  /** The text compressed by the `zstd` command, not by the code under test's decoder. */
  const zstd = (text: string) => execFileSync("zstd", ["-q", "-c", "-19"], { input: text });

  for (const [gzFile, format, text] of plain) {
    const file = gzFile.replace(/\.gz$/, ".zst");
    it(`reads ${file} (made by the zstd command) and fingerprints its compressed bytes`, async function () {
      if (!hasZstd) this.skip();
      const zst = zstd(text);
      const x = await exportSource({ [file]: zst }, entity(file, format));
      expect(x.manifest.columns).to.deep.equal([
        { name: "id", type: "int64" },
        { name: "zip", type: "string" },
      ]);
      expect(x.rows).to.deep.equal([
        { id: 1n, zip: "01234" },
        { id: 2n, zip: "10001" },
      ]);
      expect(x.manifest.sources[0]).to.include({
        path: file,
        bytes: zst.length,
        sha256: createHash("sha256").update(zst).digest("hex"),
      });
    });
  }

  it("names the line of a bad value inside a .csv.zst as the decompressed text has it", async function () {
    if (!hasZstd) this.skip();
    const { error } = await runSource(
      { "e.csv.zst": zstd('id,note,v\n1,"a\nb",1\n2,,x\n') },
      entity("e.csv.zst", "csv", [
        { name: "id", type: "int32" },
        { name: "note", type: "string" },
        { name: "v", type: "int32" },
      ]),
    );
    expect(error).to.contain('e.csv.zst line 4 (row 2), column "v": value "x" is not an int32');
  });

  it("fails a cut-short .csv.zst as a data error naming the file, with nothing written", async function () {
    if (!hasZstd) this.skip();
    const whole = zstd(
      `id,v\n${Array.from({ length: 2000 }, (_, i) => `${i},${i * 7}`).join("\n")}\n`,
    );
    const { error, errorKind } = await runSource(
      { "cut.csv.zst": whole.subarray(0, Math.floor(whole.length / 2)) },
      entity("cut.csv.zst", "csv", [
        { name: "id", type: "int32" },
        { name: "v", type: "int32" },
      ]),
    );
    expect(error).to.contain("cut.csv.zst");
    expect(errorKind, error).to.equal("data");
  });

  it("reads a .csv.zst of two frames (as `cat a.zst b.zst` makes), the header split between them", async function () {
    if (!hasZstd) this.skip();
    const names = Array.from({ length: 40 }, (_, i) => `column_number_${i}`);
    const text = `${names.join(",")}\n${names.map((_, i) => i).join(",")}\n`;
    // DuckDB and the header reader must both read on past the first frame.
    const half = text.indexOf(",column_number_20");
    const zst = Buffer.concat([zstd(text.slice(0, half)), zstd(text.slice(half))]);
    const x = await exportSource({ "wide.csv.zst": zst }, entity("wide.csv.zst", "csv"));
    expect(x.manifest.columns.map((c) => c.name)).to.deep.equal(names);
    expect(x.rows).to.have.length(1);
  });

  it("exports a 3,000-column .csv.zst exactly, its types inferred (was hours: one query of 27,000 aggregates)", async function () {
    if (!hasZstd) this.skip();
    this.timeout(300_000);
    // Column i: whole numbers (i % 3 = 0), words, or codes with a leading zero (which stay text).
    const names = Array.from({ length: 3000 }, (_, i) => `col_${i}`);
    const value = (row: number, i: number) =>
      i % 3 === 0 ? String(row * 1000 + i) : i % 3 === 1 ? `w${row}_${i}` : `0${row}${i}`;
    const rows = 20;
    const lines = [names.join(",")];
    for (let r = 0; r < rows; r++) lines.push(names.map((_, i) => value(r, i)).join(","));
    const x = await exportSource(
      { "wide.csv.zst": zstd(`${lines.join("\n")}\n`) },
      entity("wide.csv.zst", "csv"),
    );
    expect(x.manifest.columns).to.deep.equal(
      names.map((name, i) => ({ name, type: i % 3 === 0 ? "int64" : "string" })),
    );
    // Expected: the values as generated above, whole numbers as the BigInts hyparquet reads.
    expect(x.rows).to.deep.equal(
      Array.from({ length: rows }, (_, r) =>
        Object.fromEntries(
          names.map((name, i) => [name, i % 3 === 0 ? BigInt(value(r, i)) : value(r, i)]),
        ),
      ),
    );
  });

  it("names the line of a bad value inside a .csv.gz as the decompressed text has it", async () => {
    const gz = gzipSync(Buffer.from('id,note,v\n1,"a\nb",1\n2,,x\n'));
    const { error } = await runSource(
      { "e.csv.gz": gz },
      entity("e.csv.gz", "csv", [
        { name: "id", type: "int32" },
        { name: "note", type: "string" },
        { name: "v", type: "int32" },
      ]),
    );
    expect(error).to.contain('e.csv.gz line 4 (row 2), column "v": value "x" is not an int32');
  });
});
