// Runs the statements of an SQL plan against one target: Synapse serverless SQL or a local DuckDB file.

import type { SqlStatement } from "../../plan/sqlStatement";

export interface SqlExecutor {
  /** Runs each statement in order, each in its own batch, in the database it names. */
  execute(statements: readonly SqlStatement[]): Promise<void>;
  /** Rows of a query in a database, as plain objects (for checks and the demo's sample query). */
  query(database: string, sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
