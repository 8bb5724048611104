// What the export's Pulumi resources do, as engine operations: provision or drop the export database,
// refresh one entity (run its export and switch its view), publish what the lake already holds, drop
// an entity. Each takes the spec and a serializable target reference, so a dynamic provider method
// is one call.

import * as os from "node:os";
import { databaseFolder } from "../plan/lakeLayout";
import type { SourceState, TargetRef } from "../plan/exportResources";
import type { Spec } from "../spec/types";
import { targetFor, type ExportTarget } from "./targets";
import { LOCK_FILE } from "./run/runExport";
import type { EntityRunRecord } from "./run/runRecord";

/** How long a deploy waits for a scheduled run (or another resource of the same `pulumi up`) to finish. */
const DEPLOY_LOCK_WAIT_MS = 15 * 60_000;
/** How long after a deploy's role assignments storage-permission errors are taken as "not applied yet". */
const FRESH_GRANTS_WINDOW_MS = 10 * 60_000;
/** A lock older than this whose holder is gone is broken (a crashed run). */
const STALE_LOCK_MS = 6 * 3600_000;

function holder(what: string): string {
  return `synapse-export ${what} (pulumi, ${os.hostname()} pid ${process.pid})`;
}

async function withTarget<T>(
  spec: Spec,
  ref: TargetRef,
  work: (t: ExportTarget) => Promise<T>,
): Promise<T> {
  // A deploy runs right after its role assignments were made, and Azure takes minutes to apply them:
  // storage-permission errors are waited out that long, then reported with the missing grant.
  const target = targetFor(spec, ref, { freshGrantsUntil: Date.now() + FRESH_GRANTS_WINDOW_MS });
  try {
    return await work(target);
  } finally {
    await target.views.close();
  }
}

