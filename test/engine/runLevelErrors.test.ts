// What fails after the entities ran (the scan for removed entities, the lock release) is the run's
// failure, reported beside the entities' results rather than instead of them.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import * as path from "node:path";
import { runExport } from "../../src/engine";
import { LocalLake } from "../../src/engine/lake/localLake";
import type { LakeEntry, LakeLock } from "../../src/engine/lake/lakeStore";
import { makeSpec, removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

/** A lake whose outage starts once the entities are done: listing the database folder fails. */
class LateOutageLake extends LocalLake {
  failDatabaseListing = false;
  failRelease = false;
  override async list(prefix: string): Promise<LakeEntry[]> {
    if (this.failDatabaseListing && prefix === "ci_export")
      throw new Error("503 Server Busy (injected)");
    return super.list(prefix);
  }
  override async acquireLock(
    name: string,
    options: Parameters<LocalLake["acquireLock"]>[1],
  ): Promise<LakeLock> {
    const lock = await super.acquireLock(name, options);
    return {
      release: async () => {
        await lock.release();
        if (this.failRelease) throw new Error("LeaseIdMismatchWithLeaseOperation (injected)");
      },
    };
  }
}

describe("a run that fails after its entities ran", () => {
  after(removeTempDirs);

  async function setUp() {
    const dir = await tempDir("late");
    const base = path.join(dir, "spec");
    await writeFiles(base, { "customer.csv": "id,name\n1,Ada\n" });
    const spec = makeSpec(base, [
      { name: "Customer", source: { path: "customer.csv", format: "csv" } },
    ]);
    return { spec, lake: new LateOutageLake(path.join(dir, "lake"), "ci-export") };
  }

  it("keeps the entities' results and reports the removed-entity scan's failure as the run's", async () => {
    const { spec, lake } = await setUp();
    // The outage starts once the entity is done.
    const record = await runExport(spec, {
      lake,
      onProgress: (e) => {
        if (e.kind === "entity-finished") lake.failDatabaseListing = true;
      },
    });
    expect(record.entities.map((e) => [e.name, e.status])).to.deep.equal([
      ["Customer", "exported"],
    ]);
    expect(record.ok).to.equal(false);
    expect(errorText(record)).to.match(
      /looking for entities removed from the spec failed: 503 Server Busy/,
    );
  });

  it("reports a lock that could not be released after a finished run, without losing the results", async () => {
    const { spec, lake } = await setUp();
    lake.failRelease = true;
    const record = await runExport(spec, { lake });
    expect(record.entities[0].status).to.equal("exported");
    expect(record.ok).to.equal(false);
    expect(errorText(record)).to.match(/the export lock could not be released: LeaseIdMismatch/);
  });
});
