// What the export's Pulumi resources do, as engine operations: provision or drop the export database,
// refresh one entity (run its export and switch its view), publish what the lake already holds, drop
// an entity. Each takes its resource's share of the spec (plan/specSlices.ts) and a serializable
// target reference, so a dynamic provider method is one call. The database's operations keep its
// readers in step; an entity's leave them to it.

import * as os from "node:os";
import { ExportError } from "../errors";
import { databaseFolder, databaseOwnerPath, exportLockPath } from "../plan/lakeLayout";
import {
  databaseIdentity,
  type EntityTableInputs,
  type ExportDatabaseInputs,
  type SourceState,
  type TargetRef,
} from "../plan/exportResources";
import {
  databaseMarker,
  dropsOnDelete,
  entityDropsOnDelete,
  entityRefresh,
  readDatabaseMarker,
  entityTableOutputs,
  exportDatabaseOutputs,
  type EntityTableOutputs,
  type ExportDatabaseOutputs,
  type RefreshOutcome,
} from "../plan/resourceLifecycle";
import type { EntityTableSpec, ExportDatabaseSpec, RunSpec, TargetSpec } from "../plan/specSlices";
import { planSqlLogins } from "../plan/sqlAccess";
import { targetFor, type ExportTarget, type ReaderLogins } from "./targets";
import { grantWaitLine } from "./progress/grantWaitLine";
import { refuseDatabaseCaseTwin } from "./run/databaseTwin";
import { signedInIdentity } from "./azureCredential";
import { armSignIn, describeArmSignIn } from "../plan/armSignIn";
import { runExport } from "./run/runExport";
import { FRESH_GRANTS_WINDOW_MS, freshGrantsUntil } from "../plan/grantWindow";
import { STALE_LOCK_MS, type EntityRunRecord } from "./run/runRecord";

/** How long a deploy waits for a scheduled run (or another resource of the same `pulumi up`) to finish. */
const DEPLOY_LOCK_WAIT_MS = 15 * 60_000;

function holder(what: string): string {
  return `synapse-export ${what} (pulumi, ${os.hostname()} pid ${process.pid})`;
}

/** What precedes an operation: the deploy's grants (made when), or none (what preview reads too). */
type GrantsBefore = { madeAt?: string } | "none";

async function withTarget<T>(
  spec: TargetSpec,
  ref: TargetRef,
  readers: ReaderLogins,
  grants: GrantsBefore,
  work: (t: ExportTarget) => Promise<T>,
): Promise<T> {
  // A resource's create, update or delete runs after the deploy's role assignments, and Azure takes
  // minutes to apply them: storage-permission errors are waited out until ten minutes after the
  // newest grant was made (grantWindow.ts), then reported with the missing grant; long after, at
  // once. A firewall rule's time is not known (azure-native reports none): its refusal is waited out
  // ten minutes from the start. What the program itself reads (sourceStates) fails at once.
  const started = Date.now();
  const grantsUntil = grants === "none" ? undefined : freshGrantsUntil(grants.madeAt, started);
  const firewallUntil = grants === "none" ? undefined : started + FRESH_GRANTS_WINDOW_MS;
  const target = targetFor(spec, ref, {
    freshGrantsUntil: grantsUntil,
    freshFirewallUntil: firewallUntil,
    readers,
    // A line per wait on stderr, the provider's progress channel (a dynamic provider cannot log
    // through the Pulumi engine, pulumi/pulumi#6065; its console output is passed through, #18253).
    onSqlRetry: (event) => {
      if (event.kind !== "storage-permission" && event.kind !== "firewall") return;
      const awaiting = event.kind === "firewall" ? "firewall" : "role";
      const until = (event.kind === "firewall" ? firewallUntil : grantsUntil) ?? started;
      process.stderr.write(
        `${grantWaitLine(event, event, Date.now() - started, until - started, awaiting)}\n`,
      );
    },
    onLakeGrantWait: (request, wait) =>
      process.stderr.write(
        `${grantWaitLine(request, wait, Date.now() - started, (grantsUntil ?? started) - started)}\n`,
      ),
  });
  try {
    return await work(target);
  } finally {
    await target.views.close();
  }
}

