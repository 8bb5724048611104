// The engine's public surface: what the CLI, the providers and library users import.
export { runExport, selectEntities, LOCK_FILE, DEFAULT_LOCK } from "./run/runExport";
export type {
  EntityStatus,
  EntityRunRecord,
  RunRecord,
  RunTotals,
  RunOptions,
  LockOptions,
  ProgressEvent,
  ExportPhase,
} from "./run/runRecord";
export { STALE_LOCK_MS } from "./run/runRecord";
export { inferColumns } from "./sources/inferColumns";
export { LocalLake } from "./lake/localLake";
export { fingerprint, WRITER_VERSION } from "./fingerprint";
export { listSnapshots } from "./snapshots";
export type { CompleteSnapshot, SnapshotListing } from "./snapshots";
