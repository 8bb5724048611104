// Issue 11 through the real `synapse-export run --local`, as a user meets it: the unchanged shortcut
// and `--rehash` (item 2). Expected values are the source files' own text; what the export serves is
// read back through DuckDB's view, the one a user queries.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, runCliJson } from "../helpers/cli";
import { writeSettled } from "../helpers/files";
import { LocalSql } from "../../src/engine/sql/localSql";
import { manifestPath } from "../../src/plan/lakeLayout";
import { cliSpecYaml } from "../helpers/specs";

let dir: string;
let out: string;
let specFile: string;

const SPEC = (extra = "", entities = "    - { name: Customer, source: data/Customer.csv }") =>
  cliSpecYaml(entities, { exportLines: extra });

const write = (file: string, text: string) => writeSettled(dir, file, text);

async function run(...extra: string[]) {
  const r = await runCliJson(["run", specFile, "--local", out, "--json", ...extra]);
  const { doc } = r;
  return { ...r, byName: Object.fromEntries(doc.entities.map((e: any) => [e.name, e])) };
}

async function served(sql: string): Promise<unknown[]> {
  const db = new LocalSql(out);
  try {
    return await db.query("ci_export", sql);
  } finally {
    await db.close();
  }
}

/** The CSV's second column, by line, without the header: what the view must serve. */
function namesIn(file: string): string[] {
  return fs
    .readFileSync(path.join(dir, file), "utf8")
    .split("\n")
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split(",")[1]);
}

describe("synapse-export run: what the unchanged shortcut trusts (issue 11 item 2)", function () {
  this.timeout(60_000);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-integrity-"));
    out = path.join(dir, "out");
    specFile = path.join(dir, "spec.yaml");
    write("spec.yaml", SPEC());
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("an edit whose mtime was put back (touch -r) is exported, not reported unchanged", async () => {
    const first = await run();
    expect(first.code, first.stderr).to.equal(0);
    expect(first.byName.Customer.status).to.equal("exported");
    // Same size, other bytes, the old mtime restored as `touch -r` would.
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Eve\n");
    const second = await run();
    expect(second.code, second.stderr).to.equal(0);
    expect(second.byName.Customer.status).to.equal("exported");
    const rows = await served("SELECT FullName FROM Customer ORDER BY CustomerId");
    expect(rows.map((r: any) => r.FullName)).to.deep.equal(namesIn("data/Customer.csv"));
  });

  it("with format csv the view serves an empty string as an empty string and NULL as NULL", async () => {
    write("spec.yaml", SPEC("  format: csv\n"));
    write("data/Customer.csv", 'CustomerId,FullName\n1,""\n2,\n3,Eve\n');
    const r = await run();
    expect(r.code, r.stderr).to.equal(0);
    const rows = await served("SELECT CustomerId, FullName FROM Customer ORDER BY CustomerId");
    expect(rows.map((x: any) => x.FullName)).to.deep.equal(["", null, "Eve"]);
  });

  it("--rehash reads every source again even when everything recorded still matches", async () => {
    const first = await run();
    expect(first.code, first.stderr).to.equal(0);
    const snapshot = first.byName.Customer.snapshot;
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Eve\n");
    // A manifest whose recorded identity matches the file as it is now, with the old bytes' hash:
    // what a filesystem that cannot tell (or a copied lake) would give. Only a full read can tell.
    const manifestFile = path.join(
      out,
      "ci-export",
      manifestPath("ci_export", "Customer", snapshot),
    );
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    const stat = fs.statSync(path.join(dir, "data/Customer.csv"));
    Object.assign(manifest.sources[0], {
      bytes: stat.size,
      mtimeMs: stat.mtimeMs,
      ctimeMs: stat.ctimeMs,
      ino: stat.ino,
      dev: stat.dev,
    });
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));

    const trusting = await run();
    expect(trusting.byName.Customer.status, "the shortcut trusts what it records").to.equal(
      "unchanged",
    );
    const rehashed = await run("--rehash");
    expect(rehashed.code, rehashed.stderr).to.equal(0);
    expect(rehashed.byName.Customer.status).to.equal("exported");
    const rows = await served("SELECT FullName FROM Customer ORDER BY CustomerId");
    expect(rows.map((r: any) => r.FullName)).to.deep.equal(namesIn("data/Customer.csv"));
    const again = await run("--rehash");
    expect(again.byName.Customer).to.include({
      status: "unchanged",
      snapshot: rehashed.byName.Customer.snapshot,
    });
  });
});

