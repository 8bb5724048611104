// The product's BULK path matcher (src/engine/serverSide/lakeSourceListing.ts, which decides what a
// server-side run fingerprints) and the TDS test server's (test/servers/tds/bulkPathMatch.ts, what
// "serverless" reads) must agree, and both must read what Microsoft's pages say: each row's expected
// files are written by hand from the rule cited beside it (see bulkPathMatch.ts for the full URLs).

import assert from "node:assert/strict";
import { matchBulkPath } from "../../src/engine/serverSide/lakeSourceListing";
import type { LakeEntry } from "../../src/engine/lake/lakeStore";
import { bulkPathFiles } from "./tds/bulkPathMatch";

const listing = [
  "data/a.csv",
  "data/b.csv",
  "data/B.CSV",
  "data/notes.txt",
  "data/_SUCCESS",
  "data/.part.crc",
  "data/sub/c.csv",
  "data/sub/deep/d.csv",
  "data/_hidden/e.csv",
  "data/.tmp/f.csv",
  "data/sub/_g.csv",
  "other/h.csv",
];

const rows: { path: string; files: string[]; rule: string }[] = [
  {
    path: "data/a.csv",
    files: ["data/a.csv"],
    rule: "a file named whole (develop-openrowset BULK)",
  },
  {
    path: "data",
    files: ["data/B.CSV", "data/a.csv", "data/b.csv", "data/notes.txt"],
    rule: "a folder reads its files directly in it, no subfolders, no hidden (develop-openrowset BULK)",
  },
  {
    path: "data/",
    files: ["data/B.CSV", "data/a.csv", "data/b.csv", "data/notes.txt"],
    rule: "a trailing / is the folder (develop-openrowset BULK, the webdata/ example)",
  },
  {
    path: "data/*.csv",
    files: ["data/a.csv", "data/b.csv"],
    rule: "* within one segment, case-sensitive, not into subfolders (query-folders-multiple-csv-files)",
  },
  {
    path: "data/*",
    files: ["data/B.CSV", "data/a.csv", "data/b.csv", "data/notes.txt"],
    rule: "* does not match / and skips hidden names (develop-storage-files-overview)",
  },
  {
    path: "data/*/*.csv",
    files: ["data/sub/c.csv"],
    rule: "one level down; hidden folders _hidden and .tmp skipped (query-folders-multiple-csv-files)",
  },
  {
    path: "data/**",
    files: [
      "data/B.CSV",
      "data/a.csv",
      "data/b.csv",
      "data/notes.txt",
      "data/sub/c.csv",
      "data/sub/deep/d.csv",
    ],
    rule: "a final /** reads every file below, recursively, hidden ones skipped (develop-openrowset BULK)",
  },
  {
    path: "data/_hidden/*.csv",
    files: ["data/_hidden/e.csv"],
    rule: "a hidden folder named explicitly is read (cloudtheus external-data-sources)",
  },
  {
    path: "data/_SUCCESS",
    files: ["data/_SUCCESS"],
    rule: "a hidden file named explicitly is read (cloudtheus external-data-sources)",
  },
  {
    path: "data/?.csv",
    files: ["data/a.csv", "data/b.csv"],
    rule: "? is one character (docs silent)",
  },
  {
    path: "data/A.csv",
    files: [],
    rule: "names are case-sensitive (naming-and-referencing blobs)",
  },
  {
    path: "data/sub/*.csv",
    files: ["data/sub/c.csv"],
    rule: "_g.csv is hidden (develop-openrowset)",
  },
];

function entries(paths: readonly string[]): LakeEntry[] {
  return paths.map((path) => ({ path, isDirectory: false, size: 1 }));
}

describe("BULK path matching: the product and the test server read the files the docs say", () => {
  for (const row of rows) {
    it(`${row.path}: ${row.rule}`, () => {
      const product = matchBulkPath(row.path, entries(listing)).map((e) => e.path);
      const server = bulkPathFiles(row.path, listing);
      assert.deepEqual(server, row.files, "test server");
      assert.deepEqual(product, row.files, "product");
    });
  }
});
