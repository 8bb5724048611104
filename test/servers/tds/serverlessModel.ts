// What a Synapse serverless SQL pool knows and refuses, for the TDS test server's strict mode: the
// databases, logins, users, roles, grants and objects the executed DDL created, who is signing in (from
// the access token's claims), and the error serverless gives when something is missing. A statement is
// accepted only in a shape the reviewed golden files (test/fixtures/golden/) and Microsoft's docs allow;
// any other text gets 102, so a change to the rendered T-SQL fails end to end until it is reviewed.
//
// Where each answer comes from:
// - Login: serverless checks the token's audience and expiry, then needs a login for the principal or
//   one of its groups (`CREATE LOGIN ... FROM EXTERNAL PROVIDER`, the Synapse access-control how-to,
//   https://learn.microsoft.com/azure/synapse-analytics/security/how-to-set-up-access-control); Synapse
//   Administrators and the workspace's Entra admin are admins without one (sql-authentication page).
//   A failed Entra login is 18456 "Login failed for user '<token-identified principal>'." ([MS-TDS]
//   2.2.7.10 ERROR token; SQL Server error 18456).
// - 4060 "Cannot open database ... requested by the login. The login failed." for a database that does
//   not exist; 916 "The server principal ... is not able to access the database ... under the current
//   security context." for a login without a user in it (SQL Server database engine errors).
// - 229 "The SELECT permission was denied on the object ..." without SELECT; 208 "Invalid object name";
//   207 "Invalid column name"; 2760 for a missing schema; 15151 "Cannot find the user/role ..."; 15007
//   "... is not a valid login"; 33130 / 33131 for a principal Entra ID does not know / knows twice
//   (https://learn.microsoft.com/azure/azure-sql/database/authentication-microsoft-entra-create-users-with-nonunique-names);
//   3702 "Cannot drop database ... because it is currently in use." (SQL Server error 3702).
// - Caller pass-through: reading an external table whose data source has no credential reads the lake
//   as the caller (develop-storage-files-storage-access-control, "user identity"); without a storage
//   data role that is 13807 "Content of directory on path '...' cannot be listed." (the serverless
//   self-help page).
// - A replicated (lake) database refuses DDL: "Operation isn't allowed for a replicated database."
//   (the Synapse lake database docs), recorded with the operation named as "Operation CREATE EXTERNAL
//   DATA SOURCE is not allowed for a replicated database." (https://github.com/MicrosoftDocs/azure-docs/issues/77431).
//   Neither gives its error number, nor did we find one in Microsoft's docs, issues or driver code:
//   15868 is our stand-in, and nothing in the product depends on it (the claim refuses such a
//   database first, with our own 50001).
// - 262 follows SQL Server's template "%ls permission denied in database '%.*ls'." with the
//   statement's operation (SQL Server database engine errors).
// - Object names follow the database collation: case-insensitive under a `_CI_` collation, exact under
//   a binary one (best-practices for serverless SQL pool).

import type { BatchAnswer } from "./tdsTestServer";
import type { ServerMessage } from "./tokens";
import { readEntraToken, SQL_AUDIENCE } from "./entraToken";
import type { ExternalCatalog, LakeStatements } from "./cetas";

export interface DirectoryPrincipal {
  objectId: string;
  /** A user's UPN, a group's or application's display name: what CREATE LOGIN resolves. */
  name: string;
  type: "User" | "Group" | "ServicePrincipal";
  /** An application's client id: the SID of its login, and the `appid` claim of its tokens. */
  appId?: string;
}

export interface ServerlessOptions {
  /** The tenant's principals, for CREATE LOGIN's name look-up. */
  directory: DirectoryPrincipal[];
  /** Object ids that sign in as administrators (Synapse Administrator / SQL Administrator). */
  administrators: string[];
  /** Object ids (principals or groups) with a Storage Blob Data role on the lake, for pass-through reads. */
  storageReaders: string[];
  /** Epoch ms, for the token's expiry; a test moves it instead of waiting. */
  now?: () => number;
  /** CETAS and queries over OPENROWSET, executed against the dfs test server's files (tds/cetas.ts). */
  lake?: LakeStatements;
}

/** Who a connection is, once the token was accepted. */
export interface Session {
  objectId: string;
  /** The name serverless reports: the UPN, or the object id for an application. */
  name: string;
  groups: string[];
  /** An application's client id (the token's `appid` claim, present only for an app-only token). */
  appId?: string;
  admin: boolean;
}

