// Transient errors are retried the way Microsoft's drivers retry them: the numbers of
// Microsoft.Data.SqlClient's default transient list, each on a fresh connection ("freshly establish
// the connection. Then retry the command", Azure SQL connectivity guidance), and DROP DATABASE while
// sessions are connected (3702) waited out within the bound, then explained.

import { expect } from "chai";
import { SynapseSql, SynapseSqlError } from "../../src/engine/sql/synapseSql";
import type { SqlStatement } from "../../src/plan/sqlStatement";
import { TRANSIENT_SQL_ERRORS } from "../servers/tds/faults";
import { TdsTestServer } from "../servers/tds/tdsTestServer";

const VIEW: SqlStatement = {
  database: "exportdb",
  statement: "CREATE OR ALTER VIEW [dbo].[Customer] AS SELECT 1 AS one",
  purpose: "point the view",
};
const DROP: SqlStatement = {
  database: "master",
  statement: "IF DB_ID(N'exportdb') IS NOT NULL\n    DROP DATABASE [exportdb]",
  purpose: "drop the export database exportdb (onEntityRemoved: drop)",
};
const IN_USE = {
  number: 3702,
  message: 'Cannot drop database "exportdb" because it is currently in use.',
  class: 16,
};

describe("SynapseSql retries transient errors on a fresh connection", function () {
  this.timeout(20_000);
  let server: TdsTestServer;
  const clients: SynapseSql[] = [];

  const client = (maxAttempts = 4) => {
    const sql = new SynapseSql({
      workspace: "testws",
      server: "127.0.0.1",
      port: server.port,
      encrypt: false,
      connectTimeoutMs: 3_000,
      requestTimeoutMs: 3_000,
      retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 2 },
      credential: {
        getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }),
      },
    });
    clients.push(sql);
    return sql;
  };

  beforeEach(async () => {
    server = await TdsTestServer.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server.close();
  });

  // The numbers Microsoft.Data.SqlClient retries by default, beside Azure SQL's own list.
  for (const number of [4060, 40143, 40540, 10928, 10929, 1205, 1222]) {
    it(`retries error ${number} once more, on a new connection`, async () => {
      const error = TRANSIENT_SQL_ERRORS.find((e) => e.number === number);
      expect(error, `a message for ${number} in faults.ts`).to.not.equal(undefined);
      server.answer(/CREATE OR ALTER VIEW/, { error: error! }, 1);

      await client().execute([VIEW]);

      const tries = server.batches.filter((b) => b.text === VIEW.statement);
      expect(tries.map((b) => b.outcome)).to.deep.equal(["error", "ok"]);
      expect(tries[0].errorNumber).to.equal(number);
      expect(tries[1].connection, "the retry's connection").to.not.equal(tries[0].connection);
    });
  }

  it("retries a login refused with 4060 (database not available yet)", async () => {
    server.failLogins(
      TRANSIENT_SQL_ERRORS.find((e) => e.number === 4060)!,
      1,
    );

    await client().execute([VIEW]);

    expect(server.logins.map((l) => l.failedWith)).to.deep.equal([4060, undefined, undefined]);
    expect(server.statements().filter((s) => s.text === VIEW.statement)).to.have.length(1);
  });

  it("waits out 3702 on DROP DATABASE, closing its own sessions first, and drops once they are gone", async () => {
    server.answer(/DROP DATABASE/, { error: IN_USE }, 2);
    const sql = client();
    await sql.execute([VIEW]);
    const toExportdb = () => server.logins.filter((l) => l.database === "exportdb").length;
    const before = toExportdb();

    await sql.execute([DROP]);

    const tries = server.batches.filter((b) => b.text === DROP.statement);
    expect(tries.map((b) => b.outcome)).to.deep.equal(["error", "error", "ok"]);
    // The connection to exportdb was closed at the first 3702: only master's stays open, and the
    // next statement in exportdb signs in again.
    expect(server.openConnections).to.equal(1);
    await sql.execute([VIEW]);
    expect(toExportdb()).to.be.greaterThan(before);
  });

  it("after the bound, says that whoever is connected to the database must disconnect", async () => {
    server.answer(/DROP DATABASE/, { error: IN_USE });

    const error = await client(3)
      .execute([DROP])
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(error).to.be.instanceOf(SynapseSqlError);
    const failure = error as SynapseSqlError;
    expect(failure.number).to.equal(3702);
    expect(failure.attempts).to.equal(3);
    expect(failure.message).to.contain(
      'Synapse SQL statement "drop the export database exportdb (onEntityRemoved: drop)" in database [master] failed after 3 attempts with error 3702',
    );
    expect(failure.message).to.contain(
      "Sessions are still connected to database exportdb: whoever is connected (readers' queries, SQL tools, notebooks, Power BI) must disconnect before it can be dropped",
    );
    expect(server.batches.filter((b) => b.text === DROP.statement)).to.have.length(3);
  });
});