describe("synapse-export run: what onEntityRemoved: drop may delete (issue 11 item 8)", function () {
  this.timeout(60_000);
  const TWO =
    "    - { name: Customer, source: data/Customer.csv }\n    - { name: Segments, source: data/Segments.csv }";
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-integrity-"));
    out = path.join(dir, "out");
    specFile = path.join(dir, "spec.yaml");
    write("spec.yaml", SPEC("", TWO));
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
    write("data/Segments.csv", "SegmentName,CustomerId\nVIP,1\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("drops an entity that holds our snapshots and leaves a folder written by hand", async () => {
    expect((await run()).code).to.equal(0);
    const mine = path.join(out, "ci-export", "ci_export", "Notes");
    fs.mkdirSync(mine, { recursive: true });
    fs.writeFileSync(path.join(mine, "readme.txt"), "kept by hand\n");
    write("spec.yaml", SPEC("  onEntityRemoved: drop\n"));
    const r = await run();
    expect(r.code, r.stderr).to.equal(0);
    expect(r.byName.Segments?.status).to.equal("dropped");
    expect(r.byName.Notes, "a folder without snapshots is not an entity").to.equal(undefined);
    expect(fs.readFileSync(path.join(mine, "readme.txt"), "utf8")).to.equal("kept by hand\n");
  });

  it("drops our snapshots of an entity but not a file written by hand into its folder", async () => {
    expect((await run()).code).to.equal(0);
    const folder = path.join(out, "ci-export", "ci_export", "Segments");
    fs.mkdirSync(path.join(folder, "notes"));
    fs.writeFileSync(path.join(folder, "notes", "keep.txt"), "kept by hand\n");
    fs.writeFileSync(path.join(folder, "README.txt"), "kept by hand\n");
    write("spec.yaml", SPEC("  onEntityRemoved: drop\n"));
    const r = await run();
    expect(r.code, r.stderr).to.equal(0);
    expect(r.byName.Segments?.status).to.equal("dropped");
    expect(errorText(r.byName.Segments)).to.include("README.txt");
    expect(fs.readdirSync(folder).sort()).to.deep.equal(["README.txt", "notes"]);
    expect(fs.readFileSync(path.join(folder, "notes", "keep.txt"), "utf8")).to.equal(
      "kept by hand\n",
    );
  });

  it("leaves a copy of an entity's folder: its manifests name another entity", async () => {
    expect((await run()).code).to.equal(0);
    const lake = path.join(out, "ci-export", "ci_export");
    fs.cpSync(path.join(lake, "Customer"), path.join(lake, "Customer_backup"), { recursive: true });
    const before = fs.readdirSync(path.join(lake, "Customer_backup"));
    write("spec.yaml", SPEC("  onEntityRemoved: drop\n"));
    const r = await run();
    expect(r.code, r.stderr).to.equal(0);
    expect(r.byName.Segments?.status).to.equal("dropped");
    expect(r.byName.Customer_backup, "not an entity of ours").to.equal(undefined);
    expect(fs.readdirSync(path.join(lake, "Customer_backup"))).to.deep.equal(before);
  });

  it("removes the folder of a dropped entity that holds nothing else", async () => {
    expect((await run()).code).to.equal(0);
    write("spec.yaml", SPEC("  onEntityRemoved: drop\n"));
    const r = await run();
    expect(r.byName.Segments?.status).to.equal("dropped");
    expect(r.byName.Segments.error).to.equal(undefined);
    expect(fs.existsSync(path.join(out, "ci-export", "ci_export", "Segments"))).to.equal(false);
  });

  it("refuses a case-only rename (Customer -> customer) and keeps the live view", async () => {
    expect((await run()).code).to.equal(0);
    write(
      "spec.yaml",
      SPEC("  onEntityRemoved: drop\n", "    - { name: customer, source: data/Customer.csv }"),
    );
    const r = await run();
    expect(r.code).to.equal(2);
    expect(r.byName.customer.status).to.equal("failed");
    expect(errorText(r.byName.customer)).to.include('the lake already holds entity "Customer"');
    expect(r.byName.Customer, "not a removed entity: the same name to the database").to.equal(
      undefined,
    );
    const rows = await served("SELECT FullName FROM Customer ORDER BY CustomerId");
    expect(rows.map((x: any) => x.FullName)).to.deep.equal(namesIn("data/Customer.csv"));
  });
  it("with renamedFrom, a case-only rename is exported: the view shows the new name, the old folder keeps its snapshots", async () => {
    expect((await run()).code).to.equal(0);
    const lake = path.join(out, "ci-export", "ci_export");
    const oldSnapshots = fs.readdirSync(path.join(lake, "Customer")).sort();
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n3,Eve\n");
    write(
      "spec.yaml",
      SPEC(
        "  onEntityRemoved: drop\n",
        "    - { name: customer, renamedFrom: Customer, source: data/Customer.csv }",
      ),
    );
    const r = await run();
    expect(r.code, r.stderr).to.equal(0);
    expect(r.byName.customer.status).to.equal("exported");
    expect(r.byName.Customer, "the old spelling is the same view, never a removed entity").to.equal(
      undefined,
    );
    const rows = await served("SELECT FullName FROM customer ORDER BY CustomerId");
    expect(rows.map((x: any) => x.FullName)).to.deep.equal(namesIn("data/Customer.csv"));
    expect(
      fs.readdirSync(path.join(lake, "Customer")).sort(),
      "the old data is kept",
    ).to.deep.equal(oldSnapshots);

    // Once renamed, the new spelling holds the view: renamedFrom may go without a refusal.
    write(
      "spec.yaml",
      SPEC("  onEntityRemoved: drop\n", "    - { name: customer, source: data/Customer.csv }"),
    );
    const again = await run();
    expect(again.code, again.stderr).to.equal(0);
    expect(again.byName.customer.status).to.equal("unchanged");
    expect(fs.readdirSync(path.join(lake, "Customer")).sort()).to.deep.equal(oldSnapshots);
  });

  it("the same data under a case-only rename is read from the new folder, so the old one may go", async () => {
    expect((await run()).code).to.equal(0);
    const lake = path.join(out, "ci-export", "ci_export");
    write(
      "spec.yaml",
      SPEC("", "    - { name: customer, renamedFrom: Customer, source: data/Customer.csv }"),
    );
    const renamed = await run();
    expect(renamed.code, renamed.stderr).to.equal(0);
    expect(renamed.byName.customer.status).to.equal("exported");
    // The names of SQL ignore case: the same bytes must not take the old spelling's table.
    fs.rmSync(path.join(lake, "Customer"), { recursive: true });
    const rows = await served("SELECT FullName FROM customer ORDER BY CustomerId");
    expect(rows.map((x: any) => x.FullName)).to.deep.equal(namesIn("data/Customer.csv"));
    write("spec.yaml", SPEC("", "    - { name: customer, source: data/Customer.csv }"));
    const again = await run();
    expect(again.code, again.stderr).to.equal(0);
    expect(again.byName.customer.status).to.equal("unchanged");
  });

  it("a new container with the same data is exported there and served from there", async () => {
    expect((await run()).code).to.equal(0);
    write("spec.yaml", SPEC().replace("container: ci-export,", "container: ci-export2,"));
    const moved = await run();
    expect(moved.code, moved.stderr).to.equal(0);
    expect(moved.byName.Customer.status).to.equal("exported");
    expect(fs.readdirSync(path.join(out, "ci-export2", "ci_export", "Customer"))).to.have.length(1);
    // The old container's snapshots are the old place: the view must not read them any more.
    fs.rmSync(path.join(out, "ci-export"), { recursive: true });
    const rows = await served("SELECT FullName FROM Customer ORDER BY CustomerId");
    expect(rows.map((x: any) => x.FullName)).to.deep.equal(namesIn("data/Customer.csv"));
    const again = await run();
    expect(again.code, again.stderr).to.equal(0);
    expect(again.byName.Customer.status).to.equal("unchanged");
  });

  it("a databaseName changed only by case is refused, and nothing of the new spelling is written", async () => {
    expect((await run()).code).to.equal(0);
    const before = fs.readdirSync(out, { recursive: true }).sort();
    write(
      "spec.yaml",
      cliSpecYaml("    - { name: Customer, source: data/Customer.csv }", {
        databaseName: "CI_EXPORT",
      }),
    );
    const r = await runCli(["run", specFile, "--local", out]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain(
      'export.databaseName "CI_EXPORT": the container already holds the export database "ci_export", which Synapse SQL takes for the same database',
    );
    expect(fs.readdirSync(out, { recursive: true }).sort()).to.deep.equal(before);
  });

  it("renamedFrom names one old spelling: another one in the lake is still refused", async () => {
    expect((await run()).code).to.equal(0);
    const lake = path.join(out, "ci-export", "ci_export");
    fs.cpSync(path.join(lake, "Customer"), path.join(lake, "CUSTOMER"), { recursive: true });
    write(
      "spec.yaml",
      SPEC("", "    - { name: customer, renamedFrom: Customer, source: data/Customer.csv }"),
    );
    const r = await run();
    expect(r.code).to.equal(2);
    expect(errorText(r.byName.customer)).to.include('the lake already holds entity "CUSTOMER"');
    expect(errorText(r.byName.customer)).to.include("renamedFrom");
  });

  it("an entity whose name starts with _ is a removed entity like any other: kept, or dropped", async () => {
    write("spec.yaml", SPEC("", `${TWO}\n    - { name: _Staging, source: data/Segments.csv }`));
    expect((await run()).code).to.equal(0);
    const folder = path.join(out, "ci-export", "ci_export", "_Staging");
    const snapshots = fs.readdirSync(folder);
    write("spec.yaml", SPEC("", TWO));
    const kept = await run();
    expect(kept.code, kept.stderr).to.equal(0);
    expect(kept.byName._Staging?.status).to.equal("retained");
    expect(fs.readdirSync(folder)).to.deep.equal(snapshots);
    write("spec.yaml", SPEC("  onEntityRemoved: drop\n", TWO));
    const dropped = await run();
    expect(dropped.code, dropped.stderr).to.equal(0);
    expect(dropped.byName._Staging?.status).to.equal("dropped");
    expect(fs.existsSync(folder)).to.equal(false);
  });
});

