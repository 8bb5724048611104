// Fault scenarios of the Azure target, each a whole export (or two) against the loopback dfs and TDS
// test servers with faults injected at a rate, checked the way a user would check them: the bytes in
// the lake, the SQL that took effect, the snapshot each view serves, the error a failed run names, and
// how long it took. Each scenario throws (a chai AssertionError) when a property does not hold, so the
// mocha tests and the reliability script (scripts/reliability/faults.ts) run the very same checks.

import { expect } from "chai";
import { errorText } from "../../helpers/errorText";
import type { RunRecord } from "../../../src/engine/run/runRecord";
import {
  AzureWorld,
  DB,
  EDITION_CHECK,
  ENTITIES,
  FAST,
  LAKE_FAILURES,
  LAKE_FAULTS,
  SOURCE_ROWS,
  SQL_FAILURES,
  SQL_FAULTS,
} from "./azureWorld";

export interface ScenarioResult {
  /** Faults injected by the dfs and the TDS test servers. */
  lakeFaults: number;
  sqlFaults: number;
  /** Wall time of the faulted run(s), ms. */
  ms: number;
}

/** A safety net for the scenarios (mocha timeout), never asserted: with FAST settings a failing run ends in a few seconds. */
export const FAILURE_BOUND_MS = 30_000;

const NAMES = ENTITIES.map((e) => e.name);

const CHANGED_ORDERS = {
  "orders.csv": "order_id,customer_id,amount,paid\n10,1,12.5,true\n12,3,7.25,true\n13,3,1,false\n",
};
const CHANGED_ORDERS_ROWS = [
  { order_id: 10, customer_id: 1n, amount: 12.5, paid: true },
  { order_id: 12, customer_id: 3n, amount: 7.25, paid: true },
  { order_id: 13, customer_id: 3n, amount: 1, paid: false },
];

async function withWorld<T>(body: (world: AzureWorld) => Promise<T>): Promise<T> {
  const world = await AzureWorld.start(FAST);
  try {
    await world.settleSources();
    return await body(world);
  } finally {
    await world.close();
  }
}

function snapshotsOf(record: RunRecord): Record<string, string> {
  return Object.fromEntries(record.entities.map((e) => [e.name, e.snapshot!]));
}

/** The statements the TDS server answered without error since `from`, without the edition checks. */
function tookEffect(world: AzureWorld, from: number): { database: string; text: string }[] {
  return world.tds
    .answeredStatements()
    .slice(from)
    .filter((s) => s.text !== EDITION_CHECK)
    .map(({ database, text }) => ({ database, text }));
}

async function expectRunServes(
  world: AzureWorld,
  record: RunRecord,
  rows: Record<string, Record<string, unknown>[]>,
  answeredBefore: number,
): Promise<void> {
  expect(record.ok, JSON.stringify(record.entities)).to.equal(true);
  const snapshots = snapshotsOf(record);
  for (const name of NAMES) {
    expect(await world.snapshotRows(name, snapshots[name]), `${name} rows`).to.deep.equal(
      rows[name],
    );
    expect(world.servedSnapshot(name), `${name} view`).to.equal(snapshots[name]);
  }
  // Every statement of the plan took effect exactly once, in order, whatever failed in between.
  const manifests = record.entities.map((e) => world.manifest(e.name, e.snapshot!));
  expect(tookEffect(world, answeredBefore)).to.deep.equal(
    world.expectedSql(manifests).map(({ database, statement }) => ({ database, text: statement })),
  );
  // Nothing half-written is left behind: no temporary files, only parts and manifests.
  expect(world.lakeFiles().filter((p) => /\/\.[^/]*\.tmp$/.test(p))).to.deep.equal([]);
}

/**
 * 10% of every lake request and of every SQL login and batch fail (429 with Retry-After, 500, 503,
 * resets before and after the request took effect, slow answers past the timeouts; transient SQL
 * error numbers, resets, slow answers). A first export and a second one with one entity changed both
 * complete with the sources' rows in the lake and every view on the new snapshot.
 */
export function tenPercentFaults(seed: number): Promise<ScenarioResult> {
  return withWorld(async (world) => {
    world.dfs.faults.setRate(0.1, LAKE_FAULTS, { seed });
    world.tds.faults.setRate(0.1, SQL_FAULTS, { seed: seed + 1 });
    const started = Date.now();

    const first = await world.run();
    await expectRunServes(world, first, SOURCE_ROWS, 0);

    await world.writeSources(CHANGED_ORDERS);
    const answeredBefore = world.tds.answeredStatements().length;
    const second = await world.run();
    await expectRunServes(
      world,
      second,
      { ...SOURCE_ROWS, Orders: CHANGED_ORDERS_ROWS },
      answeredBefore,
    );
    expect(second.entities.map((e) => e.status)).to.deep.equal([
      "unchanged",
      "exported",
      "unchanged",
    ]);
    expect(snapshotsOf(second).Customer).to.equal(snapshotsOf(first).Customer);

    const ms = Date.now() - started;
    return { lakeFaults: world.dfs.faults.injected, sqlFaults: world.tds.faults.injected, ms };
  });
}