interface Database {
  name: string;
  collation: string;
  /** A lake database made by Spark or Customer Insights: readable, but refuses DDL. */
  replicated: boolean;
  schemas: Set<string>;
  dataSources: Map<string, string>;
  /** File format name (key) to its WITH options text. */
  fileFormats: Map<string, string>;
  tables: Map<string, { columns: string[]; location: string; dataSource: string }>;
  views: Map<string, { columns: string[]; table: string }>;
  roles: Set<string>;
  /** User name (key) to the object id of its login. */
  users: Map<string, { name: string; sid: string; defaultSchema: string }>;
  members: Map<string, Set<string>>;
  /** Schema (key) to the principals with SELECT on it. */
  schemaSelect: Map<string, Set<string>>;
}

const err = (number: number, message: string, cls = 16): { error: ServerMessage } => ({
  error: { number, message, class: cls },
});
const OK: BatchAnswer = { rows: { columns: [], rows: [] } };

// Identifiers and literals as the one quoting function writes them (src/plan/sqlQuote.ts).
const ID = String.raw`\[((?:[^\]]|\]\])+)\]`;
const LIT = String.raw`N'((?:[^']|'')*)'`;
const unId = (s: string) => s.replace(/]]/g, "]");
const unLit = (s: string) => s.replace(/''/g, "'");
/** The SID of an Entra principal as T-SQL writes it from its GUID (sqlAccess.ts). */
const SID_OF = String.raw`CAST\(CAST\(${LIT} AS uniqueidentifier\) AS varbinary\(16\)\)`;
const shape = (...parts: string[]) => new RegExp(`^${parts.join("")}$`);

