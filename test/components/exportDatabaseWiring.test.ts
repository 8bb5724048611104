// The all-in-one component declares the export itself: one export database and one entity table per
// selected entity, each after every role assignment (the workspace identity must read the lake
// before a view can be queried), in update and in preview mode.

import { expect } from "chai";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import {
  AzureMocks,
  deploy,
  ROLE_ASSIGNMENT,
  SYNAPSE_ROLE_ASSIGNMENT,
  type Registered,
  EXAMPLE_SPEC,
  exampleSpecWorld,
} from "./azureMocks";

const EXPORT_DATABASE = "pulumi-nodejs:dynamic/synapse-export:ExportDatabase";
const ENTITY_TABLE = "pulumi-nodejs:dynamic/synapse-export:EntityTable";

let components: typeof Components;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
});

// A child's URN type is `<parent type>$<type>`, so match on the end: `<type>::<name>`.
const urnOf = (r: Registered) => `${r.type}::${r.name}`;

for (const preview of [false, true]) {
  describe(`the export database and entity tables (${preview ? "preview" : "update"})`, () => {
    it("declares one export database and one entity table per selected entity, after every grant", async () => {
      const { mocks } = await deploy(
        () => new components.CustomerInsightsSynapseExport("ci", { specFile: EXAMPLE_SPEC }),
        { preview, world: exampleSpecWorld() },
      );
      const [database, ...moreDatabases] = mocks.ofType(EXPORT_DATABASE);
      expect(moreDatabases).to.deep.equal([]);
      expect(database.name).to.equal("ci-database");
      expect(database.inputs.spec.export.databaseName).to.equal("ci_export");
      // The endpoints the workspace and the storage account report, not names built from the spec.
      // (Existing workspace and account: read with invokes, so known in preview too.)
      expect(database.inputs.target).to.deep.equal({
        kind: "azure",
        sqlServer: "ws-ci-ondemand.sql.azuresynapse.net",
        lakeAccountUrl: "https://stciexport.dfs.core.windows.net",
      });

      const tables = mocks.ofType(ENTITY_TABLE);
      expect(tables.map((t) => t.inputs.entity)).to.deep.equal(["Customer", "Segments"]);
      // The identity azure-native signs in as (getClientConfig), whose grants the engine relies on.
      for (const r of [database, ...tables]) {
        expect(r.inputs.signsInAs, r.name).to.equal("deadbeef-0000-4000-8000-000000000001");
      }
      expect(tables.map((t) => t.name)).to.deep.equal(["ci-entity-Customer", "ci-entity-Segments"]);
      // The program reads the sources' size and content hash, so `pulumi preview` notices new data.
      const sha256 = require("node:crypto")
        .createHash("sha256")
        .update(require("node:fs").readFileSync(path.resolve(EXAMPLE_SPEC, "../data/Customer.csv")))
        .digest("hex");
      // Each keeps its share of the spec: an entity no principal and no other entity, the database
      // its readers and no entity, so a new reader is an update of the database alone.
      for (const t of tables) {
        expect(t.inputs.spec, t.name).not.to.have.property("principals");
        expect(t.inputs.spec.export.entities.map((e: any) => e.name)).to.deep.equal([
          t.inputs.entity,
        ]);
      }
      expect(database.inputs.spec.principals).to.have.property("readers");
      expect(database.inputs.spec.export.entities).to.deep.equal([]);
      expect(tables[0].inputs.sources).to.deep.equal([
        { path: "data/Customer.csv", bytes: 322, sha256 },
      ]);

      const grants = [...mocks.ofType(ROLE_ASSIGNMENT), ...mocks.ofType(SYNAPSE_ROLE_ASSIGNMENT)];
      expect(grants).to.have.length(8);
      for (const dependent of [database, ...tables]) {
        for (const grant of grants) {
          expect(
            dependent.options.dependencies.some((u) => u.endsWith(urnOf(grant))),
            `${dependent.name} waits for ${grant.name}`,
          ).to.equal(true);
        }
      }
      for (const t of tables) {
        expect(t.options.dependencies.some((u) => u.endsWith(urnOf(database)))).to.equal(true);
      }
      // How long each waits for a storage grant to apply runs from the newest grant's madeAt.
      if (!preview) {
        const newest = grants
          .map((g) => g.state.madeAt as string)
          .reduce((a, b) => (a > b ? a : b));
        expect(newest).to.match(/^2026-12-04T03:00:0[0-9]\.000Z$/);
        for (const r of [database, ...tables]) {
          expect(r.inputs.grantsMadeAt, r.name).to.equal(newest);
        }
      }
      // One after another, so they do not queue on the target's export lock.
      expect(tables[1].options.dependencies.some((u) => u.endsWith(urnOf(tables[0])))).to.equal(
        true,
      );
    });

    it("exports twice over one shared connection: its grants are made once, each export has its database", async () => {
      const { loadSpecFile } =
        require("../../src/spec/specFile") as typeof import("../../src/spec/specFile");
      const { spec } = loadSpecFile(EXAMPLE_SPEC);
      const second = structuredClone(spec!);
      second.export.databaseName = "ci_export_two";
      second.export.displayName = "Second export";
      const { mocks } = await deploy(
        () => {
          const connection = new components.ExportConnection("shared", { spec: spec! });
          new components.CustomerInsightsSynapseExport("one", { spec: spec!, connection });
          new components.CustomerInsightsSynapseExport("two", { spec: second, connection });
        },
        { preview, world: exampleSpecWorld() },
      );
      // Each assignment once, by the connection: no second owner to remove it with its export.
      const names = mocks.ofType(ROLE_ASSIGNMENT).map((r) => r.name);
      expect(names.length).to.be.greaterThan(0);
      expect(names.every((n) => n.startsWith("shared-"))).to.equal(true);
      expect(
        mocks.ofType(SYNAPSE_ROLE_ASSIGNMENT).every((r) => r.name.startsWith("shared-")),
      ).to.equal(true);
      expect(
        mocks.ofType(EXPORT_DATABASE).map((d) => d.inputs.spec.export.databaseName),
      ).to.have.members(["ci_export", "ci_export_two"]);
      const tables = mocks.ofType(ENTITY_TABLE);
      expect(tables.map((t) => t.name)).to.have.members([
        "one-entity-Customer",
        "one-entity-Segments",
        "two-entity-Customer",
        "two-entity-Segments",
      ]);
      // Both wait for the shared grants.
      const grants = [...mocks.ofType(ROLE_ASSIGNMENT), ...mocks.ofType(SYNAPSE_ROLE_ASSIGNMENT)];
      for (const t of tables) {
        for (const g of grants) {
          expect(
            t.options.dependencies.some((u) => u.endsWith(urnOf(g))),
            t.name,
          ).to.equal(true);
        }
      }
    });

    it("refuses a second export of the same database over a shared connection", async () => {
      const { loadSpecFile } =
        require("../../src/spec/specFile") as typeof import("../../src/spec/specFile");
      const { spec } = loadSpecFile(EXAMPLE_SPEC);
      const again = structuredClone(spec!);
      again.export.displayName = "Same database";
      again.export.databaseName = "CI_EXPORT";
      let error: any;
      const { mocks } = await deploy(
        () => {
          const connection = new components.ExportConnection("shared", { spec: spec! });
          new components.CustomerInsightsSynapseExport("one", { spec: spec!, connection });
          try {
            new components.CustomerInsightsSynapseExport("two", { spec: again, connection });
          } catch (err) {
            error = err;
          }
        },
        { preview, world: exampleSpecWorld() },
      );
      expect(error?.message).to.contain(
        "export.databaseName: 'CI_EXPORT' is already exported over this connection by CustomerInsightsSynapseExport 'one'",
      );
      expect(mocks.ofType(EXPORT_DATABASE)).to.have.length(1);
    });

    it("refuses an export over a shared connection whose spec states another connection or principals", async () => {
      const { loadSpecFile } =
        require("../../src/spec/specFile") as typeof import("../../src/spec/specFile");
      const { spec } = loadSpecFile(EXAMPLE_SPEC);
      const other = structuredClone(spec!);
      other.export.databaseName = "ci_export_two";
      other.connection.storage.container = "another";
      let error: any;
      await deploy(
        () => {
          const connection = new components.ExportConnection("shared", { spec: spec! });
          try {
            new components.CustomerInsightsSynapseExport("two", {
              spec: other,
              connection,
              protectStorage: true,
            });
          } catch (err) {
            error = err;
          }
        },
        { preview, world: exampleSpecWorld() },
      );
      expect(error?.message).to.contain("CustomerInsightsSynapseExport 'two'");
      expect(error.message).to.contain(
        "connection.storage.container: differs from the ExportConnection given as `connection`",
      );
      expect(error.message).to.contain(
        "protectStorage: is the connection's: give it to the ExportConnection passed as `connection`",
      );
    });

    it("checks no sign-in against a group named as the deployer: its members sign in as themselves", async () => {
      const file = path.join(
        path.dirname(EXAMPLE_SPEC),
        `.group-deployer-${process.pid}.spec.yaml`,
      );
      require("node:fs").writeFileSync(
        file,
        require("node:fs")
          .readFileSync(EXAMPLE_SPEC, "utf8")
          .replace(
            "principals:\n",
            "principals:\n  deployer: { objectId: 6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f6a, type: Group }\n",
          ),
      );
      try {
        const { mocks } = await deploy(
          () => new components.CustomerInsightsSynapseExport("ci", { specFile: file }),
          { preview, world: exampleSpecWorld() },
        );
        const resources = [...mocks.ofType(EXPORT_DATABASE), ...mocks.ofType(ENTITY_TABLE)];
        expect(resources).to.have.length(3);
        for (const r of resources) expect(r.inputs.signsInAs, r.name).to.equal(undefined);
      } finally {
        require("node:fs").rmSync(file, { force: true });
      }
    });

    it("never puts a secret into the export's resources", async () => {
      const { mocks } = await deploy(
        () => new components.CustomerInsightsSynapseExport("ci", { specFile: EXAMPLE_SPEC }),
        { preview, world: exampleSpecWorld() },
      );
      const text = JSON.stringify(
        [...mocks.ofType(EXPORT_DATABASE), ...mocks.ofType(ENTITY_TABLE)].map((r) => r.inputs),
      );
      expect(text).not.to.match(/AccountKey=|SharedAccessSignature|sig=|password/i);
    });
  });
}
