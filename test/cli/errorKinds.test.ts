// `error.kind` in the one JSON document of `synapse-export run --json`, one test per kind where a user
// meets it, so a script can branch on the kind without parsing messages (issue 14.5). Each failure is
// made the way it happens on a user's machine: a bad value in a source, a file where the lake needs a
// folder, a database file that is not DuckDB's, another export holding the lock, a spec spelling an
// entity otherwise than the lake, a mistyped option. (auth: test/cli/credentials.test.ts, which
// injects the credential; rbac has no CLI path: test/engine/synapseRbac.test.ts and
// armRoleAssignment.test.ts.)

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCliJson } from "../helpers/cli";
import { writeSettled } from "../helpers/files";
import { cliSpecYaml } from "../helpers/specs";

let dir: string;
let out: string;
let specFile: string;

const SPEC = (entity: string, columns = "") =>
  cliSpecYaml(`    - { name: ${entity}, source: data/Customer.csv${columns} }`);

const write = (file: string, text: string) => writeSettled(dir, file, text);
const run = (...extra: string[]) =>
  runCliJson(["run", specFile, "--local", out, "--json", "--lock-wait", "0", ...extra]);

describe("synapse-export run --json: error.kind says which part of the world refused", function () {
  this.timeout(120_000);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-kinds-"));
    out = path.join(dir, "out");
    specFile = path.join(dir, "spec.yaml");
    write("spec.yaml", SPEC("Customer"));
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Grace\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("data: a value the column's type cannot hold fails its entity", async () => {
    write(
      "spec.yaml",
      SPEC(
        "Customer",
        ", columns: [{ name: CustomerId, type: int32 }, { name: FullName, type: string }]",
      ),
    );
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\nx2,Grace\n");
    const r = await run();
    expect(r.code).to.equal(2);
    const [e] = r.doc.entities;
    expect(e.status).to.equal("failed");
    expect(e.error.kind).to.equal("data");
    expect(e.error.message).to.include("x2");
  });

  it("lake: a file where the lake needs the database's folder fails the entity, naming the path", async () => {
    fs.mkdirSync(path.join(out, "ci-export"), { recursive: true });
    fs.writeFileSync(path.join(out, "ci-export", "ci_export"), "not a folder");
    const r = await run();
    expect(r.code).to.equal(2);
    const [e] = r.doc.entities;
    expect(e.status).to.equal("failed");
    expect(e.error.kind).to.equal("lake");
    expect(e.error.message).to.include(path.join(out, "ci-export", "ci_export"));
  });

  it("lake: a file with the container's name stops the run before it starts, naming the path", async () => {
    // The review's repro: `mkdir out4 && printf x > out4/ci-export`.
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "ci-export"), "x");
    const r = await run();
    expect(r.code).to.equal(2);
    expect(r.doc.error).to.include({ code: "not-started", kind: "lake" });
    expect(r.doc.error.message).to.include(path.join(out, "ci-export"));
  });

  it("usage: a --local folder DuckDB cannot read as it is (a backslash and a *)", async () => {
    const r = await runCliJson([
      "run",
      specFile,
      "--local",
      path.join(dir, "we\\ird*"),
      "--json",
      "--lock-wait",
      "0",
    ]);
    expect(r.code).to.equal(1);
    expect(r.doc.error.kind).to.equal("usage");
    expect(r.doc.error.message).to.include("--local");
  });

  it("sql: a database file that is not DuckDB's stops the run before it starts", async () => {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "ci_export.duckdb"), "this is not a DuckDB database file\n");
    const r = await run();
    expect(r.code).to.equal(2);
    expect(r.doc.ok).to.equal(false);
    expect(r.doc.error.kind).to.equal("sql");
    expect(r.doc.error.message).to.include("ci_export.duckdb");
  });

  it("lock: another export holding the target's lock stops the run before it starts", async () => {
    // A lock file that exists and is not yet written is another export taking the lock right now
    // (src/engine/lake/localLockFile.ts); --lock-wait 0 gives up at once.
    fs.mkdirSync(path.join(out, "ci-export"), { recursive: true });
    fs.writeFileSync(path.join(out, "ci-export", "ci_export.export.lock"), "");
    const r = await run();
    expect(r.code).to.equal(2);
    expect(r.doc.error).to.include({ code: "not-started", kind: "lock" });
    expect(r.doc.error.message).to.include("ci_export.export.lock");
  });

  it("spec: an entity spelled otherwise than its folder in the lake fails, and the spec is what to change", async () => {
    expect((await run()).code).to.equal(0);
    write("spec.yaml", SPEC("customer"));
    const r = await run();
    expect(r.code).to.equal(2);
    const [e] = r.doc.entities;
    expect(e.status).to.equal("failed");
    expect(e.error.kind).to.equal("spec");
    expect(e.error.message).to.include("renamedFrom");
  });

  it("spec: a spec file saved as UTF-16 is the spec's refusal (kind spec), exiting as a usage error", async () => {
    // PowerShell 5's `>` writes UTF-16 LE with a BOM.
    fs.writeFileSync(specFile, Buffer.from(`\ufeff${SPEC("Customer")}`, "utf16le"));
    const r = await run();
    expect(r.code).to.equal(1);
    expect(r.doc.error).to.include({ code: "usage", kind: "spec" });
    expect(r.doc.error.message).to.include("it is not UTF-8 text");
  });

  it("usage: a mistyped option", async () => {
    const r = await run("--colour");
    expect(r.code).to.equal(1);
    expect(r.doc.error).to.include({ code: "usage", kind: "usage" });
  });
});
