// The Azure target with nothing of Azure but its wire protocols: the loopback dfs test server stands in
// for ADLS Gen2 and the loopback TDS test server for Synapse serverless SQL, and a fake token stands in
// for Entra ID (outside this machine). Everything else is the product: azureTarget, AdlsGen2Lake through
// the real @azure/storage-file-datalake SDK, SynapseSql through the real mssql driver, runExport.
// Shared by the azureTarget tests and the reliability script (scripts/reliability/faults.ts).

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parquetReadObjects } from "hyparquet";
import { setAzureCredential } from "../../../src/engine/azureCredential";
import { runExport } from "../../../src/engine/run/runExport";
import type { RunOptions, RunRecord } from "../../../src/engine/run/runRecord";
import { azureTarget, type AzureTargetOptions } from "../../../src/engine/targets";
import { azureDataSourceLocation } from "../../../src/plan/exportPlan";
import { manifestPath, MANIFEST_FILE } from "../../../src/plan/lakeLayout";
import type { SnapshotManifest } from "../../../src/plan/manifest";
import { renderTsql } from "../../../src/plan/renderTsql";
import { planDatabaseSetup, planPublishSnapshot, SNAPSHOT_SCHEMA } from "../../../src/plan/sqlPlan";
import type { SqlStatement } from "../../../src/plan/sqlStatement";
import type { EntitySpec, Spec } from "../../../src/spec/types";
import { startDfsServer, type DfsServer, type Fault } from "../../servers/dfsServer";
import { transientErrorFaults } from "../../servers/tds/faults";
import { TdsTestServer, type TdsFault } from "../../servers/tds/tdsTestServer";
import { makeSpec } from "./fixtures";

export const DB = "ci_export";
export const CONTAINER = "ci-export";
export const ACCOUNT = "acct";
export const FAKE_TOKEN = "fake-entra-token";
export const EDITION_CHECK = "SELECT SERVERPROPERTY('EngineEdition') AS EngineEdition";

/** Tiny retry settings and timeouts, so a test of a failing service ends in seconds, not minutes. */
export const FAST: AzureTargetOptions = {
  lakeRetry: { maxTries: 4, retryDelayInMs: 5, maxRetryDelayInMs: 50 },
  lakeRequestTimeoutMs: 1000,
  sqlRetry: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 50 },
  sqlConnectTimeoutMs: 1000,
  sqlRequestTimeoutMs: 1000,
};

/** What the dfs server injects: throttling, server errors, resets before and after processing, slow answers. */
export const LAKE_FAULTS: Fault[] = [
  { kind: "status", status: 429, retryAfterSeconds: 1 },
  { kind: "status", status: 500 },
  { kind: "status", status: 503 },
  { kind: "drop" },
  { kind: "drop", afterProcessing: true },
  { kind: "delay", ms: 50 },
  { kind: "delay", ms: 1500 },
];

/** What the TDS server injects into logins and batches: transient error numbers, resets, slow answers. */
export const SQL_FAULTS: TdsFault[] = [
  ...transientErrorFaults(),
  { kind: "drop" },
  { kind: "delay", ms: 50 },
  { kind: "delay", ms: 1500 },
];

/**
 * The faults above that fail a request, for a service that is down: no slow-but-good answers, no
 * resets after the request took effect.
 */
export const LAKE_FAILURES: Fault[] = LAKE_FAULTS.filter((f) =>
  f.kind === "delay"
    ? f.ms > FAST.lakeRequestTimeoutMs!
    : !(f.kind === "drop" && f.afterProcessing),
);

export const SQL_FAILURES: TdsFault[] = SQL_FAULTS.filter(
  (f) => f.kind !== "delay" || f.ms > FAST.sqlRequestTimeoutMs!,
);

export const ENTITIES: EntitySpec[] = [
  {
    name: "Customer",
    source: { path: "customer.csv", format: "csv" },
    columns: [
      { name: "id", type: "int64" },
      { name: "name", type: "string" },
    ],
  },
  {
    name: "Orders",
    source: { path: "orders.csv", format: "csv" },
    columns: [
      { name: "order_id", type: "int32" },
      { name: "customer_id", type: "int64" },
      { name: "amount", type: "double" },
      { name: "paid", type: "boolean" },
    ],
  },
  {
    name: "Segment",
    source: { path: "segment.csv", format: "csv" },
    columns: [
      { name: "name", type: "string" },
      { name: "members", type: "int32" },
    ],
  },
];

export const SOURCES = {
  "customer.csv": "id,name\n1,Ada\n2,Grace\n3,Zoë\n",
  "orders.csv": "order_id,customer_id,amount,paid\n10,1,12.5,true\n11,2,99.99,false\n",
  "segment.csv": "name,members\nloyal,2\n",
};

/** The rows each source above holds, as hyparquet reads them back (int64 as bigint). */
export const SOURCE_ROWS: Record<string, Record<string, unknown>[]> = {
  Customer: [
    { id: 1n, name: "Ada" },
    { id: 2n, name: "Grace" },
    { id: 3n, name: "Zoë" },
  ],
  Orders: [
    { order_id: 10, customer_id: 1n, amount: 12.5, paid: true },
    { order_id: 11, customer_id: 2n, amount: 99.99, paid: false },
  ],
  Segment: [{ name: "loyal", members: 2 }],
};