describe("synapse-export run: rows that come in twice (issue 11 item 5)", function () {
  this.timeout(60_000);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-integrity-"));
    specFile = path.join(dir, "spec.yaml");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Data lines of the given CSV files (each file once), by reading them here. */
  const dataLines = (...files: string[]) => files.reduce((n, f) => n + namesIn(f).length, 0);

  it("a symbolic link to another matched file does not duplicate its rows", async () => {
    out = path.join(dir, "out");
    write("spec.yaml", SPEC("", "    - { name: Customer, source: 'data/*.csv' }"));
    write("data/a.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
    write("data/b.csv", "CustomerId,FullName\n3,Eve\n");
    fs.symlinkSync("a.csv", path.join(dir, "data/link.csv"));
    const r = await run();
    expect(r.code, r.stderr).to.equal(0);
    expect(r.byName.Customer.rows).to.equal(dataLines("data/a.csv", "data/b.csv"));
    const rows = await served("SELECT count(*)::INTEGER AS n FROM Customer");
    expect(rows).to.deep.equal([{ n: dataLines("data/a.csv", "data/b.csv") }]);
  });

  it("a hard link to another matched file does not duplicate its rows", async () => {
    out = path.join(dir, "out");
    write("spec.yaml", SPEC("", "    - { name: Customer, source: 'data/*.csv' }"));
    write("data/a.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
    write("data/b.csv", "CustomerId,FullName\n3,Eve\n");
    fs.linkSync(path.join(dir, "data/a.csv"), path.join(dir, "data/hard.csv"));
    const r = await run();
    expect(r.code, r.stderr).to.equal(0);
    expect(r.byName.Customer.rows).to.equal(dataLines("data/a.csv", "data/b.csv"));
    const rows = await served("SELECT count(*)::INTEGER AS n FROM Customer");
    expect(rows).to.deep.equal([{ n: dataLines("data/a.csv", "data/b.csv") }]);
  });

  it("a local target inside the spec's folder is never read back as a source", async () => {
    out = path.join(dir, "lake");
    write(
      "spec.yaml",
      SPEC(
        "  format: csv\n",
        "    - { name: Customer, source: { path: '**/*.csv', format: csv } }",
      ),
    );
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await run();
      expect(r.code, r.stderr).to.equal(0);
      counts.push(r.byName.Customer.rows);
    }
    const n = dataLines("data/Customer.csv");
    expect(counts).to.deep.equal([n, n, n]);
  });
});

describe("synapse-export run: export.sourceRoots (issue 11 item 11)", function () {
  this.timeout(60_000);
  let elsewhere: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-integrity-"));
    elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-mnt-"));
    out = path.join(dir, "out");
    specFile = path.join(dir, "spec.yaml");
    fs.writeFileSync(path.join(elsewhere, "Customer.csv"), "CustomerId,FullName\n1,Ada\n2,Bob\n");
    // The common layout: data -> /mnt/exports.
    fs.symlinkSync(elsewhere, path.join(dir, "data"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  it("by default a link out of the spec's folder is refused, naming export.sourceRoots", async () => {
    write("spec.yaml", SPEC());
    const r = await run();
    expect(r.code).to.equal(2);
    expect(r.byName.Customer.status).to.equal("failed");
    expect(errorText(r.byName.Customer)).to.include("outside the spec's folder");
    expect(errorText(r.byName.Customer)).to.include("export.sourceRoots");
  });

  it("a folder named in sourceRoots may be reached through a link, or named directly", async () => {
    const real = fs.realpathSync(elsewhere);
    write(
      "spec.yaml",
      SPEC(
        `  sourceRoots: [${JSON.stringify(elsewhere)}]\n`,
        "    - { name: Customer, source: data/Customer.csv }\n" +
          `    - { name: Direct, source: ${JSON.stringify(path.join(elsewhere, "Customer.csv"))} }`,
      ),
    );
    const r = await run();
    expect(r.code, r.stderr + JSON.stringify(r.doc)).to.equal(0);
    const expected = fs
      .readFileSync(path.join(real, "Customer.csv"), "utf8")
      .split("\n")
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(",")[1]);
    for (const view of ["Customer", "Direct"]) {
      const rows = await served(`SELECT FullName FROM ${view} ORDER BY CustomerId`);
      expect(rows.map((x: any) => x.FullName)).to.deep.equal(expected);
    }
  });
});

describe("synapse-export run --local with glob characters in the path (issue 11 item 7)", function () {
  this.timeout(90_000);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-integrity-"));
    specFile = path.join(dir, "spec.yaml");
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const format of ["parquet", "csv"]) {
    it(`views read exactly their own ${format} files, not those of folders the path would match as a glob`, async () => {
      write("spec.yaml", SPEC(`  format: ${format}\n`));
      // Neighbours with the same snapshot (same data): out* and out[1] match them as globs.
      for (const name of ["out1", "outX", "out*", "out[1]"]) {
        out = path.join(dir, name);
        const r = await run();
        expect(r.code, r.stderr).to.equal(0);
      }
      for (const name of ["out*", "out[1]"]) {
        out = path.join(dir, name);
        const rows = await served("SELECT FullName FROM Customer ORDER BY CustomerId");
        expect(
          rows.map((x: any) => x.FullName),
          name,
        ).to.deep.equal(namesIn("data/Customer.csv"));
      }
      // Its own files, and only those: the neighbour's removal changes nothing.
      fs.rmSync(path.join(dir, "out1"), { recursive: true });
      out = path.join(dir, "out[1]");
      expect(await served("SELECT count(*)::INTEGER AS n FROM Customer")).to.deep.equal([
        { n: namesIn("data/Customer.csv").length },
      ]);
    });
  }
});

describe("synapse-export run: a lock that is not what the export made (issue 11, clear errors)", function () {
  this.timeout(60_000);
  let lockFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-integrity-"));
    out = path.join(dir, "out");
    specFile = path.join(dir, "spec.yaml");
    write("spec.yaml", SPEC());
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
    lockFile = path.join(out, "ci-export", "ci_export.export.lock");
    fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a folder at the lock's path is named, with what to do", async () => {
    fs.mkdirSync(lockFile);
    const r = await run("--lock-wait", "1");
    expect(r.code).to.equal(2);
    expect(r.doc.error.message).to.include(`The export lock ${lockFile} is a folder, not a file`);
    expect(
      fs.statSync(lockFile).isDirectory(),
      "the folder is not the export's to remove",
    ).to.equal(true);
  });

  it("a dangling symbolic link at the lock's path fails at once, naming it", async () => {
    fs.symlinkSync(path.join(dir, "nowhere"), lockFile);
    const r = await run("--lock-wait", "1");
    expect(r.code).to.equal(2);
    expect(r.doc.error.message).to.include(`The export lock ${lockFile} is a symbolic link`);
    expect(r.doc.error.message).to.include("Remove the link");
  });

  it("a symbolic link to an existing file at the lock's path fails at once, and is left as it is", async () => {
    const target = path.join(dir, "afile");
    fs.writeFileSync(target, "not a lock\n");
    fs.symlinkSync(target, lockFile);
    const r = await run("--lock-wait", "30");
    expect(r.code).to.equal(2);
    expect(r.doc.error.message).to.include(`The export lock ${lockFile} is a symbolic link`);
    // Once it was read through, taken for a stale lock after 10 s, and deleted.
    expect(fs.lstatSync(lockFile).isSymbolicLink(), "the link is not the export's").to.equal(true);
    expect(fs.readFileSync(target, "utf8")).to.equal("not a lock\n");
  });

  it("a holder whose acquiredAt is in the future is reported as a wrong clock", async () => {
    const ahead = new Date(Date.now() + 24 * 3600_000).toISOString();
    fs.writeFileSync(
      lockFile,
      JSON.stringify({
        holder: "synapse-export run (elsewhere)",
        pid: 1,
        hostname: "another-host.example",
        acquiredAt: ahead,
        token: "0123456789abcdef",
      }),
    );
    const r = await run("--lock-wait", "0");
    expect(r.code).to.equal(2);
    expect(r.doc.error.message).to.include(lockFile);
    expect(r.doc.error.message).to.include(`since ${ahead}, which is`);
    expect(r.doc.error.message).to.match(/minutes in the future: that machine's clock is wrong/);
  });
});

