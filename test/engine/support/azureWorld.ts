// The Azure target with nothing of Azure but its wire protocols: the loopback dfs test server stands in
// for ADLS Gen2 and the loopback TDS test server for Synapse serverless SQL, and a fake token stands in
// for Entra ID (outside this machine). The TDS server runs strict (serverlessModel.ts): it knows the
// tenant's principals below, who has a storage role, and learns logins, users and grants from the DDL.
// The SQL a run must send is read from the reviewed golden file test/fixtures/golden/azure_world.tsql,
// never rendered by the product. Everything else is the product: azureTarget, AdlsGen2Lake through
// the real @azure/storage-file-datalake SDK, SynapseSql through the real mssql driver, runExport.
// Shared by the azureTarget tests and the reliability script (scripts/reliability/faults.ts).

import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parquetReadObjects } from "hyparquet";
import { setAzureCredential } from "../../../src/engine/azureCredential";
import { RACY_MARGIN_MS } from "../../../src/engine/fingerprint";
import { AdlsGen2Lake } from "../../../src/engine/lake/adlsGen2Lake";
import { runExport } from "../../../src/engine/run/runExport";
import type { RunOptions, RunRecord } from "../../../src/engine/run/runRecord";
import { azureTarget, type AzureTargetOptions } from "../../../src/engine/targets";
import { manifestPath, MANIFEST_FILE } from "../../../src/plan/lakeLayout";
import type { SnapshotManifest } from "../../../src/plan/manifest";
import type { SqlStatement } from "../../../src/plan/sqlStatement";
import type { EntitySpec, Spec } from "../../../src/spec/types";
import { startDfsServer, type DfsServer, type Fault } from "../../servers/dfsServer";
import { audienceOf, entraToken, readEntraToken } from "../../servers/tds/entraToken";
import { ServerlessLakeEngine } from "../../servers/tds/cetas";
import { transientErrorFaults } from "../../servers/tds/faults";
import { ServerlessLake } from "../../servers/tds/serverlessLake";
import { ServerlessModel, type DirectoryPrincipal } from "../../servers/tds/serverlessModel";
import { TdsTestServer, type TdsFault } from "../../servers/tds/tdsTestServer";
import { makeSpec } from "./fixtures";
import { goldenStatements as goldenFileStatements } from "../../helpers/golden";

export const DB = "ci_export";
export const CONTAINER = "ci-export";
export const ACCOUNT = "acct";
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

/** The tenant of the test world. The deployer runs the export and is a Synapse Administrator. */
export const PRINCIPALS = {
  deployer: {
    objectId: "11111111-0000-4000-8000-000000000001",
    name: "deployer@contoso.com",
    type: "User",
  },
  analysts: { objectId: "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60", name: "analysts", type: "Group" },
  ada: { objectId: "0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f", name: "ada@contoso.com", type: "User" },
  marketing: { objectId: "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e", name: "marketing", type: "Group" },
  /** A member of the analysts group, reader only through it. */
  carol: {
    objectId: "22222222-0000-4000-8000-000000000003",
    name: "carol@contoso.com",
    type: "User",
  },
  /** In the tenant without a storage role: a reader only when a test adds her to the spec. */
  erin: {
    objectId: "44444444-0000-4000-8000-000000000005",
    name: "erin@contoso.com",
    type: "User",
  },
  /** In the tenant, with a storage role, but not in the spec. */
  mallory: {
    objectId: "33333333-0000-4000-8000-000000000004",
    name: "mallory@contoso.com",
    type: "User",
  },
} satisfies Record<string, DirectoryPrincipal>;

/** Group memberships of the tenant, as Entra ID puts them in the `groups` claim. */
const GROUPS: Record<string, string[]> = {
  [PRINCIPALS.carol.objectId]: [PRINCIPALS.analysts.objectId],
};

/** Who holds a Storage Blob Data role on the lake in this world: the plan's grants, and mallory. */
const STORAGE_READERS = [
  PRINCIPALS.deployer,
  PRINCIPALS.analysts,
  PRINCIPALS.ada,
  PRINCIPALS.marketing,
  PRINCIPALS.mallory,
].map((p) => p.objectId);

