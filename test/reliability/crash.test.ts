// Crash safety in `npm test`: the check of `npm run reliability:crash` with five kills on a small
// input. The real CLI is SIGKILLed at moments spread over a run; after each kill every view must
// answer with a whole snapshot (the source before or after the change, by row count and checksum read
// by DuckDB from the CSVs), the database must open, and a last run must converge. Bounded: the check
// stops killing when 40 s are near, and the test then fails for want of kills.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCrashCheck } from "../../scripts/reliability/crashCheck";

describe("crash safety: SIGKILL of `run --local` at five moments", function () {
  this.timeout(90_000);

  it("every view serves a whole snapshot after each kill, and a last run converges", async () => {
    const workDir = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-crash-test-"));
    const result = await runCrashCheck({
      workDir,
      kills: 5,
      rows: 400_000,
      appendRows: 1_000,
      deadlineMs: 40_000,
      seed: 5,
    });
    const describe = [
      `a full run: ${result.fullRunMs} ms`,
      ...result.kills.map(
        (k) =>
          `kill ${k.kill} at ${k.atMs} ms: ${k.newViews} views new${k.finishedFirst ? " (run ended first)" : ""}`,
      ),
    ].join("\n");
    expect(result.failures, describe).to.deep.equal([]);
    expect(result.deadlineHit, "the check ran out of time before five kills").to.equal(false);
    expect(
      result.kills.filter((k) => !k.finishedFirst),
      "kills that landed inside a run",
    ).to.have.length(5);
    expect(result.convergence.exitCode).to.equal(0);
    expect(result.convergence.snapshotsPerEntity).to.deep.equal([2, 2, 2]);
  });
});