/**
 * Runs `synapse-export run --local <tmpfs>` in a private mount namespace over a tmpfs of `sizeKb`,
 * after `prepare` (shell) filled it; prints the run's stdout, then `---`, then a listing of the
 * container folder (where the lock lives, beside the database folder) as the run left it (the mount goes with the namespace). Undefined where this
 * machine cannot make a private tmpfs (not root, no unshare): a real full disk, no mocked fs.
 */
function runOnSmallDisk(
  sizeKb: number,
  prepare: string,
): { stdout: string; listing: string } | undefined {
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  const mnt = path.join(dir, "small");
  fs.mkdirSync(mnt);
  const bin = path.resolve(__dirname, "../../../bin/synapse-export.js");
  const script = [
    `mount -t tmpfs -o size=${sizeKb}k tmpfs "$MNT" || exit 97`,
    prepare,
    `"$NODE" "$BIN" run "$SPEC" --local "$MNT" --json`,
    `echo ---`,
    `ls -A "$MNT/ci-export" 2>/dev/null`,
    `exit 0`,
  ].join("\n");
  const r = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", script], {
    env: { ...process.env, MNT: mnt, NODE: process.execPath, BIN: bin, SPEC: specFile },
    encoding: "utf8",
  });
  if (r.error || r.status === 97 || r.status === null) return undefined;
  const [stdout, listing = ""] = r.stdout.split("\n---\n");
  return { stdout, listing };
}

