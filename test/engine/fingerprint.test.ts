// The snapshot fingerprint: same input, same id; any change of bytes, columns or format, a new id;
// recorded hashes reused only when the file is provably the one hashed (the racy-git rule).

import { expect } from "chai";
import fc from "fast-check";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { fingerprint, RACY_MARGIN_MS, type FingerprintInput } from "../../src/engine/fingerprint";
import { resolveSources } from "../../src/engine/sources/resolveSources";
import type { SnapshotManifest } from "../../src/plan/manifest";
import type { ColumnSpec } from "../../src/spec/types";
import { age, removeTempDirs, settle, tempDir, writeFiles } from "./support/fixtures";

const COLUMNS: ColumnSpec[] = [
  { name: "id", type: "int64" },
  { name: "amount", type: "decimal", precision: 18, scale: 2 },
];

async function input(
  dir: string,
  pattern = "*.csv",
  extra: Partial<FingerprintInput> = {},
): Promise<FingerprintInput> {
  const files = await resolveSources(dir, { name: "E", source: { path: pattern, format: "csv" } });
  return {
    destination: { account: "stcilake", container: "ci-export", entity: "E" },
    sourceFormat: "csv",
    exportFormat: "parquet",
    declaredColumns: COLUMNS,
    files,
    ...extra,
  };
}

function manifestWith(sources: SnapshotManifest["sources"], createdAt: Date): SnapshotManifest {
  return {
    manifestVersion: 1,
    entity: "E",
    snapshot: "x",
    format: "parquet",
    columns: COLUMNS,
    columnsInferred: false,
    files: [{ name: "part-00000.parquet", bytes: 1, rows: 1 }],
    rows: 1,
    bytes: 1,
    createdAt: createdAt.toISOString(),
    sources,
  };
}

