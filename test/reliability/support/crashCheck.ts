// The crash check shared by `npm run reliability:crash` (20 kills, large input) and
// test/reliability/crash.test.ts (5 kills, small input): a first complete run is the "previous"
// state; then, for every kill, the sources change and the real CLI (`run --local`) is SIGKILLed at a
// moment spread over a full run. A moment is the run's Nth file operation (reported by
// fileEventsProbe.ts from inside the CLI's process), not a time: on a busy machine a run is slower, and
// its kills land at the same steps all the same; after each kill every entity's view must answer with
// a whole snapshot — row count and checksum equal to the source before or after the change, as
// DuckDB reads them from the CSVs — and the database must open. A last run must converge: every view
// on the newest data, no incomplete snapshot, no temporary file, no lock, retention respected, no
// staging left behind.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  appendVersion,
  CHECKSUM_SQL,
  CONTAINER,
  DATABASE,
  ENTITIES,
  expectedFromSources,
  RETAIN_SNAPSHOTS,
  SPEC_FILE,
  writeInput,
  type EntityName,
  type Expected,
} from "./crashData";
import { seededRandom } from "../../../scripts/lib/seededRandom";
import { FILE_EVENTS_ENV, type FileEvent } from "./fileEvent";

export const BIN = path.resolve(__dirname, "../../../../bin/synapse-export.js");

export interface CrashOptions {
  /** A folder of its own, removed at the end unless `keep`. */
  workDir: string;
  kills: number;
  /** Rows of every entity in the first version. */
  rows: number;
  /** Rows appended to every entity per kill (a new version). */
  appendRows: number;
  /**
   * Bound of the whole check for the long script: kills stop early so that the last run still fits.
   * None by default (the test): the kills are counted, never cut short by the clock.
   */
  deadlineMs?: number;
  seed: number;
  keep?: boolean;
  log?: (line: string) => void;
}

export interface KillRecord {
  kill: number;
  /** The kill moment: the SIGKILL was sent on the run's file operation number `atEvent`. */
  atEvent: number;
  /** When that was, ms after the process started (a report, never a decision). */
  atMs: number;
  /** The moment as a fraction of a full run's file operations. */
  fraction: number;
  /** The run ended on its own before the kill was due (three times in a row). */
  finishedFirst: boolean;
  /** Entities whose view moved to the new data; the others still answer with the previous. */
  newViews: number;
  /** Anything not held: a view with other content, an error, a database that would not open. */
  failures: string[];
  /** What the kill left behind for the next run to clean up. */
  incompleteSnapshots: number;
  lockLeft: boolean;
  walLeft: boolean;
  stagingLeft: number;
}

export interface ConvergenceRecord {
  exitCode: number;
  durationMs: number;
  failures: string[];
  snapshotsPerEntity: number[];
}

export interface CrashResult {
  /** A complete run on changed data after a kill, which the kill moments are spread over. */
  fullRunMs: number;
  /** The file operations of that run. */
  fullRunEvents: number;
  kills: KillRecord[];
  /** Runs that ended before their kill was due, and were tried again on new data. */
  finishedFirst: number;
  requestedKills: number;
  deadlineHit: boolean;
  convergence: ConvergenceRecord;
  totalMs: number;
  rows: number;
  inputBytes: number;
  /** Every failure of the kills and of the convergence, prefixed with where it happened. */
  failures: string[];
}

export interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  /** File operations the run reported (fileEventsProbe.ts); 0 unless they were asked for. */
  events: number;
  /** When the run was SIGKILLed, ms after it started. */
  killedAtMs?: number;
  stdout: string;
  stderr: string;
}

/** What the steps of one check share: where it runs, the checker's DuckDB and the versions so far. */
interface CheckState {
  o: CrashOptions;
  log: (line: string) => void;
  specDir: string;
  target: string;
  /** The runs' OS temp folder: what a killed run leaves there is counted, then removed with the rest. */
  tmp: string;
  db: DuckDBConnection;
  /** The expected content of every entity, per version of the sources (0: the first). */
  versions: Record<EntityName, Expected>[];
  /** Which version each entity's view served when last checked. */
  served: Record<EntityName, number>;
  version: number;
}

