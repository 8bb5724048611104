// The mocked ARM refuses what ARM refuses, and the test sees it (issue 15 item 3).

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { AzureMocks, deploy } from "./azureMocks";

const SUB = "11111111-2222-3333-4444-555555555555";
const GOOD = {
  roleAssignmentName: "0a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3",
  roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
  scope: `/subscriptions/${SUB}/resourceGroups/rg-data`,
  principalId: "3e3e3e3e-0000-4000-8000-000000000003",
  principalType: "ServicePrincipal",
};

let ArmRoleAssignment: typeof import("../../src/providers/armRoleAssignment").ArmRoleAssignment;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  ArmRoleAssignment = require("../../src/providers/armRoleAssignment").ArmRoleAssignment;
});

describe("the Pulumi mocks' role assignment checks", () => {
  it("accept what ARM accepts", async () => {
    const { mocks } = await deploy(() => new ArmRoleAssignment("ok", GOOD), { preview: false });
    expect(mocks.failures).to.deep.equal([]);
  });

  for (const [field, value] of [
    ["roleAssignmentName", "reader-grant"],
    ["roleDefinitionId", "ba92f5b4-2d11-453d-a403-e96b0029c9fe"],
    ["scope", "rg-data"],
    ["principalId", "analysts"],
    ["principalType", "App"],
  ] as const) {
    it(`fail the deployment on a ${field} ARM would refuse`, async () => {
      let message = "";
      try {
        await deploy(() => new ArmRoleAssignment("bad", { ...GOOD, [field]: value }), {
          preview: false,
        });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.contain(`ARM would refuse ${field} "${value}"`);
    });
  }
});