const SHAPES = {
  // The ownership check names the database's catalog, which cannot be bound on a pool without that
  // database: it must sit inside EXEC behind the DB_ID guard (a guard in the same statement is no help).
  // "In Azure Synapse Analytics, query text (including variables, constants, etc.) is always handled
  // using the database-level collation" (https://learn.microsoft.com/azure/synapse-analytics/sql/
  // reference-collation-types): `name = N'X'` in master compares by master's collation, which the
  // model takes as case-insensitive, as its database keys are (SQL Server's default
  // SQL_Latin1_General_CP1_CI_AS; serverless does not document master's own). The spelling check
  // compares with a binary COLLATE, which tells spellings apart whatever master's collation is
  // (COLLATE clause, https://learn.microsoft.com/sql/t-sql/statements/collations).
  claim: shape(
    String.raw`IF EXISTS \(SELECT \* FROM sys\.databases WHERE name = ${LIT} AND name COLLATE Latin1_General_100_BIN2 <> ${LIT}\)\n`,
    String.raw`    THROW (5\d{4}), ${LIT}, 1;\n`,
    String.raw`IF DB_ID\(${LIT}\) IS NOT NULL\n    EXEC \(${LIT}\)`,
  ),
  claimCheck: shape(
    String.raw`IF NOT EXISTS \(SELECT \* FROM ${ID}\.sys\.schemas WHERE name = ${LIT}\)\n`,
    String.raw`        AND EXISTS \(SELECT \* FROM ${ID}\.sys\.objects WHERE is_ms_shipped = 0\)\n`,
    String.raw`        THROW (5\d{4}), ${LIT}, 1`,
  ),
  databaseLimit: shape(
    String.raw`IF DB_ID\(${LIT}\) IS NULL\n`,
    String.raw`    AND \(SELECT COUNT\(\*\) FROM sys\.databases WHERE name <> N'master'\) >= (\d+)\n`,
    String.raw`BEGIN\n`,
    String.raw`    DECLARE @held nvarchar\(max\) = \(SELECT STRING_AGG\(CAST\(name AS nvarchar\(max\)\), N', '\) FROM sys\.databases WHERE name <> N'master'\);\n`,
    String.raw`    DECLARE @message nvarchar\(2048\) = LEFT\(${LIT} \+ @held \+ N'\.', 2048\);\n`,
    String.raw`    THROW (5\d{4}), @message, 1;\n`,
    String.raw`END`,
  ),
  createDatabase: shape(
    String.raw`IF DB_ID\(${LIT}\) IS NULL\n    EXEC \(N'CREATE DATABASE ${ID} COLLATE (\w+)'\)`,
  ),
  createSchema: shape(
    String.raw`IF SCHEMA_ID\(${LIT}\) IS NULL\n    EXEC \(N'CREATE SCHEMA ${ID}'\)`,
  ),
  dataSource: shape(
    String.raw`IF NOT EXISTS \(SELECT \* FROM sys\.external_data_sources WHERE name = ${LIT}\)\n`,
    String.raw`    CREATE EXTERNAL DATA SOURCE ${ID} WITH \(LOCATION = ${LIT}\)`,
  ),
  fileFormat: shape(
    String.raw`IF NOT EXISTS \(SELECT \* FROM sys\.external_file_formats WHERE name = ${LIT}\)\n`,
    String.raw`    CREATE EXTERNAL FILE FORMAT ${ID} WITH \((FORMAT_TYPE = (?:PARQUET|DELIMITEDTEXT), .+)\)`,
  ),
  role: shape(String.raw`IF DATABASE_PRINCIPAL_ID\(${LIT}\) IS NULL\n    CREATE ROLE ${ID}`),
  grant: shape(String.raw`GRANT SELECT ON SCHEMA::${ID} TO ${ID}`),
  // By name, then by SID (CREATE LOGIN in its own batch through EXEC, as the Synapse syntax asks).
  login: shape(
    String.raw`IF EXISTS \(SELECT \* FROM sys\.server_principals WHERE name = ${LIT} AND sid <> ${SID_OF}\)\n`,
    String.raw`    THROW (5\d{4}), ${LIT}, 1;\n`,
    String.raw`IF SUSER_ID\(${LIT}\) IS NULL\n`,
    String.raw`BEGIN\n`,
    String.raw`    EXEC \(N'CREATE LOGIN ${ID} FROM EXTERNAL PROVIDER'\);\n`,
    String.raw`    IF EXISTS \(SELECT \* FROM sys\.server_principals WHERE name = ${LIT} AND sid <> ${SID_OF}\)\n`,
    String.raw`    BEGIN\n`,
    String.raw`        EXEC \(N'DROP LOGIN ${ID}'\);\n`,
    String.raw`        THROW 5\d{4}, ${LIT}, 1;\n`,
    String.raw`    END\n`,
    String.raw`END`,
  ),
  /** What a person runs by hand (a test's administrator): the plain guarded form, by name only. */
  loginByName: shape(
    String.raw`IF NOT EXISTS \(SELECT \* FROM sys\.server_principals WHERE name = ${LIT}\)\n`,
    String.raw`    CREATE LOGIN ${ID} FROM EXTERNAL PROVIDER`,
  ),
  user: shape(
    String.raw`IF EXISTS \(SELECT \* FROM sys\.database_principals WHERE name = ${LIT} AND sid <> ${SID_OF}\)\n`,
    String.raw`    THROW (5\d{4}), ${LIT}, 1;\n`,
    String.raw`IF DATABASE_PRINCIPAL_ID\(${LIT}\) IS NULL\n`,
    String.raw`    CREATE USER ${ID} FROM LOGIN ${ID} WITH DEFAULT_SCHEMA = ${ID}`,
  ),
  /** A user made by hand (a test's administrator), with the default schema dbo. */
  userByName: shape(
    String.raw`IF DATABASE_PRINCIPAL_ID\(${LIT}\) IS NULL\n    CREATE USER ${ID} FROM LOGIN ${ID}`,
  ),
  member: shape(String.raw`ALTER ROLE ${ID} ADD MEMBER ${ID}`),
  listMembers: shape(
    String.raw`SELECT member\.name AS name,\n`,
    String.raw`    CASE WHEN member\.default_schema_name = ${LIT} THEN 1 ELSE 0 END AS ours\n`,
    String.raw`    FROM sys\.database_role_members AS m\n`,
    String.raw`    JOIN sys\.database_principals AS role ON role\.principal_id = m\.role_principal_id\n`,
    String.raw`    JOIN sys\.database_principals AS member ON member\.principal_id = m\.member_principal_id\n`,
    String.raw`    WHERE role\.name = ${LIT}`,
  ),
  dropUser: shape(String.raw`DROP USER IF EXISTS ${ID}`),
  dropMember: shape(String.raw`ALTER ROLE ${ID} DROP MEMBER ${ID}`),
  createTable: shape(
    String.raw`IF OBJECT_ID\(${LIT}\) IS NULL\n    CREATE EXTERNAL TABLE ${ID}\.${ID} \(\n`,
    String.raw`((?:        ${ID} [a-z0-9(),]+(?: COLLATE \w+)?(?:,\n|\n))+)`,
    String.raw`    \) WITH \(LOCATION = ${LIT}, DATA_SOURCE = ${ID}, FILE_FORMAT = ${ID}\)`,
  ),
  probe: shape(String.raw`SELECT TOP 1 \* FROM ${ID}\.${ID}`),
  view: shape(
    String.raw`CREATE OR ALTER VIEW ${ID}\.${ID} AS\nSELECT ((?:${ID}(?:, )?)+)\nFROM ${ID}\.${ID}`,
  ),
  dropTable: shape(
    String.raw`IF OBJECT_ID\(${LIT}\) IS NOT NULL\n    DROP EXTERNAL TABLE ${ID}\.${ID}`,
  ),
  dropView: shape(String.raw`DROP VIEW IF EXISTS ${ID}\.${ID}`),
  dropDatabase: shape(String.raw`IF DB_ID\(${LIT}\) IS NOT NULL\n    DROP DATABASE ${ID}`),
  /** What a reader runs: `SELECT * FROM dbo.Customer`, `SELECT TOP 10 * FROM [dbo].[Customer]`. */
  readerSelect:
    /^SELECT (?:TOP \d+ )?\* FROM (?:\[([^\]]+)\]|(\w+))\.(?:\[([^\]]+)\]|(\w+))\s*;?$/i,
};