/** A credential that signs in as one principal, with a token per resource (aud from the scope). */
export function credentialOf(who: DirectoryPrincipal, expiresInMs = 3600e3) {
  const tokens: string[] = [];
  return {
    tokens,
    async getToken(scopes: string | string[]): Promise<AccessToken> {
      const expiresOnTimestamp = Date.now() + expiresInMs;
      const token = entraToken({
        aud: audienceOf(scopes),
        oid: who.objectId,
        upn: who.type === "User" ? who.name : undefined,
        groups: GROUPS[who.objectId],
        appid: who.type === "ServicePrincipal" ? who.appId : undefined,
        exp: Math.floor(expiresOnTimestamp / 1000),
      });
      tokens.push(token);
      return { token, expiresOnTimestamp };
    },
  };
}

/** The claims of a bearer token or TDS token, to check who signed in for which resource. */
export function claimsOf(token: string | undefined): { aud?: string; oid?: string } {
  return readEntraToken((token ?? "").replace(/^Bearer /, "")) ?? {};
}

const GOLDEN_WORLD = path.join(__dirname, "../../../../test/fixtures/golden/azure_world.tsql");

/** The reviewed golden file as statements (default: azure_world.tsql). */
export function goldenStatements(file = GOLDEN_WORLD): SqlStatement[] {
  return goldenFileStatements(file);
}

/** What a world holds besides the defaults: other entities, and serverless's own lake engine (CETAS). */
export interface WorldOptions {
  entities?: EntitySpec[];
  /** Serverless executes CETAS and OPENROWSET over the dfs server's files (tds/cetas.ts). */
  serverless?: boolean;
}

export class AzureWorld {
  private constructor(
    readonly dir: string,
    readonly spec: Spec,
    readonly dfs: DfsServer,
    readonly tds: TdsTestServer,
    readonly model: ServerlessModel,
    private readonly options: AzureTargetOptions,
    /** Serverless's CETAS and OPENROWSET, when the world was started with `serverless`. */
    readonly serverless?: ServerlessLakeEngine,
  ) {}

  static async start(
    options: AzureTargetOptions = {},
    world: WorldOptions = {},
  ): Promise<AzureWorld> {
    setAzureCredential(credentialOf(PRINCIPALS.deployer));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-azure-"));
    const base = path.join(dir, "spec");
    await writeSources(base, SOURCES);
    const spec = makeSpec(base, world.entities ?? ENTITIES);
    spec.connection.storage.accountName = ACCOUNT;
    // Two readers (a group and a user) and a contributor on a shared connection, as the golden file.
    spec.connection.usableBy = "administrators-and-contributors";
    const { analysts, ada, marketing } = PRINCIPALS;
    spec.principals.readers = [analysts, ada].map(({ objectId, type, name }) => ({
      objectId,
      type,
      name,
    }));
    spec.principals.contributors = [{ ...marketing }];
    const dfs = await startDfsServer({ account: ACCOUNT });
    const serverless = world.serverless
      ? new ServerlessLakeEngine(new ServerlessLake(dfs))
      : undefined;
    const model = new ServerlessModel({
      directory: Object.values(PRINCIPALS),
      administrators: [PRINCIPALS.deployer.objectId],
      storageReaders: STORAGE_READERS,
      lake: serverless,
    });
    const tds = await TdsTestServer.start("testws-ondemand", { model });
    return new AzureWorld(dir, spec, dfs, tds, model, options, serverless);
  }

  /**
   * A dfs client of another container of the account, signed in as `who`: the producer of a lake
   * source (Customer Insights writing its partitions), not the identity that runs the export.
   */
  lakeClientOf(container: string, who: DirectoryPrincipal): AdlsGen2Lake {
    return new AdlsGen2Lake({
      accountName: ACCOUNT,
      container,
      accountUrl: this.dfs.accountUrl,
      trustedCaPem: this.dfs.caPem,
      credential: credentialOf(who),
      retryOptions: { maxTries: 1 },
      requestTimeoutMs: 2000,
    });
  }

