// The export lock of a local lake: a file created with O_EXCL, holding who took it. Two runs against
// the same directory (a scheduled run and a `pulumi up`) must never interleave their writes: the
// second waits up to `waitMs`, then fails naming the holder.
//
// A lock whose holder ran on this machine (same hostname, boot and pid namespace) and is gone is
// broken at once: a SIGKILLed run must not block the next one for `staleMs` (the CLI's 6 h), and a
// dead pid does not come back. A live holder, or one on another host whose liveness cannot be checked
// from here, is never robbed. Same hostname but another boot or pid namespace (a reboot, a container
// beside this one): only age tells, so `staleMs`. An unreadable lock file waits for its creator to
// finish writing it (10 s at most).
//
// What is not a lock file at all fails at once with what to do: a folder at the lock's path, a
// symbolic link (dangling or not: the export only ever creates a plain file there), and a lock that
// cannot be written (disk full) is removed again so no empty lock blocks the next run. A holder's
// acquiredAt in the future (its clock is wrong) is not trusted for the lock's age: the lock file's
// mtime, set when it was written, is used if it is earlier.

import { ExportError, messageOf } from "../../errors";
import { randomBytes } from "node:crypto";
import { promises as fs, readFileSync, readlinkSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { LakeLock } from "./lakeStore";
import { processAlive } from "../processAlive";

export interface LockFileContent {
  holder: string;
  pid: number;
  hostname: string;
  acquiredAt: string;
  /** Distinguishes this acquisition from any other, so a release never removes someone else's lock. */
  token: string;
  /**
   * Linux boot id and pid namespace of the holder: a pid can be checked only from the same boot and
   * namespace (two containers may share a hostname and a volume). Absent elsewhere, and in old locks.
   */
  bootId?: string;
  pidNamespace?: string;
}

export interface LockFileOptions {
  waitMs: number;
  /**
   * When a holder's liveness cannot be checked (this host before a reboot, another container), its
   * lock is broken after this long; an unreadable lock file after this, capped at 10 s.
   */
  staleMs: number;
  holder: string;
  /** How often a waiting run looks again; default 200 ms. */
  pollMs?: number;
}

/** A breaker file older than this is itself left by a crash (breaking takes milliseconds). */
const BREAKER_STALE_MS = 10_000;
/** Writing a lock file takes milliseconds: one still unreadable after this was left by a crash. */
const UNREADABLE_STALE_MS = 10_000;

export async function acquireLockFile(file: string, options: LockFileOptions): Promise<LakeLock> {
  const content: LockFileContent = {
    holder: options.holder,
    pid: process.pid,
    hostname: os.hostname(),
    acquiredAt: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
    ...machineIdentity(),
  };
  // Made here, and remembered: only a folder made for the lock is removed again when it is released
  // (never the container root, where the export lock lives beside its database folder).
  const made = await fs.mkdir(path.dirname(file), { recursive: true }).catch((e: unknown) => {
    throw lockWriteError(file, e);
  });
  const madeFolder = made !== undefined;
  const deadline = Date.now() + Math.max(0, options.waitMs);
  const pollMs = options.pollMs ?? 200;
  for (;;) {
    content.acquiredAt = new Date().toISOString();
    if (await tryCreate(file, content)) return new LockFileHandle(file, content.token, madeFolder);
    const current = await readLock(file);
    if (current && isStale(current, options.staleMs)) {
      await breakStaleLock(file, current);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = current?.content
        ? `${heldBy(current.content)}, since ${current.content.acquiredAt}${futureNote(current.content.acquiredAt)}`
        : "another export (the lock file is being written or unreadable)";
      throw new ExportError(
        "lock",
        `The export lock ${file} is held by ${who}. Wait for that export to finish and run again, ` +
          `or, if it crashed on another machine (a lock of this machine is taken over once its ` +
          `process is gone), delete the lock file.`,
      );
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}

/** The holder's words, with its process and machine unless they already name them. */
function heldBy(content: { holder: string; pid: number; hostname: string }): string {
  const named =
    content.holder.includes(`pid ${content.pid}`) && content.holder.includes(content.hostname);
  return named ? content.holder : `${content.holder} (pid ${content.pid} on ${content.hostname})`;
}

class LockFileHandle implements LakeLock {
  private released = false;
  constructor(
    private readonly file: string,
    private readonly token: string,
    private readonly madeFolder: boolean,
  ) {}

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const current = await readLock(this.file);
    // Only our own lock is removed: if it was broken and taken by another run, that run keeps it.
    if (current?.content?.token !== this.token) return;
    // Gone already (someone deleted it by hand): force, it is released either way.
    await fs.rm(this.file, { force: true });
    // A run that wrote nothing leaves nothing: the folder made for the lock goes when it is empty.
    if (this.madeFolder) await fs.rmdir(path.dirname(this.file)).catch(() => undefined);
  }
}

async function tryCreate(file: string, content: LockFileContent): Promise<boolean> {
  let handle;
  try {
    handle = await fs.open(file, "wx");
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "EEXIST") return false;
    // The previous holder removed the (then empty) folder as it released the lock.
    if (code !== "ENOENT") throw lockWriteError(file, e);
    await fs.mkdir(path.dirname(file), { recursive: true }).catch((again: unknown) => {
      throw lockWriteError(file, again);
    });
    handle = await fs.open(file, "wx").catch((again: { code?: string }) => {
      if (again.code === "EEXIST") return undefined;
      throw lockWriteError(file, again);
    });
    if (!handle) return false;
  }
  try {
    await handle.writeFile(JSON.stringify(content), "utf8");
    await handle.sync();
    await handle.close();
  } catch (e) {
    // An empty or partial lock left here would block every later run until it is judged stale.
    await handle.close().catch(() => undefined);
    await fs.rm(file, { force: true }).catch(() => undefined);
    throw lockWriteError(file, e);
  }
  return true;
}

/** The lock could not be created or written: the path, the cause in words, and what to do. */
function lockWriteError(file: string, e: unknown): Error {
  const code = (e as { code?: string }).code;
  const why =
    code === "ENOSPC" || code === "EDQUOT"
      ? `the disk (or quota) holding it is full (${code}); free space there and run again`
      : code === "EACCES" || code === "EPERM" || code === "EROFS"
        ? `this user may not create files in ${path.dirname(file)} (${code}); export to a folder it can write`
        : messageOf(e);
  return new ExportError(
    "lock",
    `The export lock ${file} could not be written: ${why}. No lock was left behind.`,
    { cause: e },
  );
}

interface ReadLock {
  /** Undefined while the creator is still writing it, or when it is not ours to parse. */
  content?: LockFileContent;
  mtimeMs: number;
  raw: string;
}

async function readLock(file: string): Promise<ReadLock | undefined> {
  // A link at the lock path is no lock the export made. To a file, reading through it would judge the
  // target's text unreadable, take it for stale and delete the link; dangling, it is "there" to
  // O_EXCL but never readable, and every run would wait for it in vain.
  const link = await fs.lstat(file).catch(() => undefined);
  if (link?.isSymbolicLink()) {
    const target = await fs.readlink(file).catch(() => "?");
    throw new ExportError(
      "lock",
      `The export lock ${file} is a symbolic link (to ${target}), not a lock file the export made. ` +
        `Remove the link and run again.`,
    );
  }
  try {
    const [raw, stat] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file)]);
    let content: LockFileContent | undefined;
    try {
      const parsed = JSON.parse(raw) as Partial<LockFileContent>;
      if (typeof parsed.pid === "number" && typeof parsed.hostname === "string") {
        content = parsed as LockFileContent;
      }
    } catch {
      content = undefined;
    }
    return { content, mtimeMs: stat.mtimeMs, raw };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "EISDIR") {
      throw new ExportError(
        "lock",
        `The export lock ${file} is a folder, not a file: the export creates its lock as a file there. ` +
          `Move or remove that folder (it is not the export's) and run again.`,
        { cause: e },
      );
    }
    if (code !== "ENOENT") throw e;
    return undefined;
  }
}

