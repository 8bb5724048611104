// What a run reports, per entity and in total: the CLI prints it, the provider stores it, tests read it.

import { messageOf, type ErrorKind } from "../../errors";
import { failureKind } from "../azureCredential";
import type { ColumnSpec } from "../../spec/types";
import type { LakeStore } from "../lake/lakeStore";
import type { CdmSourceRecord } from "../sources/cdmSource";
import type { ViewPublisher } from "../viewPublisher";

/**
 * exported: a new snapshot was written and published. unchanged: the source matches the latest
 * snapshot, nothing was written. retained: the entity left the spec and its data was kept (the
 * seed's default). dropped: it left the spec and `onEntityRemoved: drop` removed it. failed: see
 * `error`; its previous snapshot, if any, is still the one served.
 */
export type EntityStatus = "exported" | "unchanged" | "retained" | "dropped" | "failed";

export interface EntityRunRecord {
  name: string;
  status: EntityStatus;
  snapshot?: string;
  rows: number;
  bytes: number;
  files: number;
  durationMs: number;
  columns?: ColumnSpec[];
  columnsInferred?: boolean;
  /** A cdm source: the model.json and the Customer Insights export folder that were read. */
  cdm?: CdmSourceRecord;
  /** Why it failed (status failed), or what went wrong after it was exported (old snapshots kept). */
  error?: RunError;
}

/**
 * An error as the run record keeps it: `kind` says which part of the world refused (see ErrorKind in
 * src/errors.ts), so a `--json` consumer branches on it without parsing `message`.
 */
export interface RunError {
  kind: ErrorKind;
  message: string;
}

/** The record of a thrown value: its kind (auth for a sign-in failure anywhere in its causes, internal when it is not ours), and `message` or its own. */
export function runError(error: unknown, message?: string): RunError {
  return {
    kind: failureKind(error),
    message: message ?? messageOf(error),
  };
}

/** Counts per status; rows, bytes and files add up every entity's snapshot (what the database serves). */
export interface RunTotals {
  entities: number;
  exported: number;
  unchanged: number;
  retained: number;
  dropped: number;
  failed: number;
  rows: number;
  bytes: number;
  files: number;
}

export interface RunRecord {
  database: string;
  startedAt: string;
  durationMs: number;
  entities: EntityRunRecord[];
  totals: RunTotals;
  /** False when any entity failed, or the run itself (see `error`). */
  ok: boolean;
  /** What failed after the entities ran (the removed-entity scan, the lock release). */
  error?: RunError;
}

export type ExportPhase =
  "resolve" | "fingerprint" | "write" | "upload" | "manifest" | "publish" | "retention";

export type ProgressEvent =
  | { kind: "run-started"; database: string; entities: string[] }
  | { kind: "entity-started"; entity: string }
  | { kind: "entity-phase"; entity: string; phase: ExportPhase; detail?: string }
  | {
      /** How far a long step has come: writing (share of the sources read) or uploading (bytes sent). */
      kind: "entity-progress";
      entity: string;
      phase: "write" | "upload";
      doneBytes: number;
      totalBytes: number;
    }
  | { kind: "entity-finished"; entity: string; record: EntityRunRecord }
  | { kind: "run-finished"; record: RunRecord };

/**
 * How old a lock must be before it is broken when its holder's liveness cannot be checked (a local
 * lock from another boot or container; a dead local holder's lock is broken at once). Longer than any
 * export runs, because breaking a live run's lock would interleave two runs' writes; on ADLS Gen2 the
 * lease (15-60 s, renewed while held) decides instead (see adlsGen2Lake.ts).
 */
export const STALE_LOCK_MS = 6 * 3600_000;

export interface LockOptions {
  /** How long to wait for a running export of the same target before failing. */
  waitMs: number;
  /**
   * A lock whose holder process on this machine is gone is broken at once; this is how long to wait
   * when the holder's liveness cannot be checked (same hostname, another boot or container).
   */
  staleMs: number;
  /** Who is exporting, shown to a run that finds the lock taken. */
  holder: string;
}

export interface RunOptions {
  lake: LakeStore;
  views?: ViewPublisher;
  /** Only these entities (names compared ignoring case); an unknown name fails the run before anything is written. */
  entities?: string[];
  /** A local folder for the parts before upload (default: the OS temp folder). */
  stagingDir?: string;
  onProgress?: (event: ProgressEvent) => void;
  lock?: LockOptions;
  /** Parts are rolled at about this size (default 256 MB). */
  partBytes?: number;
  /** Hash every source file again, trusting no recorded hash (`run --rehash`). */
  rehash?: boolean;
}

export function totalsOf(entities: readonly EntityRunRecord[]): RunTotals {
  const count = (s: EntityStatus) => entities.filter((e) => e.status === s).length;
  return {
    entities: entities.length,
    exported: count("exported"),
    unchanged: count("unchanged"),
    retained: count("retained"),
    dropped: count("dropped"),
    failed: count("failed"),
    rows: entities.reduce((n, e) => n + e.rows, 0),
    bytes: entities.reduce((n, e) => n + e.bytes, 0),
    files: entities.reduce((n, e) => n + e.files, 0),
  };
}
