// The engine's snapshot decisions as plain function calls, from the mutation run's survivors
// (RELIABILITY.md): which manifest text counts as a snapshot's manifest (anything else leaves the
// snapshot incomplete, never served), what retention keeps, and when recorded hashes may stand in
// for reading the sources (the racy-git rule: only files older than the check by RACY_MARGIN_MS).

import { expect } from "chai";
import { parseManifest, planRetention, type CompleteSnapshot } from "../../src/engine/snapshots";
import { hashesReusable, RACY_MARGIN_MS } from "../../src/engine/fingerprint";
import type { SnapshotManifest } from "../../src/plan/manifest";
import type { SourceFile } from "../../src/engine/sources/resolveSources";

const SHA = "a".repeat(64);
const CREATED = "2026-01-01T00:00:00.000Z";
const CREATED_MS = Date.parse(CREATED);

const manifest = (): Record<string, any> => ({
  manifestVersion: 1,
  entity: "Customer",
  snapshot: "0123456789abcdef",
  format: "parquet",
  columns: [{ name: "Id", type: "int64" }],
  columnsInferred: false,
  files: [{ name: "part-00000.parquet", bytes: 10, rows: 2 }],
  rows: 2,
  bytes: 10,
  createdAt: CREATED,
  sources: [{ path: "data/c.csv", bytes: 5, mtimeMs: CREATED_MS - 60_000, sha256: SHA }],
});
const parse = (m: unknown) =>
  parseManifest(typeof m === "string" ? m : JSON.stringify(m), "Customer", "0123456789abcdef");

describe("which manifest text counts as a snapshot's manifest", () => {
  it("accepts a whole manifest of this entity and snapshot, as written", () => {
    expect(parse(manifest())).to.deep.equal(manifest());
    expect(parse({ ...manifest(), format: "csv" })?.format).to.equal("csv");
  });

  const damaged: [string, (m: Record<string, any>) => unknown][] = [
    ["text that is not JSON", () => '{"manifestVersion": 1,'],
    ["null", () => null],
    ["a number", () => 7],
    ["another manifest version", (m) => ({ ...m, manifestVersion: 2 })],
    ["another entity's", (m) => ({ ...m, entity: "Orders" })],
    ["another snapshot's", (m) => ({ ...m, snapshot: "fedcba9876543210" })],
    ["an unknown format", (m) => ({ ...m, format: "orc" })],
    ["no columns", (m) => ({ ...m, columns: [] })],
    ["columns that are not a list", (m) => ({ ...m, columns: "Id" })],
    ["no files", (m) => ({ ...m, files: [] })],
    ["files that are not a list", (m) => ({ ...m, files: "part-00000.parquet" })],
    ["a file without a name", (m) => ({ ...m, files: [{ bytes: 10, rows: 2 }] })],
    [
      "a file name with a folder in it",
      (m) => ({ ...m, files: [{ name: "../x.parquet", bytes: 10, rows: 2 }] }),
    ],
    [
      "a file whose size is not a number",
      (m) => ({ ...m, files: [{ name: "p.parquet", bytes: "10", rows: 2 }] }),
    ],
    [
      "a file whose rows are not a number",
      (m) => ({ ...m, files: [{ name: "p.parquet", bytes: 10 }] }),
    ],
    [
      "one good file and one bad",
      (m) => ({ ...m, files: [...m.files, { name: "p/q.parquet", bytes: 1, rows: 1 }] }),
    ],
    ["rows that are not a number", (m) => ({ ...m, rows: "2" })],
    ["no creation time", (m) => ({ ...m, createdAt: undefined })],
    ["a creation time that is not a date", (m) => ({ ...m, createdAt: "yesterday" })],
    ["no sources", (m) => ({ ...m, sources: undefined })],
    ["a creation time that is a number", (m) => ({ ...m, createdAt: 2026 })],
    ["a file entry that is null", (m) => ({ ...m, files: [null] })],
  ];
  for (const [label, damage] of damaged) {
    it(`refuses ${label}`, () => {
      expect(parse(damage(manifest()))).to.equal(undefined);
    });
  }
});

