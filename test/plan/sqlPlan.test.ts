import { SNAPSHOT_PLACEHOLDER } from "../../src/plan/sqlPlan";
import { expect } from "chai";
import * as fc from "fast-check";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { SnapshotManifest } from "../../src/plan/manifest";
import { renderTsql } from "../../src/plan/renderTsql";
import { renderDuckdb } from "../../src/plan/renderDuckdb";
import { serverlessLimitIssues } from "../../src/plan/serverlessLimits";
import { planSqlLogins, removedReaderUsers, type SqlLogin } from "../../src/plan/sqlAccess";
import {
  MAX_EXTERNAL_TABLE_NAME,
  planDatabaseSetup,
  planDropEntity,
  planDropReaders,
  planDropSnapshots,
  planPublishSnapshot,
  snapshotTableName,
} from "../../src/plan/sqlPlan";
import {
  quoteDuckdbIdentifier,
  quoteDuckdbLiteral,
  quoteTsqlIdentifier,
  quoteTsqlLiteral,
} from "../../src/plan/sqlQuote";

const GOLDEN = path.join(__dirname, "../../../test/fixtures/golden/ci_export.tsql");

export function customerManifest(over: Partial<SnapshotManifest> = {}): SnapshotManifest {
  return {
    manifestVersion: 1,
    entity: "Customer",
    snapshot: "3f9a1c0de2b74a55",
    format: "parquet",
    columns: [
      { name: "CustomerId", type: "guid" },
      { name: "FullName", type: "string", maxLength: 200 },
      { name: "Notes", type: "string" },
      { name: "Age", type: "int32" },
      { name: "Visits", type: "int64" },
      { name: "Score", type: "double" },
      { name: "LifetimeValue", type: "decimal", precision: 18, scale: 2 },
      { name: "IsActive", type: "boolean" },
      { name: "BirthDate", type: "date" },
      { name: "CreatedOn", type: "dateTime" },
      { name: "LastSeen", type: "dateTimeOffset" },
    ],
    columnsInferred: false,
    files: [{ name: "part-00000.parquet", bytes: 100, rows: 3 }],
    rows: 3,
    bytes: 100,
    createdAt: "2026-01-01T00:00:00.000Z",
    sources: [],
    ...over,
  };
}

const target = {
  database: "ci_export",
  dataSourceLocation: "https://stciexport.dfs.core.windows.net/ci-export/ci_export",
};

/** The golden spec's principals: two readers (a group and a user) and a contributor on a shared connection. */
export const GOLDEN_LOGINS: SqlLogin[] = [
  {
    name: "analysts",
    objectId: "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60",
    sid: "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60",
    type: "Group",
    as: "reader",
  },
  {
    name: "ada@contoso.com",
    objectId: "0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f",
    sid: "0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f",
    type: "User",
    as: "reader",
  },
  {
    name: "marketing",
    objectId: "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e",
    sid: "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e",
    type: "Group",
    as: "contributor",
  },
];

/** What serverless says, through our THROW, when ada's login name belongs to another principal. */
const ADA_OTHER_LOGIN =
  "The login ada@contoso.com belongs to another Entra principal than reader 0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f (its SID is not the object id 0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f), " +
  "for example one deleted and re-created under the same name, or another user of that display name. Nothing was changed for it. " +
  "Drop that login if it is stale, or check the objectId and name of ada@contoso.com in the spec.";

function renderAll(): string {
  const statements = renderTsql(
    [
      ...planDatabaseSetup("parquet", GOLDEN_LOGINS),
      { step: "listReaders" },
      ...planDropReaders({ drop: ["bob@contoso.com"], unassign: ["dave@contoso.com"] }),
      ...planPublishSnapshot(customerManifest()),
      ...planDropSnapshots("Customer", ["0ld5napshot0000a"]),
    ],
    target,
  );
  return statements.map((s) => `-- [${s.database}] ${s.purpose}\n${s.statement}\nGO\n`).join("\n");
}

