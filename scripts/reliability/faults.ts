// `npm run reliability:faults [-- <runs>]`: the Azure target's fault scenarios, each run <runs> times
// (default 10) with a different seed, against the loopback dfs and TDS test servers: faults at 10%
// (the export completes with correct data and SQL) and at 100% (the run fails in bounded time, naming
// the service and what failed, and the previous snapshot is still served). The scenarios and their
// checks are the ones the tests run (test/engine/support/faultScenarios.ts). Prints one markdown
// table row per scenario and writes them into RELIABILITY.md.
//
// FAULTS_RUNS (10, or the first argument), FAULTS_SEED (first seed, 1), FAULTS_DEADLINE_S (a hard
// limit on the whole script, 900), FAULTS_NO_DOC=1 (print only, do not touch RELIABILITY.md).

import * as os from "node:os";
import * as path from "node:path";
import { FAST } from "../../test/engine/support/azureWorld";
import {
  everythingFails,
  FAILURE_BOUND_MS,
  lakeFailsMidRun,
  lakeWritesFail,
  sqlFails,
  tenPercentFaults,
  type ScenarioResult,
} from "../../test/engine/support/faultScenarios";
import { updateReliabilityDoc, type ResultRow } from "./reliabilityDoc";

const REPO = path.resolve(__dirname, "../../..");

const LAKE_KINDS =
  "429 + Retry-After, 500, 503, resets before and after processing, 50 ms and 1.5 s answers";
const SQL_KINDS =
  "transient errors 40613, 40197, 40501, 49918-49920, resets, 50 ms and 1.5 s answers";
const FAILING = "no slow-but-good answers, no resets after processing";

interface Scenario {
  test: string;
  injected: string;
  held: string;
  /** What the time column measures. */
  timed: string;
  /** Runs of runExport per repetition that see faults. */
  runsPerRepetition: number;
  run: (seed: number) => Promise<ScenarioResult>;
}

const bound = `${FAILURE_BOUND_MS / 1000} s`;

const SCENARIOS: Scenario[] = [
  {
    test: "Azure target, lake and SQL faults at 10% (`reliability:faults`)",
    injected: `10% of dfs requests (${LAKE_KINDS}) and of TDS logins and batches (${SQL_KINDS})`,
    held: "both runs ok; Parquet read back = source rows; the SQL that took effect = the plan, each statement once, in order; every view on the new snapshot; unchanged entity not re-uploaded",
    timed: "two runs",
    runsPerRepetition: 2,
    run: tenPercentFaults,
  },
  {
    test: "Azure target, lake writes at 100% mid-run (`reliability:faults`)",
    injected: `every dfs create/append/flush/rename/delete after the run started (${FAILING})`,
    held: `changed entity failed within ${bound}, its error naming the storage upload and the path; unchanged entities ok; old manifest byte-identical and still served; the next clean run exports the change`,
    timed: "time to fail",
    runsPerRepetition: 1,
    run: lakeWritesFail,
  },
  {
    test: "Azure target, SQL at 100% mid-run (`reliability:faults`)",
    injected: `every TDS login and batch once the entities started (${FAILING})`,
    held: `every entity failed within ${bound}, its error naming Synapse SQL, the statement and the attempts; no statement took effect; views still on the old snapshots; the next clean run switches them`,
    timed: "time to fail",
    runsPerRepetition: 1,
    run: sqlFails,
  },
  {
    test: "Azure target, lake and SQL at 100% from the start (`reliability:faults`)",
    injected: `every dfs request and TDS login and batch (${FAILING})`,
    held: `run stopped within ${bound} at its first request, the error naming the storage service and the container; nothing served changed`,
    timed: "time to fail",
    runsPerRepetition: 1,
    run: everythingFails,
  },
  {
    test: "Azure target, lake at 100% mid-run, lock included (`reliability:faults`)",
    injected: `every dfs request after the run started, the lock's lease and metadata too (${FAILING})`,
    held: `run failed within ${bound} with the storage error that stopped it, not the lock's; nothing served changed`,
    timed: "time to fail",
    runsPerRepetition: 1,
    run: lakeFailsMidRun,
  },
];

interface Outcome {
  scenario: Scenario;
  times: number[];
  lakeFaults: number;
  sqlFaults: number;
  failures: { seed: number; message: string }[];
}

