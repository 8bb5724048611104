// Entity folders in the lake that the spec no longer lists. The seed's rule is the default: their
// table and data stay, and they are no longer refreshed (`retained`, nothing touched). Only with
// `onEntityRemoved: drop` are their view, tables and snapshot folders removed (`dropped`), and the
// entity's folder with them when nothing else is in it. Only folders that hold our snapshots count
// (see entityFolders.ts), and of those only the `v=<id>` folders are ours to delete.

import { entityFolder } from "../../plan/lakeLayout";
import type { RunSpec } from "../../plan/specSlices";
import type { LakeStore } from "../lake/lakeStore";
import { listSnapshots } from "../snapshots";
import type { ViewPublisher } from "../viewPublisher";
import { deleteEntitySnapshots, entityFoldersWithSnapshots, foldedName } from "./entityFolders";
import { runError, type EntityRunRecord } from "./runRecord";
import { messageOf } from "../../errors";

/**
 * Entity folders of the database (holding snapshots of ours) that no spec entity owns, the names
 * compared as the target compares them: a folder spelled otherwise than a spec entity (`Customer`
 * for `customer`) is the same view to the target, so it is never removed (that entity fails).
 */
export async function removedEntityNames(lake: LakeStore, spec: RunSpec): Promise<string[]> {
  const wanted = new Set(spec.export.entities.map((e) => foldedName(e.name)));
  const folders = await entityFoldersWithSnapshots(lake, spec.export.databaseName);
  const removed: string[] = [];
  for (const name of folders.filter((f) => !wanted.has(foldedName(f)))) {
    // A folder is an entity of ours only when a manifest in it is that entity's: a copy of another
    // entity's folder (`Customer_backup`, its manifests saying "Customer") is someone's, kept.
    const { complete } = await listSnapshots(lake, spec.export.databaseName, name);
    if (complete.length > 0) removed.push(name);
  }
  return removed;
}

export async function handleRemovedEntity(
  spec: RunSpec,
  lake: LakeStore,
  views: ViewPublisher | undefined,
  name: string,
): Promise<EntityRunRecord> {
  const started = Date.now();
  const db = spec.export.databaseName;
  try {
    const listing = await listSnapshots(lake, db, name);
    const latest = listing.complete[0]?.manifest;
    if (spec.export.onEntityRemoved !== "drop") {
      return {
        name,
        status: "retained",
        snapshot: latest?.snapshot,
        rows: latest?.rows ?? 0,
        bytes: latest?.bytes ?? 0,
        files: latest?.files.length ?? 0,
        durationMs: Date.now() - started,
      };
    }
    // The view and tables go first: nothing may point at files being deleted.
    await views?.dropEntity(
      name,
      listing.complete.map((s) => s.snapshot),
    );
    // Only our snapshot folders go: a file or folder someone put beside them is not the export's.
    const kept = await deleteEntitySnapshots(lake, db, name, [
      ...listing.complete.map((s) => s.snapshot),
      ...listing.incomplete,
    ]);
    return {
      name,
      status: "dropped",
      rows: 0,
      bytes: 0,
      files: 0,
      durationMs: Date.now() - started,
      ...(kept.length > 0
        ? {
            error: {
              kind: "lake",
              message: `kept what the export did not write in ${entityFolder(db, name)}: ${kept.join(", ")}`,
            },
          }
        : {}),
    };
  } catch (e) {
    return {
      name,
      status: "failed",
      rows: 0,
      bytes: 0,
      files: 0,
      durationMs: Date.now() - started,
      error: runError(e, `removed entity "${name}": ${messageOf(e)}`),
    };
  }
}