describe("SQL plan rendered as T-SQL for Synapse serverless", () => {
  it("matches the reviewed golden script", () => {
    const rendered = renderAll();
    if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, rendered);
    expect(rendered).to.equal(readFileSync(GOLDEN, "utf8"));
  });

  it("creates the database from master and everything else inside it, one statement per batch", () => {
    const statements = renderTsql(planDatabaseSetup("parquet"), target);
    expect(statements.slice(0, 3).map((s) => s.database)).to.deep.equal([
      "master",
      "master",
      "master",
    ]);
    expect(statements[2].statement).to.match(
      /CREATE DATABASE \[ci_export\] COLLATE Latin1_General_100_CI_AS_SC_UTF8/,
    );
    expect(statements.slice(3).every((s) => s.database === "ci_export")).to.equal(true);
    for (const s of statements) expect(s.statement, s.purpose).not.to.match(/\bGO\b/);
    // Guards and THROWs may share a batch; a DDL statement may not share it with another DDL
    // statement: the ones a batch runs itself are inside EXEC, each a batch of its own.
    const all = renderTsql(planDatabaseSetup("parquet", GOLDEN_LOGINS), target);
    for (const s of all) {
      const outside = s.statement.replace(/EXEC \(N'(?:[^']|'')*'\)/g, "EXEC (...)");
      const ddl = outside.match(/\b(CREATE|ALTER|DROP|GRANT)\b/g) ?? [];
      expect(ddl.length, s.purpose).to.be.at.most(1);
    }
  });

  it("reads the lake as the caller: no master key, no credential, no secret in the plan", () => {
    const text = renderTsql(planDatabaseSetup("parquet", GOLDEN_LOGINS), target)
      .map((s) => s.statement)
      .join("\n");
    expect(text).not.to.match(/MASTER KEY|CREDENTIAL|PASSWORD|REFERENCES/);
    expect(text).to.match(/CREATE EXTERNAL DATA SOURCE \[[^\]]+\] WITH \(LOCATION = N'[^']+'\)$/m);
  });

  it("creates the database through EXEC with a case-insensitive collation, so object names are not case-sensitive", () => {
    const [, , create] = renderTsql(planDatabaseSetup("parquet"), target);
    expect(create.statement).to.equal(
      "IF DB_ID(N'ci_export') IS NULL\n    EXEC (N'CREATE DATABASE [ci_export] COLLATE Latin1_General_100_CI_AS_SC_UTF8')",
    );
  });

  it("claims the database before any other statement, and marks it right after creating it", () => {
    const [claim, limit, create, mark] = renderTsql(planDatabaseSetup("parquet"), target);
    expect(limit.database).to.equal("master");
    expect(limit.statement).to.equal(
      "IF DB_ID(N'ci_export') IS NULL\n" +
        "    AND (SELECT COUNT(*) FROM sys.databases WHERE name <> N'master') >= 100\n" +
        "BEGIN\n" +
        "    DECLARE @held nvarchar(max) = (SELECT STRING_AGG(CAST(name AS nvarchar(max)), N', ') FROM sys.databases WHERE name <> N'master');\n" +
        "    DECLARE @message nvarchar(2048) = LEFT(N'The serverless SQL pool already holds 100 databases besides master, its limit, so ci_export cannot be created. Nothing was changed. Drop the databases nothing uses any more: an export whose databaseName changed leaves its old database behind unless onEntityRemoved: drop. The pool holds: ' + @held + N'.', 2048);\n" +
        "    THROW 50002, @message, 1;\n" +
        "END",
    );
    expect(claim.database).to.equal("master");
    // First the spelling: the pool's ci_export under another case is the same database to it.
    expect(claim.statement).to.match(
      /^IF EXISTS \(SELECT \* FROM sys\.databases WHERE name = N'ci_export' AND name COLLATE Latin1_General_100_BIN2 <> N'ci_export'\)\n {4}THROW 50004, /,
    );
    expect(claim.statement).to.match(/\nIF DB_ID\(N'ci_export'\) IS NOT NULL\n/);
    expect(claim.statement).to.contain(
      "NOT EXISTS (SELECT * FROM [ci_export].sys.schemas WHERE name = N''synapse_export'')",
    );
    expect(claim.statement).to.match(
      /THROW 50001, N''Database ci_export exists but was not created by synapse-export/,
    );
    expect(create.statement).to.contain("CREATE DATABASE");
    expect(mark).to.deep.include({ database: "ci_export" });
    expect(mark.statement).to.contain("CREATE SCHEMA [synapse_export]");
  });

  it("names the database's catalog only inside EXEC behind DB_ID, so the claim compiles on a pool without that database", () => {
    // A batch is compiled before it runs: `IF DB_ID(...) IS NOT NULL AND ... [db].sys.schemas` is one
    // statement, and binding `[db].sys.schemas` fails when db does not exist, whatever DB_ID says.
    // EXEC compiles its text only when the guard lets it run, as CREATE DATABASE and CREATE SCHEMA do.
    const [claim] = renderTsql(planDatabaseSetup("parquet"), target);
    const outside = claim.statement
      .replace(/EXEC \(N'(?:[^']|'')*'\)/g, "EXEC (...)")
      .replace(/THROW 50004, N'(?:[^']|'')*', 1;/, "THROW 50004, ..., 1;");
    expect(outside).to.equal(
      "IF EXISTS (SELECT * FROM sys.databases WHERE name = N'ci_export' AND name COLLATE Latin1_General_100_BIN2 <> N'ci_export')\n" +
        "    THROW 50004, ..., 1;\n" +
        "IF DB_ID(N'ci_export') IS NOT NULL\n    EXEC (...)",
    );
  });

  it("gives each reader a login in master, a user from that login and membership in the reader role", () => {
    const statements = renderTsql(planDatabaseSetup("parquet", GOLDEN_LOGINS.slice(1, 2)), target);
    const access = statements.slice(-5).map((s) => [s.database, s.statement]);
    expect(access).to.deep.equal([
      [
        "ci_export",
        "IF DATABASE_PRINCIPAL_ID(N'synapse_export_readers') IS NULL\n    CREATE ROLE [synapse_export_readers]",
      ],
      ["ci_export", "GRANT SELECT ON SCHEMA::[dbo] TO [synapse_export_readers]"],
      [
        "master",
        "IF EXISTS (SELECT * FROM sys.server_principals WHERE name = N'ada@contoso.com' AND sid <> CAST(CAST(N'0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f' AS uniqueidentifier) AS varbinary(16)))\n" +
          `    THROW 50003, N'${ADA_OTHER_LOGIN}', 1;\n` +
          "IF SUSER_ID(N'ada@contoso.com') IS NULL\n" +
          "BEGIN\n" +
          "    EXEC (N'CREATE LOGIN [ada@contoso.com] FROM EXTERNAL PROVIDER');\n" +
          "    IF EXISTS (SELECT * FROM sys.server_principals WHERE name = N'ada@contoso.com' AND sid <> CAST(CAST(N'0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f' AS uniqueidentifier) AS varbinary(16)))\n" +
          "    BEGIN\n" +
          "        EXEC (N'DROP LOGIN [ada@contoso.com]');\n" +
          `        THROW 50003, N'${ADA_OTHER_LOGIN}', 1;\n` +
          "    END\n" +
          "END",
      ],
      [
        "ci_export",
        "IF EXISTS (SELECT * FROM sys.database_principals WHERE name = N'ada@contoso.com' AND sid <> CAST(CAST(N'0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f' AS uniqueidentifier) AS varbinary(16)))\n" +
          `    THROW 50003, N'${ADA_OTHER_LOGIN.replace("The login", "The user").replace("Drop that login", "Drop that user")}', 1;\n` +
          "IF DATABASE_PRINCIPAL_ID(N'ada@contoso.com') IS NULL\n    CREATE USER [ada@contoso.com] FROM LOGIN [ada@contoso.com] WITH DEFAULT_SCHEMA = [synapse_export]",
      ],
      ["ci_export", "ALTER ROLE [synapse_export_readers] ADD MEMBER [ada@contoso.com]"],
    ]);
  });

  it("keeps a reader's name a name when it holds an apostrophe or a bracket (O'Brien, a [team] group)", () => {
    const login: SqlLogin = {
      name: "o'brien]x@contoso.com",
      objectId: "1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d",
      sid: "1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d",
      type: "User",
      as: "reader",
    };
    const access = renderTsql(
      [
        ...planDatabaseSetup("parquet", [login]),
        ...planDropReaders({ drop: ["d'arcy [ops]"], unassign: [] }),
      ],
      target,
    )
      .slice(-4)
      .map((s) => s.statement);
    expect(
      access.map((a) =>
        a.split("\n").filter((l) => /CREATE|DROP|SUSER|PRINCIPAL_ID|ALTER/.test(l)),
      ),
    ).to.deep.equal([
      [
        "IF SUSER_ID(N'o''brien]x@contoso.com') IS NULL",
        "    EXEC (N'CREATE LOGIN [o''brien]]x@contoso.com] FROM EXTERNAL PROVIDER');",
        "        EXEC (N'DROP LOGIN [o''brien]]x@contoso.com]');",
      ],
      [
        "IF DATABASE_PRINCIPAL_ID(N'o''brien]x@contoso.com') IS NULL",
        "    CREATE USER [o'brien]]x@contoso.com] FROM LOGIN [o'brien]]x@contoso.com] WITH DEFAULT_SCHEMA = [synapse_export]",
      ],
      ["ALTER ROLE [synapse_export_readers] ADD MEMBER [o'brien]]x@contoso.com]"],
      ["DROP USER IF EXISTS [d'arcy [ops]]]"],
    ]);
  });

  it("names the data source after its location, so moving the export gets a new one", () => {
    const elsewhere = {
      ...target,
      dataSourceLocation: "https://other.dfs.core.windows.net/ci-export/ci_export",
    };
    const source = (t: typeof target) =>
      renderTsql(planDatabaseSetup("parquet"), t).find((s) =>
        /EXTERNAL DATA SOURCE/.test(s.statement),
      )!.statement;
    const name = (t: typeof target) => /\[(SynapseExportLake_[0-9a-f]{8})\]/.exec(source(t))![1];
    expect(name(target)).not.to.equal(name(elsewhere));
    const [table] = renderTsql(planPublishSnapshot(customerManifest()), elsewhere);
    expect(table.statement).to.contain(`DATA_SOURCE = [${name(elsewhere)}]`);
  });

  it("reads one row through a new snapshot's table before the view points at it", () => {
    const steps = renderTsql(planPublishSnapshot(customerManifest()), target).map(
      (s) => s.statement.split("\n")[0],
    );
    expect(steps).to.deep.equal([
      "IF OBJECT_ID(N'[snapshots].[Customer__3f9a1c0de2b74a55]') IS NULL",
      "SELECT TOP 1 * FROM [snapshots].[Customer__3f9a1c0de2b74a55]",
      "CREATE OR ALTER VIEW [dbo].[Customer] AS",
    ]);
  });

  it("switches the view in a batch of its own, with CREATE OR ALTER VIEW first", () => {
    const [table, , view] = renderTsql(planPublishSnapshot(customerManifest()), target);
    expect(table.statement).to.match(
      /^IF OBJECT_ID\(N'\[snapshots\]\.\[Customer__3f9a1c0de2b74a55\]'\) IS NULL/,
    );
    expect(table.statement).to.match(/LOCATION = N'Customer\/v=3f9a1c0de2b74a55\/\*\.parquet'/);
    expect(view.statement).to.match(/^CREATE OR ALTER VIEW \[dbo\]\.\[Customer\] AS\n/);
    expect(view.statement).not.to.match(/ALTER EXTERNAL TABLE/);
  });

  it("declares strings as UTF-8 varchar sized for their longest value, and timestamps as datetime2", () => {
    const [table] = renderTsql(planPublishSnapshot(customerManifest()), target);
    expect(table.statement).to.contain(
      "[FullName] varchar(800) COLLATE Latin1_General_100_BIN2_UTF8",
    );
    // Without maxLength, varchar(max): one long value must not fail every reader's query.
    expect(table.statement).to.contain("[Notes] varchar(max) COLLATE Latin1_General_100_BIN2_UTF8");
    expect(table.statement).to.contain(
      "[CustomerId] varchar(36) COLLATE Latin1_General_100_BIN2_UTF8",
    );
    expect(table.statement).to.contain("[LifetimeValue] decimal(18,2)");
    expect(table.statement).to.contain("[CreatedOn] datetime2(6)");
    expect(table.statement).to.contain("[IsActive] bit");
  });

  it("reads CSV snapshots with a delimited-text format that skips the header", () => {
    const statements = renderTsql(
      [...planDatabaseSetup("csv"), ...planPublishSnapshot(customerManifest({ format: "csv" }))],
      target,
    );
    const text = statements.map((s) => s.statement).join("\n");
    expect(text).to.match(/FORMAT_TYPE = DELIMITEDTEXT, FORMAT_OPTIONS \(.*FIRST_ROW = 2/);
    expect(text).to.match(
      /LOCATION = N'Customer\/v=3f9a1c0de2b74a55\/\*\.csv', .*FILE_FORMAT = \[SynapseExportCsv\]/,
    );
  });

  it("declares CSV strings within PARSER_VERSION 2.0's 8000 bytes, and refuses a longer maxLength by its field", () => {
    const [table] = renderTsql(planPublishSnapshot(customerManifest({ format: "csv" })), target);
    expect(table.statement).to.contain(
      "[Notes] varchar(8000) COLLATE Latin1_General_100_BIN2_UTF8",
    );
    expect(table.statement).to.contain(
      "[FullName] varchar(800) COLLATE Latin1_General_100_BIN2_UTF8",
    );
    const long = customerManifest({
      format: "csv",
      columns: [{ name: "Bio", type: "string", maxLength: 2001 }],
    });
    expect(() => renderTsql(planPublishSnapshot(long), target)).to.throw(
      /column Bio: maxLength 2001 is more than format: csv can read \(PARSER_VERSION 2\.0 reads at most 8000 bytes, 2000 characters\)/,
    );
    const spec = {
      export: {
        format: "csv",
        entities: [
          { name: "Customer", columns: [{ name: "Bio", type: "string", maxLength: 2001 }] },
        ],
      },
    } as never;
    expect(serverlessLimitIssues(spec).map((i) => i.path)).to.deep.equal([
      "export.entities[0].columns[0].maxLength",
    ]);
  });

  it("drops the view and every snapshot table only when asked to drop an entity", () => {
    const statements = renderTsql(planDropEntity("Customer", ["a1", "b2"]), target);
    expect(statements.map((s) => s.statement.split("\n").pop()!.trim())).to.deep.equal([
      "DROP VIEW IF EXISTS [dbo].[Customer]",
      "DROP EXTERNAL TABLE [snapshots].[Customer__a1]",
      "DROP EXTERNAL TABLE [snapshots].[Customer__b2]",
    ]);
  });

  it("keeps per-snapshot table names within serverless's 100 characters and distinct for long entity names", () => {
    const a = snapshotTableName("A".repeat(128), "0123456789abcdef");
    const b = snapshotTableName("A".repeat(127) + "B", "0123456789abcdef");
    expect(MAX_EXTERNAL_TABLE_NAME).to.equal(100);
    expect(a.length).to.be.at.most(100);
    expect(b.length).to.be.at.most(100);
    expect(a).not.to.equal(b);
    expect(a.endsWith("__0123456789abcdef")).to.equal(true);
    // Short names are kept whole.
    expect(snapshotTableName("Customer", "0123456789abcdef")).to.equal(
      "Customer__0123456789abcdef",
    );
    const longest = "A".repeat(100 - "__0123456789abcdef".length);
    expect(snapshotTableName(longest, "0123456789abcdef")).to.equal(`${longest}__0123456789abcdef`);
  });
});