function number(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a whole number of at least 1, got "${value}".`);
  return n;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)];
}

function row(o: Outcome, runs: number, firstSeed: number): ResultRow {
  const passed = runs - o.failures.length;
  const faults = [
    o.lakeFaults > 0 ? `${o.lakeFaults} lake faults` : "",
    o.sqlFaults > 0 ? `${o.sqlFaults} SQL faults` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const total = o.times.reduce((a, b) => a + b, 0);
  return [
    o.scenario.test,
    o.scenario.injected,
    `${runs} × ${o.scenario.runsPerRepetition === 1 ? "1 run" : `${o.scenario.runsPerRepetition} runs`}, seeds ${firstSeed}-${firstSeed + runs - 1} (${faults || "no faults"} injected in all)`,
    `${passed}/${runs}: ${o.scenario.held}`,
    o.times.length > 0
      ? `${o.scenario.timed}: median ${seconds(median(o.times))}, max ${seconds(Math.max(...o.times))} (total ${seconds(total)})`
      : "-",
  ];
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

function details(outcomes: Outcome[], runs: number, firstSeed: number, started: Date): string {
  const lines = [
    "### Faults (`npm run reliability:faults`)",
    "",
    `Run ${started.toISOString()} on ${machine()}, shared with other work. Each scenario ran ${runs} times,`,
    `seeds ${firstSeed}-${firstSeed + runs - 1}, with the loopback dfs and TDS test servers and these settings of`,
    `azureTarget: lake ${JSON.stringify(FAST.lakeRetry)}, lake request timeout ${FAST.lakeRequestTimeoutMs} ms,`,
    `SQL ${JSON.stringify(FAST.sqlRetry)}, SQL connect and request timeouts ${FAST.sqlConnectTimeoutMs} / ${FAST.sqlRequestTimeoutMs} ms`,
    "(the production defaults are minutes; these keep a failing run to seconds).",
  ];
  const failed = outcomes.filter((o) => o.failures.length > 0);
  if (failed.length > 0) {
    lines.push("", "Failures:");
    for (const o of failed)
      for (const f of o.failures) lines.push(`- ${o.scenario.test}, seed ${f.seed}: ${f.message}`);
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  const runs = number("FAULTS_RUNS", process.argv[2] ?? process.env.FAULTS_RUNS, 10);
  const firstSeed = number("FAULTS_SEED", process.env.FAULTS_SEED, 1);
  const deadlineMs = number("FAULTS_DEADLINE_S", process.env.FAULTS_DEADLINE_S, 900) * 1000;
  const hardStop = setTimeout(() => {
    console.error(`reliability:faults: the deadline of ${deadlineMs / 1000} s passed; aborting.`);
    process.exit(3);
  }, deadlineMs);
  hardStop.unref();
  const started = new Date();
  console.log(
    `Fault scenarios of the Azure target: ${SCENARIOS.length} scenarios x ${runs} runs, seeds from ${firstSeed}`,
  );

  const outcomes: Outcome[] = [];
  for (const scenario of SCENARIOS) {
    const outcome: Outcome = { scenario, times: [], lakeFaults: 0, sqlFaults: 0, failures: [] };
    for (let i = 0; i < runs; i++) {
      const seed = firstSeed + i;
      try {
        const result = await scenario.run(seed);
        outcome.times.push(result.ms);
        outcome.lakeFaults += result.lakeFaults;
        outcome.sqlFaults += result.sqlFaults;
        console.log(
          `  ${scenario.test}, seed ${seed}: held (${seconds(result.ms)}, ${result.lakeFaults} lake + ${result.sqlFaults} SQL faults)`,
        );
      } catch (error) {
        const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
        outcome.failures.push({ seed, message });
        console.log(`  ${scenario.test}, seed ${seed}: FAILED: ${message}`);
      }
    }
    outcomes.push(outcome);
  }

  const rows = outcomes.map((o) => row(o, runs, firstSeed));
  console.log("");
  console.log("| test | what was injected | how many times | what held | time |");
  console.log("| ---- | ----------------- | -------------- | --------- | ---- |");
  for (const r of rows) console.log(`| ${r.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`);

  if (process.env.FAULTS_NO_DOC !== "1") {
    const file = path.join(REPO, "RELIABILITY.md");
    for (const [i, r] of rows.entries()) {
      await updateReliabilityDoc(
        file,
        r,
        i === rows.length - 1
          ? { id: "faults", body: details(outcomes, runs, firstSeed, started) }
          : undefined,
      );
    }
    console.log(`Written to ${file}`);
  } else {
    console.log("");
    console.log(details(outcomes, runs, firstSeed, started));
  }
  return outcomes.every((o) => o.failures.length === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