export async function runCrashCheck(o: CrashOptions): Promise<CrashResult> {
  const started = Date.now();
  const tmp = path.join(o.workDir, "tmp");
  await fs.mkdir(tmp, { recursive: true });
  const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
  const checker = await DuckDBInstance.create(":memory:");
  const db = await checker.connect();
  try {
    const state: CheckState = {
      o,
      log: o.log ?? (() => undefined),
      specDir: path.join(o.workDir, "spec"),
      target: path.join(o.workDir, "target"),
      tmp,
      db,
      versions: [],
      served: Object.fromEntries(ENTITIES.map((e) => [e, 0])) as Record<EntityName, number>,
      version: 0,
    };
    const { first, inputBytes } = await firstExport(state);
    const full = await measureFullRun(state, first);
    const killed = await killRuns(state, full, started);
    const convergence = await converge(
      state.specDir,
      state.target,
      tmp,
      state.versions,
      state.served,
      full.ms,
    );
    state.log(
      `Last run: exit ${convergence.exitCode} in ${(convergence.durationMs / 1000).toFixed(2)} s` +
        `${convergence.failures.length ? ` — FAILED: ${convergence.failures.join("; ")}` : " — converged"}`,
    );
    return {
      fullRunMs: full.ms,
      fullRunEvents: full.events,
      ...killed,
      requestedKills: o.kills,
      convergence,
      totalMs: Date.now() - started,
      rows: o.rows,
      inputBytes,
      failures: [
        ...full.warmUpFailures.map((f) => `first kill: ${f}`),
        ...killed.kills.flatMap((k) => k.failures.map((f) => `kill ${k.kill}: ${f}`)),
        ...convergence.failures.map((f) => `last run: ${f}`),
      ],
    };
  } finally {
    db.closeSync();
    checker.closeSync();
    if (!o.keep) await fs.rm(o.workDir, { recursive: true, force: true });
  }
}

/** Appends a new version of every entity's rows to the sources, and records what it must read as. */
async function nextVersion(s: CheckState): Promise<void> {
  s.version++;
  await appendVersion(s.db, s.specDir, s.o.rows, s.version, s.o.appendRows);
  s.versions.push(await expectedFromSources(s.db, s.specDir));
}

/** Writes the first version of the sources and exports it whole: every view must serve it. */
async function firstExport(s: CheckState): Promise<{ first: RunOutcome; inputBytes: number }> {
  s.log(`Writing ${ENTITIES.length} entities x ${s.o.rows.toLocaleString("en-US")} rows...`);
  await writeInput(s.db, s.specDir, s.o.rows);
  s.versions.push(await expectedFromSources(s.db, s.specDir));
  const inputBytes = await sourceBytes(s.specDir);
  const first = await runCli(s.specDir, s.target, s.tmp);
  if (first.code !== 0) {
    throw new Error(`The first run failed (exit ${first.code}): ${first.stderr || first.stdout}`);
  }
  const baseline = await checkViews(s.target, s.versions, s.served, 0);
  if (baseline.failures.length > 0) {
    throw new Error(`After the first run: ${baseline.failures.join("; ")}`);
  }
  return { first, inputBytes };
}

/**
 * The run the kill moments are spread over. Every killed run starts where a kill left the target
 * (its lock, its staging, a snapshot half written), so the measured run must start there too: a first
 * kill, halfway through a run and checked like the others, makes that state; the very first run,
 * right after the sources were written, is no measure of the others.
 */