export class ServerlessModel {
  private readonly databases = new Map<string, Database>();
  /** Login name (lower case) to the login. */
  private readonly logins = new Map<string, { name: string; sid: string }>();
  private readonly now: () => number;

  constructor(private readonly options: ServerlessOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A database this tool did not create, e.g. Customer Insights' own lake database. */
  addLakeDatabase(name: string, tables: string[]): void {
    const db = this.newDatabase(name, "Latin1_General_100_BIN2_UTF8", true);
    for (const t of tables)
      db.tables.set(this.key(db, `dbo.${t}`), { columns: [], location: "", dataSource: "" });
    this.databases.set(name.toLowerCase(), db);
  }

  /** An empty database made by someone else (e.g. a former export's), to fill the pool in a test. */
  addDatabase(name: string): void {
    this.databases.set(
      name.toLowerCase(),
      this.newDatabase(name, "Latin1_General_100_CI_AS_SC_UTF8", false),
    );
  }

  /** A login made earlier for a principal since deleted or renamed: its name, another SID. */
  addLogin(name: string, sid: string): void {
    this.logins.set(name.toLowerCase(), { name, sid: sid.toLowerCase() });
  }

  hasDatabase(name: string): boolean {
    return this.databases.has(name.toLowerCase());
  }

  loginNames(): string[] {
    return [...this.logins.values()].map((l) => l.name).sort();
  }

  userNames(database: string): string[] {
    const db = this.databases.get(database.toLowerCase());
    return db ? [...db.users.values()].map((u) => u.name).sort() : [];
  }

  /** For tests: the table a view reads and where that table's files are (its data source and location). */
  viewSource(
    database: string,
    view: string,
  ): { table: string; dataSource: string; location: string } | undefined {
    const db = this.databases.get(database.toLowerCase());
    const v = db?.views.get(this.key(db, view));
    const table = v && db?.tables.get(v.table);
    return table && { table: v.table, dataSource: table.dataSource, location: table.location };
  }

  /** The login step: token claims, then the database the login asks for. */
  login(token: string | undefined, database: string): Session | { error: ServerMessage } {
    // Serverless says no more than this, whatever the reason (the reason is in the server's log only).
    const failed = (why: string) => ({
      error: {
        number: 18456,
        message: "Login failed for user '<token-identified principal>'.",
        class: 14,
        why,
      },
    });
    const claims = token ? readEntraToken(token) : undefined;
    if (!claims || typeof claims.oid !== "string") return failed("The access token is not valid.");
    if (claims.aud !== SQL_AUDIENCE)
      return failed(`The token's audience '${claims.aud}' is not ${SQL_AUDIENCE}.`);
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= this.now()) {
      return failed("The access token has expired.");
    }
    const groups = claims.groups ?? [];
    const admin = this.options.administrators.includes(claims.oid);
    const session: Session = {
      objectId: claims.oid,
      name: claims.upn ?? claims.oid,
      groups,
      ...(typeof claims.appid === "string" && !claims.upn ? { appId: claims.appid } : {}),
      admin,
    };
    if (
      !admin &&
      !this.sidsOf(session).some((sid) => [...this.logins.values()].some((l) => l.sid === sid))
    ) {
      return failed("No login exists for the principal or any of its groups.");
    }
    if (database.toLowerCase() === "master") return session;
    const db = this.databases.get(database.toLowerCase());
    if (!db) {
      return err(
        4060,
        `Cannot open database "${database}" requested by the login. The login failed.`,
        11,
      );
    }
    if (!admin && !this.userOf(db, session)) {
      return err(
        916,
        `The server principal "${session.name}" is not able to access the database "${db.name}" under the current security context.`,
        14,
      );
    }
    return session;
  }

