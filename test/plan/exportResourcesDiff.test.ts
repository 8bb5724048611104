// How the export database and entity table resources diff, as plain calls (the provider tests run
// them through DuckDB, too slow for the mutation run): the seed's rules say a new database name
// creates a new database, a new storage location or policy is an update of the same one, and an
// entity's view is refreshed when its data or its settings change, never for a label. Each resource
// gets its share of the spec, as its constructor gives it; a state written before (the whole spec
// under the same key) must diff exactly as its share does.

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

/** Pulumi's marker for a value known only at deploy time (@pulumi/pulumi runtime/rpc.ts unknownValue). */
const PULUMI_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
import { validRawSpec } from "../helpers/specs";

const LOCAL: TargetRef = { kind: "local", dir: "/out" };
const AZURE: TargetRef = { kind: "azure", sqlServer: "127.0.0.1", sqlPort: 1433 };

function spec(mutate: (raw: Record<string, any>) => void = () => {}): Spec {
  const raw = validRawSpec();
  raw.export.entities = [{ name: "Customer", source: "data/c.csv" }];
  mutate(raw);
  const result = validateSpec(raw, "/base");
  expect(result.issues).to.deep.equal([]);
  return result.spec!;
}

const REPLACE_DB = { changes: true, replaces: ["spec.export.databaseName"] };
const UPDATE = { changes: true, replaces: [] };
const SAME = { changes: false, replaces: [] };

describe("export database diff", () => {
  const diff = (olds: [TargetRef, Spec], news: [TargetRef, Spec]) =>
    diffExportDatabase(
      { target: olds[0], spec: exportDatabaseSpec(olds[1]) },
      { target: news[0], spec: exportDatabaseSpec(news[1]) },
    );

  it("sees nothing for the same database, target and settings, whatever the labels", () => {
    expect(diff([LOCAL, spec()], [LOCAL, spec()])).to.deep.equal(SAME);
    expect(
      diff([LOCAL, spec()], [LOCAL, spec((raw) => (raw.export.displayName = "Renamed"))]),
    ).to.deep.equal(SAME);
  });

  it("replaces for another database name, workspace (on Azure), local folder, SQL endpoint or target kind", () => {
    for (const [label, news] of [
      ["database name", [LOCAL, spec((raw) => (raw.export.databaseName = "ci_export_v2"))]],
      ["local folder", [{ kind: "local", dir: "/elsewhere" }, spec()]],
      ["target kind", [AZURE, spec()]],
    ] as [string, [TargetRef, Spec]][]) {
      expect(diff([LOCAL, spec()], news), label).to.deep.equal(REPLACE_DB);
    }
    expect(diff([AZURE, spec()], [{ ...AZURE, sqlServer: "10.0.0.1" }, spec()])).to.deep.equal(
      REPLACE_DB,
    );
    expect(diff([AZURE, spec()], [{ ...AZURE, sqlPort: 1434 }, spec()])).to.deep.equal(REPLACE_DB);
    const otherWorkspace = spec((raw) => (raw.connection.workspace.name = "ws-other"));
    expect(diff([AZURE, spec()], [AZURE, otherWorkspace]), "workspace").to.deep.equal(REPLACE_DB);
    // Locally the database file is `<dir>/<databaseName>.duckdb` whatever the workspace: the same one.
    expect(diff([LOCAL, spec()], [LOCAL, otherWorkspace]), "local workspace").to.deep.equal(SAME);
  });

  it("updates in place for another account, container, format or removal policy", () => {
    for (const [label, mutate] of [
      ["account", (raw: any) => (raw.connection.storage.accountName = "stother")],
      ["container", (raw: any) => (raw.connection.storage.container = "other")],
      ["format", (raw: any) => (raw.export.format = "csv")],
      ["policy", (raw: any) => (raw.export.onEntityRemoved = "drop")],
    ] as [string, (raw: any) => void][]) {
      expect(diff([LOCAL, spec()], [LOCAL, spec(mutate)]), label).to.deep.equal(UPDATE);
    }
    expect(diff([AZURE, spec()], [{ ...AZURE, sqlEncrypt: false }, spec()])).to.deep.equal(UPDATE);
  });

  it("shows a change, never a replacement, while a value is unknown (preview), however deep", () => {
    const unknownName = spec();
    (unknownName.export as any).databaseName = PULUMI_UNKNOWN;
    expect(diff([LOCAL, spec()], [LOCAL, unknownName])).to.deep.equal(UPDATE);
    const deep = spec();
    (deep.principals as any).readers = [{ objectId: PULUMI_UNKNOWN, type: "Group" }];
    expect(diff([LOCAL, spec()], [LOCAL, deep])).to.deep.equal(UPDATE);
  });
});

