// The example that imports the export as a component (examples/import-as-component) runs under
// Pulumi's mocks: its TypeScript args are a valid spec, and it declares what its README says.

import { expect } from "chai";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { AzureMocks, deploy, ROLE_ASSIGNMENT } from "./azureMocks";

const PROGRAM = path.resolve(__dirname, "../../examples/import-as-component/index.js");
const CONFIG = {
  "synapse-export:subscriptionId": "11111111-2222-3333-4444-555555555555",
  "synapse-export:administrator": "admin@contoso.com",
  "synapse-export:analystsGroupId": "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60",
  "synapse-export:marketingGroupId": "7b7b7b7b-0000-4000-8000-000000000007",
};

function marketingWorld() {
  const world = new AzureMocks().world;
  world.workspaces = {
    "rg-analytics/ws-marketing": { principalId: "5a5a5a5a-0000-4000-8000-00000000000a" },
  };
  return world;
}

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
});

after(() => {
  pulumi.runtime.setAllConfig({});
  delete require.cache[PROGRAM];
});

for (const preview of [false, true]) {
  it(`examples/import-as-component declares a protected new account, a shared, container-scoped connection (${preview ? "preview" : "update"})`, async () => {
    // Pulumi runs a program in its project folder, where the example finds its data.
    const cwd = process.cwd();
    process.chdir(path.resolve(__dirname, "../../../examples/import-as-component"));
    const { mocks } = await deploy(
      () => {
        delete require.cache[PROGRAM];
        return require(PROGRAM);
      },
      { preview, world: marketingWorld(), config: CONFIG },
    ).finally(() => process.chdir(cwd));
    const [account] = mocks.ofType("azure-native:storage:StorageAccount");
    expect(account.inputs).to.deep.include({
      accountName: "stmarketingexport",
      isHnsEnabled: true,
    });
    expect(account.options.protect).to.equal(true);
    expect(mocks.ofType("azuread:index/servicePrincipal:ServicePrincipal")).to.have.length(1);
    const marketing = mocks
      .ofType(ROLE_ASSIGNMENT)
      .filter((r) => r.inputs.principalId === CONFIG["synapse-export:marketingGroupId"]);
    expect(marketing.map((r) => r.inputs.scope)).to.have.members([
      "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-analytics",
      "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-analytics/providers/Microsoft.Storage/storageAccounts/stmarketingexport/blobServices/default/containers/ci-export",
    ]);
  });
}