  /** Runs one batch as `session` in `database`; `sessionsIn` counts other connections to a database. */
  execute(
    session: Session,
    database: string,
    text: string,
    sessionsIn: (database: string) => number,
  ): BatchAnswer | Promise<BatchAnswer> {
    const inMaster = database.toLowerCase() === "master";
    const db = this.databases.get(database.toLowerCase());
    let m: RegExpExecArray | null;

    if ((m = SHAPES.claim.exec(text))) {
      const check = SHAPES.claimCheck.exec(unLit(m[6]));
      if (!check) return syntaxError(unLit(m[6]));
      const target = this.databases.get(unLit(m[5]).toLowerCase());
      if (!target) return OK;
      if (target.name !== unLit(m[1])) return err(Number(m[3]), unLit(m[4]));
      const marked = target.schemas.has(this.key(target, unLit(check[2])));
      const objects = target.tables.size + target.views.size > 0;
      return !marked && objects ? err(Number(check[4]), unLit(check[5])) : OK;
    }
    if ((m = SHAPES.databaseLimit.exec(text))) {
      if (this.databases.has(unLit(m[1]).toLowerCase())) return OK;
      if (this.databases.size < Number(m[2])) return OK;
      // STRING_AGG's order is not defined; the model lists the databases as it holds them.
      const held = [...this.databases.values()].map((d) => d.name).join(", ");
      return err(Number(m[4]), `${unLit(m[3])}${held}.`.slice(0, 2048));
    }
    if ((m = SHAPES.createDatabase.exec(text))) {
      if (!session.admin)
        return err(262, "CREATE DATABASE permission denied in database 'master'.", 14);
      const name = unId(m[2]);
      if (!this.databases.has(name.toLowerCase())) {
        this.databases.set(name.toLowerCase(), this.newDatabase(name, m[3], false));
      }
      return OK;
    }
    if ((m = SHAPES.dropDatabase.exec(text))) {
      const name = unId(m[2]);
      if (!this.databases.has(name.toLowerCase())) return OK;
      if (sessionsIn(name) > 0) {
        return err(3702, `Cannot drop database "${name}" because it is currently in use.`);
      }
      this.databases.delete(name.toLowerCase());
      return OK;
    }
    if ((m = SHAPES.login.exec(text))) {
      if (!session.admin)
        return err(15247, "User does not have permission to perform this action.", 14);
      const [name, sid] = [unLit(m[1]), unLit(m[2]).toLowerCase()];
      const existing = this.logins.get(name.toLowerCase());
      if (existing && existing.sid !== sid) return err(Number(m[3]), unLit(m[4]));
      if (existing) return OK;
      const created = this.createLogin(unId(m[6]));
      if ("error" in created) return created;
      if (created.sid !== sid) {
        // The batch's own DROP LOGIN, then its THROW: the login made for another principal is gone.
        this.logins.delete(name.toLowerCase());
        return err(Number(m[3]), unLit(m[10]));
      }
      return OK;
    }
    if ((m = SHAPES.loginByName.exec(text))) {
      if (!session.admin)
        return err(15247, "User does not have permission to perform this action.", 14);
      if (this.logins.has(unId(m[2]).toLowerCase())) return OK;
      const created = this.createLogin(unId(m[2]));
      return "error" in created ? created : OK;
    }

    if (SHAPES.readerSelect.test(text) && db) return this.readerSelect(session, db, text);
    if (!db || inMaster) return syntaxError(text);
    if (!session.admin) {
      // Only the export's own identity (an administrator here) runs the DDL of the plan.
      if (!SHAPES.probe.test(text))
        return err(262, `${operationOf(text)} permission denied in database '${db.name}'.`, 14);
    }
    if (db.replicated && !SHAPES.probe.test(text) && !SHAPES.listMembers.test(text)) {
      return err(15868, `Operation ${operationOf(text)} is not allowed for a replicated database.`);
    }

    const lake = this.options.lake?.execute(text, this.catalogOf(db, session));
    if (lake) return lake;

    if ((m = SHAPES.createSchema.exec(text))) {
      db.schemas.add(this.key(db, unId(m[2])));
      return OK;
    }
    if ((m = SHAPES.dataSource.exec(text))) {
      const name = unId(m[2]);
      if (!db.dataSources.has(this.key(db, name)))
        db.dataSources.set(this.key(db, name), unLit(m[3]));
      return OK;
    }
    if ((m = SHAPES.fileFormat.exec(text))) {
      db.fileFormats.set(this.key(db, unId(m[2])), m[3]);
      return OK;
    }
    if ((m = SHAPES.role.exec(text))) {
      db.roles.add(this.key(db, unId(m[2])));
      return OK;
    }
    if ((m = SHAPES.grant.exec(text))) {
      const [schema, role] = [unId(m[1]), unId(m[2])];
      if (!db.roles.has(this.key(db, role)) && !db.users.has(this.key(db, role))) {
        return err(
          15151,
          `Cannot find the user '${role}', because it does not exist or you do not have permission.`,
        );
      }
      const set = db.schemaSelect.get(this.key(db, schema)) ?? new Set<string>();
      set.add(this.key(db, role));
      db.schemaSelect.set(this.key(db, schema), set);
      return OK;
    }
    if ((m = SHAPES.user.exec(text))) {
      const [name, sid] = [unLit(m[1]), unLit(m[2]).toLowerCase()];
      const existing = db.users.get(this.key(db, name));
      if (existing && existing.sid !== sid) return err(Number(m[3]), unLit(m[4]));
      return this.createUser(db, unId(m[6]), unId(m[7]), unId(m[8]));
    }
    if ((m = SHAPES.userByName.exec(text))) {
      return this.createUser(db, unId(m[2]), unId(m[3]), "dbo");
    }
    if ((m = SHAPES.member.exec(text))) {
      const [role, user] = [unId(m[1]), unId(m[2])];
      if (!db.roles.has(this.key(db, role))) {
        return err(
          15151,
          `Cannot alter the role '${role}', because it does not exist or you do not have permission.`,
        );
      }
      if (!db.users.has(this.key(db, user))) {
        return err(
          15151,
          `Cannot add the principal '${user}', because it does not exist or you do not have permission.`,
        );
      }
      const set = db.members.get(this.key(db, role)) ?? new Set<string>();
      set.add(this.key(db, user));
      db.members.set(this.key(db, role), set);
      return OK;
    }
    if ((m = SHAPES.listMembers.exec(text))) {
      const members = [...(db.members.get(this.key(db, unLit(m[2]))) ?? [])];
      const marker = unLit(m[1]);
      const ours = (k: string) => this.same(db, db.users.get(k)?.defaultSchema ?? "", marker);
      return {
        rows: {
          columns: [
            { name: "name", type: "nvarchar" },
            { name: "ours", type: "int" },
          ],
          rows: members.map((k) => [db.users.get(k)?.name ?? k, ours(k) ? 1 : 0]),
        },
      };
    }
    if ((m = SHAPES.dropMember.exec(text))) {
      db.members.get(this.key(db, unId(m[1])))?.delete(this.key(db, unId(m[2])));
      return OK;
    }
    if ((m = SHAPES.dropUser.exec(text))) {
      const key = this.key(db, unId(m[1]));
      db.users.delete(key);
      for (const set of db.members.values()) set.delete(key);
      for (const set of db.schemaSelect.values()) set.delete(key);
      return OK;
    }
    if ((m = SHAPES.createTable.exec(text))) {
      const [schema, table] = [unId(m[2]), unId(m[3])];
      const key = this.key(db, `${schema}.${table}`);
      if (db.tables.has(key)) return OK;
      if (!db.schemas.has(this.key(db, schema))) {
        return err(
          2760,
          `The specified schema name "${schema}" either does not exist or you do not have permission to use it.`,
        );
      }
      // A missing data source or file format is left to the golden comparison: its error is not documented.
      const dataSource = unId(m[m.length - 2]);
      const columns = [...m[4].matchAll(new RegExp(`        ${ID} `, "g"))].map((c) => unId(c[1]));
      db.tables.set(key, {
        columns,
        location: unLit(m[m.length - 3]),
        dataSource: db.dataSources.get(this.key(db, dataSource)) ?? dataSource,
      });
      return OK;
    }
    if ((m = SHAPES.probe.exec(text))) {
      return this.readTable(session, db, `${unId(m[1])}.${unId(m[2])}`);
    }
    if ((m = SHAPES.view.exec(text))) {
      const view = `${unId(m[1])}.${unId(m[2])}`;
      const tableName = `${unId(m[m.length - 2])}.${unId(m[m.length - 1])}`;
      const table = db.tables.get(this.key(db, tableName));
      if (!table) return err(208, `Invalid object name '${tableName}'.`);
      const columns = [...m[3].matchAll(new RegExp(ID, "g"))].map((c) => unId(c[1]));
      const missing = columns.find((c) => !table.columns.some((t) => this.same(db, t, c)));
      if (missing) return err(207, `Invalid column name '${missing}'.`);
      db.views.set(this.key(db, view), { columns, table: this.key(db, tableName) });
      return OK;
    }
    if ((m = SHAPES.dropTable.exec(text))) {
      db.tables.delete(this.key(db, `${unId(m[2])}.${unId(m[3])}`));
      return OK;
    }
    if ((m = SHAPES.dropView.exec(text))) {
      db.views.delete(this.key(db, `${unId(m[1])}.${unId(m[2])}`));
      return OK;
    }
    return syntaxError(text);
  }

