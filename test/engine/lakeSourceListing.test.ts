// Which listed files a lake source's BULK path reads, as serverless reads them (develop-storage-files-
// overview, "Query multiple files or folders" and "hidden files"): `*` within one segment, a trailing
// `**` every file below, a folder its files directly in it, and never a name beginning with _ or `.`.
// And the snapshot id: taken from the listing (ETag, size, time), so any change of one file changes it.

import { expect } from "chai";
import {
  lakeSnapshotId,
  listingFolder,
  listLakeSource,
  matchBulkPath,
} from "../../src/engine/serverSide/lakeSourceListing";
import type { LakeEntry } from "../../src/engine/lake/lakeStore";
import type { LakeSourceFiles } from "../../src/plan/lakeSource";

const file = (path: string, etag = "0x1"): LakeEntry => ({
  path,
  isDirectory: false,
  size: 10,
  etag,
  lastModified: "2026-01-01T00:00:00.000Z",
});
const LISTING: LakeEntry[] = [
  { path: "sales/orders", isDirectory: true, size: 0 },
  file("sales/orders/2024-01.csv"),
  file("sales/orders/2024-02.csv"),
  file("sales/orders/_SUCCESS"),
  file("sales/orders/.part.tmp"),
  file("sales/orders/notes.txt"),
  file("sales/orders/archive/2023-12.csv"),
  file("sales/orders/_staging/2024-03.csv"),
];
const names = (path: string) => matchBulkPath(path, LISTING).map((e) => e.path);

describe("a lake source's files from one listing", () => {
  it("lists the folder before the first wildcard", () => {
    expect(listingFolder("sales/orders/*.csv")).to.equal("sales/orders");
    expect(listingFolder("sales/orders/**")).to.equal("sales/orders");
    expect(listingFolder("sales/orders/2024-01.csv")).to.equal("sales/orders");
    expect(listingFolder("sales/orders")).to.equal("sales");
    expect(listingFolder("sales/*/x.csv")).to.equal("sales");
  });

  it("matches * within a segment, ** below, a folder's own files, and skips hidden names", () => {
    expect(names("sales/orders/*.csv")).to.deep.equal([
      "sales/orders/2024-01.csv",
      "sales/orders/2024-02.csv",
    ]);
    expect(names("sales/orders/**")).to.deep.equal([
      "sales/orders/2024-01.csv",
      "sales/orders/2024-02.csv",
      "sales/orders/archive/2023-12.csv",
      "sales/orders/notes.txt",
    ]);
    expect(names("sales/orders")).to.deep.equal([
      "sales/orders/2024-01.csv",
      "sales/orders/2024-02.csv",
      "sales/orders/notes.txt",
    ]);
    expect(names("sales/orders/2024-02.csv")).to.deep.equal(["sales/orders/2024-02.csv"]);
  });

  const source: LakeSourceFiles = {
    files: [
      {
        account: "stcilake",
        container: "raw",
        path: "sales/orders/*.csv",
        endpoint: "dfs",
        suffix: "core.windows.net",
      },
    ],
    format: "csv",
    csv: { delimiter: ",", quote: '"', header: true },
    columns: [{ name: "Id", type: "int64" }],
  };

  it("fails naming the location when it matches no file, and takes the id from ETags", async () => {
    let error: Error | undefined;
    await listLakeSource(source, async () => [file("sales/orders/_SUCCESS")]).catch(
      (e: Error) => (error = e),
    );
    expect(error?.message).to.equal(
      "https://stcilake.dfs.core.windows.net/raw/sales/orders/*.csv matches no file in the lake (names beginning with _ or . are not read); nothing was written.",
    );
    const before = await listLakeSource(source, async () => LISTING);
    const after = await listLakeSource(source, async () =>
      LISTING.map((e) => (e.path.endsWith("2024-02.csv") ? file(e.path, "0x2") : e)),
    );
    expect(before.map((f) => f.url)).to.deep.equal([
      "https://stcilake.dfs.core.windows.net/raw/sales/orders/2024-01.csv",
      "https://stcilake.dfs.core.windows.net/raw/sales/orders/2024-02.csv",
    ]);
    const at = { account: "stcilake", container: "ci-export", entity: "Orders" };
    expect(lakeSnapshotId(source, after, at)).to.not.equal(lakeSnapshotId(source, before, at));
    expect(lakeSnapshotId(source, before, at)).to.match(/^[0-9a-f]{16}$/);
    // Another container, or the entity spelt in another case: another snapshot, so another table.
    for (const elsewhere of [
      { ...at, container: "ci-export2" },
      { ...at, account: "stother" },
      { ...at, entity: "orders" },
    ]) {
      expect(lakeSnapshotId(source, before, elsewhere)).to.not.equal(
        lakeSnapshotId(source, before, at),
      );
    }
  });
});