describe("synapse-export run --local on a full disk (issue 11, clear errors)", function () {
  this.timeout(60_000);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-integrity-"));
    specFile = path.join(dir, "spec.yaml");
    write("spec.yaml", SPEC("  format: csv\n"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a lock that cannot be written names its path and leaves no empty lock behind", function () {
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
    // Every block taken; creating a file still works on tmpfs, writing to it does not.
    const r = runOnSmallDisk(64, `dd if=/dev/zero of="$MNT/fill" bs=4k 2>/dev/null; true`);
    if (!r) this.skip();
    const doc = JSON.parse(r!.stdout);
    expect(doc.ok).to.equal(false);
    expect(doc.error.message).to.include("ci_export.export.lock could not be written");
    expect(doc.error.message).to.include("ENOSPC");
    expect(r!.listing.split("\n").filter(Boolean), "no lock left").to.not.include(
      "ci_export.export.lock",
    );
  });

  it("a snapshot that does not fit fails its entity, naming the file it could not write", function () {
    // About 300 KB of CSV that does not compress: more than the 128 KB disk.
    const lines = Array.from(
      { length: 6000 },
      (_, i) => `${i},${(i * 2654435761).toString(36)}${"x".repeat(40)}`,
    );
    write("data/Customer.csv", `CustomerId,FullName\n${lines.join("\n")}\n`);
    const r = runOnSmallDisk(128, "true");
    if (!r) this.skip();
    const doc = JSON.parse(r!.stdout);
    const e = doc.entities.find((x: any) => x.name === "Customer");
    expect(e.status).to.equal("failed");
    expect(errorText(e)).to.match(
      /could not write \S+\/ci_export\/Customer\/v=[0-9a-f]+\/part-00000\.csv: the disk/,
    );
    expect(errorText(e)).to.include("ENOSPC");
    expect(r!.listing.split("\n").filter(Boolean), "no lock left").to.not.include(
      "ci_export.export.lock",
    );
  });
});