  /**
   * CREATE LOGIN ... FROM EXTERNAL PROVIDER: the name is looked up in the directory, and the login's
   * SID is the object id of a user or group, the client id of an application (sys.server_principals,
   * column sid).
   */
  private createLogin(name: string): { name: string; sid: string } | { error: ServerMessage } {
    const found = this.options.directory.filter((p) => p.name.toLowerCase() === name.toLowerCase());
    if (found.length === 0) {
      return err(
        33130,
        `Principal '${name}' could not be found or this principal type is not supported.`,
      );
    }
    if (found.length > 1) {
      return err(
        33131,
        `Principal '${name}' has a duplicate display name. Make the display name unique in Azure Active Directory and execute this statement again.`,
      );
    }
    const login = { name, sid: (found[0].appId ?? found[0].objectId).toLowerCase() };
    this.logins.set(name.toLowerCase(), login);
    return login;
  }

  private createUser(db: Database, user: string, login: string, schema: string): BatchAnswer {
    if (db.users.has(this.key(db, user))) return OK;
    const found = this.logins.get(login.toLowerCase());
    if (!found) return err(15007, `'${login}' is not a valid login or you do not have permission.`);
    db.users.set(this.key(db, user), { name: user, sid: found.sid, defaultSchema: schema });
    return OK;
  }

