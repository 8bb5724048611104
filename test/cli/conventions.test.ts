// What people and pipelines expect of a command: --version, --help per command, one JSON document
// for every outcome under --json, usage errors for empty or unknown values, and a spec loader that
// refuses what is not a spec file before reading it.

import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, REPO_ROOT } from "../helpers/cli";
import { COMMAND_OPTIONS } from "../../src/cli/args";
import { COMMAND_HELP, HELP } from "../../src/cli/help";

const EXAMPLE = "stacks/customer-insights.spec.yaml";

function oneJsonDocument(stdout: string): any {
  const doc = JSON.parse(stdout); // throws if stdout is anything but one JSON document
  return doc;
}

describe("synapse-export conventions", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-conv-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints its version with --version and -V", async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"))
      .version as string;
    for (const flag of ["--version", "-V"]) {
      const r = await runCli([flag]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.trim()).to.equal(`synapse-export ${expected}`);
    }
  });

  it("prints help per command, with that command's options", async () => {
    const run = await runCli(["run", "--help"]);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^synapse-export run <spec>/);
    expect(run.stdout).to.contain("--lock-wait <seconds>");
    const diff = await runCli(["permissions", "--help"]);
    expect(diff.stdout).to.contain("--spec <spec>").and.to.contain("--wide");
    const all = await runCli(["--help"]);
    expect(all.stdout).to.match(
      / {2}3 {2}permissions diff: a grant is broader than the export needs/,
    );
  });

  it("with --json, a usage error, a malformed spec and a missing file are each one JSON document", async () => {
    const usage = await runCli(["run", EXAMPLE, "--colour", "--json"]);
    expect(usage.code).to.equal(1);
    expect(oneJsonDocument(usage.stdout)).to.deep.equal({
      ok: false,
      error: {
        code: "usage",
        kind: "usage",
        message:
          "unknown option --colour (known here: --json, --verbose, --help, --version, --rehash, --stack, --stacks-dir, --local, --entities, --lock-wait)",
      },
    });

    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(
      bad,
      fs
        .readFileSync(path.join(REPO_ROOT, EXAMPLE), "utf8")
        .replace("databaseName: ci_export", "databaseName: master"),
    );
    const invalid = await runCli(["validate", bad, "--json"]);
    expect(invalid.code).to.equal(1);
    const doc = oneJsonDocument(invalid.stdout);
    expect(doc.ok).to.equal(false);
    expect(doc.error).to.include({
      code: "invalid-spec",
      kind: "spec",
      field: "export.databaseName",
    });
    expect(doc.error.message).to.contain("'master' is a system database");

    const missing = await runCli(["plan", path.join(dir, "nope.yaml"), "--json"]);
    expect(missing.code).to.equal(1);
    expect(oneJsonDocument(missing.stdout).error.message).to.equal(
      `cannot read the spec file ${path.join(dir, "nope.yaml")}: ENOENT, no such file`,
    );

    const none = await runCli(["--json"]);
    expect(none.code).to.equal(1);
    expect(oneJsonDocument(none.stdout).error.code).to.equal("usage");

    const valid = await runCli(["validate", EXAMPLE, "--json"]);
    expect(valid.code).to.equal(0);
    expect(oneJsonDocument(valid.stdout)).to.deep.include({
      ok: true,
      database: "ci_export",
      entities: ["Customer", "Segments"],
      databaseCount: { max: 100, held: "unknown offline" },
    });
  });

  it("refuses an empty option value (an unset variable) before choosing a target", async () => {
    // `--local ""` once meant the Azure target; it must be a usage error and touch nothing.
    for (const args of [
      ["--local", ""],
      ["--local="],
      ["--local", "  "],
      ["--entities", ""],
      ["--lock-wait="],
    ]) {
      const r = await runCli(["run", EXAMPLE, ...args]);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).to.equal(1);
      expect(r.stderr).to.match(/^synapse-export: --[a-z-]+ was given an empty value/);
    }
    const json = await runCli(["run", EXAMPLE, "--local", "", "--json"]);
    expect(json.code).to.equal(1);
    expect(oneJsonDocument(json.stdout).error.code).to.equal("usage");
  });

  it("takes exactly the options each command's --help lists", () => {
    for (const [command, { switches, valued }] of Object.entries(COMMAND_OPTIONS)) {
      const help = COMMAND_HELP[command.split(" ")[0]];
      const usage = HELP.split("\n").find((l) => l.includes(`synapse-export ${command} `))!;
      for (const option of [...switches, ...valued].filter((o) => !o.startsWith("stack"))) {
        expect(help, `${command} --help`).to.contain(`--${option}`);
        expect(usage, `${command} in --help's usage`).to.contain(`--${option}`);
      }
    }
  });

  it("refuses an option the command would ignore, extra words, and a spec given twice, touching nothing", async () => {
    // Each of these once ran as if the word were not there: `validate --entities` checked the
    // whole spec, `run a.yaml b.yaml` ran a.yaml only, and --stack quietly won over the file.
    const cases: [string[], string][] = [
      [
        ["validate", EXAMPLE, "--entities", "Customer"],
        "--entities is not an option of 'validate' (it is one of 'run''s); 'validate' takes --json, --verbose, --help, --version, --stack, --stacks-dir",
      ],
      [
        ["plan", EXAMPLE, "--local", dir, "--rehash"],
        "--rehash is not an option of 'plan' (it is one of 'run''s)",
      ],
      [
        ["permissions", "plan", EXAMPLE, "--wide"],
        "--wide is not an option of 'permissions plan' (it is one of 'permissions diff''s)",
      ],
      [
        ["run", EXAMPLE, path.join(dir, "other.yaml"), "--local", dir],
        `'run' takes one spec file; it was also given '${path.join(dir, "other.yaml")}'`,
      ],
      [
        ["run", EXAMPLE, "--stack", "dev", "--local", dir],
        `give the spec file '${EXAMPLE}' or --stack dev, not both`,
      ],
      [["validate", EXAMPLE, "-x"], "unknown option -x (known here:"],
      [
        ["run", EXAMPLE, "--local", dir, "--entities", "Customer", "--entities", "Segments"],
        "--entities was given twice; give it once (--entities takes A,B)",
      ],
      [["run", EXAMPLE, "--local", dir, "--local", dir], "--local was given twice"],
      [["validate", EXAMPLE, "--stacks-dir", dir], "--stacks-dir says where --stack looks"],
      // Not the version, and not a folder named -V either.
      [["run", EXAMPLE, "--local", "-V"], "--local needs a value; '-V' looks like an option"],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).to.equal(1);
      expect(r.stderr, args.join(" ")).to.contain(`synapse-export: ${message}`);
    }
    expect(fs.readdirSync(dir)).to.deep.equal([]);
    // The short forms people reach for still work.
    const help = await runCli(["run", "-h"]);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^synapse-export run <spec>/);
  });

  it("refuses an unknown entity in --entities as a usage error that lists the spec's entities", async () => {
    const r = await runCli(["run", EXAMPLE, "--local", dir, "--entities", "Customer,Custmer"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain(
      "--entities: no entity 'Custmer' in the spec; the spec's entities are Customer, Segments",
    );
    expect(fs.readdirSync(dir)).to.deep.equal([]);
    // Names are compared ignoring case, as the run selects them.
    const lower = await runCli([
      "run",
      EXAMPLE,
      "--local",
      dir,
      "--entities",
      "customer",
      "--json",
    ]);
    expect(lower.code, lower.stdout + lower.stderr).to.equal(0);
    expect(JSON.parse(lower.stdout).entities.map((e: any) => e.name)).to.deep.equal(["Customer"]);
  });
});

