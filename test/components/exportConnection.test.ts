// ExportConnection under Pulumi's mocks, in update and in preview mode: the role assignments the engine
// would be asked to create, exactly (role definition id, scope, principal, type, description, name).

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import { validRawSpec } from "../helpers/specs";
import { errorKind } from "../../src/errors";
import {
  AzureMocks,
  defaultWorld,
  deploy,
  ROLE_ASSIGNMENT,
  SUBSCRIPTION_ID,
  SYNAPSE_ROLE_ASSIGNMENT,
  type Registered,
} from "./azureMocks";

const SUB = `/subscriptions/${SUBSCRIPTION_ID}`;
const ACCOUNT = `${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stciexport`;
const CONTAINER = `${ACCOUNT}/blobServices/default/containers/ci-export`;
const WORKSPACE_RG = `${SUB}/resourceGroups/rg-analytics`;
const world = defaultWorld();
const CI = world.servicePrincipals["0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff"];
const ADMIN = world.users["admin@contoso.com"];
const WS_MI = world.workspaces["rg-analytics/ws-ci"].principalId;
const ANALYSTS = "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60";
// The object id Pulumi's Azure client configuration reports in the mocks: the deploying identity, a user.
const DEPLOYER = "deadbeef-0000-4000-8000-000000000001";

// Microsoft's built-in role ids, written out here so a wrong entry in the role table fails this test too.
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const BLOB_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
const BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const BLOB_DELEGATOR = "db58b8e5-c6ad-4a2a-8342-4190687cbf4a";
const SYNAPSE_ADMINISTRATOR = "6e4bf58a-b8e1-4cc3-bbf9-d73143322b78";

interface Assignment {
  logicalName: string;
  roleAssignmentName: string;
  roleDefinitionId: string;
  scope: string;
  principalId: string;
  principalType: string;
  description: string;
}

const assignments = (mocks: AzureMocks): Assignment[] =>
  mocks.ofType(ROLE_ASSIGNMENT).map((r: Registered) => ({
    logicalName: r.name,
    roleAssignmentName: r.inputs.roleAssignmentName,
    roleDefinitionId: r.inputs.roleDefinitionId,
    scope: r.inputs.scope,
    principalId: r.inputs.principalId,
    principalType: r.inputs.principalType,
    description: r.inputs.description,
  }));

/** role | scope | principal | type, the way a reviewer reads a grant. */
const row = (a: Assignment) =>
  [a.roleDefinitionId, a.scope, a.principalId, a.principalType].join(" | ");
