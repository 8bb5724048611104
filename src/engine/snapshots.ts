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
//
// A manifest we did not write (or one edited by hand) must never become "newest" silently, nor be
// deleted as what a crash left: a manifest that is complete in every other way but whose `sequence`
// is not a whole number 0..2^53-1 stops the listing with an error naming the manifest, and nothing
// is touched. Per value: absent is a manifest from before sequences (0); a negative, fractional or
// string value, null, or one JSON.parse reads as Infinity (1e400) has no place in the order; a
// value past 2^53-1 cannot be told from its neighbours as a double (2^53 + 1 reads as 2^53), so it
// cannot order either. The largest safe value itself is valid, but the next snapshot would have none
// left, so writing one after it fails naming the manifest (SequenceError from nextSequence).

import { ExportError } from "../errors";
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

/** A snapshot whose manifest's sequence cannot order it: the entity stops, naming the manifest. */
export class SequenceError extends ExportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("data", message, options);
    this.name = "SequenceError";
  }
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
      const problem = sequenceProblem(manifest.sequence);
      if (problem !== undefined) {
        throw new SequenceError(
          `${manifestPath(databaseName, entity, id)}: "sequence" is ${problem}, not a whole number from 0 to ` +
            `${Number.MAX_SAFE_INTEGER}; synapse-export did not write this manifest (or it was edited), so which snapshot ` +
            `of "${entity}" is newest cannot be told. Nothing was changed. Remove that snapshot folder, or restore its manifest.`,
        );
      }
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
export function nextSequence(complete: readonly CompleteSnapshot[], databaseName: string): number {
  const highest = complete.reduce<CompleteSnapshot | undefined>(
    (max, s) => (max === undefined || s.sequence > max.sequence ? s : max),
    undefined,
  );
  const next = (highest?.sequence ?? 0) + 1;
  if (!Number.isSafeInteger(next)) {
    throw new SequenceError(
      `${manifestPath(databaseName, highest!.manifest.entity, highest!.snapshot)}: "sequence" is ${highest!.sequence}, the largest a ` +
        `manifest can hold, so no snapshot can be ordered after it; synapse-export did not write it (sequences grow ` +
        `by one a run). Nothing was changed. Remove that snapshot folder, or restore its manifest.`,
    );
  }
  return next;
}

/** Why a manifest's sequence cannot order its snapshot (its JSON text), or undefined when it can. */
function sequenceProblem(sequence: unknown): string | undefined {
  if (sequence === undefined) return undefined;
  if (typeof sequence === "number" && Number.isSafeInteger(sequence) && sequence >= 0) {
    return undefined;
  }
  if (typeof sequence === "number" && !Number.isFinite(sequence))
    return "a number too large for a double";
  if (typeof sequence === "number" && Number.isInteger(sequence) && sequence > 0) {
    return `${JSON.stringify(sequence)} (as a double; past 2^53-1 whole numbers are no longer told apart)`;
  }
  return JSON.stringify(sequence);
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
    Array.isArray(m.sources);
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