describe("readers' SQL logins from the spec", () => {
  const spec = (
    principals: Record<string, unknown>,
    usableBy = "administrators-and-contributors",
  ) =>
    ({
      connection: { usableBy },
      principals: { readers: [], contributors: [], ...principals },
    }) as never;
  const group = { objectId: "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60", type: "Group" };

  it("takes readers, and contributors only on a shared connection, one login per principal", () => {
    const readers = [{ ...group, name: "analysts" }];
    const contributors = [
      { ...group, name: "analysts" },
      { objectId: "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e", type: "Group", name: "marketing" },
    ];
    expect(planSqlLogins(spec({ readers, contributors })).map((l) => [l.name, l.as])).to.deep.equal(
      [
        ["analysts", "reader"],
        ["marketing", "contributor"],
      ],
    );
    expect(planSqlLogins(spec({ readers, contributors }, "administrators"))).to.have.length(1);
  });

  it("requires the Entra name of each reader, naming the field", () => {
    expect(() => planSqlLogins(spec({ readers: [group] }))).to.throw(
      /principals\.readers\[0\]\.name: is required: serverless SQL creates the login of Group 6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60 by its Entra name \(the group's display name\)/,
    );
  });

  it("refuses a name with a line break or other control character, which would end plan's -- comment", () => {
    // `plan` prints each statement under `-- [db] <purpose>`, and the purpose names the reader: a line
    // break in the name would put the rest of it on a line of its own, outside the comment.
    const readers = [{ ...group, name: "analysts\nDROP DATABASE [ci_export]" }];
    expect(() => planSqlLogins(spec({ readers }))).to.throw(
      /principals\.readers\[0\]\.name: contains a line break or another control character/,
    );
  });

  it("needs a service principal's appId, the SID of its login, and checks the login by it", () => {
    const app = { objectId: "8c7b6a5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d", type: "ServicePrincipal" };
    expect(() => planSqlLogins(spec({ readers: [{ ...app, name: "nightly" }] }))).to.throw(
      /principals\.readers\[0\]\.appId: is required for service principal 8c7b6a5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d: serverless SQL gives an application's login the SID of its application \(client\) id/,
    );
    const appId = "9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    const [login] = planSqlLogins(spec({ readers: [{ ...app, name: "nightly", appId }] }));
    expect(login.sid).to.equal(appId);
    const [, , , , , , , , , create] = renderTsql(planDatabaseSetup("parquet", [login]), target);
    expect(create.statement).to.contain(
      `sid <> CAST(CAST(N'${appId}' AS uniqueidentifier) AS varbinary(16))`,
    );
  });

  it("refuses two principals with one name, whatever its case", () => {
    const readers = [
      { ...group, name: "Analysts" },
      { objectId: "0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f", type: "Group", name: "analysts" },
    ];
    expect(() => planSqlLogins(spec({ readers }))).to.throw(
      /principals\.readers\[1\]\.name: 'analysts' is also the name of principals\.readers\[0\] \(object id 6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60\)/,
    );
  });

  it("drops the users we created of role members the spec no longer names, and only unassigns the others", () => {
    const members = [
      { name: "ANALYSTS", ours: true },
      { name: "bob@contoso.com", ours: true },
      { name: "dave@contoso.com", ours: false },
      { name: "ada@contoso.com", ours: false },
    ];
    const removed = removedReaderUsers(members, GOLDEN_LOGINS);
    expect(removed).to.deep.equal({ drop: ["bob@contoso.com"], unassign: ["dave@contoso.com"] });
    expect(renderTsql(planDropReaders(removed), target).map((s) => s.statement)).to.deep.equal([
      "DROP USER IF EXISTS [bob@contoso.com]",
      "ALTER ROLE [synapse_export_readers] DROP MEMBER [dave@contoso.com]",
    ]);
  });
});

describe("quoting of identifiers and literals that reach SQL", () => {
  const hostile = [
    "a]b",
    "x'; DROP TABLE t;--",
    "]]",
    "semi;colon",
    "dash--dash",
    "Ünïcødé 名前",
    "[bracketed]",
    'quote"d',
  ];

  for (const name of hostile) {
    it(`keeps ${JSON.stringify(name)} a single T-SQL identifier and literal`, () => {
      expect(quoteTsqlIdentifier(name)).to.equal(`[${name.split("]").join("]]")}]`);
      expect(quoteTsqlLiteral(name)).to.equal(`N'${name.split("'").join("''")}'`);
    });
  }

  it("renders a whole plan for a hostile entity, database and column name without breaking out", () => {
    const name = "x]'; DROP DATABASE master;--";
    const statements = renderTsql(
      [
        ...planDatabaseSetup("parquet"),
        ...planPublishSnapshot(
          customerManifest({ entity: name, columns: [{ name, type: "string" }] }),
        ),
      ],
      { database: name, dataSourceLocation: `https://a.dfs.core.windows.net/c/${name}` },
    );
    for (const s of statements) {
      // Remove every correctly quoted identifier and literal: no hostile text may remain outside them.
      const outside = s.statement
        .replace(/\[(?:[^\]]|\]\])*\]/g, "")
        .replace(/N?'(?:[^']|'')*'/g, "");
      expect(outside, s.statement).not.to.contain("DROP DATABASE");
    }
  });

  it("refuses empty identifiers and NUL characters", () => {
    expect(() => quoteTsqlIdentifier("")).to.throw(/cannot be empty/);
    expect(() => quoteTsqlIdentifier("a\u0000b")).to.throw(/NUL/);
    expect(() => quoteTsqlLiteral("a\u0000b")).to.throw(/NUL/);
    expect(() => quoteDuckdbIdentifier("")).to.throw(/cannot be empty/);
  });

  it("round-trips any identifier through T-SQL bracket quoting (property)", () => {
    const unquote = (q: string) => q.slice(1, -1).replace(/]]/g, "]");
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: "grapheme" }).filter((s) => !s.includes("\u0000")),
        (s) => {
          const q = quoteTsqlIdentifier(s);
          // Inside the brackets every `]` is doubled, so the first lone `]` is the closing one.
          expect(/^\[(?:[^\]]|\]\])*\]$/.test(q)).to.equal(true);
          expect(unquote(q)).to.equal(s);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("round-trips any text through T-SQL and DuckDB literal quoting (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\u0000")),
        (s) => {
          expect(quoteTsqlLiteral(s).slice(2, -1).replace(/''/g, "'")).to.equal(s);
          expect(/^N'(?:[^']|'')*'$/.test(quoteTsqlLiteral(s))).to.equal(true);
          expect(quoteDuckdbLiteral(s).slice(1, -1).replace(/''/g, "'")).to.equal(s);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("SQL plan rendered for DuckDB", () => {
  it("renders only what DuckDB needs, reading the snapshot's files from the local lake", () => {
    const statements = renderDuckdb(
      [...planDatabaseSetup("parquet"), ...planPublishSnapshot(customerManifest())],
      { database: "ci_export", lakeRoot: "/lake/ci-export" },
    );
    expect(statements.map((s) => s.statement)).to.deep.equal([
      'CREATE SCHEMA IF NOT EXISTS "snapshots"',
      `CREATE OR REPLACE VIEW "snapshots"."Customer__3f9a1c0de2b74a55" AS SELECT * FROM read_parquet(['/lake/ci-export/ci_export/Customer/v=3f9a1c0de2b74a55/part-00000.parquet'], hive_partitioning = false)`,
      'SELECT * FROM "snapshots"."Customer__3f9a1c0de2b74a55" LIMIT 1',
      'CREATE OR REPLACE VIEW "main"."Customer" AS SELECT "CustomerId", "FullName", "Notes", "Age", "Visits", "Score", "LifetimeValue", "IsActive", "BirthDate", "CreatedOn", "LastSeen" FROM "snapshots"."Customer__3f9a1c0de2b74a55"',
    ]);
  });
});

describe("the snapshot table name plan shows", () => {
  it("is the name the run creates, for an entity name long enough to be shortened", () => {
    const id = "3fb09d79398bbad2";
    for (const entity of ["A".repeat(83), "B".repeat(116), "Customer"]) {
      const shown = snapshotTableName(entity, SNAPSHOT_PLACEHOLDER);
      expect(shown.replace(SNAPSHOT_PLACEHOLDER, id), entity).to.equal(
        snapshotTableName(entity, id),
      );
    }
  });
});
