// What the export run calls once a snapshot is complete: point the entity's stable view at it, and
// later drop what retention removed. Implemented for Synapse serverless SQL and for local DuckDB on
// top of the SQL plan; the run only fixes the order (publish the view before removing old snapshots).

import type { SnapshotManifest } from "../plan/manifest";

export interface ViewPublisher {
  /** Create what the database needs (idempotent); called once per run before any entity. */
  prepareDatabase(): Promise<void>;
  /** Point `[dbo].[<entity>]` at this snapshot (creating its per-snapshot table first). */
  publish(manifest: SnapshotManifest): Promise<void>;
  /** Drop the per-snapshot tables of snapshots that retention removed. */
  dropSnapshots(entity: string, snapshots: readonly string[]): Promise<void>;
  /** Drop the entity's view and all its per-snapshot tables (only with `onEntityRemoved: drop`). */
  dropEntity(entity: string, snapshots: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
