// The local target runs a lake-resident entity through the server-side steps (exportLakeEntity),
// DuckDB standing in for serverless SQL over DIR/<container>/<path>: no source byte is hashed (the
// manifest's sources carry a stat-based etag and an empty sha256), the check query fails a bad
// value naming column and value, and rows are read back with an independent Parquet reader
// (hyparquet) against the test's own CSV reading of the source files.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { localTarget } from "../../src/engine/targets";
import { snapshotFolder } from "../../src/plan/lakeLayout";
import type { EntitySpec } from "../../src/spec/types";
import { csvRows } from "../helpers/csvRows";
import { literalDuckdbPath } from "../../src/plan/duckdbPath";
import { LocalSql } from "../../src/engine/sql/localSql";
import { goldenStatements } from "../helpers/golden";
import { errorText } from "../helpers/errorText";
import {
  latestLocalRows,
  makeSpec,
  readParquet,
  removeTempDirs,
  runLocalTarget,
  tempDir,
  writeFiles,
} from "./support/fixtures";

const DB = "ci_export";

const orders: EntitySpec = {
  name: "Orders",
  source: { path: "abfss://raw@otherlake.dfs.core.windows.net/orders/*.csv", format: "csv" },
  columns: [
    { name: "id", type: "int64" },
    { name: "name", type: "string", maxLength: 10 },
  ],
} as EntitySpec;

const files = {
  "raw/orders/a.csv": "id,name\n1,Ann\n2,\n",
  "raw/orders/b.csv": "name,id\nBob,3\n",
  "raw/orders/_x.csv": "id,name\n99,hidden\n",
};

async function world(
  entity: EntitySpec = orders,
  sourceFiles: Record<string, string> = files,
  label = "local-server-side",
) {
  const dir = await tempDir(label);
  await writeFiles(dir, sourceFiles);
  const spec = makeSpec(path.join(dir, "spec"), [entity]);
  const run = () => runLocalTarget(spec, dir);
  const rows = () => latestLocalRows(spec, dir, entity.name);
  return { dir, run, rows };
}

