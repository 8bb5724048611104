// What the export's two Pulumi resources keep of the spec, and what their create, update and delete
// decide, as plain calls: each resource keeps only its share (a new reader must not touch an entity's
// state, nor another entity's columns the database's), a state written before that (the whole spec
// under the same key) diffs as its share does, and the lifecycle rules per input, table by table.

import { expect } from "chai";
import { validateSpec } from "../../src/spec";
import type { Spec } from "../../src/spec/types";
import {
  diffEntityTable,
  diffExportDatabase,
  entityTableSpec,
  exportDatabaseSpec,
  type EntityTableInputs,
  type TargetRef,
} from "../../src/plan/exportResources";
import {
  dropsOnDelete,
  entityRefresh,
  entityTableId,
  entityTableOutputs,
  entityViewName,
  exportDatabaseId,
} from "../../src/plan/resourceLifecycle";
import { validRawSpec } from "../helpers/specs";

const LOCAL: TargetRef = { kind: "local", dir: "/out" };
const AZURE: TargetRef = { kind: "azure", sqlServer: "ws-ondemand.sql.azuresynapse.net" };
const SOURCES = [{ path: "data/c.csv", bytes: 10, sha256: "a".repeat(64) }];

function spec(mutate: (raw: Record<string, any>) => void = () => {}): Spec {
  const raw = validRawSpec();
  raw.export.entities = [
    { name: "Customer", source: "data/c.csv" },
    { name: "Orders", source: "data/o.csv" },
  ];
  raw.principals.readers = [
    { objectId: "11111111-1111-1111-1111-111111111111", type: "Group", name: "analysts" },
  ];
  mutate(raw);
  const result = validateSpec(raw, "/base");
  expect(result.issues).to.deep.equal([]);
  return result.spec!;
}

describe("what each export resource keeps of the spec", () => {
  it("an entity table: the location, the run settings and its own entity, never a principal", () => {
    const share = entityTableSpec(spec(), "Customer");
    expect(Object.keys(share).sort()).to.deep.equal(["baseDir", "connection", "export"]);
    expect(share.connection).to.deep.equal({
      workspace: { name: "ws-ci" },
      storage: { accountName: "stciexport", container: "ci-export" },
    });
    expect(share.export.entities.map((e) => e.name)).to.deep.equal(["Customer"]);
    expect(Object.keys(share.export).sort()).to.deep.equal([
      "databaseName",
      "entities",
      "format",
      "onEntityRemoved",
      "retainSnapshots",
      "runOnDeploy",
    ]);
    expect(share.baseDir).to.equal("/base");
  });

  it("an entity table's share is the same whatever the readers, labels or other entities", () => {
    const base = entityTableSpec(spec(), "Customer");
    for (const [label, mutate] of [
      ["no reader", (raw: any) => (raw.principals.readers = [])],
      [
        "another reader",
        (raw: any) =>
          raw.principals.readers.push({
            objectId: "22222222-2222-2222-2222-222222222222",
            type: "User",
            name: "ada@contoso.com",
          }),
      ],
      ["another label", (raw: any) => (raw.export.displayName = "Renamed")],
      [
        "another entity's columns",
        (raw: any) => (raw.export.entities[1].columns = [{ name: "Id", type: "int64" }]),
      ],
    ] as [string, (raw: any) => void][]) {
      expect(entityTableSpec(spec(mutate), "Customer"), label).to.deep.equal(base);
    }
  });

  it("an entity not in the spec is refused, naming it and the spec's entities", () => {
    expect(() => entityTableSpec(spec(), "Segments")).to.throw(
      'Entity "Segments" is not in the export (its entities are "Customer", "Orders").',
    );
  });

  it("the export database: the location, format, policy and readers, never an entity", () => {
    const share = exportDatabaseSpec(spec());
    expect(share.export).to.deep.equal({
      databaseName: "ci_export",
      format: "parquet",
      onEntityRemoved: "retain",
      entities: [],
    });
    expect(share.principals.readers).to.deep.equal([
      { objectId: "11111111-1111-1111-1111-111111111111", type: "Group", name: "analysts" },
    ]);
    expect(
      exportDatabaseSpec(
        spec((raw) => (raw.export.entities[0].columns = [{ name: "Id", type: "int64" }])),
      ),
    ).to.deep.equal(share);
  });
});

