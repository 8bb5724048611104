// One entity of a run: fingerprint its sources; when they changed, write the parts to local
// staging, upload them, write the manifest last, publish the view, then apply retention. Any error
// becomes a `failed` record: what was served before is still served, since the view moves only
// after a manifest is complete, and old snapshots go only after the view has moved.

import { promises as fs } from "node:fs";
import * as path from "node:path";
import { manifestPath, snapshotFolder } from "../../plan/lakeLayout";
import { manifestText, type SnapshotManifest } from "../../plan/manifest";
import type { ColumnSpec, EntitySpec } from "../../spec/types";
import type { RunSpec } from "../../plan/specSlices";
import { filesToHash, fingerprint, snapshotDestination, type Fingerprint } from "../fingerprint";
import type { LakeStore } from "../lake/lakeStore";
import {
  deleteSnapshot,
  listSnapshots,
  nextSequence,
  planRetention,
  type CompleteSnapshot,
} from "../snapshots";
import { watchQueryProgress } from "../progress/queryProgress";
import { inferColumnsFrom } from "../sources/inferColumns";
import { csvDialect, sourceReadOptions } from "../sources/csvDialect";
import { SharedSourceReads } from "../sources/sharedSourceReads";
import { entitySources } from "../sources/entitySources";
import type { SourceFile } from "../sources/resolveSources";
import { assertSourcesUnchanged } from "../sources/sourceIdentity";
import type { ViewPublisher } from "../viewPublisher";
import type { DuckSession } from "../writer/duckdbSession";
import { asSourceError, writeParts, type WrittenPart } from "../writer/writeParts";
import { messageOf } from "../../errors";
import {
  runError,
  type EntityRunRecord,
  type ExportPhase,
  type ProgressEvent,
  type RunError,
} from "./runRecord";

export interface EntityContext {
  spec: RunSpec;
  lake: LakeStore;
  views?: ViewPublisher;
  /** The run's DuckDB, opened on first use: an unchanged entity never needs it. */
  session: () => Promise<DuckSession>;
  /** This entity's own empty staging folder. */
  stagingDir: string;
  partBytes?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Hash every source again instead of trusting a recorded hash (`run --rehash`). */
  rehash?: boolean;
}

