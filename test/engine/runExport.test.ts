// The export run as a user sees it through the lake and the views: what is published when, what
// an unchanged rerun costs, retention, crashes between parts and manifest, one bad entity among
// good ones, removed entities, entity subsets and the lock.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { runExport, type RunOptions } from "../../src/engine";
import { listSnapshots } from "../../src/engine/snapshots";
import { entityFolder, manifestPath, snapshotFolder } from "../../src/plan/lakeLayout";
import type { EntitySpec, ExportSpec, Spec } from "../../src/spec/types";
import {
  age,
  FaultyLake,
  makeSpec,
  readParquet,
  RecordingViews,
  removeTempDirs,
  settle,
  snapshotTree,
  tempDir,
  writeFiles,
} from "./support/fixtures";

const DB = "ci_export";

const customer = (p = "customer.csv"): EntitySpec => ({
  name: "Customer",
  source: { path: p, format: "csv" },
  columns: [
    { name: "id", type: "int64" },
    { name: "name", type: "string" },
  ],
});

interface World {
  base: string;
  spec: Spec;
  lake: FaultyLake;
  views: RecordingViews;
  run(options?: Partial<RunOptions>): ReturnType<typeof runExport>;
  write(files: Record<string, string>): Promise<void>;
  snapshots(
    entity: string,
  ): Promise<{ complete: string[]; incomplete: string[]; folders: string[] }>;
}

async function world(
  files: Record<string, string>,
  entities: EntitySpec[],
  overrides: Partial<ExportSpec> = {},
): Promise<World> {
  const dir = await tempDir("run");
  const base = path.join(dir, "spec");
  await writeFiles(base, files);
  const spec = makeSpec(base, entities, overrides);
  const lake = new FaultyLake(path.join(dir, "lake"), "ci-export");
  const views = new RecordingViews();
  return {
    base,
    spec,
    lake,
    views,
    run: (options = {}) =>
      runExport(spec, { lake, views, stagingDir: path.join(dir, "staging"), ...options }),
    write: (more) => writeFiles(base, more),
    snapshots: async (entity) => {
      const l = await listSnapshots(lake, DB, entity);
      const folders = (await lake.list(entityFolder(DB, entity)))
        .filter(
          (e) => e.isDirectory && !e.path.slice(entityFolder(DB, entity).length + 1).includes("/"),
        )
        .map((e) => e.path.slice(e.path.lastIndexOf("/") + 3))
        .sort();
      return { complete: l.complete.map((c) => c.snapshot), incomplete: l.incomplete, folders };
    },
  };
}

