// An export run: every selected entity of the spec into the lake, each as a new snapshot (or
// `unchanged`), its view published once the snapshot is complete. One run at a time per target: the
// lake's lock is held from before the first write until after the last.

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ExportError, messageOf } from "../../errors";
import { exportLockPath } from "../../plan/lakeLayout";
import { entityEngine, lakeSourceIssues, type LakeSourceSpec } from "../../plan/lakeSource";
import { SpecError } from "../../spec/specError";
import type { EntitySpec } from "../../spec/types";
import type { RunSpec } from "../../plan/specSlices";
import { exportLakeEntity, type ServerSideExport } from "../serverSide/exportLakeEntity";
import { DuckSession } from "../writer/duckdbSession";
import { entityFoldersWithSnapshots, unaskedCaseOnlyRename } from "./entityFolders";
import { exportEntity } from "./exportEntity";
import { handleRemovedEntity, removedEntityNames } from "./removedEntities";
import { refuseDatabaseCaseTwin } from "./databaseTwin";
import { createStagingFolder } from "./stagingFolder";
import {
  runError,
  STALE_LOCK_MS,
  totalsOf,
  type EntityRunRecord,
  type LockOptions,
  type RunOptions,
  type RunError,
  type RunRecord,
} from "./runRecord";

/** The export lock's file name beside the database folder: `<database>.export.lock` (plan/lakeLayout.ts). */
export { EXPORT_LOCK_SUFFIX as LOCK_FILE } from "../../plan/lakeLayout";

/** Fail at once when another export holds the target (a dead local holder's lock is taken over). */
export const DEFAULT_LOCK: LockOptions = {
  waitMs: 0,
  staleMs: STALE_LOCK_MS,
  holder: "synapse-export run",
};

/** A run's options; `serverSide`, from the Azure target, exports lake-resident entities with CETAS. */
export type ExportRunOptions = RunOptions & { serverSide?: ServerSideExport };

export async function runExport(spec: RunSpec, options: ExportRunOptions): Promise<RunRecord> {
  const startedAt = new Date();
  const db = spec.export.databaseName;
  const selected = selectEntities(spec, options.entities);
  const { lake, views, onProgress, serverSide } = options;
  refuseServerSideEntities(
    spec,
    selected,
    lake.localRoot !== undefined ? "local" : serverSide ? "server-side" : "azure",
  );

  await lake.ensureContainer();
  // Before the lock, which is a file of the database's own name.
  await refuseDatabaseCaseTwin(lake, db);
  const lock = await lake.acquireLock(exportLockPath(db), options.lock ?? DEFAULT_LOCK);
  let staging: string | undefined;
  let session: DuckSession | undefined;
  const records: EntityRunRecord[] = [];
  let stopped = false;
  let failedAfter: RunError | undefined;
  try {
    onProgress?.({ kind: "run-started", database: db, entities: selected.map((e) => e.name) });
    await views?.prepareDatabase();
    staging = await createStagingFolder(options.stagingDir ?? os.tmpdir());
    const spill = path.join(staging, "duckdb-spill");
    let opening: Promise<DuckSession> | undefined;
    const openSession = () => {
      opening ??= DuckSession.open({ tempDirectory: spill }).then((s) => (session = s));
      return opening;
    };

    // Listed once: an entity whose name the target cannot tell from a folder already in the lake.
    const folders = await entityFoldersWithSnapshots(lake, db);
    for (const [i, entity] of selected.entries()) {
      onProgress?.({ kind: "entity-started", entity: entity.name });
      const other = unaskedCaseOnlyRename(entity, folders);
      const record = other
        ? caseOnlyRename(entity.name, other)
        : serverSide &&
            entityEngine(entity).engine === "synapse" &&
            (serverSide.runs?.(entity) ?? true)
          ? await exportLakeEntity({ spec, lake, views, serverSide, onProgress }, entity)
          : await exportEntity(
              {
                spec,
                lake,
                views,
                session: openSession,
                stagingDir: path.join(staging, `entity-${i}`),
                partBytes: options.partBytes,
                onProgress,
                rehash: options.rehash,
              },
              entity,
            );
      records.push(record);
      onProgress?.({ kind: "entity-finished", entity: entity.name, record });
    }

    // A run of named entities touches only those; removed entities are the business of a full run.
    // The entities' results stand whatever happens here: a failure is the run's, reported beside them.
    if (!options.entities) {
      try {
        for (const name of await removedEntityNames(lake, spec)) {
          const record = await handleRemovedEntity(spec, lake, views, name);
          records.push(record);
          onProgress?.({ kind: "entity-finished", entity: name, record });
        }
      } catch (error) {
        failedAfter = runError(
          error,
          `after the entities ran, looking for entities removed from the spec failed: ${messageOf(error)}`,
        );
      }
    }
  } catch (error) {
    stopped = true;
    throw error;
  } finally {
    session?.close();
    if (staging) await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    // The error that stopped the run is the one to report: a lock that cannot be released now (most
    // often the same outage) expires on its own, a lease after its duration, a lock file once stale.
    if (stopped) await lock.release().catch(() => undefined);
    else {
      // Released after a finished run: a failure may mean the lock was lost while held, so the run
      // is not ok, but the entities' results are still reported.
      await lock.release().catch((error: unknown) => {
        const released = `the export lock could not be released: ${messageOf(error)}`;
        // The first failure's kind stands for the run; both messages are kept.
        failedAfter = failedAfter
          ? { ...failedAfter, message: `${failedAfter.message}; ${released}` }
          : runError(error, released);
      });
    }
  }

  const totals = totalsOf(records);
  const record: RunRecord = {
    database: db,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    entities: records,
    totals,
    ok: totals.failed === 0 && failedAfter === undefined,
    ...(failedAfter ? { error: failedAfter } : {}),
  };
  onProgress?.({ kind: "run-finished", record });
  return record;
}