  private readerSelect(session: Session, db: Database, text: string): BatchAnswer {
    const m = SHAPES.readerSelect.exec(text)!;
    const schema = m[1] ?? m[2];
    const name = m[3] ?? m[4];
    const key = this.key(db, `${schema}.${name}`);
    const view = db.views.get(key);
    if (!view) {
      if (db.tables.has(key)) return this.readTable(session, db, `${schema}.${name}`);
      return err(208, `Invalid object name '${schema}.${name}'.`);
    }
    if (!this.maySelect(session, db, schema)) {
      return err(
        229,
        `The SELECT permission was denied on the object '${name}', database '${db.name}', schema '${schema}'.`,
        14,
      );
    }
    // Ownership chaining: the view and its table have one owner, so the table needs no grant of its own.
    const table = db.tables.get(view.table);
    if (!table) return err(208, `Invalid object name '${view.table}'.`);
    return this.readLake(session, table, view.columns);
  }

  private readTable(session: Session, db: Database, name: string): BatchAnswer {
    const table = db.tables.get(this.key(db, name));
    if (!table) return err(208, `Invalid object name '${name}'.`);
    if (!session.admin && !this.maySelect(session, db, name.split(".")[0])) {
      return err(
        229,
        `The SELECT permission was denied on the object '${name.split(".")[1]}', database '${db.name}', schema '${name.split(".")[0]}'.`,
        14,
      );
    }
    return this.readLake(session, table, table.columns);
  }