describe("synapse-export run with glob characters in the spec's folder (issue 11 item 7)", function () {
  this.timeout(60_000);
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-integrity-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("reads the source file it fingerprinted, not a neighbour its path matches as a glob", async () => {
    // p[1]/data/Customer.csv (2 rows) beside p1/data/Customer.csv (3 rows).
    dir = path.join(root, "p1");
    write("data/Customer.csv", "CustomerId,FullName\n7,Zed\n8,Yan\n9,Xi\n");
    dir = path.join(root, "p[1]");
    out = path.join(root, "out");
    specFile = path.join(dir, "spec.yaml");
    write("spec.yaml", SPEC());
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
    const r = await run();
    expect(r.code, r.stderr).to.equal(0);
    expect(r.byName.Customer.rows).to.equal(namesIn("data/Customer.csv").length);
    const rows = await served("SELECT FullName FROM Customer ORDER BY CustomerId");
    expect(rows.map((x: any) => x.FullName)).to.deep.equal(namesIn("data/Customer.csv"));
  });
});

describe("synapse-export run on a machine whose clock is a day fast (issue 11 item 9)", function () {
  this.timeout(60_000);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-integrity-"));
    out = path.join(dir, "out");
    specFile = path.join(dir, "spec.yaml");
    write("spec.yaml", SPEC());
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a later run with a true clock is newest: the next run is unchanged and serves its data", async () => {
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n");
    const fast = await runCli(["run", specFile, "--local", out, "--json"], {
      env: {
        NODE_OPTIONS: `--require ${path.join(__dirname, "support", "clockAhead.js")}`,
        CLOCK_AHEAD_MS: String(24 * 3600_000),
      },
    });
    expect(fast.code, fast.stderr).to.equal(0);
    const a = JSON.parse(fast.stdout);
    expect(Date.parse(a.startedAt), "the child's clock was ahead").to.be.greaterThan(
      Date.now() + 23 * 3600_000,
    );
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
    const b = await run();
    expect(b.byName.Customer.status).to.equal("exported");
    const c = await run();
    expect(c.byName.Customer).to.include({
      status: "unchanged",
      snapshot: b.byName.Customer.snapshot,
    });
    const rows = await served("SELECT FullName FROM Customer ORDER BY CustomerId");
    expect(rows.map((x: any) => x.FullName)).to.deep.equal(namesIn("data/Customer.csv"));
  });
});

