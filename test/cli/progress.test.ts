// Progress of long work as an operator sees it on a terminal (a pseudo-terminal from `script`, as
// the existing progress test uses): a line rewritten in place with bytes done, percent, rate and
// time left, for the write and for the upload; nothing of it when piped or with --json.
// SYNAPSE_EXPORT_PROGRESS_DELAY_MS=0 shows the line from the first event, so the test depends on no
// timing: the engine reports 0% when a step starts and 100% when it ends, whatever happens between.

import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BIN, runCli } from "../helpers/cli";
import { cliSpecYaml } from "../helpers/specs";

const SPEC = cliSpecYaml("    - { name: Big, source: data/Big.csv }");

describe("synapse-export run: progress of long work", () => {
  let dir: string;
  let sourceBytes: number;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-progress-"));
    fs.mkdirSync(path.join(dir, "data"));
    fs.writeFileSync(path.join(dir, "spec.yaml"), SPEC);
    const lines = ["Id,Name,Amount"];
    for (let i = 0; i < 100_000; i++) lines.push(`${i},name ${i},${(i * 1.25).toFixed(2)}`);
    fs.writeFileSync(path.join(dir, "data/Big.csv"), lines.join("\n") + "\n");
    sourceBytes = fs.statSync(path.join(dir, "data/Big.csv")).size;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("on a terminal, rewrites one line in place with bytes, percent, rate and time left", function () {
    if (spawnSync("script", ["--version"]).status !== 0) this.skip();
    const out = path.join(dir, "tty-out");
    const command = `${process.execPath} ${BIN} run spec.yaml --local ${out}`;
    const r = spawnSync("script", ["-qec", command, "/dev/null"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, SYNAPSE_EXPORT_PROGRESS_DELAY_MS: "0", COLUMNS: "120" },
    });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    const mib = `${(sourceBytes / 1024 / 1024).toFixed(1)} MiB`;
    const inPlace = r.stdout.split("\r\x1b[K").map((s) => s.split("\r")[0]);
    const writes = inPlace.filter((l) => l.startsWith("  Big: writing  "));
    expect(writes[0]).to.equal(`  Big: writing  0%  0 B of ${mib} read  time left not known yet`);
    expect(writes.at(-1)).to.match(
      new RegExp(
        `^ {2}Big: writing {2}100% {2}${mib} of ${mib} read {2}[\\d.]+ (B|KiB|MiB|GiB)/s {2}done$`,
      ),
    );
    const uploads = inPlace.filter((l) => l.startsWith("  Big: uploading  "));
    expect(uploads[0]).to.match(/^ {2}Big: uploading {2}0% {2}0 B of [\d.]+ (B|KiB|MiB) sent/);
    expect(uploads.at(-1)).to.match(/^ {2}Big: uploading {2}100% .* sent .*done$/);
    // Every progress line fits the terminal, and the ordinary lines still follow.
    for (const l of inPlace) expect(l.split("\n")[0].length).to.be.at.most(120);
    expect(r.stdout).to.match(/Big: exported, 100,000 rows/);

    // On the same terminal, --json keeps stdout to its one document.
    const json = spawnSync("script", ["-qec", `${command}-json --json`, "/dev/null"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, SYNAPSE_EXPORT_PROGRESS_DELAY_MS: "0" },
    });
    expect(json.status, json.stdout).to.equal(0);
    expect(json.stdout).not.to.contain("\x1b[K");
    expect(JSON.parse(json.stdout.replace(/\r/g, "")).entities[0].status).to.equal("exported");
  });

  it("shows no progress line when piped, nor with --json", async () => {
    const env = { SYNAPSE_EXPORT_PROGRESS_DELAY_MS: "0" };
    const piped = await runCli(["run", "spec.yaml", "--local", "piped-out"], { cwd: dir, env });
    expect(piped.code, piped.stderr).to.equal(0);
    expect(piped.stdout).not.to.contain("\r").and.not.to.contain("\x1b[K");
    expect(piped.stdout).not.to.match(/writing {2}\d+%/);
    const json = await runCli(["run", "spec.yaml", "--local", "json-out", "--json"], {
      cwd: dir,
      env,
    });
    expect(json.code).to.equal(0);
    expect(JSON.parse(json.stdout).entities[0].status).to.equal("exported");
  });
});
