// Issue 11 item 9: which snapshot is "newest" must not depend on a writer's clock. A run on a machine
// whose clock is a day fast writes snapshot A; a run with a true clock then writes B from new data.
// `runOnDeploy: false` (publishLatestSnapshot) must serve B, and the next run must see B as the one
// served. Expected rows are the CSV text of the second version, read without the export.

import { expect } from "chai";
import { publishLatestSnapshot } from "../../src/engine/exportOperations";
import { listSnapshots } from "../../src/engine/snapshots";
import { localTarget } from "../../src/engine/targets";
import { LocalSql } from "../../src/engine/sql/localSql";
import { customerWorld, removeTempDirs } from "./support/fixtures";

const DAY_MS = 24 * 3600_000;

/** Runs `work` in this process as on a machine whose clock is `ms` ahead: every `Date` of it. */
async function withClockAhead<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const RealDate = Date;
  class FastDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + ms);
      else super(...(args as [string]));
    }
    static override now(): number {
      return RealDate.now() + ms;
    }
  }
  globalThis.Date = FastDate as DateConstructor;
  try {
    return await work();
  } finally {
    globalThis.Date = RealDate;
  }
}

describe("snapshot order with a writer whose clock is a day fast (issue 11 item 9)", () => {
  after(removeTempDirs);

  it("the snapshot written last is the newest, whatever the clocks said", async function () {
    this.timeout(30_000);
    const { out, write, run: exportWith, spec } = await customerWorld("order");

    await write("id,name\n1,Ada\n");
    const fast = await withClockAhead(DAY_MS, exportWith);
    await write("id,name\n1,Ada\n2,Grace\n");
    const trueClock = await exportWith();
    const a = fast.entities[0].snapshot;
    const b = trueClock.entities[0].snapshot;
    expect(a).to.be.a("string").and.not.equal(b);

    const lake = localTarget(spec, out).lake;
    const listing = await listSnapshots(lake, "ci_export", "Customer");
    expect(listing.complete.map((s) => s.snapshot)).to.deep.equal([b, a]);

    // runOnDeploy: false points the view at the newest snapshot the lake holds.
    const published = await publishLatestSnapshot(spec, { kind: "local", dir: out }, "Customer");
    expect(published.snapshot).to.equal(b);
    const sql = new LocalSql(out);
    try {
      const rows = await sql.query("ci_export", "SELECT name FROM Customer ORDER BY id");
      expect(rows.map((r) => r.name)).to.deep.equal(["Ada", "Grace"]);
    } finally {
      await sql.close();
    }

    // And a run with the true clock on the same data is a no-op on B, not a promotion.
    const again = await exportWith();
    expect(again.entities[0]).to.include({ status: "unchanged", snapshot: b });
  });
});
