// Renders the SQL plan as T-SQL for Synapse serverless SQL pools. What serverless requires, and why
// each statement looks the way it does:
// - CREATE DATABASE runs from master; a UTF-8 collation so strings read from Parquet keep their
//   characters (https://learn.microsoft.com/azure/synapse-analytics/sql/best-practices-serverless-sql-pool).
// - The data source reads the lake as the workspace's managed identity through a database scoped
//   credential (IDENTITY = 'Managed Identity'), which needs a database master key first
//   (https://learn.microsoft.com/azure/synapse-analytics/sql/develop-storage-files-storage-access-control).
//   The master key has no password (optional in Synapse): no secret reaches the wire, the plan or a log.
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
import { SNAPSHOT_SCHEMA, VIEW_SCHEMA, snapshotTableName, type SqlStep } from "./sqlPlan";
import type { SqlStatement } from "./sqlStatement";
import { UTF8_COLLATION, tsqlType } from "./typeMapping";
import type { ColumnSpec, ExportFormat } from "../spec/types";

export interface TsqlTarget {
  database: string;
  /** `https://<account>.dfs.core.windows.net/<container>/<databaseFolder>`: the export's folder. */
  dataSourceLocation: string;
}

export const CREDENTIAL_NAME = "SynapseExportWorkspaceIdentity";
/**
 * The data source is named after its location: a spec that moves the export to another account or
 * container gets a new data source (the old one keeps serving the old snapshots' tables), instead of
 * new tables silently resolving against the old location.
 */
export function dataSourceName(location: string): string {
  return `SynapseExportLake_${createHash("sha256").update(location.toLowerCase()).digest("hex").slice(0, 8)}`;
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
  switch (s.step) {
    case "createDatabase":
      return {
        database: "master",
        purpose: `create the export database ${t.database} if it does not exist`,
        // EXEC runs CREATE DATABASE as a batch of its own, which it must be; the guard stays outside.
        statement: `IF DB_ID(${lit(t.database)}) IS NULL\n    EXEC (${lit(`CREATE DATABASE ${id(t.database)} COLLATE ${UTF8_COLLATION}`)})`,
      };
    case "createMasterKey":
      // In Azure Synapse the password is optional: the key is protected by the service master key,
      // so no secret is in the plan, on the wire or in a log
      // (https://learn.microsoft.com/sql/t-sql/statements/create-master-key-transact-sql).
      return inDb(
        "IF NOT EXISTS (SELECT * FROM sys.symmetric_keys WHERE name = N'##MS_DatabaseMasterKey##')\n    CREATE MASTER KEY",
        "create the database master key that protects the lake credential",
      );
    case "createCredential":
      return inDb(
        `IF NOT EXISTS (SELECT * FROM sys.database_scoped_credentials WHERE name = ${lit(CREDENTIAL_NAME)})\n` +
          `    CREATE DATABASE SCOPED CREDENTIAL ${id(CREDENTIAL_NAME)} WITH IDENTITY = ${lit("Managed Identity")}`,
        "let the database read the lake as the workspace managed identity",
      );
    case "createDataSource":
      return inDb(
        `IF NOT EXISTS (SELECT * FROM sys.external_data_sources WHERE name = ${lit(dataSourceName(t.dataSourceLocation))})\n` +
          `    CREATE EXTERNAL DATA SOURCE ${id(dataSourceName(t.dataSourceLocation))} WITH (LOCATION = ${lit(t.dataSourceLocation)}, CREDENTIAL = ${id(CREDENTIAL_NAME)})`,
        `point the database at the export's folder ${t.dataSourceLocation}`,
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
          `${columnList(s.columns)}\n    ) WITH (LOCATION = ${lit(location)}, DATA_SOURCE = ${id(dataSourceName(t.dataSourceLocation))}, FILE_FORMAT = ${id(FILE_FORMAT_NAME[s.format])})`,
        `create the table of ${s.entity} snapshot ${s.snapshot}`,
      );
    }
    case "probeSnapshotTable":
      return inDb(
        `SELECT TOP 1 * FROM ${name(SNAPSHOT_SCHEMA, snapshotTableName(s.entity, s.snapshot))}`,
        `read ${s.entity} snapshot ${s.snapshot} as the workspace identity before the view points at it`,
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
      return {
        database: "master",
        purpose: `drop the export database ${t.database} (onEntityRemoved: drop)`,
        statement: `IF DB_ID(${lit(t.database)}) IS NOT NULL\n    DROP DATABASE ${id(t.database)}`,
      };
    case "dropView":
      return inDb(
        `DROP VIEW IF EXISTS ${name(VIEW_SCHEMA, s.entity)}`,
        `drop the view of ${s.entity}, removed from the export (onEntityRemoved: drop)`,
      );
  }
}

function columnList(columns: readonly ColumnSpec[]): string {
  return columns.map((c) => `        ${id(c.name)} ${tsqlType(c)}`).join(",\n");
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
