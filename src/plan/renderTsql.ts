// Renders the SQL plan as T-SQL for Synapse serverless SQL pools. What serverless requires, and why
// each statement looks the way it does:
// - CREATE DATABASE runs from master, with a case-insensitive UTF-8 collation: a binary database
//   collation makes object names case-sensitive (`dbo.customer` is not `dbo.Customer`), while string
//   columns read from Parquet keep Latin1_General_100_BIN2_UTF8, which is what gives predicate pushdown
//   (https://learn.microsoft.com/azure/synapse-analytics/sql/best-practices-serverless-sql-pool).
// - Caller pass-through: the data source has no credential, so every query reads the lake as the
//   Microsoft Entra principal that runs it: the export's own probe as the deployer, a view as the
//   reader who queries it, whose Storage Blob Data Reader grant is what lets it read
//   (https://learn.microsoft.com/azure/synapse-analytics/sql/develop-storage-files-storage-access-control,
//   "user identity", the default for Entra principals). No master key, no credential, no REFERENCES.
// - Readers: a login in master `FROM EXTERNAL PROVIDER`, a user `FROM LOGIN` in the database, and
//   membership in our role that holds SELECT on schema dbo (see sqlAccess.ts for why by name).
// - The database is claimed before anything else: one that exists without our marker schema is
//   refused with THROW before any change, e.g. the read-only lake database of Customer Insights' own
//   export, which refuses DDL ("Operation isn't allowed for a replicated database").
// - One statement per batch, no transaction around DDL; CREATE VIEW must be first in its batch, so
//   the view switch is `CREATE OR ALTER VIEW` on its own; everything else is guarded by an existence
//   check so that a re-run after any failure converges.
// - External tables cannot be altered (no ALTER EXTERNAL TABLE): each snapshot gets a new table and
//   old ones are dropped (https://learn.microsoft.com/azure/synapse-analytics/sql/develop-tables-external-tables).
// - LOCATION ends in `*.parquet` so the snapshot's `_manifest.json` is never read as data.

import { createHash } from "node:crypto";
import { partExtension, snapshotLocation } from "./lakeLayout";
import {
  quoteTsqlIdentifier as id,
  quoteTsqlLiteral as lit,
  quoteTsqlName as name,
} from "./sqlQuote";
import { READER_ROLE, type SqlLogin } from "./sqlAccess";
import {
  SNAPSHOT_ROWS,
  SNAPSHOT_SCHEMA,
  VIEW_SCHEMA,
  snapshotTableName,
  type SqlStep,
} from "./sqlPlan";
import type { SqlStatement } from "./sqlStatement";
import { externalColumnType, MAX_POOL_DATABASES } from "./serverlessLimits";
import { renderCetas, renderCetasCheck, type CetasTarget } from "./renderCetas";
import type { ColumnSpec, ExportFormat } from "../spec/types";

export interface TsqlTarget {
  database: string;
  /** `https://<account>.dfs.core.windows.net/<container>/<databaseFolder>`: the export's folder. */
  dataSourceLocation: string;
}

/** The database's collation: case-insensitive object names, UTF-8 strings (see the header). */
export const DATABASE_COLLATION = "Latin1_General_100_CI_AS_SC_UTF8";
/** The schema whose presence says "synapse-export created this database" (serverless has no extended properties to mark it). */
export const OWNERSHIP_SCHEMA = "synapse_export";
/** THROW's user error numbers (50000 and above are for user-defined errors). */
export const NOT_OURS_ERROR = 50001;
export const DATABASE_LIMIT_ERROR = 50002;
/** A login or user of a reader's name exists with another SID: another Entra principal of that name. */
export const OTHER_PRINCIPAL_ERROR = 50003;
/** The pool holds the export's database under another spelling (names compare ignoring case). */
export const OTHER_SPELLING_ERROR = 50004;
/** Databases a serverless SQL pool holds at most, counted here without master. */
export const MAX_DATABASES = MAX_POOL_DATABASES;

/**
 * The data source is named after its location and its access model: a spec that moves the export to
 * another account or container gets a new data source (the old one keeps serving the old snapshots'
 * tables), and so does a database made by an earlier version, whose data source read the lake through
 * the workspace identity's credential: new tables never resolve against the old location or identity.
 */
