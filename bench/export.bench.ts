// `npm run bench`: the export engine against DuckDB's own CSV→Parquet COPY on the same generated
// Customer-like CSV (BENCH_ROWS rows, default 5M; or the first argument), then an unchanged rerun.
// Each measured step runs in its own child process so that its peak RSS (maxRSS) is its own.
// Prints a markdown table (also written to .bench/results.md) to paste into BENCHMARKS.md.

import { execFileSync } from "node:child_process";
import { createWriteStream, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { once } from "node:events";

const ROWS = Number(
  (process.argv[2] !== "--child" ? process.argv[2] : undefined) ??
    process.env.BENCH_ROWS ??
    5_000_000,
);
const DIR = path.resolve(process.env.BENCH_DIR ?? ".bench");
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const GENERATOR_VERSION = 1;

interface StepResult {
  ms: number;
  maxRssMb: number;
  detail?: string;
}

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

// ---------------------------------------------------------------------------------------------------
// Child steps

async function stepEngine(csv: string, lakeDir: string): Promise<StepResult> {
  const { runExport, LocalLake } = require("../src/engine") as typeof import("../src/engine");
  const spec = {
    baseDir: path.dirname(csv),
    connection: {} as never,
    principals: {} as never,
    export: {
      displayName: "bench",
      databaseName: "bench_db",
      format: "parquet" as const,
      runOnDeploy: true,
      onEntityRemoved: "retain" as const,
      retainSnapshots: 2,
      entities: [
        {
          name: "Customer",
          source: { path: path.basename(csv), format: "csv" as const },
          columns: COLUMNS.map((c) => ({ ...c })),
        },
      ],
    },
  };
  const started = performance.now();
  const record = await runExport(spec, {
    lake: new LocalLake(lakeDir, "bench"),
    stagingDir: path.join(path.dirname(lakeDir), "staging"),
  });
  const ms = performance.now() - started;
  const e = record.entities[0];
  if (e.status === "failed") throw new Error(e.error);
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
): Promise<StepResult> {
  const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(
    ":memory:",
    memoryLimit ? { memory_limit: memoryLimit } : {},
  );
  const connection = await instance.connect();
  const started = performance.now();
  await connection.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${out}' (FORMAT parquet)`);
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

function maxRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes (getrusage ru_maxrss), the process's high-water mark.
  return process.resourceUsage().maxRSS / 1024;
}

// ---------------------------------------------------------------------------------------------------
// Data

/** A small deterministic PRNG, so every run of the bench measures the same file. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

async function generate(file: string, rows: number): Promise<void> {
  const rnd = mulberry32(42);
  const hex = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(rnd() * 16)];
    return s;
  };
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const out = createWriteStream(file, { highWaterMark: 4 << 20 });
  out.write(`${COLUMNS.map((c) => c.name).join(",")}\n`);
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const first = FIRST[Math.floor(rnd() * FIRST.length)];
    const last = LAST[Math.floor(rnd() * LAST.length)];
    const lastQuoted = last.includes("'") ? `"${last}, Jr."` : last;
    const y = 1940 + Math.floor(rnd() * 65);
    const created = `20${pad(10 + Math.floor(rnd() * 14))}-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))}T${pad(Math.floor(rnd() * 24))}:${pad(Math.floor(rnd() * 60))}:${pad(Math.floor(rnd() * 60))}`;
    const offset = ["Z", "+01:00", "-05:00", "+05:30"][Math.floor(rnd() * 4)];
    chunk +=
      `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)},${first},${lastQuoted},` +
      `${first.toLowerCase()}.${i}@example.com,${y}-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))},` +
      `${created},${created}.${pad(Math.floor(rnd() * 1000), 3)}${offset},` +
      `${(rnd() * 100000).toFixed(2)},${Math.floor(rnd() * 500)},${rnd() < 0.8 ? "true" : "false"},` +
      `${rnd() < 0.05 ? "" : (rnd() * 100).toFixed(6)}\n`;
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
  const output = execFileSync(process.execPath, [__filename, "--child", step, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(output.trim().split("\n").pop()!) as StepResult;
}

function median(rs: StepResult[]): StepResult {
  return [...rs].sort((a, b) => a.ms - b.ms)[Math.floor((rs.length - 1) / 2)];
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

async function main(): Promise<void> {
  await fs.mkdir(DIR, { recursive: true });
  const csv = path.join(DIR, `customer-${ROWS}-v${GENERATOR_VERSION}.csv`);
  const haveCsv = await fs.stat(csv).catch(() => undefined);
  if (!haveCsv) {
    process.stderr.write(`generating ${ROWS} rows into ${csv} ...\n`);
    const t = performance.now();
    await generate(`${csv}.tmp`, ROWS);
    await fs.rename(`${csv}.tmp`, csv);
    process.stderr.write(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
  const csvBytes = (await fs.stat(csv)).size;
  const work = path.join(DIR, "run");
  await fs.rm(work, { recursive: true, force: true });
  await fs.mkdir(work, { recursive: true });

  // The machine is shared: steps are interleaved and repeated, and the median is reported.
  const runs: Record<"limit" | "limit256" | "engine" | "rerun", StepResult[]> = {
    limit: [],
    limit256: [],
    engine: [],
    rerun: [],
  };
  const lakeDir = path.join(work, "lake");
  for (let i = 0; i < REPEAT; i++) {
    process.stderr.write(`round ${i + 1}/${REPEAT}: DuckDB COPY (defaults) ...\n`);
    runs.limit.push(child("limit", csv, path.join(work, "limit-default.parquet"), ""));
    process.stderr.write(`round ${i + 1}/${REPEAT}: DuckDB COPY (memory_limit 256MB) ...\n`);
    runs.limit256.push(child("limit", csv, path.join(work, "limit-256.parquet"), "256MB"));
    process.stderr.write(`round ${i + 1}/${REPEAT}: engine export ...\n`);
    await fs.rm(lakeDir, { recursive: true, force: true });
    runs.engine.push(child("engine", csv, lakeDir));
    process.stderr.write(`round ${i + 1}/${REPEAT}: engine rerun (nothing changed) ...\n`);
    runs.rerun.push(child("engine", csv, lakeDir));
  }
  process.stderr.write("sha256 of the source ...\n");
  const hash = child("hash", csv);
  const limit = median(runs.limit);
  const limit256 = median(runs.limit256);
  const first = median(runs.engine);
  const rerun = median(runs.rerun);

  const spread = (rs: StepResult[]) =>
    rs.length < 2
      ? ""
      : ` (${(Math.min(...rs.map((r) => r.ms)) / 1000).toFixed(2)}–${(Math.max(...rs.map((r) => r.ms)) / 1000).toFixed(2)})`;
  const s = (r: StepResult, rs: StepResult[] = []) => `${(r.ms / 1000).toFixed(2)}${spread(rs)}`;
  const rate = (r: StepResult) => `${Math.round(ROWS / (r.ms / 1000)).toLocaleString("en-US")}`;
  const mbps = (r: StepResult) => (csvBytes / 1024 / 1024 / (r.ms / 1000)).toFixed(0);
  const rss = (rs: StepResult[]) => Math.max(...rs.map((r) => r.maxRssMb)).toFixed(0);
  const peak = Math.max(...runs.engine.map((r) => r.maxRssMb));
  const duckdbVersion = (require("@duckdb/node-api/package.json") as { version: string }).version;
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const lines = [
    `Machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ` +
      `Node ${process.version}, @duckdb/node-api ${duckdbVersion}, ${os.platform()} ${os.release()}. ` +
      `Source: ${ROWS.toLocaleString("en-US")} rows, ${COLUMNS.length} columns, ${mb(csvBytes)} MB CSV. ` +
      `Median of ${REPEAT} interleaved rounds (min–max in brackets); peak RSS is the highest of the rounds.`,
    "",
    "| step | wall time (s) | rows/s | MB/s (CSV) | peak RSS (MB) | notes |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    `| engine export to LocalLake (typed, strict casts) | ${s(first, runs.engine)} | ${rate(first)} | ${mbps(first)} | ${rss(runs.engine)} | ${first.detail} |`,
    `| DuckDB \`COPY (SELECT * FROM read_csv(...)) TO parquet\`, defaults | ${s(limit, runs.limit)} | ${rate(limit)} | ${mbps(limit)} | ${rss(runs.limit)} | ${limit.detail} |`,
    `| same COPY, memory_limit 256MB | ${s(limit256, runs.limit256)} | ${rate(limit256)} | ${mbps(limit256)} | ${rss(runs.limit256)} | ${limit256.detail} |`,
    `| engine rerun, nothing changed | ${s(rerun, runs.rerun)} | | | ${rss(runs.rerun)} | ${rerun.detail} |`,
    `| sha256 of the source (what a rerun without the hash cache would add) | ${s(hash)} | | ${mbps(hash)} | ${rss([hash])} | |`,
    "",
    "| target | measured | target met |",
    "| --- | ---: | :---: |",
    `| engine / DuckDB COPY (defaults) | ${(first.ms / limit.ms).toFixed(2)} | ${first.ms / limit.ms <= 1.3 ? "yes" : "no"} (≤ 1.3) |`,
    `| engine / DuckDB COPY (256MB) | ${(first.ms / limit256.ms).toFixed(2)} | ${first.ms / limit256.ms <= 1.3 ? "yes" : "no"} (≤ 1.3) |`,
    `| unchanged rerun / first export | ${((rerun.ms / first.ms) * 100).toFixed(1)} % | ${rerun.ms / first.ms < 0.05 ? "yes" : "no"} (< 5 %) |`,
    `| peak RSS of the export | ${peak.toFixed(0)} MB | ${peak < 512 ? "yes" : "no"} (< 512 MB) |`,
  ];
  const table = lines.join("\n");
  await fs.writeFile(path.join(DIR, "results.md"), `${table}\n`);
  process.stdout.write(`${table}\n`);
}

async function childMain(step: string, args: string[]): Promise<void> {
  let result: StepResult;
  if (step === "engine") result = await stepEngine(args[0], args[1]);
  else if (step === "limit") result = await stepLimit(args[0], args[1], args[2] || undefined);
  else if (step === "hash") result = await stepHash(args[0]);
  else throw new Error(`unknown bench step ${step}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const childAt = process.argv.indexOf("--child");
(childAt >= 0
  ? childMain(process.argv[childAt + 1], process.argv.slice(childAt + 2))
  : main()
).catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
