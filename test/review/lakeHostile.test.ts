// Hostile review of lake-resident sources and Customer Insights model.json folders (issue 13).
// Most cases run the local target (run --local DIR: the server-side steps, DuckDB standing in for
// serverless SQL over DIR/<container>/<path>) and read the snapshot back with hyparquet; the expected
// rows are written here, next to the source text. One case is the Azure check query's T-SQL itself.
//
// The tests under "bugs" fail today: each names the input, what landed and what should have.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { EntitySpec } from "../../src/spec/types";
import type { LakeSourceFiles } from "../../src/plan/lakeSource";
import { renderCetasCheck } from "../../src/plan/renderCetas";
import { LocalSql } from "../../src/engine/sql/localSql";
import { errorText } from "../helpers/errorText";
import {
  ID_NAME_COLUMNS,
  lakeCsvEntity,
  latestLocalRows,
  makeSpec,
  removeTempDirs,
  runLocalTarget,
  tempDir,
  writeFiles,
  type ParquetRow,
} from "../engine/support/fixtures";
import { ACCOUNT, CONTAINER, EXPORT, modelJson, partitionUrl } from "../engine/support/cdmExport";

const entity = lakeCsvEntity;
const idName = ID_NAME_COLUMNS;

const EXPORT_DIR = `${CONTAINER}/${EXPORT}`;
const CDM_PATH = `abfss://${CONTAINER}@${ACCOUNT}.dfs.core.windows.net/${EXPORT}`;
const cdmEntity = { name: "Customer", source: { path: CDM_PATH, format: "cdm" } } as EntitySpec;
const FOLDER = "2024/05/01/0930";
const F = `Customer/${FOLDER}`;
const CUSTOMER_2 = [
  { name: "CustomerId", dataType: "int64" },
  { name: "FullName", dataType: "string" },
];

/** A model.json whose Customer entity has these attributes and partitions at these locations. */
function model(locations: string[], extra: object = {}, attributes: object[] = CUSTOMER_2): string {
  const m = JSON.parse(modelJson({ attributes: attributes as never }));
  m.entities[1].partitions = locations.map((location, i) => ({
    name: `p${i}`,
    location,
    ...extra,
  }));
  return JSON.stringify(m);
}
const HEADERS = { fileFormatSettings: { $type: "CsvFormatSettings", columnHeaders: true } };

