// `npm run test:azure` must skip cleanly where it cannot run: one line saying why, exit 0 (issue 9 item 8).

import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const SCRIPT = path.resolve(__dirname, "../../scripts/azure/liveSuite.js");

describe("the live suite (test:azure)", () => {
  it("prints one line saying why it skipped, and exits 0, without AZURE_SUBSCRIPTION_ID", () => {
    const env = { ...process.env };
    delete env.AZURE_SUBSCRIPTION_ID;
    const r = spawnSync(process.execPath, [SCRIPT], { env, encoding: "utf8" });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim().split("\n")).to.deep.equal([
      "test:azure skipped: AZURE_SUBSCRIPTION_ID is not set (it needs the Pulumi CLI, AZURE_SUBSCRIPTION_ID and Azure credentials)",
    ]);
  });

  it("skips when the Pulumi CLI is not on PATH", () => {
    const r = spawnSync(process.execPath, [SCRIPT], {
      env: {
        ...process.env,
        AZURE_SUBSCRIPTION_ID: "11111111-2222-3333-4444-555555555555",
        PATH: "/nonexistent",
      },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.match(/^test:azure skipped: the Pulumi CLI is not on PATH/);
  });
});
