// allowAzureServices on a new workspace (issue 9 item 2): Azure reads 0.0.0.0-0.0.0.0 as "allow Azure
// services" only under the rule name AllowAllWindowsAzureIps (Synapse IP firewall page).

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import { newStorageAndWorkspaceRawSpec } from "../helpers/specs";
import { AzureMocks, deploy } from "./azureMocks";

let components: typeof Components;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
});

const rules = (mocks: AzureMocks) =>
  mocks
    .ofType("azure-native:synapse:IpFirewallRule")
    .map((r) => `${r.inputs.ruleName} ${r.inputs.startIpAddress}-${r.inputs.endIpAddress}`);

for (const preview of [false, true]) {
  describe(`a new workspace's firewall rules (${preview ? "preview" : "update"})`, () => {
    it("adds AllowAllWindowsAzureIps 0.0.0.0-0.0.0.0 for allowAzureServices, beside the spec's rules", async () => {
      const spec = newStorageAndWorkspaceRawSpec({
        allowAzureServices: true,
        firewallRules: [
          { name: "AllowDeployer", startIpAddress: "203.0.113.7", endIpAddress: "203.0.113.7" },
        ],
      });
      const { mocks } = await deploy(
        () => new components.ExportConnection("ci", { spec, baseDir: "/specs" }),
        { preview },
      );
      expect(rules(mocks)).to.deep.equal([
        "AllowDeployer 203.0.113.7-203.0.113.7",
        "AllowAllWindowsAzureIps 0.0.0.0-0.0.0.0",
      ]);
    });

    it("adds no Azure-services rule without allowAzureServices", async () => {
      const spec = newStorageAndWorkspaceRawSpec({
        allowAzureServices: false,
        firewallRules: [
          { name: "AllowDeployer", startIpAddress: "203.0.113.7", endIpAddress: "203.0.113.7" },
        ],
      });
      const { mocks } = await deploy(
        () => new components.ExportConnection("ci", { spec, baseDir: "/specs" }),
        { preview },
      );
      expect(rules(mocks)).to.deep.equal(["AllowDeployer 203.0.113.7-203.0.113.7"]);
    });

    it("is refused by the component before anything is registered when the spec has no rule", () => {
      const spec = newStorageAndWorkspaceRawSpec({ allowAzureServices: false });
      expect(() => new components.ExportConnection("ci", { spec, baseDir: "/specs" })).to.throw(
        /connection\.workspace\.create\.firewallRules/,
      );
    });
  });
}
