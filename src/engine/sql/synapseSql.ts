// Runs an SQL plan against a Synapse workspace's serverless SQL endpoint, signed in with Entra ID
// (tedious `token-credential`, no passwords). Serverless SQL takes one DDL statement per batch,
// CREATE DATABASE only from master and no transactions around DDL, so each statement is its own
// batch, in order, on a connection to the database it names. Transient service errors and lost
// connections are retried with backoff; a storage grant that has not applied yet is waited for only
// while it is fresh, since after that it is missing, not slow.

import type { TokenCredential } from "@azure/core-auth";
import type * as Mssql from "mssql";
import { ExportError } from "../../errors";
import type { SqlStatement } from "../../plan/sqlStatement";
import { retry, type RetryClock, type RetryPolicy, SYSTEM_CLOCK } from "../retry/retry";
import { getAzureCredential } from "../azureCredential";
import type { SqlExecutor } from "./sqlExecutor";
import {
  classifySqlError,
  SqlErrorFacts,
  sqlErrorFacts,
  SqlErrorKind,
  storageAccountInMessage,
} from "./sqlErrorKinds";

export interface SynapseSqlRetry {
  /** Tries per statement for transient errors and lost connections, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface SynapseSqlRetryEvent {
  purpose: string;
  database: string;
  /** The attempt that just failed (1-based). */
  attempt: number;
  delayMs: number;
  kind: SqlErrorKind;
  message: string;
}

export interface SynapseSqlOptions {
  /** The Synapse workspace name; the endpoint is `<workspace>-ondemand.sql.azuresynapse.net`. */
  workspace: string;
  server?: string;
  port?: number;
  /** TLS to the endpoint; only a loopback test server goes without. */
  encrypt?: boolean;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  retry?: Partial<SynapseSqlRetry>;
  /**
   * Epoch ms until which storage-permission errors are waited out: set it when the run has just
   * granted access to the lake, since role assignments take minutes to apply.
   */
  freshGrantsUntil?: number;
  /** Epoch ms until which the workspace firewall's refusal (40615) is waited out: a rule just made. */
  freshFirewallUntil?: number;
  /** Named in the missing-grant message when the server's message does not name the account. */
  storageAccount?: string;
  /** Defaults to the process-wide credential (DefaultAzureCredential). */
  credential?: TokenCredential;
  /** Called before each retry, for progress output. */
  onRetry?: (event: SynapseSqlRetryEvent) => void;
  /** The clock the waits (and freshGrantsUntil) are read on; default the system's. */
  clock?: RetryClock;
}

/** A failed statement. Its `kind` is "auth" when no token could be had (sqlKind "credential"), else "sql". */
export class SynapseSqlError extends ExportError {
  constructor(
    message: string,
    readonly purpose: string,
    readonly database: string,
    readonly sqlKind: SqlErrorKind | "not-serverless",
    readonly attempts: number,
    readonly number?: number,
    readonly code?: string,
    /** What the server (or the driver) said, without our words around it. */
    readonly serverMessage: string = message,
  ) {
    super(sqlKind === "credential" ? "auth" : "sql", message);
    this.name = "SynapseSqlError";
  }
}

const DEFAULT_RETRY: SynapseSqlRetry = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 30_000 };
const SERVERLESS_ENGINE_EDITION = 11;
const ENGINE_EDITIONS: Record<number, string> = {
  1: "SQL Server",
  2: "SQL Server",
  3: "SQL Server",
  4: "SQL Server",
  5: "an Azure SQL Database",
  6: "a dedicated SQL pool",
  8: "an Azure SQL Managed Instance",
  9: "Azure SQL Edge",
};

/** What to do about the errors a run can meet that no retry fixes. */
const FATAL_HINTS: Record<number, string> = {
  18456:
    "The signed-in identity has no login on the serverless SQL endpoint: give it the Synapse Administrator or Synapse SQL Administrator role on the workspace.",
  262: "The signed-in identity may not create databases here: give it the Synapse Administrator role.",
};

