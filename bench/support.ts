// What the benches share: a seeded generator (every run measures the same file), one measured step
// per child process (its CPU time and peak RSS its own), medians, and the engine's export of one
// entity into a LocalLake, as `runExport` is called by `run --local`.

import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { EntitySpec } from "../src/spec/types";

export interface StepResult {
  ms: number;
  /** User + system CPU time of the child process, all threads: less sensitive than wall time to
   * other work on a shared machine, which takes cores away but does not add to this. */
  cpuMs?: number;
  maxRssMb: number;
  detail?: string;
}

/** A small deterministic PRNG, so every run of a bench measures the same file. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function maxRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes (getrusage ru_maxrss), the process's high-water mark.
  return process.resourceUsage().maxRSS / 1024;
}

/** Runs `script --child step ...args` and returns the JSON its last line reports. */
export function child(script: string, step: string, ...args: string[]): StepResult {
  const output = execFileSync(process.execPath, [script, "--child", step, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(output.trim().split("\n").pop()!) as StepResult;
}

/** The median result by wall time (or by CPU time). */
export function median(rs: StepResult[], by: "ms" | "cpuMs" = "ms"): StepResult {
  return [...rs].sort((a, b) => (a[by] ?? 0) - (b[by] ?? 0))[Math.floor((rs.length - 1) / 2)];
}

/** `runExport` of one entity (its source beside it) into a LocalLake at `lakeDir`. */
export async function exportOneEntity(
  entity: EntitySpec,
  sourceDir: string,
  lakeDir: string,
  stagingDir: string,
) {
  const { runExport, LocalLake } = require("../src/engine") as typeof import("../src/engine");
  const spec = {
    baseDir: sourceDir,
    // The export's own account: the fingerprint names the destination it writes to.
    connection: { storage: { accountName: "bench", container: "bench" } } as never,
    principals: {} as never,
    export: {
      displayName: "bench",
      databaseName: "bench_db",
      format: "parquet" as const,
      runOnDeploy: true,
      onEntityRemoved: "retain" as const,
      retainSnapshots: 2,
      entities: [entity],
    },
  };
  const started = performance.now();
  const record = await runExport(spec, { lake: new LocalLake(lakeDir, "bench"), stagingDir });
  return { ms: performance.now() - started, entity: record.entities[0] };
}

/** A bench's entry point: its child step when started with `--child`, else `main`. */
export function benchEntry(
  main: () => Promise<void>,
  childMain: (step: string, args: string[]) => Promise<void>,
): void {
  const childAt = process.argv.indexOf("--child");
  (childAt >= 0
    ? childMain(process.argv[childAt + 1], process.argv.slice(childAt + 2))
    : main()
  ).catch((e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

/** The staging folder beside a lake folder. */
export function stagingBeside(lakeDir: string, name = "staging"): string {
  return path.join(path.dirname(lakeDir), name);
}