export async function exportEntity(
  ctx: EntityContext,
  specEntity: EntitySpec,
): Promise<EntityRunRecord> {
  let entity = specEntity;
  const started = Date.now();
  const db = ctx.spec.export.databaseName;
  const phase = (p: ExportPhase, detail?: string) =>
    ctx.onProgress?.({ kind: "entity-phase", entity: entity.name, phase: p, detail });
  try {
    phase("resolve");
    const sources = await entitySources(ctx.spec.baseDir, specEntity, {
      sourceRoots: ctx.spec.export.sourceRoots,
      excludeDirs: ctx.lake.localRoot ? [ctx.lake.localRoot] : [],
      // The local lake is <DIR>/<container>: lake locations are read from <DIR>/<their container>.
      localLakeDir: ctx.lake.localRoot ? path.dirname(ctx.lake.localRoot) : undefined,
    });
    entity = sources.entity;
    const { files, fingerprinted } = sources;
    const cdm = sources.cdm ? { cdm: sources.cdm } : {};
    const listing = await listSnapshots(ctx.lake, db, entity.name);
    // What a crash left between parts and manifest: never served, so removed before anything else.
    for (const id of listing.incomplete) {
      await ctx.lake.deleteTree(snapshotFolder(db, entity.name, id));
    }
    const latest = listing.complete[0];
    const trusted = ctx.rehash ? undefined : latest?.manifest;
    const sequence = nextSequence(listing.complete, db);

    phase("fingerprint");
    const toHash = filesToHash(fingerprinted, trusted);
    // A CSV's files the fingerprint hashes are read once for the hash and the writer's quoting scan.
    const reads =
      specEntity.source.format === "csv"
        ? new SharedSourceReads(
            csvDialect(specEntity.source),
            new Set(toHash.map((f) => f.absPath)),
          )
        : undefined;
    const fingerprinting = fingerprint({
      destination: snapshotDestination(ctx.spec, entity.name),
      sourceFormat: specEntity.source.format,
      sourceOptions: sourceReadOptions(specEntity.source),
      exportFormat: ctx.spec.export.format,
      declaredColumns: declared(entity),
      files: fingerprinted,
      previous: trusted,
      hashOf: reads?.sha256,
    });
    // A file whose recorded hash cannot be reused has most likely changed: stage the new parts
    // while it is hashed, so the two overlap; if the fingerprint then says unchanged, the staged
    // parts are dropped (and the write interrupted). The lake sees nothing before the fingerprint.
    const staging =
      !trusted || toHash.length > 0 ? running(stage(ctx, entity, files, phase, reads)) : undefined;
    const fp = await fingerprinting.catch(async (e) => {
      await cancel(ctx, staging);
      throw e;
    });
    phase(
      "fingerprint",
      `${fp.snapshot} (${fp.hashedBytes} bytes hashed, ${fp.reusedBytes} reused)`,
    );

    if (latest && latest.snapshot === fp.snapshot) {
      await cancel(ctx, staging);
      // Same bytes, but hashed again (e.g. a file first hashed within the racy margin of its mtime):
      // record the hashes as checked now, so the next unchanged run can reuse them.
      const served = sameSourceRecords(fp.sources, latest.manifest.sources)
        ? latest.manifest
        : await recordSourcesChecked(ctx, latest.manifest, fp);
      // Published again all the same: a previous run may have died between manifest and view.
      phase("publish");
      await ctx.views?.publish(served);
      const warning = await applyRetention(ctx, entity, listing.complete);
      return { ...record(entity, "unchanged", served, started, warning), ...cdm };
    }

    const again = listing.complete.find((s) => s.snapshot === fp.snapshot);
    let manifest: SnapshotManifest;
    if (again) {
      await cancel(ctx, staging);
      manifest = await promote(ctx, again.manifest, fp, sequence);
    } else {
      const staged = await (staging?.promise ?? stage(ctx, entity, files, phase, reads));
      // The bytes hashed and the rows read are the same file's only if it did not move meanwhile; a
      // file that vanished or changed explains a reader error better than the reader does.
      await assertSourcesUnchanged(entity.name, fingerprinted);
      if ("error" in staged) throw staged.error;
      manifest = await commitSnapshot(ctx, entity, staged, fp, phase, sequence);
    }

    phase("publish");
    await ctx.views?.publish(manifest);
    const newest: CompleteSnapshot = {
      snapshot: manifest.snapshot,
      manifest,
      createdAtMs: Date.parse(manifest.createdAt),
      sequence: manifest.sequence ?? 0,
    };
    const warning = await applyRetention(ctx, entity, [
      newest,
      ...listing.complete.filter((s) => s.snapshot !== manifest.snapshot),
    ]);
    return { ...record(entity, "exported", manifest, started, warning), ...cdm };
  } catch (e) {
    return failedRecord(entity, e, started);
  } finally {
    await fs.rm(ctx.stagingDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function declared(entity: EntitySpec): ColumnSpec[] | undefined {
  return entity.columns && entity.columns.length > 0 ? entity.columns : undefined;
}

interface Staged {
  columns: ColumnSpec[];
  parts: WrittenPart[];
}

/** Columns (declared or inferred) and the parts in local staging; never throws, so it can run ahead. */
async function stage(
  ctx: EntityContext,
  entity: EntitySpec,
  files: readonly SourceFile[],
  phase: (p: ExportPhase, detail?: string) => void,
  reads?: SharedSourceReads,
): Promise<Staged | { error: unknown }> {
  try {
    const session = await ctx.session();
    const columns =
      declared(entity) ??
      (await inferColumnsFrom(session, entity, files).catch(async (e) => {
        throw await asSourceError(entity, files, e);
      }));
    phase("write");
    const watch = ctx.onProgress && (await watchWrite(ctx, session, entity, files));
    const parts = await writeParts({
      session,
      entity,
      files,
      columns,
      columnsInferred: !declared(entity),
      format: ctx.spec.export.format,
      outDir: ctx.stagingDir,
      partBytes: ctx.partBytes,
      quotingProblem: reads?.quotingProblem,
    }).finally(() => watch?.stop(false));
    watch?.stop(true);
    return { columns, parts };
  } catch (error) {
    return { error };
  }
}

/** Progress of the write as bytes of the sources read (DuckDB's estimate of the share done). */
function watchWrite(
  ctx: EntityContext,
  session: DuckSession,
  entity: EntitySpec,
  files: readonly SourceFile[],
) {
  const totalBytes = files.reduce((n, f) => n + f.bytes, 0);
  return watchQueryProgress(session, (fraction) =>
    ctx.onProgress?.({
      kind: "entity-progress",
      entity: entity.name,
      phase: "write",
      doneBytes: Math.round(fraction * totalBytes),
      totalBytes,
    }),
  );
}

interface Running<T> {
  promise: Promise<T>;
  settled: boolean;
}

function running<T>(promise: Promise<T>): Running<T> {
  const r: Running<T> = { promise, settled: false };
  void promise.finally(() => (r.settled = true));
  return r;
}

/**
 * Stops a write started ahead of the fingerprint, and waits for it to let go of its files. Only a
 * write still running is interrupted: DuckDB keeps an interrupt for the connection's next query.
 */
async function cancel(
  ctx: EntityContext,
  staging: Running<Staged | { error: unknown }> | undefined,
): Promise<void> {
  if (!staging) return;
  if (!staging.settled) (await ctx.session()).interrupt();
  await staging.promise;
}

/** Upload the staged parts into the snapshot folder, then write its manifest, last. */
async function commitSnapshot(
  ctx: EntityContext,
  entity: EntitySpec,
  staged: Staged,
  fp: Fingerprint,
  phase: (p: ExportPhase, detail?: string) => void,
  sequence: number,
): Promise<SnapshotManifest> {
  const db = ctx.spec.export.databaseName;
  const { parts, columns } = staged;
  phase("upload", `${parts.length} file(s)`);
  const folder = snapshotFolder(db, entity.name, fp.snapshot);
  const totalBytes = parts.reduce((n, p) => n + p.bytes, 0);
  let doneBytes = 0;
  const sent = (bytes: number) =>
    ctx.onProgress?.({
      kind: "entity-progress",
      entity: entity.name,
      phase: "upload",
      doneBytes: bytes,
      totalBytes,
    });
  sent(0);
  for (const part of parts) {
    const before = doneBytes;
    await ctx.lake.uploadFile(
      part.localPath,
      `${folder}/${part.name}`,
      ctx.onProgress && ((partBytes) => sent(before + Math.min(partBytes, part.bytes))),
    );
    doneBytes += part.bytes;
    sent(doneBytes);
  }

  const manifest: SnapshotManifest = {
    manifestVersion: 1,
    entity: entity.name,
    snapshot: fp.snapshot,
    format: ctx.spec.export.format,
    columns: [...columns],
    columnsInferred: !declared(entity),
    files: parts.map((p) => ({ name: p.name, bytes: p.bytes, rows: p.rows })),
    rows: parts.reduce((n, p) => n + p.rows, 0),
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
    createdAt: new Date().toISOString(),
    sequence,
    sources: fp.sources,
  };
  phase("manifest");
  await ctx.lake.writeText(manifestPath(db, entity.name, fp.snapshot), manifestText(manifest));
  return manifest;
}

function sameSourceRecords(
  a: readonly SnapshotManifest["sources"][number][],
  b: readonly SnapshotManifest["sources"][number][],
): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Rewrites the served snapshot's manifest (atomically) with freshly checked source hashes; same id. */
async function recordSourcesChecked(
  ctx: EntityContext,
  served: SnapshotManifest,
  fp: Fingerprint,
): Promise<SnapshotManifest> {
  return rewriteManifest(ctx, {
    ...served,
    sources: fp.sources,
    sourcesCheckedAt: new Date().toISOString(),
  });
}

/**
 * The source went back to the bytes of an older snapshot still in the lake: its files are exactly
 * what a new export would write, so only its manifest is written again, making it the newest.
 */
async function promote(
  ctx: EntityContext,
  old: SnapshotManifest,
  fp: Fingerprint,
  sequence: number,
): Promise<SnapshotManifest> {
  return rewriteManifest(ctx, {
    ...old,
    createdAt: new Date().toISOString(),
    sequence,
    sources: fp.sources,
  });
}

/** Writes a complete snapshot's manifest again, whole (readers see the old one or the new one). */
async function rewriteManifest(
  ctx: EntityContext,
  manifest: SnapshotManifest,
): Promise<SnapshotManifest> {
  await ctx.lake.writeText(
    manifestPath(ctx.spec.export.databaseName, manifest.entity, manifest.snapshot),
    manifestText(manifest),
  );
  return manifest;
}

/**
 * The view already points at the newest snapshot: drop the old tables, then delete their folders.
 * A failure here does not fail the entity (the new snapshot is served); it is reported, and the next
 * run removes what is left.
 */
export async function applyRetention(
  ctx: Pick<EntityContext, "spec" | "lake" | "views" | "onProgress">,
  entity: EntitySpec,
  complete: readonly CompleteSnapshot[],
): Promise<RunError | undefined> {
  const { removed } = planRetention(complete, ctx.spec.export.retainSnapshots);
  if (removed.length === 0) return undefined;
  ctx.onProgress?.({
    kind: "entity-phase",
    entity: entity.name,
    phase: "retention",
    detail: removed.map((r) => r.snapshot).join(", "),
  });
  try {
    await ctx.views?.dropSnapshots(
      entity.name,
      removed.map((r) => r.snapshot),
    );
    for (const r of removed) {
      await deleteSnapshot(ctx.lake, ctx.spec.export.databaseName, entity.name, r.snapshot);
    }
    return undefined;
  } catch (e) {
    const why = messageOf(e);
    return runError(e, `removing old snapshots failed (the next run tries again): ${why}`);
  }
}

export function record(
  entity: EntitySpec,
  status: "exported" | "unchanged",
  m: SnapshotManifest,
  started: number,
  warning?: RunError,
): EntityRunRecord {
  return {
    name: entity.name,
    status,
    snapshot: m.snapshot,
    rows: m.rows,
    bytes: m.bytes,
    files: m.files.length,
    durationMs: Date.now() - started,
    columns: m.columns,
    columnsInferred: m.columnsInferred,
    ...(warning ? { error: warning } : {}),
  };
}

/**
 * A failed entity's record, either engine: nothing of its new snapshot is served, and the error keeps
 * its kind with a message that names the entity once.
 */
export function failedRecord(entity: EntitySpec, e: unknown, started: number): EntityRunRecord {
  const message = messageOf(e);
  return {
    name: entity.name,
    status: "failed",
    rows: 0,
    bytes: 0,
    files: 0,
    durationMs: Date.now() - started,
    error: runError(
      e,
      message.startsWith(`entity "${entity.name}"`)
        ? message
        : `entity "${entity.name}": ${message}`,
    ),
  };
}
