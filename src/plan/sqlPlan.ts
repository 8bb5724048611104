// The SQL plan of an export database, as logical steps. One plan, rendered two ways: T-SQL for Synapse
// serverless SQL (renderTsql.ts) and DuckDB SQL for the local target (renderDuckdb.ts), so the local
// demo exercises the same decisions as Azure.
//
// Readers never see half an export: each snapshot gets its own table, and the stable view
// `[dbo].[<Entity>]` is switched to it in one statement once the snapshot is complete.

import { MAX_EXTERNAL_TABLE_NAME, snapshotTableStem } from "../spec/nameRules";
import type { ColumnSpec, ExportFormat } from "../spec/types";
import type { SnapshotManifest } from "./manifest";
import type { SqlLogin } from "./sqlAccess";
import type { LakeFileHeader, LakeSourceFiles } from "./lakeSource";

/** Where per-snapshot tables live, beside the user's own objects in dbo. */
export const SNAPSHOT_SCHEMA = "snapshots";
/** The alias of the row count a countLakeSnapshot query returns. */
export const SNAPSHOT_ROWS = "rows";
export const VIEW_SCHEMA = "dbo";
export { MAX_EXTERNAL_TABLE_NAME };

export type SqlStep =
  /** Before anything else: a database of that name that we did not create is refused, untouched. */
  | { step: "claimDatabase" }
  /** A new database only while the pool holds fewer than its 100. */
  | { step: "checkDatabaseLimit" }
  | { step: "createDatabase" }
  /** Marks the database as ours, right after creating it, so a later run may write into it. */
  | { step: "markDatabase" }
  | { step: "createDataSource" }
  | { step: "createFileFormat"; format: ExportFormat }
  | { step: "createSnapshotSchema" }
  | {
      step: "createSnapshotTable";
      entity: string;
      snapshot: string;
      columns: ColumnSpec[];
      format: ExportFormat;
      /** The manifest's part files: a local table reads exactly these (absent in a preview plan). */
      files?: string[];
    }
  /**
   * Server-side export (renderCetas.ts): count the lake source's values that do not fit their columns
   * (a query; any count above 0 fails the entity before anything is written)...
   */
  | {
      step: "checkLakeSource";
      entity: string;
      snapshot: string;
      source: LakeSourceFiles;
      headers?: readonly LakeFileHeader[];
    }
  /** ...then CETAS writes the snapshot's Parquet parts and creates its table in one statement. */
  | {
      step: "exportLakeSource";
      entity: string;
      snapshot: string;
      source: LakeSourceFiles;
      headers?: readonly LakeFileHeader[];
    }
  /**
   * ...then the rows of the parts it wrote are counted through the table it created: the manifest
   * records what the files hold, not only the count serverless reports for the CETAS (undocumented).
   */
  | { step: "countLakeSnapshot"; entity: string; snapshot: string }
  /** Reads one row through the new table: a missing storage grant fails here, not in a reader's query. */
  | { step: "probeSnapshotTable"; entity: string; snapshot: string }
  | { step: "switchView"; entity: string; snapshot: string; columns: ColumnSpec[] }
  | { step: "dropSnapshotTable"; entity: string; snapshot: string }
  | { step: "dropView"; entity: string }
  | { step: "dropDatabase" }
  /** The database role whose members read every view, and its SELECT on schema dbo. */
  | { step: "createReaderRole" }
  | { step: "grantReaderRole" }
  | { step: "createLogin"; login: SqlLogin }
  | { step: "createUser"; login: SqlLogin }
  | { step: "addReader"; login: SqlLogin }
  /** A query: the users in our reader role, and whether we created them (sqlAccess.ts). */
  | { step: "listReaders" }
  /** A user we created, of a reader the spec no longer names. */
  | { step: "dropReader"; user: string }
  /** A user someone else created and added to our role: out of the role, never dropped. */
  | { step: "unassignReader"; user: string };

/**
 * What the database needs before any entity: created only when missing, so re-runs converge. The
 * ownership check comes first, so a database we did not create sees no statement at all. Then each
 * reader's login (master), user and role membership (the database).
 */
export function planDatabaseSetup(
  format: ExportFormat,
  logins: readonly SqlLogin[] = [],
): SqlStep[] {
  return [
    { step: "claimDatabase" },
    { step: "checkDatabaseLimit" },
    { step: "createDatabase" },
    { step: "markDatabase" },
    { step: "createDataSource" },
    { step: "createFileFormat", format },
    { step: "createSnapshotSchema" },
    { step: "createReaderRole" },
    { step: "grantReaderRole" },
    ...logins.flatMap((login): SqlStep[] => [
      { step: "createLogin", login },
      { step: "createUser", login },
      { step: "addReader", login },
    ]),
  ];
}

/** Remove the readers the spec no longer names (see removedReaderUsers): ours dropped, others unassigned. */
export function planDropReaders(removed: {
  drop: readonly string[];
  unassign: readonly string[];
}): SqlStep[] {
  return [
    ...removed.drop.map((user) => ({ step: "dropReader" as const, user })),
    ...removed.unassign.map((user) => ({ step: "unassignReader" as const, user })),
  ];
}

/** Publish a complete snapshot: its table first, then the view switch (readers see old or new). */
export function planPublishSnapshot(manifest: SnapshotManifest): SqlStep[] {
  return [
    {
      step: "createSnapshotTable",
      entity: manifest.entity,
      snapshot: manifest.snapshot,
      columns: manifest.columns,
      format: manifest.format,
      files: manifest.files.map((f) => f.name),
    },
    { step: "probeSnapshotTable", entity: manifest.entity, snapshot: manifest.snapshot },
    {
      step: "switchView",
      entity: manifest.entity,
      snapshot: manifest.snapshot,
      columns: manifest.columns,
    },
  ];
}

/** Drop the tables of snapshots that retention removed (the view no longer points at them). */
export function planDropSnapshots(entity: string, snapshots: readonly string[]): SqlStep[] {
  return snapshots.map((snapshot) => ({ step: "dropSnapshotTable" as const, entity, snapshot }));
}

/** Only with `onEntityRemoved: drop`: the view first, then every snapshot table. */
export function planDropEntity(entity: string, snapshots: readonly string[]): SqlStep[] {
  return [{ step: "dropView", entity }, ...planDropSnapshots(entity, snapshots)];
}

/** Only with `onEntityRemoved: drop`, when the export's database itself is removed or renamed. */
export function planDropDatabase(): SqlStep[] {
  return [{ step: "dropDatabase" }];
}

/** Hex digits of a snapshot id, of its SHA-256 (engine/fingerprint.ts, engine/serverSide/lakeSourceListing.ts): 64 bits, ample to tell one entity's snapshots apart. */
export const SNAPSHOT_ID_LENGTH = 16;
/** Shown in place of a snapshot id that only the run can know. */
export const SNAPSHOT_PLACEHOLDER = "<snapshot>";

/**
 * The per-snapshot table's name: `<Entity>__<snapshot>`, the entity's part shortened for a long name
 * (spec/nameRules.ts snapshotTableStem, where the spec's rules refuse a name equal to another's
 * shortened part). For the placeholder, the entity's part is shortened as for a real id, so that
 * `plan` shows the name the run creates.
 */
export function snapshotTableName(entity: string, snapshot: string): string {
  const idLength = snapshot === SNAPSHOT_PLACEHOLDER ? SNAPSHOT_ID_LENGTH : snapshot.length;
  return `${snapshotTableStem(entity, idLength)}__${snapshot}`;
}