async function measureFullRun(
  s: CheckState,
  first: RunOutcome,
): Promise<{ ms: number; events: number; warmUpFailures: string[] }> {
  await nextVersion(s);
  const warmUp = await runCli(
    s.specDir,
    s.target,
    s.tmp,
    Math.max(1, Math.round(first.events / 2)),
  );
  const warmUpFailures = (await checkViews(s.target, s.versions, s.served, s.version)).failures;
  await nextVersion(s);
  const timed = await runCli(s.specDir, s.target, s.tmp);
  const timedCheck = await checkViews(s.target, s.versions, s.served, s.version);
  if (timed.code !== 0 || timedCheck.failures.length > 0) {
    throw new Error(
      `The timed run failed (exit ${timed.code}): ${timed.stderr || timedCheck.failures.join("; ")}`,
    );
  }
  if (timed.events < s.o.kills) {
    throw new Error(
      `A full run reported ${timed.events} file operations, too few to spread ${s.o.kills} kills over.`,
    );
  }
  s.log(
    `A full run after a kill (${warmUp.signal === "SIGKILL" ? "killed" : "ended"} at file operation ${Math.round(first.events / 2)}): ` +
      `${timed.events} file operations, ${(timed.ms / 1000).toFixed(2)} s (first run ${first.events}, ${(first.ms / 1000).toFixed(2)} s)`,
  );
  return { ms: timed.ms, events: timed.events, warmUpFailures };
}

/**
 * One kill per moment, each on a new version of the sources. Runs after a kill differ in their file
 * operations (a run first removes what the kill left, retention removes more or fewer snapshots): the
 * moments are spread over a little more than the measured run, so the end of a longer run (last view,
 * retention, lock release) is hit too. A moment after the end of a shorter run is tried again, scaled
 * to that run (three tries at most).
 */
async function killRuns(
  s: CheckState,
  full: { ms: number; events: number },
  started: number,
): Promise<{ kills: KillRecord[]; finishedFirst: number; deadlineHit: boolean }> {
  const kills: KillRecord[] = [];
  let span = Math.round(1.2 * full.events);
  let finishedFirst = 0;
  // The last run, and the checks around it, need about three full runs.
  const reserveMs = 3 * full.ms + 15_000;
  for (const [i, fraction] of killFractions(s.o.kills, s.o.seed).entries()) {
    const trialStart = Date.now();
    for (let attempt = 1; ; attempt++) {
      const { record, events } = await killAt(s, kills.length + 1, fraction, span);
      if (!record.finishedFirst || record.failures.length > 0 || attempt === 3) {
        kills.push(record);
        break;
      }
      finishedFirst++;
      span = Math.max(1, events);
    }
    const trialMs = Date.now() - trialStart;
    const deadlineMs = s.o.deadlineMs;
    if (deadlineMs !== undefined && i + 1 < s.o.kills) {
      if (Date.now() - started + trialMs + reserveMs > deadlineMs) {
        s.log(`Deadline: stopping after ${kills.length} of ${s.o.kills} kills.`);
        return { kills, finishedFirst, deadlineHit: true };
      }
    }
  }
  return { kills, finishedFirst, deadlineHit: false };
}

/** A run on a new version, killed at `fraction` of `span` file operations, then checked. */
async function killAt(
  s: CheckState,
  kill: number,
  fraction: number,
  span: number,
): Promise<{ record: KillRecord; events: number }> {
  await nextVersion(s);
  const atEvent = Math.max(1, Math.round(fraction * span));
  const outcome = await runCli(s.specDir, s.target, s.tmp, atEvent);
  const check = await checkViews(s.target, s.versions, s.served, s.version);
  const leftovers = await inspectLeftovers(s.target, s.tmp);
  const record: KillRecord = {
    kill,
    atEvent,
    atMs: outcome.killedAtMs ?? outcome.ms,
    fraction,
    finishedFirst: outcome.signal !== "SIGKILL",
    newViews: check.newViews,
    failures: check.failures,
    ...leftovers,
  };
  if (record.finishedFirst && outcome.code !== 0) {
    record.failures.push(`the run ended with exit ${outcome.code}: ${outcome.stderr}`);
  }
  s.log(
    `${record.finishedFirst ? `run ended before file operation ${atEvent}` : `kill ${record.kill}/${s.o.kills} at file operation ${atEvent} (${record.atMs} ms)`}: ` +
      `${record.newViews}/${ENTITIES.length} views new, ${record.incompleteSnapshots} incomplete, ` +
      `lock ${record.lockLeft ? "left" : "none"}, wal ${record.walLeft ? "left" : "none"}` +
      `${record.failures.length ? ` — FAILED: ${record.failures.join("; ")}` : " — held"}`,
  );
  return { record, events: outcome.events };
}

