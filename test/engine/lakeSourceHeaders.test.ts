// The header rows of a lake-resident CSV source, read before serverless exports it: how many bytes
// the runner reads of each file (the header, and less than one more header's worth), and which
// headers fail the entity. The reader here serves bytes from memory, counting what it was asked for.

import { expect } from "chai";
import { checkLakeHeaders } from "../../src/engine/serverSide/lakeSourceHeaders";
import type { ListedLakeFile } from "../../src/engine/serverSide/lakeSourceListing";
import type { LakeSourceFiles } from "../../src/plan/lakeSource";
import type { ColumnSpec } from "../../src/spec/types";

const location = {
  account: "acct",
  container: "raw",
  path: "",
  endpoint: "dfs",
  suffix: "core.windows.net",
} as const;

function world(texts: Record<string, string>, columns: ColumnSpec[]) {
  const data = new Map(Object.entries(texts).map(([p, t]) => [p, Buffer.from(t, "utf8")]));
  const files: ListedLakeFile[] = [...data].map(([p, b]) => ({
    url: `https://acct.dfs.core.windows.net/raw/${p}`,
    location: { ...location, path: p },
    bytes: b.length,
    etag: "0x1",
    lastModified: "Mon, 01 Jan 2024 00:00:00 GMT",
  }));
  const read: Record<string, number> = {};
  const source: LakeSourceFiles = {
    files: [{ ...location, path: "*.csv" }],
    format: "csv",
    csv: { delimiter: ",", quote: '"', header: true },
    columns,
  };
  const run = () =>
    checkLakeHeaders(source, files, async (file, offset, count) => {
      read[file.location.path] = (read[file.location.path] ?? 0) + count;
      return data.get(file.location.path)!.subarray(offset, offset + count);
    });
  return { run, read };
}

const cols = (...names: string[]): ColumnSpec[] => names.map((name) => ({ name, type: "string" }));

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the header check to fail");
}

describe("the header rows of a lake-resident CSV source", () => {
  it("reads a header of just the declared columns with no byte of a row after it", async () => {
    const w = world(
      { "a.csv": "id,name\n1,Ann\n", "b.csv": "id,name\r\n2,Bob\r\n" },
      cols("id", "name"),
    );
    await w.run();
    expect(w.read).to.deep.equal({ "a.csv": "id,name\n".length, "b.csv": "id,name\r".length });
  });

  it("reads a longer header (extra columns, quotes, a BOM) by doubling, less than one header past it", async () => {
    const header = `\uFEFF"id",${Array.from({ length: 40 }, (_, i) => `extra_${i}`).join(",")},"name"\n`;
    const w = world(
      { "a.csv": `${header}1,${"x,".repeat(40)}Ann\n`.repeat(50) },
      cols("id", "name"),
    );
    await w.run();
    const headerBytes = Buffer.byteLength(header);
    expect(w.read["a.csv"])
      .to.be.at.least(headerBytes)
      .and.below(2 * headerBytes);
  });

  it("fails naming the file and the column a header lacks, and a name written in another case", async () => {
    const missing = await failure(world({ "a.csv": "id\n1\n" }, cols("id", "name")).run());
    expect(missing.message).to.equal(
      "https://acct.dfs.core.windows.net/raw/a.csv: column \"name\" is declared in the spec but is not in this file's header (its columns: id). serverless binds a lake file's columns by the header's names, so this column's values would not be read. Fix the name in the spec or in the file. Nothing was written.",
    );
    const cased = await failure(world({ "a.csv": "id,Name\n1,Ann\n" }, cols("id", "name")).run());
    expect(cased.message).to.contain(
      'its header writes "Name" where column "name" is declared as "name"',
    );
  });

  it("fails on a header naming a column twice, as the runner's read of the same file does", async () => {
    const e = await failure(
      world({ "a.csv": "id,name,name\n1,Ann,Bob\n" }, cols("id", "name")).run(),
    );
    expect(e.message).to.contain('the header names "name" twice (columns 2 and 3)');
  });

  it("takes a header-only file without a line end, skips an empty file, and refuses a header that never ends", async () => {
    await world({ "a.csv": "id,name", "b.csv": "" }, cols("id", "name")).run();
    const endless = await failure(
      world({ "a.csv": `id,name,"${"x".repeat(1 << 20)}` }, cols("id", "name")).run(),
    );
    expect(endless.message).to.contain("a.csv: the header row does not end (an unclosed quote?)");
  });
});