async function withLock<T>(
  t: ExportTarget,
  spec: Spec,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  await t.lake.ensureContainer();
  const lock = await t.lake.acquireLock(
    `${databaseFolder(spec.export.databaseName)}/${LOCK_FILE}`,
    {
      waitMs: DEPLOY_LOCK_WAIT_MS,
      staleMs: STALE_LOCK_MS,
      holder: holder(what),
    },
  );
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/** Creates the export database and what it needs to read the lake; converges when run again. */
export async function provisionExportDatabase(
  spec: Spec,
  ref: TargetRef,
): Promise<{ databaseLocation: string }> {
  return withTarget(spec, ref, async (t) => {
    await t.views.prepareDatabase();
    return { databaseLocation: t.databaseLocation };
  });
}

/**
 * Removes the export database and its entities' snapshots in the lake, then the database's folder
 * when nothing but the lock is left: only ever called under `onEntityRemoved: drop`. A folder or
 * file someone put in the database's folder is not the export's (see run/entityFolders.ts).
 */
export async function dropExportDatabase(spec: Spec, ref: TargetRef): Promise<void> {
  const { listSnapshots } = require("./snapshots") as typeof import("./snapshots");
  const { deleteEntitySnapshots, entityFoldersWithSnapshots } =
    require("./run/entityFolders") as typeof import("./run/entityFolders");
  const db = spec.export.databaseName;
  await withTarget(spec, ref, (t) =>
    withLock(t, spec, "drop database", async () => {
      await t.dropDatabase();
      for (const name of await entityFoldersWithSnapshots(t.lake, db)) {
        const { complete, incomplete } = await listSnapshots(t.lake, db, name);
        // A copy of another entity's folder (its manifests name that entity) is someone's.
        if (complete.length === 0) continue;
        const ids = [...complete.map((c) => c.snapshot), ...incomplete];
        await deleteEntitySnapshots(t.lake, db, name, ids);
      }
      const folder = databaseFolder(db);
      const left = (await t.lake.list(folder)).filter(
        (e) => e.path !== `${folder}/${LOCK_FILE}` && !e.path.startsWith(`${folder}/${LOCK_FILE}.`),
      );
      if (left.length === 0) await t.lake.deleteTree(folder);
    }),
  );
}

/** Runs the export of one entity now; throws with the entity's error when it fails. */
export async function refreshEntity(
  spec: Spec,
  ref: TargetRef,
  entity: string,
): Promise<EntityRunRecord> {
  const { runExport } = require("./run/runExport") as typeof import("./run/runExport");
  return withTarget(spec, ref, async (t) => {
    const record = await runExport(spec, {
      lake: t.lake,
      views: t.views,
      entities: [entity],
      lock: {
        waitMs: DEPLOY_LOCK_WAIT_MS,
        staleMs: STALE_LOCK_MS,
        holder: holder(`refresh ${entity}`),
      },
    });
    const result = record.entities.find((e) => e.name.toLowerCase() === entity.toLowerCase());
    if (!result) throw new Error(`The export run did not report entity ${entity}.`);
    if (result.status === "failed")
      throw new Error(`Entity ${entity} was not exported: ${result.error}`);
    return result;
  });
}

export interface PublishedSnapshot {
  snapshot: string | null;
  rows: number;
  bytes: number;
}

/**
 * `runOnDeploy: false`: point the entity's view at the newest complete snapshot already in the lake
 * (written by an earlier `synapse-export run`), and write nothing.
 */
export async function publishLatestSnapshot(
  spec: Spec,
  ref: TargetRef,
  entity: string,
): Promise<PublishedSnapshot> {
  const { listSnapshots } = require("./snapshots") as typeof import("./snapshots");
  // Under the export lock: a run switching the same view meanwhile would otherwise race with it.
  return withTarget(spec, ref, (t) =>
    withLock(t, spec, `publish ${entity}`, async () => {
      await t.views.prepareDatabase();
      const { complete } = await listSnapshots(t.lake, spec.export.databaseName, entity);
      const latest = complete[0];
      if (!latest) return { snapshot: null, rows: 0, bytes: 0 };
      await t.views.publish(latest.manifest);
      return {
        snapshot: latest.snapshot,
        rows: latest.manifest.rows,
        bytes: latest.manifest.bytes,
      };
    }),
  );
}

/** `onEntityRemoved: drop`: the entity's view, its snapshot tables and its snapshot folders in the lake. */
export async function dropEntity(spec: Spec, ref: TargetRef, entity: string): Promise<void> {
  const { listSnapshots } = require("./snapshots") as typeof import("./snapshots");
  await withTarget(spec, ref, (t) =>
    withLock(t, spec, `drop ${entity}`, async () => {
      const { complete, incomplete } = await listSnapshots(
        t.lake,
        spec.export.databaseName,
        entity,
      );
      const snapshots = [...complete.map((c) => c.snapshot), ...incomplete];
      await t.views.dropEntity(entity, snapshots);
      // Our snapshot folders, and the entity's folder only when nothing else is in it.
      const { deleteEntitySnapshots } =
        require("./run/entityFolders") as typeof import("./run/entityFolders");
      await deleteEntitySnapshots(t.lake, spec.export.databaseName, entity, snapshots);
    }),
  );
}

/** The entity's source files (path, size, SHA-256), so `pulumi preview` notices new data and only that. */
export async function sourceStates(spec: Spec, entity: string): Promise<SourceState[]> {
  const { resolveSources } =
    require("./sources/resolveSources") as typeof import("./sources/resolveSources");
  const e = spec.export.entities.find((x) => x.name === entity);
  if (!e) throw new Error(`Entity ${entity} is not in the export.`);
  // A lake-resident source is not a file here: refused with the same words as `run`.
  const { refuseServerSideEntities } =
    require("./run/runExport") as typeof import("./run/runExport");
  refuseServerSideEntities(spec, [e]);
  const { sha256File } = require("./fingerprint") as typeof import("./fingerprint");
  const files = await resolveSources(spec.baseDir, e, { sourceRoots: spec.export.sourceRoots });
  const states: SourceState[] = [];
  for (const f of files)
    states.push({ path: f.relPath, bytes: f.bytes, sha256: await sha256File(f.absPath) });
  return states;
}
