// SynapseSql through the real mssql driver (tedious 19) against the loopback TDS test server: what
// reaches the wire, in which database, and how errors a real serverless endpoint sends are handled.

import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { expect } from "chai";
import type { SqlStatement } from "../../src/plan/sqlStatement";
import { setAzureCredential } from "../../src/engine/azureCredential";
import {
  classifySqlError,
  sqlErrorFacts,
  storageAccountInMessage,
} from "../../src/engine/sql/sqlErrorKinds";
import { backoffDelayMs } from "../../src/engine/retry/retry";
import {
  SynapseSql,
  SynapseSqlError,
  SynapseSqlOptions,
  SynapseSqlRetryEvent,
} from "../../src/engine/sql/synapseSql";
import { TdsTestServer } from "../servers/tds/tdsTestServer";

const EDITION_CHECK = "SELECT SERVERPROPERTY('EngineEdition') AS EngineEdition";

const PLAN: SqlStatement[] = [
  {
    database: "master",
    statement:
      "IF DB_ID('exportdb') IS NULL CREATE DATABASE [exportdb] COLLATE Latin1_General_100_BIN2_UTF8",
    purpose: "create the export database",
  },
  {
    database: "exportdb",
    statement:
      "CREATE EXTERNAL DATA SOURCE [lake] WITH (LOCATION = 'https://exportlake.dfs.core.windows.net/ci-export')",
    purpose: "point the database at the lake",
  },
  {
    database: "exportdb",
    statement:
      "CREATE EXTERNAL TABLE [dbo].[Customer__v_1a2b] ([CustomerId] NVARCHAR(100)) WITH (LOCATION = 'exportdb/Customer/v=1a2b/', DATA_SOURCE = [lake], FILE_FORMAT = [parquet])",
    purpose: "create the snapshot table for Customer",
  },
  {
    database: "exportdb",
    statement: "CREATE OR ALTER VIEW [dbo].[Customer] AS SELECT * FROM [dbo].[Customer__v_1a2b]",
    purpose: "point the Customer view at snapshot 1a2b",
  },
];

const STORAGE_DENIED = {
  number: 13807,
  message:
    "Content of directory on path 'https://exportlake.dfs.core.windows.net/ci-export/exportdb/Customer/v=1a2b/' cannot be listed.",
  class: 16,
};

