// The two targets an export runs against, each a lake plus a SQL view publisher over the same plan:
// local (a directory and DuckDB files) and Azure (ADLS Gen2 and Synapse serverless SQL).

import * as fs from "node:fs";
import * as path from "node:path";
import { azureDataSourceLocation, checkAzureSpec, dfsEndpoint } from "../plan/exportPlan";
import { serverlessLimitIssues } from "../plan/serverlessLimits";
import { duckdbPathProblem } from "../plan/duckdbPath";
import { lakeLocationOf } from "../plan/lakeSource";
import { entityFolder } from "../plan/lakeLayout";
import { renderDuckdb } from "../plan/renderDuckdb";
import { renderTsql } from "../plan/renderTsql";
import { planSqlLogins, type SqlLogin } from "../plan/sqlAccess";
import { planDropDatabase, type SqlStep } from "../plan/sqlPlan";
import type { LakeLocation } from "../plan/lakeLocation";
import type { Spec } from "../spec/types";
import { ExportError } from "../errors";
import { SpecError } from "../spec/specError";
import type { TargetSpec } from "../plan/specSlices";
import type { TargetRef } from "../plan/exportResources";
import type { SqlStatement } from "../plan/sqlStatement";
import type { LakeStore } from "./lake/lakeStore";
import type { AdlsGen2LakeOptions } from "./lake/adlsGen2Lake";
import type { SynapseSqlOptions, SynapseSqlRetry } from "./sql/synapseSql";
import type { ViewPublisher } from "./viewPublisher";
import type { ServerSideExport } from "./serverSide/exportLakeEntity";
import { serverlessReadFailure } from "./serverSide/serverlessReadFailure";

export interface ExportTarget {
  kind: "local" | "azure";
  lake: LakeStore;
  views: ViewPublisher;
  /** Where the database lives, for messages: a DuckDB file or the serverless endpoint. */
  databaseLocation: string;
  /** Removes the export database itself (only with `onEntityRemoved: drop`). */
  dropDatabase(): Promise<void>;
  /** Azure: lake-resident entities exported by serverless SQL (CETAS); pass it to runExport. */
  serverSide?: ServerSideExport;
}

