// Round trips: source files through runExport into a LocalLake, read back with hyparquet (an
// independent Parquet reader) or a plain RFC 4180 reader: every column type, hostile CSV, JSON Lines
// and Parquet sources, CSV output, rolled parts.

import { expect } from "chai";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { LocalLake, runExport } from "../../src/engine";
import { snapshotFolder } from "../../src/plan/lakeLayout";
import type { SnapshotManifest } from "../../src/plan/manifest";
import type { ColumnSpec, EntitySpec, Spec } from "../../src/spec/types";
import { parseCsv } from "./support/csv";
import {
  dataPageKinds,
  makeSpec,
  parquetSchema,
  readParquet,
  removeTempDirs,
  tempDir,
  writeFiles,
} from "./support/fixtures";

const ALL_TYPES: ColumnSpec[] = [
  { name: "s", type: "string" },
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

const ALL_TYPES_CSV =
  "s,i32,i64,d,dec,b,dt,ts,tso,g\n" +
  "plain,1,9007199254740993,1.5,12.34,true,2024-01-31,2024-01-31T13:45:00.123456,2024-01-31T13:45:00+01:00,{0BFC4568-A4BA-4C58-BD3E-5D3E76BD7FFF}\n" +
  ",,,,,,,,,\n" +
  "x,-2147483648,-9223372036854775808,-0.25,-99999999.99,false,1900-01-01,1970-01-01 00:00:00,2024-06-30T23:30:00-05:00,0bfc4568a4ba4c58bd3e5d3e76bd7fff\n";

const micros = (iso: string, extra = 0) => BigInt(Date.parse(iso)) * 1000n + BigInt(extra);

interface Exported {
  spec: Spec;
  lake: LocalLake;
  manifest(entity: string): Promise<SnapshotManifest>;
  part(entity: string, index?: number): Promise<string>;
}

async function exportEntities(
  files: Record<string, string | Buffer>,
  entities: EntitySpec[],
  overrides: Partial<Spec["export"]> = {},
  partBytes?: number,
): Promise<Exported> {
  const dir = await tempDir("roundtrip");
  await writeFiles(path.join(dir, "spec"), files);
  const spec = makeSpec(path.join(dir, "spec"), entities, overrides);
  const lake = new LocalLake(path.join(dir, "lake"), "ci-export");
  const record = await runExport(spec, { lake, stagingDir: path.join(dir, "staging"), partBytes });
  expect(record.entities.map((e) => [e.name, e.status, e.error])).to.deep.equal(
    entities.map((e) => [e.name, "exported", undefined]),
  );
  const manifest = async (entity: string) => {
    const e = record.entities.find((r) => r.name === entity)!;
    const text = await lake.readText(
      `${snapshotFolder("ci_export", entity, e.snapshot!)}/_manifest.json`,
    );
    return JSON.parse(text!) as SnapshotManifest;
  };
  const part = async (entity: string, index = 0) => {
    const m = await manifest(entity);
    return lake.resolve(
      `${snapshotFolder("ci_export", entity, m.snapshot)}/${m.files[index].name}`,
    );
  };
  return { spec, lake, manifest, part };
}

describe("engine round trips (read back with hyparquet)", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it("writes every column type as the type mapping says, values intact", async () => {
    const x = await exportEntities({ "all.csv": ALL_TYPES_CSV }, [
      { name: "AllTypes", source: { path: "all.csv", format: "csv" }, columns: ALL_TYPES },
    ]);
    const file = await x.part("AllTypes");
    const rows = await readParquet(file);
    expect(rows).to.have.length(3);
    const [a, nulls, b] = rows;
    expect(a.s).to.equal("plain");
    expect(a.i32).to.equal(1);
    expect(a.i64).to.equal(9007199254740993n);
    expect(a.d).to.equal(1.5);
    expect(a.dec).to.equal(12.34);
    expect(a.b).to.equal(true);
    expect((a.dt as Date).toISOString()).to.equal("2024-01-31T00:00:00.000Z");
    expect(a.ts).to.equal(micros("2024-01-31T13:45:00Z", 123456));
    expect(a.tso, "dateTimeOffset normalised to UTC").to.equal(micros("2024-01-31T12:45:00Z"));
    expect(a.g).to.equal("0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff");
    expect(
      Object.values(nulls).every((v) => v === null),
      "empty fields are nulls",
    ).to.equal(true);
    expect(b.i32).to.equal(-2147483648);
    expect(b.i64).to.equal(-9223372036854775808n);
    expect(b.dec).to.equal(-99999999.99);
    expect(b.b).to.equal(false);
    expect((b.dt as Date).toISOString()).to.equal("1900-01-01T00:00:00.000Z");
    expect(b.ts).to.equal(0n);
    expect(b.tso).to.equal(micros("2024-07-01T04:30:00Z"));
    expect(b.g).to.equal("0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff");

    const { columns, metadata } = await parquetSchema(file);
    const byName = Object.fromEntries(columns.map((c) => [c.name, c]));
    expect(byName.s).to.include({ type: "BYTE_ARRAY", converted_type: "UTF8" });
    expect(byName.i32.type).to.equal("INT32");
    expect(byName.i64.type).to.equal("INT64");
    expect(byName.d.type).to.equal("DOUBLE");
    expect(byName.dec.logical_type).to.deep.equal({ type: "DECIMAL", precision: 10, scale: 2 });
    expect(byName.b.type).to.equal("BOOLEAN");
    expect(byName.dt).to.include({ type: "INT32", converted_type: "DATE" });
    for (const ts of [byName.ts, byName.tso]) {
      expect(ts.type).to.equal("INT64");
      expect(ts.logical_type).to.deep.include({ type: "TIMESTAMP", unit: "MICROS" });
    }
    expect(byName.g).to.include({ type: "BYTE_ARRAY", converted_type: "UTF8" });
    const codecs = metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data!.codec));
    expect([...new Set(codecs)]).to.deep.equal(["SNAPPY"]);
    expect([...new Set(await dataPageKinds(file))]).to.deep.equal(["V1"]);

    const manifest = await x.manifest("AllTypes");
    expect(manifest.columns).to.deep.equal(ALL_TYPES);
    expect(manifest.rows).to.equal(3);
    expect(manifest.files[0]).to.deep.include({ name: "part-00000.parquet", rows: 3 });
    expect(manifest.files[0].bytes).to.equal((await fs.stat(file)).size);
  });

  it("reads hostile CSV: BOM, CRLF, doubled quotes, newlines and commas in fields, unicode, empty lines, a 1 MB value, nulls", async () => {
    const long = "é".repeat(500_000) + "x".repeat(24_288);
    const csv =
      "\uFEFFid,text,note\r\n" +
      '1,"she said ""hi"", then left","a\r\nb\nc"\r\n' +
      "\r\n" +
      "\r\n" +
      "2,Ünïcödé 日本語 עברית 😀 e\u0301,  spaced  \r\n" +
      `3,${long},\r\n` +
      '4,"",\r\n' +
      "5,,last";
    const x = await exportEntities({ "hostile.csv": csv }, [
      {
        name: "Hostile",
        source: { path: "hostile.csv", format: "csv" },
        columns: [
          { name: "id", type: "int32" },
          { name: "text", type: "string" },
          { name: "note", type: "string" },
        ],
      },
    ]);
    const rows = await readParquet(await x.part("Hostile"));
    expect(rows.map((r) => r.id)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(rows[0].text).to.equal('she said "hi", then left');
    expect(rows[0].note).to.equal("a\r\nb\nc");
    expect(rows[1].text).to.equal("Ünïcödé 日本語 עברית 😀 e\u0301");
    expect(rows[1].note, "spaces are data").to.equal("  spaced  ");
    expect(rows[2].text).to.equal(long);
    expect(rows[2].note).to.equal(null);
    expect(rows[3].text, 'a quoted empty field "" is an empty string').to.equal("");
    expect(rows[4].text, "an empty field is null").to.equal(null);
    expect(rows[4].note).to.equal("last");
  });

  it("reads LF line endings with empty lines and no newline at the end", async () => {
    const x = await exportEntities({ "lf.csv": 'id,text\n\n1,"a\nb"\n\n\n2,c' }, [
      {
        name: "Lf",
        source: { path: "lf.csv", format: "csv" },
        columns: [
          { name: "id", type: "int32" },
          { name: "text", type: "string" },
        ],
      },
    ]);
    const rows = await readParquet(await x.part("Lf"));
    expect(rows).to.deep.equal([
      { id: 1, text: "a\nb" },
      { id: 2, text: "c" },
    ]);
  });

  it("reads JSON Lines (inferred types, nested values as JSON text) and Parquet sources", async () => {
    const x = await exportEntities(
      {
        "events.jsonl":
          '{"id": 1, "name": "a\\nb", "at": "2024-01-31T13:45:00Z", "tags": ["x", "y"], "ok": true}\n' +
          "\n" +
          '{"id": 2, "name": null, "at": "2024-02-01T00:00:00Z", "tags": [], "ok": false, "extra": 1}\n',
        "all.csv": ALL_TYPES_CSV,
      },
      [
        { name: "Events", source: { path: "events.jsonl", format: "jsonl" } },
        { name: "AllTypes", source: { path: "all.csv", format: "csv" }, columns: ALL_TYPES },
      ],
    );
    const events = await readParquet(await x.part("Events"));
    expect(events.map((e) => [e.id, e.name, e.tags, e.ok])).to.deep.equal([
      [1n, "a\nb", '["x","y"]', true],
      [2n, null, "[]", false],
    ]);
    const manifest = await x.manifest("Events");
    expect(manifest.columnsInferred).to.equal(true);
    expect(manifest.columns.map((c) => `${c.name}:${c.type}`)).to.include.members([
      "id:int64",
      "name:string",
      "tags:string",
      "ok:boolean",
    ]);

    // The engine's own Parquet output becomes the source of another entity.
    const parquetSource = await x.part("AllTypes");
    const dir = await tempDir("parquet-source");
    await fs.copyFile(parquetSource, path.join(dir, "in.parquet"));
    const spec = makeSpec(dir, [
      { name: "FromParquet", source: { path: "in.parquet", format: "parquet" } },
      {
        name: "Declared",
        source: { path: "in.parquet", format: "parquet" },
        columns: [
          { name: "I64", type: "int64" },
          { name: "tso", type: "dateTimeOffset" },
          { name: "dec", type: "decimal", precision: 12, scale: 3 },
        ],
      },
    ]);
    const lake = new LocalLake(path.join(dir, "lake"), "c");
    const record = await runExport(spec, { lake });
    expect(record.ok, JSON.stringify(record.entities)).to.equal(true);
    const inferred = record.entities[0];
    // Parquet has no GUID or offset types here: guids come back as strings, UTC timestamps as dateTime.
    expect(inferred.columns).to.deep.equal(
      ALL_TYPES.map((c) =>
        c.type === "dateTimeOffset"
          ? { ...c, type: "dateTime" }
          : c.type === "guid"
            ? { ...c, type: "string" }
            : c,
      ),
    );
    const declared = await readParquet(
      lake.resolve(
        `${snapshotFolder("ci_export", "Declared", record.entities[1].snapshot!)}/part-00000.parquet`,
      ),
    );
    expect(declared[0]).to.deep.equal({
      I64: 9007199254740993n,
      tso: micros("2024-01-31T12:45:00Z"),
      dec: 12.34,
    });
  });

  it("reads a glob of files as one entity", async () => {
    const x = await exportEntities(
      {
        "data/part-b.csv": "id\n3\n4\n",
        "data/part-a.csv": "id\n1\n2\n",
        "data/sub/part-c.csv": "id\n5\n",
        "data/.part-hidden.csv": "id\n99\n",
        "data/notes.txt": "not data",
      },
      [
        {
          name: "Glob",
          source: { path: "data/**/part-*.csv", format: "csv" },
          columns: [{ name: "id", type: "int64" }],
        },
      ],
    );
    const rows = await readParquet(await x.part("Glob"));
    expect(rows.map((r) => r.id as bigint).sort()).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
    const manifest = await x.manifest("Glob");
    expect(manifest.sources.map((s) => s.path)).to.deep.equal([
      "data/part-a.csv",
      "data/part-b.csv",
      "data/sub/part-c.csv",
    ]);
  });

  it("never takes a value from a folder name like region=eu (hive partitioning)", async () => {
    const x = await exportEntities(
      {
        "region=eu/e.csv": "id,region\n1,north\n",
        "region=eu/e.jsonl": '{"id": 2, "region": "south"}\n',
      },
      [
        {
          name: "Csv",
          source: { path: "region=eu/e.csv", format: "csv" },
          columns: [
            { name: "id", type: "int32" },
            { name: "region", type: "string" },
          ],
        },
        { name: "Json", source: { path: "region=eu/*.jsonl", format: "jsonl" } },
      ],
    );
    expect(await readParquet(await x.part("Csv"))).to.deep.equal([{ id: 1, region: "north" }]);
    expect(await readParquet(await x.part("Json"))).to.deep.equal([{ id: 2n, region: "south" }]);
  });

  it("writes CSV parts (header, RFC 4180 quoting, nulls empty) when the export format is csv", async () => {
    const x = await exportEntities(
      { "all.csv": ALL_TYPES_CSV, "q.csv": 'id,text\n1,"a ""b"", c\nd"\n2,\n' },
      [
        { name: "AllTypes", source: { path: "all.csv", format: "csv" }, columns: ALL_TYPES },
        {
          name: "Quoted",
          source: { path: "q.csv", format: "csv" },
          columns: [
            { name: "id", type: "int32" },
            { name: "text", type: "string" },
          ],
        },
      ],
      { format: "csv" },
    );
    const manifest = await x.manifest("AllTypes");
    expect(manifest.format).to.equal("csv");
    expect(manifest.files[0]).to.deep.include({ name: "part-00000.csv", rows: 3 });
    const all = parseCsv(await fs.readFile(await x.part("AllTypes"), "utf8"));
    expect(all[0]).to.deep.equal(ALL_TYPES.map((c) => c.name));
    expect(all[1]).to.deep.equal([
      "plain",
      "1",
      "9007199254740993",
      "1.5",
      "12.34",
      "true",
      "2024-01-31",
      "2024-01-31 13:45:00.123456",
      "2024-01-31 12:45:00",
      "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff",
    ]);
    expect(all[2].every((v) => v === null)).to.equal(true);
    const quoted = parseCsv(await fs.readFile(await x.part("Quoted"), "utf8"));
    expect(quoted).to.deep.equal([
      ["id", "text"],
      ["1", 'a "b", c\nd'],
      ["2", null],
    ]);
  });

  it("rolls parts at the size bound, numbered part-00000..., rows counted per part", async () => {
    const lines = ["id,name,amount"];
    for (let i = 0; i < 400_000; i++)
      lines.push(`${i},customer number ${i * 7919},${(i * 1.37).toFixed(2)}`);
    const x = await exportEntities(
      { "big.csv": `${lines.join("\n")}\n` },
      [
        {
          name: "Big",
          source: { path: "big.csv", format: "csv" },
          columns: [
            { name: "id", type: "int64" },
            { name: "name", type: "string" },
            { name: "amount", type: "decimal", precision: 12, scale: 2 },
          ],
        },
      ],
      {},
      1_000_000,
    );
    const manifest = await x.manifest("Big");
    expect(manifest.files.length).to.be.greaterThan(1);
    expect(manifest.files.map((f) => f.name)).to.deep.equal(
      manifest.files.map((_, i) => `part-${String(i).padStart(5, "0")}.parquet`),
    );
    expect(manifest.rows).to.equal(400_000);
    const ids: bigint[] = [];
    for (let i = 0; i < manifest.files.length; i++) {
      const rows = await readParquet(await x.part("Big", i));
      expect(rows.length).to.equal(manifest.files[i].rows);
      for (const r of rows) ids.push(r.id as bigint);
    }
    // DuckDB spreads row groups over the rolled files in no fixed order: every row once is the contract.
    ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(ids.length).to.equal(400_000);
    expect(
      ids.every((id, i) => id === BigInt(i)),
      "every row exactly once",
    ).to.equal(true);
    const { metadata } = await parquetSchema(await x.part("Big"));
    for (const group of metadata.row_groups) expect(Number(group.num_rows)).to.be.at.most(200_000);
  });
});