class RecordingCredential implements TokenCredential {
  readonly scopes: string[] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(...([] as string[]).concat(scopes));
    return { token: "entra-token-for-test", expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

describe("SynapseSql against a TDS server", function () {
  this.timeout(20_000);
  let server: TdsTestServer;
  let credential: RecordingCredential;
  let retries: SynapseSqlRetryEvent[];
  const executors: SynapseSql[] = [];

  function executor(extra: Partial<SynapseSqlOptions> = {}): SynapseSql {
    const sql = new SynapseSql({
      workspace: "testws",
      server: "127.0.0.1",
      port: server.port,
      encrypt: false,
      connectTimeoutMs: 3_000,
      requestTimeoutMs: 3_000,
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
      credential,
      onRetry: (e) => retries.push(e),
      ...extra,
    });
    executors.push(sql);
    return sql;
  }

  function timesOnWire(text: string): number {
    return server.statements().filter((s) => s.text === text).length;
  }

  async function failure(promise: Promise<unknown>): Promise<SynapseSqlError> {
    try {
      await promise;
    } catch (error) {
      expect(error).to.be.instanceOf(SynapseSqlError);
      return error as SynapseSqlError;
    }
    throw new Error("expected the run to fail");
  }

  beforeEach(async () => {
    server = await TdsTestServer.start();
    credential = new RecordingCredential();
    retries = [];
  });

  afterEach(async () => {
    await Promise.all(executors.splice(0).map((e) => e.close()));
    await server.close();
  });

  it("sends each statement as its own batch, in order, in the database it names", async () => {
    await executor().execute(PLAN);

    expect(server.statements().map(({ database, text }) => ({ database, text }))).to.deep.equal([
      { database: "master", text: EDITION_CHECK },
      ...PLAN.map(({ database, statement }) => ({ database, text: statement })),
    ]);
    expect(server.statements().some((s) => /\bBEGIN\s+TRAN/i.test(s.text))).to.equal(false);
  });

  it("runs master statements on a master connection and the rest on a connection to the database", async () => {
    await executor().execute(PLAN);

    const loginDatabase = new Map(server.logins.map((l) => [l.connection, l.database]));
    for (const s of server.statements()) {
      expect(loginDatabase.get(s.connection), s.text).to.equal(s.database);
    }
    expect(new Set(server.logins.map((l) => l.database))).to.deep.equal(
      new Set(["master", "exportdb"]),
    );
  });

  it("signs in with the Entra ID token of its credential for the SQL scope", async () => {
    await executor().execute(PLAN.slice(0, 1));

    expect(server.logins.length).to.be.greaterThan(0);
    expect(server.logins.every((l) => l.accessToken === "entra-token-for-test")).to.equal(true);
    expect(new Set(credential.scopes)).to.deep.equal(
      new Set(["https://database.windows.net/.default"]),
    );
  });

  it("uses the process-wide credential when none is given", async () => {
    const shared = new RecordingCredential();
    setAzureCredential(shared);
    try {
      await executor({ credential: undefined }).execute(PLAN.slice(0, 1));
    } finally {
      setAzureCredential(undefined);
    }
    expect(shared.scopes.length).to.be.greaterThan(0);
    expect(credential.scopes).to.deep.equal([]);
  });

  it("returns a query's rows as plain objects", async () => {
    server.answer(/FROM \[dbo\]\.\[Customer\]/, {
      rows: {
        columns: [
          { name: "CustomerId", type: "nvarchar" },
          { name: "Visits", type: "int" },
        ],
        rows: [
          ["c-1", 3],
          ["c-2", null],
        ],
      },
    });

    const rows = await executor().query("exportdb", "SELECT TOP 2 * FROM [dbo].[Customer]");

    expect(rows).to.deep.equal([
      { CustomerId: "c-1", Visits: 3 },
      { CustomerId: "c-2", Visits: null },
    ]);
    expect(server.statements().at(-1)).to.include({ database: "exportdb" });
  });

  for (const [edition, what] of [
    [6, "a dedicated SQL pool"],
    [5, "an Azure SQL Database"],
  ] as const) {
    it(`refuses an endpoint whose EngineEdition is ${edition} before running anything`, async () => {
      server.engineEdition = edition;

      const error = await failure(executor().execute(PLAN));

      expect(error.message).to.contain(`127.0.0.1 is ${what} (EngineEdition ${edition})`);
      expect(error.message).to.contain(
        "synapse-export targets the serverless SQL endpoint testws-ondemand.sql.azuresynapse.net",
      );
      expect(server.statements().map((s) => s.text)).to.deep.equal([EDITION_CHECK]);
    });
  }

  for (const transient of [
    {
      number: 40613,
      message:
        "Database 'exportdb' on server 'testws-ondemand' is not currently available. Please retry the connection later.",
    },
    { number: 49918, message: "Cannot process request. Not enough resources to process request." },
  ]) {
    it(`retries a batch that fails with transient error ${transient.number}, then goes on`, async () => {
      const table = PLAN[2].statement;
      server.answer(/CREATE EXTERNAL TABLE/, { error: { ...transient, class: 16 } }, 2);

      await executor().execute(PLAN);

      expect(timesOnWire(table)).to.equal(3);
      expect(timesOnWire(PLAN[3].statement)).to.equal(1);
      expect(retries.map((r) => [r.attempt, r.kind, r.purpose])).to.deep.equal([
        [1, "transient", "create the snapshot table for Customer"],
        [2, "transient", "create the snapshot table for Customer"],
      ]);
    });
  }

  it("gives up on a transient error after maxAttempts, saying how many", async () => {
    server.answer(/CREATE EXTERNAL TABLE/, {
      error: { number: 40501, message: "The service is currently busy.", class: 20 },
    });

    const error = await failure(
      executor({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }).execute(PLAN),
    );

    expect(timesOnWire(PLAN[2].statement)).to.equal(3);
    expect(error.message).to.contain(
      '"create the snapshot table for Customer" in database [exportdb]',
    );
    expect(error.message).to.contain("after 3 attempts");
    expect(error.attempts).to.equal(3);
    expect(timesOnWire(PLAN[3].statement)).to.equal(0);
  });

  it("retries a login refused with a transient error", async () => {
    server.failLogins(
      {
        number: 40613,
        message: "Database 'master' on server 'testws-ondemand' is not currently available.",
        class: 17,
      },
      2,
    );

    await executor().execute(PLAN);

    expect(server.logins.filter((l) => l.failedWith === 40613).length).to.equal(2);
    expect(retries.map((r) => [r.attempt, r.kind])).to.deep.equal([
      [1, "transient"],
      [2, "transient"],
    ]);
    expect(timesOnWire(PLAN[0].statement)).to.equal(1);
  });

  it("fails at once on a login refused for good", async () => {
    server.failLogins(
      {
        number: 18456,
        message: "Login failed for user '<token-identified principal>'.",
        class: 14,
      },
      5,
    );

    const error = await failure(executor().execute(PLAN));

    expect(server.logins.length).to.equal(1);
    expect(error.message).to.contain("Login failed for user '<token-identified principal>'");
    expect(error.message).to.contain('"create the export database" in database [master]');
    expect(error.number).to.equal(18456);
  });

  // The workspace firewall's refusal at login: 40615, as Azure SQL and Synapse document it
  // (learn.microsoft.com/azure/azure-sql/database/firewall-configure; the text as
  // microsoft/azure-pipelines-tasks#3981 quotes it).
  const FIREWALL = {
    number: 40615,
    message:
      "Cannot open server 'testws' requested by the login. Client with IP address '203.0.113.7' is not allowed to access the server.  To enable access, use the Windows Azure Management Portal or run sp_set_firewall_rule on the master database to create a firewall rule for this IP address or address range.  It may take up to five minutes for this change to take effect.",
    class: 14,
  };

  it("names the firewall rule to add when the workspace firewall refuses this machine, at once outside a deploy", async () => {
    server.failLogins(FIREWALL, 5);

    const error = await failure(executor().execute(PLAN));

    expect(server.logins.length).to.equal(1);
    expect(error.number).to.equal(40615);
    expect(error.message)
      .to.contain("The workspace firewall does not let this machine in: add a rule for 203.0.113.7")
      .and.contain("connection.workspace.create.firewallRules")
      .and.contain("can take up to five minutes to apply");
  });

  it("waits for a firewall rule made by the same deploy, then runs, even when the grants are long applied", async () => {
    server.failLogins(FIREWALL, 2);

    // The grants' window closed long ago; the firewall's is open: each kind keeps its own.
    await executor({
      freshGrantsUntil: Date.now() - 3_600_000,
      freshFirewallUntil: Date.now() + 10_000,
    }).execute(PLAN);

    expect(server.logins.filter((l) => l.failedWith === 40615)).to.have.length(2);
    expect(retries.map((r) => r.kind)).to.deep.equal(["firewall", "firewall"]);
    expect(timesOnWire(PLAN[0].statement)).to.equal(1);
  });

  it("does not wait for a firewall rule on a fresh grant's window alone", async () => {
    server.failLogins(FIREWALL, 5);

    const error = await failure(executor({ freshGrantsUntil: Date.now() + 10_000 }).execute(PLAN));

    expect(server.logins.length).to.equal(1);
    expect(retries).to.deep.equal([]);
    expect(error.message).to.contain("can take up to five minutes to apply: run again then");
  });

  it("reconnects when the connection drops mid-run and carries on from the statement that was lost", async () => {
    // 1: edition check, 2: CREATE DATABASE, 3: CREATE EXTERNAL DATA SOURCE.
    server.dropConnectionOnBatch(3);

    await executor().execute(PLAN);

    const texts = server.statements().map((s) => s.text);
    expect(texts).to.deep.equal([
      EDITION_CHECK,
      PLAN[0].statement,
      PLAN[1].statement,
      ...PLAN.slice(1).map((s) => s.statement),
    ]);
    const [lost, resent] = server.statements().filter((s) => s.text === PLAN[1].statement);
    expect(resent.connection).to.not.equal(lost.connection);
    expect(retries.map((r) => r.kind)).to.deep.equal(["connection"]);
  });

  it("fails at once on a syntax error, naming the statement's purpose and database", async () => {
    server.answer(/CREATE OR ALTER VIEW/, {
      error: { number: 102, message: "Incorrect syntax near 'VIEW'.", class: 15 },
    });

    const error = await failure(executor().execute(PLAN));

    expect(error.message).to.equal(
      `Synapse SQL statement "point the Customer view at snapshot 1a2b" in database [exportdb] failed with error 102: Incorrect syntax near 'VIEW'.`,
    );
    expect(error).to.include({
      purpose: "point the Customer view at snapshot 1a2b",
      database: "exportdb",
      number: 102,
    });
    expect(timesOnWire(PLAN[3].statement)).to.equal(1);
    expect(retries).to.deep.equal([]);
  });

  it("names the statement by its text when it has no purpose", async () => {
    server.answer(/DROP/, {
      error: { number: 3701, message: "Cannot drop the view 'x'.", class: 11 },
    });

    const error = await failure(
      executor().execute([{ database: "exportdb", statement: "DROP VIEW [dbo].[x]" }]),
    );

    expect(error.message).to.contain('"DROP VIEW [dbo].[x]" in database [exportdb]');
  });

  it("reports a storage permission error as the missing grant, without retrying", async () => {
    server.answer(/CREATE EXTERNAL TABLE/, { error: STORAGE_DENIED });

    const error = await failure(executor().execute(PLAN));

    expect(error.message).to.contain(STORAGE_DENIED.message);
    expect(error.message).to.contain(
      "Serverless SQL reads the lake as the signed-in identity that runs the export, which needs Storage Blob Data Contributor on storage account exportlake",
    );
    expect(timesOnWire(PLAN[2].statement)).to.equal(1);
  });

  it("names the configured storage account when the server's message does not", async () => {
    server.answer(/CREATE EXTERNAL TABLE/, {
      error: {
        number: 16562,
        message:
          "External table 'Customer__v_1a2b' is not accessible because location does not exist or it is used by another process.",
        class: 16,
      },
    });

    const error = await failure(executor({ storageAccount: "configuredlake" }).execute(PLAN));

    expect(error.message).to.contain(
      "Storage Blob Data Contributor on storage account configuredlake",
    );
  });

  it("waits out a storage permission error while the grant is fresh", async () => {
    server.answer(/CREATE EXTERNAL TABLE/, { error: STORAGE_DENIED }, 3);

    await executor({ freshGrantsUntil: Date.now() + 10_000 }).execute(PLAN);

    expect(timesOnWire(PLAN[2].statement)).to.equal(4);
    expect(retries.map((r) => r.kind)).to.deep.equal([
      "storage-permission",
      "storage-permission",
      "storage-permission",
    ]);
    expect(timesOnWire(PLAN[3].statement)).to.equal(1);
  });

  it("stops waiting for a grant once freshGrantsUntil has passed", async () => {
    server.answer(/CREATE EXTERNAL TABLE/, { error: STORAGE_DENIED });
    const started = Date.now();

    const error = await failure(
      executor({
        // Wide enough for a busy machine to make more than maxAttempts tries inside it (the window is
        // the product's wall clock: it has no clock to inject).
        freshGrantsUntil: started + 2_000,
        retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 40 },
      }).execute(PLAN),
    );

    // It ended (no clock asserted): it says it waited for the grant until the window closed.
    expect(error.message).to.contain(
      `Waited until ${new Date(started + 2_000).toISOString()} for a new grant to apply.`,
    );
    expect(timesOnWire(PLAN[2].statement)).to.be.greaterThan(2);
    expect(error.message).to.contain("Storage Blob Data Contributor on storage account exportlake");
    expect(error.message).to.contain("Waited until");
  });

  it("fails a storage permission error at once when the deploy's grants were made long ago, saying the grant is missing", async () => {
    server.answer(/CREATE EXTERNAL TABLE/, { error: STORAGE_DENIED }, 3);
    const until = Date.now() - 3_000_000;

    const error = await failure(executor({ freshGrantsUntil: until }).execute(PLAN));

    expect(timesOnWire(PLAN[2].statement)).to.equal(1);
    expect(retries).to.deep.equal([]);
    expect(error.message).to.contain(
      `The stack's grants were made long enough ago to have applied (by ${new Date(until).toISOString()}): the assignment is missing or was removed.`,
    );
    expect(error.message).not.to.contain("Waited until");
  });

  it("says so when no Entra ID token can be had", async () => {
    const noLogin: TokenCredential = {
      getToken: async () => {
        throw new Error("Please run 'az login' to set up an account.");
      },
    };

    const error = await failure(executor({ credential: noLogin }).execute(PLAN));

    expect(error.message).to.contain("no Entra ID access token for the SQL endpoint");
    expect(error.message).to.contain("Please run 'az login' to set up an account.");
    expect(error.sqlKind).to.equal("credential");
    expect(error.kind).to.equal("auth");
  });

  it("closes its connections on close()", async () => {
    const sql = executor();
    await sql.execute(PLAN);
    expect(server.openConnections).to.be.greaterThan(0);

    await sql.close();

    for (let i = 0; i < 50 && server.openConnections > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(server.openConnections).to.equal(0);
  });
});

describe("sqlErrorKinds", () => {
  it("classifies by error number first, then by driver code", () => {
    expect(classifySqlError({ number: 40613, code: "ELOGIN", message: "" })).to.equal("transient");
    expect(classifySqlError({ number: 42109, message: "" })).to.equal("transient");
    expect(classifySqlError({ number: 13822, code: "EREQUEST", message: "" })).to.equal(
      "storage-permission",
    );
    expect(classifySqlError({ number: 102, code: "EREQUEST", message: "" })).to.equal("fatal");
    expect(classifySqlError({ number: 15151, code: "EREQUEST", message: "" })).to.equal("fatal");
    expect(classifySqlError({ code: "ECONNRESET", message: "" })).to.equal("connection");
    expect(classifySqlError({ code: "ETIMEOUT", message: "" })).to.equal("connection");
    expect(classifySqlError({ code: "EFEDAUTH", message: "" })).to.equal("credential");
  });

  it("reads number, code and messages through mssql's and tedious's wrappers", () => {
    const tediousError = new AggregateError(
      [
        Object.assign(new Error("Security token could not be authenticated or authorized."), {
          code: "EFEDAUTH",
        }),
        new Error("no token"),
      ],
      "",
    );
    const mssqlError = Object.assign(new Error(""), {
      code: undefined,
      originalError: tediousError,
    });

    expect(sqlErrorFacts(mssqlError)).to.deep.equal({
      number: undefined,
      code: "EFEDAUTH",
      message: "Security token could not be authenticated or authorized.: no token",
    });
    // mssql copies a socket error's code into `number`: that is not a server error number.
    expect(
      sqlErrorFacts(
        Object.assign(new Error("socket hang up"), { code: "ECONNRESET", number: "ECONNRESET" }),
      ).number,
    ).to.equal(undefined);
  });

  it("finds the storage account in a serverless SQL message", () => {
    expect(storageAccountInMessage(STORAGE_DENIED.message)).to.equal("exportlake");
    expect(
      storageAccountInMessage(
        "File 'https://other01.blob.core.windows.net/c/f.parquet' cannot be opened",
      ),
    ).to.equal("other01");
    expect(storageAccountInMessage("External table 'x' is not accessible")).to.equal(undefined);
  });

  it("backs off exponentially with jitter, capped", () => {
    // SQL's policy: equal jitter, so a reconnect never comes at once; `retry` counts from 0.
    const retry = { baseDelayMs: 100, maxDelayMs: 1000, jitter: "equal" as const };
    expect(backoffDelayMs(0, retry, () => 0)).to.equal(50);
    expect(backoffDelayMs(0, retry, () => 1)).to.equal(100);
    expect(backoffDelayMs(2, retry, () => 1)).to.equal(400);
    expect(backoffDelayMs(8, retry, () => 1)).to.equal(1000);
    expect(backoffDelayMs(8, retry, () => 0)).to.equal(500);
  });
});
