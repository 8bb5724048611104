// Loaded into the CLI's process with `node --require` by the crash check, never by the product: it
// reports every file operation the run makes (rename, write, mkdir, remove...) to the parent over
// the IPC channel, so the check can SIGKILL the run after its Nth file operation. Kill moments are
// then defined by the run's own progress, not by a timing estimate that a busy machine defeats.
// It only observes: each call goes on to the real function unchanged.

import { FILE_EVENTS_ENV, type FileEvent } from "./fileEvent";

const OPERATIONS = [
  "appendFile",
  "copyFile",
  "mkdir",
  "open",
  "rename",
  "rm",
  "rmdir",
  "truncate",
  "unlink",
  "writeFile",
] as const;

function install(): void {
  // The module object itself (an `import *` would give a read-only copy of its properties).
  const fs = require("node:fs") as typeof import("node:fs");
  const send = process.send?.bind(process);
  if (!send || process.env[FILE_EVENTS_ENV] !== "1") return;
  const report = (op: string, target: unknown) => {
    try {
      send({ fileEvent: op, path: String(target) } satisfies FileEvent);
    } catch {
      // The parent is gone: nothing to tell.
    }
  };
  const wrap = (owner: Record<string, unknown>, name: string, op: string) => {
    const real = owner[name];
    if (typeof real !== "function") return;
    owner[name] = function (this: unknown, ...args: unknown[]) {
      report(op, args[0]);
      return (real as (...a: unknown[]) => unknown).apply(this, args);
    };
  };
  for (const op of OPERATIONS) {
    wrap(fs.promises as unknown as Record<string, unknown>, op, op);
    wrap(fs as unknown as Record<string, unknown>, op, op);
    wrap(fs as unknown as Record<string, unknown>, `${op}Sync`, op);
  }
  // The channel must not keep the run alive once it is done.
  process.channel?.unref();
}

install();