describe("the local target's server-side export of a lake-resident entity", () => {
  after(removeTempDirs);

  it("reads the glob's visible files by name, exactly, with no content hash, and sends nothing when unchanged", async () => {
    const w = await world();
    const first = await w.run();
    expect(errorText(first.entities[0])).to.equal("");
    expect(first.entities[0].status).to.equal("exported");
    const { latest, rows } = await w.rows();
    // Expected rows from the test's own reading of the two visible files (header names the order).
    const expected = [files["raw/orders/a.csv"], files["raw/orders/b.csv"]].flatMap((t) => {
      const header = t.split("\n")[0].split(",");
      return csvRows(t).map((r) => ({
        id: BigInt(r[header.indexOf("id")]!),
        name: r[header.indexOf("name")],
      }));
    });
    const sorted = rows.sort((a, b) => Number((a.id as bigint) - (b.id as bigint)));
    expect(sorted).to.deep.equal(expected);
    expect(latest.manifest.rows).to.equal(3);
    expect(latest.manifest.sources!.map((s) => s.sha256)).to.deep.equal(["", ""]);
    for (const s of latest.manifest.sources!) expect(s.etag).to.match(/^\d+-\d+-\d+-\d+$/);

    const second = await w.run();
    expect(second.entities[0].status).to.equal("unchanged");
  });

  it("leaves hidden files out when the --local folder's name has a character outside the BMP", async () => {
    // DuckDB's substr counts code points; "𝄞" is one, but two UTF-16 units in JavaScript.
    const w = await world(orders, files, "local-server-side-𝄞");
    const run = await w.run();
    expect(errorText(run.entities[0])).to.equal("");
    const { rows } = await w.rows();
    expect(rows.map((r) => r.id).sort()).to.deep.equal([1n, 2n, 3n]);
  });

  it("fails a value that does not fit, naming column and value, and keeps the snapshot served before", async () => {
    const w = await world();
    await w.run();
    const before = await w.rows();
    await fs.writeFile(path.join(w.dir, "raw/orders/b.csv"), "name,id\nBob,3.5\n");
    const failed = await w.run();
    expect(failed.entities[0].status).to.equal("failed");
    expect(errorText(failed.entities[0])).to.match(
      /column id: 1 value\(s\) do not fit bigint \(a whole number in range: digits with an optional sign, no point or exponent\), the least of them "3\.5"/,
    );
    const after = await w.rows();
    expect(after.latest.snapshot).to.equal(before.latest.snapshot);
  });

  it("refuses a string past the 8000 bytes serverless reads of a CSV column, as Azure would, and lands one of exactly 8000", async () => {
    // develop-openrowset, "CSV parser version 2.0 specifics": at most 8000 bytes a character column;
    // serverless fails the query past that (15813). 4000 two-byte characters are 8000 bytes.
    const notes = {
      name: "Notes",
      source: { path: "abfss://raw@otherlake.dfs.core.windows.net/notes/*.csv", format: "csv" },
      columns: [
        { name: "id", type: "int64" },
        { name: "note", type: "string" },
      ],
    } as EntitySpec;
    const fits = "é".repeat(4000);
    const w = await world(notes, { "raw/notes/a.csv": `id,note\n1,${fits}\n` });
    const first = await w.run();
    expect(errorText(first.entities[0])).to.equal("");
    expect((await w.rows()).rows).to.deep.equal([{ id: 1n, note: fits }]);

    await fs.writeFile(path.join(w.dir, "raw/notes/a.csv"), `id,note\n1,${fits}x\n`);
    const failed = await w.run();
    expect(failed.entities[0].status).to.equal("failed");
    expect(errorText(failed.entities[0])).to.match(
      /column note: 1 value\(s\) are more than 8000 bytes in UTF-8, the longest CSV value serverless SQL reads \(PARSER_VERSION 2\.0\), the least of them "é{120}"… \(4001 characters, 8001 bytes in UTF-8\)/,
    );
    expect((await w.rows()).rows).to.deep.equal([{ id: 1n, note: fits }]);

    // Not only strings: serverless reads every CSV column as varchar(8000), so a number written
    // with 8000 zeros after its point (a double DuckDB would take as 1) is refused too.
    const long = `1.${"0".repeat(7999)}`;
    await fs.writeFile(path.join(w.dir, "raw/notes/a.csv"), `id,note\n${long},x\n`);
    const number = await w.run();
    expect(number.entities[0].status).to.equal("failed");
    expect(errorText(number.entities[0])).to.match(
      /column id: 1 value\(s\) are more than 8000 bytes in UTF-8, .*the least of them "1\.0{118}"… \(8001 characters, 8001 bytes in UTF-8\)/,
    );
  });

  it("names a string past its maxLength by the maxLength, and an exactly named file that starts with _ is read", async () => {
    const w = await world(
      {
        ...orders,
        source: {
          path: "abfss://raw@otherlake.dfs.core.windows.net/orders/_data.csv",
          format: "csv",
        },
      } as EntitySpec,
      { "raw/orders/_data.csv": "id,name\n1,Ann\n2,Bartholomew\n" },
    );
    const failed = await w.run();
    expect(errorText(failed.entities[0])).to.match(
      /column name: 1 value\(s\) are longer than the column's maxLength of 10 characters, the least of them "Bartholomew"/,
    );
    expect(errorText(failed.entities[0])).to.not.contain("8000");
    // serverless reads the file a path names, hidden-looking or not (matchBulkPath): so does --local.
    await fs.writeFile(path.join(w.dir, "raw/orders/_data.csv"), "id,name\n1,Ann\n2,Bart\n");
    const exported = await w.run();
    expect(errorText(exported.entities[0])).to.equal("");
    expect((await w.rows()).rows).to.deep.equal([
      { id: 1n, name: "Ann" },
      { id: 2n, name: "Bart" },
    ]);
  });

  it("reads a folder named without a wildcard as its own visible files", async () => {
    const w = await world(
      {
        ...orders,
        source: { path: "abfss://raw@otherlake.dfs.core.windows.net/orders/", format: "csv" },
      } as EntitySpec,
      { ...files, "raw/orders/deeper/c.csv": "id,name\n7,Deep\n" },
    );
    const run = await w.run();
    expect(errorText(run.entities[0])).to.equal("");
    const { rows } = await w.rows();
    expect(rows.map((r) => r.id).sort()).to.deep.equal([1n, 2n, 3n]);
  });

  it("refuses a --local folder DuckDB cannot use, naming it, before anything is written", async () => {
    const base = await tempDir("local-refused");
    const spec = makeSpec(path.join(base, "spec"), [orders]);
    // A `?` starts DuckDB's options in a database path; a backslash splits a glob's path.
    for (const [dir, what] of [
      [path.join(base, "q?x"), "'?'"],
      [path.join(base, "back\\slash"), "backslash"],
    ]) {
      let refused: unknown;
      try {
        localTarget(spec, dir);
      } catch (e) {
        refused = e;
      }
      expect(refused, dir).to.be.instanceOf(Error);
      expect((refused as { kind?: string }).kind).to.equal("usage");
      expect((refused as Error).message)
        .to.contain(`--local ${dir}:`)
        .and.to.contain(what);
      await fs.access(dir).then(
        () => expect.fail(`${dir} was created`),
        () => undefined,
      );
    }
  });

  it("cleans a folder without manifest a killed run left, and a changed file gives a new snapshot", async () => {
    const w = await world();
    await w.run();
    const target = localTarget(makeSpec(path.join(w.dir, "spec"), [orders]), w.dir);
    const stale = path.join(target.lake.localRoot!, snapshotFolder(DB, "Orders", "deadbeef"));
    await fs.mkdir(stale, { recursive: true });
    await fs.writeFile(path.join(stale, "part-0.parquet"), "half");
    await fs.writeFile(path.join(w.dir, "raw/orders/b.csv"), "name,id\nBob,4\n");
    const next = await w.run();
    expect(errorText(next.entities[0])).to.equal("");
    expect(next.entities[0].status).to.equal("exported");
    await fs.access(stale).then(
      () => expect.fail("the half-written folder is still there"),
      () => undefined,
    );
    const { rows } = await w.rows();
    expect(rows.map((r) => r.id).sort()).to.deep.equal([1n, 2n, 4n]);
  });
});

