// `onEntityRemoved: drop` through the Pulumi path (exportOperations.dropEntity and
// dropExportDatabase, what deleting an EntityTable or ExportDatabase resource does): only the
// export's snapshot folders go, never a file or folder put beside them.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { runExport } from "../../src/engine";
import { dropEntity, dropExportDatabase } from "../../src/engine/exportOperations";
import { LocalSql } from "../../src/engine/sql/localSql";
import { localTarget } from "../../src/engine/targets";
import { age, makeSpec, removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

describe("exportOperations drops (onEntityRemoved: drop in pulumi)", () => {
  after(removeTempDirs);

  async function exported() {
    const dir = await tempDir("drop");
    const base = path.join(dir, "spec");
    const out = path.join(dir, "out");
    await writeFiles(base, { "customer.csv": "id,name\n1,Ada\n" });
    await age(path.join(base, "customer.csv"));
    const spec = makeSpec(base, [
      { name: "Customer", source: { path: "customer.csv", format: "csv" } },
    ]);
    const t = localTarget(spec, out);
    try {
      const r = await runExport(spec, { lake: t.lake, views: t.views });
      expect(r.entities[0].status).to.equal("exported");
    } finally {
      await t.views.close();
    }
    return { spec, out, folder: path.join(out, "ci-export", "ci_export", "Customer") };
  }

  it("deletes the snapshot folders and keeps a file written by hand into the entity's folder", async function () {
    this.timeout(30_000);
    const { spec, out, folder } = await exported();
    await writeFiles(folder, { "README.txt": "kept by hand\n" });
    await dropEntity(spec, { kind: "local", dir: out }, "Customer");
    expect(await fs.readdir(folder)).to.deep.equal(["README.txt"]);
  });

  it("after a case-only rename (renamedFrom), deleting the old entity keeps the live view and the old data", async function () {
    this.timeout(30_000);
    const { spec, out, folder } = await exported();
    const oldSnapshots = await fs.readdir(folder);
    const renamed = {
      ...spec,
      export: {
        ...spec.export,
        onEntityRemoved: "drop" as const,
        entities: [{ ...spec.export.entities[0], name: "customer", renamedFrom: "Customer" }],
      },
    };
    const t = localTarget(renamed, out);
    try {
      const r = await runExport(renamed, { lake: t.lake, views: t.views });
      expect(r.entities.map((e) => [e.name, e.status])).to.deep.equal([["customer", "exported"]]);
    } finally {
      await t.views.close();
    }
    // Pulumi deletes the old EntityTable with the old spec, after the new one exists.
    await dropEntity(
      { ...spec, export: { ...spec.export, onEntityRemoved: "drop" } },
      { kind: "local", dir: out },
      "Customer",
    );
    expect(await fs.readdir(folder)).to.deep.equal(oldSnapshots);
    const sql = new LocalSql(out);
    try {
      const rows = await sql.query("ci_export", "SELECT name FROM customer ORDER BY id");
      const source = await fs.readFile(path.join(spec.baseDir, "customer.csv"), "utf8");
      const names = source
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(",")[1]);
      expect(rows.map((r) => r.name)).to.deep.equal(names);
    } finally {
      await sql.close();
    }
  });

  it("removes the entity's folder when it holds nothing else", async function () {
    this.timeout(30_000);
    const { spec, out, folder } = await exported();
    await dropEntity(spec, { kind: "local", dir: out }, "Customer");
    expect(
      await fs.stat(folder).then(
        () => "there",
        () => "gone",
      ),
    ).to.equal("gone");
  });

  it("drops the database's snapshots but keeps a folder written by hand beside them", async function () {
    this.timeout(30_000);
    const { spec, out, folder } = await exported();
    const db = path.dirname(folder);
    await writeFiles(path.join(db, "Notes"), { "readme.txt": "kept by hand\n" });
    await dropExportDatabase(spec, { kind: "local", dir: out });
    expect(await fs.readdir(db)).to.deep.equal(["Notes"]);
    expect(await fs.readFile(path.join(db, "Notes", "readme.txt"), "utf8")).to.equal(
      "kept by hand\n",
    );
  });

  it("removes the database's folder when it holds only the export's", async function () {
    this.timeout(30_000);
    const { spec, out, folder } = await exported();
    await dropExportDatabase(spec, { kind: "local", dir: out });
    const db = path.dirname(folder);
    expect(
      await fs.stat(db).then(
        () => "there",
        () => "gone",
      ),
    ).to.equal("gone");
  });
});
