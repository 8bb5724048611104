// run --local's DuckDB read of a lake source must read exactly the files of the listing the snapshot
// id and the manifest come from (lakeSourceListing.ts matchBulkPath): folders named with and without
// a wildcard, hidden-looking names, linked folders, the container's root, percent-encoded names,
// header-less files; and source columns named like the check query's aliases or the file column.
// Expected rows are the test's own values, written into the files here.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EntitySpec } from "../../src/spec/types";
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
} from "./support/fixtures";

const entity = lakeCsvEntity;
const idName = ID_NAME_COLUMNS;

async function world(
  e: EntitySpec,
  files: Record<string, string>,
  setup?: (dir: string) => Promise<void>,
  label = "local-lake-reads",
) {
  const dir = await tempDir(label);
  await writeFiles(dir, files);
  if (setup) await setup(dir);
  const spec = makeSpec(path.join(dir, "spec"), [e]);
  const r = (await runLocalTarget(spec, dir)).entities[0];
  let rows: ParquetRow[] = [];
  let sources: string[] = [];
  if (r.status === "exported") {
    const latest = await latestLocalRows(spec, dir, e.name);
    rows = latest.rows;
    sources = latest.latest.manifest.sources!.map((s) => s.path.replace(/^.*\/raw\//, ""));
  }
  return { status: r.status, error: errorText(r), rows, sources };
}

describe("the local target reads a lake source as its listing lists it", () => {
  after(removeTempDirs);

  it("a folder named without a wildcard whose own name starts with _ is read (the listing lists its files)", async () => {
    const w = await world(entity("data/_staging", idName), {
      "raw/data/_staging/a.csv": "id,name\n1,Ann\n",
    });
    expect(w.error).to.equal("");
    expect(w.sources).to.deep.equal(["data/_staging/a.csv"]);
    expect(w.rows.map((r) => r.id)).to.deep.equal([1n]);
  });

  it("a folder named without a wildcard that also holds a subfolder reads only its own files", async () => {
    const w = await world(entity("data", idName), {
      "raw/data/a.csv": "id,name\n1,Ann\n",
      "raw/data/sub/b.csv": "id,name\n2,Bob\n",
    });
    expect(w.error).to.equal("");
    expect(w.sources).to.deep.equal(["data/a.csv"]);
    expect(w.rows.map((r) => r.id)).to.deep.equal([1n]);
  });

  // ADLS Gen2 has no links, and DuckDB's globs treat them unlike the listing the snapshot id comes
  // from (`*` follows a linked folder, `**` neither it nor a linked file): each such link is refused.
  for (const [label, sourcePath, csv, link] of [
    ["a /** path over a linked folder", "data/**", {}, "raw/data/link"],
    [
      "a headerless */x.csv over a linked folder",
      "data/*/b.csv",
      { header: false },
      "raw/data/link",
    ],
    ["a headerless /** over a linked file", "data/**", { header: false }, "raw/data/f.csv"],
  ] as const) {
    it(`${label} is refused, naming the link, and nothing is exported`, async () => {
      const header = "header" in csv ? "" : "id,name\n";
      const w = await world(
        entity(sourcePath, idName, csv),
        {
          "raw/data/a/b.csv": `${header}1,Ann\n`,
          "elsewhere/b.csv": `${header}2,Bob\n`,
        },
        (dir) =>
          fs.symlink(
            path.join(dir, link.endsWith(".csv") ? "elsewhere/b.csv" : "elsewhere"),
            path.join(dir, link),
          ),
      );
      expect(w.status).to.equal("failed");
      expect(w.error).to.contain(
        `${link.replace(/^raw\//, "raw/")} is a symbolic link in the local lake`,
      );
    });
  }

  it("a link the path cannot reach is left alone (a linked notes file and folder beside data/*.csv)", async () => {
    const w = await world(
      entity("data/*.csv", idName),
      { "raw/data/a.csv": "id,name\n1,Ann\n", "elsewhere/b.csv": "id,name\n2,Bob\n" },
      async (dir) => {
        await fs.symlink(path.join(dir, "elsewhere/b.csv"), path.join(dir, "raw/data/notes.txt"));
        await fs.symlink(path.join(dir, "elsewhere"), path.join(dir, "raw/data/archive"));
        await fs.symlink(path.join(dir, "nowhere"), path.join(dir, "raw/data/dangling"));
      },
    );
    expect(w.error).to.equal("");
    expect(w.sources).to.deep.equal(["data/a.csv"]);
    expect(w.rows.map((r) => r.id)).to.deep.equal([1n]);
  });

  it("a symlinked folder named without a wildcard", async () => {
    const w = await world(
      entity("data/link", idName),
      { "elsewhere/b.csv": "id,name\n2,Bob\n" },
      async (dir) => {
        await fs.mkdir(path.join(dir, "raw/data"), { recursive: true });
        await fs.symlink(path.join(dir, "elsewhere"), path.join(dir, "raw/data/link"));
      },
    );
    expect(w.error).to.equal("");
    expect(w.sources).to.deep.equal(["data/link/b.csv"]);
    expect(w.rows.map((r) => r.id)).to.deep.equal([2n]);
  });

  it("the container's root (path empty) leaves hidden files out", async () => {
    const w = await world(entity("", idName), {
      "raw/a.csv": "id,name\n1,Ann\n",
      "raw/_b.csv": "id,name\n2,Bob\n",
    });
    expect(w.error).to.equal("");
    expect(w.sources).to.deep.equal(["a.csv"]);
    expect(w.rows.map((r) => r.id)).to.deep.equal([1n]);
  });

  it("a percent-encoded name", async () => {
    const w = await world(entity("d%20x/a%25b.csv", idName), {
      "raw/d x/a%b.csv": "id,name\n1,Ann\n",
    });
    expect(w.error).to.equal("");
    expect(w.rows.map((r) => r.id)).to.deep.equal([1n]);
  });

  it("source columns named like the check's aliases (rows, bytes_1, example_1)", async () => {
    const cols = [
      { name: "rows", type: "int64" },
      { name: "bytes_1", type: "string" },
      { name: "example_1", type: "int64" },
    ];
    const w = await world(entity("a/*.csv", cols), {
      "raw/a/x.csv": "rows,bytes_1,example_1\n1,x,5\n2,,6\n",
    });
    expect(w.error).to.equal("");
    expect(w.rows.length).to.equal(2);
  });

  it("a long value under a renamed source column, a NULL and an empty string", async () => {
    const cols = [
      { name: "id", type: "int64" },
      { name: "note", type: "string", sourceColumn: "Note Text" },
      { name: "n", type: "int64", sourceColumn: "num" },
    ];
    const long = "a".repeat(8001);
    const w = await world(entity("a/*.csv", cols), {
      "raw/a/x.csv": `id,Note Text,num\n1,"",\n2,,${"1".repeat(8001)}\n3,${long},1\n`,
    });
    expect(w.status).to.equal("failed");
    expect(w.error).to.match(
      /column note \(source column Note Text\): 1 value\(s\) are more than 8000 bytes/,
    );
    expect(w.error).to.match(
      /column n \(source column num\): 1 value\(s\) are more than 8000 bytes/,
    );
  });

  it("a source column named like the file column", async () => {
    const cols = [
      { name: "id", type: "int64" },
      { name: "__synapse_export_file", type: "string" },
    ];
    const w = await world(entity("a/*.csv", cols), {
      "raw/a/x.csv": "id,__synapse_export_file\n1,f\n",
    });
    expect(w.error).to.equal("");
    expect(w.rows).to.deep.equal([{ id: 1n, __synapse_export_file: "f" }]);
  });

  it("header-less CSV over a folder, two files", async () => {
    const w = await world(entity("a", idName, { header: false }), {
      "raw/a/x.csv": "1,Ann\n",
      "raw/a/y.csv": "2,Bob\n",
      "raw/a/.z.csv": "3,no\n",
    });
    expect(w.error).to.equal("");
    expect(w.rows.map((r) => r.id).sort()).to.deep.equal([1n, 2n]);
  });

  it("a header-less CSV with a renamed source column", async () => {
    const cols = [
      { name: "id", type: "int64", sourceColumn: "c1" },
      { name: "name", type: "string", sourceColumn: "c2" },
    ];
    const w = await world(entity("a/*.csv", cols, { header: false }), { "raw/a/x.csv": "1,Ann\n" });
    expect(w.error).to.equal("");
    expect(w.rows).to.deep.equal([{ id: 1n, name: "Ann" }]);
  });

  for (const label of ["rv-[a]*", "rv-%20'x", "rv-~$"]) {
    it(`a --local dir named ${label} leaves hidden files out`, async () => {
      const w = await world(
        entity("a", idName),
        { "raw/a/x.csv": "id,name\n1,Ann\n", "raw/a/_y.csv": "id,name\n2,Bob\n" },
        undefined,
        label,
      );
      expect(w.error).to.equal("");
      expect(w.rows.map((r) => r.id)).to.deep.equal([1n]);
    });
  }

  it("a folder holding only hidden files or subfolders, and an empty folder, fail as matching no file", async () => {
    const a = await world(entity("a", idName), {
      "raw/a/_x.csv": "id,name\n1,Ann\n",
      "raw/a/sub/y.csv": "id,name\n2,Bob\n",
    });
    expect(a.status).to.equal("failed");
    expect(a.error).to.match(/matches no file/);
    const b = await world(entity("a", idName), {}, (dir) =>
      fs.mkdir(path.join(dir, "raw/a"), { recursive: true }).then(() => undefined),
    );
    expect(b.status).to.equal("failed");
    expect(b.error).to.match(/matches no file/);
  });

  it("a folder named without a wildcard whose own name starts with . is read", async () => {
    const w = await world(entity("data/.stage", idName), {
      "raw/data/.stage/a.csv": "id,name\n1,Ann\n",
    });
    expect(w.sources).to.deep.equal(["data/.stage/a.csv"]);
    expect(w.rows.map((r) => r.id)).to.deep.equal([1n]);
  });

  it("a file and a folder with the same prefix", async () => {
    const w = await world(entity("d/a", idName), {
      "raw/d/a.csv": "id,name\n9,no\n",
      "raw/d/a/x.csv": "id,name\n1,Ann\n",
      "raw/d/ab/y.csv": "id,name\n8,no\n",
    });
    expect(w.error).to.equal("");
    expect(w.rows.map((r) => r.id)).to.deep.equal([1n]);
  });
});

describe("a file source under the local target's folder", () => {
  it("keeps the spec's rules: `..` out of the spec's folder is refused even when it lands under --local DIR", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-localroot-"));
    try {
      const out = path.join(dir, "out");
      await fs.mkdir(path.join(out, "other"), { recursive: true });
      await fs.writeFile(path.join(out, "other", "x.csv"), "Id\n1\n");
      await fs.mkdir(path.join(dir, "spec"));
      // Once the local folder was a source root for every source: this file was exported.
      const spec = makeSpec(path.join(dir, "spec"), [
        {
          name: "X",
          source: { path: "../out/other/x.csv", format: "csv" },
          columns: [{ name: "Id", type: "int32" }],
        },
      ]);
      const record = await runLocalTarget(spec, out);
      expect(record.entities[0].status).to.equal("failed");
      expect(errorText(record.entities[0])).to.contain("export.sourceRoots");
      const exported = path.join(out, "ci-export", spec.export.databaseName, "X");
      expect(await fs.stat(exported).catch(() => undefined), "no snapshot of X").to.equal(
        undefined,
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a lake-resident Parquet source on the local target reads what OPENROWSET reads", () => {
  async function parquet(file: string, id: number): Promise<void> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    await db.run(
      `COPY (SELECT ${id}::INTEGER AS "Id") TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`,
    );
    db.closeSync();
    instance.closeSync();
  }

  for (const [glob, expected] of [
    ["pq/*.parquet", [1]],
    ["pq/**", [1, 3]],
  ] as const) {
    it(`${glob}: skips names beginning with _ (as serverless does) and reads below with /**`, async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-lakepq-"));
      try {
        const lake = path.join(dir, "out");
        await parquet(path.join(lake, "raw", "pq", "a.parquet"), 1);
        await parquet(path.join(lake, "raw", "pq", "_staging.parquet"), 2);
        await parquet(path.join(lake, "raw", "pq", "sub", "b.parquet"), 3);
        await fs.mkdir(path.join(dir, "spec"));
        const entity: EntitySpec = {
          name: "P",
          source: { path: `abfss://raw@stsrc.dfs.core.windows.net/${glob}`, format: "parquet" },
          columns: [{ name: "Id", type: "int32" }],
        };
        const spec = makeSpec(path.join(dir, "spec"), [entity]);
        const record = await runLocalTarget(spec, lake);
        expect(record.entities[0].status, errorText(record.entities[0])).to.equal("exported");
        const { rows } = await latestLocalRows(spec, lake, "P");
        expect(rows.map((r: any) => Number(r.Id)).sort()).to.deep.equal([...expected]);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  }
});