function isStale(lock: ReadLock, staleMs: number): boolean {
  const age = (since: number) => Date.now() - since;
  if (!lock.content) {
    // An unreadable lock file this old was left by a creator that died between create and write.
    return age(lock.mtimeMs) >= Math.min(staleMs, UNREADABLE_STALE_MS);
  }
  const holder = lock.content;
  if (holder.hostname !== os.hostname()) return false;
  const here = machineIdentity();
  const differs = (theirs: string | undefined, ours: string | undefined) =>
    theirs !== undefined && ours !== undefined && theirs !== ours;
  if (differs(holder.bootId, here.bootId) || differs(holder.pidNamespace, here.pidNamespace)) {
    // This machine before a reboot, or a container beside this one: its pid means nothing here, so
    // only age tells.
    const acquired = Date.parse(holder.acquiredAt);
    // A holder whose clock is ahead writes an acquiredAt in the future: it would block until then
    // plus staleMs. The mtime this filesystem gave the lock file is the earlier, truer bound.
    const since = Number.isFinite(acquired) ? Math.min(acquired, lock.mtimeMs) : lock.mtimeMs;
    return age(since) >= staleMs;
  }
  return !processAlive(holder.pid);
}

let identity: Pick<LockFileContent, "bootId" | "pidNamespace"> | undefined;

function machineIdentity(): Pick<LockFileContent, "bootId" | "pidNamespace"> {
  identity ??= {
    bootId: attempt(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()),
    pidNamespace: attempt(() => readlinkSync("/proc/self/ns/pid")),
  };
  return identity;
}

function attempt(read: () => string): string | undefined {
  try {
    return read() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Two waiters may judge the same lock stale at once; without care the second would delete the lock
 * the first has just created. A breaker file (O_EXCL again) lets one of them break at a time, and the
 * lock is re-read under it so only the very lock judged stale is removed.
 */
async function breakStaleLock(file: string, stale: ReadLock): Promise<void> {
  const breaker = `${file}.break`;
  let handle;
  try {
    handle = await fs.open(breaker, "wx");
  } catch (e) {
    if ((e as { code?: string }).code !== "EEXIST") throw e;
    const stat = await fs.stat(breaker).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > BREAKER_STALE_MS) await fs.rm(breaker, { force: true });
    await sleep(20);
    return;
  }
  try {
    await handle.close();
    const again = await readLock(file);
    if (again && again.raw === stale.raw) await fs.rm(file, { force: true });
  } finally {
    await fs.rm(breaker, { force: true });
  }
}

/** Said beside a holder's acquiredAt that lies in the future: its machine's clock is wrong. */
function futureNote(acquiredAt: string): string {
  const ahead = Date.parse(acquiredAt) - Date.now();
  if (!Number.isFinite(ahead) || ahead < 60_000) return "";
  return `, which is ${Math.round(ahead / 60_000)} minutes in the future: that machine's clock is wrong; fix it, and if that export is not running, delete the lock file`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