describe("synapse-export run with a backslash and a glob character in a path (issue 11 item 7)", function () {
  this.timeout(60_000);
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-integrity-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("refuses the source instead of serving the folder DuckDB splits the path into", async () => {
    // A folder named `m\n[1]` beside `m/n[1]`: once a path has `[`, DuckDB reads `\` as a separator.
    dir = path.join(root, "m", "n[1]");
    write("data/Customer.csv", "CustomerId,FullName\n7,Zed\n8,Yan\n9,Xi\n");
    dir = path.join(root, "m\\n[1]");
    out = path.join(root, "out");
    specFile = path.join(dir, "spec.yaml");
    write("spec.yaml", SPEC());
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n2,Bob\n");
    const r = await run();
    expect(r.code, r.stderr).to.equal(2);
    expect(r.byName.Customer.status).to.equal("failed");
    expect(errorText(r.byName.Customer)).to.include("backslash");
    expect(fs.existsSync(path.join(out, "ci-export", "ci_export", "Customer"))).to.equal(false);
  });

  it("refuses a --local folder whose views DuckDB could not read exactly", async () => {
    dir = path.join(root, "s");
    specFile = path.join(dir, "spec.yaml");
    write("spec.yaml", SPEC());
    write("data/Customer.csv", "CustomerId,FullName\n1,Ada\n");
    out = path.join(root, "o\\ut[1]");
    const r = await runCli(["run", specFile, "--local", out, "--json"]);
    // The folder named on the command line is the mistake: a usage error (README's exit code 1).
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout + r.stderr).to.include("backslash");
  });
});
