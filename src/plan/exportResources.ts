// The rules of the export's two Pulumi resources, kept pure so the dynamic providers stay thin:
// what identifies an export database and an entity table, and which input changes replace one (a new
// database) and which update it (new data for the same view).

import type { Spec } from "../spec/types";

/** Where the export runs: data, so it can be a Pulumi input and survive serialization. */
export type TargetRef =
  | { kind: "local"; dir: string }
  | {
      kind: "azure";
      /** Overrides for tests and sovereign clouds; defaults are the public Azure endpoints. */
      lakeAccountUrl?: string;
      sqlServer?: string;
      sqlPort?: number;
      sqlEncrypt?: boolean;
    };

/** A source file as the Pulumi program sees it: a change here means new data to export. */
export interface SourceState {
  path: string;
  bytes: number;
  mtimeMs: number;
}

export interface ExportDatabaseInputs {
  target: TargetRef;
  spec: Spec;
}

export interface EntityTableInputs {
  target: TargetRef;
  spec: Spec;
  entity: string;
  sources: SourceState[];
}

/** A different value means a different database: the seed's "a new database name creates a new database". */
export function databaseIdentity(target: TargetRef, spec: Spec): string {
  const { workspace, storage } = spec.connection;
  return JSON.stringify({
    target,
    workspace: workspace.name,
    account: storage.accountName,
    container: storage.container,
    database: spec.export.databaseName,
  });
}

/** A different value means the entity's view must be refreshed (same database, same view name). */
export function entityDataIdentity(
  spec: Spec,
  entity: string,
  sources: readonly SourceState[],
): string {
  const e = spec.export.entities.find((x) => x.name === entity);
  return JSON.stringify({
    entity: e,
    format: spec.export.format,
    retain: spec.export.retainSnapshots,
    runOnDeploy: spec.export.runOnDeploy,
    onEntityRemoved: spec.export.onEntityRemoved,
    sources,
  });
}

export interface ResourceDiff {
  changes: boolean;
  replaces: string[];
}

/** Pulumi's marker for a value that is not known yet (preview). */
export const PULUMI_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function containsUnknown(value: unknown): boolean {
  if (value === PULUMI_UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

export function diffExportDatabase(
  olds: ExportDatabaseInputs,
  news: ExportDatabaseInputs,
): ResourceDiff {
  if (containsUnknown(news)) return { changes: true, replaces: [] };
  const replace =
    databaseIdentity(olds.target, olds.spec) !== databaseIdentity(news.target, news.spec);
  return { changes: replace, replaces: replace ? ["spec.export.databaseName"] : [] };
}

export function diffEntityTable(olds: EntityTableInputs, news: EntityTableInputs): ResourceDiff {
  // Unknown during preview (e.g. the workspace is being created): show a change, decide at deploy.
  if (containsUnknown(news)) return { changes: true, replaces: [] };
  if (
    olds.entity !== news.entity ||
    databaseIdentity(olds.target, olds.spec) !== databaseIdentity(news.target, news.spec)
  ) {
    return { changes: true, replaces: ["entity"] };
  }
  const changes =
    entityDataIdentity(olds.spec, olds.entity, olds.sources) !==
    entityDataIdentity(news.spec, news.entity, news.sources);
  return { changes, replaces: [] };
}
