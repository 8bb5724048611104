// ExportStorage under Pulumi's mocks, in update and preview mode: a new ADLS Gen2 account with its
// security settings, and an existing account checked for hierarchical namespace. (WorkspaceLink:
// workspaceLink.test.ts.)

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import { validRawSpec } from "../helpers/specs";
import { errorKind } from "../../src/errors";
import { AzureMocks, defaultWorld, deploy, ROLE_ASSIGNMENT } from "./azureMocks";
import { collectingRejections, NEW_ACCOUNT, settled, SUB } from "./settled";

let components: typeof Components;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
});

for (const preview of [false, true]) {
  const mode = preview ? "preview" : "update";

  describe(`ExportStorage (${mode})`, () => {
    it("creates an ADLS Gen2 account with the secure defaults, and a private container", async () => {
      const { mocks } = await deploy(
        () =>
          new components.ExportStorage("lake", {
            accountName: "stnewexport",
            resourceGroupName: "rg-new",
            container: "ci-export",
            create: { location: "westeurope" },
          }),
        { preview },
      );
      const [account] = mocks.ofType("azure-native:storage:StorageAccount");
      expect(account.inputs).to.deep.include({
        accountName: "stnewexport",
        resourceGroupName: "rg-new",
        location: "westeurope",
        kind: "StorageV2",
        isHnsEnabled: true,
        minimumTlsVersion: "TLS1_2",
        enableHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
      });
      expect(account.inputs.sku).to.deep.equal({ name: "Standard_LRS" });
      const [container] = mocks.ofType("azure-native:storage:BlobContainer");
      expect(container.inputs).to.deep.include({
        accountName: "stnewexport",
        containerName: "ci-export",
        publicAccess: "None",
      });
      expect(account.options.protect).to.equal(false);
    });

    for (const sku of ["Premium_LRS", "Premium_ZRS"] as const) {
      it(`creates a premium block blob account for ${sku}, the only premium kind with Data Lake Storage`, async () => {
        const { mocks } = await deploy(
          () =>
            new components.ExportStorage("lake", {
              accountName: "stnewexport",
              resourceGroupName: "rg-new",
              container: "ci-export",
              create: { location: "westeurope", sku },
            }),
          { preview },
        );
        const [account] = mocks.ofType("azure-native:storage:StorageAccount");
        expect(account.inputs).to.deep.include({ kind: "BlockBlobStorage", isHnsEnabled: true });
        expect(account.inputs.sku).to.deep.equal({ name: sku });
      });
    }

    it("passes protect through to the account and the container, and allows keys only when asked", async () => {
      const { mocks, result } = await deploy(
        () =>
          new components.ExportStorage("lake", {
            accountName: "stnewexport",
            resourceGroupName: "rg-new",
            container: "ci-export",
            create: { location: "westeurope", sku: "Standard_ZRS", allowSharedKeyAccess: true },
            protect: true,
          }),
        { preview },
      );
      const [account] = mocks.ofType("azure-native:storage:StorageAccount");
      const [container] = mocks.ofType("azure-native:storage:BlobContainer");
      expect(account.options.protect).to.equal(true);
      expect(container.options.protect).to.equal(true);
      expect(account.inputs.allowSharedKeyAccess).to.equal(true);
      expect(account.inputs.sku).to.deep.equal({ name: "Standard_ZRS" });
      expect(await settled(result.resourceId)).to.equal(NEW_ACCOUNT);
      expect(await settled(result.dfsEndpoint)).to.equal(
        "https://stnewexport.dfs.core.windows.net/",
      );
    });

    it("uses an existing account with hierarchical namespace, and its existing container", async () => {
      const { mocks, result } = await deploy(
        () =>
          new components.ExportStorage("lake", {
            accountName: "stciexport",
            resourceGroupName: "rg-data",
            container: "ci-export",
          }),
        { preview },
      );
      expect(mocks.ofType("azure-native:storage:StorageAccount")).to.deep.equal([]);
      expect(mocks.ofType("azure-native:storage:BlobContainer")).to.deep.equal([]);
      const account = `${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stciexport`;
      expect(await settled(result.resourceId)).to.equal(account);
      expect(await settled(result.containerResourceId)).to.equal(
        `${account}/blobServices/default/containers/ci-export`,
      );
    });

    it("refuses an existing account without hierarchical namespace, saying it cannot be turned on later", async () => {
      const flat = defaultWorld();
      flat.storageAccounts["rg-data/stciexport"] = { isHnsEnabled: false };
      const spec = validRawSpec();
      const { value, rejections } = await collectingRejections(async () => {
        const { mocks, result } = await deploy(
          () => new components.ExportConnection("ci", { spec, baseDir: "/specs" }),
          { preview, world: flat },
        );
        const error = await settled(result.storage.resourceId).then(
          () => undefined,
          (e: Error) => e,
        );
        return { mocks, error };
      });
      expect(value.error, "the deployment must fail").to.be.instanceOf(Error);
      const message = value.error!.message;
      expect(message).to.contain("stciexport");
      expect(message).to.contain(
        "hierarchical namespace cannot be turned on later: create a new account",
      );
      // Its kind says the storage refused; Pulumi still prints it under the resource, without a stack.
      expect(errorKind(value.error)).to.equal("lake");
      expect(pulumi.ResourceError.isInstance(value.error)).to.equal(true);
      expect((value.error as any).hideStack).to.equal(true);
      // No permission on the flat account is ever sent to Azure.
      expect(
        value.mocks.ofType(ROLE_ASSIGNMENT).filter((r) => r.inputs.scope.includes("stciexport")),
      ).to.deep.equal([]);
      for (const r of rejections)
        expect(String((r as Error)?.message ?? r)).to.contain("hierarchical namespace");
    });

    it("creates the container in an existing account only when asked to", async () => {
      const { mocks } = await deploy(
        () =>
          new components.ExportStorage("lake", {
            accountName: "stciexport",
            resourceGroupName: "rg-data",
            container: "new-container",
            createContainer: true,
          }),
        { preview },
      );
      const [container] = mocks.ofType("azure-native:storage:BlobContainer");
      expect(container.inputs).to.deep.include({
        accountName: "stciexport",
        containerName: "new-container",
        publicAccess: "None",
      });
    });
  });
}
