// The rules of the export's two Pulumi resources, kept pure so the dynamic providers stay thin:
// what each keeps of the spec in its state, what identifies an export database and an entity table,
// and which input changes replace one (a new database) and which update it (new data for the same
// view). What their create, update and delete then do is resourceLifecycle.ts.
//
// A state written before the resources kept only their share holds the whole spec under the same
// key, `spec`: every rule here reads only the share's fields, so such a state diffs as the share
// would (no spurious replacement), and the next update stores the share.

import type { EntitySpec } from "../spec/types";
import type { EntityTableSpec, ExportDatabaseSpec, LocationSpec } from "./specSlices";
import { sqlReaderKeys } from "./sqlAccess";
import { PULUMI_UNKNOWN } from "./pulumiUnknown";
import { databaseCaseTwinError, sameDatabaseOtherSpelling } from "./databaseCaseTwin";

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

/**
 * A source file as the Pulumi program sees it: a change here means new data to export. Its content
 * hash, not its modification time, so a fresh checkout of the same data previews as no change.
 */
export interface SourceState {
  path: string;
  bytes: number;
  /** A file on this machine: its content hash. A lake-resident file: "" (its bytes are never read). */
  sha256: string;
  /** A lake-resident file: its ETag from the dfs listing, which changes with every write of it. */
  etag?: string;
}

/**
 * The deploying identity the stack's grants are for (its object id): a create or update on Azure
 * stops before writing anything when the engine signs in as someone else (exportOperations.ts). Not
 * part of any diff: who deploys is not a change of the export.
 */
interface SignsInAs {
  signsInAs?: string;
  /**
   * When the newest of the stack's grants was made (plan/grantWindow.ts): how long the operation
   * waits for one to apply. Not part of any diff either, and unknown in a preview that makes a grant
   * without that showing the export as changed.
   */
  grantsMadeAt?: string;
}

/** The inputs without what is no change of the export (who deploys, when its grants were made). */
function exportInputs<T extends SignsInAs>(inputs: T): Omit<T, keyof SignsInAs> {
  const { signsInAs: _who, grantsMadeAt: _when, ...rest } = inputs;
  return rest;
}

export interface ExportDatabaseInputs extends SignsInAs {
  target: TargetRef;
  /** See exportDatabaseSpec: the database's share of the spec. */
  spec: ExportDatabaseSpec;
}

export interface EntityTableInputs extends SignsInAs {
  target: TargetRef;
  /** See entityTableSpec: the entity's share of the spec. */
  spec: EntityTableSpec;
  entity: string;
  sources: SourceState[];
}

const location = ({ connection: { workspace, storage } }: LocationSpec): LocationSpec => ({
  connection: {
    workspace: { name: workspace.name },
    storage: { accountName: storage.accountName, container: storage.container },
  },
});

/**
 * What the export database keeps of the spec: where it is, its format and removal policy, and who
 * may read it (its readers' logins are its business). No entity.
 */
export function exportDatabaseSpec(spec: ExportDatabaseSpec): ExportDatabaseSpec {
  const { databaseName, format, onEntityRemoved } = spec.export;
  return {
    connection: { ...location(spec).connection, usableBy: spec.connection.usableBy },
    principals: { readers: spec.principals.readers, contributors: spec.principals.contributors },
    export: { databaseName, format, onEntityRemoved, entities: [] },
  };
}

/**
 * What an entity table keeps of the spec: where it is, the run settings and its own entity. No
 * principal and no other entity, so a new reader or another entity's change leaves its state alone.
 */
export function entityTableSpec(spec: EntityTableSpec, entity: string): EntityTableSpec {
  const { databaseName, format, onEntityRemoved, retainSnapshots, runOnDeploy, sourceRoots } =
    spec.export;
  return {
    ...location(spec),
    export: {
      databaseName,
      format,
      onEntityRemoved,
      retainSnapshots,
      runOnDeploy,
      // Absent stays absent: Pulumi drops an undefined property, and the state must equal the input.
      ...(sourceRoots !== undefined ? { sourceRoots } : {}),
      entities: [entityOf(spec, entity)],
    },
    baseDir: spec.baseDir,
  };
}

function entityOf(spec: Pick<EntityTableSpec, "export">, entity: string): EntitySpec {
  const found = spec.export.entities.find((x) => x.name === entity);
  if (!found) {
    const names = spec.export.entities.map((e) => `"${e.name}"`).join(", ");
    throw new Error(`Entity "${entity}" is not in the export (its entities are ${names}).`);
  }
  return found;
}

/**
 * A different value means a different database: the seed's "a new database name creates a new
 * database". Only what names the database (where the SQL runs, and its name): a new storage account
 * or container is an update of the same database (it gets a new data source), never a replacement,
 * which under `onEntityRemoved: drop` would drop what the replacement had just created.
 */
export function databaseIdentity(
  target: TargetRef,
  spec: LocationSpec & { export: Pick<ExportDatabaseSpec["export"], "databaseName"> },
): string {
  const sqlEndpoint =
    target.kind === "local"
      ? { dir: target.dir }
      : { sqlServer: target.sqlServer ?? null, sqlPort: target.sqlPort ?? null };
  return JSON.stringify({
    kind: target.kind,
    ...sqlEndpoint,
    // The local target's database file is `<dir>/<databaseName>.duckdb` whatever the workspace: a new
    // workspace name there is the same database (its replacement deleted the file it had just made).
    ...(target.kind === "local" ? {} : { workspace: spec.connection.workspace.name }),
    database: spec.export.databaseName,
  });
}