async function withLock<T>(
  t: ExportTarget,
  spec: TargetSpec,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  await t.lake.ensureContainer();
  const lock = await t.lake.acquireLock(exportLockPath(spec.export.databaseName), {
    waitMs: DEPLOY_LOCK_WAIT_MS,
    staleMs: STALE_LOCK_MS,
    holder: holder(what),
  });
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/** The export database resource's create and update: provision, and its new state. */
export async function applyExportDatabase(
  inputs: ExportDatabaseInputs,
): Promise<ExportDatabaseOutputs> {
  await refuseAnotherSignIn(inputs.signsInAs, inputs.target);
  const { databaseLocation } = await provisionExportDatabase(inputs.spec, inputs.target, {
    madeAt: inputs.grantsMadeAt,
  });
  return exportDatabaseOutputs(inputs, databaseLocation);
}

/** The export database resource's delete: the plan says whether anything goes. */
export async function deleteExportDatabase(state: ExportDatabaseInputs): Promise<void> {
  if (dropsOnDelete(state.spec)) {
    await dropExportDatabase(state.spec, state.target, { madeAt: state.grantsMadeAt });
  }
}

/** An entity table resource's create and update: export or publish, as the plan says, and its new state. */
export async function applyEntityTable(inputs: EntityTableInputs): Promise<EntityTableOutputs> {
  const { spec, target, entity } = inputs;
  const grants = { madeAt: inputs.grantsMadeAt };
  await refuseAnotherSignIn(inputs.signsInAs, target);
  const outcome: RefreshOutcome =
    entityRefresh(spec) === "export"
      ? { refresh: "export", ...(await refreshEntity(spec, target, entity, grants)) }
      : { refresh: "publish", ...(await publishLatestSnapshot(spec, target, entity, grants)) };
  return entityTableOutputs(inputs, outcome, new Date());
}

/**
 * An entity table resource's delete: the plan says whether anything goes, from the policy the export
 * database recorded last (entityDropsOnDelete), else the state's.
 */
export async function deleteEntityTable(state: EntityTableInputs): Promise<void> {
  const grants = { madeAt: state.grantsMadeAt };
  // Under retain, a marker that cannot be read (the account gone, access revoked, a firewall) keeps
  // the entity, as retain did without asking: only a drop needs the lake.
  const retained = !dropsOnDelete(state.spec);
  const text = await withTarget(state.spec, state.target, "leave", grants, (t) =>
    t.lake.readText(databaseOwnerPath(state.spec.export.databaseName)),
  ).catch((error: unknown) => {
    if (retained) return undefined;
    throw error;
  });
  // A marker that is not ours to read decides nothing here: the drop's own check names it.
  const marker = text === undefined ? undefined : readDatabaseMarker(text);
  if (entityDropsOnDelete(state.spec, marker, databaseIdentity(state.target, state.spec))) {
    await dropEntity(state.spec, state.target, state.entity, grants);
  }
}

/**
 * Pulumi's azure-native signs in from its own configuration (`azure-native:*` or `ARM_*`), the engine
 * from `ARM_*` or DefaultAzureCredential (azureCredential.ts): two identities when a pipeline sets
 * only azure-native's config, or a laptop has `az login` as someone else. The deployer's grants are
 * the azure-native identity's, so the engine, signed in as another, would meet 403s after the grants'
 * wait, or write as an identity the plan never showed. Checked from the claims of the engine's own
 * token (no Graph call), before anything is written. Deletes are not checked: a new deploying
 * identity may still remove what an earlier one made.
 */
export async function refuseAnotherSignIn(
  expected: string | undefined,
  ref: TargetRef,
): Promise<void> {
  if (!expected || ref.kind !== "azure") return;
  const signedIn = await signedInIdentity();
  if (signedIn.objectId === expected.toLowerCase()) return;
  const arm = armSignIn(process.env);
  const how = arm
    ? describeArmSignIn(arm)
    : "DefaultAzureCredential (AZURE_CLIENT_ID and its secret or federated token, a managed identity, or the Azure CLI's `az login`)";
  throw new ExportError(
    "auth",
    `synapse-export signs in as ${signedIn.objectId ?? "an identity whose token has no object id"} (${how}), ` +
      `but the stack's grants are for the deploying identity ${expected} (azure-native's sign-in, or principals.deployer). ` +
      "Sign both in as one identity: set ARM_CLIENT_ID and ARM_TENANT_ID with ARM_CLIENT_SECRET (or ARM_USE_OIDC with ARM_OIDC_TOKEN, or ARM_USE_MSI), which azure-native and synapse-export both read, " +
      "or `az login` as that identity with no ARM_ or AZURE_CLIENT_ variables set. Nothing was written.",
  );
}

/** Creates the export database and what it needs to read the lake; converges when run again. */
export async function provisionExportDatabase(
  spec: ExportDatabaseSpec,
  ref: TargetRef,
  grants: { madeAt?: string } = {},
): Promise<{ databaseLocation: string }> {
  return withTarget(spec, ref, planSqlLogins(spec), grants, async (t) => {
    await t.lake.ensureContainer();
    await refuseDatabaseCaseTwin(t.lake, spec.export.databaseName);
    await t.views.prepareDatabase();
    await t.lake.writeText(
      databaseOwnerPath(spec.export.databaseName),
      databaseMarker(databaseIdentity(ref, spec), spec),
    );
    return { databaseLocation: t.databaseLocation };
  });
}

/**
 * True when another export database resource provisioned this database's lake folder after the one
 * of `spec` and `ref` (databaseOwnerPath: its replacement over the same lake): the lake data is that
 * one's now. No marker (a lake provisioned before there was one) is nobody else's. A marker that is
 * not one synapse-export wrote fails before anything is dropped: taken as ours, a plain delete would
 * delete folders a replacement may serve.
 */
async function lakeServesAnother(
  t: ExportTarget,
  spec: Parameters<typeof databaseIdentity>[1],
  ref: TargetRef,
): Promise<boolean> {
  const markerPath = databaseOwnerPath(spec.export.databaseName);
  const text = await t.lake.readText(markerPath);
  if (text === undefined) return false;
  const marker = readDatabaseMarker(text);
  if ("problem" in marker) {
    throw new ExportError(
      "lake",
      `${markerPath} in the lake says which deployment's database ${spec.export.databaseName} its folders serve, ` +
        `but ${marker.problem}; synapse-export did not write it (or it was edited). Nothing was dropped. Restore it, ` +
        `or delete it if no other deployment exports ${spec.export.databaseName} to this lake, and delete again.`,
    );
  }
  return marker.identity !== databaseIdentity(ref, spec);
}

/**
 * Removes the export database and its entities' snapshots in the lake, then the database's folder
 * when nothing but an old version's lock is left: only ever called under `onEntityRemoved: drop`. A folder or
 * file someone put in the database's folder is not the export's (see run/entityFolders.ts).
 */
export async function dropExportDatabase(
  spec: ExportDatabaseSpec,
  ref: TargetRef,
  grants: { madeAt?: string } = {},
): Promise<void> {
  const { listSnapshots } = require("./snapshots") as typeof import("./snapshots");
  const { deleteEntitySnapshots, entityFoldersWithSnapshots } =
    require("./run/entityFolders") as typeof import("./run/entityFolders");
  const db = spec.export.databaseName;
  // The database goes with its users: nobody's login needs keeping in step.
  await withTarget(spec, ref, "leave", grants, (t) =>
    withLock(t, spec, "drop database", async () => {
      // Asked first, so that a marker that cannot be read stops the drop before anything goes.
      const another = await lakeServesAnother(t, spec, ref);
      await t.dropDatabase();
      // Replaced over the same lake: the database goes, its lake folders serve the replacement.
      if (another) return;
      await t.lake.deleteTree(databaseOwnerPath(db));
      for (const name of await entityFoldersWithSnapshots(t.lake, db)) {
        const { complete, incomplete } = await listSnapshots(t.lake, db, name);
        // A copy of another entity's folder (its manifests name that entity) is someone's.
        if (complete.length === 0) continue;
        const ids = [...complete.map((c) => c.snapshot), ...incomplete];
        await deleteEntitySnapshots(t.lake, db, name, ids);
      }
      const folder = databaseFolder(db);
      // The lock lives beside the folder (exportLockPath), so the folder holds only what was exported
      // and what someone put there; a lock file of an older version inside it is inert.
      const left = (await t.lake.list(folder)).filter(
        (e) => e.path !== `${folder}/_export.lock` && !e.path.startsWith(`${folder}/_export.lock.`),
      );
      if (left.length === 0) await t.lake.deleteTree(folder);
    }),
  );
}

/** Runs the export of one entity now; throws with the entity's error when it fails. */
export async function refreshEntity(
  spec: EntityTableSpec,
  ref: TargetRef,
  entity: string,
  grants: { madeAt?: string } = {},
): Promise<EntityRunRecord> {
  return withTarget(spec, ref, "leave", grants, async (t) => {
    const record = await runExport(spec, {
      lake: t.lake,
      views: t.views,
      serverSide: t.serverSide,
      entities: [entity],
      lock: {
        waitMs: DEPLOY_LOCK_WAIT_MS,
        staleMs: STALE_LOCK_MS,
        holder: holder(`refresh ${entity}`),
      },
    });
    const result = record.entities.find((e) => e.name.toLowerCase() === entity.toLowerCase());
    if (!result) throw new Error(`The export run did not report entity ${entity}.`);
    if (result.status === "failed")
      throw new ExportError(
        result.error?.kind ?? "internal",
        `Entity ${entity} was not exported: ${result.error?.message ?? "the run recorded no reason (a bug: report it)"}`,
      );
    return result;
  });
}

export interface PublishedSnapshot {
  snapshot: string | null;
  rows: number;
  bytes: number;
}

/**
 * `runOnDeploy: false`: point the entity's view at the newest complete snapshot already in the lake
 * (written by an earlier `synapse-export run`), and write nothing.
 */
export async function publishLatestSnapshot(
  spec: EntityTableSpec,
  ref: TargetRef,
  entity: string,
  grants: { madeAt?: string } = {},
): Promise<PublishedSnapshot> {
  const { listSnapshots } = require("./snapshots") as typeof import("./snapshots");
  // Under the export lock: a run switching the same view meanwhile would otherwise race with it.
  return withTarget(spec, ref, "leave", grants, (t) =>
    withLock(t, spec, `publish ${entity}`, async () => {
      await t.views.prepareDatabase();
      const { complete } = await listSnapshots(t.lake, spec.export.databaseName, entity);
      const latest = complete[0];
      if (!latest) return { snapshot: null, rows: 0, bytes: 0 };
      await t.views.publish(latest.manifest);
      return {
        snapshot: latest.snapshot,
        rows: latest.manifest.rows,
        bytes: latest.manifest.bytes,
      };
    }),
  );
}

/**
 * `onEntityRemoved: drop`: the entity's view, its snapshot tables and its snapshot folders in the lake.
 * Nothing when the lake holds the same name spelled otherwise (`customer` beside `Customer`): after a
 * case-only rename (`renamedFrom`) Pulumi deletes the old resource once the new one exists, and the
 * view the target sees under the old name is the new entity's. The old folder keeps its data, as the
 * run keeps it (runExport never takes a folder of the same name for a removed entity).
 */
export async function dropEntity(
  spec: EntityTableSpec,
  ref: TargetRef,
  entity: string,
  grants: { madeAt?: string } = {},
): Promise<void> {
  const { listSnapshots } = require("./snapshots") as typeof import("./snapshots");
  const { entityFoldersWithSnapshots, sameNameOtherSpelling } =
    require("./run/entityFolders") as typeof import("./run/entityFolders");
  await withTarget(spec, ref, "leave", grants, (t) =>
    withLock(t, spec, `drop ${entity}`, async () => {
      const folders = await entityFoldersWithSnapshots(t.lake, spec.export.databaseName);
      if (sameNameOtherSpelling(entity, folders) !== undefined) return;
      const { complete, incomplete } = await listSnapshots(
        t.lake,
        spec.export.databaseName,
        entity,
      );
      const snapshots = [...complete.map((c) => c.snapshot), ...incomplete];
      const another = await lakeServesAnother(t, spec, ref);
      await t.views.dropEntity(entity, snapshots);
      // Replaced over the same lake (another workspace): its views go, its folders serve the replacement.
      if (another) return;
      // Our snapshot folders, and the entity's folder only when nothing else is in it.
      const { deleteEntitySnapshots } =
        require("./run/entityFolders") as typeof import("./run/entityFolders");
      await deleteEntitySnapshots(t.lake, spec.export.databaseName, entity, snapshots);
    }),
  );
}

/**
 * The entity's source files (path, size, SHA-256), so `pulumi preview` notices new data and only that.
 * Resolved by the run's own rules (resolveSources): with a local target, what the export writes there
 * is no source, or a glob reaching the lake would make every preview see "new data" from the export's
 * own output.
 */
export async function sourceStates(
  spec: RunSpec & TargetSpec,
  entity: string,
  ref?: TargetRef,
  /** The data role the stack grants the deploying identity, if any: what may lift a 403 here. */
  stackGrant?: import("../plan/lakeSourceGrants").StackDataGrant,
): Promise<SourceState[]> {
  const { entitySources } =
    require("./sources/entitySources") as typeof import("./sources/entitySources");
  const { ownTargetDirs } = require("./targets") as typeof import("./targets");
  const e = spec.export.entities.find((x) => x.name === entity);
  if (!e) throw new Error(`Entity ${entity} is not in the export.`);
  // A lake-resident source against Azure is not a file here: its state is one listing of its files
  // (URL, size, ETag), as the server-side run fingerprints it. Locally it is a file under DIR.
  const { refuseServerSideEntities } =
    require("./run/runExport") as typeof import("./run/runExport");
  const { entityEngine } = require("../plan/lakeSource") as typeof import("../plan/lakeSource");
  if (ref && ref.kind !== "local" && entityEngine(e).engine === "synapse") {
    refuseServerSideEntities(spec, [e], "server-side");
    const { lakeSourceStates } =
      require("./serverSide/exportLakeEntity") as typeof import("./serverSide/exportLakeEntity");
    // Read in `pulumi preview` too: no grant of this deploy precedes it, so nothing is waited for.
    // A refusal in the export's own account may be lifted by this deploy's grants: recorded as
    // awaiting them (sourcesAwaitingGrants), and the export lists the source itself after them.
    return withTarget(spec, ref, "leave", "none", async (t) => {
      if (!t.serverSide) throw new Error("The Azure target has no server-side export.");
      try {
        return await lakeSourceStates(e, t.serverSide);
      } catch (error) {
        const { sourcesAwaitingGrants } =
          require("../plan/lakeSourceGrants") as typeof import("../plan/lakeSourceGrants");
        const { codeOf, statusOf } =
          require("./lake/adlsFailure") as typeof import("./lake/adlsFailure");
        const cause = (error as { cause?: unknown })?.cause;
        const refused =
          statusOf(cause) === 403 && codeOf(cause) === "AuthorizationPermissionMismatch";
        const awaiting = refused
          ? sourcesAwaitingGrants(e, spec.connection.storage, stackGrant)
          : undefined;
        if (!awaiting) throw error;
        process.stderr.write(
          `synapse-export: entity ${e.name}: listing its lake source was refused (403 AuthorizationPermissionMismatch) before this deploy's grants; its export lists it once they apply\n`,
        );
        return awaiting;
      }
    });
  }
  refuseServerSideEntities(spec, [e], ref?.kind === "local" ? "local" : "azure");
  const { sha256File } = require("./fingerprint") as typeof import("./fingerprint");
  const { fingerprinted: files } = await entitySources(spec.baseDir, e, {
    sourceRoots: spec.export.sourceRoots,
    excludeDirs: ref ? ownTargetDirs(spec, ref) : [],
    localLakeDir: ref?.kind === "local" ? ref.dir : undefined,
  });
  const states: SourceState[] = [];
  for (const f of files)
    states.push({ path: f.relPath, bytes: f.bytes, sha256: await sha256File(f.absPath) });
  return states;
}
