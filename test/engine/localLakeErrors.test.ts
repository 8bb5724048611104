// The local lake's filesystem failures are the lake's (kind "lake", or "lock" for the lock file),
// each naming the path and keeping the filesystem's error as `cause`, never a raw Node error that
// `run --json` would report as kind "internal" (a bug). Made as they happen on a disk: a symlink
// loop where a folder or file should be (ELOOP, which root meets too), a file where a folder must be.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { LocalLake } from "../../src/engine/lake/localLake";
import { ExportError } from "../../src/errors";
import { selectEntities } from "../../src/engine/run/runExport";
import { removeTempDirs, tempDir } from "./support/fixtures";

async function newLake(): Promise<LocalLake> {
  const lake = new LocalLake(await tempDir("lake-errors"), "ci-export");
  await lake.ensureContainer();
  return lake;
}

/** A symlink to itself at the lake path: every open of it fails with ELOOP. */
async function loopAt(lake: LocalLake, lakePath: string): Promise<string> {
  const full = lake.resolve(lakePath);
  await fs.mkdir(path.dirname(full), { recursive: true });
  await fs.symlink(full, full);
  return full;
}

async function failure(action: () => Promise<unknown>): Promise<ExportError> {
  try {
    await action();
  } catch (e) {
    expect(e).to.be.instanceOf(ExportError);
    return e as ExportError;
  }
  throw new Error("expected a failure");
}

describe("LocalLake failures carry a kind and their cause", () => {
  after(removeTempDirs);

  it("a file with the container's name: lake, naming the folder", async () => {
    const root = await tempDir("lake-errors");
    await fs.writeFile(path.join(root, "ci-export"), "x");
    const e = await failure(() => new LocalLake(root, "ci-export").ensureContainer());
    expect(e.kind).to.equal("lake");
    expect(e.message).to.include(path.join(root, "ci-export"));
    expect(e.message).to.include("a file stands where the container folder must be");
    expect((e.cause as NodeJS.ErrnoException).code).to.equal("EEXIST");
  });

  it("a listing the filesystem refuses: lake, naming the folder", async () => {
    const lake = await newLake();
    const full = await loopAt(lake, "db/E");
    const e = await failure(() => lake.list("db/E"));
    expect(e.kind).to.equal("lake");
    expect(e.message).to.include(`could not list ${full}`);
    expect((e.cause as NodeJS.ErrnoException).code).to.equal("ELOOP");
  });

  it("a read the filesystem refuses: lake, naming the file", async () => {
    const lake = await newLake();
    const full = await loopAt(lake, "db/E/v=1/_manifest.json");
    const e = await failure(() => lake.readText("db/E/v=1/_manifest.json"));
    expect(e.kind).to.equal("lake");
    expect(e.message).to.include(`could not read ${full}`);
    expect((e.cause as NodeJS.ErrnoException).code).to.equal("ELOOP");
  });

  it("a removal the filesystem refuses: lake, naming the folder", async () => {
    const lake = await newLake();
    // The folder's parent is a file: the rename away fails with ENOTDIR.
    await fs.mkdir(lake.resolve("db"), { recursive: true });
    await fs.writeFile(lake.resolve("db/E"), "x");
    const e = await failure(() => lake.deleteTree("db/E/v=1"));
    expect(e.kind).to.equal("lake");
    expect(e.message).to.include(`could not remove ${lake.resolve("db/E/v=1")}`);
    expect((e.cause as NodeJS.ErrnoException).code).to.equal("ENOTDIR");
  });

  it("a lock file that cannot be written: lock, keeping the filesystem's error as cause", async () => {
    const lake = await newLake();
    await fs.writeFile(lake.resolve("db"), "a file where the database folder must be");
    const e = await failure(() =>
      lake.acquireLock("db/_export.lock", { waitMs: 0, staleMs: 60_000, holder: "test run" }),
    );
    expect(e.kind).to.equal("lock");
    expect(e.message).to.include(lake.resolve("db/_export.lock"));
    expect((e.cause as NodeJS.ErrnoException).code).to.equal("EEXIST");
  });

  it("an entity selection naming no entity of the spec: usage, naming it", () => {
    const spec = { export: { entities: [{ name: "Customer" }] } } as Parameters<
      typeof selectEntities
    >[0];
    let error: unknown;
    try {
      selectEntities(spec, ["Nope"]);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ExportError);
    expect((error as ExportError).kind).to.equal("usage");
    expect((error as ExportError).message).to.equal(
      `Unknown entity "Nope": the spec's entities are "Customer".`,
    );
  });
});
