// The world of the CETAS tests at the wire: one dfs test server per storage account, serverless's lake
// engine over them (cetas.ts: CETAS and OPENROWSET in DuckDB, reading and writing the namespaces
// in-process), the strict TDS model with that engine, and clients through the real drivers: mssql
// (tedious) signed in with an Entra token of a given object id, and @azure/storage-file-datalake
// (AdlsGen2Lake) for whoever writes the sources, as Customer Insights would. Only Entra ID is faked,
// at the credential. Shared by test/servers/cetas.test.ts, cetasContract.test.ts and
// test/engine/plannedCetasWire.test.ts.

import type * as Mssql from "mssql";
import { parquetReadObjects } from "hyparquet";
import { AdlsGen2Lake } from "../../../src/engine/lake/adlsGen2Lake";
import { startDfsServer, type DfsServer } from "../dfsServer";
import { ServerlessLakeEngine } from "./cetas";
import { audienceOf, entraToken } from "./entraToken";
import { ServerlessLake } from "./serverlessLake";
import { ServerlessModel } from "./serverlessModel";
import { TdsTestServer } from "./tdsTestServer";

/** A credential signing in as `oid`, with the audience each resource checks. */
export function credentialOf(oid: string) {
  return {
    async getToken(scopes: string | string[]) {
      const expiresOnTimestamp = Date.now() + 3600e3;
      const exp = Math.floor(expiresOnTimestamp / 1000);
      return { token: entraToken({ aud: audienceOf(scopes), oid, exp }), expiresOnTimestamp };
    },
  };
}

export interface CetasWorldOptions {
  /** One dfs test server per storage account, in this order. */
  accounts: string[];
  /** Object ids that are Synapse administrators (may create the database). */
  administrators: string[];
  /** Object ids holding a storage data role (serverless reads and writes the lake as them). */
  storageReaders: string[];
}

export class CetasWorld {
  private readonly pools: Mssql.ConnectionPool[] = [];

  private constructor(
    private readonly servers: DfsServer[],
    readonly engine: ServerlessLakeEngine,
    readonly tds: TdsTestServer,
  ) {}

  static async start(options: CetasWorldOptions): Promise<CetasWorld> {
    const servers: DfsServer[] = [];
    for (const account of options.accounts) servers.push(await startDfsServer({ account }));
    const engine = new ServerlessLakeEngine(new ServerlessLake(servers));
    const model = new ServerlessModel({
      directory: [],
      administrators: options.administrators,
      storageReaders: options.storageReaders,
      lake: engine,
    });
    const tds = await TdsTestServer.start("testws-ondemand", { model });
    return new CetasWorld(servers, engine, tds);
  }

  /** The dfs test server of an account. */
  dfs(account: string): DfsServer {
    const server = this.servers.find((d) => d.account === account);
    if (!server) throw new Error(`no dfs test server for account ${account}`);
    return server;
  }

  /** A SQL connection signed in as `oid`, closed with the world. */
  async sqlAs(oid: string, database: string): Promise<Mssql.ConnectionPool> {
    const sql = require("mssql") as typeof Mssql;
    const pool = new sql.ConnectionPool({
      server: "127.0.0.1",
      port: this.tds.port,
      database,
      options: { encrypt: false, trustServerCertificate: false, maxRetriesOnTransientErrors: 0 },
      authentication: { type: "token-credential", options: { credential: credentialOf(oid) } },
      pool: { max: 1, min: 0 },
      // mssql's default check sends `SELECT 1`, a statement the strict model refuses (102).
      validateConnection: "socket",
    } as Mssql.config);
    pool.on("error", () => undefined);
    this.pools.push(pool);
    await pool.connect();
    return pool;
  }

  /** A container of an account through the real SDK, signed in as `oid` (a producer of sources). */
  lakeOf(account: string, container: string, oid: string): AdlsGen2Lake {
    const dfs = this.dfs(account);
    return new AdlsGen2Lake({
      accountName: dfs.account,
      container,
      accountUrl: dfs.accountUrl,
      trustedCaPem: dfs.caPem,
      credential: credentialOf(oid),
      retryOptions: { maxTries: 1 },
      requestTimeoutMs: 2000,
    });
  }

  /** Creates the database from master as `oid` (as the plan does), runs `setup` in it, and connects. */
  async database(oid: string, name: string, setup: readonly string[]) {
    const master = await this.sqlAs(oid, "master");
    await master
      .request()
      .batch(
        `IF DB_ID(N'${name}') IS NULL\n    EXEC (N'CREATE DATABASE [${name}] COLLATE Latin1_General_100_CI_AS_SC_UTF8')`,
      );
    const db = await this.sqlAs(oid, name);
    for (const ddl of setup) await db.request().batch(ddl);
    return db;
  }

  /** The Parquet parts of a container whose paths `keep` accepts, and their rows read by hyparquet. */
  async parquetRows(
    account: string,
    container: string,
    keep: (path: string) => boolean,
  ): Promise<{ files: string[]; rows: Record<string, unknown>[] }> {
    const dfs = this.dfs(account);
    const files = dfs.pathsOf(container).filter((p) => p.endsWith(".parquet") && keep(p));
    const rows: Record<string, unknown>[] = [];
    for (const file of files) {
      const data = dfs.readFile(container, file)!;
      const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      rows.push(...(await parquetReadObjects({ file: buffer as ArrayBuffer })));
    }
    return { files, rows };
  }

  async close(): Promise<void> {
    for (const pool of this.pools.splice(0)) await pool.close().catch(() => undefined);
    await this.tds.close();
    await this.engine.close();
    for (const dfs of this.servers) await dfs.close();
  }
}
