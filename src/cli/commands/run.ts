// `synapse-export run <spec> [--local <dir>] [--entities A,B] [--json]`: runs the export now, on
// demand or from a scheduler. Exit 0 when every entity is exported, unchanged, retained or dropped; 2
// when at least one failed (the others still ran).

import { hostname } from "node:os";
import type { Spec } from "../../spec/types";
import { STALE_LOCK_MS, type ProgressEvent, type RunRecord } from "../../engine/run/runRecord";
import { formatBytes, json, table, terminalWidth, wrap, type Output } from "../output";

export { formatBytes } from "../output";
import { ProgressLine, progressDelayMs } from "../progressLine";

export interface RunCommandOptions {
  local?: string;
  entities?: string[];
  json: boolean;
  /** How long to wait for another export of the same target (a scheduled run, a `pulumi up`). */
  lockWaitMs?: number;
  /** Hash every source again instead of trusting the recorded size/mtime/ctime/inode (`--rehash`). */
  rehash?: boolean;
}

export const DEFAULT_LOCK_WAIT_MS = 30_000;

export async function runCommand(
  spec: Spec,
  options: RunCommandOptions,
  output: Output,
): Promise<number> {
  const { runExport } =
    require("../../engine/run/runExport") as typeof import("../../engine/run/runExport");
  const { localTarget, azureTarget } =
    require("../../engine/targets") as typeof import("../../engine/targets");
  // Only a missing --local means Azure; the argument parser refuses an empty one.
  const target = options.local !== undefined ? localTarget(spec, options.local) : azureTarget(spec);
  const showProgress = output.isTTY && !options.json;
  const started = Date.now();
  const progress = new ProgressLine(
    (text) => (output.write ?? output.out)(text),
    terminalWidth(),
    progressDelayMs(),
  );
  let record: RunRecord;
  let signedIn: SignedIn | undefined;
  try {
    if (target.kind !== "local") signedIn = await whoIsSignedIn();
    record = await runExport(spec, {
      lake: target.lake,
      views: target.views,
      serverSide: target.serverSide,
      entities: options.entities,
      rehash: options.rehash,
      lock: {
        waitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
        staleMs: STALE_LOCK_MS,
        holder: `synapse-export run (${hostname()} pid ${process.pid})`,
      },
      onProgress: showProgress
        ? (event) => {
            if (event.kind === "entity-progress") {
              progress.update(event.entity, event.phase, event.doneBytes, event.totalBytes);
              return;
            }
            const line = describeProgress(event);
            if (!line) return;
            progress.clear();
            output.out(`  [${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
          }
        : undefined,
    });
  } catch (error) {
    // A run that could not start (lock held, no Azure sign-in): --json still gets one document.
    if (!options.json) throw error;
    const { explainError } = require("../errors") as typeof import("../errors");
    const { failureKind } =
      require("../../engine/azureCredential") as typeof import("../../engine/azureCredential");
    output.out(
      json({
        database: spec.export.databaseName,
        target: target.kind,
        ok: false,
        error: { code: "not-started", kind: failureKind(error), message: explainError(error) },
        entities: [],
      }),
    );
    return 2;
  } finally {
    await target.views.close();
  }
  // Who wrote the lake: the deployer's object id from its token (`oid`), with no Microsoft Graph call.
  const document = { ...record, target: target.kind, ...(signedIn ? { signedIn } : {}) };
  if (options.json) {
    output.out(json(document));
  } else {
    if (signedIn) {
      output.out(
        `Signed in as ${signedIn.objectId}${signedIn.type ? ` (${signedIn.type})` : ""}: the deploying identity whose data role (Storage Blob Data Contributor) writes the lake.`,
      );
    }
    output.out(renderRecord(record, target.kind, target.databaseLocation, target.lake.location));
  }
  return record.ok ? 0 : 2;
}

interface SignedIn {
  objectId: string;
  /** User or ServicePrincipal, or null when the token's claims do not say. */
  type: string | null;
}

/**
 * The identity this run signs in as, from its ARM token's claims; undefined when there is no sign-in
 * (the run's own first call then fails with the sign-in error and what to do, as before).
 */
async function whoIsSignedIn(): Promise<SignedIn | undefined> {
  const { signedInIdentity } =
    require("../../engine/azureCredential") as typeof import("../../engine/azureCredential");
  const who = await signedInIdentity().catch(() => undefined);
  return who?.objectId ? { objectId: who.objectId, type: who.type ?? null } : undefined;
}

/** One line per step worth seeing: which entity, what it is doing, and what it wrote. */
function describeProgress(event: ProgressEvent): string | undefined {
  switch (event.kind) {
    case "run-started":
      return `exporting ${event.entities.length} entities to database ${event.database}`;
    case "entity-phase":
      return event.phase === "write" || event.phase === "upload" || event.phase === "publish"
        ? `${event.entity}: ${PHASE_WORDS[event.phase]}${event.detail ? ` (${event.detail})` : ""}`
        : undefined;
    case "entity-finished": {
      const r = event.record;
      return `${event.entity}: ${r.status}, ${r.rows.toLocaleString("en-US")} rows, ${formatBytes(r.bytes)} in ${r.files} file${r.files === 1 ? "" : "s"}`;
    }
    default:
      return undefined;
  }
}

const PHASE_WORDS = {
  write: "writing Parquet",
  upload: "uploading to the lake",
  publish: "switching the view",
} as const;

function renderRecord(
  record: RunRecord,
  kind: string,
  databaseLocation: string,
  lakeLocation: string,
): string {
  const rows = record.entities.map((e) => [
    e.name,
    e.status,
    e.snapshot ?? "",
    e.rows.toLocaleString("en-US"),
    formatBytes(e.bytes),
    String(e.files),
    `${(e.durationMs / 1000).toFixed(2)}s`,
  ]);
  const failures = record.entities
    .filter((e) => e.status === "failed")
    .map((e) => `  ${e.name}: ${e.error?.message}`);
  // Which Customer Insights export each cdm entity was read from, and the newer ones still being written.
  const cdmFolders = record.entities
    .filter((e) => e.cdm)
    .map(
      (e) =>
        `  ${e.name}: ${e.cdm!.exportFolder ?? e.cdm!.modelJson}` +
        (e.cdm!.skippedIncomplete
          ? ` (skipped, not yet described by model.json: ${e.cdm!.skippedIncomplete.join(", ")})`
          : ""),
    );
  const t = record.totals;
  const width = terminalWidth();
  return (
    [
      `Export to ${kind === "local" ? "the local target" : "Azure"}: database ${record.database} (${databaseLocation}), lake ${lakeLocation}`,
      table(["entity", "status", "snapshot", "rows", "bytes", "files", "time"], rows),
      "",
      `${t.exported} exported, ${t.unchanged} unchanged, ${t.retained} retained, ${t.dropped} dropped, ${t.failed} failed; ` +
        `${t.rows.toLocaleString("en-US")} rows, ${formatBytes(t.bytes)} in ${(record.durationMs / 1000).toFixed(2)}s.`,
      ...(cdmFolders.length ? ["", "Read from Customer Insights exports:", ...cdmFolders] : []),
      ...(failures.length ? ["", "Failed:", ...failures] : []),
      ...(record.error ? ["", `The run failed: ${record.error.message}`] : []),
    ]
      // Long messages and paths wrap to the terminal; the table's rows are short already.
      .map((line) => (line.includes("\n") ? line : wrap(line, width, 4, false)))
      .join("\n")
  );
}
