// The manifest's text as written to `_manifest.json`: what a reader parses back is the manifest,
// and the text is the indented JSON the lake has always held (one trailing newline).

import { expect } from "chai";
import { manifestText, type SnapshotManifest } from "../../src/plan/manifest";

const MANIFEST: SnapshotManifest = {
  manifestVersion: 1,
  entity: "Customer",
  snapshot: "00000001abcdef01",
  format: "parquet",
  columns: [{ name: "Id", type: "int64" }],
  columnsInferred: false,
  files: [{ name: "part-00000.parquet", bytes: 10, rows: 1 }],
  rows: 1,
  bytes: 10,
  createdAt: "2026-03-01T10:00:00.000Z",
  sequence: 1,
  sources: [{ path: "data/c.csv", bytes: 5, mtimeMs: 1, sha256: "a".repeat(64) }],
};

describe("manifest text", () => {
  it("parses back to the manifest", () => {
    expect(JSON.parse(manifestText(MANIFEST))).to.deep.equal(MANIFEST);
  });

  it("is indented by two spaces and ends with one newline", () => {
    const text = manifestText(MANIFEST);
    expect(text.startsWith('{\n  "manifestVersion": 1,\n  "entity": "Customer",\n')).to.equal(true);
    expect(text.endsWith("\n}\n")).to.equal(true);
  });
});
