// Which folders of the database folder are entities of ours, and how the targets compare entity
// names. A folder is ours only when it holds a snapshot with a manifest (`<name>/v=<id>/_manifest.json`):
// a folder written by hand beside the export is never "an entity removed from the spec", so
// `onEntityRemoved: drop` never deletes it (removedEntities.ts further requires a manifest naming
// the folder's own entity, so a copied folder is not one either).
//
// Names are compared as the targets compare them, and a little wider: DuckDB resolves identifiers
// ignoring case (duckdb.org/docs/sql/dialect/keywords_and_identifiers: "identifiers are
// case-insensitive"), and so does Synapse under the database's case-insensitive collation
// (Latin1_General_100_CI_AS_SC_UTF8, see docs/architecture.md). Unicode NFKC folding is added so
// that names a reader cannot tell apart (`Ｃustomer`, full-width C) are caught as well.
//
// An entity name may start with `_` (the spec's name rule allows it, and so does T-SQL), and such a
// folder is an entity like any other: serverless SQL skips only *files* whose names begin with `_`
// or `.` (sql-docs, create-external-table-transact-sql.md: "Both Hadoop and native external tables
// will skip the files with the names that begin with an underline (_) or a period (.)"), which is
// why the manifest is `_manifest.json` and the parts `part-*`. A `.` name is never an entity name.

import {
  databaseFolder,
  entityFolder,
  MANIFEST_FILE,
  parseSnapshotFolder,
  snapshotFolder,
} from "../../plan/lakeLayout";
import { foldName } from "../../spec/nameRules";
import type { LakeStore } from "../lake/lakeStore";

/** The key under which two entity names are the same name to a target or to a reader. */
export const foldedName = foldName;

/** Names of the database's folders that hold at least one snapshot manifest, sorted. */
export async function entityFoldersWithSnapshots(
  lake: LakeStore,
  databaseName: string,
): Promise<string[]> {
  const db = databaseFolder(databaseName);
  const names = new Set<string>();
  for (const entry of await lake.list(db)) {
    if (entry.isDirectory) continue;
    const parts = entry.path.slice(db.length + 1).split("/");
    if (
      parts.length === 3 &&
      parts[2] === MANIFEST_FILE &&
      parseSnapshotFolder(parts[1]) !== undefined &&
      !parts[0].startsWith(".")
    ) {
      names.add(parts[0]);
    }
  }
  return [...names].sort();
}

/**
 * The lake folder that is the same name as `entity` to the target but is spelled otherwise
 * (`Customer` in the lake, `customer` in the spec), if any: exporting it would replace or drop
 * the other's view, since the target sees one name.
 */
export function sameNameOtherSpelling(
  entity: string,
  folders: readonly string[],
): string | undefined {
  return folders.find((f) => f !== entity && foldedName(f) === foldedName(entity));
}

/**
 * The folder that makes exporting `entity` a case-only rename nobody asked for, if any. None when
 * the entity's own spelling already holds snapshots (the view is already its own: the rename was
 * made, by an earlier run with `renamedFrom`), nor when the only other spelling is the one
 * `renamedFrom` names (the rename is meant: the view moves to the new name, the old folder keeps
 * its snapshots, as the seed keeps a removed entity's data).
 */
export function unaskedCaseOnlyRename(
  entity: { name: string; renamedFrom?: string },
  folders: readonly string[],
): string | undefined {
  if (folders.includes(entity.name)) return undefined;
  return folders.find(
    (f) =>
      f !== entity.name && f !== entity.renamedFrom && foldedName(f) === foldedName(entity.name),
  );
}

/**
 * Deletes an entity's snapshot folders (`v=<id>`, ours by name), then the entity's folder when
 * nothing else is in it: a file or folder someone put beside the snapshots is not the export's to
 * delete. Returns the names kept there, sorted (empty when the folder went).
 */
export async function deleteEntitySnapshots(
  lake: LakeStore,
  databaseName: string,
  entity: string,
  snapshots: readonly string[],
): Promise<string[]> {
  for (const id of snapshots) await lake.deleteTree(snapshotFolder(databaseName, entity, id));
  const folder = entityFolder(databaseName, entity);
  const left = (await lake.list(folder)).map((e) => e.path.slice(folder.length + 1));
  if (left.length === 0) await lake.deleteTree(folder);
  return left.filter((p) => !p.includes("/")).sort();
}
