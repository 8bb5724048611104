// The snapshots of an entity as the lake holds them. A snapshot is complete only when its manifest,
// written last, parses and agrees with the folder (its id, and every part file present with the
// size it records); anything else is what a crash left, is never pointed to, and is removed by the
// next run. Retention keeps the newest complete snapshots.
//
// "Newest" is the manifest's `sequence`, one more than the highest sequence in the entity's folder
// when the snapshot was written (or promoted again): every writer takes it under the export lock from
// what the lake holds, so it does not depend on any writer's clock. A machine whose clock is a day
// fast writes a createdAt in the future, and ordering by it made `runOnDeploy: false` switch a view
// back to an older snapshot. createdAt only breaks ties between manifests written before sequences
// existed (sequence 0).

import {
  entityFolder,
  MANIFEST_FILE,
  manifestPath,
  parseSnapshotFolder,
  snapshotFolder,
} from "../plan/lakeLayout";
import type { SnapshotManifest } from "../plan/manifest";
import type { LakeEntry, LakeStore } from "./lake/lakeStore";

export interface CompleteSnapshot {
  snapshot: string;
  manifest: SnapshotManifest;
  createdAtMs: number;
  /** The manifest's sequence; 0 for a manifest written before sequences existed. */
  sequence: number;
}

export interface SnapshotListing {
  /** Newest first. */
  complete: CompleteSnapshot[];
  /** Snapshot ids whose folder has no valid manifest (or misses a part it lists). */
  incomplete: string[];
}

export async function listSnapshots(
  lake: LakeStore,
  databaseName: string,
  entity: string,
): Promise<SnapshotListing> {
  const folder = entityFolder(databaseName, entity);
  const entries = await lake.list(folder);
  const byId = new Map<string, LakeEntry[]>();
  for (const e of entries) {
    const rest = e.path.slice(folder.length + 1).split("/");
    const id = parseSnapshotFolder(rest[0]);
    if (id === undefined) continue;
    if (!byId.has(id)) byId.set(id, []);
    if (rest.length === 2 && !e.isDirectory) byId.get(id)!.push(e);
  }
  const complete: CompleteSnapshot[] = [];
  const incomplete: string[] = [];
  for (const [id, files] of byId) {
    const hasManifest = files.some((f) => f.path.endsWith(`/${MANIFEST_FILE}`));
    const text = hasManifest
      ? await lake.readText(manifestPath(databaseName, entity, id))
      : undefined;
    const manifest = text === undefined ? undefined : parseManifest(text, entity, id);
    if (manifest && partsPresent(manifest, files)) {
      complete.push({
        snapshot: id,
        manifest,
        createdAtMs: Date.parse(manifest.createdAt),
        sequence: manifest.sequence ?? 0,
      });
    } else {
      incomplete.push(id);
    }
  }
  complete.sort(newestFirst);
  return { complete, incomplete: incomplete.sort() };
}

/** By sequence, then (for manifests without one) by createdAt, then by id so the order is total. */
export function newestFirst(a: CompleteSnapshot, b: CompleteSnapshot): number {
  return (
    b.sequence - a.sequence ||
    b.createdAtMs - a.createdAtMs ||
    (a.snapshot < b.snapshot ? -1 : a.snapshot > b.snapshot ? 1 : 0)
  );
}

/** The sequence for a snapshot written (or promoted) now: after every complete one in the folder. */
export function nextSequence(complete: readonly CompleteSnapshot[]): number {
  return complete.reduce((max, s) => Math.max(max, s.sequence), 0) + 1;
}

/** The manifest when the text is one for this snapshot of this entity; undefined otherwise. */
export function parseManifest(
  text: string,
  entity: string,
  snapshot: string,
): SnapshotManifest | undefined {
  let m: Partial<SnapshotManifest>;
  try {
    m = JSON.parse(text) as Partial<SnapshotManifest>;
  } catch {
    return undefined;
  }
  const ok =
    typeof m === "object" &&
    m !== null &&
    m.manifestVersion === 1 &&
    m.entity === entity &&
    m.snapshot === snapshot &&
    (m.format === "parquet" || m.format === "csv") &&
    Array.isArray(m.columns) &&
    m.columns.length > 0 &&
    Array.isArray(m.files) &&
    m.files.length > 0 &&
    m.files.every(
      (f) =>
        typeof f?.name === "string" &&
        !f.name.includes("/") &&
        Number.isFinite(f.bytes) &&
        Number.isFinite(f.rows),
    ) &&
    typeof m.rows === "number" &&
    typeof m.createdAt === "string" &&
    Number.isFinite(Date.parse(m.createdAt)) &&
    Array.isArray(m.sources) &&
    (m.sequence === undefined || (Number.isSafeInteger(m.sequence) && m.sequence >= 0));
  return ok ? (m as SnapshotManifest) : undefined;
}

function partsPresent(manifest: SnapshotManifest, files: readonly LakeEntry[]): boolean {
  const sizes = new Map(files.map((f) => [f.path.slice(f.path.lastIndexOf("/") + 1), f.size]));
  return manifest.files.every((f) => sizes.get(f.name) === f.bytes);
}

/** What retention keeps (the newest `keep` complete snapshots) and what it removes. */
export function planRetention(
  complete: readonly CompleteSnapshot[],
  keep: number,
): { kept: CompleteSnapshot[]; removed: CompleteSnapshot[] } {
  const n = Math.max(1, Math.floor(keep));
  return { kept: complete.slice(0, n), removed: complete.slice(n) };
}

/**
 * Removes a snapshot folder, its manifest first: if the removal is cut short, what is left is an
 * incomplete snapshot (cleaned up next run), never a manifest pointing at missing parts.
 */
export async function deleteSnapshot(
  lake: LakeStore,
  databaseName: string,
  entity: string,
  snapshot: string,
): Promise<void> {
  await lake.deleteTree(manifestPath(databaseName, entity, snapshot));
  await lake.deleteTree(snapshotFolder(databaseName, entity, snapshot));
}
