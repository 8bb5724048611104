// `npm run bench`: the export engine against DuckDB's own CSV→Parquet COPY on the same generated
// Customer-like CSVs (BENCH_ROWS rows, default 5M; or the first argument): the 11-column file and an
// 8-column one (BENCH_SETS=customer11,customer8). The reference COPY reads the same types the
// engine writes (read_csv with columns=...), which is what issue 13 item 4 compares with; the COPY
// with DuckDB's sniffed types is kept beside it, as measured before. Then an unchanged rerun.
// Each measured step runs in its own child process so that its peak RSS (maxRSS) is its own.
// Prints markdown tables (also written to .bench/results.md) to paste into BENCHMARKS.md.

import { createWriteStream, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { once } from "node:events";
import { NATIVE_SHAPES_ENV } from "../src/engine/writer/nativeShapes";
import { NATIVE_SHAPES, REGEX_SHAPES } from "../src/engine/writer/valueShapes";
import {
  benchEntry,
  child as runChild,
  cpuMs,
  exportOneEntity,
  maxRssMb,
  median,
  mulberry32,
  stagingBeside,
  type StepResult,
} from "./support";

const ROWS = Number(
  (process.argv[2] !== "--child" ? process.argv[2] : undefined) ??
    process.env.BENCH_ROWS ??
    5_000_000,
);
const DIR = path.resolve(process.env.BENCH_DIR ?? ".bench");
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const GENERATOR_VERSION = 1;

const COLUMNS = [
  { name: "CustomerId", type: "guid" },
  { name: "FirstName", type: "string", maxLength: 50 },
  { name: "LastName", type: "string", maxLength: 50 },
  { name: "Email", type: "string" },
  { name: "BirthDate", type: "date" },
  { name: "CreatedOn", type: "dateTime" },
  { name: "LastPurchase", type: "dateTimeOffset" },
  { name: "LifetimeValue", type: "decimal", precision: 18, scale: 2 },
  { name: "Orders", type: "int32" },
  { name: "IsActive", type: "boolean" },
  { name: "Score", type: "double" },
] as const;

type BenchColumn = (typeof COLUMNS)[number];

/**
 * The files measured: the Customer-like file with all 11 columns, and an 8-column one (issue 13
 * item 4 asks for both) without the first name, the email and the flag, so fewer strings and more of
 * the typed columns whose checks cost the most.
 */
const DATASETS: Record<string, readonly BenchColumn[]> = {
  customer11: COLUMNS,
  customer8: COLUMNS.filter((c) => !["FirstName", "Email", "IsActive"].includes(c.name)),
};

/**
 * The types DuckDB's reader gives each column in the typed reference COPY: the same Parquet types the
 * engine writes (typeMapping.ts), parsed by the reader itself, with none of the engine's checks. A
 * dateTimeOffset is read as TIMESTAMPTZ so that its offset is applied (written as a UTC timestamp,
 * the engine's INT64 micros); a GUID as VARCHAR, the 36 characters the engine writes.
 */
const READER_TYPE: Record<BenchColumn["type"], (c: BenchColumn) => string> = {
  guid: () => "VARCHAR",
  string: () => "VARCHAR",
  date: () => "DATE",
  dateTime: () => "TIMESTAMP",
  dateTimeOffset: () => "TIMESTAMPTZ",
  decimal: (c) => ("precision" in c ? `DECIMAL(${c.precision},${c.scale})` : "DECIMAL(18,0)"),
  int32: () => "INTEGER",
  boolean: () => "BOOLEAN",
  double: () => "DOUBLE",
};

// ---------------------------------------------------------------------------------------------------
// Child steps

async function stepEngine(csv: string, lakeDir: string, dataset: string): Promise<StepResult> {
  const entity = {
    name: "Customer",
    source: { path: path.basename(csv), format: "csv" as const },
    columns: DATASETS[dataset].map((c) => ({ ...c })),
  };
  const { ms, entity: e } = await exportOneEntity(
    entity,
    path.dirname(csv),
    lakeDir,
    stagingBeside(lakeDir),
  );
  if (e.status === "failed") throw new Error(e.error?.message);
  return {
    ms,
    maxRssMb: maxRssMb(),
    detail: `${e.status} ${e.rows} rows, ${e.files} file(s), ${mb(e.bytes)} MB`,
  };
}

async function stepLimit(
  csv: string,
  out: string,
  memoryLimit: string | undefined,
  typedDataset: string | undefined,
): Promise<StepResult> {
  const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(
    ":memory:",
    memoryLimit ? { memory_limit: memoryLimit } : {},
  );
  const connection = await instance.connect();
  // The engine's session reads in UTC; so does the reference, for the same instants.
  await connection.run("SET TimeZone = 'UTC'");
  const columns = typedDataset
    ? `, header=true, auto_detect=false, columns={${DATASETS[typedDataset]
        .map((c) => `'${c.name}': '${READER_TYPE[c.type](c)}'`)
        .join(", ")}}`
    : "";
  const started = performance.now();
  await connection.run(
    `COPY (SELECT * FROM read_csv('${csv}'${columns})) TO '${out}' (FORMAT parquet)`,
  );
  const ms = performance.now() - started;
  connection.closeSync();
  instance.closeSync();
  const bytes = (await fs.stat(out)).size;
  return { ms, maxRssMb: maxRssMb(), detail: `${mb(bytes)} MB` };
}

async function stepHash(csv: string): Promise<StepResult> {
  const { sha256File } =
    require("../src/engine/fingerprint") as typeof import("../src/engine/fingerprint");
  const started = performance.now();
  await sha256File(csv);
  return { ms: performance.now() - started, maxRssMb: maxRssMb() };
}

/**
 * Where the engine's CPU above the reference goes: each column's strict cast (columnCasts.ts) against
 * a plain CAST to the same type, over the file's text held in memory (so reading and writing are
 * out of it), and the cost of one regular expression call, whatever its pattern (`.*` over the
 * GUID). Median CPU time of 3 evaluations each, all threads.
 */
async function stepChecks(csv: string, dataset: string): Promise<StepResult> {
  const { castExpression } =
    require("../src/engine/writer/columnCasts") as typeof import("../src/engine/writer/columnCasts");
  const { duckdbType } =
    require("../src/plan/typeMapping") as typeof import("../src/plan/typeMapping");
  const { DuckSession } =
    require("../src/engine/writer/duckdbSession") as typeof import("../src/engine/writer/duckdbSession");
  // The writer's own session (UTC, the native shape tests where they load), with room for the table.
  const session = await DuckSession.open({ memoryLimit: "2GB" });
  const connection = session.connection;
  const native = session.shapes === NATIVE_SHAPES;
  const columns = DATASETS[dataset];
  await connection.run(
    `CREATE TABLE t AS SELECT * FROM read_csv('${csv}', header=true, auto_detect=false, nullstr='', columns={${columns
      .map((c) => `'${c.name}': 'VARCHAR'`)
      .join(", ")}})`,
  );
  const cpuOf = async (expression: string): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = cpuMs();
      await connection.run(`SELECT sum(hash(${expression})) FROM t`);
      times.push(cpuMs() - before);
    }
    return times.sort((a, b) => a - b)[1];
  };
  const rows: string[] = [];
  let total = 0;
  for (const c of columns) {
    const v = `"${c.name}"`;
    const plain = await cpuOf(c.type === "guid" ? v : `CAST(${v} AS ${duckdbType(c as never)})`);
    const binding = { column: { ...c } as never, sourceName: c.name, sourceType: "VARCHAR" };
    const regex = await cpuOf(castExpression(binding, REGEX_SHAPES));
    const strict = native ? await cpuOf(castExpression(binding, NATIVE_SHAPES)) : regex;
    total += strict - plain;
    rows.push(
      `${c.name} (${c.type}): ${(plain / 1000).toFixed(2)} → ${(regex / 1000).toFixed(2)} / ${(strict / 1000).toFixed(2)}`,
    );
  }
  const guid = columns.find((c) => c.type === "guid");
  const regex = guid
    ? (await cpuOf(`regexp_full_match("${guid.name}", '.*')`)) - (await cpuOf(`"${guid.name}"`))
    : 0;
  session.close();
  return {
    ms: total,
    maxRssMb: maxRssMb(),
    detail: `${rows.join("; ")}; one regexp_full_match('.*') call per GUID value: ${(regex / 1000).toFixed(2)}`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Data

const FIRST = [
  "Ada",
  "Grace",
  "Alan",
  "Linus",
  "Margaret",
  "Dennis",
  "Barbara",
  "Ken",
  "Frances",
  "Édouard",
  "Zoë",
  "Søren",
];
const LAST = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Torvalds",
  "Hamilton",
  "Ritchie",
  "Liskov",
  "Thompson",
  "Allen",
  "O'Brien",
  "Nuñez",
];

