// What says a source file is still the file that was read: its size, modification time, status
// change time, device and inode. `touch -r` (or any utimes call) can put an old mtime back, but the
// kernel sets ctime to "now" on every write and on every utimes, and no unprivileged call can set it;
// a file replaced by a rename (an editor's save, `cp` onto a new name then `mv`) has a new inode.
// (POSIX <sys/stat.h>: st_ctim "time of last status change"; Linux inode(7): ctime is changed by
// writing and by setting inode information, i.e. by utimes itself.)

import { promises as fs } from "node:fs";
import { SourceError } from "./sourceError";

export interface SourceIdentity {
  bytes: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  dev: number;
}

/** The identity of a file now; a file gone since it was listed is a SourceError naming it. */
export async function statSource(absPath: string, relPath: string): Promise<SourceIdentity> {
  try {
    const s = await fs.stat(absPath);
    return { bytes: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino, dev: s.dev };
  } catch (e) {
    throw goneOrRaw(e, relPath);
  }
}

export function sameIdentity(a: SourceIdentity, b: SourceIdentity): boolean {
  return (
    a.bytes === b.bytes &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.ino === b.ino &&
    a.dev === b.dev
  );
}

/** What moved between two identities, in the words a user knows from `ls -l` and `stat`. */
export function describeChange(before: SourceIdentity, after: SourceIdentity): string {
  const moved: string[] = [];
  if (before.bytes !== after.bytes) moved.push(`size ${before.bytes} -> ${after.bytes} bytes`);
  if (before.mtimeMs !== after.mtimeMs) moved.push("modification time");
  if (before.ctimeMs !== after.ctimeMs) moved.push("status change time");
  if (before.ino !== after.ino || before.dev !== after.dev) moved.push("inode (file replaced)");
  return moved.join(", ");
}

/**
 * Fails when a file is not the one first listed: it changed (or was replaced) while it was read,
 * so what was read may be a mix of two versions and must not become a snapshot.
 */
export async function assertSourcesUnchanged(
  entity: string,
  files: readonly (SourceIdentity & { absPath: string; relPath: string })[],
): Promise<void> {
  for (const f of files) {
    const now = await statSource(f.absPath, f.relPath);
    if (!sameIdentity(f, now)) {
      throw new SourceError(
        `entity "${entity}": source ${f.relPath} changed while it was being read (${describeChange(f, now)}); ` +
          `nothing was exported. Run the export again once the file is completely written ` +
          `(write it under another name and rename it into place to avoid this).`,
      );
    }
  }
}

function goneOrRaw(e: unknown, relPath: string): unknown {
  const code = (e as { code?: string }).code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    return new SourceError(
      `source ${relPath} was removed while the export was reading it; nothing was exported. ` +
        `Run the export again once the source files are in place.`,
    );
  }
  return e;
}

/** A SourceError for a file that vanished, or the error as it was. */
export function sourceGoneError(e: unknown, relPath: string): unknown {
  return goneOrRaw(e, relPath);
}