const roleDef = (guid: string) =>
  `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

/** The Output's value or its error (Pulumi's OutputImpl keeps both behind promise()). */
function settled<T>(output: pulumi.Output<T>): Promise<{ value?: T; error?: Error }> {
  return (output as unknown as { promise(): Promise<T> })
    .promise()
    .then((value) => ({ value }))
    .catch((error: Error) => ({ error }));
}

/**
 * A deploy whose program fails once a look-up answers: Pulumi's runtime reports the failed inputs
 * as unhandled rejections (the real one stops the deployment with them); they are collected here.
 */
async function connectRefused(preview: boolean, spec: Record<string, any>) {
  const rejections: Error[] = [];
  const collect = (reason: unknown) => rejections.push(reason as Error);
  const mochaListeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", collect);
  try {
    const { mocks } = await connect(preview, spec);
    await new Promise((r) => setImmediate(r));
    return { mocks, rejections };
  } finally {
    process.removeListener("unhandledRejection", collect);
    for (const l of mochaListeners) process.on("unhandledRejection", l);
  }
}

function rawSpec(mutate: (raw: Record<string, any>) => void = () => {}): Record<string, any> {
  const raw = validRawSpec();
  mutate(raw);
  return raw;
}

let components: typeof Components;

before(async () => {
  // Mocks first, then the components: nothing may be constructed against the real runtime.
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
});

async function connect(
  preview: boolean,
  spec: Record<string, any> = rawSpec(),
  worldOverride = defaultWorld(),
) {
  return deploy(() => new components.ExportConnection("ci", { spec, baseDir: "/specs" }), {
    preview,
    world: worldOverride,
  });
}

for (const preview of [false, true]) {
  describe(`ExportConnection (${preview ? "preview" : "update"})`, () => {
    it("assigns exactly the seed's ARM roles, with full role definition ids, real scopes and principal types", async () => {
      const { mocks } = await connect(preview);
      expect(assignments(mocks).map(row)).to.have.members([
        `${roleDef(BLOB_CONTRIBUTOR)} | ${ACCOUNT} | ${CI} | ServicePrincipal`,
        `${roleDef(READER)} | ${WORKSPACE_RG} | ${CI} | ServicePrincipal`,
        `${roleDef(READER)} | ${WORKSPACE_RG} | ${ADMIN} | User`,
        `${roleDef(BLOB_CONTRIBUTOR)} | ${ACCOUNT} | ${ADMIN} | User`,
        `${roleDef(BLOB_CONTRIBUTOR)} | ${ACCOUNT} | ${WS_MI} | ServicePrincipal`,
        `${roleDef(BLOB_READER)} | ${ACCOUNT} | ${ANALYSTS} | Group`,
        `${roleDef(BLOB_CONTRIBUTOR)} | ${ACCOUNT} | ${DEPLOYER} | User`,
      ]);
      expect(assignments(mocks)).to.have.length(7);
    });

    it("refuses, before any assignment, a contributor who is the administrator once the administrator's user principal name is looked up", async () => {
      // The spec gives the administrator as admin@contoso.com and the contributor by object id: the
      // spec's own rules cannot compare them; Graph's answer can, and Azure would keep one assignment.
      const spec = rawSpec((raw) => {
        raw.connection.usableBy = "administrators-and-contributors";
        raw.principals.contributors = [{ objectId: ADMIN.toUpperCase(), type: "User" }];
      });
      const { mocks, rejections } = await connectRefused(preview, spec);
      // Pulumi reports it as the failure of every assignment's principalId (so each stays unmade).
      expect(rejections).to.have.length.above(0);
      const [error] = rejections;
      expect(error.message).to.contain(
        "ExportConnection 'ci': the spec has 1 error:\n" +
          `  - principals.contributors[0].objectId: is the administrator (principals.administrator.userPrincipalName admin@contoso.com: object id ${ADMIN}), who already has Reader on the workspace's resource group: Azure keeps one role assignment for both, and removing either entry would remove the other's access. Remove it from contributors`,
      );
      expect(rejections.map(errorKind)).to.satisfy((kinds: string[]) =>
        kinds.every((k) => k === "spec"),
      );
      expect(assignments(mocks), "no ARM assignment may be made").to.deep.equal([]);
      expect(mocks.ofType(SYNAPSE_ROLE_ASSIGNMENT), "nor a Synapse one").to.deep.equal([]);
    });

    it("refuses a contributor who is the Customer Insights service principal found by its application id", async () => {
      const spec = rawSpec((raw) => {
        raw.connection.usableBy = "administrators-and-contributors";
        raw.principals.contributors = [{ objectId: CI, type: "ServicePrincipal" }];
      });
      const { mocks, rejections } = await connectRefused(preview, spec);
      expect(rejections).to.have.length.above(0);
      expect(rejections[0].message).to.contain(
        `principals.contributors[0].objectId: is the Customer Insights service principal (principals.customerInsights: the service principal of application 0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff, object id ${CI})`,
      );
      expect(assignments(mocks)).to.deep.equal([]);
    });

    it("refuses, before any grant, a spec subscription that is not the one azure-native deploys to", async () => {
      // The grants' role definitions and the workspace's resource group would be built in the spec's
      // subscription while the account and the workspace are the provider's.
      const other = "99999999-8888-7777-6666-555555555555";
      const { mocks, rejections } = await connectRefused(
        preview,
        rawSpec((raw) => (raw.connection.subscriptionId = other)),
      );
      expect(rejections).to.have.length.above(0);
      expect(rejections[0].message).to.contain(
        `connection.subscriptionId is ${other}, but azure-native deploys to subscription 11111111-2222-3333-4444-555555555555`,
      );
      expect(rejections.map(errorKind).every((k) => k === "spec")).to.equal(true);
      expect(assignments(mocks), "no ARM assignment may be made").to.deep.equal([]);
    });

    it("takes a contributor who is neither, once both are looked up", async () => {
      const spec = rawSpec((raw) => {
        raw.connection.usableBy = "administrators-and-contributors";
        raw.principals.contributors = [{ objectId: ANALYSTS, type: "Group" }];
      });
      const { mocks, result } = await connect(preview, spec);
      expect((await settled(result.permissions.roleAssignments[0].principalId)).error).to.equal(
        undefined,
      );
      expect(assignments(mocks).map((a) => a.principalId)).to.include(ANALYSTS);
    });

    it("names each assignment with the GUID of its scope, principal and role, and its resource after the grant", async () => {
      const { mocks } = await connect(preview);
      // Literal names from Python's uuid module, not from roleAssignmentGuid: for each
      // "scope principal roleGuid" line on stdin (the role's GUID, not its full definition id),
      //   python3 -c 'import sys,uuid; ns=uuid.UUID("6f0d1c2e-8a47-5b39-9d1e-3c2b7a5e4f10");
      //     [print(uuid.uuid5(ns, "|".join(l.lower().split()))) for l in sys.stdin]'
      // The administrator's and the Customer Insights grant on the account differ only in principal;
      // the administrator's two grants differ in scope and role.
      const p = "ci-permissions-";
      expect(
        Object.fromEntries(assignments(mocks).map((a) => [a.logicalName, a.roleAssignmentName])),
      ).to.deep.equal({
        [`${p}customer-insights-storage-blob-data-contributor-on-storage-account`]:
          "55baeb2d-8db3-5819-8413-c29e58c0da8c",
        [`${p}customer-insights-reader-on-workspace-resource-group`]:
          "dd0acce9-b81a-51ca-819c-6fb3868b1db9",
        [`${p}administrator-reader-on-workspace-resource-group`]:
          "4f111de3-2718-5cff-af92-322de174f901",
        [`${p}administrator-storage-blob-data-contributor-on-storage-account`]:
          "9c1f3087-d2de-5549-9150-b5493b76adae",
        [`${p}workspace-identity-storage-blob-data-contributor-on-storage-account`]:
          "5c711d9d-c1c2-5ac4-add2-ed2c62f0cc10",
        [`${p}reader-${ANALYSTS}-storage-blob-data-reader-on-storage-account`]:
          "9a41b335-78a5-5278-beff-8846c7ff0282",
        // The deployer's line carries a fourth word, "deployer": its grant may coincide with the
        // administrator's and must not share (and then delete) that assignment.
        [`${p}deployer-storage-blob-data-contributor-on-storage-account`]:
          "d3f52495-7270-5224-8491-b7b2e62e40e6",
      });
      const byName = Object.fromEntries(assignments(mocks).map((a) => [a.logicalName, a]));
      const wsGrant =
        byName[
          "ci-permissions-workspace-identity-storage-blob-data-contributor-on-storage-account"
        ];
      expect(wsGrant.principalId).to.equal(WS_MI);
      expect(wsGrant.description).to.match(/^Workspace identity writes to storage/);
      expect(
        byName["ci-permissions-administrator-reader-on-workspace-resource-group"].description,
      ).to.match(/administrator selects the Synapse workspace/);
    });

    it("replaces an assignment by deleting it first, so the new one does not collide with the old", async () => {
      const { mocks } = await connect(preview);
      for (const ra of mocks.ofType(ROLE_ASSIGNMENT)) {
        expect(ra.options.deleteBeforeReplace, ra.name).to.equal(true);
      }
    });

    it("gives the same inputs the same assignment names on every run", async () => {
      const first = assignments((await connect(preview)).mocks);
      const second = assignments((await connect(preview)).mocks);
      expect(second.map((a) => [a.logicalName, a.roleAssignmentName])).to.deep.equal(
        first.map((a) => [a.logicalName, a.roleAssignmentName]),
      );
    });

    it("changes only that reader's grant when a reader is replaced", async () => {
      const twoReaders = (second: string) =>
        rawSpec((raw) =>
          raw.principals.readers.push({ objectId: second, type: "User", name: "someone" }),
        );
      const before = assignments(
        (await connect(preview, twoReaders("11111111-aaaa-4aaa-8aaa-000000000001"))).mocks,
      );
      const after = assignments(
        (await connect(preview, twoReaders("22222222-bbbb-4bbb-8bbb-000000000002"))).mocks,
      );
      const names = (list: Assignment[]) =>
        new Set(list.map((a) => `${a.logicalName}=${a.roleAssignmentName}`));
      const gone = [...names(before)].filter((n) => !names(after).has(n));
      const added = [...names(after)].filter((n) => !names(before).has(n));
      expect(gone).to.have.length(1);
      expect(gone[0]).to.contain(
        "reader-11111111-aaaa-4aaa-8aaa-000000000001-storage-blob-data-reader",
      );
      expect(added).to.have.length(1);
      expect(added[0]).to.contain(
        "reader-22222222-bbbb-4bbb-8bbb-000000000002-storage-blob-data-reader",
      );
      expect(after).to.have.length(8);
    });

    it("scopes the data roles to the container on request, with Storage Blob Delegator on the account", async () => {
      const { mocks } = await connect(
        preview,
        rawSpec((raw) => (raw.connection.dataRoleScope = "container")),
      );
      expect(assignments(mocks).map(row)).to.have.members([
        `${roleDef(BLOB_CONTRIBUTOR)} | ${CONTAINER} | ${CI} | ServicePrincipal`,
        `${roleDef(READER)} | ${WORKSPACE_RG} | ${CI} | ServicePrincipal`,
        `${roleDef(READER)} | ${WORKSPACE_RG} | ${ADMIN} | User`,
        `${roleDef(BLOB_CONTRIBUTOR)} | ${CONTAINER} | ${ADMIN} | User`,
        `${roleDef(BLOB_CONTRIBUTOR)} | ${CONTAINER} | ${WS_MI} | ServicePrincipal`,
        `${roleDef(BLOB_READER)} | ${CONTAINER} | ${ANALYSTS} | Group`,
        `${roleDef(BLOB_DELEGATOR)} | ${ACCOUNT} | ${CI} | ServicePrincipal`,
        `${roleDef(BLOB_CONTRIBUTOR)} | ${CONTAINER} | ${DEPLOYER} | User`,
      ]);
    });

    describe("the deploying identity's data role", () => {
      const deployerRows = (mocks: AzureMocks) =>
        assignments(mocks)
          .filter((a) => a.logicalName.includes("-deployer-"))
          .map(row);

      const GRAPH = "azuread:index/getServicePrincipals:getServicePrincipals";

      it("is a service principal when the signed-in identity is one (a pipeline), read from its token without Microsoft Graph", async () => {
        // An app-only token (client credentials): no scp, sub equal to oid; idtyp is optional and absent.
        const pipeline = defaultWorld();
        pipeline.clientTokenClaims = { oid: DEPLOYER, sub: DEPLOYER, roles: [], tid: "t" };
        pipeline.graphRefuses = "Authorization_RequestDenied: Insufficient privileges";
        const { mocks } = await connect(preview, rawSpec(), pipeline);
        expect(deployerRows(mocks)).to.deep.equal([
          `${roleDef(BLOB_CONTRIBUTOR)} | ${ACCOUNT} | ${DEPLOYER} | ServicePrincipal`,
        ]);
        expect(mocks.invokes.map((i) => i.token)).not.to.include(GRAPH);
      });

      it("names the administrator's principal as the one whose assignment it may adopt, so a new administrator makes it again", async () => {
        const { mocks } = await connect(preview, rawSpec(), defaultWorld());
        const [deployer] = mocks
          .ofType(ROLE_ASSIGNMENT)
          .filter((r: Registered) => r.name.includes("-deployer-"));
        // Every grant of its role and scope made before it: the administrator's among them.
        expect(deployer.inputs.adoptsFrom.split(",")).to.include(ADMIN.toLowerCase());
        const others = mocks
          .ofType(ROLE_ASSIGNMENT)
          .filter((r: Registered) => !r.name.includes("-deployer-"));
        for (const r of others) expect(r.inputs, r.name).to.not.have.property("adoptsFrom");
      });

      it('takes idtyp "app" and "user" as they say, and a token with delegated scopes as a user', async () => {
        for (const [claims, type] of [
          [{ oid: DEPLOYER, idtyp: "app", sub: "x" }, "ServicePrincipal"],
          [{ oid: DEPLOYER, idtyp: "user", sub: DEPLOYER }, "User"],
          [{ oid: DEPLOYER, scp: "user_impersonation", sub: "y" }, "User"],
        ] as const) {
          const world = defaultWorld();
          world.clientTokenClaims = claims;
          world.graphRefuses = "Authorization_RequestDenied";
          const { mocks } = await connect(preview, rawSpec(), world);
          expect(deployerRows(mocks), JSON.stringify(claims)).to.deep.equal([
            `${roleDef(BLOB_CONTRIBUTOR)} | ${ACCOUNT} | ${DEPLOYER} | ${type}`,
          ]);
        }
      });

      it("asks Microsoft Graph only when the token's claims do not tell, and is never azure-native's default User for a service principal", async () => {
        const pipeline = defaultWorld();
        pipeline.clientTokenClaims = { oid: DEPLOYER, sub: "not-the-oid" };
        pipeline.servicePrincipals["11112222-3333-4444-5555-666677778888"] = DEPLOYER;
        const { mocks } = await connect(preview, rawSpec(), pipeline);
        expect(deployerRows(mocks)).to.deep.equal([
          `${roleDef(BLOB_CONTRIBUTOR)} | ${ACCOUNT} | ${DEPLOYER} | ServicePrincipal`,
        ]);
        expect(mocks.invokes.map((i) => i.token)).to.include(GRAPH);
      });

      it("uses the identity the spec names, without asking the client configuration", async () => {
        const named = "12121212-0000-4000-8000-000000000012";
        const { mocks } = await connect(
          preview,
          rawSpec(
            (raw) => (raw.principals.deployer = { objectId: named, type: "ServicePrincipal" }),
          ),
        );
        expect(deployerRows(mocks)).to.deep.equal([
          `${roleDef(BLOB_CONTRIBUTOR)} | ${ACCOUNT} | ${named} | ServicePrincipal`,
        ]);
        expect(mocks.invokes.map((i) => i.token)).not.to.include(
          "azuread:index/getServicePrincipals:getServicePrincipals",
        );
      });

      it("when the deployer is the administrator, has its own name and comes after the administrator's, so it adopts that assignment instead of sharing and deleting it", async () => {
        // The usual laptop deployment: the Customer Insights administrator runs pulumi up. Under one
        // name both resources would own one Azure assignment, and principals.deployer: false would then
        // delete the administrator's data access with the deployer's grant.
        const { mocks } = await connect(
          preview,
          rawSpec((raw) => (raw.principals.deployer = { objectId: ADMIN, type: "User" })),
        );
        const arm = mocks.ofType(ROLE_ASSIGNMENT);
        const dataRole = (who: string) =>
          arm.find(
            (r) =>
              r.name.includes(`-${who}-storage-blob-data-contributor-`) &&
              r.inputs.principalId === ADMIN,
          )!;
        const admin = dataRole("administrator");
        const deployer = dataRole("deployer");
        expect(admin.inputs.scope).to.equal(deployer.inputs.scope);
        expect(deployer.inputs.roleAssignmentName).to.not.equal(admin.inputs.roleAssignmentName);
        expect(
          deployer.options.dependencies.filter((urn) => urn.endsWith(`::${admin.name}`)),
        ).to.have.length(1);
      });

      it("is not granted with principals.deployer: false", async () => {
        const { mocks } = await connect(
          preview,
          rawSpec((raw) => (raw.principals.deployer = false)),
        );
        expect(deployerRows(mocks)).to.deep.equal([]);
        expect(assignments(mocks)).to.have.length(6);
      });
    });

    describe("sharing the connection with contributors", () => {
      const MARKETING = "7b7b7b7b-0000-4000-8000-000000000007";
      const withContributors = (usableBy: string) =>
        rawSpec((raw) => {
          raw.connection.usableBy = usableBy;
          raw.principals.contributors = [{ objectId: MARKETING, type: "Group", name: "marketing" }];
        });
      const contributorRows = (mocks: AzureMocks) =>
        assignments(mocks)
          .filter((a) => a.principalId === MARKETING)
          .map(row);

      it("shared: contributors can see the workspace and read the export container, nothing more", async () => {
        const { mocks, result } = await connect(
          preview,
          withContributors("administrators-and-contributors"),
        );
        expect(result.sharedWithContributors).to.equal(true);
        expect(contributorRows(mocks)).to.have.members([
          `${roleDef(READER)} | ${WORKSPACE_RG} | ${MARKETING} | Group`,
          `${roleDef(BLOB_READER)} | ${CONTAINER} | ${MARKETING} | Group`,
        ]);
        expect(contributorRows(mocks)).to.have.length(2);
      });

      it("administrators only: contributors get nothing, and the spec's contributors are a warning", async () => {
        // Without an engine (mocks), pulumi.log.warn writes to console.warn: the warning is this
        // test's to check, not a line on the test run's console.
        const warnings: string[] = [];
        const consoleWarn = console.warn;
        console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
        let connected: Awaited<ReturnType<typeof connect>>;
        try {
          connected = await connect(preview, withContributors("administrators"));
        } finally {
          console.warn = consoleWarn;
        }
        const { mocks, result } = connected;
        expect(warnings).to.deep.equal([
          "warning: [runtime] principals.contributors: ignored: the connection is usable by administrators only; set connection.usableBy: administrators-and-contributors to share it",
        ]);
        expect(result.sharedWithContributors).to.equal(false);
        expect(contributorRows(mocks)).to.deep.equal([]);
        expect(assignments(mocks)).to.have.length(7);
      });
    });

    it("gives Synapse Administrator through Synapse RBAC on the workspace, never through ARM", async () => {
      const { mocks } = await connect(preview);
      const synapse = mocks.ofType(SYNAPSE_ROLE_ASSIGNMENT);
      expect(synapse).to.have.length(1);
      expect(synapse[0].name).to.equal(
        "ci-permissions-customer-insights-synapse-administrator-on-workspace",
      );
      expect(synapse[0].inputs).to.deep.include({
        workspaceName: "ws-ci",
        endpoint: "https://ws-ci.dev.azuresynapse.net",
        roleId: SYNAPSE_ADMINISTRATOR,
        roleName: "Synapse Administrator",
        principalId: CI,
        principalType: "ServicePrincipal",
        scope: "workspaces/ws-ci",
      });
      const sentToArm = JSON.stringify(mocks.ofType(ROLE_ASSIGNMENT).map((r) => r.inputs));
      expect(sentToArm).to.not.contain(SYNAPSE_ADMINISTRATOR);
    });

    it("uses object ids from the spec without looking anything up", async () => {
      const { mocks } = await connect(
        preview,
        rawSpec((raw) => {
          raw.principals.customerInsights = { objectId: "c3c3c3c3-0000-4000-8000-00000000000c" };
          raw.principals.administrator = { objectId: "a3a3a3a3-0000-4000-8000-00000000000a" };
        }),
      );
      const tokens = mocks.invokes.map((i) => i.token);
      expect(tokens).to.not.include("azuread:index/getServicePrincipal:getServicePrincipal");
      expect(tokens).to.not.include("azuread:index/getUser:getUser");
      const principals = new Set(assignments(mocks).map((a) => a.principalId));
      expect([...principals]).to.include.members([
        "c3c3c3c3-0000-4000-8000-00000000000c",
        "a3a3a3a3-0000-4000-8000-00000000000a",
      ]);
      expect([...principals]).to.not.include(CI);
    });

    it("declares the Customer Insights service principal in the tenant when asked to, and grants to it", async () => {
      const tenantWithoutIt = defaultWorld();
      tenantWithoutIt.servicePrincipals = {};
      const { mocks } = await connect(
        preview,
        rawSpec((raw) => (raw.principals.customerInsights = { createIfMissing: true })),
        tenantWithoutIt,
      );
      const sp = mocks.ofType("azuread:index/servicePrincipal:ServicePrincipal");
      expect(sp).to.have.length(1);
      expect(sp[0].inputs).to.deep.include({
        clientId: "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff",
        useExisting: true,
      });
      const created = tenantWithoutIt.createdServicePrincipalObjectId;
      expect(assignments(mocks).filter((a) => a.principalId === created)).to.have.length(2);
      expect(mocks.ofType(SYNAPSE_ROLE_ASSIGNMENT)[0].inputs.principalId).to.equal(created);
    });

    it("reads the subscription from Azure when the spec does not give it", async () => {
      const { mocks } = await connect(
        preview,
        rawSpec((raw) => delete raw.connection.subscriptionId),
      );
      expect(mocks.invokes.map((i) => i.token)).to.include(
        "azure-native:authorization:getClientConfig",
      );
      for (const a of assignments(mocks))
        expect(a.roleDefinitionId.startsWith(`${SUB}/providers/`)).to.equal(true);
    });

    it("exposes what the export database needs: endpoints, names and the assignments to wait for", async () => {
      const { result } = await connect(preview);
      const value = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply(r));
      expect(await value(result.workspace.serverlessSqlEndpoint)).to.equal(
        "ws-ci-ondemand.sql.azuresynapse.net",
      );
      expect(await value(result.workspace.name)).to.equal("ws-ci");
      expect(await value(result.storage.dfsEndpoint)).to.equal(
        "https://stciexport.dfs.core.windows.net/",
      );
      expect(await value(result.storage.containerName)).to.equal("ci-export");
      expect(result.permissions.resources).to.have.length(8);
    });
  });
}

describe("ExportConnection refuses a spec that validation would refuse", () => {
  it("refuses without consent, naming the field, even when TypeScript types were bypassed", async () => {
    const spec = rawSpec((raw) => (raw.connection.dataPrivacyConsent = false));
    let thrown: any;
    const { mocks } = await deploy(
      () => {
        try {
          new components.ExportConnection("ci", { spec, baseDir: "/specs" });
        } catch (err) {
          thrown = err;
        }
      },
      { preview: false },
    );
    expect(thrown, "no error thrown").to.be.instanceOf(Error);
    expect(thrown.name).to.equal("SpecError");
    expect(thrown.message).to.contain("connection.dataPrivacyConsent");
    expect(thrown.message).to.contain("I agree");
    // Pulumi prints RunErrors without a stack trace.
    expect(pulumi.RunError.isInstance(thrown)).to.equal(true);
    expect(mocks.resources, "nothing may be registered").to.deep.equal([]);
  });

  it("lists every error at once with its field path", async () => {
    const spec = rawSpec((raw) => {
      raw.connection.dataPrivacyConsent = "yes";
      raw.export.databaseName = "master";
      raw.connection.storage.accountName = "Not_Valid";
    });
    let thrown: any;
    try {
      new components.ExportConnection("ci", { spec });
    } catch (err) {
      thrown = err;
    }
    expect(thrown, "no error thrown").to.be.instanceOf(Error);
    expect(thrown.issues.map((i: { path: string }) => i.path)).to.include.members([
      "connection.dataPrivacyConsent",
      "export.databaseName",
      "connection.storage.accountName",
    ]);
    for (const path of [
      "connection.dataPrivacyConsent",
      "export.databaseName",
      "connection.storage.accountName",
    ]) {
      expect(thrown.message).to.contain(path);
    }
  });
});