async function generate(
  file: string,
  rows: number,
  columns: readonly BenchColumn[],
): Promise<void> {
  const rnd = mulberry32(42);
  const hex = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(rnd() * 16)];
    return s;
  };
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  // Every row draws all 11 values in the same order, so the 11-column file stays the one measured
  // before, and the 8-column file holds the same values for its columns.
  const keep = columns.map((c) => COLUMNS.findIndex((k) => k.name === c.name));
  const out = createWriteStream(file, { highWaterMark: 4 << 20 });
  out.write(`${columns.map((c) => c.name).join(",")}\n`);
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const first = FIRST[Math.floor(rnd() * FIRST.length)];
    const last = LAST[Math.floor(rnd() * LAST.length)];
    const lastQuoted = last.includes("'") ? `"${last}, Jr."` : last;
    const y = 1940 + Math.floor(rnd() * 65);
    const created = `20${pad(10 + Math.floor(rnd() * 14))}-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))}T${pad(Math.floor(rnd() * 24))}:${pad(Math.floor(rnd() * 60))}:${pad(Math.floor(rnd() * 60))}`;
    const offset = ["Z", "+01:00", "-05:00", "+05:30"][Math.floor(rnd() * 4)];
    const fields = [
      `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
      first,
      lastQuoted,
      `${first.toLowerCase()}.${i}@example.com`,
      `${y}-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))}`,
      created,
      `${created}.${pad(Math.floor(rnd() * 1000), 3)}${offset}`,
      (rnd() * 100000).toFixed(2),
      String(Math.floor(rnd() * 500)),
      rnd() < 0.8 ? "true" : "false",
      rnd() < 0.05 ? "" : (rnd() * 100).toFixed(6),
    ];
    chunk += `${keep.map((k) => fields[k]).join(",")}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.write(chunk);
  out.end();
  await once(out, "finish");
}