export function dataSourceName(location: string): string {
  const key = `caller:${location.toLowerCase()}`;
  return `SynapseExportLake_${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}
const FILE_FORMAT_NAME: Record<ExportFormat, string> = {
  parquet: "SynapseExportParquet",
  csv: "SynapseExportCsv",
};

export function renderTsql(steps: readonly SqlStep[], target: TsqlTarget): SqlStatement[] {
  return steps.map((s) => renderStep(s, target));
}

function renderStep(s: SqlStep, t: TsqlTarget): SqlStatement {
  const inDb = (statement: string, purpose: string): SqlStatement => ({
    database: t.database,
    statement,
    purpose,
  });
  const inMaster = (statement: string, purpose: string): SqlStatement => ({
    database: "master",
    statement,
    purpose,
  });
  switch (s.step) {
    case "claimDatabase": {
      // Cross-database catalog views are readable from master (serverless supports cross-database
      // queries). A database with no objects of its own is one we created and lost before marking.
      // The check names the database's catalog, so it runs through EXEC behind the DB_ID guard: a
      // statement is bound as a whole before it runs, and `[db].sys.schemas` cannot be bound on a pool
      // without db, whatever DB_ID says. THROW inside EXEC reaches the client with its own number.
      const check =
        `IF NOT EXISTS (SELECT * FROM ${id(t.database)}.sys.schemas WHERE name = ${lit(OWNERSHIP_SCHEMA)})\n` +
        `        AND EXISTS (SELECT * FROM ${id(t.database)}.sys.objects WHERE is_ms_shipped = 0)\n` +
        `        THROW ${NOT_OURS_ERROR}, ${lit(notOursMessage(t.database))}, 1`;
      // Database names compare by master's collation, which ignores case: `CI_EXPORT` finds the
      // database `ci_export` is, which a rename that changes only the case would take over (and a
      // drop of the "old" one would drop). A binary COLLATE tells the two spellings apart.
      const spelling =
        `IF EXISTS (SELECT * FROM sys.databases WHERE name = ${lit(t.database)} AND name COLLATE Latin1_General_100_BIN2 <> ${lit(t.database)})\n` +
        `    THROW ${OTHER_SPELLING_ERROR}, ${lit(otherSpellingMessage(t.database))}, 1;\n`;
      return inMaster(
        `${spelling}IF DB_ID(${lit(t.database)}) IS NOT NULL\n    EXEC (${lit(check)})`,
        `refuse a database ${t.database} that synapse-export did not create, or that the pool holds under another spelling, before any change`,
      );
    }
    case "checkDatabaseLimit": {
      // The refusal names the databases the pool holds (the left-behind ones are among them): a THROW
      // message is at most 2048 characters, so the list is cut there. STRING_AGG (which "applies to Azure
      // Synapse Analytics", https://learn.microsoft.com/sql/t-sql/functions/string-agg-transact-sql) without WITHIN GROUP:
      // the order does not matter, and the list is for a person to read.
      const others = "FROM sys.databases WHERE name <> N'master'";
      return inMaster(
        `IF DB_ID(${lit(t.database)}) IS NULL
` +
          `    AND (SELECT COUNT(*) ${others}) >= ${MAX_DATABASES}
` +
          `BEGIN
` +
          `    DECLARE @held nvarchar(max) = (SELECT STRING_AGG(CAST(name AS nvarchar(max)), N', ') ${others});
` +
          `    DECLARE @message nvarchar(2048) = LEFT(${lit(databaseLimitMessage(t.database))} + @held + N'.', 2048);
` +
          `    THROW ${DATABASE_LIMIT_ERROR}, @message, 1;
` +
          `END`,
        `refuse to create ${t.database} when the pool already holds ${MAX_DATABASES} databases, naming them, before any change`,
      );
    }
    case "createDatabase":
      return inMaster(
        // EXEC runs CREATE DATABASE as a batch of its own, which it must be; the guard stays outside.
        `IF DB_ID(${lit(t.database)}) IS NULL\n    EXEC (${lit(`CREATE DATABASE ${id(t.database)} COLLATE ${DATABASE_COLLATION}`)})`,
        `create the export database ${t.database} if it does not exist (a serverless pool holds at most 100 databases; a new databaseName leaves this one behind unless onEntityRemoved: drop)`,
      );
    case "markDatabase":
      return inDb(
        `IF SCHEMA_ID(${lit(OWNERSHIP_SCHEMA)}) IS NULL\n    EXEC (${lit(`CREATE SCHEMA ${id(OWNERSHIP_SCHEMA)}`)})`,
        `mark ${t.database} as created by synapse-export`,
      );
    case "createDataSource":
      return inDb(
        `IF NOT EXISTS (SELECT * FROM sys.external_data_sources WHERE name = ${lit(dataSourceName(t.dataSourceLocation))})\n` +
          `    CREATE EXTERNAL DATA SOURCE ${id(dataSourceName(t.dataSourceLocation))} WITH (LOCATION = ${lit(t.dataSourceLocation)})`,
        `point the database at the export's folder ${t.dataSourceLocation}, read as the caller (no credential)`,
      );
    case "createReaderRole":
      return inDb(
        `IF DATABASE_PRINCIPAL_ID(${lit(READER_ROLE)}) IS NULL\n    CREATE ROLE ${id(READER_ROLE)}`,
        "create the role whose members read every view",
      );
    case "grantReaderRole":
      return inDb(
        `GRANT SELECT ON SCHEMA::${id(VIEW_SCHEMA)} TO ${id(READER_ROLE)}`,
        `let the reader role select from the views in schema ${VIEW_SCHEMA}`,
      );
    case "createLogin": {
      // By name (serverless has no WITH OBJECT_ID, sqlAccess.ts), then by SID: a login of that name
      // with another SID is refused before any change, and one that CREATE LOGIN just made for another
      // principal of the name is dropped again before the refusal, so nothing is left half-done.
      // CREATE LOGIN runs through EXEC: it must be the only statement in its batch (CREATE LOGIN,
      // Azure Synapse Analytics, "Logins"). THROW needs the statement before it ended with `;`.
      const other = `EXISTS (SELECT * FROM sys.server_principals WHERE name = ${lit(s.login.name)} AND sid <> ${sidOf(s.login)})`;
      const message = lit(otherPrincipalMessage("login", s.login));
      return inMaster(
        `IF ${other}
    THROW ${OTHER_PRINCIPAL_ERROR}, ${message}, 1;
` +
          `IF SUSER_ID(${lit(s.login.name)}) IS NULL
` +
          `BEGIN
` +
          `    EXEC (${lit(`CREATE LOGIN ${id(s.login.name)} FROM EXTERNAL PROVIDER`)});
` +
          `    IF ${other}
` +
          `    BEGIN
` +
          `        EXEC (${lit(`DROP LOGIN ${id(s.login.name)}`)});
` +
          `        THROW ${OTHER_PRINCIPAL_ERROR}, ${message}, 1;
` +
          `    END
` +
          `END`,
        `create the login of ${s.login.as} ${s.login.name} (${s.login.type} ${s.login.objectId}) if it does not exist, and refuse one of another principal`,
      );
    }
    case "createUser":
      return inDb(
        // Our default schema marks the user as ours (sqlAccess.ts): only such a user is ever dropped.
        `IF EXISTS (SELECT * FROM sys.database_principals WHERE name = ${lit(s.login.name)} AND sid <> ${sidOf(s.login)})
` +
          `    THROW ${OTHER_PRINCIPAL_ERROR}, ${lit(otherPrincipalMessage("user", s.login))}, 1;
` +
          `IF DATABASE_PRINCIPAL_ID(${lit(s.login.name)}) IS NULL
` +
          `    CREATE USER ${id(s.login.name)} FROM LOGIN ${id(s.login.name)} WITH DEFAULT_SCHEMA = ${id(OWNERSHIP_SCHEMA)}`,
        `create the database user of ${s.login.as} ${s.login.name}, and refuse one of another principal`,
      );
    case "addReader":
      return inDb(
        // Adding a member twice is no error, so no guard (IS_ROLEMEMBER's NULL would skip it silently).
        `ALTER ROLE ${id(READER_ROLE)} ADD MEMBER ${id(s.login.name)}`,
        `let ${s.login.as} ${s.login.name} read every view`,
      );
    case "listReaders":
      return inDb(
        "SELECT member.name AS name,\n" +
          `    CASE WHEN member.default_schema_name = ${lit(OWNERSHIP_SCHEMA)} THEN 1 ELSE 0 END AS ours\n` +
          "    FROM sys.database_role_members AS m\n" +
          "    JOIN sys.database_principals AS role ON role.principal_id = m.role_principal_id\n" +
          "    JOIN sys.database_principals AS member ON member.principal_id = m.member_principal_id\n" +
          `    WHERE role.name = ${lit(READER_ROLE)}`,
        "list the readers that have access now, and which users synapse-export created",
      );
    case "dropReader":
      return inDb(
        `DROP USER IF EXISTS ${id(s.user)}`,
        `remove ${s.user}'s access: no longer a reader in the spec, a user synapse-export created (its login stays)`,
      );
    case "unassignReader":
      return inDb(
        `ALTER ROLE ${id(READER_ROLE)} DROP MEMBER ${id(s.user)}`,
        `take ${s.user} out of the reader role: no longer a reader in the spec, and a user synapse-export did not create, so it is not dropped`,
      );
    case "createFileFormat":
      return inDb(
        `IF NOT EXISTS (SELECT * FROM sys.external_file_formats WHERE name = ${lit(FILE_FORMAT_NAME[s.format])})\n` +
          `    CREATE EXTERNAL FILE FORMAT ${id(FILE_FORMAT_NAME[s.format])} WITH (${fileFormatOptions(s.format)})`,
        `declare the ${s.format} file format of the snapshots`,
      );
    case "createSnapshotSchema":
      return inDb(
        `IF SCHEMA_ID(${lit(SNAPSHOT_SCHEMA)}) IS NULL\n    EXEC (${lit(`CREATE SCHEMA ${id(SNAPSHOT_SCHEMA)}`)})`,
        "create the schema that holds one table per snapshot",
      );
    case "createSnapshotTable": {
      const table = name(SNAPSHOT_SCHEMA, snapshotTableName(s.entity, s.snapshot));
      const location = `${snapshotLocation(s.entity, s.snapshot)}*.${partExtension(s.format)}`;
      return inDb(
        `IF OBJECT_ID(${lit(table)}) IS NULL\n    CREATE EXTERNAL TABLE ${table} (\n` +
          `${columnList(s.columns, s.format)}\n    ) WITH (LOCATION = ${lit(location)}, DATA_SOURCE = ${id(dataSourceName(t.dataSourceLocation))}, FILE_FORMAT = ${id(FILE_FORMAT_NAME[s.format])})`,
        `create the table of ${s.entity} snapshot ${s.snapshot}`,
      );
    }
    case "checkLakeSource":
    case "exportLakeSource": {
      const cetas: CetasTarget = {
        database: t.database,
        dataSource: dataSourceName(t.dataSourceLocation),
        fileFormat: FILE_FORMAT_NAME.parquet,
      };
      const input = { entity: s.entity, snapshot: s.snapshot, source: s.source };
      return s.step === "checkLakeSource"
        ? renderCetasCheck(input, cetas)
        : renderCetas(input, cetas);
    }
    case "countLakeSnapshot":
      return inDb(
        `SELECT COUNT_BIG(*) AS ${id(SNAPSHOT_ROWS)} FROM ${name(SNAPSHOT_SCHEMA, snapshotTableName(s.entity, s.snapshot))}`,
        `count the rows of the parts the CETAS of ${s.entity} snapshot ${s.snapshot} wrote`,
      );
    case "probeSnapshotTable":
      return inDb(
        `SELECT TOP 1 * FROM ${name(SNAPSHOT_SCHEMA, snapshotTableName(s.entity, s.snapshot))}`,
        `read ${s.entity} snapshot ${s.snapshot} before the view points at it`,
      );
    case "switchView":
      return inDb(
        `CREATE OR ALTER VIEW ${name(VIEW_SCHEMA, s.entity)} AS\n` +
          `SELECT ${s.columns.map((c) => id(c.name)).join(", ")}\n` +
          `FROM ${name(SNAPSHOT_SCHEMA, snapshotTableName(s.entity, s.snapshot))}`,
        `point the view ${VIEW_SCHEMA}.${s.entity} at snapshot ${s.snapshot}`,
      );
    case "dropSnapshotTable": {
      const table = name(SNAPSHOT_SCHEMA, snapshotTableName(s.entity, s.snapshot));
      return inDb(
        `IF OBJECT_ID(${lit(table)}) IS NOT NULL\n    DROP EXTERNAL TABLE ${table}`,
        `drop the table of ${s.entity} snapshot ${s.snapshot}, removed by retention`,
      );
    }
    case "dropDatabase":
      return inMaster(
        `IF DB_ID(${lit(t.database)}) IS NOT NULL\n    DROP DATABASE ${id(t.database)}`,
        `drop the export database ${t.database} (onEntityRemoved: drop)`,
      );
    case "dropView":
      return inDb(
        `DROP VIEW IF EXISTS ${name(VIEW_SCHEMA, s.entity)}`,
        `drop the view of ${s.entity}, removed from the export (onEntityRemoved: drop)`,
      );
  }
}