/**
 * The retry budget an error spends: attempts for what clears in seconds; for a storage grant or a
 * firewall rule, the time window while one made by this deploy may not have applied yet (`openUntil`,
 * each its own), else none.
 */
function budgetOf(
  kind: SqlErrorKind,
  openUntil: { "storage-permission"?: number; firewall?: number },
  now: number,
): "attempts" | "window" | "none" {
  if (kind === "transient" || kind === "connection" || kind === "database-in-use")
    return "attempts";
  if (kind === "storage-permission" || kind === "firewall") {
    return now < (openUntil[kind] ?? 0) ? "window" : "none";
  }
  return "none";
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function summarize(statement: string): string {
  const oneLine = statement.replace(/\s+/g, " ").trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}

export class SynapseSql implements SqlExecutor {
  private readonly server: string;
  private readonly policy: RetryPolicy;
  private readonly clock: RetryClock;
  private readonly pools = new Map<string, Promise<Mssql.ConnectionPool>>();
  /** Login errors reach mssql as ELOGIN without their number; tedious's errorMessage event has it. */
  private readonly lastServerError = new Map<string, number>();
  private editionVerified = false;

  constructor(private readonly options: SynapseSqlOptions) {
    if (!options.workspace && !options.server) {
      throw new Error("SynapseSql needs `workspace` (or `server`): the Synapse workspace name.");
    }
    this.server = options.server ?? `${options.workspace}-ondemand.sql.azuresynapse.net`;
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    // Transient errors, lost connections and a database still in use spend a count of attempts; a
    // storage grant that has not applied yet is waited for only until freshGrantsUntil, a firewall
    // rule until freshFirewallUntil (budgetOf; the window's end is the later, and the last wait may
    // pass the earlier by one backoff). Equal jitter: a reconnect never comes at once (Azure SQL's
    // connectivity guidance asks for a pause first).
    this.policy = {
      maxAttempts: retry.maxAttempts,
      backoff: { baseDelayMs: retry.baseDelayMs, maxDelayMs: retry.maxDelayMs, jitter: "equal" },
      window: {
        untilMs: Math.max(options.freshGrantsUntil ?? 0, options.freshFirewallUntil ?? 0),
      },
    };
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  async execute(statements: readonly SqlStatement[]): Promise<void> {
    for (const s of statements) {
      await this.run(s.database, s.statement, s.purpose ?? summarize(s.statement));
    }
  }

  /** Runs one statement and returns the rows it reports as affected (a CETAS: the rows it exported). */
  async executeCounting(statement: SqlStatement): Promise<number> {
    const result = await this.run(
      statement.database,
      statement.statement,
      statement.purpose ?? summarize(statement.statement),
    );
    return (result.rowsAffected ?? []).reduce((n, r) => n + r, 0);
  }

  async query(database: string, sql: string): Promise<Record<string, unknown>[]> {
    const result = await this.run(database, sql, `query: ${summarize(sql)}`);
    return (result.recordset ?? []).map((row) => ({ ...row }));
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.then((pool) => pool.close()).catch(() => undefined)));
  }

  private run(
    database: string,
    text: string,
    purpose: string,
  ): Promise<Mssql.IResult<Record<string, unknown>>> {
    let lastKind: SqlErrorKind = "fatal";
    let lastMessage = "";
    const waitedFor = new Set<SqlErrorKind>();
    return retry(
      async () => {
        this.lastServerError.delete(database);
        try {
          const pool = await this.pool(database);
          return { ok: true, value: await pool.request().batch<Record<string, unknown>>(text) };
        } catch (error) {
          if (error instanceof SynapseSqlError) throw error;
          const facts = sqlErrorFacts(error);
          if (facts.code === "ELOGIN" && facts.number === undefined) {
            facts.number = this.lastServerError.get(database);
          }
          const kind = classifySqlError(facts);
          // A fresh connection for the retry, never the one that failed (Azure SQL connectivity guidance).
          if (kind === "connection" || kind === "transient") await this.forget(database);
          // Our own sessions in the database being dropped count as "in use": close them first.
          if (kind === "database-in-use") await this.forgetAllBut(database);
          lastKind = kind;
          lastMessage = facts.message;
          return {
            ok: false,
            budget: budgetOf(
              kind,
              {
                "storage-permission": this.options.freshGrantsUntil,
                firewall: this.options.freshFirewallUntil,
              },
              this.clock.now(),
            ),
            reason: facts.message,
            error: ({ attempts }) =>
              this.failure(kind, facts, purpose, database, attempts, waitedFor.has(kind)),
          };
        }
      },
      this.policy,
      {
        clock: this.clock,
        onRetry: (wait) => {
          if (wait.budget === "window") waitedFor.add(lastKind);
          this.options.onRetry?.({
            purpose,
            database,
            attempt: wait.attempt,
            delayMs: wait.delayMs,
            kind: lastKind,
            message: lastMessage,
          });
        },
      },
    );
  }

  private failure(
    kind: SqlErrorKind,
    facts: SqlErrorFacts,
    purpose: string,
    database: string,
    attempts: number,
    /** This statement waited for a new grant or rule to apply (its window). */
    waited: boolean,
  ): SynapseSqlError {
    const failed = `Synapse SQL statement "${purpose}" in database [${database}] failed`;
    const after = attempts > 1 ? ` after ${attempts} attempts` : "";
    const cause =
      facts.number !== undefined
        ? ` with error ${facts.number}`
        : facts.code !== undefined
          ? ` with ${facts.code}`
          : "";
    const said = `${failed}${after}${cause}: ${sentence(facts.message)}`;
    let message: string;
    switch (kind) {
      case "storage-permission": {
        const account =
          storageAccountInMessage(facts.message) ??
          this.options.storageAccount ??
          "the export's lake";
        const until = this.options.freshGrantsUntil;
        const waitedText = waited
          ? ` Waited until ${new Date(until!).toISOString()} for a new grant to apply.`
          : until !== undefined
            ? ` The stack's grants were made long enough ago to have applied (by ${new Date(until).toISOString()}): the assignment is missing or was removed.`
            : " If the grant was made minutes ago, role assignments can take up to 10 minutes to apply: run again then.";
        // Pass-through: serverless reads the lake as the caller, here the identity running the export.
        message =
          `${said} Serverless SQL reads the lake as the signed-in identity that runs the export, which needs ` +
          `Storage Blob Data Contributor on storage account ${account} (the same role it writes the lake with).${waitedText}`;
        break;
      }
      case "firewall": {
        const address = /IP address '([^']+)'/.exec(facts.message)?.[1];
        const until = this.options.freshFirewallUntil;
        const waitedText = waited
          ? ` Waited until ${new Date(until!).toISOString()} for a new rule to apply.`
          : " A rule made minutes ago can take up to five minutes to apply: run again then.";
        message =
          `${said} The workspace firewall does not let this machine in: add a rule for ${address ?? "its public address"} ` +
          "(connection.workspace.create.firewallRules for a workspace the stack creates, else the workspace's Networking page).";
        message += waitedText;
        break;
      }
      case "transient":
        message = `${said} The serverless SQL endpoint kept reporting a transient error; run again later.`;
        break;
      case "database-in-use": {
        const name = /database "([^"]+)"/.exec(facts.message)?.[1] ?? database;
        message =
          `${said} Sessions are still connected to database ${name}: whoever is connected (readers' queries, ` +
          "SQL tools, notebooks, Power BI) must disconnect before it can be dropped; run again once they have.";
        break;
      }
      case "connection":
        message = `${said} Check that ${this.server}:${this.options.port ?? 1433} is reachable from here (the workspace's firewall rules).`;
        break;
      case "credential":
        message = `${failed}: no Entra ID access token for the SQL endpoint (scope https://database.windows.net/.default): ${sentence(facts.message)} Sign in with 'az login', or run with a managed identity or service principal.`;
        break;
      default:
        message = [said, FATAL_HINTS[facts.number ?? -1]].filter(Boolean).join(" ");
    }
    return new SynapseSqlError(
      message,
      purpose,
      database,
      kind,
      attempts,
      facts.number,
      facts.code,
      facts.message,
    );
  }

  private pool(database: string): Promise<Mssql.ConnectionPool> {
    let pool = this.pools.get(database);
    if (!pool) {
      const opening = this.open(database);
      pool = opening;
      this.pools.set(database, opening);
      opening.catch(() => {
        if (this.pools.get(database) === opening) this.pools.delete(database);
      });
    }
    return pool;
  }

  /** Close every pool but one: our own sessions must not keep a database we drop "in use". */
  private async forgetAllBut(database: string): Promise<void> {
    for (const other of [...this.pools.keys()]) {
      if (other !== database) await this.forget(other);
    }
  }

  /** Drop a pool whose connection was lost, so the next try signs in afresh. */
  private async forget(database: string): Promise<void> {
    const pool = this.pools.get(database);
    this.pools.delete(database);
    await pool?.then((p) => p.close()).catch(() => undefined);
  }

  private async open(database: string): Promise<Mssql.ConnectionPool> {
    const sql = require("mssql") as typeof Mssql;
    const connectTimeout = this.options.connectTimeoutMs ?? 30_000;
    const requestTimeout = this.options.requestTimeoutMs ?? 10 * 60_000;
    const pool = new sql.ConnectionPool({
      server: this.server,
      port: this.options.port ?? 1433,
      database,
      connectionTimeout: connectTimeout,
      requestTimeout,
      options: {
        encrypt: this.options.encrypt ?? true,
        trustServerCertificate: false,
        connectTimeout,
        requestTimeout,
        // The retry policy lives in run(), one place with one backoff and one attempt count.
        maxRetriesOnTransientErrors: 0,
      },
      authentication: {
        type: "token-credential",
        options: { credential: this.options.credential ?? getAzureCredential() },
      },
      // One statement at a time per database: one connection is all a run needs.
      pool: { max: 1, min: 0, idleTimeoutMillis: 30_000 },
      // Checks the socket instead of sending `SELECT 1` before every statement.
      validateConnection: "socket",
      beforeConnect: (connection) => {
        connection.on("errorMessage", (token: { number: number }) => {
          this.lastServerError.set(database, token.number);
        });
      },
    } as Mssql.config);
    // tedious reports a socket lost between requests here; the next request fails and reconnects.
    pool.on("error", () => undefined);
    try {
      await pool.connect();
      if (!this.editionVerified) await this.verifyEngineEdition(pool, database);
      return pool;
    } catch (error) {
      await pool.close().catch(() => undefined);
      throw error;
    }
  }

  private async verifyEngineEdition(pool: Mssql.ConnectionPool, database: string): Promise<void> {
    const result = await pool
      .request()
      .batch<{ EngineEdition: number }>("SELECT SERVERPROPERTY('EngineEdition') AS EngineEdition");
    const edition = Number(result.recordset?.[0]?.EngineEdition);
    if (edition !== SERVERLESS_ENGINE_EDITION) {
      const what = ENGINE_EDITIONS[edition] ?? "not a serverless SQL endpoint";
      const serverless = `${this.options.workspace || "<workspace>"}-ondemand.sql.azuresynapse.net`;
      throw new SynapseSqlError(
        `${this.server} is ${what} (EngineEdition ${edition}); synapse-export targets the serverless SQL endpoint ${serverless}. ` +
          "Point the export at the workspace's serverless (-ondemand) endpoint.",
        "check the SQL endpoint is serverless",
        database,
        "not-serverless",
        1,
      );
    }
    this.editionVerified = true;
  }
}
