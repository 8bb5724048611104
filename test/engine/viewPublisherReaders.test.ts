// Whose database users a view publisher keeps in step. The export database resource passes the
// spec's readers: a user of our role the spec no longer names is dropped. An entity table passes
// `leave` (it keeps no reader in its state): it must neither add nor drop anyone, or refreshing an
// entity would remove every reader the database had just added. Run on a recording executor with the
// Synapse rendering; the step names are the SQL plan's (sqlPlan.ts), read off each statement's purpose.

import { expect } from "chai";
import { SqlViewPublisher } from "../../src/engine/views/sqlViewPublisher";
import type { SqlExecutor } from "../../src/engine/sql/sqlExecutor";
import { renderTsql } from "../../src/plan/renderTsql";
import type { SqlLogin } from "../../src/plan/sqlAccess";
import type { SqlStatement } from "../../src/plan/sqlStatement";

class RecordingExecutor implements SqlExecutor {
  executed: SqlStatement[] = [];
  queries: string[] = [];
  constructor(private readonly members: string[]) {}
  async execute(statements: readonly SqlStatement[]): Promise<void> {
    this.executed.push(...statements);
  }
  async query(_database: string, sql: string): Promise<Record<string, unknown>[]> {
    this.queries.push(sql);
    // Users this export made carry its marker (`ours`), the only ones it may drop.
    return this.members.map((name) => ({ name, ours: 1 }));
  }
  async close(): Promise<void> {}
}

const ANALYSTS: SqlLogin = {
  name: "analysts",
  objectId: "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60",
  type: "Group",
  sid: "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60",
  as: "reader",
};

function publisher(executor: SqlExecutor, logins: readonly SqlLogin[] | "leave") {
  return new SqlViewPublisher(
    executor,
    (steps) =>
      renderTsql(steps, {
        database: "ci_export",
        dataSourceLocation: "https://stciexport.dfs.core.windows.net/ci-export/ci_export",
      }),
    "parquet",
    logins,
  );
}

const mentions = (statements: SqlStatement[], name: string) =>
  statements.filter((s) => s.statement.includes(name));

describe("view publisher: whose users it keeps in step", () => {
  it("with the spec's readers: creates theirs and drops a user the spec no longer names", async () => {
    const executor = new RecordingExecutor(["analysts", "former-analyst"]);
    await publisher(executor, [ANALYSTS]).prepareDatabase();
    expect(executor.queries).to.have.length(1);
    expect(mentions(executor.executed, "[analysts]")).to.not.deep.equal([]);
    expect(mentions(executor.executed, "former-analyst")).to.not.deep.equal([]);
  });

  it("with leave: prepares the database, lists no member and touches no user", async () => {
    const executor = new RecordingExecutor(["analysts", "former-analyst"]);
    await publisher(executor, "leave").prepareDatabase();
    expect(executor.queries, "no role members listed").to.deep.equal([]);
    expect(mentions(executor.executed, "analysts")).to.deep.equal([]);
    expect(mentions(executor.executed, "former-analyst")).to.deep.equal([]);
    expect(mentions(executor.executed, "CREATE DATABASE")).to.not.deep.equal([]);
  });
});
