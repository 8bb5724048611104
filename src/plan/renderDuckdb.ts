// Renders the SQL plan as DuckDB SQL for the local target: one DuckDB file per export database, a
// view per entity in `main` (so `SELECT * FROM Customer` works as in Synapse's dbo), and one view per
// snapshot in `snapshots` over its files. DuckDB reads the lake directly, so the Synapse-only steps
// (master key, credential, data source, file format) render to nothing.

import { literalDuckdbPath } from "./duckdbPath";
import { partExtension, snapshotFolder } from "./lakeLayout";
import { quoteDuckdbIdentifier as id, quoteDuckdbLiteral as lit } from "./sqlQuote";
import { SNAPSHOT_ROWS, SNAPSHOT_SCHEMA, snapshotTableName, type SqlStep } from "./sqlPlan";
import type { SqlStatement } from "./sqlStatement";
import { duckdbType } from "./typeMapping";
import type { ColumnSpec, ExportFormat } from "../spec/types";

export interface DuckdbTarget {
  database: string;
  /** Absolute path of the local container root (the lake's `<dir>/<container>`). */
  lakeRoot: string;
}

export const DUCKDB_VIEW_SCHEMA = "main";

export function renderDuckdb(steps: readonly SqlStep[], target: DuckdbTarget): SqlStatement[] {
  return steps.flatMap((s) => renderStep(s, target));
}

function renderStep(s: SqlStep, t: DuckdbTarget): SqlStatement[] {
  const inDb = (statement: string, purpose: string): SqlStatement[] => [
    { database: t.database, statement, purpose },
  ];
  const snapshotView = (entity: string, snapshot: string) =>
    `${id(SNAPSHOT_SCHEMA)}.${id(snapshotTableName(entity, snapshot))}`;
  switch (s.step) {
    // DuckDB has no logins, users or roles, and the file is ours by its path: the local target does not
    // model who may read (README, "What the local target does not model").
    case "claimDatabase":
    case "checkDatabaseLimit":
    case "markDatabase":
    case "createReaderRole":
    case "grantReaderRole":
    case "createLogin":
    case "createUser":
    case "addReader":
    case "listReaders":
    case "dropReader":
    case "unassignReader":
    case "createDatabase":
    case "createDataSource":
    case "createFileFormat":
    case "dropDatabase": // the local database is a file: the target removes it (engine/targets.ts)
      return [];
    case "createSnapshotSchema":
      return inDb(
        `CREATE SCHEMA IF NOT EXISTS ${id(SNAPSHOT_SCHEMA)}`,
        "create the schema of snapshot views",
      );
    case "createSnapshotTable": {
      // The manifest's own files, each matching only itself: a lake folder whose path has glob
      // characters (`--local out[1]`) must not read another folder's files (see duckdbPath.ts).
      const folder = `${literalDuckdbPath(t.lakeRoot)}/${literalDuckdbPath(snapshotFolder(t.database, s.entity, s.snapshot))}`;
      const files = s.files
        ? `[${s.files.map((f) => lit(`${folder}/${literalDuckdbPath(f)}`)).join(", ")}]`
        : lit(`${folder}/*.${partExtension(s.format)}`);
      return inDb(
        // Replaced, not kept: a view made by an earlier version reads as that version read.
        `CREATE OR REPLACE VIEW ${snapshotView(s.entity, s.snapshot)} AS SELECT * FROM ${reader(files, s.format, s.columns)}`,
        `create the view of ${s.entity} snapshot ${s.snapshot}`,
      );
    }
    case "checkLakeSource":
    case "exportLakeSource":
      // The local target renders these two with the runner's strict casts, which live in the engine
      // (engine/serverSide/localLakeStatements.ts; localTarget's render sends them there).
      throw new Error(
        `entity ${s.entity}: the ${s.step} step is rendered by the local target (engine/serverSide/localLakeStatements.ts), not by renderDuckdb`,
      );
    case "countLakeSnapshot": {
      // The parts of the snapshot's fresh folder, whatever wrote them (the local export's COPY).
      const folder = `${literalDuckdbPath(t.lakeRoot)}/${literalDuckdbPath(snapshotFolder(t.database, s.entity, s.snapshot))}`;
      return inDb(
        `SELECT count(*) AS ${id(SNAPSHOT_ROWS)} FROM read_parquet(${lit(`${folder}/*.parquet`)}, hive_partitioning = false)`,
        `count the rows of the parts written for ${s.entity} snapshot ${s.snapshot}`,
      );
    }
    case "probeSnapshotTable":
      return inDb(
        `SELECT * FROM ${snapshotView(s.entity, s.snapshot)} LIMIT 1`,
        `read ${s.entity} snapshot ${s.snapshot} before the view points at it`,
      );
    case "switchView":
      return inDb(
        `CREATE OR REPLACE VIEW ${id(DUCKDB_VIEW_SCHEMA)}.${id(s.entity)} AS SELECT ${s.columns
          .map((c) => id(c.name))
          .join(", ")} FROM ${snapshotView(s.entity, s.snapshot)}`,
        `point the view ${s.entity} at snapshot ${s.snapshot}`,
      );
    case "dropSnapshotTable":
      return inDb(
        `DROP VIEW IF EXISTS ${snapshotView(s.entity, s.snapshot)}`,
        `drop the view of ${s.entity} snapshot ${s.snapshot}, removed by retention`,
      );
    case "dropView":
      return inDb(
        `DROP VIEW IF EXISTS ${id(DUCKDB_VIEW_SCHEMA)}.${id(s.entity)}`,
        `drop the view of ${s.entity}, removed from the export (onEntityRemoved: drop)`,
      );
  }
}

/** `files` is SQL already: a quoted path or a list of quoted paths. */
function reader(files: string, format: ExportFormat, columns: readonly ColumnSpec[]): string {
  // Our folders are named `v=<snapshot>`: without hive_partitioning = false DuckDB would add (or
  // replace an entity column with) a column `v` taken from the path.
  if (format === "parquet") return `read_parquet(${files}, hive_partitioning = false)`;
  const struct = columns.map((c) => `${lit(c.name)}: ${lit(duckdbType(c))}`).join(", ");
  // allow_quoted_nulls = false: the writer quotes an empty string (`""`) and leaves NULL empty, and
  // DuckDB's reader would otherwise read `""` as NULL too (its default), as the source reader does not.
  return `read_csv(${files}, header = true, auto_detect = false, hive_partitioning = false, allow_quoted_nulls = false, columns = {${struct}})`;
}
