// The parts of a spec each consumer reads, as types, so a function says what it depends on and a
// resource's state holds only that: a run (run/, sources/), a target (where the lake and the database
// are), the export's SQL principals, and the two Pulumi resources. A whole `Spec` fits each of them.

import type {
  ConnectionSpec,
  ExportSpec,
  PrincipalsSpec,
  StorageSpec,
  WorkspaceSpec,
} from "../spec/types";

/** Where the lake and the export database are: the workspace and the storage container. */
export interface LocationSpec {
  connection: {
    workspace: Pick<WorkspaceSpec, "name">;
    storage: Pick<StorageSpec, "accountName" | "container">;
  };
}

/** What an export run reads: the export's settings, its entities and where sources are found. */
export interface RunSpec {
  export: Pick<
    ExportSpec,
    "databaseName" | "format" | "onEntityRemoved" | "retainSnapshots" | "sourceRoots" | "entities"
  >;
  /** The folder that source paths are relative to. */
  baseDir: string;
  /** Where the snapshots are written, which their ids include (engine/fingerprint.ts SnapshotDestination). */
  connection: { storage: Pick<StorageSpec, "accountName" | "container"> };
}

/** What a target reads: its location, and the entities' columns (what serverless can serve). */
export type TargetSpec = LocationSpec & {
  export: Pick<ExportSpec, "databaseName" | "format" | "entities">;
};

/** Who may query the export database (sqlAccess.ts): readers, and contributors on a shared connection. */
export interface SqlAccessSpec {
  connection: Pick<ConnectionSpec, "usableBy">;
  principals: Pick<PrincipalsSpec, "readers" | "contributors">;
}

/**
 * The export database resource's share of the spec: where it is, its format and removal policy, and
 * who may read it. No entity: an entity's change is its own resource's.
 */
export type ExportDatabaseSpec = TargetSpec &
  SqlAccessSpec & { export: Pick<ExportSpec, "onEntityRemoved"> };

/**
 * An entity table resource's share of the spec: where it is, the run settings and its one entity.
 * No principal: readers are the export database's, so a new reader never touches an entity.
 */
export type EntityTableSpec = TargetSpec & RunSpec & { export: Pick<ExportSpec, "runOnDeploy"> };
