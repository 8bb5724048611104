// The plan's fixed tables, written out here from their sources rather than read from the code: the
// column type mapping (Learn, "Type mapping for Parquet" of serverless SQL pool's OPENROWSET:
// https://learn.microsoft.com/azure/synapse-analytics/sql/develop-openrowset#type-mapping-for-parquet),
// Azure's built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles)
// and Synapse's (https://learn.microsoft.com/azure/synapse-analytics/security/synapse-workspace-synapse-rbac-roles),
// and the names the grants and the lake give things. Found missing by the mutation run (RELIABILITY.md).

import { expect } from "chai";
import { validateSpec } from "../../src/spec";
import type { ColumnSpec } from "../../src/spec/types";
import { duckdbType, tsqlType } from "../../src/plan/typeMapping";
import { FORBIDDEN_ROLE_IDS, ROLES, roleNameForId } from "../../src/plan/roles";
import { planGrants } from "../../src/plan/grants";
import { uuidV5 } from "../../src/plan/deterministicGuid";
import { quoteDuckdbIdentifier, quoteDuckdbLiteral } from "../../src/plan/sqlQuote";
import {
  manifestPath,
  MANIFEST_FILE,
  parseSnapshotFolder,
  partFileName,
} from "../../src/plan/lakeLayout";
import {
  planDatabaseSetup,
  planDropDatabase,
  planDropEntity,
  planDropSnapshots,
  planPublishSnapshot,
  snapshotTableName,
  type SqlStep,
} from "../../src/plan/sqlPlan";
import { renderDuckdb } from "../../src/plan/renderDuckdb";
import { renderTsql } from "../../src/plan/renderTsql";
import type { SnapshotManifest } from "../../src/plan/manifest";
import { validRawSpec } from "../helpers/specs";

const BIN2 = "COLLATE Latin1_General_100_BIN2_UTF8";

describe("column type mapping, as serverless SQL reads Parquet", () => {
  // What the Parquet file then holds is checked on written files (roundTrip.test.ts), not here.
  const rows: [ColumnSpec, string, string][] = [
    [{ name: "c", type: "string" }, "VARCHAR", `varchar(max) ${BIN2}`],
    [{ name: "c", type: "int32" }, "INTEGER", "int"],
    [{ name: "c", type: "int64" }, "BIGINT", "bigint"],
    [{ name: "c", type: "double" }, "DOUBLE", "float"],
    [{ name: "c", type: "decimal", precision: 9, scale: 4 }, "DECIMAL(9,4)", "decimal(9,4)"],
    [{ name: "c", type: "boolean" }, "BOOLEAN", "bit"],
    [{ name: "c", type: "date" }, "DATE", "date"],
    [{ name: "c", type: "dateTime" }, "TIMESTAMP", "datetime2(6)"],
    [{ name: "c", type: "dateTimeOffset" }, "TIMESTAMP", "datetime2(6)"],
    [{ name: "c", type: "guid" }, "VARCHAR", `varchar(36) ${BIN2}`],
  ];
  for (const [column, duckdb, tsql] of rows) {
    it(`${column.type}: DuckDB ${duckdb}, T-SQL ${tsql}`, () => {
      expect([duckdbType(column), tsqlType(column)]).to.deep.equal([duckdb, tsql]);
    });
  }

  it("sizes varchar in UTF-8 bytes (4 per character) up to 8000, then varchar(max)", () => {
    const s = (maxLength: number) => tsqlType({ name: "c", type: "string", maxLength });
    expect(s(1)).to.equal(`varchar(4) ${BIN2}`);
    expect(s(2000)).to.equal(`varchar(8000) ${BIN2}`);
    expect(s(2001)).to.equal(`varchar(max) ${BIN2}`);
  });

  it("gives a decimal without precision or scale decimal(18,0)", () => {
    const d: ColumnSpec = { name: "c", type: "decimal" };
    expect([duckdbType(d), tsqlType(d)]).to.deep.equal(["DECIMAL(18,0)", "decimal(18,0)"]);
    expect(tsqlType({ name: "c", type: "decimal", precision: 5 })).to.equal("decimal(5,0)");
  });
});