describe("entity table diff", () => {
  // `spec` is the whole spec, as a test writes it; the resource's inputs hold the entity's share.
  type Inputs = Omit<EntityTableInputs, "spec"> & { spec: Spec };
  const inputs = (extra: Partial<Inputs> = {}): EntityTableInputs => {
    const all: Inputs = {
      target: LOCAL,
      spec: spec(),
      entity: "Customer",
      sources: [{ path: "data/c.csv", bytes: 10, sha256: "a".repeat(64) }],
      ...extra,
    };
    // An unknown entity (preview) has no share yet: the resource would see the unknown marker.
    const share = all.entity === PULUMI_UNKNOWN ? all.spec : entityTableSpec(all.spec, all.entity);
    return { ...all, spec: share };
  };

  it("sees nothing for the same data and settings, even with other readers or labels", () => {
    expect(diffEntityTable(inputs(), inputs())).to.deep.equal(SAME);
    expect(
      diffEntityTable(
        inputs(),
        inputs({
          spec: spec((raw) => {
            raw.principals.readers = [];
            raw.export.displayName = "Renamed";
          }),
        }),
      ),
    ).to.deep.equal(SAME);
  });

  it("replaces for another entity or another database", () => {
    const replace = { changes: true, replaces: ["entity"] };
    const withOrders = spec((raw) => raw.export.entities.push({ name: "Orders", source: "o.csv" }));
    expect(diffEntityTable(inputs(), inputs({ entity: "Orders", spec: withOrders }))).to.deep.equal(
      replace,
    );
    expect(
      diffEntityTable(
        inputs(),
        inputs({ spec: spec((raw) => (raw.export.databaseName = "ci_export_v2")) }),
      ),
    ).to.deep.equal(replace);
    expect(diffEntityTable(inputs(), inputs({ target: AZURE }))).to.deep.equal(replace);
  });

  it("refreshes for new source bytes, other columns, location, format, retention, runOnDeploy or policy", () => {
    const changed: [string, Partial<Inputs>][] = [
      ["sources", { sources: [{ path: "data/c.csv", bytes: 10, sha256: "b".repeat(64) }] }],
      [
        "columns",
        {
          spec: spec((raw) => (raw.export.entities[0].columns = [{ name: "Id", type: "int64" }])),
        },
      ],
      ["account", { spec: spec((raw) => (raw.connection.storage.accountName = "stother")) }],
      ["container", { spec: spec((raw) => (raw.connection.storage.container = "other")) }],
      ["format", { spec: spec((raw) => (raw.export.format = "csv")) }],
      ["retention", { spec: spec((raw) => (raw.export.retainSnapshots = 5)) }],
      ["runOnDeploy", { spec: spec((raw) => (raw.export.runOnDeploy = false)) }],
      ["policy", { spec: spec((raw) => (raw.export.onEntityRemoved = "drop")) }],
    ];
    for (const [label, extra] of changed) {
      expect(diffEntityTable(inputs(), inputs(extra)), label).to.deep.equal(UPDATE);
    }
  });

  it("looks only at its own entity: another entity's change is not this one's", () => {
    const two = (columns: unknown) =>
      spec((raw) =>
        raw.export.entities.push({
          name: "Orders",
          source: "data/o.csv",
          ...(columns ? { columns } : {}),
        }),
      );
    expect(
      diffEntityTable(
        inputs({ spec: two(undefined) }),
        inputs({ spec: two([{ name: "Id", type: "int64" }]) }),
      ),
    ).to.deep.equal(SAME);
    // And the other way round: the second entity does not see the first's change.
    const firstChanged = spec((raw) => {
      raw.export.entities[0].columns = [{ name: "Id", type: "int64" }];
      raw.export.entities.push({ name: "Orders", source: "data/o.csv" });
    });
    expect(
      diffEntityTable(
        inputs({ spec: two(undefined), entity: "Orders" }),
        inputs({ spec: firstChanged, entity: "Orders" }),
      ),
    ).to.deep.equal(SAME);
  });

  it("shows the replacement that known names already make while the new workspace's endpoint is unknown (preview)", () => {
    // Renaming a workspace the stack creates: its endpoint is unknown in preview, its name is not.
    const renamed = spec((raw) => (raw.connection.workspace.name = "ws-renamed"));
    const pending: TargetRef = { kind: "azure", sqlServer: PULUMI_UNKNOWN };
    expect(
      diffEntityTable(inputs({ target: AZURE }), inputs({ target: pending, spec: renamed })),
    ).to.deep.equal({ changes: true, replaces: ["entity"] });
    expect(
      diffExportDatabase(
        { target: AZURE, spec: exportDatabaseSpec(spec()) },
        { target: pending, spec: exportDatabaseSpec(renamed) },
      ),
    ).to.deep.equal(REPLACE_DB);
    // The same names with the endpoint unknown: a change of unknown outcome, not a replacement.
    expect(diffEntityTable(inputs({ target: AZURE }), inputs({ target: pending }))).to.deep.equal(
      UPDATE,
    );
  });

  it("shows a change, never a replacement, while the entity itself is unknown (preview)", () => {
    expect(diffEntityTable(inputs(), inputs({ entity: PULUMI_UNKNOWN }))).to.deep.equal(UPDATE);
  });

  it("is no change when only who deploys or when the grants were made changes, known or not (preview)", () => {
    // A preview that makes or updates a grant has its madeAt unknown: the entity must not show an
    // update that the deploy then does not make.
    for (const news of [
      inputs({ grantsMadeAt: PULUMI_UNKNOWN }),
      inputs({ grantsMadeAt: "2026-12-04T03:00:00.000Z" }),
      inputs({ signsInAs: PULUMI_UNKNOWN }),
    ]) {
      expect(
        diffEntityTable(inputs({ grantsMadeAt: "2026-12-01T00:00:00.000Z" }), news),
      ).to.deep.equal(SAME);
    }
    const db = (grantsMadeAt: string) => ({
      target: AZURE,
      spec: exportDatabaseSpec(spec()),
      grantsMadeAt,
    });
    expect(diffExportDatabase(db("2026-12-01T00:00:00.000Z"), db(PULUMI_UNKNOWN))).to.deep.equal(
      SAME,
    );
  });

  it("shows a change while a source is unknown (preview)", () => {
    expect(
      diffEntityTable(
        inputs(),
        inputs({ sources: [{ path: "data/c.csv", bytes: 10, sha256: PULUMI_UNKNOWN }] }),
      ),
    ).to.deep.equal(UPDATE);
  });
});
