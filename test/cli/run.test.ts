// `synapse-export run --local` as an operator or a scheduler runs it: a child process, its exit code
// and its one JSON document, over a data change, a removed entity and a renamed database.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, runCliJson } from "../helpers/cli";
import { writeSettled } from "../helpers/files";
import { LocalSql } from "../../src/engine/sql/localSql";
import { cliSpecYaml } from "../helpers/specs";

let dir: string;
let out: string;
let specFile: string;

const SPEC = (databaseName: string, entities: string[]) =>
  cliSpecYaml(entities.map((e) => `    - { name: ${e}, source: data/${e}.csv }`).join("\n"), {
    databaseName,
  });

const write = (file: string, text: string) => writeSettled(dir, file, text);

async function run(...extra: string[]) {
  const r = await runCliJson(["run", specFile, "--local", out, "--json", ...extra]);
  const { doc } = r;
  return {
    ...r,
    status: Object.fromEntries(doc.entities.map((e: any) => [e.name, e.status])),
  };
}

async function rows(database: string, sql: string) {
  const db = new LocalSql(out);
  try {
    return await db.query(database, sql);
  } finally {
    await db.close();
  }
}

describe("synapse-export run --local", () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-run-"));
    out = path.join(dir, "out");
    specFile = path.join(dir, "spec.yaml");
    write("spec.yaml", SPEC("ci_export", ["Customer", "Segments"]));
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Grace\n");
    write("data/Segments.csv", "SegmentName,CustomerId\nVIP,1\n");
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints exactly one JSON document with the run record, and nothing else on stdout", async () => {
    const r = await run();
    expect(r.code, r.stderr).to.equal(0);
    expect(r.doc).to.include({ database: "ci_export", target: "local" });
    expect(r.doc.entities).to.have.length(2);
    for (const e of r.doc.entities) {
      expect(e).to.include.keys(
        "name",
        "status",
        "snapshot",
        "rows",
        "bytes",
        "files",
        "durationMs",
      );
    }
    expect(r.doc.totals).to.deep.include({ exported: 2, failed: 0, rows: 3 });
    expect(fs.existsSync(path.join(out, "ci-export", "ci_export", "Customer"))).to.equal(true);
    expect(await rows("ci_export", "SELECT FullName FROM Customer ORDER BY 1")).to.deep.equal([
      { FullName: "Ada" },
      { FullName: "Grace" },
    ]);
  });

  it("writes no progress on stdout when piped, even without --json", async () => {
    const r = await runCli(["run", specFile, "--local", out]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).not.to.match(/\[\d+\.\ds\]/);
    expect(r.stdout).to.match(/^Export to the local target: database ci_export/);
    expect(r.stdout).to.match(/2 exported, 0 unchanged/);
  });

  it("reports every entity unchanged on a second run, and only the changed entity after a data change", async () => {
    const first = await run();
    const second = await run();
    expect(second.status).to.deep.equal({ Customer: "unchanged", Segments: "unchanged" });
    expect(second.doc.entities.map((e: any) => e.snapshot)).to.deep.equal(
      first.doc.entities.map((e: any) => e.snapshot),
    );
    write("data/Segments.csv", "SegmentName,CustomerId\nVIP,1\nVIP,2\n");
    const third = await run();
    expect(third.status).to.deep.equal({ Customer: "unchanged", Segments: "exported" });
    expect(await rows("ci_export", "SELECT count(*)::INT AS n FROM Segments")).to.deep.equal([
      { n: 2 },
    ]);
  });

  it("runs only the entities named with --entities", async () => {
    const r = await run("--entities", "Segments");
    expect(r.status).to.deep.equal({ Segments: "exported" });
    // A name the spec does not have is a usage error that lists the entities, before anything runs.
    const unknown = await runCli(["run", specFile, "--local", out, "--entities", "Nope"]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(
      /no entity 'Nope' in the spec; the spec's entities are Customer, Segments/,
    );
  });

  it("lists an entity removed from the spec as retained, and keeps it queryable", async () => {
    await run();
    write("spec.yaml", SPEC("ci_export", ["Customer"]));
    const r = await run();
    expect(r.code).to.equal(0);
    expect(r.status).to.deep.equal({ Customer: "unchanged", Segments: "retained" });
    expect(await rows("ci_export", "SELECT SegmentName FROM Segments")).to.deep.equal([
      { SegmentName: "VIP" },
    ]);
  });

  it("creates a new database for a new name and leaves the old one as it was", async () => {
    await run();
    const oldFile = path.join(out, "ci_export.duckdb");
    const oldBytes = fs.readFileSync(oldFile);
    write("data/Customer.csv", "CustomerId,FullName\n3,Alan\n");
    write("spec.yaml", SPEC("ci_export_2026", ["Customer", "Segments"]));
    const r = await run();
    expect(r.doc.database).to.equal("ci_export_2026");
    expect(r.status).to.deep.equal({ Customer: "exported", Segments: "exported" });
    expect(fs.existsSync(path.join(out, "ci_export_2026.duckdb"))).to.equal(true);
    expect(fs.readFileSync(oldFile).equals(oldBytes)).to.equal(true);
    expect(await rows("ci_export", "SELECT FullName FROM Customer ORDER BY 1")).to.deep.equal([
      { FullName: "Ada" },
      { FullName: "Grace" },
    ]);
    expect(await rows("ci_export_2026", "SELECT FullName FROM Customer")).to.deep.equal([
      { FullName: "Alan" },
    ]);
  });

  it("exits 2 when an entity fails, after running the others, and names the row", async () => {
    write(
      "spec.yaml",
      SPEC("ci_export", ["Customer", "Segments"]).replace(
        "source: data/Customer.csv }",
        "source: data/Customer.csv, columns: [{ name: CustomerId, type: int32 }, { name: FullName, type: string }] }",
      ),
    );
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\nx2,Grace\n");
    const r = await run();
    expect(r.code).to.equal(2);
    expect(r.status).to.deep.equal({ Customer: "failed", Segments: "exported" });
    const failed = r.doc.entities.find((e: any) => e.name === "Customer");
    expect(errorText(failed))
      .to.match(/Customer\.csv/)
      .and.to.match(/x2/)
      .and.to.match(/CustomerId/);
  });

  it("still prints one JSON document, with the error, when the run cannot start", async () => {
    // Another export is taking the target's lock right now: its lock file exists, not yet written
    // (src/engine/lake/localLockFile.ts waits for such a file; --lock-wait 0 gives up at once).
    await run();
    const lockFile = path.join(out, "ci-export", "ci_export.export.lock");
    expect(fs.existsSync(path.dirname(lockFile))).to.equal(true);
    fs.writeFileSync(lockFile, "");
    const r = await runCli(["run", specFile, "--local", out, "--json", "--lock-wait", "0"]);
    expect(r.code, r.stderr).to.equal(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).to.deep.include({
      database: "ci_export",
      target: "local",
      ok: false,
      entities: [],
    });
    expect(doc.error.code).to.equal("not-started");
    expect(doc.error.message).to.be.a("string").and.not.equal("");
  });

  it("exits 1 on an invalid spec, writing nothing", async () => {
    write("spec.yaml", SPEC("master", ["Customer"]));
    const r = await runCli(["run", specFile, "--local", out]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/export\.databaseName: 'master' is a system database/);
    expect(fs.existsSync(out)).to.equal(false);
  });
});

describe("synapse-export run on a terminal", () => {
  it("shows progress per entity (rows and bytes written, which entity, elapsed)", async function () {
    // `script` gives the command a pseudo-terminal, as an operator's shell does.
    const { spawnSync } = await import("node:child_process");
    if (spawnSync("script", ["--version"]).status !== 0) this.skip();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-tty-"));
    try {
      const { REPO_ROOT, BIN } = await import("../helpers/cli");
      const command = `${process.execPath} ${BIN} run stacks/customer-insights.spec.yaml --local ${work}`;
      const r = spawnSync("script", ["-qec", command, "/dev/null"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/\[\d+\.\ds\] Customer: writing Parquet/);
      expect(r.stdout).to.match(
        /\[\d+\.\ds\] Customer: exported, 3 rows, [\d.]+ (B|KiB) in 1 file/,
      );
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