export class AzureWorld {
  private constructor(
    readonly dir: string,
    readonly spec: Spec,
    readonly dfs: DfsServer,
    readonly tds: TdsTestServer,
    private readonly options: AzureTargetOptions,
  ) {}

  static async start(options: AzureTargetOptions = {}): Promise<AzureWorld> {
    setAzureCredential({
      getToken: async () => ({ token: FAKE_TOKEN, expiresOnTimestamp: Date.now() + 3600e3 }),
    });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-azure-"));
    const base = path.join(dir, "spec");
    await writeSources(base, SOURCES);
    const spec = makeSpec(base, ENTITIES);
    spec.connection.storage.accountName = ACCOUNT;
    // One opaque token serves both servers here; the dfs server's default check wants a storage-audience
    // JWT (test/servers/testTokens.ts), so this world accepts exactly its own token instead.
    const dfs = await startDfsServer({
      account: ACCOUNT,
      checkToken: (token) => (token === FAKE_TOKEN ? "allow" : "unauthenticated"),
    });
    const tds = await TdsTestServer.start();
    return new AzureWorld(dir, spec, dfs, tds, options);
  }

  /** One run as the CLI makes it: a fresh target (new clients and connections), closed afterwards. */
  async run(options: Partial<RunOptions> = {}): Promise<RunRecord> {
    const target = azureTarget(this.spec, {
      lakeAccountUrl: this.dfs.accountUrl,
      lakeTrustedCaPem: this.dfs.caPem,
      sqlServer: "127.0.0.1",
      sqlPort: this.tds.port,
      sqlEncrypt: false,
      ...this.options,
    });
    try {
      return await runExport(this.spec, {
        lake: target.lake,
        views: target.views,
        stagingDir: path.join(this.dir, "staging"),
        ...options,
      });
    } finally {
      await target.views.close();
    }
  }

  writeSources(files: Record<string, string>): Promise<void> {
    return writeSources(this.spec.baseDir, files);
  }

  /** Every file in the container, sorted (directories left out). */
  lakeFiles(): string[] {
    return this.dfs.pathsOf(CONTAINER).filter((p) => !p.endsWith("/"));
  }

  manifestText(entity: string, snapshot: string): string | undefined {
    return this.dfs.readFile(CONTAINER, manifestPath(DB, entity, snapshot))?.toString("utf8");
  }

  manifest(entity: string, snapshot: string): SnapshotManifest {
    const text = this.manifestText(entity, snapshot);
    if (text === undefined) throw new Error(`no manifest for ${entity} snapshot ${snapshot}`);
    return JSON.parse(text) as SnapshotManifest;
  }

  /** The snapshots of an entity that have a manifest (complete), from the dfs server's files. */
  completeSnapshots(entity: string): string[] {
    const pattern = new RegExp(`^${DB}/${entity}/v=([^/]+)/${MANIFEST_FILE.replace(".", "\\.")}$`);
    return this.lakeFiles().flatMap((p) => pattern.exec(p)?.[1] ?? []);
  }

  /** The rows of every part of a snapshot, read back with hyparquet from the bytes the dfs server holds. */
  async snapshotRows(entity: string, snapshot: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (const file of this.manifest(entity, snapshot).files) {
      const bytes = this.dfs.readFile(CONTAINER, `${DB}/${entity}/v=${snapshot}/${file.name}`);
      if (!bytes) throw new Error(`part ${file.name} of ${entity} snapshot ${snapshot} is missing`);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      rows.push(...((await parquetReadObjects({ file: buffer as ArrayBuffer })) as never[]));
    }
    return rows;
  }

  /** The T-SQL plan of a run that published these snapshots, rendered by the product's own plan. */
  expectedSql(manifests: readonly SnapshotManifest[]): SqlStatement[] {
    const target = { database: DB, dataSourceLocation: azureDataSourceLocation(this.spec) };
    return [
      ...renderTsql(planDatabaseSetup(this.spec.export.format), target),
      ...manifests.flatMap((m) => renderTsql(planPublishSnapshot(m), target)),
    ];
  }

  /** The snapshot the view of an entity serves: the one the last answered CREATE OR ALTER VIEW names. */
  servedSnapshot(entity: string): string | undefined {
    const view = `CREATE OR ALTER VIEW [dbo].[${entity}]`;
    const last = this.tds
      .answeredStatements()
      .filter((s) => s.database === DB && s.text.startsWith(view))
      .at(-1);
    if (!last) return undefined;
    const table = new RegExp(`FROM \\[${SNAPSHOT_SCHEMA}\\]\\.\\[${entity}__([^\\]]+)\\]`);
    return table.exec(last.text)?.[1];
  }

  async close(): Promise<void> {
    setAzureCredential(undefined);
    await Promise.all([this.dfs.close(), this.tds.close()]);
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Writes source files dated a minute back, as files are that an export picks up long after they were
 * written: their hashes are then reusable by the next run (a file modified within the fingerprint's
 * racy margin is hashed again, and its manifest rewritten, on every run until it settles).
 */
async function writeSources(base: string, files: Record<string, string>): Promise<void> {
  const written = new Date(Date.now() - 60_000);
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(base, { recursive: true });
    await fs.writeFile(path.join(base, name), content);
    await fs.utimes(path.join(base, name), written, written);
  }
}
