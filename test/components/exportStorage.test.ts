// ExportStorage and WorkspaceLink under Pulumi's mocks, in update and preview mode: a new ADLS Gen2
// account with its security settings, an existing account checked for hierarchical namespace, and the
// workspace, new (Entra-only, linked to the export storage) or existing.

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import { newStorageAndWorkspaceRawSpec, validRawSpec } from "../helpers/specs";
import { AzureMocks, defaultWorld, deploy, ROLE_ASSIGNMENT, SUBSCRIPTION_ID } from "./azureMocks";

const SUB = `/subscriptions/${SUBSCRIPTION_ID}`;
const NEW_ACCOUNT = `${SUB}/resourceGroups/rg-new/providers/Microsoft.Storage/storageAccounts/stnewexport`;

let components: typeof Components;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
});

/** Resolves with the value, or rejects with the error an apply threw (as a deployment would fail). */
function settled<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as any).promise();
}

/** Runs `fn` while collecting the promise rejections it leaves behind (a failed deployment's outputs). */
async function collectingRejections<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; rejections: unknown[] }> {
  const rejections: unknown[] = [];
  const listener = (reason: unknown) => rejections.push(reason);
  const mochaListeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", listener);
  try {
    const value = await fn();
    await new Promise((r) => setTimeout(r, 20));
    return { value, rejections };
  } finally {
    process.removeListener("unhandledRejection", listener);
    for (const l of mochaListeners) process.on("unhandledRejection", l);
  }
}

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
      expect(workspace.inputs).to.not.have.any.keys(
        "sqlAdministratorLogin",
        "sqlAdministratorLoginPassword",
      );
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