  /** A SQL client signed in as someone else than the deployer, e.g. a reader querying a view. */
  async queryAs(
    who: DirectoryPrincipal,
    sql: string,
    credential: TokenCredential = credentialOf(who),
  ): Promise<Record<string, unknown>[]> {
    const client = this.sqlClientOf(who, credential);
    try {
      return await client.query(DB, sql);
    } finally {
      await client.close();
    }
  }

  /** A SQL client signed in as `who`, kept open until the caller closes it (a connected reader). */
  sqlClientOf(who: DirectoryPrincipal, credential: TokenCredential = credentialOf(who)) {
    const { SynapseSql } =
      require("../../../src/engine/sql/synapseSql") as typeof import("../../../src/engine/sql/synapseSql");
    return new SynapseSql({
      workspace: "testws",
      server: "127.0.0.1",
      port: this.tds.port,
      encrypt: false,
      credential,
      connectTimeoutMs: FAST.sqlConnectTimeoutMs,
      requestTimeoutMs: FAST.sqlRequestTimeoutMs,
      retry: { maxAttempts: 1 },
    });
  }

  /** One run as the CLI makes it: a fresh target (new clients and connections), closed afterwards. */
  async run(options: Partial<RunOptions> = {}): Promise<RunRecord> {
    const target = this.target();
    try {
      return await runExport(this.spec, {
        lake: target.lake,
        views: target.views,
        serverSide: target.serverSide,
        stagingDir: path.join(this.dir, "staging"),
        ...options,
      });
    } finally {
      await target.views.close();
    }
  }

  /** The Azure target as the CLI makes it, against the test servers (close its views when done). */
  target(extra: AzureTargetOptions = {}) {
    return azureTarget(this.spec, {
      lakeAccountUrl: this.dfs.accountUrl,
      lakeTrustedCaPem: this.dfs.caPem,
      sqlServer: "127.0.0.1",
      sqlPort: this.tds.port,
      sqlEncrypt: false,
      ...this.options,
      ...extra,
    });
  }

  writeSources(files: Record<string, string>): Promise<void> {
    return writeSources(this.spec.baseDir, files);
  }

  /**
   * Waits until every source file is older than the fingerprint's racy margin, by its ctime too (which
   * `utimes` cannot date back). Until then each run hashes such a file again and rewrites its manifest
   * with `sourcesCheckedAt` once the file has settled: right, but on a loaded machine that rewrite lands
   * in whichever run comes more than the margin later, so a scenario that checks "nothing written"
   * must start from settled files. The wait is for the product's own condition, never asserted.
   */
  async settleSources(): Promise<void> {
    const names = await fs.readdir(this.spec.baseDir);
    let newest = 0;
    for (const name of names) {
      const st = await fs.stat(path.join(this.spec.baseDir, name));
      if (st.isFile()) newest = Math.max(newest, st.mtimeMs, st.ctimeMs);
    }
    const wait = newest + RACY_MARGIN_MS + 10 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
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

  /**
   * The T-SQL a run that published these snapshots sends, from the reviewed golden file: its setup
   * (every statement without a snapshot placeholder), then each entity's statements with its snapshot id.
   */
  expectedSql(manifests: readonly SnapshotManifest[]): SqlStatement[] {
    const golden = goldenStatements();
    const placeholder = /<(\w+) snapshot>/;
    return [
      ...golden.filter((s) => !placeholder.test(s.statement)),
      ...manifests.flatMap((m) =>
        golden
          .filter((s) => placeholder.exec(s.statement)?.[1] === m.entity)
          .map((s) => ({
            ...s,
            statement: s.statement.split(`<${m.entity} snapshot>`).join(m.snapshot),
          })),
      ),
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
    const table = new RegExp(`FROM \\[snapshots\\]\\.\\[${entity}__([^\\]]+)\\]`);
    return table.exec(last.text)?.[1];
  }

  async close(): Promise<void> {
    setAzureCredential(undefined);
    await Promise.all([this.dfs.close(), this.tds.close()]);
    await this.serverless?.close();
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
