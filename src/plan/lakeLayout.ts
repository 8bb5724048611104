// Where an export's files live in the lake. One place, so the writer, the SQL plan, retention and the
// CLI agree: <container>/<databaseName>/<Entity>/v=<snapshot>/*.<ext> (the runner's part-<n>, CETAS's <QueryID>_<date>_<time>_<n>; the manifest names them) and _manifest.json.

import type { ExportFormat } from "../spec/types";

export const MANIFEST_FILE = "_manifest.json";
export const SNAPSHOT_PREFIX = "v=";

/** The folder of one export database, relative to the container root. */
export function databaseFolder(databaseName: string): string {
  return databaseName;
}

/**
 * The export lock of one database: a file beside the database's folder at the container root, never
 * inside it. Dropping the database (`onEntityRemoved: drop`) deletes its whole folder, and the real dfs
 * endpoint deletes a folder even when a file in it is leased, so a lock inside would vanish under its
 * holder, and the next writer could take a fresh one while the drop still runs. A database name has no
 * `.` (SQL_NAME_PATTERN), so `<name>.export.lock` can never be another database's folder.
 *
 * Versions before this one kept the lock at `<database>/_export.lock`. The two locks do not see each
 * other: while a run of the old version holds its lock, a run of this version takes the new one and
 * both run at once. Nothing half-written is read even then (a snapshot counts only once its manifest is
 * written, last, and the view switches only to complete snapshots), but the two may both upload the same
 * snapshot and the later view switch wins; so upgrade the CLI on the scheduler and the machine running
 * `pulumi up` together, between runs. A leftover old lock file is inert: nothing of this version reads
 * it, and the drop removes it with the folder.
 */
export function exportLockPath(databaseName: string): string {
  return `${databaseFolder(databaseName)}${EXPORT_LOCK_SUFFIX}`;
}

export const EXPORT_LOCK_SUFFIX = ".export.lock";

/**
 * Which export database resource the lake folder of a database serves now: beside the folder, as the
 * lock is, holding the `databaseIdentity` (exportResources.ts) of the resource that provisioned it
 * last. A new workspace or SQL endpoint over the same lake replaces the resource, and Pulumi creates
 * the replacement before it deletes the old one: the old one's delete finds the replacement's
 * identity here and leaves the lake folders, which the replacement serves, where they are.
 */
export function databaseOwnerPath(databaseName: string): string {
  return `${databaseFolder(databaseName)}${DATABASE_OWNER_SUFFIX}`;
}

const DATABASE_OWNER_SUFFIX = ".database.json";

/**
 * The export databases a container holds, from the entries at its root: a database's folder and the
 * owner marker `pulumi up` writes beside it, both removed when the database is dropped. Not the
 * export lock, which outlives a drop (a lease blob on Azure), so a database dropped and made again
 * under another spelling is not refused. A folder at the root of the export's container named like
 * a database is taken for the export's.
 */
export function databasesAtRoot(
  entries: readonly { path: string; isDirectory: boolean }[],
): string[] {
  const found = new Set<string>();
  for (const { path, isDirectory } of entries) {
    if (path.includes("/") || path === "") continue;
    if (isDirectory) found.add(path);
    else if (path.endsWith(DATABASE_OWNER_SUFFIX) && path.length > DATABASE_OWNER_SUFFIX.length) {
      found.add(path.slice(0, -DATABASE_OWNER_SUFFIX.length));
    }
  }
  return [...found].sort();
}

/** The lake folder a lock at `lockPath` guards: the database folder for an export lock, else the lock's folder. */
export function folderGuardedBy(lockPath: string): string {
  if (lockPath.endsWith(EXPORT_LOCK_SUFFIX) && !lockPath.includes("/")) {
    return lockPath.slice(0, -EXPORT_LOCK_SUFFIX.length);
  }
  const slash = lockPath.lastIndexOf("/");
  return slash < 0 ? "" : lockPath.slice(0, slash);
}

/** The folder of one entity, relative to the container root. */
export function entityFolder(databaseName: string, entity: string): string {
  return `${databaseFolder(databaseName)}/${entity}`;
}

/** The folder of one snapshot of an entity, relative to the container root. */
export function snapshotFolder(databaseName: string, entity: string, snapshot: string): string {
  return `${entityFolder(databaseName, entity)}/${SNAPSHOT_PREFIX}${snapshot}`;
}

/** The folder of a snapshot relative to the database folder: what the SQL data source's LOCATION is joined with. */
export function snapshotLocation(entity: string, snapshot: string): string {
  return `${entity}/${SNAPSHOT_PREFIX}${snapshot}/`;
}

export function manifestPath(databaseName: string, entity: string, snapshot: string): string {
  return `${snapshotFolder(databaseName, entity, snapshot)}/${MANIFEST_FILE}`;
}

export function partExtension(format: ExportFormat): string {
  return format === "csv" ? "csv" : "parquet";
}

/** part-00000.parquet, part-00001.parquet, ... */
export function partFileName(index: number, format: ExportFormat): string {
  return `part-${String(index).padStart(5, "0")}.${partExtension(format)}`;
}

/** The snapshot id in a folder name like `v=abc123`, or undefined when the name is not a snapshot folder. */
export function parseSnapshotFolder(name: string): string | undefined {
  return name.startsWith(SNAPSHOT_PREFIX) && name.length > SNAPSHOT_PREFIX.length
    ? name.slice(SNAPSHOT_PREFIX.length)
    : undefined;
}

export interface LakeLayout {
  container: string;
  databaseFolder: string;
  entities: { name: string; folder: string; snapshotPattern: string }[];
}

export function planLakeLayout(
  container: string,
  databaseName: string,
  entities: readonly string[],
  format: ExportFormat,
): LakeLayout {
  return {
    container,
    databaseFolder: databaseFolder(databaseName),
    entities: entities.map((name) => ({
      name,
      folder: entityFolder(databaseName, name),
      snapshotPattern: `${entityFolder(databaseName, name)}/${SNAPSHOT_PREFIX}<snapshot>/*.${partExtension(format)}`,
    })),
  };
}
