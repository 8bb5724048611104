// The local SQL target: one DuckDB file per export database at `<dir>/<databaseName>.duckdb`, so a
// renamed export database gets a new file and the old one keeps answering with its old data, as the
// seed says of a new database name in Synapse.

import * as fs from "node:fs";
import * as path from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { SqlStatement } from "../../plan/sqlStatement";
import type { SqlExecutor } from "./sqlExecutor";

export function localDatabaseFile(dir: string, database: string): string {
  return path.join(dir, `${database}.duckdb`);
}

export class LocalSql implements SqlExecutor {
  private readonly open = new Map<
    string,
    { instance: DuckDBInstance; connection: DuckDBConnection }
  >();

  constructor(private readonly dir: string) {}

  async execute(statements: readonly SqlStatement[]): Promise<void> {
    for (const s of statements) {
      // `master` holds nothing locally: the database file is created when first opened.
      if (s.database === "master") continue;
      const connection = await this.connect(s.database);
      try {
        await connection.run(s.statement);
      } catch (error) {
        throw new Error(
          `Local database ${s.database}: could not ${s.purpose ?? "run a statement"}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  }

  async query(database: string, sql: string): Promise<Record<string, unknown>[]> {
    const connection = await this.connect(database);
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  async close(): Promise<void> {
    for (const { instance, connection } of this.open.values()) {
      connection.closeSync();
      instance.closeSync();
    }
    this.open.clear();
  }

  private async connect(database: string): Promise<DuckDBConnection> {
    const existing = this.open.get(database);
    if (existing) return existing.connection;
    const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
    fs.mkdirSync(this.dir, { recursive: true });
    // Views only: no data is stored in the file, so the default memory settings are never stressed.
    const instance = await DuckDBInstance.create(localDatabaseFile(this.dir, database), {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "true",
    });
    const connection = await instance.connect();
    this.open.set(database, { instance, connection });
    return connection;
  }
}