  /** Pass-through: the lake is read as the caller, who needs a storage data role of its own. */
  private readLake(
    session: Session,
    table: { location: string; dataSource: string },
    columns: string[],
  ): BatchAnswer {
    const ids = [session.objectId, ...session.groups];
    if (!ids.some((id) => this.options.storageReaders.includes(id))) {
      const folder = `${table.dataSource}/${table.location.replace(/[^/]*$/, "")}`;
      return err(13807, `Content of directory on path '${folder}' cannot be listed.`);
    }
    return {
      rows: { columns: columns.map((c) => ({ name: c, type: "nvarchar" as const })), rows: [] },
    };
  }

  /** What CETAS and OPENROWSET see of a database (tds/cetas.ts), in its collation's names. */
  private catalogOf(db: Database, session: Session): ExternalCatalog {
    return {
      database: db.name,
      dataSource: (name) => db.dataSources.get(this.key(db, name)),
      fileFormat: (name) => db.fileFormats.get(this.key(db, name)),
      hasSchema: (name) => db.schemas.has(this.key(db, name)),
      table: (schema, name) => db.tables.get(this.key(db, `${schema}.${name}`)),
      addTable: (schema, name, table) =>
        void db.tables.set(this.key(db, `${schema}.${name}`), table),
      callerReadsLake: [session.objectId, ...session.groups].some((id) =>
        this.options.storageReaders.includes(id),
      ),
    };
  }

  private maySelect(session: Session, db: Database, schema: string): boolean {
    if (session.admin) return true;
    const user = this.userOf(db, session);
    if (!user) return false;
    const holders = db.schemaSelect.get(this.key(db, schema)) ?? new Set<string>();
    const userKeys = this.userKeysOf(db, session);
    return [...holders].some(
      (h) => userKeys.includes(h) || userKeys.some((u) => db.members.get(h)?.has(u)),
    );
  }

  /** What the login's and users' SIDs are matched against: the app's client id, or the object id. */
  private sidsOf(session: Session): string[] {
    return [session.appId ?? session.objectId, ...session.groups].map((id) => id.toLowerCase());
  }

  private userKeysOf(db: Database, session: Session): string[] {
    const sids = this.sidsOf(session);
    return [...db.users.entries()].filter(([, u]) => sids.includes(u.sid)).map(([k]) => k);
  }

  private userOf(db: Database, session: Session): boolean {
    return this.userKeysOf(db, session).length > 0;
  }

  private newDatabase(name: string, collation: string, replicated: boolean): Database {
    const db: Database = {
      name,
      collation,
      replicated,
      schemas: new Set(),
      dataSources: new Map(),
      fileFormats: new Map(),
      tables: new Map(),
      views: new Map(),
      roles: new Set(),
      users: new Map(),
      members: new Map(),
      schemaSelect: new Map(),
    };
    db.schemas.add(this.key(db, "dbo"));
    return db;
  }

  /** Object names compare by the database collation: case-insensitive unless it is binary. */
  private key(db: Database, name: string): string {
    return /_CI_/i.test(db.collation) ? name.toLowerCase() : name;
  }

  private same(db: Database, a: string, b: string): boolean {
    return this.key(db, a) === this.key(db, b);
  }
}

/** The DDL a batch runs, as serverless names it in a refusal: `CREATE EXTERNAL DATA SOURCE`, `CREATE SCHEMA`. */
function operationOf(text: string): string {
  const m =
    /\b(CREATE OR ALTER|CREATE|ALTER|DROP|GRANT)\s+(EXTERNAL (?:DATA SOURCE|FILE FORMAT|TABLE)|SCHEMA|VIEW|ROLE|USER|LOGIN|DATABASE)?/.exec(
      text.replace(/\b(?:IF|EXEC)\b[^\n]*?(?=\b(?:CREATE|ALTER|DROP|GRANT)\b)/g, ""),
    );
  if (!m) return "This";
  return m[1] === "GRANT"
    ? "GRANT"
    : [m[1] === "CREATE OR ALTER" ? "ALTER" : m[1], m[2]].filter(Boolean).join(" ");
}

function syntaxError(text: string): BatchAnswer {
  const near = text.trim().split(/\s+/)[0] ?? "";
  return err(102, `Incorrect syntax near '${near}'.`, 15);
}