describe("the spec loader refuses what is not a spec file, before reading it", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-specfile-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a device such as /dev/zero", async () => {
    const r = await runCli(["validate", "/dev/zero"]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain(
      "cannot read the spec file /dev/zero: it is a device, not a regular file",
    );
  });

  it("a named pipe, without waiting for a writer", async function () {
    const fifo = path.join(dir, "spec.yaml");
    if (spawnSync("mkfifo", [fifo]).status !== 0) this.skip();
    const r = await runCli(["validate", fifo]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("it is a named pipe, not a regular file");
  });

  it("a folder", async () => {
    const r = await runCli(["validate", dir]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("it is a folder; give the spec file");
  });

  it("a file larger than 10 MB (sparse, so the test writes nothing)", async () => {
    const big = path.join(dir, "big.yaml");
    fs.closeSync(fs.openSync(big, "w"));
    fs.truncateSync(big, 10 * 1024 * 1024 + 1);
    const r = await runCli(["validate", big]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain(
      "it is 10,485,761 bytes, more than a spec may be (10,485,760 bytes, 10 MB)",
    );
  });

  it("the component uses the same loader", async () => {
    const { CustomerInsightsSynapseExport } =
      await import("../../src/components/customerInsightsSynapseExport");
    let thrown: Error | undefined;
    try {
      new CustomerInsightsSynapseExport("ci", { specFile: "/dev/zero" });
    } catch (e) {
      thrown = e as Error;
    }
    expect(thrown?.message).to.contain("it is a device, not a regular file");
  });
});