// ---------------------------------------------------------------------------------------------------
// Orchestration

function child(step: string, ...args: string[]): StepResult {
  return runChild(__filename, step, ...args);
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

type StepName = "typed" | "typed256" | "sniffed" | "engine" | "engineRegex" | "rerun";

interface Measured {
  dataset: string;
  csvBytes: number;
  runs: Record<StepName, StepResult[]>;
  hash: StepResult;
  checks: StepResult;
}

async function sourceFile(dataset: string): Promise<string> {
  // The 11-column file keeps the name it had before the 8-column one was added.
  const prefix = dataset === "customer11" ? "customer" : dataset;
  const csv = path.join(DIR, `${prefix}-${ROWS}-v${GENERATOR_VERSION}.csv`);
  if (!(await fs.stat(csv).catch(() => undefined))) {
    process.stderr.write(`generating ${ROWS} rows into ${csv} ...\n`);
    const t = performance.now();
    await generate(`${csv}.tmp`, ROWS, DATASETS[dataset]);
    await fs.rename(`${csv}.tmp`, csv);
    process.stderr.write(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
  return csv;
}

async function main(): Promise<void> {
  await fs.mkdir(DIR, { recursive: true });
  const sets = (process.env.BENCH_SETS ?? Object.keys(DATASETS).join(",")).split(",");
  for (const d of sets) if (!DATASETS[d]) throw new Error(`unknown BENCH_SETS entry ${d}`);
  const csvs = new Map<string, string>();
  for (const d of sets) csvs.set(d, await sourceFile(d));
  const work = path.join(DIR, "run");
  await fs.rm(work, { recursive: true, force: true });
  await fs.mkdir(work, { recursive: true });

  // The machine is shared: steps are interleaved (every step of every file in each round) and
  // repeated, and the median is reported.
  const measured: Measured[] = sets.map((dataset) => ({
    dataset,
    csvBytes: 0,
    runs: { typed: [], typed256: [], sniffed: [], engine: [], engineRegex: [], rerun: [] },
    hash: { ms: 0, maxRssMb: 0 },
    checks: { ms: 0, maxRssMb: 0 },
  }));
  for (let i = 0; i < REPEAT; i++) {
    for (const m of measured) {
      const csv = csvs.get(m.dataset)!;
      const say = (what: string) =>
        process.stderr.write(`round ${i + 1}/${REPEAT}, ${m.dataset}: ${what} ...\n`);
      const lakeDir = path.join(work, `lake-${m.dataset}`);
      const out = (name: string) => path.join(work, `${m.dataset}-${name}.parquet`);
      say("DuckDB COPY, same types");
      m.runs.typed.push(child("limit", csv, out("typed"), "", m.dataset));
      say("engine export, regex shape tests");
      await fs.rm(lakeDir, { recursive: true, force: true });
      m.runs.engineRegex.push(child("engineRegex", csv, lakeDir, m.dataset));
      say("engine export");
      await fs.rm(lakeDir, { recursive: true, force: true });
      m.runs.engine.push(child("engine", csv, lakeDir, m.dataset));
      say("DuckDB COPY, same types, memory_limit 256MB");
      m.runs.typed256.push(child("limit", csv, out("typed256"), "256MB", m.dataset));
      say("DuckDB COPY, sniffed types");
      m.runs.sniffed.push(child("limit", csv, out("sniffed"), "", ""));
      say("engine rerun (nothing changed)");
      m.runs.rerun.push(child("engine", csv, lakeDir, m.dataset));
    }
  }
  for (const m of measured) {
    const csv = csvs.get(m.dataset)!;
    m.csvBytes = (await fs.stat(csv)).size;
    process.stderr.write(`${m.dataset}: sha256 of the source ...\n`);
    m.hash = child("hash", csv);
    process.stderr.write(`${m.dataset}: the strict casts' cost per column ...\n`);
    m.checks = child("checks", csv, m.dataset);
  }
  const duckdbVersion = (require("@duckdb/node-api/package.json") as { version: string }).version;
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const lines = [
    `Machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ` +
      `Node ${process.version}, @duckdb/node-api ${duckdbVersion}, ${os.platform()} ${os.release()}. ` +
      `Median of ${REPEAT} interleaved rounds (min–max in brackets); peak RSS is the highest of the rounds.`,
  ];
  const targets = ["| target | measured | target met |", "| --- | ---: | :---: |"];
  for (const m of measured) {
    const { lines: table, targets: rows } = report(m);
    lines.push("", ...table);
    targets.push(...rows);
  }
  const text = [...lines, "", ...targets].join("\n");
  await fs.writeFile(path.join(DIR, "results.md"), `${text}\n`);
  process.stdout.write(`${text}\n`);
}

function report(m: Measured): { lines: string[]; targets: string[] } {
  const { runs, csvBytes, hash } = m;
  const spread = (rs: StepResult[]) =>
    rs.length < 2
      ? ""
      : ` (${(Math.min(...rs.map((r) => r.ms)) / 1000).toFixed(2)}–${(Math.max(...rs.map((r) => r.ms)) / 1000).toFixed(2)})`;
  const row = (label: string, rs: StepResult[], withRate = true) => {
    const r = median(rs);
    const rate = withRate ? Math.round(ROWS / (r.ms / 1000)).toLocaleString("en-US") : "";
    const mbps = withRate ? (csvBytes / 1024 / 1024 / (r.ms / 1000)).toFixed(0) : "";
    const rss = Math.max(...rs.map((x) => x.maxRssMb)).toFixed(0);
    const cpu = r.cpuMs === undefined ? "" : (median(rs, "cpuMs").cpuMs! / 1000).toFixed(2);
    return `| ${label} | ${(r.ms / 1000).toFixed(2)}${spread(rs)} | ${cpu} | ${rate} | ${mbps} | ${rss} | ${r.detail ?? ""} |`;
  };
  const columns = DATASETS[m.dataset].length;
  const lines = [
    `**${m.dataset}**: ${ROWS.toLocaleString("en-US")} rows, ${columns} columns, ${mb(csvBytes)} MB CSV.`,
    "",
    "| step | wall time (s) | CPU time (s) | rows/s | MB/s (CSV) | peak RSS (MB) | notes |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    row("engine export to LocalLake (typed, strict casts, native shape tests)", runs.engine),
    row(`the same with ${NATIVE_SHAPES_ENV}=off (the shape tests through RE2)`, runs.engineRegex),
    row("DuckDB `COPY (SELECT * FROM read_csv(..., columns={same types})) TO parquet`", runs.typed),
    row("same typed COPY, memory_limit 256MB", runs.typed256),
    row("DuckDB `COPY (SELECT * FROM read_csv(...)) TO parquet`, sniffed types", runs.sniffed),
    row("engine rerun, nothing changed", runs.rerun, false),
    `| sha256 of the source (what a rerun without the hash cache would add) | ${(hash.ms / 1000).toFixed(2)} | ${((hash.cpuMs ?? 0) / 1000).toFixed(2)} | | ${(csvBytes / 1024 / 1024 / (hash.ms / 1000)).toFixed(0)} | ${hash.maxRssMb.toFixed(0)} | |`,
  ];
  lines.push(
    "",
    `The strict casts' CPU time (s) per column over the text in memory, a plain CAST → the engine's cast with the shape tests through RE2 / native: ${m.checks.detail}. ` +
      `In all ${(m.checks.ms / 1000).toFixed(2)} s above plain casts with the native tests.`,
  );
  const first = median(runs.engine);
  const ratio = (r: StepResult[]) => first.ms / median(r).ms;
  const cpuRatio = (r: StepResult[]) =>
    median(runs.engine, "cpuMs").cpuMs! / median(r, "cpuMs").cpuMs!;
  const peak = Math.max(...runs.engine.map((r) => r.maxRssMb));
  const rerun = median(runs.rerun);
  const met = (ok: boolean) => (ok ? "yes" : "no");
  const targets = [
    `| ${m.dataset}: engine / DuckDB COPY, same types | ${ratio(runs.typed).toFixed(2)} | ${met(ratio(runs.typed) <= 1.1)} (≤ 1.1) |`,
    `| ${m.dataset}: CPU time, engine / DuckDB COPY, same types (for reference) | ${cpuRatio(runs.typed).toFixed(2)} | |`,
    `| ${m.dataset}: engine / same typed COPY, 256MB | ${ratio(runs.typed256).toFixed(2)} | ${met(ratio(runs.typed256) <= 1.1)} (≤ 1.1) |`,
    `| ${m.dataset}: engine / DuckDB COPY, sniffed types | ${ratio(runs.sniffed).toFixed(2)} | ${met(ratio(runs.sniffed) <= 1.3)} (≤ 1.3) |`,
    `| ${m.dataset}: unchanged rerun / first export | ${((rerun.ms / first.ms) * 100).toFixed(1)} % | ${met(rerun.ms / first.ms < 0.05)} (< 5 %) |`,
    `| ${m.dataset}: peak RSS of the export | ${peak.toFixed(0)} MB | ${met(peak < 512)} (< 512 MB) |`,
  ];
  return { lines, targets };
}

async function childMain(step: string, args: string[]): Promise<void> {
  const cpuBefore = cpuMs();
  let result: StepResult;
  if (step === "engine") result = await stepEngine(args[0], args[1], args[2]);
  else if (step === "engineRegex") {
    process.env[NATIVE_SHAPES_ENV] = "off";
    result = await stepEngine(args[0], args[1], args[2]);
  } else if (step === "limit") {
    result = await stepLimit(args[0], args[1], args[2] || undefined, args[3] || undefined);
  } else if (step === "hash") result = await stepHash(args[0]);
  else if (step === "checks") result = await stepChecks(args[0], args[1]);
  else throw new Error(`unknown bench step ${step}`);
  process.stdout.write(`${JSON.stringify({ ...result, cpuMs: cpuMs() - cpuBefore })}\n`);
}

benchEntry(main, childMain);
