// One lake-resident entity of a run against Azure, exported by Synapse serverless SQL where it lies:
// no byte of its data passes through this machine, only the header rows of its files (step 2). The order is the runner's (exportEntity.ts), with
// serverless doing the write:
//   1. list the source (one dfs listing) and take the snapshot id from that listing, the columns and
//      how the files are read (lakeSourceListing.ts); the latest manifest's id → unchanged: no SQL;
//   2. changed: a CSV source with a header has each file's header row read (lakeSourceHeaders.ts, the
//      only bytes of the source the runner reads), and a file without a declared column fails the
//      entity; then the check query (renderCetas.ts: per column the count of values that do not fit
//      and the least of them) fails the entity naming the column and a value, before anything is written;
//   3. CETAS into `<Entity>/v=<snapshot>/`. CETAS cannot write into an existing folder (15842
//      "External table location already exists", develop-tables-cetas and the CETAS T-SQL page), and a
//      failed CETAS may leave part of its folder when serverless's one-time clean-up fails too (the
//      T-SQL page, "Remarks"). A folder without a manifest is never served, so the run removes every
//      such folder of the entity first, and drops a table a previous CETAS of the same id left behind;
//   4. the rows of the parts are counted through the table the CETAS created (the count serverless
//      reports for a CETAS is not documented): they must equal the rows the check query read and the
//      count serverless reported, when it reported one, or the folder is removed and the entity fails;
//      and the source is listed again: a file written meanwhile fails the entity (its data may be in
//      the parts under an id that does not describe them), and the folder is removed;
//   5. the table CETAS created is dropped (DROP EXTERNAL TABLE removes the table, not its files:
//      develop-tables-external-tables), so every snapshot's table is the one the plan declares from
//      its manifest (createSnapshotTable, LOCATION `v=<snapshot>/*.parquet`), whoever wrote the parts;
//   6. the manifest, written last, with the rows counted in step 4 and the parts listed from the folder
//      (serverless names and splits them itself; the count is not per part, so a part's `rows` is -1
//      unless it is the only one); then the probe and the view switch (ViewPublisher), then retention.
// After the view switch a marker `_published` is written into the snapshot's folder (hidden from
// serverless by its `_`, removed with the folder by retention and drops), so an unchanged run whose
// newest snapshot has it sends no SQL, yet a run killed between manifest and view switch is repaired
// by the next one. A snapshot promoted again loses its marker before its manifest is rewritten.

import { ExportError, messageOf } from "../../errors";
import { manifestPath, snapshotFolder } from "../../plan/lakeLayout";
import { lakeSourceFiles, type LakeSourceFiles } from "../../plan/lakeSource";
import { manifestText, type SnapshotManifest } from "../../plan/manifest";
import { cetasCheckFailure, cetasCheckRows, needsCetasCheck } from "../../plan/renderCetas";
import { SNAPSHOT_ROWS } from "../../plan/sqlPlan";
import type { RunSpec } from "../../plan/specSlices";
import type { SqlStep } from "../../plan/sqlPlan";
import type { SqlStatement } from "../../plan/sqlStatement";
import type { SourceState } from "../../plan/exportResources";
import type { EntitySpec } from "../../spec/types";
import { snapshotDestination } from "../fingerprint";
import type { LakeStore } from "../lake/lakeStore";
import { entityFoldersWithSnapshots, foldedName } from "../run/entityFolders";
import { applyRetention, failedRecord, record } from "../run/exportEntity";
import type { EntityRunRecord, ExportPhase, ProgressEvent } from "../run/runRecord";
import { listSnapshots, nextSequence, type CompleteSnapshot } from "../snapshots";
import type { ViewPublisher } from "../viewPublisher";
import { cdmLakeSource, type ReadSourceText } from "./cdmLakeSource";
import { checkLakeHeaders, type ReadSourceRange } from "./lakeSourceHeaders";
import { serverMessageOf } from "./serverlessReadFailure";
import {
  lakeSnapshotId,
  lakeSourceRecords,
  listingChange,
  listLakeSource,
  sameListing,
  type ListContainer,
  type ListedLakeFile,
} from "./lakeSourceListing";