function databaseLimitMessage(database: string): string {
  return (
    `The serverless SQL pool already holds ${MAX_DATABASES} databases besides master, its limit, so ${database} cannot be created. Nothing was changed. ` +
    "Drop the databases nothing uses any more: an export whose databaseName changed leaves its old database behind unless onEntityRemoved: drop. " +
    "The pool holds: "
  );
}

/** The SID serverless gives an Entra login: the binary form of the object id (client id for an app). */
function sidOf(login: SqlLogin): string {
  return `CAST(CAST(${lit(login.sid)} AS uniqueidentifier) AS varbinary(16))`;
}

function otherPrincipalMessage(what: "login" | "user", login: SqlLogin): string {
  const idName = login.type === "ServicePrincipal" ? "application (client) id" : "object id";
  return (
    `The ${what} ${login.name} belongs to another Entra principal than ${login.as} ${login.objectId} (its SID is not the ${idName} ${login.sid}), ` +
    `for example one deleted and re-created under the same name, or another ${login.type === "User" ? "user" : "principal"} of that display name. Nothing was changed for it. ` +
    `Drop that ${what} if it is stale, or check the objectId and name of ${login.name} in the spec.`
  );
}

function otherSpellingMessage(database: string): string {
  return (
    `export.databaseName "${database}": the serverless SQL pool already holds this database under another spelling, ` +
    `and database names compare ignoring case, so "${database}" would not be a new database. Nothing was changed. ` +
    "Keep the existing spelling, or choose a name that differs in more than case."
  );
}