describe("runExport", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it("exports, publishes each snapshot only once its manifest is in the lake, and reports the run", async () => {
    const w = await world({ "customer.csv": "id,name\n1,Ada\n2,Grace\n" }, [customer()]);
    const seen: string[] = [];
    w.views.probe = async (call, snapshots) => {
      for (const s of snapshots) {
        const m = await w.lake.readText(manifestPath(DB, "Customer", s));
        seen.push(`${call} ${m ? "manifest present" : "NO MANIFEST"}`);
      }
    };
    const events: string[] = [];
    const record = await w.run({ onProgress: (e) => events.push(e.kind) });
    expect(record.ok).to.equal(true);
    expect(record.database).to.equal(DB);
    const e = record.entities[0];
    expect(e).to.include({
      name: "Customer",
      status: "exported",
      rows: 2,
      files: 1,
      columnsInferred: false,
    });
    expect(e.snapshot).to.match(/^[0-9a-f]{16}$/);
    expect(e.bytes).to.be.greaterThan(0);
    expect(record.totals).to.include({ entities: 1, exported: 1, failed: 0, rows: 2, files: 1 });
    expect(w.views.calls).to.deep.equal(["prepareDatabase", `publish Customer ${e.snapshot}`]);
    expect(seen).to.deep.equal(["publish Customer manifest present"]);
    expect(events[0]).to.equal("run-started");
    expect(events.at(-1)).to.equal("run-finished");
    const rows = await readParquet(
      w.lake.resolve(`${snapshotFolder(DB, "Customer", e.snapshot!)}/part-00000.parquet`),
    );
    expect(rows).to.deep.equal([
      { id: 1n, name: "Ada" },
      { id: 2n, name: "Grace" },
    ]);
    expect(
      await fs.readdir(path.join(w.base, "..", "staging")),
      "staging is cleaned up",
    ).to.deep.equal([]);
    expect(await fs.readdir(w.lake.resolve(DB)), "the lock is released").to.deep.equal([
      "Customer",
    ]);
  });

  it("an unchanged rerun writes nothing, reuses the recorded hashes, and publishes the same snapshot again", async () => {
    const w = await world({ "customer.csv": "id,name\n1,Ada\n" }, [customer()]);
    await age(path.join(w.base, "customer.csv"));
    await settle();
    const first = await w.run();
    const before = await snapshotTree(w.lake.root);
    const details: string[] = [];
    const second = await w.run({
      onProgress: (e) => {
        if (e.kind === "entity-phase" && e.phase === "fingerprint" && e.detail)
          details.push(e.detail);
      },
    });
    expect(second.entities[0]).to.include({
      status: "unchanged",
      snapshot: first.entities[0].snapshot,
      rows: 1,
    });
    expect(await snapshotTree(w.lake.root)).to.deep.equal(before);
    expect(w.lake.writes.filter((p) => !p.endsWith(".lock"))).to.have.length(2); // part + manifest of run 1
    expect(details[0]).to.match(/ \(0 bytes hashed, \d+ reused\)$/);
    expect(w.views.calls.filter((c) => c.startsWith("publish"))).to.deep.equal([
      `publish Customer ${first.entities[0].snapshot}`,
      `publish Customer ${first.entities[0].snapshot}`,
    ]);
  });

  it("keeps the newest retainSnapshots snapshots: tables dropped after the view moved, then folders deleted", async () => {
    const w = await world({ "customer.csv": "id,name\n1,A\n" }, [customer()], {
      retainSnapshots: 2,
    });
    const ids: string[] = [];
    const folderExisted: boolean[] = [];
    w.views.probe = async (call, snapshots) => {
      if (call.startsWith("dropSnapshots")) {
        for (const s of snapshots)
          folderExisted.push((await w.lake.list(snapshotFolder(DB, "Customer", s))).length > 0);
      }
    };
    for (const n of [1, 2, 3]) {
      await w.write({ "customer.csv": `id,name\n${n},v${n}\n` });
      const r = await w.run();
      ids.push(r.entities[0].snapshot!);
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct createdAt
    }
    expect(new Set(ids).size).to.equal(3);
    const s = await w.snapshots("Customer");
    expect(s.complete).to.deep.equal([ids[2], ids[1]]);
    expect(s.folders).to.deep.equal([ids[1], ids[2]].sort());
    expect(w.views.calls.slice(-2)).to.deep.equal([
      `publish Customer ${ids[2]}`,
      `dropSnapshots Customer ${ids[0]}`,
    ]);
    expect(folderExisted, "the folder is deleted after its table is dropped").to.deep.equal([true]);

    w.spec.export.retainSnapshots = 1;
    const r = await w.run();
    expect(r.entities[0].status).to.equal("unchanged");
    expect((await w.snapshots("Customer")).folders).to.deep.equal([ids[2]]);
  });

  it("a crash between part files and manifest leaves the old snapshot served; the next run cleans up", async () => {
    const w = await world({ "customer.csv": "id,name\n1,old\n" }, [customer()]);
    const first = await w.run();
    const old = first.entities[0].snapshot!;

    await w.write({ "customer.csv": "id,name\n1,new\n" });
    w.lake.failWriteText = (p) => p.endsWith("/_manifest.json");
    const crashed = await w.run();
    expect(crashed.ok).to.equal(false);
    expect(crashed.entities[0].status).to.equal("failed");
    expect(errorText(crashed.entities[0])).to.match(/injected failure writing .*_manifest\.json/);
    let s = await w.snapshots("Customer");
    expect(s.complete).to.deep.equal([old]);
    expect(s.incomplete).to.have.length(1);
    const halfWritten = s.incomplete[0];
    expect(w.views.calls.filter((c) => c.startsWith("publish"))).to.deep.equal([
      `publish Customer ${old}`,
    ]);

    // What a killed process leaves: parts without a manifest, an empty manifest, an unparseable one,
    // and a manifest whose part is missing.
    w.lake.failWriteText = undefined;
    const leftovers = [
      "0000000000000001",
      "0000000000000002",
      "0000000000000003",
      "0000000000000004",
    ];
    await w.lake.writeText(
      `${snapshotFolder(DB, "Customer", leftovers[0])}/part-00000.parquet`,
      "PAR1",
    );
    await w.lake.writeText(manifestPath(DB, "Customer", leftovers[1]), "");
    await w.lake.writeText(
      manifestPath(DB, "Customer", leftovers[2]),
      '{"manifestVersion": 1, "snap',
    );
    const good = JSON.parse((await w.lake.readText(manifestPath(DB, "Customer", old)))!);
    await w.lake.writeText(
      manifestPath(DB, "Customer", leftovers[3]),
      JSON.stringify({
        ...good,
        snapshot: leftovers[3],
        createdAt: new Date(Date.now() + 60_000).toISOString(),
      }),
    );
    s = await w.snapshots("Customer");
    expect(s.complete, "only a valid manifest with all its parts counts").to.deep.equal([old]);
    expect(s.incomplete).to.deep.equal([...leftovers, halfWritten].sort());

    const next = await w.run();
    expect(next.entities[0].status).to.equal("exported");
    s = await w.snapshots("Customer");
    expect(s.incomplete).to.deep.equal([]);
    expect(s.complete).to.deep.equal([next.entities[0].snapshot, old]);
    expect(s.folders).to.deep.equal([next.entities[0].snapshot!, old].sort());
  });

  it("a crash after the manifest but before the view is repaired by the next run (published although unchanged)", async () => {
    const w = await world({ "customer.csv": "id,name\n1,A\n" }, [customer()]);
    w.views.failPublishFor = "Customer";
    const failed = await w.run();
    expect(failed.entities[0]).to.include({ status: "failed" });
    expect(errorText(failed.entities[0])).to.match(/publish failed/);
    w.views.failPublishFor = undefined;
    const next = await w.run();
    expect(next.entities[0].status).to.equal("unchanged");
    expect(w.views.calls).to.include(`publish Customer ${next.entities[0].snapshot}`);
  });

  it("one failing entity does not stop the others; its new snapshot is never visible and its old one stays served", async () => {
    const w = await world(
      {
        "a.csv": "id,name\n1,a\n",
        "b.csv": "id,name\n1,b\n",
        "c.csv": "id,name\n1,c\n",
      },
      [
        { ...customer("a.csv"), name: "A" },
        { ...customer("b.csv"), name: "B" },
        { ...customer("c.csv"), name: "C" },
      ],
    );
    const first = await w.run();
    const oldB = first.entities[1].snapshot!;
    await w.write({
      "a.csv": "id,name\n2,a2\n",
      "b.csv": 'id,name\n1,b\n2,"two\nlines"\nthree,b3\n',
    });
    w.views.calls.length = 0;
    const second = await w.run();
    expect(second.ok).to.equal(false);
    expect(second.entities.map((e) => [e.name, e.status])).to.deep.equal([
      ["A", "exported"],
      ["B", "failed"],
      ["C", "unchanged"],
    ]);
    expect(second.totals).to.include({ exported: 1, failed: 1, unchanged: 1 });
    expect(second.entities[1].error?.kind, "a bad value is the data's fault").to.equal("data");
    expect(errorText(second.entities[1])).to.equal(
      'entity "B": b.csv line 5 (row 3), column "id": value "three" is not an int64 ' +
        "(a whole number from -9223372036854775808 to 9223372036854775807). Fix the value in the source, or the column's type in the spec.",
    );
    const b = await w.snapshots("B");
    expect(b).to.deep.equal({ complete: [oldB], incomplete: [], folders: [oldB] });
    expect(w.views.calls.filter((c) => c.includes(" B "))).to.deep.equal([]);
  });

  it("refuses a source path that escapes the spec's folder, as that entity's failure", async () => {
    const dir = await tempDir("escape");
    await writeFiles(dir, { "outside.csv": "id,name\n1,x\n" });
    const w = await world({ "customer.csv": "id,name\n1,A\n" }, [
      customer(),
      { ...customer(`../../${path.basename(dir)}/outside.csv`), name: "Escape" },
    ]);
    const r = await w.run();
    expect(r.entities.map((e) => e.status)).to.deep.equal(["exported", "failed"]);
    expect(errorText(r.entities[1])).to.match(
      /entity "Escape": source.path ".*outside.csv" leaves the spec's folder/,
    );
    expect(await w.lake.list(entityFolder(DB, "Escape"))).to.deep.equal([]);
  });

  it("reports inferred columns for an entity without declared columns", async () => {
    const w = await world(
      { "seg.csv": "SegmentId,Zip,Score,Since\n1,01234,0.5,2024-01-31\n2,99999,1e3,2024-02-01\n" },
      [{ name: "Segment", source: { path: "seg.csv", format: "csv" } }],
    );
    const r = await w.run();
    expect(r.entities[0].columnsInferred).to.equal(true);
    expect(r.entities[0].columns).to.deep.equal([
      { name: "SegmentId", type: "int64" },
      { name: "Zip", type: "string" },
      { name: "Score", type: "double" },
      { name: "Since", type: "date" },
    ]);
  });

  it("runs only the named entities (ignoring case); an unknown name fails before anything is written", async () => {
    const w = await world({ "a.csv": "id,name\n1,a\n", "b.csv": "id,name\n1,b\n" }, [
      { ...customer("a.csv"), name: "Alpha" },
      { ...customer("b.csv"), name: "Beta" },
    ]);
    const err = await w.run({ entities: ["alpha", "Gamma"] }).then(
      () => expect.fail("an unknown entity was accepted"),
      (e: Error) => e,
    );
    expect(err.message).to.equal(
      'Unknown entity "Gamma": the spec\'s entities are "Alpha", "Beta".',
    );
    await fs.access(w.lake.root).then(
      () => expect.fail("the lake was touched"),
      () => undefined,
    );
    const r = await w.run({ entities: ["BETA"] });
    expect(r.entities.map((e) => [e.name, e.status])).to.deep.equal([["Beta", "exported"]]);
    expect(await w.lake.list(entityFolder(DB, "Alpha"))).to.deep.equal([]);
  });

  it("keeps entities removed from the spec (retained), or drops them with onEntityRemoved: drop", async () => {
    const w = await world({ "a.csv": "id,name\n1,a\n", "b.csv": "id,name\n1,b\n" }, [
      { ...customer("a.csv"), name: "Alpha" },
      { ...customer("b.csv"), name: "Beta" },
    ]);
    const first = await w.run();
    const betaSnapshot = first.entities[1].snapshot!;
    w.spec.export.entities = [w.spec.export.entities[0]];
    const before = await snapshotTree(w.lake.resolve(entityFolder(DB, "Beta")));
    const kept = await w.run();
    expect(kept.entities.map((e) => [e.name, e.status])).to.deep.equal([
      ["Alpha", "unchanged"],
      ["Beta", "retained"],
    ]);
    expect(kept.entities[1]).to.include({ snapshot: betaSnapshot, rows: 1 });
    expect(kept.totals).to.include({ retained: 1 });
    expect(await snapshotTree(w.lake.resolve(entityFolder(DB, "Beta")))).to.deep.equal(before);
    expect(w.views.calls.some((c) => c.startsWith("dropEntity"))).to.equal(false);

    const subset = await w.run({ entities: ["Alpha"] });
    expect(
      subset.entities.map((e) => e.name),
      "a subset run leaves removed entities alone",
    ).to.deep.equal(["Alpha"]);

    w.spec.export.onEntityRemoved = "drop";
    let folderAtDrop = false;
    w.views.probe = async (call) => {
      if (call === "dropEntity Beta")
        folderAtDrop = (await w.lake.list(entityFolder(DB, "Beta"))).length > 0;
    };
    const dropped = await w.run();
    expect(dropped.entities.map((e) => [e.name, e.status])).to.deep.equal([
      ["Alpha", "unchanged"],
      ["Beta", "dropped"],
    ]);
    expect(w.views.calls).to.include(`dropEntity Beta ${betaSnapshot}`);
    expect(folderAtDrop, "the view goes before the files").to.equal(true);
    expect(await w.lake.list(entityFolder(DB, "Beta"))).to.deep.equal([]);
  });

  it("fails at once, naming the holder and writing nothing, while another run holds the lock", async () => {
    const w = await world({ "customer.csv": "id,name\n1,A\n" }, [customer()]);
    await w.lake.ensureContainer();
    const held = await w.lake.acquireLock(`${DB}.export.lock`, {
      waitMs: 0,
      staleMs: 60_000,
      holder: "nightly run",
    });
    try {
      const err = await w.run().then(
        () => expect.fail("ran while the lock was held"),
        (e: Error) => e,
      );
      expect(err.message).to.match(/held by nightly run \(pid \d+ on /);
      expect(await w.lake.list(entityFolder(DB, "Customer"))).to.deep.equal([]);
      expect(w.views.calls).to.deep.equal([]);
    } finally {
      await held.release();
    }
    const r = await w.run({ lock: { waitMs: 1000, staleMs: 60_000, holder: "second" } });
    expect(r.ok).to.equal(true);
  });

  it("two runs at once on the same lake take turns: the second waits, then finds the entity unchanged", async () => {
    const w = await world({ "customer.csv": "id,name\n1,A\n" }, [customer()]);
    const lock = { waitMs: 20_000, staleMs: 60_000, holder: "concurrent" };
    const [a, b] = await Promise.all([w.run({ lock }), w.run({ lock })]);
    expect([a, b].map((r) => r.entities[0].status).sort()).to.deep.equal(["exported", "unchanged"]);
    const s = await w.snapshots("Customer");
    expect(s).to.deep.equal({
      complete: [a.entities[0].snapshot],
      incomplete: [],
      folders: [a.entities[0].snapshot],
    });
  });

  it("brings back an older snapshot still in the lake when the source returns to its bytes, without rewriting parts", async () => {
    const w = await world({ "customer.csv": "id,name\n1,v1\n" }, [customer()], {
      retainSnapshots: 3,
    });
    const v1 = (await w.run()).entities[0].snapshot!;
    await w.write({ "customer.csv": "id,name\n1,v2\n" });
    await w.run();
    await w.write({ "customer.csv": "id,name\n1,v1\n" });
    const partsBefore = w.lake.writes.filter((p) => p.endsWith(".parquet")).length;
    const back = await w.run();
    expect(back.entities[0]).to.include({ status: "exported", snapshot: v1 });
    expect(w.lake.writes.filter((p) => p.endsWith(".parquet")).length).to.equal(partsBefore);
    expect((await w.snapshots("Customer")).complete[0]).to.equal(v1);
  });
});
