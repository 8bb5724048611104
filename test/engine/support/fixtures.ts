// Shared pieces of the engine tests: temporary folders, a spec around a folder of source files, a
// ViewPublisher that records the calls the run makes (the run, not the publisher, is under test), a
// lake whose writes can be made to fail, and Parquet read back with hyparquet (not DuckDB, which wrote it).

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { runExport } from "../../../src/engine";
import { LocalLake } from "../../../src/engine/lake/localLake";
import { localTarget } from "../../../src/engine/targets";
import { listSnapshots } from "../../../src/engine/snapshots";
import { snapshotFolder } from "../../../src/plan/lakeLayout";
import type { SnapshotManifest } from "../../../src/plan/manifest";
import type { EntitySpec, ExportSpec, Spec } from "../../../src/spec/types";
import type { ViewPublisher } from "../../../src/engine/viewPublisher";
import { errorText } from "../../helpers/errorText";

const created: string[] = [];

export async function tempDir(label = "engine"): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `synapse-export-test-${label}-`));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  while (created.length > 0) {
    await fs.rm(created.pop()!, { recursive: true, force: true });
  }
}

export async function writeFiles(
  dir: string,
  files: Record<string, string | Buffer>,
): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, content);
  }
}

/**
 * Waits out the racy margin after `age`: setting an mtime moves the ctime to now, and a hash is
 * trusted only once both are safely in the past (engine/fingerprint.ts).
 */
export async function settle(): Promise<void> {
  const { RACY_MARGIN_MS } = await import("../../../src/engine/fingerprint");
  await new Promise((r) => setTimeout(r, RACY_MARGIN_MS + 200));
}

/** Moves a file's mtime into the past, as if it had been written long before the export. */
export async function age(file: string, ms = 60_000): Promise<void> {
  const t = new Date(Date.now() - ms);
  await fs.utimes(file, t, t);
}

export function makeSpec(
  baseDir: string,
  entities: EntitySpec[],
  overrides: Partial<ExportSpec> = {},
): Spec {
  return {
    baseDir,
    connection: {
      displayName: "test",
      usableBy: "administrators",
      dataPrivacyConsent: true,
      workspace: { name: "ws", resourceGroupName: "rg" },
      storage: { accountName: "acct", container: "ci-export", resourceGroupName: "rg" },
      dataRoleScope: "storageAccount",
    },
    // A Spec as validation makes it: the administrator is required (the types now say so too).
    principals: {
      customerInsights: {},
      administrator: { userPrincipalName: "admin@contoso.com" },
      readers: [],
      contributors: [],
    },
    export: {
      displayName: "test",
      databaseName: "ci_export",
      format: "parquet",
      runOnDeploy: true,
      onEntityRemoved: "retain",
      retainSnapshots: 2,
      entities,
      ...overrides,
    },
  };
}

export class RecordingViews implements ViewPublisher {
  readonly calls: string[] = [];
  readonly published: SnapshotManifest[] = [];
  /** Throws from publish for this entity, to test a failure after the manifest. */
  failPublishFor?: string;
  /** Called before each call is recorded, to look at the lake at that moment. */
  probe?: (call: string, snapshots: readonly string[]) => Promise<void>;

  async prepareDatabase(): Promise<void> {
    this.calls.push("prepareDatabase");
  }
  async publish(manifest: SnapshotManifest): Promise<void> {
    if (manifest.entity === this.failPublishFor) throw new Error("publish failed (injected)");
    await this.probe?.(`publish ${manifest.entity}`, [manifest.snapshot]);
    this.calls.push(`publish ${manifest.entity} ${manifest.snapshot}`);
    this.published.push(manifest);
  }
  async dropSnapshots(entity: string, snapshots: readonly string[]): Promise<void> {
    await this.probe?.(`dropSnapshots ${entity}`, snapshots);
    this.calls.push(`dropSnapshots ${entity} ${snapshots.join(",")}`);
  }
  async dropEntity(entity: string, snapshots: readonly string[]): Promise<void> {
    await this.probe?.(`dropEntity ${entity}`, snapshots);
    this.calls.push(`dropEntity ${entity} ${snapshots.join(",")}`);
  }
  async close(): Promise<void> {
    this.calls.push("close");
  }
}

/** A LocalLake whose chosen writes fail, standing in for a crash or a lost connection at that moment. */
export class FaultyLake extends LocalLake {
  failWriteText?: (lakePath: string) => boolean;
  failUpload?: (lakePath: string) => boolean;
  readonly writes: string[] = [];

  override async writeText(file: string, text: string): Promise<void> {
    if (this.failWriteText?.(file)) throw new Error(`injected failure writing ${file}`);
    this.writes.push(file);
    return super.writeText(file, text);
  }
  override async uploadFile(localPath: string, file: string): Promise<void> {
    if (this.failUpload?.(file)) throw new Error(`injected failure uploading ${file}`);
    this.writes.push(file);
    return super.uploadFile(localPath, file);
  }
}

