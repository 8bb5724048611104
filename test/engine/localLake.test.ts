// LocalLake: whole-file writes, listing, deletes, path safety, and the export lock file (contention,
// waiting, stale-lock breaking only for a dead local holder, at once).

import { expect } from "chai";
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalLake } from "../../src/engine/lake/localLake";
import { removeTempDirs, tempDir } from "./support/fixtures";

async function newLake(): Promise<LocalLake> {
  const lake = new LocalLake(await tempDir("lake"), "ci-export");
  await lake.ensureContainer();
  return lake;
}

/** The pid of a process that has exited: a crashed holder. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}

async function writeLock(lake: LocalLake, content: Record<string, unknown>): Promise<string> {
  const file = lake.resolve("db/_export.lock");
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({ token: "theirs", ...content }));
  return file;
}

const LOCK = { waitMs: 0, staleMs: 60_000, holder: "test run" };

describe("LocalLake", () => {
  after(removeTempDirs);

  it("writes text whole, replaces it, and leaves no temporary file behind", async () => {
    const lake = await newLake();
    expect(await lake.readText("db/E/v=1/_manifest.json")).to.equal(undefined);
    await lake.writeText("db/E/v=1/_manifest.json", "first");
    await lake.writeText("db/E/v=1/_manifest.json", "second");
    expect(await lake.readText("db/E/v=1/_manifest.json")).to.equal("second");
    expect(await fs.readdir(lake.resolve("db/E/v=1"))).to.deep.equal(["_manifest.json"]);
  });

  it("lists recursively with container-relative paths and sizes; a missing prefix lists nothing", async () => {
    const lake = await newLake();
    await lake.writeText("db/A/v=1/part-00000.parquet", "12345");
    await lake.writeText("db/B/x.txt", "1");
    expect(await lake.list("db/A")).to.deep.equal([
      { path: "db/A/v=1", isDirectory: true, size: 0 },
      { path: "db/A/v=1/part-00000.parquet", isDirectory: false, size: 5 },
    ]);
    expect((await lake.list("")).map((e) => e.path)).to.include("db/B/x.txt");
    expect(await lake.list("db/missing")).to.deep.equal([]);
  });

  it("uploads a local file by moving it into place", async () => {
    const lake = await newLake();
    const local = path.join(await tempDir("staging"), "part.parquet");
    await fs.writeFile(local, "data");
    await lake.uploadFile(local, "db/E/v=1/part-00000.parquet");
    expect(await lake.readText("db/E/v=1/part-00000.parquet")).to.equal("data");
  });

  it("deletes a folder tree or a single file, and a missing path without error", async () => {
    const lake = await newLake();
    await lake.writeText("db/E/v=1/_manifest.json", "{}");
    await lake.writeText("db/E/v=1/part-00000.parquet", "x");
    await lake.deleteTree("db/E/v=1/_manifest.json");
    expect((await lake.list("db/E")).map((e) => e.path)).to.deep.equal([
      "db/E/v=1",
      "db/E/v=1/part-00000.parquet",
    ]);
    await lake.deleteTree("db/E");
    expect(await lake.list("db")).to.deep.equal([]);
    await lake.deleteTree("db/E");
  });

  it("refuses paths that would leave the container", async () => {
    const lake = await newLake();
    for (const bad of ["../outside.txt", "db/../../x", "db/./x", "a\\b"]) {
      await lake.writeText(bad, "x").then(
        () => expect.fail(`${bad} was accepted`),
        (e: Error) => expect(e.message).to.match(/not a valid lake path/),
      );
    }
    expect(() => new LocalLake("/tmp", "../x")).to.throw(/single folder name/);
  });

  describe("export lock", function () {
    this.timeout(10_000);

    it("fails at once, naming the holder, when another run holds the lock", async () => {
      const lake = await newLake();
      const held = await lake.acquireLock("db/_export.lock", { ...LOCK, holder: "scheduled run" });
      const err = await lake.acquireLock("db/_export.lock", LOCK).then(
        () => expect.fail("a second lock was granted"),
        (e: Error) => e,
      );
      expect(err.message).to.include("scheduled run");
      expect(err.message).to.include(`pid ${process.pid} on ${os.hostname()}`);
      await held.release();
      const again = await lake.acquireLock("db/_export.lock", LOCK);
      await again.release();
    });

    it("survives a drop of the database folder while held: the export lock lives beside the folder", async () => {
      const lake = await newLake();
      await lake.writeText("ci_export/Customer/v=1/_manifest.json", "{}");
      // Written out, not read from exportLockPath: <container>/<database>.export.lock.
      const held = await lake.acquireLock("ci_export.export.lock", {
        ...LOCK,
        holder: "pulumi up (drop database)",
      });
      // onEntityRemoved: drop deletes the database's whole folder under the lock.
      await lake.deleteTree("ci_export");
      expect(await fs.readdir(lake.resolve("", true))).to.deep.equal(["ci_export.export.lock"]);
      const err = await lake.acquireLock("ci_export.export.lock", LOCK).then(
        () => expect.fail("a second export got the lock while the drop held it"),
        (e: Error) => e,
      );
      expect(err.message).to.include("pulumi up (drop database)");
      await held.release();
      // Released: the lock file is gone, the container folder stays, and the next export gets the lock.
      expect(await fs.readdir(lake.resolve("", true))).to.deep.equal([]);
      const next = await lake.acquireLock("ci_export.export.lock", LOCK);
      await next.release();
    });

    it("cleans up a killed run's temporaries in the database folder it guards, not in other databases", async () => {
      const lake = await newLake();
      const killed = lake.resolve("ci_export/Customer/.v=1.999999.0badf00d.tmp");
      const otherDb = lake.resolve("other_db/Customer/.v=1.999999.0badf00d.tmp");
      await fs.mkdir(killed, { recursive: true });
      await fs.mkdir(otherDb, { recursive: true });
      const lock = await lake.acquireLock("ci_export.export.lock", LOCK);
      await fs.access(killed).then(
        () => expect.fail("the killed run's temporary is still there"),
        () => undefined,
      );
      await fs.access(otherDb); // another database's, guarded by its own lock
      await lock.release();
    });

    it("waits for the holder to release, up to waitMs", async () => {
      const lake = await newLake();
      const held = await lake.acquireLock("db/_export.lock", LOCK);
      // Ordered by events, not timed: the second gets the lock only once the first has let it go.
      let released = false;
      setTimeout(() => void held.release().then(() => (released = true)), 300);
      const second = await lake.acquireLock("db/_export.lock", {
        ...LOCK,
        waitMs: 60_000,
        pollMs: 25,
      });
      expect(released, "the first had released the lock").to.equal(true);
      await second.release();
    });

    it("breaks at once a lock whose holder on this host is dead, however young", async () => {
      const lake = await newLake();
      const file = await writeLock(lake, {
        holder: "crashed run",
        pid: await deadPid(),
        hostname: os.hostname(),
        acquiredAt: new Date().toISOString(),
      });
      // The CLI's staleMs: a killed run must not block the next one for that long.
      const lock = await lake.acquireLock("db/_export.lock", { ...LOCK, staleMs: 6 * 3600_000 });
      const content = JSON.parse(await fs.readFile(file, "utf8"));
      expect(content).to.include({ holder: "test run", pid: process.pid, hostname: os.hostname() });
      await lock.release();
      await fs.access(file).then(
        () => expect.fail("the lock file is still there after release"),
        () => undefined,
      );
    });

    it("never breaks a live holder's lock, or another host's lock", async () => {
      const lake = await newLake();
      const old = new Date(Date.now() - 120_000).toISOString();
      const cases = [
        { holder: "alive", pid: process.pid, hostname: os.hostname(), acquiredAt: old },
        {
          holder: "remote",
          pid: await deadPid(),
          hostname: `${os.hostname()}-elsewhere`,
          acquiredAt: old,
        },
      ];
      for (const c of cases) {
        await writeLock(lake, c);
        const err = await lake.acquireLock("db/_export.lock", LOCK).then(
          () => expect.fail(`the ${c.holder} lock was broken`),
          (e: Error) => e,
        );
        expect(err.message).to.include(c.holder);
      }
    });

    it("breaks an unreadable lock file only once it is older than staleMs", async () => {
      const lake = await newLake();
      const file = await writeLock(lake, {});
      await fs.writeFile(file, "");
      await lake.acquireLock("db/_export.lock", LOCK).then(
        () => expect.fail("a fresh empty lock file was broken"),
        (e: Error) => expect(e.message).to.match(/being written or unreadable/),
      );
      const past = new Date(Date.now() - 120_000);
      await fs.utimes(file, past, past);
      const lock = await lake.acquireLock("db/_export.lock", LOCK);
      await lock.release();
    });

    it("ages a holder whose acquiredAt is in the future by the lock file's own mtime", async () => {
      const lake = await newLake();
      // This host before a reboot (another boot id), its clock then a day fast; the lock file was
      // written 7 h ago by this filesystem's clock, beyond the CLI's staleMs of 6 h.
      const file = await writeLock(lake, {
        holder: "fast clock",
        pid: 1,
        hostname: os.hostname(),
        bootId: "another-boot",
        acquiredAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
      });
      const written = new Date(Date.now() - 7 * 3600_000);
      await fs.utimes(file, written, written);
      const lock = await lake.acquireLock("db/_export.lock", { ...LOCK, staleMs: 6 * 3600_000 });
      expect(JSON.parse(await fs.readFile(file, "utf8")).holder).to.equal("test run");
      await lock.release();
    });

    it("release removes only its own lock", async () => {
      const lake = await newLake();
      const lock = await lake.acquireLock("db/_export.lock", LOCK);
      const file = await writeLock(lake, {
        holder: "took over",
        pid: 1,
        hostname: "h",
        acquiredAt: "x",
      });
      await lock.release();
      expect(JSON.parse(await fs.readFile(file, "utf8")).holder).to.equal("took over");
    });
  });
});
