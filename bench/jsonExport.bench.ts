// `node dist/bench/jsonExport.bench.js [records]`: the engine's export of one JSON Lines entity with
// declared string, decimal and double columns (BENCH_JSON_RECORDS, default 500,000), each run in its
// own child process for its CPU time (all threads) and peak RSS, BENCH_REPEAT rounds (default 5),
// median reported. Beside it, DuckDB's own read_json of the same file into Parquet, for scale. It
// measures what the JSON number checks (src/engine/sources/jsonNumbers.ts) add to an export: run it
// on two builds to compare them.

import { createWriteStream, promises as fs } from "node:fs";
import { once } from "node:events";
import * as path from "node:path";
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

const RECORDS = Number(
  (process.argv[2] !== "--child" ? process.argv[2] : undefined) ??
    process.env.BENCH_JSON_RECORDS ??
    500_000,
);
const DIR = path.resolve(process.env.BENCH_DIR ?? ".bench");
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 5));

const COLUMNS = [
  { name: "id", type: "int64" },
  { name: "name", type: "string" },
  { name: "code", type: "string" },
  { name: "city", type: "string" },
  { name: "amount", type: "decimal", precision: 18, scale: 2 },
  { name: "score", type: "double" },
] as const;

async function generate(file: string): Promise<void> {
  const rnd = mulberry32(7);
  const cities = ["Oslo", "Köln", "Lyon", "São Paulo", "Zürich"];
  const out = createWriteStream(file, { highWaterMark: 4 << 20 });
  let chunk = "";
  for (let i = 0; i < RECORDS; i++) {
    // Scores as JavaScript prints a double (up to 17 digits), as real exports of doubles do.
    chunk += `{"id": ${i}, "name": "Name ${i} \\"q\\"", "code": "C${Math.floor(rnd() * 977)}", "city": "${cities[i % 5]}", "amount": ${(rnd() * 100000).toFixed(2)}, "score": ${rnd() * 100}}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.write(chunk);
  out.end();
  await once(out, "finish");
}

async function stepEngine(file: string, lakeDir: string): Promise<StepResult> {
  const entity = {
    name: "Records",
    source: { path: path.basename(file), format: "jsonl" as const },
    columns: COLUMNS.map((c) => ({ ...c })),
  };
  const { ms, entity: e } = await exportOneEntity(
    entity,
    path.dirname(file),
    lakeDir,
    stagingBeside(lakeDir, "staging-json"),
  );
  if (e.status !== "exported") throw new Error(`${e.status}: ${JSON.stringify(e.error)}`);
  return { ms, maxRssMb: maxRssMb() };
}

async function stepDuckdb(file: string, out: string): Promise<StepResult> {
  const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const started = performance.now();
  await connection.run(
    `COPY (SELECT * FROM read_json('${file}', format='newline_delimited')) TO '${out}' (FORMAT parquet)`,
  );
  const ms = performance.now() - started;
  connection.closeSync();
  instance.closeSync();
  return { ms, maxRssMb: maxRssMb() };
}

function child(step: string, ...args: string[]): StepResult {
  return runChild(__filename, step, ...args);
}

async function main(): Promise<void> {
  await fs.mkdir(DIR, { recursive: true });
  const file = path.join(DIR, `records-${RECORDS}.jsonl`);
  if (!(await fs.stat(file).catch(() => undefined))) {
    await generate(`${file}.tmp`);
    await fs.rename(`${file}.tmp`, file);
  }
  const work = path.join(DIR, "run-json");
  const engine: StepResult[] = [];
  const duckdb: StepResult[] = [];
  for (let i = 0; i < REPEAT; i++) {
    await fs.rm(work, { recursive: true, force: true });
    await fs.mkdir(work, { recursive: true });
    process.stderr.write(`round ${i + 1}/${REPEAT} ...\n`);
    engine.push(child("engine", file, path.join(work, "lake")));
    duckdb.push(child("duckdb", file, path.join(work, "duckdb.parquet")));
  }
  const mbs = ((await fs.stat(file)).size / 1024 / 1024).toFixed(1);
  const row = (label: string, rs: StepResult[]) =>
    `| ${label} | ${(median(rs, "ms").ms / 1000).toFixed(2)} | ${(median(rs, "cpuMs").cpuMs! / 1000).toFixed(2)} | ${Math.max(...rs.map((r) => r.maxRssMb)).toFixed(0)} |`;
  process.stdout.write(
    [
      `${RECORDS.toLocaleString("en-US")} JSON Lines records, ${mbs} MB; median of ${REPEAT} rounds.`,
      "",
      "| step | wall time (s) | CPU time (s) | peak RSS (MB) |",
      "| --- | ---: | ---: | ---: |",
      row("engine export (declared columns, number checks)", engine),
      row("DuckDB `COPY (SELECT * FROM read_json(...)) TO parquet`", duckdb),
      "",
    ].join("\n"),
  );
}

async function childMain(step: string, args: string[]): Promise<void> {
  const before = cpuMs();
  const result =
    step === "engine" ? await stepEngine(args[0], args[1]) : await stepDuckdb(args[0], args[1]);
  process.stdout.write(`${JSON.stringify({ ...result, cpuMs: cpuMs() - before })}\n`);
}

benchEntry(main, childMain);