const CHANGED_CUSTOMER = { "customer.csv": "id,name\n1,Ada\n2,Grace\n3,Zoë\n4,Hedy\n" };

/**
 * The lake requests that write data: a lake refusing them still lists and reads (an ingress limit,
 * say). The lock's own requests (lease, metadata) are left alone: see lakeFailsMidRun for those.
 */
const LAKE_WRITES = new Set(["create", "append", "flush", "rename", "delete"]);

interface Served {
  snapshots: Record<string, string>;
  manifests: Record<string, string>;
  answered: number;
}

/** A clean first run, then Customer's source changes: what is served before the faulted run. */
async function servedThenCustomerChanged(world: AzureWorld): Promise<Served> {
  const first = await world.run();
  expect(first.ok, JSON.stringify(first.entities)).to.equal(true);
  const snapshots = snapshotsOf(first);
  const manifests = Object.fromEntries(
    NAMES.map((name) => [name, world.manifestText(name, snapshots[name])!]),
  );
  await world.writeSources(CHANGED_CUSTOMER);
  return { snapshots, manifests, answered: world.tds.answeredStatements().length };
}

/** Every view still on its snapshot from before, whose manifest is byte for byte what it was. */
function expectStillServed(world: AzureWorld, before: Served): void {
  for (const name of NAMES) {
    expect(world.manifestText(name, before.snapshots[name]), `${name} manifest`).to.equal(
      before.manifests[name],
    );
    expect(world.servedSnapshot(name), `${name} view`).to.equal(before.snapshots[name]);
  }
}

async function timed<T>(body: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await body();
  return { value, ms: Date.now() - started };
}

function failed(record: RunRecord, name: string): string {
  const entity = record.entities.find((e) => e.name === name);
  expect(entity?.status, `${name}: ${JSON.stringify(entity)}`).to.equal("failed");
  return errorText(entity);
}

/**
 * Once the run has started, every lake write fails (429, 500, 503, resets, answers slower than the
 * request timeout). The changed entity fails within bounded time with an error naming the storage
 * service, the upload and the place; the unchanged ones, which write nothing, are fine; every view
 * still serves the snapshot it served, and the next run without faults exports the change.
 */
export function lakeWritesFail(seed: number): Promise<ScenarioResult> {
  return withWorld(async (world) => {
    const before = await servedThenCustomerChanged(world);
    const { value: record, ms } = await timed(() =>
      world.run({
        onProgress: (e) => {
          if (e.kind === "run-started") {
            world.dfs.faults.setRate(1, LAKE_FAILURES, {
              seed,
              match: (r) => LAKE_WRITES.has(r.op),
            });
          }
        },
      }),
    );
    const injected = world.dfs.faults.injected;
    world.dfs.faults.clear();

    // Bounded by tries, not by the clock: each failing write is given up after the policy's tries.
    expect(
      injected,
      "lake faults: a few writes, each tried lakeRetry.maxTries times",
    ).to.be.at.most(4 * FAST.lakeRetry!.maxTries!);
    expect(record.ok).to.equal(false);
    expect(record.entities.map((e) => e.status)).to.deep.equal([
      "failed",
      "unchanged",
      "unchanged",
    ]);
    const error = failed(record, "Customer");
    expect(error).to.match(/^entity "Customer": could not (upload \S+ to|write) /);
    expect(error).to.contain(`${world.dfs.accountUrl}/ci-export/${DB}/Customer/v=`);
    expect(error).to.match(/the storage (service|endpoint) /);
    expect(error).to.match(/retry later$/);
    expectStillServed(world, before);
    expect(world.completeSnapshots("Customer")).to.deep.equal([before.snapshots.Customer]);

    const next = await world.run();
    expect(next.entities.map((e) => e.status)).to.deep.equal([
      "exported",
      "unchanged",
      "unchanged",
    ]);
    expect(await world.snapshotRows("Customer", snapshotsOf(next).Customer)).to.deep.equal([
      ...SOURCE_ROWS.Customer,
      { id: 4n, name: "Hedy" },
    ]);
    expect(world.servedSnapshot("Customer")).to.equal(snapshotsOf(next).Customer);
    return { lakeFaults: injected, sqlFaults: 0, ms };
  });
}

/**
 * Once the entities start, every SQL login and batch fails (transient error numbers, resets, answers
 * slower than the timeouts). Each entity fails within bounded time with an error naming Synapse SQL
 * and the statement; the changed entity's new snapshot is complete in the lake but not served; every
 * view still serves what it served, and the next run without faults switches the view.
 */
