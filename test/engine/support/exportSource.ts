// One entity through runExport into a LocalLake, for the source tests: the run record, the
// snapshot's manifest, and the rows read back by readers that are not DuckDB (hyparquet for Parquet,
// the tests' own RFC 4180 reader for CSV parts, where every digit of a decimal survives as text).

import { expect } from "chai";
import { errorText } from "../../helpers/errorText";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { LocalLake, runExport } from "../../../src/engine";
import { snapshotFolder } from "../../../src/plan/lakeLayout";
import type { SnapshotManifest } from "../../../src/plan/manifest";
import type { EntitySpec, ExportFormat } from "../../../src/spec/types";
import { parseCsv } from "./csv";
import { makeSpec, readParquet, tempDir, writeFiles, type ParquetRow } from "./fixtures";

export interface Exported {
  manifest: SnapshotManifest;
  /** Rows of the first part: hyparquet objects (Parquet) or header-keyed strings (CSV). */
  rows: ParquetRow[];
  partPath: string;
}

export async function exportSource(
  files: Record<string, string | Buffer>,
  entity: EntitySpec,
  format: ExportFormat = "parquet",
): Promise<Exported> {
  const result = await runSource(files, entity, format);
  expect(result.error, "the entity is exported").to.equal(undefined);
  return result.exported!;
}

/** The entity's error when it fails (nothing in the lake then), or what it exported. */
export async function runSource(
  files: Record<string, string | Buffer>,
  entity: EntitySpec,
  format: ExportFormat = "parquet",
): Promise<{ error?: string; errorKind?: string; exported?: Exported }> {
  const dir = await tempDir("sources");
  await writeFiles(path.join(dir, "spec"), files);
  const lake = new LocalLake(path.join(dir, "lake"), "ci-export");
  const record = await runExport(makeSpec(path.join(dir, "spec"), [entity], { format }), {
    lake,
    stagingDir: path.join(dir, "staging"),
  });
  const e = record.entities[0];
  if (e.status === "failed") {
    expect(await lake.list(""), "a failed entity leaves nothing in the lake").to.deep.equal([]);
    return { error: errorText(e), errorKind: e.error?.kind };
  }
  expect(e.status).to.equal("exported");
  const folder = snapshotFolder("ci_export", entity.name, e.snapshot!);
  const manifest = JSON.parse(
    (await lake.readText(`${folder}/_manifest.json`))!,
  ) as SnapshotManifest;
  const partPath = lake.resolve(`${folder}/${manifest.files[0].name}`);
  let rows: ParquetRow[];
  if (format === "csv") {
    const [header, ...data] = parseCsv(await fs.readFile(partPath, "utf8"));
    rows = data.map((r) => Object.fromEntries(header.map((h, i) => [h!, r[i]])));
  } else rows = await readParquet(partPath);
  return { exported: { manifest, rows, partPath } };
}