describe("snapshot fingerprint", () => {
  after(removeTempDirs);

  it("is stable: same bytes, columns and formats give the same id, wherever the files are and whenever written", async () => {
    const a = await tempDir("fp");
    const b = await tempDir("fp");
    const files = { "x.csv": "id,amount\n1,2.50\n", "y.csv": "id,amount\n2,3.00\n" };
    await writeFiles(a, files);
    await writeFiles(b, files);
    await age(path.join(b, "x.csv"), 3600_000);
    const fa = await fingerprint(await input(a));
    const fb = await fingerprint(await input(b));
    expect(fa.snapshot).to.match(/^[0-9a-f]{16}$/);
    expect(fb.snapshot).to.equal(fa.snapshot);
    const reordered = COLUMNS.map(
      (c) => Object.fromEntries(Object.entries(c).reverse()) as ColumnSpec,
    );
    expect(
      (await fingerprint(await input(a, "*.csv", { declaredColumns: reordered }))).snapshot,
    ).to.equal(fa.snapshot);
    const { createHash } = await import("node:crypto");
    expect(fa.sources.map((s) => s.sha256)).to.deep.equal(
      Object.values(files).map((text) => createHash("sha256").update(text).digest("hex")),
    );
  });

  it("changes with one byte, the declared columns (a type alone included), the source format or the export format", async () => {
    const dir = await tempDir("fp");
    await writeFiles(dir, { "x.csv": "id,amount\n1,2.50\n" });
    const base = (await fingerprint(await input(dir))).snapshot;
    const ids = new Set([base]);
    const variants: Partial<FingerprintInput>[] = [
      { declaredColumns: [COLUMNS[0], { ...COLUMNS[1], scale: 3 }] },
      // Only a type changes (same names, same order, same bytes): int64 -> int32, decimal -> double.
      { declaredColumns: [{ name: "id", type: "int32" }, COLUMNS[1]] },
      { declaredColumns: [COLUMNS[0], { name: "amount", type: "double" }] },
      { declaredColumns: [COLUMNS[1], COLUMNS[0]] },
      { declaredColumns: [{ name: "id", type: "int64", maxLength: 5 }, COLUMNS[1]] },
      { declaredColumns: undefined },
      { exportFormat: "csv" },
      { sourceFormat: "jsonl" },
    ];
    for (const v of variants) ids.add((await fingerprint(await input(dir, "*.csv", v))).snapshot);
    await fs.writeFile(path.join(dir, "x.csv"), "id,amount\n1,2.51\n");
    ids.add((await fingerprint(await input(dir))).snapshot);
    await fs.rename(path.join(dir, "x.csv"), path.join(dir, "z.csv"));
    ids.add((await fingerprint(await input(dir))).snapshot);
    expect(ids.size).to.equal(variants.length + 3);
  });

  it("changes whenever any byte of the source changes (property)", async () => {
    const dir = await tempDir("fp-prop");
    const file = path.join(dir, "x.csv");
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (bytes, at, delta) => {
          await fs.writeFile(file, bytes);
          const before = (await fingerprint(await input(dir))).snapshot;
          const changed = Buffer.from(bytes);
          changed[at % changed.length] = (changed[at % changed.length] + delta) % 256;
          await fs.writeFile(file, changed);
          const after = (await fingerprint(await input(dir))).snapshot;
          return before !== after;
        },
      ),
      { numRuns: 60 },
    );
  });

  it("reuses a recorded hash for a file with the same path, size, ctime, inode and an old enough mtime, without reading it", async () => {
    const dir = await tempDir("fp-reuse");
    const file = path.join(dir, "x.csv");
    await writeFiles(dir, { "x.csv": "id,amount\n1,2.50\n" });
    await age(file, 60_000);
    await settle();
    const first = await fingerprint(await input(dir));
    expect(first.hashedBytes).to.equal(17);
    expect(first.sources[0].mtimeMs).to.be.greaterThan(0);
    const previous = manifestWith(first.sources, new Date());

    // Nothing touched: the recorded hash is reused (the old id, no byte read).
    const reused = await fingerprint(await input(dir, "*.csv", { previous }));
    expect(reused).to.deep.include({ snapshot: first.snapshot, hashedBytes: 0, reusedBytes: 17 });

    // Same size, mtime put back as `touch -r` does, other bytes: the ctime the write (and utimes)
    // moved tells, so the file is read again and the new bytes give a new id.
    const { mtime } = await fs.stat(file);
    await fs.writeFile(file, "id,amount\n9,9.99\n");
    await fs.utimes(file, mtime, mtime);
    const restored = await fingerprint(await input(dir, "*.csv", { previous }));
    expect(restored.hashedBytes).to.equal(17);
    expect(restored.snapshot).to.not.equal(first.snapshot);

    await age(file, 30_000); // another mtime: read again
    const reread = await fingerprint(await input(dir, "*.csv", { previous }));
    expect(reread.hashedBytes).to.equal(17);
    expect(reread.snapshot).to.not.equal(first.snapshot);
  });

  it("does not trust a hash when the file's mtime was too close to the manifest or to the hashing (racy)", async () => {
    const dir = await tempDir("fp-racy");
    const file = path.join(dir, "x.csv");
    await writeFiles(dir, { "x.csv": "id,amount\n1,2.50\n" });
    const fresh = await fingerprint(await input(dir));
    expect(fresh.sources[0].mtimeMs, "a file written just now is recorded as racy").to.equal(-1);
    const again = await fingerprint(
      await input(dir, "*.csv", { previous: manifestWith(fresh.sources, new Date()) }),
    );
    expect(again.hashedBytes).to.equal(17);

    await age(file, 60_000);
    // An mtime put back (`touch -r`, `cp -p`) with a ctime of just now is racy all the same: a
    // rewrite in the same timestamp tick that puts the mtime back again would keep both.
    const putBack = await fingerprint(await input(dir));
    expect(putBack.sources[0].mtimeMs, "a fresh ctime is racy too").to.equal(-1);
    await settle();
    const aged = await fingerprint(await input(dir));
    const { mtimeMs } = await fs.stat(file);
    const tooClose = manifestWith(aged.sources, new Date(mtimeMs + RACY_MARGIN_MS / 2));
    expect(
      (await fingerprint(await input(dir, "*.csv", { previous: tooClose }))).hashedBytes,
    ).to.equal(17);
    const safe = manifestWith(aged.sources, new Date(mtimeMs + RACY_MARGIN_MS * 2));
    expect((await fingerprint(await input(dir, "*.csv", { previous: safe }))).hashedBytes).to.equal(
      0,
    );
  });
});