/**
 * Every statement a run sends to the local target's DuckDB (LocalSql, the stand-in for serverless),
 * recorded on the way through and compared with the reviewed golden file, the temporary folder and
 * the snapshot id replaced by the placeholders the file uses.
 */
describe("the local target's server-side statements", () => {
  after(removeTempDirs);
  const GOLDEN = path.resolve(__dirname, "../../../test/fixtures/golden/local_lake.duckdb.sql");

  it("are the reviewed golden DuckDB SQL, in order, each in its database", async () => {
    const sent: { database: string; statement: string }[] = [];
    const proto = LocalSql.prototype;
    const original = {
      query: proto.query,
      execute: proto.execute,
      counting: proto.executeCounting,
    };
    proto.query = function (database, sql) {
      sent.push({ database, statement: sql });
      return original.query.call(this, database, sql);
    };
    proto.execute = function (statements) {
      for (const st of statements) sent.push({ database: st.database, statement: st.statement });
      return original.execute.call(this, statements);
    };
    proto.executeCounting = function (st) {
      sent.push({ database: st.database, statement: st.statement });
      return original.counting.call(this, st);
    };
    let record;
    let w;
    try {
      w = await world();
      record = await w.run();
    } finally {
      Object.assign(proto, {
        query: original.query,
        execute: original.execute,
        executeCounting: original.counting,
      });
    }
    expect(errorText(record.entities[0])).to.equal("");
    const snapshot = record.entities[0].snapshot!;
    // What depends on the machine: the folder (as written in a literal, and in a path DuckDB matches
    // only to itself), the snapshot id and the number of parts DuckDB wrote (one per thread).
    const { latest } = await w.rows();
    const dirForms = [
      literalDuckdbPath(w.dir).replace(/'/g, "''"),
      w.dir.replace(/'/g, "''"),
      w.dir,
    ]
      .filter((f, k, all) => all.indexOf(f) === k)
      .sort((a, b) => b.length - a.length);
    const parts = latest.manifest.files.map(
      (f) => `'<DIR>/ci-export/${snapshotFolder(DB, "Orders", "<Orders snapshot>")}/${f.name}'`,
    );
    const placeheld = sent.map((s) => {
      let text = s.statement;
      for (const form of dirForms) text = text.split(form).join("<DIR>");
      text = text
        .split(snapshot)
        .join("<Orders snapshot>")
        .split(`[${parts.join(", ")}]`)
        .join("<Orders parts>");
      return { database: s.database, statement: text };
    });
    expect(placeheld).to.deep.equal(goldenStatements(GOLDEN));
  });
});

describe("the local target's lake-resident Parquet source", () => {
  after(removeTempDirs);

  it("still exports exactly through the runner's typed Parquet read", async () => {
    const dir = await tempDir("local-lake-parquet");
    await fs.mkdir(path.join(dir, "raw/visits"), { recursive: true });
    await fs.mkdir(path.join(dir, "spec"), { recursive: true });
    const source = path.join(dir, "raw/visits/part-0.parquet");
    // The source file, written by DuckDB directly (not by the product).
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT * FROM (VALUES (1::BIGINT, 'Ann'), (2::BIGINT, NULL)) AS t(id, name)) TO '${source.replace(/'/g, "''")}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    const visits = {
      name: "Visits",
      source: {
        path: "abfss://raw@otherlake.dfs.core.windows.net/visits/*.parquet",
        format: "parquet",
      },
      columns: [
        { name: "id", type: "int64" },
        { name: "name", type: "string" },
      ],
    } as EntitySpec;
    const spec = makeSpec(path.join(dir, "spec"), [visits]);
    const record = await runLocalTarget(spec, dir);

    expect(errorText(record.entities[0])).to.equal("");
    expect(record.entities[0].status).to.equal("exported");
    const { rows } = await latestLocalRows(spec, dir, "Visits");
    expect(rows).to.deep.equal(await readParquet(source));
  });
});
