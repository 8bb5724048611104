// What a SIGKILLed `run --local` leaves behind, and the next run cleans up: its lock file, which the
// next run must take over at once (its holder is dead, on this machine), not after the 6 h staleMs
// the CLI passes; the temporary names of the lake writes it was making (a snapshot folder renamed
// away for deletion, a manifest not yet renamed into place); its staging folder in the OS temp folder.
// What cannot be checked from here — a holder of the same hostname on another boot or in another pid
// namespace (a container sharing the volume) — still waits for staleMs, and an unreadable lock file
// for 10 s at most.

import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { databaseFolder, startCli } from "./support/crashCheck";
import { startFollowed } from "./support/lockEvents";
import { writeInput } from "./support/crashData";
import { acquireLockFile } from "../../src/engine/lake/localLockFile";

const CLI_STALE_MS = 6 * 3600_000;

describe("what a killed run leaves behind", function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tempDir = async () => {
    const d = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-killed-run-"));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  });

  it("the next run takes a SIGKILLed run's lock over at once, exports, and removes its leftovers", async () => {
    const dir = await tempDir();
    const specDir = path.join(dir, "spec");
    const target = path.join(dir, "target");
    const tmp = path.join(dir, "tmp");
    await fs.mkdir(tmp);
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    try {
      await writeInput(db, specDir, 100_000);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
    const lockFile = `${databaseFolder(target)}.export.lock`;

    const killed = startFollowed(specDir, target, tmp);
    const pid = killed.child.pid!;
    // Killed as soon as its lock is seen, whatever the time that took.
    await killed.locked;
    killed.child.kill("SIGKILL");
    expect((await killed.done).signal).to.equal("SIGKILL");
    expect(JSON.parse(await fs.readFile(lockFile, "utf8")).pid, "the lock left behind").to.equal(
      pid,
    );

    // What the kill may also leave, placed where and named as the run makes them, so that every
    // kind is there whatever the moment of the kill.
    const entityDir = path.join(databaseFolder(target), "Customer");
    const leftovers = [
      path.join(entityDir, `.v=0123456789abcdef.${pid}.0a1b2c3d.tmp`),
      path.join(entityDir, "v=fedcba9876543210", `._manifest.json.${pid}.4e5f6a7b.tmp`),
      path.join(tmp, `synapse-export-staging-${pid}@${os.hostname()}-Ab12Cd`),
    ];
    await fs.mkdir(leftovers[0], { recursive: true });
    await fs.writeFile(path.join(leftovers[0], "part-00000.parquet"), "a deleted snapshot's part");
    await fs.mkdir(path.dirname(leftovers[1]), { recursive: true });
    await fs.writeFile(leftovers[1], "{");
    await fs.mkdir(path.join(leftovers[2], "entity-0"), { recursive: true });

    // Not allowed to wait at all: a run that waited for the dead holder (for staleMs, or for any
    // time) instead of taking its lock over at once would exit 2, "held by".
    const next = await startCli(specDir, target, tmp, ["--json", "--lock-wait", "0"]).done;
    expect(next.code, next.stderr).to.equal(0);
    const statuses = (JSON.parse(next.stdout) as { entities: { status: string }[] }).entities.map(
      (e) => e.status,
    );
    expect(statuses).to.deep.equal(["exported", "exported", "exported"]);
    expect(existsSync(lockFile), "the lock after the next run").to.equal(false);
    for (const f of leftovers) expect(existsSync(f), `${f} after the next run`).to.equal(false);
    expect(await fs.readdir(tmp), "staging folders after the next run").to.deep.equal([]);
  });

  describe("what cannot be checked from here", () => {
    const linux = existsSync("/proc/sys/kernel/random/boot_id") && existsSync("/proc/self/ns/pid");

    async function lockWith(content: Record<string, unknown>): Promise<string> {
      const file = path.join(await tempDir(), "_export.lock");
      await fs.writeFile(
        file,
        JSON.stringify({
          holder: "elsewhere",
          token: "theirs",
          hostname: os.hostname(),
          ...content,
        }),
      );
      return file;
    }

    for (const [what, field] of [
      ["this host before a reboot (another boot id)", "bootId"],
      ["a container beside this one (another pid namespace)", "pidNamespace"],
    ] as const) {
      it(`a dead-looking holder on ${what} blocks until staleMs, then is broken`, async function () {
        if (!linux) this.skip();
        const pid = await deadPid();
        const young = await lockWith({
          pid,
          acquiredAt: new Date().toISOString(),
          [field]: "another",
        });
        const err = await acquireLockFile(young, {
          waitMs: 0,
          staleMs: 60_000,
          holder: "test",
        }).then(
          () => expect.fail("a young lock of another boot or namespace was broken"),
          (e: Error) => e,
        );
        expect(err.message).to.include("held by elsewhere");

        const old = await lockWith({
          pid,
          acquiredAt: new Date(Date.now() - 120_000).toISOString(),
          [field]: "another",
        });
        const lock = await acquireLockFile(old, { waitMs: 0, staleMs: 60_000, holder: "test" });
        await lock.release();
      });
    }

    it("an unreadable lock file is broken after 10 s, whatever staleMs", async () => {
      const file = await lockWith({});
      await fs.writeFile(file, "");
      await acquireLockFile(file, { waitMs: 0, staleMs: CLI_STALE_MS, holder: "test" }).then(
        () => expect.fail("a lock file being written was broken"),
        (e: Error) => expect(e.message).to.match(/being written or unreadable/),
      );
      const past = new Date(Date.now() - 11_000);
      await fs.utimes(file, past, past);
      const lock = await acquireLockFile(file, {
        waitMs: 0,
        staleMs: CLI_STALE_MS,
        holder: "test",
      });
      await lock.release();
    });
  });
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}