/** Every file below a folder with its bytes, to compare a lake before and after a run. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else {
        const stat = await fs.stat(full);
        out[path.relative(dir, full)] = `${stat.size}:${stat.mtimeMs}`;
      }
    }
  };
  await walk(dir);
  return out;
}

export type ParquetRow = Record<string, unknown>;

/** Rows of a Parquet file as hyparquet reads them; timestamps as bigint microseconds, exactly. */
export async function readParquet(file: string): Promise<ParquetRow[]> {
  return (await parquetReadObjects({
    file: await fileBuffer(file),
    parsers: { timestampFromMicroseconds: (micros: bigint) => micros },
  })) as ParquetRow[];
}

/** The whole file as an ArrayBuffer (hyparquet's AsyncBuffer; test files are small). */
async function fileBuffer(file: string): Promise<ArrayBuffer> {
  const b = await fs.readFile(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export async function parquetSchema(file: string) {
  const metadata = parquetMetadata(await fileBuffer(file));
  return { metadata, columns: metadata.schema.slice(1) };
}

/**
 * The kind of each column chunk's first data page, from the Thrift PageHeader at data_page_offset:
 * field 1 (type, i32) is encoded as 0x15 then a zigzag varint: 0 = DATA_PAGE (V1), 3 = DATA_PAGE_V2.
 */
export async function dataPageKinds(file: string): Promise<string[]> {
  const { metadata } = await parquetSchema(file);
  const bytes = await fs.readFile(file);
  const kinds: string[] = [];
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const offset = Number(chunk.meta_data!.data_page_offset);
      if (bytes[offset] !== 0x15) kinds.push(`unknown(${bytes[offset]})`);
      else
        kinds.push(
          ({ 0: "V1", 6: "V2" } as Record<number, string>)[bytes[offset + 1]] ??
            `type ${bytes[offset + 1] / 2}`,
        );
    }
  }
  return kinds;
}

/** The one-entity spec several engine tests start from: Customer (id int64, name string) from customer.csv. */
export const CUSTOMER_ENTITY: EntitySpec = {
  name: "Customer",
  source: { path: "customer.csv", format: "csv" },
  columns: [
    { name: "id", type: "int64" },
    { name: "name", type: "string" },
  ],
};

/**
 * A spec folder with CUSTOMER_ENTITY and a `--local` folder beside it: `write` puts a new
 * customer.csv there and ages it (so a same-second rewrite is not taken for the file seen before);
 * `run` exports into the local target, as `run --local` does.
 */
export async function customerWorld(label: string) {
  const dir = await tempDir(label);
  const base = path.join(dir, "spec");
  const out = path.join(dir, "out");
  const file = path.join(base, "customer.csv");
  const spec = makeSpec(base, [CUSTOMER_ENTITY]);
  const write = async (text: string) => {
    await writeFiles(base, { "customer.csv": text });
    await age(file);
  };
  const run = async () => {
    const t = localTarget(spec, out);
    try {
      return await runExport(spec, { lake: t.lake, views: t.views });
    } finally {
      await t.views.close();
    }
  };
  return { dir, base, out, file, spec, write, run };
}

/** `runExport` on the local target over `dir` (`run --local dir`), lake-resident entities included. */
export async function runLocalTarget(
  spec: Spec,
  dir: string,
  /** Changes the target's hooks before the run (a file removed at one step of the read). */
  adjust?: (target: ReturnType<typeof localTarget>) => void,
) {
  const target = localTarget(spec, dir);
  adjust?.(target);
  return runExport(spec, {
    lake: target.lake,
    views: target.views,
    serverSide: target.serverSide,
    stagingDir: path.join(dir, "staging"),
  });
}

/** The newest complete snapshot of an entity on the local target over `dir`, and its rows (hyparquet). */
export async function latestLocalRows(spec: Spec, dir: string, entity: string) {
  const target = localTarget(spec, dir);
  const db = spec.export.databaseName;
  const [latest] = (await listSnapshots(target.lake, db, entity)).complete;
  const folder = path.join(target.lake.localRoot!, snapshotFolder(db, entity, latest.snapshot));
  const rows: ParquetRow[] = [];
  for (const f of latest.manifest.files)
    rows.push(...(await readParquet(path.join(folder, f.name))));
  return { latest, rows };
}

/** A lake-resident CSV entity "E" over `abfss://raw@otherlake.../<p>` with these columns and options. */
export function lakeCsvEntity(p: string, columns: object[], csv: object = {}): EntitySpec {
  return {
    name: "E",
    source: { path: `abfss://raw@otherlake.dfs.core.windows.net/${p}`, format: "csv", ...csv },
    columns,
  } as EntitySpec;
}

/**
 * One lake-resident entity run on the local target over a `--local` folder holding these files
 * (`raw/<path>` for lakeCsvEntity's container): its record, the error's text and kind, and the rows
 * of the snapshot it serves when it exported.
 */
export async function runLocalLakeEntity(entity: EntitySpec, files: Record<string, string>) {
  const dir = await tempDir("local-lake");
  await writeFiles(dir, files);
  const spec = makeSpec(path.join(dir, "spec"), [entity]);
  const record = (await runLocalTarget(spec, dir)).entities[0];
  const rows =
    record.status === "exported" ? (await latestLocalRows(spec, dir, entity.name)).rows : [];
  return {
    record,
    status: record.status,
    kind: record.error?.kind,
    error: errorText(record),
    rows,
  };
}

/** An int64 `id` and a string `name`. */
export const ID_NAME_COLUMNS = [
  { name: "id", type: "int64" },
  { name: "name", type: "string" },
];