describe("what retention keeps", () => {
  const snapshots = ["c", "b", "a"].map((id) => ({ id }) as unknown as CompleteSnapshot);
  const ids = (list: CompleteSnapshot[]) => list.map((s) => (s as unknown as { id: string }).id);

  it("keeps the newest `keep` (listed newest first) and removes the rest", () => {
    const { kept, removed } = planRetention(snapshots, 2);
    expect([ids(kept), ids(removed)]).to.deep.equal([["c", "b"], ["a"]]);
  });

  it("always keeps the served one, and counts whole snapshots only", () => {
    expect(ids(planRetention(snapshots, 0).kept)).to.deep.equal(["c"]);
    expect(ids(planRetention(snapshots, 2.9).kept)).to.deep.equal(["c", "b"]);
    expect(ids(planRetention(snapshots, 5).removed)).to.deep.equal([]);
  });
});

describe("when recorded hashes stand in for reading the sources", () => {
  const old = CREATED_MS - RACY_MARGIN_MS - 1;
  const file = (extra: Partial<SourceFile> = {}): SourceFile => ({
    absPath: "/spec/data/c.csv",
    relPath: "data/c.csv",
    bytes: 5,
    mtimeMs: old,
    ctimeMs: old,
    ino: 7,
    dev: 1,
    ...extra,
  });
  const previous = (source: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    ({
      ...manifest(),
      sources: [
        {
          path: "data/c.csv",
          bytes: 5,
          mtimeMs: old,
          ctimeMs: old,
          ino: 7,
          dev: 1,
          sha256: SHA,
          ...source,
        },
      ],
      ...extra,
    }) as SnapshotManifest;

  it("reuses them for the same path, size and modification time, older than the check by the margin", () => {
    expect(hashesReusable([file()], previous())).to.equal(true);
    expect(hashesReusable([], previous())).to.equal(true);
  });

  it("reads again a file it has no record of, or whose size or modification time moved", () => {
    expect(hashesReusable([file(), file({ relPath: "data/d.csv" })], previous())).to.equal(false);
    expect(hashesReusable([file({ bytes: 6 })], previous())).to.equal(false);
    expect(hashesReusable([file({ mtimeMs: old - 1 })], previous())).to.equal(false);
    // What `touch -r` cannot put back: the change time, and another file at the same path.
    expect(hashesReusable([file({ ctimeMs: old + 1 })], previous())).to.equal(false);
    expect(hashesReusable([file({ ino: 8 })], previous())).to.equal(false);
    expect(hashesReusable([file({ dev: 2 })], previous())).to.equal(false);
    // A record from a version that kept no ctime, inode and device is hashed again, once.
    expect(hashesReusable([file()], previous({ ctimeMs: undefined }))).to.equal(false);
  });

  it("does not trust a record that is malformed, racy, or too close to the check", () => {
    expect(hashesReusable([file()], previous({ sha256: "A".repeat(64) }))).to.equal(false);
    expect(hashesReusable([file()], previous({ sha256: `${SHA}0` }))).to.equal(false);
    expect(hashesReusable([file()], previous({ sha256: `0${SHA}` }))).to.equal(false);
    expect(hashesReusable([file()], previous({ sha256: undefined }))).to.equal(false);
    expect(hashesReusable([file()], previous({ path: undefined }))).to.equal(false);
    // -1 is how a racy file is recorded.
    expect(hashesReusable([file({ mtimeMs: -1 })], previous({ mtimeMs: -1 }))).to.equal(false);
    const atMargin = CREATED_MS - RACY_MARGIN_MS;
    expect(hashesReusable([file({ mtimeMs: atMargin })], previous({ mtimeMs: atMargin }))).to.equal(
      false,
    );
    expect(hashesReusable([file({ mtimeMs: 0 })], previous({ mtimeMs: 0 }))).to.equal(true);
  });

  it("measures the margin from the last check of the sources when there was one", () => {
    const recent = CREATED_MS + 10_000;
    const later = new Date(recent + RACY_MARGIN_MS + 1).toISOString();
    expect(
      hashesReusable(
        [file({ mtimeMs: recent })],
        previous({ mtimeMs: recent }, { sourcesCheckedAt: later }),
      ),
    ).to.equal(true);
    expect(hashesReusable([file({ mtimeMs: recent })], previous({ mtimeMs: recent }))).to.equal(
      false,
    );
  });
});
