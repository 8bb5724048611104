// Two exports against one target at the same time — a scheduled `run` and a `pulumi up`, say — with
// real CLI processes on one --local folder: the second waits for the first, or fails with a message
// that names the holder and writes nothing; their writes never interleave, and the lake and the
// database end consistent. Also a `pulumi up`'s database step during a run (the provider calls the
// same engine operation in its own process): the database file must not refuse it.

import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  checkViews,
  databaseFile,
  databaseFolder,
  lakeState,
  type RunOutcome,
} from "./support/crashCheck";
import { startFollowed } from "./support/lockEvents";
import {
  appendVersion,
  ENTITIES,
  expectedFromSources,
  SPEC_FILE,
  writeInput,
  type EntityName,
  type Expected,
} from "./support/crashData";
import { loadSpecFile } from "../../src/cli/loadSpec";
import { provisionExportDatabase } from "../../src/engine/exportOperations";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

const ROWS = 150_000;
/** What the losing run is told to wait for the lock (`--lock-wait`; the CLI's default is 30 s). */
const CLI_LOCK_WAIT_MS = 3_000;

interface Setup {
  dir: string;
  specDir: string;
  target: string;
  tmp: string;
  versions: Record<EntityName, Expected>[];
  /** The version each entity's view serves, as last checked. */
  served: Record<EntityName, number>;
}

describe("two runs against the same target at the same time", function () {
  this.timeout(120_000);
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  const children: ChildProcess[] = [];
  const dirs: string[] = [];

  before(async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    instance = await DuckDBInstance.create(":memory:");
    db = await instance.connect();
  });

  afterEach(async () => {
    // A stopped child would outlive the test: continue it, then kill it.
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill("SIGCONT");
        c.kill("SIGKILL");
      }
    }
    for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  });

  after(() => {
    db.closeSync();
    instance.closeSync();
  });

  /** A target that already serves version 0, with version 1 in the sources: a run is due. */
  async function setUp(): Promise<Setup> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-concurrent-"));
    dirs.push(dir);
    const s: Setup = {
      dir,
      specDir: path.join(dir, "spec"),
      target: path.join(dir, "target"),
      tmp: path.join(dir, "tmp"),
      versions: [],
      served: Object.fromEntries(ENTITIES.map((e) => [e, 0])) as Record<EntityName, number>,
    };
    await fs.mkdir(s.tmp);
    await writeInput(db, s.specDir, ROWS);
    s.versions.push(await expectedFromSources(db, s.specDir));
    const first = await start(s).done;
    expect(first.code, first.stderr).to.equal(0);
    await appendVersion(db, s.specDir, ROWS, 1, 1_000);
    s.versions.push(await expectedFromSources(db, s.specDir));
    return s;
  }

  function start(s: Setup, args: string[] = ["--json"]) {
    const run = startFollowed(s.specDir, s.target, s.tmp, args);
    children.push(run.child);
    return run;
  }

  /** Views on version 1, one complete snapshot per entity beside the previous, nothing else left. */
  async function expectConsistent(s: Setup): Promise<void> {
    const views = await checkViews(s.target, s.versions, s.served, 1);
    expect(views.failures).to.deep.equal([]);
    expect(s.served).to.deep.equal(Object.fromEntries(ENTITIES.map((e) => [e, 1])));
    const lake = await lakeState(s.target);
    expect(lake.incomplete, "incomplete snapshots").to.deep.equal([]);
    expect(lake.temporary, "temporary files").to.deep.equal([]);
    for (const e of ENTITIES) {
      expect(
        lake.complete[e],
        `${e}: the previous snapshot and exactly one new one`,
      ).to.have.length(2);
    }
    await fs.access(`${databaseFolder(s.target)}.export.lock`).then(
      () => expect.fail("the lock file is still there"),
      () => undefined,
    );
  }

  it("two runs started together take turns: the second waits, then finds every entity unchanged", async () => {
    const s = await setUp();
    const runs = [start(s), start(s)];
    const [a, b] = await Promise.all(runs.map((r) => r.done));
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
    const statuses = [a, b].map((r) =>
      (JSON.parse(r.stdout) as { entities: { status: string }[] }).entities.map((e) => e.status),
    );
    // Interleaved, both would have seen no new snapshot and both would have exported.
    expect(statuses).to.have.deep.members([
      ["exported", "exported", "exported"],
      ["unchanged", "unchanged", "unchanged"],
    ]);
    const second = statuses[0][0] === "exported" ? runs[1] : runs[0];
    // Counted, not timed: the second found the lock held and tried again until the first let go.
    expect(second.lockAttempts(), "times the second run tried the lock").to.be.greaterThan(1);
    await expectConsistent(s);
  });

  it(
    "a run that finds the target busy for longer than it waits exits 2 naming the holder, " +
      "and writes nothing",
    async () => {
      const s = await setUp();
      const holder = start(s);
      const pid = holder.child.pid!;
      await holder.locked;
      // The holder is alive and keeps its lock for as long as it is stopped.
      holder.child.kill("SIGSTOP");
      const before = await fingerprintTarget(s.target);

      const losing = start(s, ["--lock-wait", String(CLI_LOCK_WAIT_MS / 1000)]);
      const loser: RunOutcome = await losing.done;

      expect(loser.code).to.equal(2);
      // The holder's process and machine once, then since when.
      expect(loser.stderr).to.include(
        `is held by synapse-export run (${os.hostname()} pid ${pid}), since `,
      );
      expect(loser.stderr).to.include("Wait for that export to finish and run again");
      expect(loser.stdout, "no run record: nothing was run").to.equal("");
      // It waited, trying again (every 200 ms), rather than giving up at the first sight of the lock.
      expect(losing.lockAttempts(), "times the losing run tried the lock").to.be.greaterThan(1);
      expect(
        await fingerprintTarget(s.target),
        "the lake and database as the holder left them",
      ).to.deep.equal(before);

      holder.child.kill("SIGCONT");
      const won = await holder.done;
      expect(won.code, won.stderr).to.equal(0);
      await expectConsistent(s);
    },
  );

  it("a `pulumi up` provisioning the database during a run is not refused by the database file", async () => {
    const s = await setUp();
    const spec = loadSpecFile(path.join(s.specDir, SPEC_FILE)).spec!;
    const run = start(s);
    let finished = false;
    void run.done.then(() => (finished = true));
    let duringRun = 0;
    while (!finished) {
      const locked = await fs
        .access(`${databaseFolder(s.target)}.export.lock`)
        .then(() => true)
        .catch(() => false);
      // Before the fix the run held the file from its first statement to its exit, and this failed
      // with DuckDB's "Could not set lock on file".
      await provisionExportDatabase(spec, { kind: "local", dir: s.target });
      if (locked && !finished) duringRun++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const r = await run.done;
    expect(r.code, r.stderr).to.equal(0);
    expect(duringRun, "provisioning calls made while the run held its lock").to.be.greaterThan(2);
    await expectConsistent(s);
  });
});

/** Every file of the target with its size and mtime: the lake folder and the database file. */
async function fingerprintTarget(target: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else {
        const st = await fs.stat(full);
        out[path.relative(target, full)] = `${st.size}:${st.mtimeMs}`;
      }
    }
  };
  await walk(target);
  expect(out).to.have.property(path.relative(target, databaseFile(target)));
  return out;
}
