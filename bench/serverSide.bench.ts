// `node dist/bench/serverSide.bench.js [rows]`: one entity exported to the Azure target's test servers
// both ways, side by side: the server-side run (a CSV in the lake, exported by the TDS test server's
// CETAS, tds/cetas.ts) and the runner's path (the same CSV as a file on this machine, converted by
// DuckDB here and uploaded through the SDK). Prints each run's wall time and the bytes the runner
// moved through the dfs endpoint: entity data (reads of the source, uploads of Parquet parts) apart
// from the rest (listings, manifest, lock). Both servers run in this process on the machine's cores,
// and the CETAS is DuckDB with one thread inside the test server, so the wall times say what the
// product's side costs, not what a real serverless pool takes (BENCHMARKS.md, the paper estimate).

import { AdlsGen2Lake } from "../src/engine/lake/adlsGen2Lake";
import type { EntitySpec } from "../src/spec/types";
import type { LoggedRequest } from "../test/servers/dfsServer";
import {
  ACCOUNT,
  AzureWorld,
  credentialOf,
  FAST,
  PRINCIPALS,
} from "../test/engine/support/azureWorld";

const ROWS = Number(process.argv[2] ?? process.env.BENCH_SERVER_SIDE_ROWS ?? 200_000);
const COLUMNS: EntitySpec["columns"] = [
  { name: "Id", type: "int64", sourceColumn: "id" },
  { name: "Name", type: "string", maxLength: 40, sourceColumn: "name" },
  { name: "Amount", type: "decimal", precision: 9, scale: 2, sourceColumn: "amount" },
  { name: "Joined", type: "date", sourceColumn: "joined" },
];

function csv(rows: number): string {
  const lines = ["id,name,amount,joined"];
  for (let i = 1; i <= rows; i++) {
    const day = String((i % 28) + 1).padStart(2, "0");
    lines.push(`${i},customer ${i},${(i % 100000) / 100},2024-02-${day}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The test world's quick retries, with room for a long CETAS or upload. */
const SLOW_OK = { ...FAST, sqlRequestTimeoutMs: 600_000, lakeRequestTimeoutMs: 600_000 };

const runner = (r: LoggedRequest) => r.caller === PRINCIPALS.deployer.objectId;
const entityData = (r: LoggedRequest) =>
  runner(r) && ((r.filesystem === "insights" && r.op === "read") || r.path.endsWith(".parquet"));

async function measure(label: string, world: AzureWorld): Promise<void> {
  const started = process.hrtime.bigint();
  const record = await world.run();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const e = record.entities[0];
  if (e.status !== "exported") throw new Error(`${label}: ${JSON.stringify(e)}`);
  const data = world.dfs.bytesTransferred(entityData);
  const all = world.dfs.bytesTransferred(runner);
  console.log(
    `${label.padEnd(12)} rows ${e.rows}  wall ${(ms / 1000).toFixed(2)} s  ` +
      `runner entity data up ${data.uploaded} B down ${data.downloaded} B  ` +
      `runner total up ${all.uploaded} B down ${all.downloaded} B  parquet ${e.bytes} B in ${e.files} part(s)`,
  );
}

async function main(): Promise<void> {
  const text = csv(ROWS);
  console.log(`one CSV of ${ROWS} rows, ${Buffer.byteLength(text)} bytes`);

  const lakeEntity: EntitySpec = {
    name: "Customer",
    source: {
      path: `https://${ACCOUNT}.dfs.core.windows.net/insights/Customer/*.csv`,
      format: "csv",
    },
    columns: COLUMNS,
  };
  const server = await AzureWorld.start(SLOW_OK, { entities: [lakeEntity], serverless: true });
  try {
    const producer = new AdlsGen2Lake({
      accountName: ACCOUNT,
      container: "insights",
      accountUrl: server.dfs.accountUrl,
      trustedCaPem: server.dfs.caPem,
      credential: credentialOf({
        objectId: "55555555-0000-4000-8000-000000000005",
        name: "ci",
        type: "User",
      }),
    });
    await producer.ensureContainer();
    await producer.writeText("Customer/part-0.csv", text);
    await measure("server-side", server);
  } finally {
    await server.close();
  }

  const fileEntity: EntitySpec = {
    name: "Customer",
    source: { path: "customer.csv", format: "csv" },
    columns: COLUMNS,
  };
  const local = await AzureWorld.start(SLOW_OK, { entities: [fileEntity] });
  try {
    await local.writeSources({ "customer.csv": text });
    await measure("runner", local);
  } finally {
    await local.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
