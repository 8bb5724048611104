// The demo's output as a newcomer reads it on a terminal of 80 or 200 columns: every line fits, the
// unchanged rerun shows no "write" step (nothing is written), and the byte count says what it counts.

import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/cli";
import { DEMO_DIR_ENV } from "../../examples/local-demo/demo";

const DEMO = path.join(REPO_ROOT, "dist/examples/local-demo/demo.js");

function demo(cwd: string, dir: string, columns: number): string {
  const r = spawnSync(process.execPath, [DEMO], {
    cwd,
    env: { ...process.env, [DEMO_DIR_ENV]: dir, COLUMNS: String(columns) },
    encoding: "utf8",
  });
  expect(r.status, r.stdout + r.stderr).to.equal(0);
  return r.stdout;
}

describe("the local demo's output", function () {
  this.timeout(120_000);
  let work: string;
  before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-demo-out-"))));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  for (const columns of [80, 200]) {
    it(`fits ${columns} columns, first run and rerun`, () => {
      const dir = path.join(work, `d${columns}`);
      for (const stdout of [demo(work, dir, columns), demo(work, dir, columns)]) {
        const long = stdout.split("\n").filter((l) => l.length > columns);
        expect(long, long.join("\n")).to.deep.equal([]);
      }
    });
  }

  it("shows no write step for an unchanged entity, and says what the bytes are", () => {
    const dir = path.join(work, "rerun");
    const first = demo(work, dir, 200);
    const section = (text: string, from: string, to: string) =>
      text.slice(text.indexOf(from), text.indexOf(to));
    // The first run exports: its progress lines show the write that the upload follows.
    expect(section(first, "3. Export", "4. The same")).to.match(/Customer: .*› write › upload/);
    const again = section(first, "4. The same", "5. A query");
    const progress = again.split("\n").filter((l) => /^ {2}\[\d+\.\ds\] /.test(l));
    expect(progress).to.have.length(4);
    for (const line of progress) {
      expect(line).to.contain("→ unchanged");
      expect(line).not.to.match(/\bwrite\b|\bupload\b/);
    }
    expect(again).to.match(/[\d.]+ (KiB|MiB) of Parquet files that the views serve/);
  });
});
