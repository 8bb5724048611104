// The lake as a local directory: the local target of `run --local` and of most end-to-end tests.
// Every file becomes visible whole or not at all: it is written under a hidden temporary name in its
// final folder and renamed into place (a rename within one folder is atomic on POSIX filesystems).
// Temporary names start with `.` because Synapse serverless and Hadoop-style readers skip files whose
// names begin with `.` or `_`, so a crash never leaves a half file where a table would read it; the
// next export to take the lock removes such leftovers.

import { ExportError, messageOf } from "../../errors";
import { randomBytes } from "node:crypto";
import { constants as fsConstants, promises as fs } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { LakeEntry, LakeLock, LakeStore } from "./lakeStore";
import { acquireLockFile, type LockFileOptions } from "./localLockFile";
import { folderGuardedBy } from "../../plan/lakeLayout";

/**
 * Writes a file under a hidden temporary name beside `target`, syncs it, then renames it into place:
 * readers see the old file or the new one, and after a power loss the name never points at an empty
 * file. The temporary is removed when anything fails.
 */
async function replaceWhole(target: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = tempNameBeside(target);
  try {
    await write(temp);
    const handle = await fs.open(temp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw writeError(target, e);
  }
}

/**
 * Node's ENOSPC names no file ("no space left on device, write"): the message says which file of
 * the lake could not be written, and what to do. Other failures name the file too, as kind "lake".
 */
function writeError(target: string, e: unknown): unknown {
  if (e instanceof ExportError) return e;
  if (!isCode(e, "ENOSPC") && !isCode(e, "EDQUOT")) {
    // Something in the way (a file where a folder must be, a folder the user may not write): the
    // lake's failure, naming the file.
    return new ExportError("lake", `could not write ${target}: ${messageOf(e)}`, {
      cause: e,
    });
  }
  const code = (e as { code: string }).code;
  return new ExportError(
    "lake",
    `could not write ${target}: the disk (or quota) holding the local lake is full (${code}). ` +
      `Nothing of the new snapshot is served; free space there and run again.`,
    { cause: e },
  );
}

/** A read, listing or removal the local lake's filesystem refused, naming the path (kind "lake"). */
function lakeError(what: "list" | "read" | "remove", file: string, e: unknown): ExportError {
  return new ExportError("lake", `could not ${what} ${file}: ${messageOf(e)}`, { cause: e });
}

export class LocalLake implements LakeStore {
  /** The container root: `<rootDir>/<container>`. */
  readonly root: string;
  readonly location: string;
  readonly localRoot: string;

  constructor(rootDir: string, container: string) {
    if (!container || container.includes("/") || container.includes("\\") || container === "..") {
      throw new ExportError(
        "lake",
        `LocalLake: the container name "${container}" must be a single folder name.`,
      );
    }
    this.root = path.resolve(rootDir, container);
    this.location = pathToFileURL(this.root).href;
    this.localRoot = this.root;
  }

  async ensureContainer(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true }).catch((e) => {
      // EEXIST here: a file (not a folder) has the container's name.
      const why =
        isCode(e, "EEXIST") || isCode(e, "ENOTDIR")
          ? "a file stands where the container folder must be; move it away"
          : messageOf(e);
      throw new ExportError("lake", `could not create the container folder ${this.root}: ${why}`, {
        cause: e,
      });
    });
  }

  async list(prefix: string, options: { recursive?: boolean } = {}): Promise<LakeEntry[]> {
    const recursive = options.recursive ?? true;
    const start = this.resolve(prefix, true);
    const out: LakeEntry[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (isCode(e, "ENOENT") || isCode(e, "ENOTDIR")) return;
        throw lakeError("list", dir, e);
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        const rel = this.relative(full);
        if (entry.isDirectory()) {
          out.push({ path: rel, isDirectory: true, size: 0 });
          if (recursive) await walk(full);
        } else if (entry.isFile()) {
          const stat = await fs.stat(full).catch(() => undefined);
          if (stat) out.push({ path: rel, isDirectory: false, size: stat.size });
        }
      }
    };
    await walk(start);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async readText(file: string): Promise<string | undefined> {
    try {
      return await fs.readFile(this.resolve(file), "utf8");
    } catch (e) {
      // ENOTDIR: a file stands where a folder of the path would be, so the file is not there either.
      if (isCode(e, "ENOENT") || isCode(e, "EISDIR") || isCode(e, "ENOTDIR")) return undefined;
      throw lakeError("read", this.resolve(file), e);
    }
  }

  async writeText(file: string, text: string): Promise<void> {
    const target = this.resolve(file);
    await fs.mkdir(path.dirname(target), { recursive: true }).catch((e) => {
      throw writeError(target, e);
    });
    await replaceWhole(target, (temp) =>
      fs.writeFile(temp, text, { encoding: "utf8", flag: "wx" }),
    );
  }

  async uploadFile(localPath: string, file: string): Promise<void> {
    const target = this.resolve(file);
    await fs.mkdir(path.dirname(target), { recursive: true }).catch((e) => {
      throw writeError(target, e);
    });
    try {
      // Same filesystem: a rename moves the staged part at no cost (the staging copy is not needed after).
      await fs.rename(localPath, target);
      return;
    } catch (e) {
      if (!isCode(e, "EXDEV")) throw writeError(target, e);
    }
    await replaceWhole(target, (temp) => fs.copyFile(localPath, temp, fsConstants.COPYFILE_EXCL));
  }

  async deleteTree(file: string): Promise<void> {
    const target = this.resolve(file);
    // Renamed away first so that a crash during a long recursive delete never leaves a folder that
    // looks like a snapshot with some of its parts missing.
    const hidden = tempNameBeside(target);
    try {
      await fs.rename(target, hidden);
    } catch (e) {
      if (isCode(e, "ENOENT")) return;
      throw lakeError("remove", target, e);
    }
    await fs.rm(hidden, { recursive: true, force: true }).catch((e) => {
      throw lakeError("remove", target, e);
    });
  }

  async acquireLock(name: string, options: LockFileOptions): Promise<LakeLock> {
    const file = this.resolve(name);
    const lock = await acquireLockFile(file, options);
    // Under the lock no other export writes below the folder it guards (the database folder, beside
    // which the export lock lives), so a temporary name found there was left by a killed one: most
    // often a whole snapshot renamed away by deleteTree and not yet removed. Nothing reads those names;
    // without this they would fill the disk, kill after kill. Never the container root: other
    // databases' runs hold their own locks and their temporaries are in use.
    const guarded = folderGuardedBy(name.replace(/^\/+/, ""));
    if (guarded !== "") await removeTemporaries(this.resolve(guarded)).catch(() => undefined);
    return lock;
  }

  /** The absolute path of a lake path; refuses anything that would leave the container. */
  resolve(lakePath: string, allowRoot = false): string {
    const clean = lakePath.replace(/^\/+/, "").replace(/\/+$/, "");
    if (clean === "" && allowRoot) return this.root;
    const parts = clean.split("/");
    if (
      clean === "" ||
      parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\\"))
    ) {
      throw new ExportError(
        "lake",
        `LocalLake: "${lakePath}" is not a valid lake path (use "/"-separated names, no "." or "..").`,
      );
    }
    return path.join(this.root, ...parts);
  }

  private relative(full: string): string {
    return path.relative(this.root, full).split(path.sep).join("/");
  }
}

/** `.<name>.<pid>.<8 hex>.tmp`, as tempNameBeside makes them. */
const TEMPORARY = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

async function removeTemporaries(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const m = TEMPORARY.exec(entry.name);
    // This process's own would be in use; a killed run's never are.
    if (m && Number(m[1]) !== process.pid) await fs.rm(full, { recursive: true, force: true });
    else if (!m && entry.isDirectory()) await removeTemporaries(full);
  }
}

function tempNameBeside(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === code;
}