describe("the role table, as Microsoft publishes the built-in roles", () => {
  it("names exactly the five roles the export uses, with their built-in ids and planes", () => {
    expect(Object.values(ROLES).map((r) => `${r.name} | ${r.id} | ${r.plane}`)).to.have.members([
      "Reader | acdd72a7-3385-48ef-bd42-f606fba81ae7 | arm",
      "Storage Blob Data Contributor | ba92f5b4-2d11-453d-a403-e96b0029c9fe | arm",
      "Storage Blob Data Reader | 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1 | arm",
      "Storage Blob Delegator | db58b8e5-c6ad-4a2a-8342-4190687cbf4a | arm",
      "Synapse Administrator | 6e4bf58a-b8e1-4cc3-bbf9-d73143322b78 | synapse",
    ]);
    for (const [key, role] of Object.entries(ROLES)) expect(role.name).to.equal(key);
  });

  it("knows the broad roles it refuses by their built-in ids", () => {
    expect(FORBIDDEN_ROLE_IDS).to.deep.equal({
      "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
      "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
      "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
      "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    });
    expect(
      roleNameForId(
        "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/8E3AF657-A8FF-443C-A75C-2FE8C4BCB635",
      ),
    ).to.equal("Owner");
    expect(roleNameForId("acdd72a7-3385-48ef-bd42-f606fba81ae7")).to.equal("Reader");
    expect(roleNameForId("00000000-0000-0000-0000-000000000000")).to.equal(undefined);
  });
});

describe("grant names and purposes a reviewer reads", () => {
  const grantsFor = (mutate: (raw: Record<string, any>) => void = () => {}) => {
    const raw = validRawSpec();
    mutate(raw);
    const result = validateSpec(raw, "/base");
    expect(result.issues).to.deep.equal([]);
    return planGrants(result.spec!);
  };
  const names = (mutate?: (raw: Record<string, any>) => void) =>
    Object.fromEntries(grantsFor(mutate).map((g) => [g.principal, g.principalName]));

  it("names the principals by app id, user principal name, object id or workspace", () => {
    expect(names()).to.include({
      customerInsights: "Customer Insights (app 0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff)",
      administrator: "admin@contoso.com",
      workspaceIdentity: "workspace ws-ci managed identity",
    });
    expect(
      names((raw) => {
        raw.principals.customerInsights = { appId: "11111111-1111-4111-8111-111111111111" };
        raw.principals.administrator = { objectId: "aaaaaaaa-0000-0000-0000-000000000002" };
      }),
    ).to.include({
      customerInsights: "Customer Insights (app 11111111-1111-4111-8111-111111111111)",
      administrator: "aaaaaaaa-0000-0000-0000-000000000002",
    });
  });

  it("says which data scope each data grant covers", () => {
    const purpose = (scope: string | undefined, principal: string) =>
      grantsFor((raw) => {
        if (scope) raw.connection.dataRoleScope = scope;
      }).find((g) => g.principal === principal && g.role.startsWith("Storage Blob Data"))!.purpose;
    expect(purpose(undefined, "reader")).to.match(/in the storage account\.$/);
    expect(purpose("container", "reader")).to.match(/in the export's container\.$/);
    expect(purpose(undefined, "customerInsights")).to.contain("to the storage account");
    expect(purpose("container", "customerInsights")).to.contain("to the export's container");
  });

  it("keys reader and contributor grants by object id, and says what each contributor grant is for", () => {
    const grants = grantsFor((raw) => {
      raw.connection.usableBy = "administrators-and-contributors";
      raw.principals.contributors = [
        { objectId: "cccccccc-0000-0000-0000-000000000003", type: "User" },
      ];
    });
    const contributor = grants.filter((g) => g.principal === "contributor");
    expect(contributor.map((g) => [g.key, g.purpose])).to.deep.equal([
      [
        "contributor-cccccccc-0000-0000-0000-000000000003-reader-on-workspace-resource-group",
        "Contributor on the shared connection sees the Synapse workspace to configure exports.",
      ],
      [
        "contributor-cccccccc-0000-0000-0000-000000000003-storage-blob-data-reader-on-container",
        "Contributor on the shared connection queries what the export wrote, in its container only.",
      ],
    ]);
    const delegator = grantsFor((raw) => (raw.connection.dataRoleScope = "container")).find(
      (g) => g.role === "Storage Blob Delegator",
    )!;
    expect(delegator.key).to.equal("customer-insights-storage-blob-delegator-on-storage-account");
    expect(delegator.purpose).to.match(
      /^Customer Insights service principal gets user delegation keys/,
    );
  });

  it("leaves ARM scopes to deploy time when the subscription is not in the spec", () => {
    const grants = grantsFor((raw) => delete raw.connection.subscriptionId);
    expect(grants.filter((g) => g.plane === "arm").map((g) => g.scopeId)).to.satisfy(
      (ids: (string | null)[]) => ids.length > 0 && ids.every((id) => id === null),
    );
    expect(grants.find((g) => g.plane === "synapse")!.scopeId).to.equal("workspaces/ws-ci");
  });
});

describe("what each rendered statement says it does (shown in logs and in errors)", () => {
  const manifest = (format: "parquet" | "csv") => ({
    entity: "Customer",
    snapshot: "0123456789abcdef",
    format,
    columns: [
      { name: "Id", type: "int64" as const },
      { name: "Name", type: "string" as const },
    ],
    files: [{ name: `part-00000.${format}` }],
  });
  const duck = (steps: SqlStep[]) =>
    renderDuckdb(steps, { database: "ci_export", lakeRoot: "/lake/ci-export" });

  it("DuckDB: nothing for the database steps (the local database is a file), a purpose for the others", () => {
    expect(
      duck([
        ...planDatabaseSetup("parquet").filter((s) => s.step !== "createSnapshotSchema"),
        ...planDropDatabase(),
      ]),
    ).to.deep.equal([]);
    expect(
      duck([
        ...planDatabaseSetup("parquet"),
        ...planPublishSnapshot(manifest("parquet") as unknown as SnapshotManifest),
      ]).map((s) => s.purpose),
    ).to.deep.equal([
      "create the schema of snapshot views",
      "create the view of Customer snapshot 0123456789abcdef",
      "read Customer snapshot 0123456789abcdef before the view points at it",
      "point the view Customer at snapshot 0123456789abcdef",
    ]);
  });

  it("DuckDB: reads a CSV export with read_csv and the declared types, never read_parquet", () => {
    const [table] = duck(
      planPublishSnapshot(manifest("csv") as unknown as SnapshotManifest).filter(
        (s) => s.step === "createSnapshotTable",
      ),
    );
    expect(table.statement).to.contain(
      "read_csv(['/lake/ci-export/ci_export/Customer/v=0123456789abcdef/part-00000.csv'], header = true, auto_detect = false, hive_partitioning = false, allow_quoted_nulls = false, columns = {'Id': 'BIGINT', 'Name': 'VARCHAR'})",
    );
  });

  it("DuckDB: retention drops a snapshot's view, a removed entity loses its view", () => {
    expect(duck(planDropSnapshots("Customer", ["a1"]))).to.deep.equal([
      {
        database: "ci_export",
        statement: 'DROP VIEW IF EXISTS "snapshots"."Customer__a1"',
        purpose: "drop the view of Customer snapshot a1, removed by retention",
      },
    ]);
    expect(duck(planDropEntity("Customer", []))).to.deep.equal([
      {
        database: "ci_export",
        statement: 'DROP VIEW IF EXISTS "main"."Customer"',
        purpose: "drop the view of Customer, removed from the export (onEntityRemoved: drop)",
      },
    ]);
  });

  it("T-SQL: dropping a removed entity's view and the database say why", () => {
    const target = {
      database: "ci_export",
      dataSourceLocation: "https://a.dfs.core.windows.net/c/ci_export",
    };
    expect(renderTsql(planDropEntity("Customer", []), target).map((s) => s.purpose)).to.include(
      "drop the view of Customer, removed from the export (onEntityRemoved: drop)",
    );
    expect(renderTsql(planDropDatabase(), target)).to.deep.equal([
      {
        database: "master",
        purpose: "drop the export database ci_export (onEntityRemoved: drop)",
        statement: "IF DB_ID(N'ci_export') IS NOT NULL\n    DROP DATABASE [ci_export]",
      },
    ]);
  });
});

describe("small names the lake and SQL depend on", () => {
  it("refuses a namespace that is not a 32-digit UUID, whatever surrounds it", () => {
    for (const bad of [
      "6ba7b810-9dad-11d1-80b4-00c04fd430c",
      "6ba7b810-9dad-11d1-80b4-00c04fd430c8a",
      "x6ba7b810-9dad-11d1-80b4-00c04fd430c8",
      "6ba7b810-9dad-11d1-80b4-00c04fd430c8x",
    ]) {
      expect(() => uuidV5("name", bad), bad).to.throw(`Not a UUID: ${bad}`);
    }
  });

  it("quotes DuckDB names with doubled double quotes, and refuses NUL in names and text", () => {
    expect(quoteDuckdbIdentifier('a"b')).to.equal('"a""b"');
    expect(() => quoteDuckdbIdentifier("a\u0000b")).to.throw(/NUL/);
    expect(() => quoteDuckdbLiteral("a\u0000b")).to.throw(/NUL/);
  });

  it("names part files by number and reads a snapshot id only from a v=<id> folder", () => {
    expect(partFileName(3, "parquet")).to.equal("part-00003.parquet");
    expect(partFileName(12, "csv")).to.equal("part-00012.csv");
    expect(parseSnapshotFolder("v=0123456789abcdef")).to.equal("0123456789abcdef");
    expect(parseSnapshotFolder("v=")).to.equal(undefined);
    expect(parseSnapshotFolder("x=0123")).to.equal(undefined);
    expect(parseSnapshotFolder("0123v=")).to.equal(undefined);
  });

  it("names the manifest _manifest.json inside the snapshot folder", () => {
    expect(MANIFEST_FILE).to.equal("_manifest.json");
    expect(manifestPath("ci_export", "Customer", "0123456789abcdef")).to.equal(
      "ci_export/Customer/v=0123456789abcdef/_manifest.json",
    );
  });

  it("keeps a snapshot table name of exactly 100 characters (serverless' limit for external tables), and shortens one of 101 with a hash of the entity", () => {
    const snapshot = "0123456789abcdef";
    const fits = "E".repeat(100 - snapshot.length - 2);
    expect(snapshotTableName(fits, snapshot)).to.equal(`${fits}__${snapshot}`);
    const long = "E".repeat(100 - snapshot.length - 1);
    const other = `${"E".repeat(100 - snapshot.length - 2)}F`;
    const a = snapshotTableName(long, snapshot);
    const b = snapshotTableName(other, snapshot);
    expect(a).to.have.length(100);
    // The first 8 hex digits of the sha256 of the full entity name, from coreutils:
    //   printf '%s' "$(printf 'E%.0s' $(seq 1 83))" | sha256sum | cut -c1-8
    expect(a).to.equal(`${"E".repeat(100 - snapshot.length - 8 - 3)}_f115df6e__${snapshot}`);
    expect(b).to.not.equal(a);
  });
});
