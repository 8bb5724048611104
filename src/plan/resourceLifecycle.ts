// What the export's two Pulumi resources do on create, update and delete, decided here so each
// provider method is one engine call: an entity's refresh exports (the seed's export at deploy) or
// only publishes what the lake holds (`runOnDeploy: false`); a delete removes anything only under
// `onEntityRemoved: drop` (the seed: "removed entities aren't deleted"); and the names the state
// shows, in the schema of the target that holds the view.

import type { ExportSpec } from "../spec/types";
import type { EntityTableInputs, ExportDatabaseInputs, TargetRef } from "./exportResources";
import { DUCKDB_VIEW_SCHEMA } from "./renderDuckdb";
import { VIEW_SCHEMA } from "./sqlPlan";

/** `export`: run the entity's export now and switch its view; `publish`: write nothing, point the view. */
export type EntityRefresh = "export" | "publish";

export function entityRefresh(spec: { export: Pick<ExportSpec, "runOnDeploy"> }): EntityRefresh {
  return spec.export.runOnDeploy ? "export" : "publish";
}

/** Whether deleting the resource removes its data, views and tables: only when the export says drop. */
export function dropsOnDelete(spec: { export: Pick<ExportSpec, "onEntityRemoved"> }): boolean {
  return spec.export.onEntityRemoved === "drop";
}

/**
 * Whether a removed entity's delete drops it. Pulumi hands a delete the state of the last deploy, so
 * a commit that both sets `onEntityRemoved` and removes an entity would follow the old policy. The
 * export database, updated earlier in the same `pulumi up` (deletes come last), records the policy
 * the user set last in its lake marker (`databaseMarker`): that one decides when it is there.
 */
export function entityDropsOnDelete(
  state: { export: Pick<ExportSpec, "onEntityRemoved"> },
  marker: DatabaseMarker | undefined,
  identity: string,
): boolean {
  // Another deployment's marker (a replacement over the same lake) says nothing of this one's policy.
  const newest =
    marker && "identity" in marker && marker.identity === identity
      ? marker.onEntityRemoved
      : undefined;
  return newest === "drop" || newest === "retain" ? newest === "drop" : dropsOnDelete(state);
}

/** The export database's lake marker: which deployment's database the folders serve, and its policy. */
export function databaseMarker(
  identity: string,
  spec: { export: Pick<ExportSpec, "onEntityRemoved"> },
): string {
  return `${JSON.stringify({ identity, onEntityRemoved: spec.export.onEntityRemoved })}\n`;
}

/** A marker as read back: its identity and policy, or why it is not one synapse-export wrote. */
export type DatabaseMarker = { identity: string; onEntityRemoved?: unknown } | { problem: string };

/** Reads a marker's text (the one reader of what databaseMarker writes). */
export function readDatabaseMarker(text: string): DatabaseMarker {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { problem: `it is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const { identity, onEntityRemoved } = (parsed ?? {}) as {
    identity?: unknown;
    onEntityRemoved?: unknown;
  };
  if (typeof identity !== "string") return { problem: 'it has no string "identity"' };
  return { identity, onEntityRemoved };
}

/** The entity's stable view as the target names it: `main` in DuckDB (the local target), `dbo` in Synapse. */
export function entityViewName(target: TargetRef, entity: string): string {
  return `${target.kind === "local" ? DUCKDB_VIEW_SCHEMA : VIEW_SCHEMA}.${entity}`;
}

export function exportDatabaseId(inputs: ExportDatabaseInputs): string {
  return inputs.spec.export.databaseName;
}

export function entityTableId(inputs: EntityTableInputs): string {
  return `${inputs.spec.export.databaseName}.${inputs.entity}`;
}

/** What a refresh reports: the snapshot the view shows, and for an export the run's status. */
export type RefreshOutcome =
  | { refresh: "export"; snapshot?: string; rows: number; bytes: number; status: string }
  | { refresh: "publish"; snapshot: string | null; rows: number; bytes: number };

export interface EntityTableOutputs extends EntityTableInputs {
  snapshot: string | null;
  rows: number;
  bytes: number;
  viewName: string;
  /** When this deploy exported the entity; null when it only published what the lake held. */
  lastExportedAt: string | null;
  status: string;
}

/** The entity table's state after a refresh: its inputs (what the next diff compares) and what it shows. */
export function entityTableOutputs(
  inputs: EntityTableInputs,
  outcome: RefreshOutcome,
  now: Date,
): EntityTableOutputs {
  const exported = outcome.refresh === "export";
  return {
    ...inputs,
    snapshot: outcome.snapshot ?? null,
    rows: outcome.rows,
    bytes: outcome.bytes,
    viewName: entityViewName(inputs.target, inputs.entity),
    lastExportedAt: exported ? now.toISOString() : null,
    status: exported ? outcome.status : "published",
  };
}

export interface ExportDatabaseOutputs extends ExportDatabaseInputs {
  databaseName: string;
  databaseLocation: string;
}

/** The export database's state: its inputs (so a later delete follows the newest policy) and where it is. */
export function exportDatabaseOutputs(
  inputs: ExportDatabaseInputs,
  databaseLocation: string,
): ExportDatabaseOutputs {
  return { ...inputs, databaseName: inputs.spec.export.databaseName, databaseLocation };
}