/**
 * `count` moments as fractions of a run: one drawn at random inside each of `count` equal slices, so
 * they cover the whole run (start-up, each entity's write, upload, manifest, view, retention, exit),
 * in a shuffled order so that the kills late in a run are not all made on a lake with many snapshots.
 */
export function killFractions(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  const fractions = Array.from({ length: count }, (_, i) => (i + random()) / count);
  for (let i = fractions.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [fractions[i], fractions[j]] = [fractions[j], fractions[i]];
  }
  return fractions;
}

export interface StartedRun {
  child: ChildProcess;
  done: Promise<RunOutcome>;
}

export const FILE_EVENTS_PROBE = path.resolve(__dirname, "fileEventsProbe.js");

/**
 * The real command, `run <spec> --local <target>`, in a child process whose OS temp folder is `tmp`.
 * With `onFileEvent`, the run reports each file operation it makes (see fileEventsProbe.ts), numbered from 1.
 */
export function startCli(
  specDir: string,
  target: string,
  tmp: string,
  extraArgs: readonly string[] = ["--json"],
  onFileEvent?: (n: number, event: FileEvent, child: ChildProcess) => void,
): StartedRun {
  const started = Date.now();
  const probe = onFileEvent ? ["--require", FILE_EVENTS_PROBE] : [];
  const child = spawn(
    process.execPath,
    [...probe, BIN, "run", path.join(specDir, SPEC_FILE), "--local", target, ...extraArgs],
    {
      env: { ...process.env, TMPDIR: tmp, ...(onFileEvent ? { [FILE_EVENTS_ENV]: "1" } : {}) },
      stdio: ["ignore", "pipe", "pipe", ...(onFileEvent ? (["ipc"] as const) : [])],
    },
  );
  let stdout = "";
  let stderr = "";
  let events = 0;
  let killedAtMs: number | undefined;
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  if (onFileEvent) {
    child.on("message", (m: FileEvent) => {
      if (typeof m?.fileEvent === "string") onFileEvent(++events, m, child);
    });
  }
  const kill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => {
    killedAtMs ??= Date.now() - started;
    return kill(signal);
  };
  const done = new Promise<RunOutcome>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code, signal, ms: Date.now() - started, events, killedAtMs, stdout, stderr }),
    );
  });
  return { child, done };
}

/** The real command, counting its file operations; SIGKILLed on operation number `killAtEvent`, if given. */
export async function runCli(
  specDir: string,
  target: string,
  tmp: string,
  killAtEvent?: number,
  timeoutMs = 10 * 60_000,
): Promise<RunOutcome> {
  const { child, done } = startCli(specDir, target, tmp, ["--json"], (n, _event, run) => {
    if (n === killAtEvent) run.kill("SIGKILL");
  });
  // A run that hangs (a lock that never goes) must not hang the check: a safety net, not a measure.
  const hung = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(hung);
  }
}

export interface ViewCheck {
  newViews: number;
  failures: string[];
}

/**
 * Every entity's view, read through a read-only DuckDB on the target's database file, must hold
 * exactly the version it served before (`served`) or `version`; `served` moves on when it is the new one.
 */
