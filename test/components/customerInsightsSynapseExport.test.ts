// The all-in-one component under Pulumi's mocks, in update and preview mode: built from the example
// spec file, it declares the whole tree under synapse-export:index:* types and exposes what the export
// database needs; a bad spec file stops it with every field path and nothing registered.

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import {
  AzureMocks,
  defaultWorld,
  deploy,
  ROLE_ASSIGNMENT,
  SUBSCRIPTION_ID,
  SYNAPSE_ROLE_ASSIGNMENT,
  EXAMPLE_SPEC,
  exampleSpecWorld,
} from "./azureMocks";

let components: typeof Components;
let tmp: string;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-components-"));
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

/** The example stack's world: storage and workspace both in rg-analytics. */

function thrownBy(fn: () => unknown): any {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

for (const preview of [false, true]) {
  describe(`CustomerInsightsSynapseExport (${preview ? "preview" : "update"})`, () => {
    it("builds the whole export from the example spec file", async () => {
      const { mocks, result } = await deploy(
        () => new components.CustomerInsightsSynapseExport("ci", { specFile: EXAMPLE_SPEC }),
        { preview, world: exampleSpecWorld() },
      );
      expect(result.spec.baseDir).to.equal(path.dirname(EXAMPLE_SPEC));
      expect(result.databaseName).to.equal("ci_export");
      expect(await value(result.workspaceName)).to.equal("ws-ci");
      expect(await value(result.serverlessSqlEndpoint)).to.equal(
        "ws-ci-ondemand.sql.azuresynapse.net",
      );
      expect(await value(result.workspaceDevEndpoint)).to.equal(
        "https://ws-ci.dev.azuresynapse.net",
      );
      expect(await value(result.storageAccountName)).to.equal("stciexport");
      expect(await value(result.container)).to.equal("ci-export");
      expect(await value(result.dfsEndpoint)).to.equal("https://stciexport.dfs.core.windows.net/");
      // Its outputs say whose they are; the children are exposed as themselves.
      expect(await value(result.exportDisplayName)).to.equal("Customer data");
      expect(await value(result.storageAccountResourceId)).to.equal(
        `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-analytics/providers/Microsoft.Storage/storageAccounts/stciexport`,
      );
      expect(await value(result.workspaceIdentityPrincipalId)).to.equal(
        defaultWorld().workspaces["rg-analytics/ws-ci"].principalId,
      );
      expect(result.storage).to.equal(result.connection.storage);
      expect(result.workspace).to.equal(result.connection.workspace);
      // The old names, deprecated for one version, still answer the same.
      expect(await value(result.name)).to.equal("Customer data");
      expect(await value(result.resourceId)).to.equal(await value(result.storageAccountResourceId));
      expect(await value(result.systemAssignedMIPrincipalId)).to.equal(
        await value(result.workspaceIdentityPrincipalId),
      );
      // Everything the export database must wait for: 6 ARM grants and the Synapse Administrator one.
      // The seed's six ARM grants, the deployer's data role, and Synapse Administrator.
      expect(result.roleAssignments).to.have.length(8);
      expect(mocks.ofType(ROLE_ASSIGNMENT)).to.have.length(7);
      expect(mocks.ofType(SYNAPSE_ROLE_ASSIGNMENT)).to.have.length(1);
    });

    it("declares its parts as synapse-export:index components, each under its parent", async () => {
      const { mocks } = await deploy(
        () => new components.CustomerInsightsSynapseExport("ci", { specFile: EXAMPLE_SPEC }),
        { preview, world: exampleSpecWorld() },
      );
      const types = mocks.resources.filter((r) => r.type.startsWith("synapse-export:index:"));
      expect(types.map((r) => `${r.type} ${r.name}`)).to.have.members([
        "synapse-export:index:CustomerInsightsSynapseExport ci",
        "synapse-export:index:ExportConnection ci-connection",
        "synapse-export:index:ExportStorage ci-connection-storage",
        "synapse-export:index:WorkspaceLink ci-connection-workspace",
        "synapse-export:index:ExportPermissions ci-connection-permissions",
      ]);
      for (const r of mocks.resources) {
        if (r.name === "ci") expect(r.options.parent, r.name).to.equal("");
        else expect(r.options.parent, r.name).to.match(/::ci(-connection(-permissions)?)?$/);
      }
      const grant = mocks.ofType(ROLE_ASSIGNMENT)[0];
      expect(grant.options.parent).to.match(
        /synapse-export:index:ExportPermissions::ci-connection-permissions$/,
      );
    });
  });
}

describe("CustomerInsightsSynapseExport refuses a bad spec before registering anything", () => {
  it("lists every error of a spec file with its field path and the file's name", async () => {
    const file = path.join(tmp, "bad.spec.yaml");
    fs.writeFileSync(
      file,
      fs
        .readFileSync(EXAMPLE_SPEC, "utf8")
        .replace("dataPrivacyConsent: true", "dataPrivacyConsent: false")
        .replace("databaseName: ci_export", "databaseName: tempdb"),
    );
    let thrown: any;
    const { mocks } = await deploy(
      () =>
        (thrown = thrownBy(
          () => new components.CustomerInsightsSynapseExport("ci", { specFile: file }),
        )),
      { preview: false },
    );
    expect(thrown).to.be.instanceOf(Error);
    expect(thrown.message).to.contain(file);
    expect(thrown.message).to.contain("connection.dataPrivacyConsent");
    expect(thrown.message).to.contain("export.databaseName");
    expect(pulumi.RunError.isInstance(thrown)).to.equal(true);
    expect(mocks.resources).to.deep.equal([]);
  });

  it("says which spec file cannot be read", () => {
    const missing = path.join(tmp, "missing.yaml");
    const thrown = thrownBy(
      () => new components.CustomerInsightsSynapseExport("ci", { specFile: missing }),
    );
    expect(thrown.message).to.contain(`cannot read the spec file ${missing}: ENOENT`);
  });

  it("reports malformed YAML with its line, not a stack trace", () => {
    const file = path.join(tmp, "broken.yaml");
    fs.writeFileSync(file, "connection: [unclosed\n");
    const thrown = thrownBy(
      () => new components.CustomerInsightsSynapseExport("ci", { specFile: file }),
    );
    expect(thrown.message).to.match(/not valid YAML in .*broken\.yaml at line \d+/);
    expect(pulumi.RunError.isInstance(thrown)).to.equal(true);
  });

  it("wants exactly one of spec and specFile", () => {
    expect(
      thrownBy(() => new components.CustomerInsightsSynapseExport("ci", {})).message,
    ).to.contain("give spec (an object) or specFile");
    expect(
      thrownBy(
        () =>
          new components.CustomerInsightsSynapseExport("ci", { spec: {}, specFile: EXAMPLE_SPEC }),
      ).message,
    ).to.contain("not both");
  });
});