/** `<dir>/<container>/<databaseName>/...` for the lake and `<dir>/<databaseName>.duckdb` for the database. */
export function localTarget(spec: TargetSpec, dir: string): ExportTarget {
  // The local target stands in for Azure: columns serverless could not read fail here as they
  // would there, before anything is written (a `format: csv` string above 2000 characters).
  const limits = serverlessLimitIssues(spec);
  if (limits.length > 0) throw new SpecError(limits);
  const { LocalLake } = require("./lake/localLake") as typeof import("./lake/localLake");
  const { LocalSql, localDatabaseFile } =
    require("./sql/localSql") as typeof import("./sql/localSql");
  const { SqlViewPublisher } =
    require("./views/sqlViewPublisher") as typeof import("./views/sqlViewPublisher");
  const root = path.resolve(dir);
  const lake = new LocalLake(root, spec.connection.storage.container);
  // The views read the lake through DuckDB: a root it cannot read exactly fails now, not at publish.
  const unreadable = duckdbPathProblem(lake.root);
  // The folder the user named is the problem: the command line's (usage), not the lake's.
  if (unreadable !== undefined) throw new ExportError("usage", `--local ${dir}: ${unreadable}.`);
  // DuckDB takes a `?` in a database file's path for the start of its options: the database's
  // write-ahead log went to `<before ?>.wal?<after>`, and the first commit failed.
  if (root.includes("?")) {
    throw new ExportError(
      "usage",
      `--local ${dir}: DuckDB cannot keep its database file in a folder whose path has a '?'; choose another folder.`,
    );
  }
  // A lake source's glob is read below the folder: with a wildcard in it, DuckDB splits the path at
  // a backslash too (plan/duckdbPath.ts), and would read another folder's files.
  const lakeGlob = duckdbPathProblem(`${root}/*`);
  if (lakeGlob !== undefined && spec.export.entities.some((e) => lakeLocationOf(e) !== undefined)) {
    throw new ExportError(
      "usage",
      `--local ${dir}: its path has a backslash, which DuckDB reads as a folder separator in the lake sources' globs below it; choose a folder without one.`,
    );
  }
  const database = spec.export.databaseName;
  const sql = new LocalSql(root);
  const { renderLocalLakeCheck, renderLocalLakeExport } =
    require("./serverSide/localLakeStatements") as typeof import("./serverSide/localLakeStatements");
  const duckdb = { database, lakeRoot: lake.root };
  const local = {
    ...duckdb,
    localDir: root,
    isFile: (relative: string) =>
      fs.statSync(path.join(root, ...relative.split("/")), { throwIfNoEntry: false })?.isFile() ??
      false,
  };
  // A lake source's check and export use the runner's strict casts (engine), the rest the plan's.
  const render = (steps: readonly SqlStep[]): SqlStatement[] =>
    steps.flatMap((s) =>
      s.step === "checkLakeSource"
        ? [renderLocalLakeCheck(s, local)]
        : s.step === "exportLakeSource"
          ? [renderLocalLakeExport(s, local)]
          : renderDuckdb([s], duckdb),
    );
  const views = new SqlViewPublisher(sql, render, spec.export.format);
  const file = localDatabaseFile(root, database);
  const {
    checkLocalQuoting,
    listLocalContainer,
    localReadFailure,
    readLocalSourceRange,
    readLocalSourceText,
  } = require("./serverSide/localLakeSource") as typeof import("./serverSide/localLakeSource");
  return {
    kind: "local",
    lake,
    views,
    // Lake-resident entities run the same server-side steps as on Azure, DuckDB standing in for
    // serverless SQL, over DIR/<container>/<path> (localLakeSource.ts: stat where Azure has ETags).
    serverSide: {
      sql: {
        query: (db, text) => sql.query(db, text),
        execute: (statements) => sql.execute(statements),
        // DuckDB's COPY creates the snapshot's folder but not its parents (the entity's folder).
        executeCounting: async (statement) => {
          for (const e of spec.export.entities) {
            fs.mkdirSync(path.join(lake.root, ...entityFolder(database, e.name).split("/")), {
              recursive: true,
            });
          }
          return sql.executeCounting(statement);
        },
      },
      render,
      // A Parquet lake source keeps the runner's path here (its typed Parquet read and checks): the
      // local server-side steps read CSV, as a model.json's partitions are.
      runs: (entity) => entity.source.format !== "parquet",
      // Every CSV source: besides serverless's checks the local one holds every column to the 8000
      // bytes serverless reads (localLakeStatements.ts), so it always has a column to count.
      needsCheck: () => true,
      listContainer: (location, folder) => listLocalContainer(root, location, folder),
      readSourceText: (location) => readLocalSourceText(root, location),
      readSourceRange: (file, offset, count) =>
        readLocalSourceRange(root, file.location, offset, count, file.etag),
      readFailure: (entity, files, error) => localReadFailure(root, entity, files, error),
      checkSourceText: (source, files) => checkLocalQuoting(root, source, files),
    },
    databaseLocation: file,
    dropDatabase: async () => {
      await views.close();
      for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
    },
  };
}

/**
 * Whose database users the target keeps in step: these logins (readers no longer named lose their
 * user), or `leave`, which touches no reader (an entity's resource: readers are the database's).
 */
export type ReaderLogins = readonly SqlLogin[] | "leave";

/**
 * excludeDirs): the local lake's container folder, as the run excludes it (exportEntity). An Azure
 * target writes nothing here.
 */
export function ownTargetDirs(spec: TargetSpec, ref: TargetRef): string[] {
  if (ref.kind !== "local") return [];
  const { LocalLake } = require("./lake/localLake") as typeof import("./lake/localLake");
  return [new LocalLake(path.resolve(ref.dir), spec.connection.storage.container).localRoot];
}