export async function checkViews(
  target: string,
  versions: readonly Record<EntityName, Expected>[],
  served: Record<EntityName, number>,
  version: number,
): Promise<ViewCheck> {
  const failures: string[] = [];
  let newViews = 0;
  await withDatabase(target, async (db) => {
    for (const e of ENTITIES) {
      let got: Expected;
      try {
        got = await viewContent(db, e);
      } catch (error) {
        failures.push(`${e}: the view does not answer: ${(error as Error).message}`);
        continue;
      }
      const before = versions[served[e]][e];
      const after = versions[version][e];
      if (same(got, after)) {
        if (served[e] !== version) newViews++;
        served[e] = version;
      } else if (!same(got, before)) {
        failures.push(
          `${e}: the view has ${got.rows} rows (checksum ${got.checksum}); the previous data has ` +
            `${before.rows} (${before.checksum}), the new ${after.rows} (${after.checksum})`,
        );
      }
    }
  }).catch((error: Error) => failures.push(`the database does not open: ${error.message}`));
  return { newViews, failures };
}

async function viewContent(db: DuckDBConnection, entity: EntityName): Promise<Expected> {
  const reader = await db.runAndReadAll(`SELECT ${CHECKSUM_SQL} FROM main."${entity}"`);
  const [row] = reader.getRowObjectsJS() as { n: bigint; h: string | null }[];
  return { rows: Number(row.n), checksum: row.h ?? "0" };
}

function same(a: Expected, b: Expected): boolean {
  return a.rows === b.rows && a.checksum === b.checksum;
}