/** A --local DIR holding these files, and a run of the one entity over it. */
async function world(e: EntitySpec, files: Record<string, string>) {
  const dir = await tempDir("rv-lake");
  await writeFiles(dir, files);
  const spec = makeSpec(path.join(dir, "spec"), [e]);
  const run = async () => {
    const record = (await runLocalTarget(spec, dir)).entities[0];
    let rows: ParquetRow[] = [];
    let sources: string[] = [];
    if (record.status === "exported" || record.status === "unchanged") {
      const latest = await latestLocalRows(spec, dir, e.name);
      rows = latest.rows;
      sources = latest.latest.manifest.sources!.map((s) => s.path.replace(/^.*\/raw\//, ""));
    }
    return { status: record.status, error: errorText(record), rows, sources, record };
  };
  return { dir, run };
}

const ids = (rows: ParquetRow[]) => rows.map((r) => r.id).sort();

describe("review: lake-resident sources, hostile input — bugs", function () {
  this.timeout(20_000);
  after(removeTempDirs);

  it("a header CSV glob where one file lacks a declared column fails naming the file and column", async () => {
    // Input: o/*.csv, columns id, name; a.csv "id,name\n1,Ann", b.csv "id\n2" (no name column).
    // Landed: exported, rows (1, Ann) and (2, NULL): DuckDB's read_csv(union_by_name=true) in
    // localLakeStatements.ts fills the column b.csv does not have with NULL. The runner refuses the
    // same files ("all files of an entity need the same columns", bindColumns.ts), and README says a
    // declared column no source has fails. Same for a model.json with columnHeaders: true whose
    // partition lacks an attribute (exported with FullName NULL).
    // Should: fail, naming b.csv and the column name; nothing written.
    const w = await world(entity("o/*.csv", idName), {
      "raw/o/a.csv": "id,name\n1,Ann\n",
      "raw/o/b.csv": "id\n2\n",
    });
    const r = await w.run();
    expect(r.rows, "rows landed with a NULL the source never had").to.deep.equal([]);
    expect(r.status).to.equal("failed");
    expect(r.error).to.contain("b.csv").and.to.contain("name");
  });

  it("a header naming a declared column twice fails, as the runner's read of the same file does", async () => {
    // Input: o/*.csv, columns id, name; a.csv "id,name,name\n1,Ann,Bob".
    // Landed: exported (1, Ann): DuckDB renames the second header to name_1 and the declared name binds
    // to the first, silently; Bob is gone. The runner fails this file: 'the header names "name" twice
    // (columns 2 and 3)'. Which of the two is "name" is not the export's to choose.
    // Should: fail naming the header and the column, as the runner does.
    const w = await world(entity("o/*.csv", idName), {
      "raw/o/a.csv": "id,name,name\n1,Ann,Bob\n",
    });
    const r = await w.run();
    expect(
      r.status,
      JSON.stringify(r.rows, (_k, v) => (typeof v === "bigint" ? `${v}` : v)),
    ).to.equal("failed");
    expect(r.error).to.match(/name.*twice|twice.*name/);
  });

  it("a model.json partition naming a folder (that holds another partition) is refused, not read twice", async () => {
    // Input: model.json partitions [".../0930/Customer_1.csv", ".../2024/05/01/0930"] (the second a
    // folder, no trailing "/"); the folder holds Customer_1.csv "1,Ann".
    // Landed: exported, rows (1, Ann) twice, the manifest's sources listing Customer_1.csv twice:
    // parseCdmEntity refuses a folder only when it ends in "/", and matchBulkPath reads a path that is
    // not a file as the folder's files. README: "A model.json partition must be one file".
    // Should: fail naming $.entities[1].partitions[1].location (a folder, not a file); nothing written.
    const w = await world(cdmEntity, {
      [`${EXPORT_DIR}/model.json`]: model([
        partitionUrl(FOLDER, "Customer_1.csv"),
        partitionUrl("2024/05/01", "0930"),
      ]),
      [`${EXPORT_DIR}/${F}/Customer_1.csv`]: "1,Ann\n",
    });
    const r = await w.run();
    expect(r.rows, "rows landed twice").to.have.length(0);
    expect(r.status).to.equal("failed");
    expect(r.error).to.contain("partitions[1]");
  });

  it("a same-size rewrite whose mtime is put back (cp -p, rsync --inplace -t, touch -r) is not taken for unchanged", async () => {
    // Input: o/a.csv "id,name\n1,Ann" with mtime 2020-01-01; run; rewrite in place to
    // "id,name\n2,Bob" (same size, same inode) and set the mtime back to 2020-01-01; run again.
    // Landed: second run "unchanged", the view still serving (1, Ann). The local etag is
    // size-mtimeNs-inode (localLakeSource.ts); an mtime set by utimes is not a "timestamp tick" (the
    // limit README documents: this file system keeps nanoseconds, 200 of 200 quick rewrites here
    // got a new mtime), and the ctime, which utimes cannot set back, would have changed.
    // Should: exported, serving (2, Bob), as the dfs ETag would make it on Azure.
    const w = await world(entity("o/*.csv", idName), { "raw/o/a.csv": "id,name\n1,Ann\n" });
    const file = path.join(w.dir, "raw/o/a.csv");
    const then = new Date("2020-01-01T00:00:00Z");
    await fs.utimes(file, then, then);
    const first = await w.run();
    expect(first.status, first.error).to.equal("exported");
    await fs.writeFile(file, "id,name\n2,Bob\n");
    await fs.utimes(file, then, then);
    const second = await w.run();
    expect(second.rows).to.deep.equal([{ id: 2n, name: "Bob" }]);
    expect(second.status).to.equal("exported");
  });

  it("serverless's check counts a quoted empty CSV value in a bigint, float or datetime2 column as a misfit", () => {
    // Input (Azure): a CSV field "" (quoted empty) in an int64, a double and a dateTime column. Parser
    // 2.0 reads it as an empty string, not NULL (README, develop-openrowset "CSV parser version 2.0
    // specifics"), and SQL Server converts '' (and blanks) to 0 for every numeric type and to
    // 1900-01-01 00:00:00 for the date-time types (CAST('' AS int) = 0, CAST('' AS float) = 0,
    // CAST('' AS datetime2) = 1900-01-01; dba.stackexchange.com/questions/101884). The check
    // predicates (renderCetas.ts badValue) only test TRY_CAST(...) IS NULL, which is false for '', so
    // the check passes and the CETAS writes 0, 0 and 1900-01-01 where the source had no value. The
    // local target refuses the same values (passing test below), and the TDS test server's T-SQL model
    // (test/servers/tds/tsqlTypes.ts) reads '' as a failed cast, so no test saw it.
    // Not run against Azure: shown on the rendered check query, whose predicates have no guard for
    // blank text. Should: each of these predicates count a value that is blank after trimming.
    const source: LakeSourceFiles = {
      files: [
        {
          account: "otherlake",
          container: "raw",
          path: "o/*.csv",
          endpoint: "dfs",
          suffix: "core.windows.net",
        },
      ],
      format: "csv",
      csv: { delimiter: ",", quote: '"', header: true },
      columns: [
        { name: "i", type: "int64" },
        { name: "d", type: "double" },
        { name: "t", type: "dateTime" },
      ],
    };
    const check = renderCetasCheck(
      { entity: "E", snapshot: "s1", source },
      { database: "db", dataSource: "ds", fileFormat: "ff" },
    ).statement;
    for (const [i, column] of ["i", "d", "t"].entries()) {
      const bad = new RegExp(
        String.raw`SUM\(CASE WHEN (.*?) THEN 1 ELSE 0 END\) AS \[bad_${i + 1}\]`,
      ).exec(check)![1];
      expect(bad, `column ${column}: ${bad}`).to.match(/LTRIM|TRIM\(|LEN\(|DATALENGTH|= N''/);
    }
  });
});

describe("review: lake-resident sources, hostile input — handled correctly", function () {
  this.timeout(20_000);
  after(removeTempDirs);

  it("a glob reads names with { } [ ] ' % space ? * \\ and non-ASCII as themselves, and not a folder named *.csv", async () => {
    const files: Record<string, string> = {
      "raw/o/a{1,2}.csv": "id,name\n1,a\n",
      "raw/o/b[1].csv": "id,name\n2,b\n",
      "raw/o/c'q.csv": "id,name\n3,c\n",
      "raw/o/d 50%.csv": "id,name\n4,d\n",
      "raw/o/e?.csv": "id,name\n5,e\n",
      "raw/o/f*.csv": "id,name\n6,f\n",
      "raw/o/g\\h.csv": "id,name\n7,g\n",
      "raw/o/ü.csv": "id,name\n8,u\n",
      "raw/o/x.CSV": "id,name\n9,no\n",
      "raw/o/sub.csv/z.csv": "id,name\n10,no\n",
    };
    const r = await (await world(entity("o/*.csv", idName), files)).run();
    expect(r.error).to.equal("");
    expect(ids(r.rows)).to.deep.equal([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(r.sources).to.have.length(8);
  });

  it("a folder whose name has braces is read literally, not as {a,b} alternatives", async () => {
    const r = await (
      await world(entity("b%7Ba%2Cb%7D/*.csv", idName), {
        "raw/b{a,b}/x.csv": "id,name\n1,lit\n",
        "raw/ba/x.csv": "id,name\n2,no\n",
        "raw/bb/x.csv": "id,name\n3,no\n",
      })
    ).run();
    expect(r.error).to.equal("");
    expect(r.rows).to.deep.equal([{ id: 1n, name: "lit" }]);
  });

  it("/** reads every depth and leaves out hidden folders and files at any depth", async () => {
    const r = await (
      await world(entity("o/**", idName), {
        "raw/o/a.csv": "id,name\n1,a\n",
        "raw/o/s/b.csv": "id,name\n2,b\n",
        "raw/o/s/t/c.csv": "id,name\n3,c\n",
        "raw/o/_s/d.csv": "id,name\n4,no\n",
        "raw/o/s/.e.csv": "id,name\n5,no\n",
        "raw/o/s/_t/f.csv": "id,name\n6,no\n",
      })
    ).run();
    expect(r.error).to.equal("");
    expect(r.sources).to.deep.equal(["o/a.csv", "o/s/b.csv", "o/s/t/c.csv"]);
    expect(ids(r.rows)).to.deep.equal([1n, 2n, 3n]);
  });

  it("a wildcard in a middle segment reads one level, skipping hidden folders", async () => {
    const r = await (
      await world(entity("o/2024*/*.csv", idName), {
        "raw/o/2024-01/a.csv": "id,name\n1,a\n",
        "raw/o/2024-02/b.csv": "id,name\n2,b\n",
        "raw/o/_2024-03/c.csv": "id,name\n3,no\n",
        "raw/o/2024-04/deep/d.csv": "id,name\n4,no\n",
        "raw/o/2023/e.csv": "id,name\n5,no\n",
      })
    ).run();
    expect(r.error).to.equal("");
    expect(r.sources).to.deep.equal(["o/2024-01/a.csv", "o/2024-02/b.csv"]);
    expect(ids(r.rows)).to.deep.equal([1n, 2n]);
  });

  it("an empty file and a header-only file in a header glob add no rows and no NULL row", async () => {
    const r = await (
      await world(entity("o/*.csv", idName), {
        "raw/o/a.csv": "id,name\n1,Ann\n",
        "raw/o/b.csv": "",
        "raw/o/c.csv": "id,name\n",
      })
    ).run();
    expect(r.error).to.equal("");
    expect(r.rows).to.deep.equal([{ id: 1n, name: "Ann" }]);
  });

  it("a header-less row with fewer or more fields than declared fails naming its line", async () => {
    for (const text of ["1,Ann\n2\n", "1,Ann\n2,Bob,x\n"]) {
      const r = await (
        await world(entity("o/*.csv", idName, { header: false }), { "raw/o/a.csv": text })
      ).run();
      expect(r.status, text).to.equal("failed");
      expect(r.record.error?.kind, text).to.equal("data");
      expect(r.error, text).to.match(
        /otherlake\.dfs\.core\.windows\.net\/raw\/o\/a\.csv line 2: Expected Number of Columns: 2 Found: [13]/,
      );
    }
  });

  it("--local refuses a quoted empty or blank value in int64, double and dateTime columns, naming it", async () => {
    const cols = [
      { name: "id", type: "int64" },
      { name: "d", type: "double" },
      { name: "t", type: "dateTime" },
    ];
    for (const [text, column, value] of [
      ['"",,\n', "id", '""'],
      ['" ",,\n', "id", '" "'],
      ['1,"",\n', "d", '""'],
      ['1,,""\n', "t", '""'],
    ]) {
      const r = await (
        await world(entity("o/*.csv", cols, { header: false }), { "raw/o/a.csv": text })
      ).run();
      expect(r.status, text).to.equal("failed");
      expect(r.error, text).to.contain(`column ${column}: 1 value(s) do not fit`);
      expect(r.error, text).to.contain(`the least of them ${value}`);
    }
  });

  it("--local fails the entity and publishes nothing when a source file grows while the COPY runs", async () => {
    const w = await world(entity("o/*.csv", idName), { "raw/o/a.csv": "id,name\n1,Ann\n" });
    const proto = LocalSql.prototype;
    const original = proto.executeCounting;
    proto.executeCounting = async function (statement) {
      await fs.appendFile(path.join(w.dir, "raw/o/a.csv"), "2,Bob\n");
      return original.call(this, statement);
    };
    let r;
    try {
      r = await w.run();
    } finally {
      proto.executeCounting = original;
    }
    expect(r.status).to.equal("failed");
    expect(r.error).to.contain("changed while");
    expect(r.rows).to.deep.equal([]);
  });

  it("cdm: one partition named through both the dfs and the blob endpoint is refused as named twice", async () => {
    const url = partitionUrl(FOLDER, "Customer_1.csv");
    const r = await (
      await world(cdmEntity, {
        [`${EXPORT_DIR}/model.json`]: model([url, url.replace(".dfs.", ".blob.")]),
        [`${EXPORT_DIR}/${F}/Customer_1.csv`]: "1,Ann\n",
      })
    ).run();
    expect(r.status).to.equal("failed");
    expect(r.error).to.contain(
      "$.entities[1].partitions[1].location names a file an earlier partition already names",
    );
  });

  it("cdm: partitions with columnHeaders: true bind by name, whatever the header's order", async () => {
    const r = await (
      await world(cdmEntity, {
        [`${EXPORT_DIR}/model.json`]: model([partitionUrl(FOLDER, "Customer_1.csv")], HEADERS),
        [`${EXPORT_DIR}/${F}/Customer_1.csv`]: "FullName,CustomerId\nAnn,1\n",
      })
    ).run();
    expect(r.error).to.equal("");
    expect(r.rows).to.deep.equal([{ CustomerId: 1n, FullName: "Ann" }]);
  });

  it("cdm: attribute names that become one SQL name (a]b, a_b) are refused, naming both", async () => {
    const r = await (
      await world(cdmEntity, {
        [`${EXPORT_DIR}/model.json`]: model([partitionUrl(FOLDER, "Customer_1.csv")], {}, [
          { name: "a]b", dataType: "int64" },
          { name: "it's", dataType: "string" },
          { name: "a_b", dataType: "string" },
        ]),
        [`${EXPORT_DIR}/${F}/Customer_1.csv`]: "1,x,z\n",
      })
    ).run();
    expect(r.status).to.equal("failed");
    expect(r.error).to.contain(
      'the source columns "a]b" and "a_b" would both become the column "a_b"',
    );
    // What can be done: the spec cannot declare a model.json's columns, so it does not say to.
    expect(r.error).to.contain("rename one of the two attributes in Customer Insights");
    expect(r.error).not.to.contain("Declare the entity's columns");
  });

  it("cdm: a partition whose file name starts with _ is read, as its exact name", async () => {
    const r = await (
      await world(cdmEntity, {
        [`${EXPORT_DIR}/model.json`]: model([partitionUrl(FOLDER, "_Customer_1.csv")]),
        [`${EXPORT_DIR}/${F}/_Customer_1.csv`]: "1,Ann\n",
      })
    ).run();
    expect(r.error).to.equal("");
    expect(r.rows).to.deep.equal([{ CustomerId: 1n, FullName: "Ann" }]);
  });

  it("cdm on the local server-side path: reads only the export model.json names; names newer yyyy/MM/dd/HHmm folders as skipped", async () => {
    const r = await (
      await world(cdmEntity, {
        [`${EXPORT_DIR}/model.json`]: model([partitionUrl(FOLDER, "Customer_1.csv")]),
        [`${EXPORT_DIR}/${F}/Customer_1.csv`]: "1,Ann\n",
        [`${EXPORT_DIR}/Customer/2024/05/01/1000/Customer_1.csv`]: "2,Bob\n",
        [`${EXPORT_DIR}/Customer/2024/5/2/0000/Customer_1.csv`]: "3,Cy\n",
        [`${EXPORT_DIR}/Customer/2023/12/31/2359/Customer_1.csv`]: "4,Old\n",
      })
    ).run();
    expect(r.error).to.equal("");
    expect(r.rows).to.deep.equal([{ CustomerId: 1n, FullName: "Ann" }]);
    expect(r.record.cdm).to.deep.equal({
      modelJson: `${CDM_PATH}/model.json`,
      exportFolder: `${CDM_PATH}/${F}`,
      skippedIncomplete: ["2024/05/01/1000"],
    });
  });
});