export function sqlFails(seed: number): Promise<ScenarioResult> {
  return withWorld(async (world) => {
    const before = await servedThenCustomerChanged(world);
    const { value: record, ms } = await timed(() =>
      world.run({
        onProgress: (e) => {
          if (e.kind === "entity-started" && e.entity === NAMES[0]) {
            world.tds.faults.setRate(1, SQL_FAILURES, { seed });
          }
        },
      }),
    );
    const injected = world.tds.faults.injected;
    world.tds.faults.clear();

    // Bounded by tries, not by the clock: each entity's statement gives up after sqlRetry.maxAttempts.
    expect(injected, "SQL faults: per entity, at most twice the policy's attempts").to.be.at.most(
      2 * NAMES.length * FAST.sqlRetry!.maxAttempts!,
    );
    expect(record.ok).to.equal(false);
    for (const name of NAMES) {
      const error = failed(record, name);
      expect(error).to.match(
        new RegExp(
          `^entity "${name}": Synapse SQL statement "[^"]*\\b${name} snapshot \\w+[^"]*" in database \\[${DB}\\] failed after \\d+ attempts`,
        ),
      );
      expect(error).to.match(/run again later|is reachable from here/);
    }
    expect(world.tds.answeredStatements().length, "no statement took effect").to.equal(
      // The edition check and the database setup, before the entities started.
      before.answered + 1 + world.expectedSql([]).length,
    );
    expectStillServed(world, before);
    const [changed] = world
      .completeSnapshots("Customer")
      .filter((s) => s !== before.snapshots.Customer);
    expect(changed, "the new snapshot is complete in the lake").to.be.a("string");

    const next = await world.run();
    expect(next.ok, JSON.stringify(next.entities)).to.equal(true);
    expect(world.servedSnapshot("Customer")).to.equal(changed);
    return { lakeFaults: 0, sqlFaults: injected, ms };
  });
}

/**
 * Both services fail every request from the first one. The run stops at its first request within
 * bounded time, with an error naming the storage service and what failed, and nothing served changes.
 */
export function everythingFails(seed: number): Promise<ScenarioResult> {
  return withWorld(async (world) => {
    const before = await servedThenCustomerChanged(world);
    world.dfs.faults.setRate(1, LAKE_FAILURES, { seed });
    world.tds.faults.setRate(1, SQL_FAILURES, { seed: seed + 1 });
    const { value: error, ms } = await timed(() =>
      world.run().then(
        () => undefined,
        (e: Error) => e,
      ),
    );
    const result = {
      lakeFaults: world.dfs.faults.injected,
      sqlFaults: world.tds.faults.injected,
      ms,
    };
    world.dfs.faults.clear();
    world.tds.faults.clear();

    // Bounded by tries, not by the clock: the first request (and its check) given up after the policy's tries.
    expect(result.lakeFaults, "lake faults").to.be.at.most(2 * FAST.lakeRetry!.maxTries!);
    expect(result.sqlFaults, "no SQL was reached").to.equal(0);
    expect(error?.message).to.match(
      new RegExp(`^could not create the container ${escape(world.dfs.accountUrl)}/ci-export: `),
    );
    expect(error?.message).to.match(/the storage (service|endpoint) .*retry later$/);
    expect(world.tds.answeredStatements().length, "no statement took effect").to.equal(
      before.answered,
    );
    expectStillServed(world, before);
    return result;
  });
}

/**
 * Once the run has started, every lake request fails, the lock's own too. The run fails within
 * bounded time with the storage error that stopped it, not the lock's (which expires on its own), and
 * nothing served changes.
 */
export function lakeFailsMidRun(seed: number): Promise<ScenarioResult> {
  return withWorld(async (world) => {
    const before = await servedThenCustomerChanged(world);
    const { value: error, ms } = await timed(() =>
      world
        .run({
          onProgress: (e) => {
            if (e.kind === "run-started") world.dfs.faults.setRate(1, LAKE_FAILURES, { seed });
          },
        })
        .then(
          // The entities failed one by one; what failed after them is the run's own error.
          (record) => (record.ok ? undefined : new Error(errorText(record))),
          (e: Error) => e,
        ),
    );
    const injected = world.dfs.faults.injected;
    world.dfs.faults.clear();

    // Bounded by tries, not by the clock: a handful of requests, each given up after the policy's tries.
    expect(injected, "lake faults").to.be.at.most(10 * FAST.lakeRetry!.maxTries!);
    expect(error?.message).to.match(
      new RegExp(`(^|: )could not \\w+ ${escape(world.dfs.accountUrl)}/ci-export/`),
    );
    expect(error?.message).to.not.match(/^could not unlock/);
    expect(error?.message).to.match(/the storage (service|endpoint) .*retry later$/);
    expectStillServed(world, before);
    return { lakeFaults: injected, sqlFaults: 0, ms };
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