/** Read-only, and closed before the next run: DuckDB lets one process write a file at a time. */
async function withDatabase(
  target: string,
  work: (db: DuckDBConnection) => Promise<void>,
): Promise<void> {
  const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(databaseFile(target), { access_mode: "READ_ONLY" });
  const db = await instance.connect();
  try {
    await work(db);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

export function databaseFile(target: string): string {
  return path.join(target, `${DATABASE}.duckdb`);
}

export function databaseFolder(target: string): string {
  return path.join(target, CONTAINER, DATABASE);
}

interface Leftovers {
  incompleteSnapshots: number;
  lockLeft: boolean;
  walLeft: boolean;
  stagingLeft: number;
}

async function inspectLeftovers(target: string, tmp: string): Promise<Leftovers> {
  const lake = await lakeState(target);
  return {
    incompleteSnapshots: lake.incomplete.length,
    lockLeft: existsSync(`${databaseFolder(target)}.export.lock`),
    walLeft: existsSync(`${databaseFile(target)}.wal`),
    stagingLeft: (await fs.readdir(tmp)).length,
  };
}

export interface LakeState {
  /** Complete snapshot folders (with a manifest) per entity. */
  complete: Record<string, string[]>;
  /** `<entity>/v=<id>` folders without a manifest. */
  incomplete: string[];
  /** Hidden temporary files and folders (`.<name>.<pid>.<random>.tmp`) anywhere below the database. */
  temporary: string[];
}

/** The lake as files on disk, read without the engine's own listing code. */
export async function lakeState(target: string): Promise<LakeState> {
  const root = databaseFolder(target);
  const state: LakeState = { complete: {}, incomplete: [], temporary: [] };
  for (const entity of await fs.readdir(root).catch(() => [] as string[])) {
    const entityDir = path.join(root, entity);
    if (entity.startsWith(".")) state.temporary.push(entity);
    if (!(await fs.stat(entityDir)).isDirectory()) continue;
    state.complete[entity] = [];
    for (const folder of await fs.readdir(entityDir)) {
      if (folder.startsWith(".")) {
        state.temporary.push(`${entity}/${folder}`);
        continue;
      }
      const files = await fs.readdir(path.join(entityDir, folder)).catch(() => [] as string[]);
      for (const f of files.filter((f) => f.startsWith("."))) {
        state.temporary.push(`${entity}/${folder}/${f}`);
      }
      if (files.includes("_manifest.json")) state.complete[entity].push(folder);
      else state.incomplete.push(`${entity}/${folder}`);
    }
  }
  return state;
}

/** A run left to finish, after which everything must be as if no run had ever been killed. */
async function converge(
  specDir: string,
  target: string,
  tmp: string,
  versions: readonly Record<EntityName, Expected>[],
  served: Record<EntityName, number>,
  fullRunMs: number,
): Promise<ConvergenceRecord> {
  const newest = versions.length - 1;
  const run = await runCli(specDir, target, tmp, undefined, 5 * fullRunMs + 60_000);
  const failures: string[] = [];
  if (run.code !== 0) {
    failures.push(
      `exit ${run.code ?? run.signal} (${run.stderr.trim() || run.stdout.trim() || "no output"})`,
    );
  }
  const views = await checkViews(target, versions, served, newest);
  for (const e of ENTITIES) {
    if (served[e] !== newest) failures.push(`${e}: the view is not on the newest data`);
  }
  failures.push(...views.failures);

  const lake = await lakeState(target);
  if (lake.incomplete.length > 0) {
    failures.push(`incomplete snapshot folders left: ${lake.incomplete.join(", ")}`);
  }
  if (lake.temporary.length > 0) {
    failures.push(`temporary files left: ${lake.temporary.join(", ")}`);
  }
  const snapshotsPerEntity = ENTITIES.map((e) => lake.complete[e]?.length ?? 0);
  for (const [i, e] of ENTITIES.entries()) {
    // Every kill made a version, so there are always more than the retention count to choose from.
    if (snapshotsPerEntity[i] !== Math.min(RETAIN_SNAPSHOTS, versions.length)) {
      failures.push(
        `${e}: ${snapshotsPerEntity[i]} complete snapshots kept, retention is ${RETAIN_SNAPSHOTS}`,
      );
    }
  }
  const leftovers = await inspectLeftovers(target, tmp);
  if (leftovers.lockLeft) failures.push("the lock file is still there");
  if (leftovers.stagingLeft > 0) {
    failures.push(
      `${leftovers.stagingLeft} staging folder(s) of killed runs left in the temp folder`,
    );
  }
  failures.push(...(await danglingSnapshotViews(target, lake)));
  return { exitCode: run.code ?? -1, durationMs: run.ms, failures, snapshotsPerEntity };
}

/** Every per-snapshot view left in the database must still read: none over a removed folder. */
async function danglingSnapshotViews(target: string, lake: LakeState): Promise<string[]> {
  const failures: string[] = [];
  const kept = Object.values(lake.complete).reduce((n, f) => n + f.length, 0);
  await withDatabase(target, async (db) => {
    const reader = await db.runAndReadAll(
      `SELECT view_name FROM duckdb_views() WHERE schema_name = 'snapshots' ORDER BY view_name`,
    );
    const names = (reader.getRowObjectsJS() as { view_name: string }[]).map((r) => r.view_name);
    for (const name of names) {
      await db
        .run(`SELECT count(*) FROM snapshots."${name.replace(/"/g, '""')}"`)
        .catch((e: Error) => failures.push(`snapshot view ${name} does not read: ${e.message}`));
    }
    if (names.length > kept) {
      failures.push(`${names.length} snapshot views for ${kept} snapshots kept in the lake`);
    }
  }).catch((error: Error) => failures.push(`the database does not open: ${error.message}`));
  return failures;
}

async function sourceBytes(specDir: string): Promise<number> {
  let total = 0;
  for (const e of ENTITIES) total += (await fs.stat(path.join(specDir, "data", `${e}.csv`))).size;
  return total;
}

/** The machine the figures were measured on, for RELIABILITY.md. */
export function machineLine(): string {
  const cpus = os.cpus();
  const duckdb = (() => {
    try {
      return (require("@duckdb/node-api/package.json") as { version: string }).version;
    } catch {
      return "unknown";
    }
  })();
  return (
    `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, Node ${process.version}, ` +
    `@duckdb/node-api ${duckdb}, ${os.platform()} ${os.release()}`
  );
}