/** What the Azure target gives the run for its server-side entities. */
export interface ServerSideExport {
  sql: {
    query(database: string, sql: string): Promise<Record<string, unknown>[]>;
    execute(statements: readonly SqlStatement[]): Promise<void>;
    /** One statement; the rows it reports as affected (a CETAS: the rows it exported). */
    executeCounting(statement: SqlStatement): Promise<number>;
  };
  /** The plan's T-SQL rendering for this target. */
  render(steps: readonly SqlStep[]): SqlStatement[];
  /** A listing of a source's container (the source may live in another storage account). */
  listContainer: ListContainer;
  /** A small text file of a source's container: a Customer Insights export's model.json. */
  readSourceText: ReadSourceText;
  /** The start of a listed source file, for its header row (lakeSourceHeaders.ts). */
  readSourceRange: ReadSourceRange;
  /** Whether this target runs the entity by these steps; default every lake-resident entity. */
  runs?: (entity: EntitySpec) => boolean;
  /** Whether this target's check query has a column to count; default serverless's (needsCetasCheck). */
  needsCheck?: (source: LakeSourceFiles) => boolean;
  /**
   * A failure of the check query or the export as the entity's error: the local target names the file
   * and line of a malformed CSV row as the runner does (kind data); default the error as it came.
   */
  readFailure?: (
    entity: EntitySpec,
    files: readonly ListedLakeFile[],
    error: unknown,
  ) => Promise<unknown>;
  /**
   * Checks of the listed files' bytes this target makes before the check query: the local target
   * refuses what DuckDB's reader would change without a word (a blank outside quotes), as the
   * runner does. Azure reads no byte of the source but its header rows.
   */
  checkSourceText?: (source: LakeSourceFiles, files: readonly ListedLakeFile[]) => Promise<void>;
}

export interface LakeEntityContext {
  spec: RunSpec;
  lake: LakeStore;
  views?: ViewPublisher;
  serverSide: ServerSideExport;
  onProgress?: (event: ProgressEvent) => void;
}

/** In a snapshot's folder: the view was switched to it after its manifest was last written. */
export const PUBLISHED_MARKER = "_published";

/** The files a lake-resident entity reads: its location(s), or a cdm model.json's partitions. */
export async function lakeEntitySource(
  entity: EntitySpec,
  serverSide: Pick<ServerSideExport, "readSourceText" | "listContainer">,
): Promise<{ source: LakeSourceFiles; cdmInput?: Awaited<ReturnType<typeof cdmLakeSource>> }> {
  const cdmInput =
    entity.source.format === "cdm"
      ? await cdmLakeSource(entity, serverSide.readSourceText, serverSide.listContainer)
      : undefined;
  const source = cdmInput?.source ?? lakeSourceFiles(entity);
  if (!source)
    throw new ExportError("spec", "its source is not a lake location with declared columns");
  return { source, cdmInput };
}

/**
 * What a `pulumi preview` compares for a lake-resident entity: one listing of its files (URL, size,
 * ETag), never their bytes, the same listing the run fingerprints, so a changed partition previews as
 * an update of the entity and an untouched lake as no change.
 */
export async function lakeSourceStates(
  entity: EntitySpec,
  serverSide: Pick<ServerSideExport, "readSourceText" | "listContainer">,
): Promise<SourceState[]> {
  const { source } = await lakeEntitySource(entity, serverSide);
  const files = await listLakeSource(source, serverSide.listContainer);
  return files.map((f) => ({ path: f.url, bytes: f.bytes, sha256: "", etag: f.etag }));
}

/**
 * Serverless's errors for a source file it could not open or read (sqlErrorKinds.ts and
 * sql/serverlessFileErrors.ts have where each is written): the ones a file changed meanwhile explains.
 */
const FILE_READ_ERRORS: ReadonlySet<number> = new Set([13822, 16536, 4861, 15813, 15802]);

/** serverless's "External table location already exists" (the engine's error list, 15000-15999). */
const LOCATION_EXISTS = 15842;

