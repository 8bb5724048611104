// CSV snapshots read back with the types the external table declares: the text the writer puts in a
// CSV part, for every column type, is in the form serverless's CSV PARSER_VERSION 2.0 reads
// (https://learn.microsoft.com/azure/synapse-analytics/sql/develop-openrowset, "CSV parser version
// 2.0 specifics": date `YYYY-MM-DD`, datetime2 `YYYY-MM-DD HH:MM:SS[.fractional seconds]`; bit from
// `true`/`false`, https://learn.microsoft.com/sql/t-sql/data-types/bit-transact-sql). The expected
// forms are those documents' patterns, not the writer's code.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { LocalLake, runExport } from "../../src/engine";
import { snapshotFolder } from "../../src/plan/lakeLayout";
import type { SnapshotManifest } from "../../src/plan/manifest";
import type { ColumnSpec } from "../../src/spec/types";
import { parseCsv } from "./support/csv";
import { makeSpec, removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

const COLUMNS: ColumnSpec[] = [
  { name: "i32", type: "int32" },
  { name: "i64", type: "int64" },
  { name: "d", type: "double" },
  { name: "dec", type: "decimal", precision: 10, scale: 2 },
  { name: "b", type: "boolean" },
  { name: "dt", type: "date" },
  { name: "ts", type: "dateTime" },
  { name: "tso", type: "dateTimeOffset" },
  { name: "g", type: "guid" },
];

/** What PARSER_VERSION 2.0 reads for each declared serverless type (the docs above). */
const READS: Record<string, RegExp> = {
  i32: /^-?\d+$/,
  i64: /^-?\d+$/,
  d: /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/,
  dec: /^-?\d+\.\d{2}$/,
  b: /^(true|false)$/,
  dt: /^\d{4}-\d{2}-\d{2}$/,
  ts: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,7})?$/,
  tso: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,7})?$/,
  g: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
};

const SOURCE =
  "i32,i64,d,dec,b,dt,ts,tso,g\n" +
  "1,9007199254740993,1.5,12.3,true,2024-01-31,2024-01-31T13:45:00.123456,2024-01-31T13:45:00+01:00,0BFC4568-A4BA-4C58-BD3E-5D3E76BD7FFF\n" +
  "-2147483648,-1,-0.25,-99999999.99,false,1900-01-01,1970-01-01 00:00:00,2024-06-30T23:30:00-05:00,0bfc4568a4ba4c58bd3e5d3e76bd7fff\n";

describe("CSV snapshots in the text serverless PARSER_VERSION 2.0 reads", () => {
  after(removeTempDirs);

  it("writes every typed value in the documented form of its declared type", async () => {
    const dir = await tempDir("csvtext");
    await writeFiles(path.join(dir, "spec"), { "all.csv": SOURCE });
    const spec = makeSpec(
      path.join(dir, "spec"),
      [{ name: "AllTypes", source: { path: "all.csv", format: "csv" }, columns: COLUMNS }],
      { format: "csv" },
    );
    const lake = new LocalLake(path.join(dir, "lake"), "ci-export");
    const record = await runExport(spec, { lake, stagingDir: path.join(dir, "staging") });
    expect(record.ok, JSON.stringify(record.entities)).to.equal(true);
    const folder = snapshotFolder("ci_export", "AllTypes", record.entities[0].snapshot!);
    const manifest = JSON.parse(
      (await lake.readText(`${folder}/_manifest.json`))!,
    ) as SnapshotManifest;
    const text = await fs.readFile(lake.resolve(`${folder}/${manifest.files[0].name}`), "utf8");

    const [header, ...rows] = parseCsv(text);
    // FIRST_ROW = 2 in the file format skips exactly this header.
    expect(header).to.deep.equal(COLUMNS.map((c) => c.name));
    expect(rows).to.have.length(2);
    for (const row of rows) {
      COLUMNS.forEach((c, i) => {
        expect(row[i], `${c.name} = ${row[i]}`).to.match(READS[c.name]);
      });
    }
    // The offset is normalised to UTC before it is written (datetime2 has no offset).
    expect(rows[1][COLUMNS.findIndex((c) => c.name === "tso")]).to.equal("2024-07-01 04:30:00");
  });
});
