// Crash safety in `npm test`: the check of `npm run reliability:crash` with five kills on a small
// input. The real CLI is SIGKILLed at moments spread over a run; after each kill every view must
// answer with a whole snapshot (the source before or after the change, by row count and checksum read
// by DuckDB from the CSVs), the database must open, and a last run must converge. The moments are
// the run's own file operations (the Nth rename, write, mkdir... it reports), so a slow, busy
// machine moves them in time but never makes the check run out of kills; mocha's timeout is the
// only clock, a safety net.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCrashCheck } from "./support/crashCheck";

describe("crash safety: SIGKILL of `run --local` at five moments", function () {
  this.timeout(240_000);

  it("every view serves a whole snapshot after each kill, and a last run converges", async () => {
    const workDir = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-crash-test-"));
    const result = await runCrashCheck({
      workDir,
      kills: 5,
      rows: 400_000,
      appendRows: 1_000,
      seed: 5,
    });
    const describe = [
      `a full run: ${result.fullRunEvents} file operations`,
      ...result.kills.map(
        (k) =>
          `kill ${k.kill} at file operation ${k.atEvent}: ${k.newViews} views new${k.finishedFirst ? " (run ended first)" : ""}`,
      ),
    ].join("\n");
    expect(result.failures, describe).to.deep.equal([]);
    expect(result.deadlineHit).to.equal(false);
    // Spread over the run: the moments are in five different fifths of it.
    const fifths = new Set(result.kills.map((k) => Math.floor(k.fraction * 5)));
    expect(fifths.size, "kills in distinct fifths of a run").to.equal(5);
    expect(
      result.kills.filter((k) => !k.finishedFirst),
      "kills that landed inside a run",
    ).to.have.length(5);
    expect(result.convergence.exitCode).to.equal(0);
    expect(result.convergence.snapshotsPerEntity).to.deep.equal([2, 2, 2]);
  });
});