/**
 * `Customer` in the lake, `customer` in the spec: to DuckDB and to a case-insensitive Synapse
 * database both are one view, so exporting one would replace the other's view and dropping the
 * "removed" one would drop the live view. Refused, and nothing is touched.
 */
function caseOnlyRename(name: string, other: string): EntityRunRecord {
  return {
    name,
    status: "failed",
    rows: 0,
    bytes: 0,
    files: 0,
    durationMs: 0,
    error: {
      kind: "spec",
      message:
        `entity "${name}": the lake already holds entity "${other}", which the database cannot tell ` +
        `from "${name}" (names are compared ignoring case and Unicode width); nothing was exported. ` +
        `Keep the name "${other}" in the spec, or, if the rename is meant, add renamedFrom: ${other} to the ` +
        `entity: the view then shows "${name}" and the folder "${other}" keeps its snapshots.`,
    },
  };
}

/**
 * What serverless cannot read as the spec says fails before anything is written; and a lake-resident
 * entity needs a target that can run it: the local target (DuckDB reads `DIR/<container>/<path>` by
 * the runner's path, lakeLocation.ts) or an Azure target's server-side export (CETAS). A caller that
 * gives neither is refused, rather than read a URL as a local path.
 */
export function refuseServerSideEntities(
  spec: LakeSourceSpec,
  selected: readonly EntitySpec[],
  target: "local" | "server-side" | "azure",
): void {
  const issues = lakeSourceIssues(spec);
  if (issues.length > 0) throw new SpecError(issues);
  if (target !== "azure") return;
  const lake = selected.filter((e) => entityEngine(e).engine === "synapse");
  if (lake.length > 0) {
    throw new ExportError(
      "spec",
      `${lake.map((e) => e.name).join(", ")}: a lake-resident source is exported by Synapse serverless (CETAS), which this caller does not run (it reads sources as files on this machine). Nothing was written. Run it with synapse-export run (or runExport with the Azure target's serverSide), or the other entities with --entities.`,
    );
  }
}

/** The spec's entities, or the named subset in the spec's order; unknown names fail before any write. */
export function selectEntities(
  spec: Pick<RunSpec, "export">,
  names: readonly string[] | undefined,
): EntitySpec[] {
  const all = spec.export.entities;
  if (!names) return [...all];
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const unknown = [...wanted].filter((n) => !all.some((e) => e.name.toLowerCase() === n));
  if (unknown.length > 0) {
    const original = names.filter((n) => unknown.includes(n.toLowerCase()));
    // The caller's selection (--entities, a component's entity) names no entity of the spec.
    throw new ExportError(
      "usage",
      `Unknown entit${original.length === 1 ? "y" : "ies"} ${original.map((n) => `"${n}"`).join(", ")}: ` +
        `the spec's entities are ${all.map((e) => `"${e.name}"`).join(", ")}.`,
    );
  }
  return all.filter((e) => wanted.has(e.name.toLowerCase()));
}