/** Everything else the export database's objects depend on: a change is an update (re-provision). */
function databaseSettings(target: TargetRef, spec: ExportDatabaseSpec): string {
  const { storage } = spec.connection;
  return JSON.stringify({
    target,
    account: storage.accountName,
    container: storage.container,
    format: spec.export.format,
    onEntityRemoved: spec.export.onEntityRemoved,
    // A reader added or removed is an update: its login and user are created, or its user dropped.
    readers: sqlReaderKeys(spec),
  });
}

/** A different value means the entity's view must be refreshed (same database, same view name). */
export function entityDataIdentity(
  spec: EntityTableSpec,
  entity: string,
  sources: readonly SourceState[],
): string {
  const e = spec.export.entities.find((x) => x.name === entity);
  return JSON.stringify({
    entity: e,
    account: spec.connection.storage.accountName,
    container: spec.connection.storage.container,
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

export { PULUMI_UNKNOWN };

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
  refuseCaseOnlyDatabaseRename(olds, news);
  if (knownIdentityChanged(olds, news))
    return { changes: true, replaces: ["spec.export.databaseName"] };
  if (containsUnknown(exportInputs(news))) return { changes: true, replaces: [] };
  const replace =
    databaseIdentity(olds.target, olds.spec) !== databaseIdentity(news.target, news.spec);
  if (replace) return { changes: true, replaces: ["spec.export.databaseName"] };
  // Kept current in the state too, so that a later delete sees the policy the user set last.
  const changes =
    databaseSettings(olds.target, olds.spec) !== databaseSettings(news.target, news.spec);
  return { changes, replaces: [] };
}

/**
 * A replacement that the known parts of the database's identity already show (its target's kind, the
 * workspace's and the database's names), while another part (a new workspace's endpoint) is still
 * unknown in preview: shown as the replacement it is, not as an update that `up` then turns into one.
 */
function knownIdentityChanged(
  olds: ExportDatabaseInputs | EntityTableInputs,
  news: ExportDatabaseInputs | EntityTableInputs,
): boolean {
  const known = (v: unknown) => typeof v === "string" && v !== PULUMI_UNKNOWN;
  const kind = (i: typeof olds) => (i.target as { kind?: unknown } | undefined)?.kind;
  const workspace = (i: typeof olds) => i.spec?.connection?.workspace?.name;
  const database = (i: typeof olds) => i.spec?.export?.databaseName;
  const differs = (part: (i: typeof olds) => unknown) =>
    known(part(olds)) && known(part(news)) && part(olds) !== part(news);
  if (differs(kind) || differs(database)) return true;
  return kind(news) !== "local" && differs(workspace);
}

/**
 * A new databaseName that is the old one in another case is the same Synapse database: replacing the
 * resource would create it (finding the old one) and then delete the old one. Refused in the diff, so
 * `pulumi preview` says it, whatever else changed with it (a new container hides it from the run's
 * lake check).
 */
function refuseCaseOnlyDatabaseRename(
  olds: ExportDatabaseInputs | EntityTableInputs,
  news: ExportDatabaseInputs | EntityTableInputs,
): void {
  const before = olds.spec?.export?.databaseName;
  const after = news.spec?.export?.databaseName;
  if (typeof before !== "string" || typeof after !== "string") return;
  if (!sameDatabaseOtherSpelling(before, after)) return;
  // Only in the same pool (or local folder): a database in another workspace is another database,
  // and one whose endpoint is not known yet is decided at deploy.
  if (containsUnknown(news.target) || containsUnknown(news.spec?.connection)) return;
  const at = (i: ExportDatabaseInputs | EntityTableInputs) =>
    databaseIdentity(i.target, { ...i.spec, export: { databaseName: "" } });
  if (at(olds) !== at(news)) return;
  throw databaseCaseTwinError(after, before, "this stack already deployed");
}

export function diffEntityTable(olds: EntityTableInputs, news: EntityTableInputs): ResourceDiff {
  refuseCaseOnlyDatabaseRename(olds, news);
  if (
    (typeof news.entity === "string" &&
      news.entity !== PULUMI_UNKNOWN &&
      olds.entity !== news.entity) ||
    knownIdentityChanged(olds, news)
  ) {
    return { changes: true, replaces: ["entity"] };
  }
  // Unknown during preview (e.g. the workspace is being created): show a change, decide at deploy.
  if (containsUnknown(exportInputs(news))) return { changes: true, replaces: [] };
  // The entity's name was compared above; its database's identity, known now, is compared here.
  if (databaseIdentity(olds.target, olds.spec) !== databaseIdentity(news.target, news.spec)) {
    return { changes: true, replaces: ["entity"] };
  }
  const changes =
    entityDataIdentity(olds.spec, olds.entity, olds.sources) !==
    entityDataIdentity(news.spec, news.entity, news.sources);
  return { changes, replaces: [] };
}
