// A Customer Insights export folder (model.json + headerless CSV partitions) exported by the runner:
// the rows read back with hyparquet (Parquet) or a plain RFC 4180 reader (CSV), against values
// computed here from the partition text, never from the code under test.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { LocalLake, runExport } from "../../src/engine";
import { resolveCdmSource } from "../../src/engine/sources/cdmSource";
import { snapshotFolder } from "../../src/plan/lakeLayout";
import type { SnapshotManifest } from "../../src/plan/manifest";
import type { EntitySpec, ExportFormat } from "../../src/spec/types";
import {
  ACCOUNT,
  CONTAINER,
  CUSTOMER_ATTRIBUTES,
  EXPORT,
  modelJson,
  PARTITION_1,
  PARTITION_2,
} from "./support/cdmExport";
import { parseCsv } from "./support/csv";
import {
  age,
  makeSpec,
  parquetSchema,
  readParquet,
  removeTempDirs,
  tempDir,
  writeFiles,
} from "./support/fixtures";

const FOLDER = "2024/05/01/0930";
const LAKE_PATH = `abfss://${CONTAINER}@${ACCOUNT}.dfs.core.windows.net/${EXPORT}`;

/** The export folder's files, relative to the folder that holds model.json. */
function exportFiles(model = modelJson(), folder = FOLDER): Record<string, string> {
  return {
    "model.json": model,
    [`Customer/${folder}/Customer_1.csv`]: PARTITION_1,
    [`Customer/${folder}/Customer_2.csv`]: PARTITION_2,
  };
}

async function setUp(where: "lake" | "local", files = exportFiles()) {
  const dir = await tempDir("cdm");
  const lakeDir = path.join(dir, "lake");
  const exportDir =
    where === "lake"
      ? path.join(lakeDir, CONTAINER, ...EXPORT.split("/"))
      : path.join(dir, "spec", "ci", "LakeExport");
  await writeFiles(exportDir, files);
  for (const name of Object.keys(files)) await age(path.join(exportDir, name));
  await fs.mkdir(path.join(dir, "spec"), { recursive: true });
  const source = where === "lake" ? LAKE_PATH : "ci/LakeExport";
  const entity: EntitySpec = {
    name: "Customer",
    source: { path: source, format: "cdm", entity: "customer" },
  };
  const lake = new LocalLake(lakeDir, "ci-export");
  const run = (format: ExportFormat = "parquet") =>
    runExport(makeSpec(path.join(dir, "spec"), [entity], { format }), {
      lake,
      stagingDir: path.join(dir, "staging"),
    });
  const manifestOf = async (snapshot: string) =>
    JSON.parse(
      (await lake.readText(`${snapshotFolder("ci_export", "Customer", snapshot)}/_manifest.json`))!,
    ) as SnapshotManifest;
  const part = async (snapshot: string) => {
    const m = await manifestOf(snapshot);
    return lake.resolve(`${snapshotFolder("ci_export", "Customer", snapshot)}/${m.files[0].name}`);
  };
  return { dir, exportDir, lake, run, manifestOf, part };
}

/** The partitions' rows as an independent reader sees them (their CustomerIds are 1, 2, 3, 4 in order). */
const SOURCE_ROWS = [...parseCsv(PARTITION_1), ...parseCsv(PARTITION_2)].map((r) =>
  r.map((v) => (v === "" ? null : v)),
);

const col = (name: string) => CUSTOMER_ATTRIBUTES.findIndex((a) => a.name === name);