export async function exportLakeEntity(
  ctx: LakeEntityContext,
  entity: EntitySpec,
): Promise<EntityRunRecord> {
  const started = Date.now();
  const db = ctx.spec.export.databaseName;
  const phase = (p: ExportPhase, detail?: string) =>
    ctx.onProgress?.({ kind: "entity-phase", entity: entity.name, phase: p, detail });
  try {
    phase("resolve");
    if (ctx.spec.export.format !== "parquet") {
      throw new ExportError(
        "spec",
        `export.format is ${ctx.spec.export.format}, but serverless SQL (CETAS) writes this lake-resident entity's snapshots as Parquet; use format parquet`,
      );
    }
    const { source, cdmInput } = await lakeEntitySource(entity, ctx.serverSide);
    const cdm = cdmInput ? { cdm: cdmInput.record } : {};
    const listing = await listSnapshots(ctx.lake, db, entity.name);
    // A rename that changes only the case starts a folder of its own: only a new folder is checked.
    if (listing.complete.length === 0) await refuseCaseOnlyTwin(ctx.lake, db, entity.name);
    phase("fingerprint");
    const files = await listLakeSource(source, ctx.serverSide.listContainer);
    const empty = cdmInput && files.find((f) => f.bytes === 0);
    if (empty) {
      throw new ExportError(
        "data",
        `the export ${cdmInput.record.modelJson} describes is not complete: its partition ${empty.url} is empty. Nothing was exported; the snapshot served before stays served. Run again once Customer Insights has finished the export.`,
      );
    }
    const snapshot = lakeSnapshotId(source, files, snapshotDestination(ctx.spec, entity.name));
    phase("fingerprint", `${snapshot} (${files.length} file(s) listed, 0 bytes read)`);
    const latest = listing.complete[0];
    const markerPath = `${snapshotFolder(db, entity.name, snapshot)}/${PUBLISHED_MARKER}`;

    if (latest && latest.snapshot === snapshot) {
      // Unchanged: no SQL, unless the last run died between its manifest and its view switch.
      if ((await ctx.lake.readText(markerPath)) === undefined) {
        phase("publish");
        await ctx.views?.publish(latest.manifest);
        await ctx.lake.writeText(markerPath, `${snapshot}\n`);
      }
      const warning = await applyRetention(ctx, entity, listing.complete);
      return { ...record(entity, "unchanged", latest.manifest, started, warning), ...cdm };
    }

    const sequence = nextSequence(listing.complete, db);
    const again = listing.complete.find((s) => s.snapshot === snapshot);
    let manifest: SnapshotManifest;
    if (again) {
      // The source went back to an older snapshot's listing: its parts are what CETAS would write.
      manifest = {
        ...again.manifest,
        createdAt: new Date().toISOString(),
        sequence,
        sources: lakeSourceRecords(files),
      };
      // Its marker says it was served once: not true again until this publish succeeds.
      await ctx.lake.deleteTree(markerPath);
      phase("manifest");
      await ctx.lake.writeText(manifestPath(db, entity.name, snapshot), manifestText(manifest));
    } else {
      manifest = await writeWithCetas(
        ctx,
        entity,
        source,
        snapshot,
        files,
        listing.incomplete,
        sequence,
        phase,
      );
    }

    phase("publish");
    await ctx.views?.publish(manifest);
    await ctx.lake.writeText(markerPath, `${snapshot}\n`);
    const newest: CompleteSnapshot = {
      snapshot,
      manifest,
      createdAtMs: Date.parse(manifest.createdAt),
      sequence,
    };
    const warning = await applyRetention(ctx, entity, [
      newest,
      ...listing.complete.filter((s) => s.snapshot !== snapshot),
    ]);
    return { ...record(entity, "exported", manifest, started, warning), ...cdm };
  } catch (e) {
    return failedRecord(entity, e, started);
  }
}