describe("a state written with the whole spec (before the resources kept their share)", () => {
  // [what changed, mutate the new spec, the new target, the diff the share gives (written out here)]
  const cases: [string, (raw: any) => void, TargetRef, { changes: boolean; replaces: string[] }][] =
    [
      ["nothing", () => {}, LOCAL, { changes: false, replaces: [] }],
      ["a reader", (raw) => (raw.principals.readers = []), LOCAL, { changes: false, replaces: [] }],
      ["the format", (raw) => (raw.export.format = "csv"), LOCAL, { changes: true, replaces: [] }],
      ["the target", () => {}, AZURE, { changes: true, replaces: ["entity"] }],
      [
        "the database name",
        (raw) => (raw.export.databaseName = "ci_export_v2"),
        LOCAL,
        { changes: true, replaces: ["entity"] },
      ],
    ];
  for (const [label, mutate, target, expected] of cases) {
    it(`an entity table diffs as its share would: ${label}`, () => {
      const olds: EntityTableInputs = {
        target: LOCAL,
        spec: spec(),
        entity: "Customer",
        sources: SOURCES,
      };
      const news: EntityTableInputs = {
        target,
        spec: entityTableSpec(spec(mutate), "Customer"),
        entity: "Customer",
        sources: SOURCES,
      };
      expect(diffEntityTable(olds, news)).to.deep.equal(expected);
    });
  }

  const databaseCases: [string, (raw: any) => void, { changes: boolean; replaces: string[] }][] = [
    ["nothing", () => {}, { changes: false, replaces: [] }],
    [
      "an entity's columns",
      (raw) => (raw.export.entities[0].columns = [{ name: "Id", type: "int64" }]),
      { changes: false, replaces: [] },
    ],
    ["a reader", (raw) => (raw.principals.readers = []), { changes: true, replaces: [] }],
    ["the policy", (raw) => (raw.export.onEntityRemoved = "drop"), { changes: true, replaces: [] }],
    [
      "the database name",
      (raw) => (raw.export.databaseName = "ci_export_v2"),
      { changes: true, replaces: ["spec.export.databaseName"] },
    ],
  ];
  for (const [label, mutate, expected] of databaseCases) {
    it(`the export database diffs as its share would: ${label}`, () => {
      expect(
        diffExportDatabase(
          { target: LOCAL, spec: spec() },
          { target: LOCAL, spec: exportDatabaseSpec(spec(mutate)) },
        ),
      ).to.deep.equal(expected);
    });
  }
});

describe("what the export resources' create, update and delete do", () => {
  it("an entity is exported on deploy, or with runOnDeploy: false only published", () => {
    for (const [runOnDeploy, expected] of [
      [true, "export"],
      [false, "publish"],
    ] as const) {
      expect(entityRefresh({ export: { runOnDeploy } }), String(runOnDeploy)).to.equal(expected);
    }
  });

  it("a delete removes data only under onEntityRemoved: drop (the seed: removed entities aren't deleted)", () => {
    for (const [onEntityRemoved, expected] of [
      ["retain", false],
      ["drop", true],
    ] as const) {
      expect(dropsOnDelete({ export: { onEntityRemoved } }), onEntityRemoved).to.equal(expected);
    }
  });

  it("names the view in the schema of the target that holds it", () => {
    for (const [target, expected] of [
      [LOCAL, "main.Customer"],
      [AZURE, "dbo.Customer"],
    ] as const) {
      expect(entityViewName(target, "Customer"), target.kind).to.equal(expected);
    }
  });

  it("ids: the database by its name, an entity table by database and entity", () => {
    const s = spec();
    expect(exportDatabaseId({ target: LOCAL, spec: exportDatabaseSpec(s) })).to.equal("ci_export");
    expect(
      entityTableId({
        target: LOCAL,
        spec: entityTableSpec(s, "Orders"),
        entity: "Orders",
        sources: [],
      }),
    ).to.equal("ci_export.Orders");
  });

  it("the state after an export says when; after a publish, that nothing was exported", () => {
    const inputs: EntityTableInputs = {
      target: AZURE,
      spec: entityTableSpec(spec(), "Customer"),
      entity: "Customer",
      sources: SOURCES,
    };
    const now = new Date("2026-03-01T10:00:00.000Z");
    expect(
      entityTableOutputs(
        inputs,
        {
          refresh: "export",
          snapshot: "00000001abcdef01",
          rows: 2,
          bytes: 99,
          status: "unchanged",
        },
        now,
      ),
    ).to.deep.equal({
      ...inputs,
      snapshot: "00000001abcdef01",
      rows: 2,
      bytes: 99,
      viewName: "dbo.Customer",
      lastExportedAt: "2026-03-01T10:00:00.000Z",
      status: "unchanged",
    });
    expect(
      entityTableOutputs(inputs, { refresh: "publish", snapshot: null, rows: 0, bytes: 0 }, now),
    ).to.deep.include({ snapshot: null, lastExportedAt: null, status: "published" });
  });
});
