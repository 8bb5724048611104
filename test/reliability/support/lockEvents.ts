// Runs of the real CLI that the tests follow by the file operations they report (see
// test/reliability/support/fileEventsProbe.ts), never by the clock: "the run holds the lock" is the first
// file operation after which the lock file names the run's pid, and "how often a run tried the lock"
// is the number of times it opened the lock file.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { databaseFolder, startCli, type StartedRun } from "./crashCheck";

export interface FollowedRun extends StartedRun {
  /** Resolves once the lock file names this run; rejects if the run ends first. */
  locked: Promise<void>;
  /** How many times the run has opened the lock file so far (each open is one try to take it). */
  lockAttempts(): number;
}

export function lockFileOf(target: string): string {
  // Beside the database folder (src/plan/lakeLayout.ts exportLockPath), not inside it.
  return `${databaseFolder(target)}.export.lock`;
}

export function startFollowed(
  specDir: string,
  target: string,
  tmp: string,
  args: string[] = ["--json"],
): FollowedRun {
  const lockFile = lockFileOf(target);
  let attempts = 0;
  let resolveLocked!: () => void;
  let rejectLocked!: (e: Error) => void;
  const locked = new Promise<void>((resolve, reject) => {
    resolveLocked = resolve;
    rejectLocked = reject;
  });
  // Nobody may be left with an unhandled rejection when a test does not wait for the lock.
  locked.catch(() => undefined);
  const holds = (pid: number | undefined) => {
    try {
      return readFileSync(lockFile, "utf8").includes(`"pid":${pid}`);
    } catch {
      return false;
    }
  };
  const run = startCli(specDir, target, tmp, args, (_n, event, child) => {
    if (event.fileEvent === "open" && path.resolve(event.path) === lockFile) attempts++;
    if (holds(child.pid)) resolveLocked();
  });
  void run.done.then(
    (o) =>
      rejectLocked(
        new Error(`the run (pid ${run.child.pid}) ended (exit ${o.code}) without holding the lock`),
      ),
    rejectLocked,
  );
  return { ...run, locked, lockAttempts: () => attempts };
}
