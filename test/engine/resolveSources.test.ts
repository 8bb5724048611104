// Source resolution: globs relative to the spec's folder, and the refusals that protect a run from
// reading what it should not (outside the folder) or cannot (folders, empty files, nothing at all).

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { resolveSources } from "../../src/engine/sources/resolveSources";
import type { EntitySpec } from "../../src/spec/types";
import { removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

const entity = (p: string, format: "csv" | "jsonl" | "parquet" = "csv"): EntitySpec => ({
  name: "Customer",
  source: { path: p, format },
});

async function refused(baseDir: string, p: string): Promise<string> {
  return resolveSources(baseDir, entity(p)).then(
    (files) => expect.fail(`${p} resolved to ${files.map((f) => f.relPath).join(", ")}`),
    (e: Error) => e.message,
  );
}

describe("source resolution", () => {
  let dir: string;
  let base: string;
  before(async () => {
    dir = await tempDir("sources");
    base = path.join(dir, "spec");
    await writeFiles(base, {
      "data/a.csv": "id\n1\n",
      "data/b.csv": "id\n2\n",
      "data/sub/c.csv": "id\n3\n",
      "data/.hidden.csv": "id\n4\n",
      "data/empty.csv": "",
      "data/x[1].csv": "id\n5\n",
      "hid/v.csv": "id\n6\n",
      "hid/.h.csv": "id\n7\n",
    });
    await writeFiles(dir, { "secret.csv": "password\nhunter2\n" });
    await fs.symlink(path.join(dir, "secret.csv"), path.join(base, "data", "link.csv"));
    await fs.symlink(path.join(base, "data", "a.csv"), path.join(base, "inside-link.csv"));
  });
  after(removeTempDirs);

  it("resolves a file and globs, sorted, with sizes and paths relative to the spec's folder", async () => {
    const one = await resolveSources(base, entity("data/a.csv"));
    expect(one).to.have.length(1);
    expect(one[0]).to.include({ relPath: "data/a.csv", bytes: 5 });
    expect(one[0].absPath).to.equal(await fs.realpath(path.join(base, "data/a.csv")));

    const glob = await resolveSources(base, entity("data/?.csv"));
    expect(glob.map((f) => f.relPath)).to.deep.equal(["data/a.csv", "data/b.csv"]);
    const deep = await resolveSources(base, entity("data/**/[a-c].csv"));
    expect(deep.map((f) => f.relPath)).to.deep.equal([
      "data/a.csv",
      "data/b.csv",
      "data/sub/c.csv",
    ]);
    expect((await resolveSources(base, entity("./data/../data/a.csv")))[0].relPath).to.equal(
      "data/a.csv",
    );
  });

  it("does not let * match hidden files", async () => {
    const files = await resolveSources(base, entity("hid/*.csv"));
    expect(files.map((f) => f.relPath)).to.deep.equal(["hid/v.csv"]);
    const explicit = await resolveSources(base, entity("hid/.*.csv"));
    expect(explicit.map((f) => f.relPath)).to.deep.equal(["hid/.h.csv"]);
  });

  it("follows a symbolic link that stays inside the spec's folder", async () => {
    const files = await resolveSources(base, entity("inside-link.csv"));
    expect(files[0].relPath).to.equal("inside-link.csv");
  });

  it("refuses a path that leaves the spec's folder through ..", async () => {
    expect(await refused(base, "../secret.csv")).to.match(/leaves the spec's folder/);
    expect(await refused(base, "data/../../secret.csv")).to.match(/leaves the spec's folder/);
    expect(await refused(base, "../*.csv")).to.match(/leaves the spec's folder/);
    expect(await refused(base, path.join(dir, "secret.csv"))).to.match(/leaves the spec's folder/);
  });

  it("refuses a symbolic link to a file outside the spec's folder, alone or in a glob", async () => {
    expect(await refused(base, "data/link.csv")).to.match(
      /symbolic link .* outside the spec's folder/,
    );
    expect(await refused(base, "data/l*.csv")).to.match(/data\/link\.csv is a symbolic link/);
  });

  it("refuses a folder where a file is expected, and says how to name its files", async () => {
    expect(await refused(base, "data")).to.match(/is a folder, not a file.*"data\/\*\.csv"/);
  });

  it("refuses a glob that matches nothing and a missing file", async () => {
    expect(await refused(base, "data/*.parquet")).to.match(/matches no files/);
    expect(await refused(base, "data/missing.csv")).to.match(/does not exist/);
  });

  it("refuses an empty file, alone or in a glob", async () => {
    expect(await refused(base, "data/empty.csv")).to.match(/data\/empty\.csv is empty \(0 bytes\)/);
    expect(await refused(base, "data/e*.csv")).to.match(/is empty/);
  });

  it("refuses a file inside the export's own local target, and leaves the target out of globs", async () => {
    const lake = path.join(base, "data", "sub");
    const options = { excludeDirs: [lake] };
    const message = await resolveSources(base, entity("data/sub/c.csv"), options).then(
      () => "resolved",
      (e: Error) => e.message,
    );
    expect(message).to.include(`data/sub/c.csv is inside the export's own target ${lake}`);
    const files = await resolveSources(base, entity("data/**/[a-c].csv"), options);
    expect(files.map((f) => f.relPath)).to.not.include("data/sub/c.csv");
    expect(files.map((f) => f.relPath)).to.include("data/a.csv");
  });

  it("records what `touch -r` cannot restore: ctime, inode and device", async () => {
    const [file] = await resolveSources(base, entity("data/a.csv"));
    const stat = await fs.stat(path.join(base, "data/a.csv"));
    expect(file).to.include({ ctimeMs: stat.ctimeMs, ino: stat.ino, dev: stat.dev });
  });

  it("takes an existing name with glob characters as it is", async () => {
    const files = await resolveSources(base, entity("data/x[1].csv"));
    expect(files.map((f) => f.relPath)).to.deep.equal(["data/x[1].csv"]);
  });
});
