// The local SQL target: one DuckDB file per export database at `<dir>/<databaseName>.duckdb`, so a
// renamed export database gets a new file and the old one keeps answering with its old data, as the
// seed says of a new database name in Synapse.
//
// DuckDB lets one process at a time open a file for writing. The file is therefore opened for each
// batch of statements and closed (checkpointed) right after, never held between them: a run holds it
// only while it switches views, inside its export lock, so the next run never finds it still held
// after the lock is released, and a `pulumi up` or a reader that opens the file between two batches
// is not refused. When another process does hold it, the batch waits for it, up to `busyWaitMs`.

import { ExportError } from "../../errors";
import * as fs from "node:fs";
import * as path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { SqlStatement } from "../../plan/sqlStatement";
import type { SqlExecutor } from "./sqlExecutor";

export function localDatabaseFile(dir: string, database: string): string {
  return path.join(dir, `${database}.duckdb`);
}

export interface LocalSqlOptions {
  /** How long a batch waits for a database file another process has open; default 30 s. */
  busyWaitMs?: number;
}

const DEFAULT_BUSY_WAIT_MS = 30_000;

export class LocalSql implements SqlExecutor {
  private readonly busyWaitMs: number;

  constructor(
    private readonly dir: string,
    options: LocalSqlOptions = {},
  ) {
    this.busyWaitMs = options.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS;
  }

  async execute(statements: readonly SqlStatement[]): Promise<void> {
    // `master` holds nothing locally: the database file is created when first opened.
    const batches: { database: string; statements: SqlStatement[] }[] = [];
    for (const s of statements) {
      if (s.database === "master") continue;
      const last = batches[batches.length - 1];
      if (last?.database === s.database) last.statements.push(s);
      else batches.push({ database: s.database, statements: [s] });
    }
    for (const batch of batches) {
      await this.withConnection(batch.database, async (connection) => {
        for (const s of batch.statements) {
          try {
            await connection.run(s.statement);
          } catch (error) {
            throw new ExportError(
              "sql",
              `Local database ${s.database}: could not ${s.purpose ?? "run a statement"}: ${(error as Error).message}`,
              { cause: error },
            );
          }
        }
      });
    }
  }

  async query(database: string, sql: string): Promise<Record<string, unknown>[]> {
    return this.withConnection(database, async (connection) => {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    });
  }

  /** One statement; the rows it reports (DuckDB's COPY answers with one row, its Count). */
  async executeCounting(s: SqlStatement): Promise<number> {
    return this.withConnection(s.database, async (connection) => {
      try {
        const reader = await connection.runAndReadAll(s.statement);
        const [row] = reader.getRows();
        const count = Number(row?.[0]);
        if (!Number.isSafeInteger(count))
          throw new Error(`it reported no row count (${String(row?.[0])})`);
        return count;
      } catch (error) {
        throw new ExportError(
          "sql",
          `Local database ${s.database}: could not ${s.purpose ?? "run a statement"}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    });
  }

  /** Nothing is held between batches. */
  async close(): Promise<void> {}

  private async withConnection<T>(
    database: string,
    work: (connection: DuckDBConnection) => Promise<T>,
  ): Promise<T> {
    const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
    fs.mkdirSync(this.dir, { recursive: true });
    const file = localDatabaseFile(this.dir, database);
    const deadline = Date.now() + this.busyWaitMs;
    let instance;
    for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
      try {
        // Views only: no data is stored in the file, so the default memory settings are never stressed.
        instance = await DuckDBInstance.create(file, {
          autoinstall_known_extensions: "false",
          autoload_known_extensions: "true",
        });
        break;
      } catch (error) {
        const message = (error as Error).message;
        if (!/could not set lock on file/i.test(message)) {
          throw new ExportError(
            "sql",
            `Local database ${database}: could not open ${file}: ${message}`,
            { cause: error },
          );
        }
        if (Date.now() >= deadline) {
          throw new ExportError(
            "sql",
            `Local database ${database}: the file ${file} stayed open in another process for ` +
              `${Math.round(this.busyWaitMs / 1000)} s (${message}). Close the program that holds ` +
              `it (a DuckDB shell, a notebook) or wait for the other export, and run again.`,
            { cause: error },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
    try {
      const connection = await instance.connect();
      try {
        return await work(connection);
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
  }
}
