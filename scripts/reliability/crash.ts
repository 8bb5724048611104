// `npm run reliability:crash`: SIGKILL `synapse-export run --local` at 20 moments spread over a
// run of several seconds, check after every kill that each view serves a whole snapshot (the
// previous data or the new, by row count and checksum), then that a last run converges. Bounded:
// CRASH_DEADLINE_S (default 600) is a hard limit on the whole check; kills stop early to respect it.
// Prints a table and writes the figures into RELIABILITY.md.
//
// CRASH_KILLS (20), CRASH_ROWS (rows per entity, 2,000,000), CRASH_APPEND (rows added per kill,
// 10,000), CRASH_SEED (20261127), CRASH_DIR (work folder, default a new one in the OS temp folder,
// removed at the end unless CRASH_KEEP=1), CRASH_NO_DOC=1 (do not touch RELIABILITY.md).

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  machineLine,
  runCrashCheck,
  type CrashResult,
} from "../../test/reliability/support/crashCheck";
import { ENTITIES } from "../../test/reliability/support/crashData";
import { updateReliabilityDoc } from "./reliabilityDoc";

const REPO = path.resolve(__dirname, "../../..");

function env(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${name} must be a non-negative number, got "${v}".`);
  return n;
}

async function main(): Promise<number> {
  const kills = env("CRASH_KILLS", 20);
  const rows = env("CRASH_ROWS", 2_000_000);
  const deadlineMs = env("CRASH_DEADLINE_S", 600) * 1000;
  const workDir = process.env.CRASH_DIR
    ? path.resolve(process.env.CRASH_DIR)
    : await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-crash-"));
  const hardStop = setTimeout(() => {
    console.error(
      `reliability:crash: the hard deadline of ${deadlineMs / 1000} s passed; aborting.`,
    );
    process.exit(3);
  }, deadlineMs + 60_000);
  hardStop.unref();

  console.log(
    `Crash check: ${kills} SIGKILLs of \`run --local\`, ${ENTITIES.length} entities x ` +
      `${rows.toLocaleString("en-US")} rows, deadline ${deadlineMs / 1000} s, work folder ${workDir}`,
  );
  const result = await runCrashCheck({
    workDir,
    kills,
    rows,
    appendRows: env("CRASH_APPEND", 10_000),
    deadlineMs,
    seed: env("CRASH_SEED", 20261127),
    keep: process.env.CRASH_KEEP === "1",
    log: (line) => console.log(`  ${line}`),
  });
  const machine = machineLine();
  console.log("");
  console.log(killTable(result));
  console.log("");
  console.log(summary(result));
  console.log(`Machine: ${machine}`);
  if (process.env.CRASH_NO_DOC !== "1") {
    const file = path.join(REPO, "RELIABILITY.md");
    await updateReliabilityDoc(file, resultRow(result), {
      id: "crash",
      body: details(result, machine),
    });
    console.log(`Written to ${file}`);
  }
  return result.failures.length === 0 && !result.deadlineHit ? 0 : 1;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function killTable(r: CrashResult): string {
  const header = [
    "| kill | at file operation | at (% of a run) | at (ms) | views on new data | incomplete left | lock left | WAL left | staging left | held |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | :---: | :---: | ---: | --- |",
  ];
  const sorted = [...r.kills].sort((a, b) => a.atEvent - b.atEvent);
  const rows = sorted.map(
    (k) =>
      `| ${k.kill} | ${k.atEvent} | ${Math.round((100 * k.atEvent) / r.fullRunEvents)} % | ${k.atMs} | ` +
      `${k.newViews}/${ENTITIES.length}${k.finishedFirst ? " (finished first)" : ""} | ` +
      `${k.incompleteSnapshots} | ${k.lockLeft ? "yes" : "no"} | ${k.walLeft ? "yes" : "no"} | ` +
      `${k.stagingLeft} | ${k.failures.length ? `**no**: ${k.failures.join("; ")}` : "yes"} |`,
  );
  return [...header, ...rows].join("\n");
}

function summary(r: CrashResult): string {
  const c = r.convergence;
  const landed = r.kills.filter((k) => !k.finishedFirst).length;
  return [
    `${landed} of ${r.requestedKills} kills landed inside a run` +
      `${r.finishedFirst ? ` (${r.finishedFirst} run(s) ended before their moment and were run again on new data)` : ""}, ` +
      `${r.kills.filter((k) => k.failures.length === 0).length} of ${r.kills.length} held; ` +
      `a full run takes ${seconds(r.fullRunMs)}; ` +
      `last run exit ${c.exitCode} in ${seconds(c.durationMs)}, ` +
      `${c.failures.length === 0 ? "converged" : `did not converge: ${c.failures.join("; ")}`}; ` +
      `total ${seconds(r.totalMs)}${r.deadlineHit ? " (deadline hit: fewer kills than asked)" : ""}.`,
    ...(r.failures.length ? ["FAILURES:", ...r.failures.map((f) => `  ${f}`)] : []),
  ].join("\n");
}

function resultRow(r: CrashResult): [string, string, string, string, string] {
  const c = r.convergence;
  const held = r.kills.filter((k) => k.failures.length === 0).length;
  return [
    "Crash safety: `npm run reliability:crash`",
    `SIGKILL of \`run --local\` (${ENTITIES.length} entities x ${(r.rows / 1e6).toFixed(1)}M rows, ` +
      `a ${seconds(r.fullRunMs)} run) at random moments spread over the run, new data each time`,
    `${r.kills.filter((k) => !k.finishedFirst).length} kills${r.deadlineHit ? ` of ${r.requestedKills} (deadline)` : ""}, then 1 run to the end`,
    `${held}/${r.kills.length} kills: every view a whole snapshot (old or new, count + checksum), ` +
      `database opens; last run ${c.failures.length === 0 ? "converged (all views new, no incomplete snapshot, no temp file, no lock, no staging, retention kept)" : `**did not converge**: ${c.failures.join("; ")}`}`,
    `${seconds(r.totalMs)} (bound 600 s)`,
  ];
}

function details(r: CrashResult, machine: string): string {
  return [
    "## Crash safety: the kills of the last `npm run reliability:crash`",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}. Input: ${ENTITIES.length} CSV ` +
      `entities of ${r.rows.toLocaleString("en-US")} rows (${(r.inputBytes / 2 ** 20).toFixed(0)} MiB), ` +
      `7 typed columns, Parquet, retention 2. Before each kill rows are appended to every source, ` +
      `so every run has a new snapshot of every entity to write. A full run after a kill takes ` +
      `${seconds(r.fullRunMs)} (process start to exit) and makes ${r.fullRunEvents} file operations ` +
      `(renames, writes, folders made and removed, as the run reports them from its own process). ` +
      `A kill moment is a file operation number, not a time: the moments are drawn one in each of ` +
      `${r.requestedKills} equal slices of 1.2 times that count, and "% of a run" passes 100 % when ` +
      `a longer run was killed near its end. A run that ends before its moment is run again on new ` +
      `data, the moment scaled to that run.`,
    "",
    killTable(r),
    "",
    summary(r),
  ].join("\n");
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`reliability:crash: ${error.stack ?? error.message}`);
    process.exit(2);
  },
);
