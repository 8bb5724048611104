// A source exported within moments of being written cannot have its hash trusted by mtime (the
// racy-git rule), so the next run hashes it again. That run must then record the hashes as checked,
// or every later unchanged run would re-read the whole file and stage its Parquet for nothing.

import { expect } from "chai";
import * as path from "node:path";
import { runExport, type ProgressEvent } from "../../src/engine";
import { LocalLake } from "../../src/engine/lake/localLake";
import { manifestPath } from "../../src/plan/lakeLayout";
import { makeSpec, removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

describe("an unchanged source first exported right after it was written", () => {
  after(removeTempDirs);

  it("is hashed again once, then recognised from its recorded hash without reading it", async function () {
    this.timeout(20_000);
    const dir = await tempDir("racy");
    const base = path.join(dir, "spec");
    await writeFiles(base, { "customer.csv": "id,name\n1,Ada\n2,Grace\n" });
    const spec = makeSpec(base, [
      {
        name: "Customer",
        source: { path: "customer.csv", format: "csv" },
        columns: [
          { name: "id", type: "int64" },
          { name: "name", type: "string" },
        ],
      },
    ]);
    const lake = new LocalLake(path.join(dir, "lake"), "ci-export");
    const phases: string[] = [];
    const run = () =>
      runExport(spec, {
        lake,
        onProgress: (e: ProgressEvent) => {
          if (e.kind === "entity-phase") phases.push(e.detail ? `${e.phase} ${e.detail}` : e.phase);
        },
      });
    const manifest = async (snapshot: string) =>
      JSON.parse(
        (await lake.readText(manifestPath(spec.export.databaseName, "Customer", snapshot)))!,
      );

    const first = await run();
    const snapshot = first.entities[0].snapshot!;
    expect((await manifest(snapshot)).sources[0].mtimeMs).to.equal(-1); // racy: not trusted

    // Past the racy margin, the next run must read the file again; it then trusts what it read.
    await new Promise((r) => setTimeout(r, 3_200));
    const second = await run();
    expect(second.entities[0]).to.include({ status: "unchanged", snapshot });
    const checked = await manifest(snapshot);
    expect(checked.sources[0].mtimeMs).to.be.greaterThan(0);
    expect(checked.sourcesCheckedAt).to.be.a("string");

    phases.length = 0;
    const third = await run();
    expect(third.entities[0]).to.include({ status: "unchanged", snapshot });
    expect(phases).not.to.include("write");
    expect(phases.find((p) => p.startsWith("fingerprint "))).to.match(
      /\(0 bytes hashed, \d+ reused\)/,
    );
  });
});