/** Microseconds since the epoch of an ISO 8601 text with up to 6 fractional digits. */
function micros(text: string): bigint {
  const m = /^(.*?)(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/.exec(text)!;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return BigInt(ms) * 1000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

/** A decimal's text without insignificant zeros, for comparing exact values written differently. */
function decimalText(text: string): string {
  let [int, frac = ""] = text.split(".");
  frac = frac.replace(/0+$/, "");
  const negative = int.startsWith("-");
  int = int.replace(/^-/, "").replace(/^0+(?=\d)/, "");
  const zero = /^0*$/.test(int) && frac === "";
  return `${negative && !zero ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
}

describe("cdm sources: a Customer Insights export folder through the runner", function () {
  this.timeout(60_000);
  after(removeTempDirs);

  for (const where of ["lake", "local"] as const) {
    it(`exports both partitions of a ${where === "lake" ? "lake-location" : "local copy's"} model.json exactly, with its CDM types`, async () => {
      const x = await setUp(where);
      const record = await x.run();
      const e = record.entities[0];
      expect(e.status, errorText(e)).to.equal("exported");
      expect(e.rows).to.equal(SOURCE_ROWS.length);
      if (where === "lake") {
        expect(e.cdm).to.deep.equal({
          modelJson: `${LAKE_PATH}/model.json`,
          exportFolder: `${LAKE_PATH}/Customer/${FOLDER}`,
        });
      } else {
        expect(e.cdm).to.deep.equal({
          modelJson: "ci/LakeExport/model.json",
          exportFolder: `ci/LakeExport/Customer/${FOLDER}`,
        });
      }
      expect(e.columns!.map((c) => [c.name, c.type])).to.deep.equal([
        ["CustomerId", "int64"],
        ["FullName", "string"],
        ["Balance", "decimal"],
        ["IsVip", "boolean"],
        ["SignedUp", "dateTime"],
        ["LastSeen", "dateTimeOffset"],
        ["ProfileId", "guid"],
        ["Score", "double"],
        ["Extra", "string"],
      ]);

      const file = await x.part(e.snapshot!);
      // A table has no row order: both sides by CustomerId.
      const rows = (await readParquet(file)).sort(
        (a, b) => Number(a.CustomerId as bigint) - Number(b.CustomerId as bigint),
      );
      expect(rows).to.have.length(SOURCE_ROWS.length);
      rows.forEach((row, i) => {
        const src = SOURCE_ROWS[i];
        const or = <T>(v: string | null, f: (s: string) => T) => (v === null ? null : f(v));
        expect(row.CustomerId).to.equal(or(src[col("CustomerId")], BigInt));
        expect(row.FullName).to.equal(src[col("FullName")]);
        expect(row.IsVip).to.equal(or(src[col("IsVip")], (s) => s.toLowerCase() === "true"));
        expect(row.SignedUp).to.equal(or(src[col("SignedUp")], micros));
        expect(row.LastSeen).to.equal(or(src[col("LastSeen")], micros));
        expect(row.ProfileId).to.equal(or(src[col("ProfileId")], (s) => s.toLowerCase()));
        expect(row.Score).to.equal(or(src[col("Score")], Number));
        expect(row.Extra).to.equal(src[col("Extra")]);
      });
      const { columns } = await parquetSchema(file);
      const balance = columns.find((c) => c.name === "Balance")!;
      expect(balance).to.include({ converted_type: "DECIMAL", precision: 38, scale: 18 });
    });
  }

  it("lands every decimal digit (CSV snapshot read back as text)", async () => {
    const x = await setUp("lake");
    const record = await x.run("csv");
    const e = record.entities[0];
    expect(e.status, errorText(e)).to.equal("exported");
    const [header, ...rows] = parseCsv(await fs.readFile(await x.part(e.snapshot!), "utf8"));
    const at = header.indexOf("Balance");
    rows.sort(
      (a, b) => Number(a[header.indexOf("CustomerId")]) - Number(b[header.indexOf("CustomerId")]),
    );
    expect(
      rows.map((r) => (r[at] === "" || r[at] === null ? null : decimalText(r[at]!))),
    ).to.deep.equal(
      SOURCE_ROWS.map((r) => (r[col("Balance")] === null ? null : decimalText(r[col("Balance")]!))),
    );
  });

  it("uses the export model.json describes and names newer, undescribed folders as skipped", async () => {
    const x = await setUp("lake", {
      ...exportFiles(),
      // An export still being written: partitions out, model.json not yet rewritten.
      "Customer/2024/05/02/0930/Customer_1.csv": "9,Half written,,,,,,,\n",
    });
    const e = (await x.run()).entities[0];
    expect(e.status, errorText(e)).to.equal("exported");
    expect(e.rows).to.equal(SOURCE_ROWS.length);
    expect(e.cdm!.exportFolder).to.equal(`${LAKE_PATH}/Customer/${FOLDER}`);
    expect(e.cdm!.skippedIncomplete).to.deep.equal(["2024/05/02/0930"]);
  });

  it("refuses an export whose model.json names a partition that is not there, and writes nothing", async () => {
    const files = exportFiles();
    delete files[`Customer/${FOLDER}/Customer_2.csv`];
    const x = await setUp("lake", files);
    const e = (await x.run()).entities[0];
    expect(e.status).to.equal("failed");
    expect(errorText(e)).to.contain("is not complete").and.contain("Customer_2.csv");
    expect(await x.lake.list("ci_export")).to.deep.equal([]);
  });

  it("refuses a local copy whose two partitions are one local file (each row would be read twice)", async () => {
    // The second partition's lake path differs from the first's only before the entity's folder, so
    // both map to Customer/<folder>/Customer_1.csv in the local copy.
    const model = modelJson().replace(
      `https://${ACCOUNT}.dfs.core.windows.net/${CONTAINER}/${EXPORT}/Customer/${FOLDER}/Customer_2.csv`,
      `https://${ACCOUNT}.dfs.core.windows.net/${CONTAINER}/copy/${EXPORT}/Customer/${FOLDER}/Customer_1.csv`,
    );
    const x = await setUp("local", exportFiles(model));
    const e = (await x.run()).entities[0];
    expect(e.status).to.equal("failed");
    expect(errorText(e))
      .to.contain("$.entities[1].partitions[0] and [1]")
      .and.contain(`are the same local file ci/LakeExport/Customer/${FOLDER}/Customer_1.csv`);
    expect(await x.lake.list("ci_export")).to.deep.equal([]);
  });

  it("refuses a partition outside the model.json's container, naming the JSON path", async () => {
    const model = modelJson().replace(
      `https://${ACCOUNT}.dfs.core.windows.net/${CONTAINER}/${EXPORT}/Customer/${FOLDER}/Customer_2.csv`,
      `https://${ACCOUNT}.dfs.core.windows.net/other-data/${EXPORT}/Customer/${FOLDER}/Customer_2.csv`,
    );
    const x = await setUp("lake", exportFiles(model));
    const e = (await x.run()).entities[0];
    expect(e.status).to.equal("failed");
    expect(errorText(e)).to.contain("$.entities[1].partitions[1]");
  });

  it("is unchanged on a rerun, and a changed model.json alone makes a new snapshot", async () => {
    const x = await setUp("lake");
    const first = (await x.run()).entities[0];
    expect(first.status, errorText(first)).to.equal("exported");
    const again = (await x.run()).entities[0];
    expect(again.status).to.equal("unchanged");
    expect(again.snapshot).to.equal(first.snapshot);

    // Same partitions, one attribute now a string: another snapshot, the value as text.
    const attributes = CUSTOMER_ATTRIBUTES.map((a) =>
      a.name === "Score" ? { ...a, dataType: "string" } : a,
    );
    await fs.writeFile(path.join(x.exportDir, "model.json"), modelJson({ attributes }));
    const changed = (await x.run()).entities[0];
    expect(changed.status, errorText(changed)).to.equal("exported");
    expect(changed.snapshot).to.not.equal(first.snapshot);
    const rows = (await readParquet(await x.part(changed.snapshot!))).sort(
      (a, b) => Number(a.CustomerId as bigint) - Number(b.CustomerId as bigint),
    );
    expect(rows.map((r) => r.Score)).to.deep.equal(SOURCE_ROWS.map((r) => r[col("Score")]));
  });

  it("reads partitions with a header row when model.json says columnHeaders: true", async () => {
    const header = `${CUSTOMER_ATTRIBUTES.map((a) => a.name).join(",")}\n`;
    const x = await setUp("lake", {
      "model.json": modelJson({
        fileFormatSettings: { $type: "CsvFormatSettings", columnHeaders: true },
      }),
      [`Customer/${FOLDER}/Customer_1.csv`]: header + PARTITION_1,
      [`Customer/${FOLDER}/Customer_2.csv`]: header + PARTITION_2,
    });
    const e = (await x.run()).entities[0];
    expect(e.status, errorText(e)).to.equal("exported");
    expect(e.rows, "the header rows are not data").to.equal(SOURCE_ROWS.length);
  });

  it("gives the server-side export the partitions as lake locations, with the dialect and columns", async () => {
    const x = await setUp("lake");
    const cdm = await resolveCdmSource(
      path.join(x.dir, "spec"),
      { name: "Customer", source: { path: LAKE_PATH, format: "cdm" } },
      { localLakeDir: path.join(x.dir, "lake") },
    );
    expect(cdm.lakeInput.format).to.equal("csv");
    expect(cdm.lakeInput.csv).to.deep.equal({ delimiter: ",", quote: '"', header: false });
    expect(cdm.lakeInput.files.map((f) => `${f.account}/${f.container}/${f.path}`)).to.deep.equal([
      `${ACCOUNT}/${CONTAINER}/${EXPORT}/Customer/${FOLDER}/Customer_1.csv`,
      `${ACCOUNT}/${CONTAINER}/${EXPORT}/Customer/${FOLDER}/Customer_2.csv`,
    ]);
    expect(cdm.lakeInput.columns.map((c) => c.name)).to.deep.equal(
      CUSTOMER_ATTRIBUTES.map((a) => a.name),
    );
  });

  it("refuses a lake-location model.json when no local target says where the lake is", async () => {
    const x = await setUp("lake");
    let message = "";
    await resolveCdmSource(path.join(x.dir, "spec"), {
      name: "Customer",
      source: { path: LAKE_PATH, format: "cdm" },
    }).catch((e: Error) => (message = e.message));
    expect(message)
      .to.contain("exported by Synapse serverless")
      .and.contain(`source.path "${LAKE_PATH}"`);
  });

  it("refuses a local path outside the spec's folder before looking at it", async () => {
    const x = await setUp("local");
    let message = "";
    await resolveCdmSource(path.join(x.dir, "spec"), {
      name: "Customer",
      source: { path: "../lake", format: "cdm" },
    }).catch((e: Error) => (message = e.message));
    expect(message).to.contain("leaves the spec's folder");
  });
});