/** The target a serializable reference names (what the dynamic providers get as input). */
export function targetFor(
  spec: TargetSpec,
  ref: TargetRef,
  options: Pick<
    AzureTargetOptions,
    "freshGrantsUntil" | "freshFirewallUntil" | "onSqlRetry" | "onLakeGrantWait"
  > & {
    readers: ReaderLogins;
  },
): ExportTarget {
  if (ref.kind === "local") return localTarget(spec, ref.dir);
  return azureTargetWith(spec, options.readers, {
    lakeAccountUrl: ref.lakeAccountUrl,
    sqlServer: ref.sqlServer,
    sqlPort: ref.sqlPort,
    sqlEncrypt: ref.sqlEncrypt,
    freshGrantsUntil: options.freshGrantsUntil,
    freshFirewallUntil: options.freshFirewallUntil,
    onSqlRetry: options.onSqlRetry,
    onLakeGrantWait: options.onLakeGrantWait,
  });
}

export interface AzureTargetOptions {
  /** Override the dfs endpoint (tests: a loopback server, path-style `http://127.0.0.1:PORT/<account>`). */
  lakeAccountUrl?: string;
  /** Override the serverless SQL endpoint (tests: a loopback TDS server). */
  sqlServer?: string;
  sqlPort?: number;
  sqlEncrypt?: boolean;
  /**
   * Epoch ms until which storage-permission errors are waited out (fresh role assignments): serverless
   * SQL's reading the lake, and the lake's own 403 AuthorizationPermissionMismatch.
   */
  freshGrantsUntil?: number;
  /** Epoch ms until which serverless SQL's firewall refusal (40615) is waited out (a fresh rule). */
  freshFirewallUntil?: number;
  /** Hears each lake request's wait for a fresh grant before it. */
  onLakeGrantWait?: AdlsGen2LakeOptions["onGrantWait"];
  /** Hears each SQL retry before its wait (progress: a storage-permission wait can last minutes). */
  onSqlRetry?: SynapseSqlOptions["onRetry"];
  /** An extra certificate authority (PEM) the lake's HTTPS client trusts: a TLS-inspecting proxy, a private CA, a test server. */
  lakeTrustedCaPem?: string;
  /**
   * Retries of each lake request (500, 503, lost connections; 429 after its Retry-After). Default the
   * SDK's: maxTries 4, retryDelayInMs 4 s, maxRetryDelayInMs 120 s.
   */
  lakeRetry?: { maxTries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /**
   * The dfs endpoint of each storage account a lake-resident source lives in, by account name (tests:
   * loopback servers); default `https://<account>.dfs.<suffix>`, and lakeAccountUrl for the export's own.
   */
  lakeSourceAccountUrls?: Record<string, string>;
  /** The longest one try of one lake request waits for an answer; default 120 s. */
  lakeRequestTimeoutMs?: number;
  /** The longest a SQL login may take; default 30 s. */
  sqlConnectTimeoutMs?: number;
  /** The longest one SQL batch may run; default 10 min. */
  sqlRequestTimeoutMs?: number;
  /** Retries of each SQL statement (transient errors, lost connections); default 6 attempts, 1 s doubling to 30 s. */
  sqlRetry?: Partial<SynapseSqlRetry>;
}

export function azureTarget(spec: Spec, options: AzureTargetOptions = {}): ExportTarget {
  // Readers without a login name, or columns serverless cannot read, fail before anything is written.
  checkAzureSpec(spec);
  return azureTargetWith(spec, planSqlLogins(spec), options);
}

/** The Azure target of a spec's share (see specSlices.ts), keeping `readers` in step. */
function azureTargetWith(
  spec: TargetSpec,
  readers: ReaderLogins,
  options: AzureTargetOptions,
): ExportTarget {
  // Columns serverless cannot read fail before anything is written (logins were checked by whoever
  // listed them: planSqlLogins throws on a reader without a login name).
  const limits = serverlessLimitIssues(spec);
  if (limits.length > 0) throw new SpecError(limits);
  const { AdlsGen2Lake } = require("./lake/adlsGen2Lake") as typeof import("./lake/adlsGen2Lake");
  const { SynapseSql } = require("./sql/synapseSql") as typeof import("./sql/synapseSql");
  const { SqlViewPublisher } =
    require("./views/sqlViewPublisher") as typeof import("./views/sqlViewPublisher");
  const { accountName, container } = spec.connection.storage;
  const workspace = spec.connection.workspace.name;
  const database = spec.export.databaseName;
  const lake = new AdlsGen2Lake({
    accountName,
    container,
    accountUrl: options.lakeAccountUrl ?? dfsEndpoint(accountName),
    trustedCaPem: options.lakeTrustedCaPem,
    retryOptions: options.lakeRetry,
    requestTimeoutMs: options.lakeRequestTimeoutMs,
    freshGrantsUntil: options.freshGrantsUntil,
    onGrantWait: options.onLakeGrantWait,
  });
  const sql = new SynapseSql({
    workspace,
    server: options.sqlServer,
    port: options.sqlPort,
    encrypt: options.sqlEncrypt,
    freshGrantsUntil: options.freshGrantsUntil,
    freshFirewallUntil: options.freshFirewallUntil,
    connectTimeoutMs: options.sqlConnectTimeoutMs,
    requestTimeoutMs: options.sqlRequestTimeoutMs,
    retry: options.sqlRetry,
    onRetry: options.onSqlRetry,
  });
  const render = (steps: readonly SqlStep[]) =>
    renderTsql(steps, { database, dataSourceLocation: azureDataSourceLocation(spec) });
  const views = new SqlViewPublisher(sql, render, spec.export.format, readers);
  // A source's container is listed (never read) as the identity running the export, by its own client.
  const sourceLakes = new Map<string, InstanceType<typeof AdlsGen2Lake>>();
  const sourceLake = (location: LakeLocation) => {
    const key = `${location.account}/${location.container}`;
    let source = sourceLakes.get(key);
    if (!source) {
      source = new AdlsGen2Lake({
        accountName: location.account,
        container: location.container,
        accountUrl:
          options.lakeSourceAccountUrls?.[location.account] ??
          (location.account === accountName ? options.lakeAccountUrl : undefined) ??
          `https://${location.account}.dfs.${location.suffix}`,
        trustedCaPem: options.lakeTrustedCaPem,
        retryOptions: options.lakeRetry,
        requestTimeoutMs: options.lakeRequestTimeoutMs,
        // A grant of this deploy covers only the export's own account: on another account the
        // grants are made by hand (plan/lakeSourceGrants.ts), so a 403 there is not waited for.
        ...(location.account === accountName
          ? { freshGrantsUntil: options.freshGrantsUntil, onGrantWait: options.onLakeGrantWait }
          : {}),
      });
      sourceLakes.set(key, source);
    }
    return source;
  };
  return {
    kind: "azure",
    lake,
    views,
    serverSide: {
      sql,
      render,
      listContainer: (location, folder) => sourceLake(location).list(folder),
      readSourceText: (location) => sourceLake(location).readText(location.path),
      readSourceRange: (file, offset, count) =>
        sourceLake(file.location).readRange(file.location.path, offset, count, file.etag),
      readFailure: (entity, files, error) =>
        Promise.resolve(serverlessReadFailure(entity, files, error)),
    },
    dropDatabase: () =>
      sql.execute(
        renderTsql(planDropDatabase(), {
          database,
          dataSourceLocation: azureDataSourceLocation(spec),
        }),
      ),
    databaseLocation: `${options.sqlServer ?? `${workspace}-ondemand.sql.azuresynapse.net`}/${database}`,
  };
}