/**
 * An entity whose name differs only in case from another entity folder of the database (a rename
 * `Customer` → `customer`) is one name to SQL, whose names compare ignoring case (entityFolders.ts),
 * but two folders in the lake: its snapshot table of the same id would be the other's, and the drop
 * of a table a failed CETAS left would drop the one the live view reads.
 */
async function refuseCaseOnlyTwin(lake: LakeStore, db: string, name: string): Promise<void> {
  const twin = (await entityFoldersWithSnapshots(lake, db)).find(
    (n) => n !== name && foldedName(n) === foldedName(name),
  );
  if (twin !== undefined) {
    throw new ExportError(
      "spec",
      `the lake already holds entity "${twin}", which SQL takes for the same name as "${name}" (names compare ignoring case): a rename that changes only the case is not supported. Keep the name "${twin}", or give the entity another name. Nothing was written.`,
    );
  }
}

async function writeWithCetas(
  ctx: LakeEntityContext,
  entity: EntitySpec,
  source: LakeSourceFiles,
  snapshot: string,
  listed: readonly ListedLakeFile[],
  incomplete: readonly string[],
  sequence: number,
  phase: (p: ExportPhase, detail?: string) => void,
): Promise<SnapshotManifest> {
  const db = ctx.spec.export.databaseName;
  const { sql, render } = ctx.serverSide;
  const planned = { entity: entity.name, snapshot, source };
  const folder = snapshotFolder(db, entity.name, snapshot);
  // The plan's guarded drop, with this run's reason for it (the plan's names retention).
  const dropTableOf = (id: string) =>
    render([{ step: "dropSnapshotTable", entity: entity.name, snapshot: id }]).map((s) => ({
      ...s,
      purpose: `drop the external table [snapshots] of ${entity.name} snapshot ${id} that a CETAS created (its files stay)`,
    }));
  const dropTable = dropTableOf(snapshot);

  if (source.csv?.header) phase("write", "the files' header rows");
  const headers = await checkLakeHeaders(source, listed, ctx.serverSide.readSourceRange);
  await ctx.serverSide.checkSourceText?.(source, listed);
  const input = headers === undefined ? planned : { ...planned, headers };
  // A read of the files that failed because one changed under it says so, whatever the engine made
  // of it (serverless: 13822, 4861, 15813 for a row cut short; DuckDB: a missing file, no number);
  // an error of another kind (a credential, a statement) is never put down to a file added meanwhile.
  // Then the target's words. Serverless's own text is kept in the message.
  const readFailed = async (e: unknown): Promise<never> => {
    const number = (e as { number?: unknown } | null)?.number;
    if (number === undefined || FILE_READ_ERRORS.has(number as number)) {
      const change = await listLakeSource(source, ctx.serverSide.listContainer).then(
        (again) => listingChange(listed, again),
        // Every file of a location gone: the listing finds none and says so.
        (l: unknown) =>
          l instanceof ExportError && /matches no file/.test(l.message)
            ? `${listed[0]?.url ?? "the source"} was removed after it was listed`
            : undefined,
      );
      if (change) {
        throw new ExportError(
          "data",
          `${change}, while the export read it. Nothing was published; run the export again once the source is written. (The read failed with: ${serverMessageOf(e) ?? messageOf(e)})`,
          { cause: e },
        );
      }
    }
    throw (await ctx.serverSide.readFailure?.(entity, listed, e)) ?? e;
  };
  phase("write", "serverless SQL: check");
  let sourceRows: number | undefined;
  if ((ctx.serverSide.needsCheck ?? needsCetasCheck)(source)) {
    const [check] = render([{ step: "checkLakeSource", ...input }]);
    const [row] = await sql.query(check.database, check.statement).catch(readFailed);
    const failure = cetasCheckFailure(input, row ?? {});
    if (failure) throw new ExportError("data", failure);
    sourceRows = cetasCheckRows(row ?? {});
  }

  // What a failed or killed run left: folders without a manifest (never served), and the table of a
  // CETAS that finished before its run died. CETAS refuses an existing folder and an existing name.
  // A CETAS whose run died before its manifest left its table too: dropped with its folder.
  for (const id of incomplete) {
    await ctx.lake.deleteTree(snapshotFolder(db, entity.name, id));
    if (id !== snapshot) await sql.execute(dropTableOf(id));
  }
  await sql.execute(dropTable);

  phase("write", "serverless SQL: CREATE EXTERNAL TABLE AS SELECT");
  const [cetas] = render([{ step: "exportLakeSource", ...input }]);
  let reported: number;
  try {
    reported = await sql.executeCounting(cetas);
  } catch (e) {
    if ((e as { number?: number }).number === LOCATION_EXISTS) {
      throw new ExportError(
        "sql",
        `serverless SQL found ${folder}/ already there (CETAS cannot overwrite a folder: a retried attempt of this CETAS may have written it). Nothing is served from it; the next run removes it and exports again. ${(e as Error).message}`,
        { cause: e },
      );
    }
    return readFailed(e);
  }

  // The rows the parts hold, read through the table the CETAS created: what the manifest records.
  const [count] = render([{ step: "countLakeSnapshot", entity: entity.name, snapshot }]);
  const [counted] = await sql.query(count.database, count.statement);
  const rows = Number(counted?.[SNAPSHOT_ROWS]);
  const mismatch = rowCountMismatch(rows, reported, sourceRows);

  // A source file written while serverless read it: the parts may hold rows the id does not describe.
  const after = await listLakeSource(source, ctx.serverSide.listContainer);
  const changed = !sameListing(listed, after);
  if (changed || mismatch) {
    await sql.execute(dropTable);
    await ctx.lake.deleteTree(folder);
    const which = listingChange(listed, after);
    throw new ExportError(
      changed ? "data" : "sql",
      changed
        ? `a file of the lake source changed while serverless SQL exported it${which ? ` (${which})` : ""}; nothing was published. Run the export again once the source is written.`
        : `${mismatch} under ${folder}/, so nothing was published and the folder was removed. Run the export again; if it repeats, report it with this message.`,
    );
  }
  await sql.execute(dropTable);

  const parts = (await ctx.lake.list(folder))
    .filter((e) => !e.isDirectory)
    .map((e) => ({ name: e.path.slice(folder.length + 1), bytes: e.size }))
    .filter((p) => !p.name.includes("/") && !/^[_.]/.test(p.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (parts.length === 0) {
    await ctx.lake.deleteTree(folder);
    throw new ExportError(
      "sql",
      `serverless SQL wrote no part for ${rows} row(s) under ${folder}/; a snapshot needs at least one. Nothing was published.`,
    );
  }
  const manifest: SnapshotManifest = {
    manifestVersion: 1,
    entity: entity.name,
    snapshot,
    format: "parquet",
    columns: [...source.columns],
    columnsInferred: false,
    files: parts.map((p) => ({ ...p, rows: parts.length === 1 ? rows : -1 })),
    rows,
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
    createdAt: new Date().toISOString(),
    sequence,
    sources: lakeSourceRecords(listed),
  };
  phase("manifest");
  await ctx.lake.writeText(manifestPath(db, entity.name, snapshot), manifestText(manifest));
  return manifest;
}

/**
 * Why the rows of a CETAS cannot be recorded, or undefined: the parts must hold a whole number of
 * rows, as many as the check query read from the source (when it ran) and as many as serverless
 * reported for the statement (when it reported any: the count of a CETAS is not documented for
 * serverless, so 0, which is also what a missing DONE_COUNT reads as, is not taken as a claim).
 */
export function rowCountMismatch(
  counted: number,
  reported: number,
  sourceRows: number | undefined,
): string | undefined {
  if (!Number.isSafeInteger(counted) || counted < 0)
    return `serverless SQL gave no row count for the parts it wrote (got ${JSON.stringify(counted)})`;
  if (sourceRows !== undefined && sourceRows !== counted)
    return `the parts serverless SQL wrote hold ${counted} row(s), but the check query read ${sourceRows} from the source`;
  if (reported > 0 && reported !== counted)
    return `serverless SQL reported ${reported} row(s) exported, but the parts it wrote hold ${counted}`;
  return undefined;
}