function notOursMessage(database: string): string {
  return (
    `Database ${database} exists but was not created by synapse-export (it has no ${OWNERSHIP_SCHEMA} schema), ` +
    "for example the lake database of Customer Insights' own export, which T-SQL cannot change. Nothing was changed. " +
    "Choose another export.databaseName, or drop that database if nothing uses it."
  );
}

function columnList(columns: readonly ColumnSpec[], format: ExportFormat): string {
  return columns.map((c) => `        ${id(c.name)} ${externalColumnType(c, format)}`).join(",\n");
}

function fileFormatOptions(format: ExportFormat): string {
  if (format === "parquet") {
    return `FORMAT_TYPE = PARQUET, DATA_COMPRESSION = ${lit("org.apache.hadoop.io.compress.SnappyCodec")}`;
  }
  // PARSER_VERSION 2.0 reads RFC 4180 quoting (doubled quotes, newlines in quoted fields).
  return (
    `FORMAT_TYPE = DELIMITEDTEXT, FORMAT_OPTIONS (FIELD_TERMINATOR = ${lit(",")}, STRING_DELIMITER = ${lit('"')}, ` +
    `FIRST_ROW = 2, USE_TYPE_DEFAULT = FALSE, ENCODING = ${lit("UTF8")}, PARSER_VERSION = ${lit("2.0")})`
  );
}
