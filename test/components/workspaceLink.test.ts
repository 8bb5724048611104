// WorkspaceLink (the seed's workspace of the connection) under Pulumi's mocks, in update and preview
// mode: an existing workspace read with its identity and endpoints, or a new one (Entra-only, on the
// export storage) with its firewall rules and SQL administrator password from secret config.

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import { newStorageAndWorkspaceRawSpec } from "../helpers/specs";
import { AzureMocks, defaultWorld, deploy, ROLE_ASSIGNMENT } from "./azureMocks";
import { collectingRejections, NEW_ACCOUNT, settled, SUB } from "./settled";

let components: typeof Components;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
});

for (const preview of [false, true]) {
  const mode = preview ? "preview" : "update";

  describe(`WorkspaceLink (${mode})`, () => {
    it("reads an existing workspace's managed identity and endpoints", async () => {
      const { result, mocks } = await deploy(
        () =>
          new components.WorkspaceLink("ws", {
            workspaceName: "ws-ci",
            resourceGroupName: "rg-analytics",
          }),
        { preview },
      );
      expect(mocks.ofType("azure-native:synapse:Workspace")).to.deep.equal([]);
      expect(await settled(result.systemAssignedMIPrincipalId)).to.equal(
        defaultWorld().workspaces["rg-analytics/ws-ci"].principalId,
      );
      expect(await settled(result.serverlessSqlEndpoint)).to.equal(
        "ws-ci-ondemand.sql.azuresynapse.net",
      );
      expect(await settled(result.devEndpoint)).to.equal("https://ws-ci.dev.azuresynapse.net");
      expect(await settled(result.resourceId)).to.equal(
        `${SUB}/resourceGroups/rg-analytics/providers/Microsoft.Synapse/workspaces/ws-ci`,
      );
    });

    it("creates an Entra-only workspace on the export storage, with its identity and firewall rules", async () => {
      const spec = newStorageAndWorkspaceRawSpec({
        firewallRules: [
          { name: "office", startIpAddress: "203.0.113.0", endIpAddress: "203.0.113.255" },
        ],
      });
      const { mocks } = await deploy(
        () => new components.ExportConnection("ci", { spec, baseDir: "/specs" }),
        { preview },
      );
      const [workspace] = mocks.ofType("azure-native:synapse:Workspace");
      expect(workspace.inputs).to.deep.include({
        workspaceName: "ws-new",
        resourceGroupName: "rg-new",
        location: "westeurope",
        azureADOnlyAuthentication: true,
      });
      expect(workspace.inputs.identity).to.deep.equal({ type: "SystemAssigned" });
      expect(workspace.inputs.defaultDataLakeStorage).to.deep.equal({
        accountUrl: "https://stnewexport.dfs.core.windows.net/",
        filesystem: "ci-export",
        resourceId: NEW_ACCOUNT,
      });
      // A login name always (a workspace is refused without one, an Entra admin or a CMK), no
      // password: Entra ID only.
      expect(workspace.inputs.sqlAdministratorLogin).to.equal("sqladminuser");
      expect(workspace.inputs).to.not.have.any.keys("sqlAdministratorLoginPassword");
      const [rule] = mocks.ofType("azure-native:synapse:IpFirewallRule");
      expect(rule.inputs).to.deep.include({
        workspaceName: "ws-new",
        ruleName: "office",
        startIpAddress: "203.0.113.0",
        endIpAddress: "203.0.113.255",
      });
      // The workspace identity's grant goes to the new workspace's identity, on the new account.
      const wsGrant = mocks
        .ofType(ROLE_ASSIGNMENT)
        .find((r) => r.name.includes("workspace-identity-storage-blob-data-contributor"))!;
      expect(wsGrant.inputs.principalId).to.equal(defaultWorld().newWorkspacePrincipalId);
      expect(wsGrant.inputs.scope).to.equal(NEW_ACCOUNT);
      // The Synapse role waits for the workspace and its firewall rules.
      const synapseGrant = mocks.resources.find((r) => r.name.includes("synapse-administrator"))!;
      const urnOf = (type: string) => mocks.ofType(type).map((r) => r.name)[0];
      expect(
        synapseGrant.options.dependencies.some((u) =>
          u.endsWith(`::${urnOf("azure-native:synapse:IpFirewallRule")}`),
        ),
      ).to.equal(true);
      expect(
        synapseGrant.options.dependencies.some((u) =>
          u.endsWith(`::${urnOf("azure-native:synapse:Workspace")}`),
        ),
      ).to.equal(true);
    });

    it("asks for the SQL administrator password in secret config when a SQL login is wanted", async () => {
      const { value, rejections } = await collectingRejections(async () => {
        let thrown: unknown;
        await deploy(
          () => {
            try {
              new components.WorkspaceLink("ws", {
                workspaceName: "ws-new",
                resourceGroupName: "rg-new",
                create: {
                  location: "westeurope",
                  dfsEndpoint: "https://stnewexport.dfs.core.windows.net/",
                  container: "ci-export",
                  sqlAdministratorLogin: "sqladmin",
                },
              });
            } catch (err) {
              thrown = err;
            }
          },
          { preview },
        );
        return thrown;
      });
      expect(value, "a missing password must stop the deployment").to.be.instanceOf(Error);
      expect((value as Error).message).to.contain("synapse-export:sqlAdministratorPassword");
      expect(rejections).to.deep.equal([]);
    });
  });
}
