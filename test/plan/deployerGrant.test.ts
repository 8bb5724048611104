// The deploying identity's own data role (issue 9 item 1): the identity running `pulumi up` and
// `synapse-export run` writes the lake, and Azure's Owner does not imply data access ("The Storage Owner
// role does not imply that a user is also Storage Data Owner", serverless SQL storage access control page).

import { expect } from "chai";
import { validateSpec } from "../../src/spec";
import { planGrants, deployerPrerequisites } from "../../src/plan/grants";
import { validRawSpec } from "../helpers/specs";
import { runCli } from "../helpers/cli";

const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const ACCOUNT = `${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stciexport`;
const CONTAINER = `${ACCOUNT}/blobServices/default/containers/ci-export`;
// Microsoft's id for Storage Blob Data Contributor (built-in roles page), written out independently.
const BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

function specWith(mutate: (raw: Record<string, any>) => void) {
  const raw = validRawSpec();
  mutate(raw);
  const result = validateSpec(raw, "/base");
  expect(result.issues).to.deep.equal([]);
  return result.spec!;
}

const deployerGrants = (mutate: (raw: Record<string, any>) => void = () => {}) =>
  planGrants(specWith(mutate)).filter((g) => g.principal === "deployer");

describe("the deployer's grant", () => {
  for (const [dataRoleScope, scope, scopeId] of [
    ["storageAccount", "storageAccount", ACCOUNT],
    ["container", "container", CONTAINER],
  ] as const) {
    it(`is Storage Blob Data Contributor at the data scope (${dataRoleScope}), its id known only at deploy time`, () => {
      expect(deployerGrants((raw) => (raw.connection.dataRoleScope = dataRoleScope))).to.deep.equal(
        [
          {
            key: `deployer-storage-blob-data-contributor-on-${scope === "container" ? "container" : "storage-account"}`,
            principal: "deployer",
            principalId: null,
            principalName: "the deploying identity (signed in at deploy time)",
            principalType: null,
            role: "Storage Blob Data Contributor",
            roleDefinitionId: BLOB_DATA_CONTRIBUTOR,
            scope,
            scopeId,
            plane: "arm",
            purpose: `The deploying identity (pulumi up, synapse-export run) writes the export's files to ${scope === "container" ? "the export's container" : "the storage account"}.`,
          },
        ],
      );
    });
  }

  it("uses the object id and type the spec names", () => {
    const [grant] = deployerGrants(
      (raw) =>
        (raw.principals.deployer = {
          objectId: "12121212-0000-4000-8000-000000000012",
          type: "ServicePrincipal",
        }),
    );
    expect(grant).to.deep.include({
      principalId: "12121212-0000-4000-8000-000000000012",
      principalType: "ServicePrincipal",
    });
  });

  it("is left out with principals.deployer: false, and the prerequisites say to grant it elsewhere", () => {
    expect(deployerGrants((raw) => (raw.principals.deployer = false))).to.deep.equal([]);
    const notes = deployerPrerequisites(specWith((raw) => (raw.principals.deployer = false)));
    expect(notes.join("\n"))
      .to.contain("principals.deployer is false")
      .and.contain("Owner does not imply data access");
  });

  it("refuses principals.deployer: true and a deployer without its type, naming the field", () => {
    for (const [deployer, path] of [
      [true, "principals.deployer"],
      [{ objectId: "12121212-0000-4000-8000-000000000012" }, "principals.deployer.type"],
    ] as const) {
      const raw = validRawSpec();
      raw.principals.deployer = deployer;
      const result = validateSpec(raw, "/base");
      expect(result.spec).to.equal(undefined);
      expect(result.issues.map((i) => i.path)).to.include(path);
    }
  });

  it("states the deployer's Synapse Administrator as a prerequisite naming the workspace, not as a grant", () => {
    const spec = specWith(() => {});
    expect(
      planGrants(spec).filter((g) => g.principal === "deployer" && g.plane === "synapse"),
    ).to.deep.equal([]);
    expect(deployerPrerequisites(spec)[0])
      .to.contain('Synapse Administrator role on workspace "ws-ci"')
      .and.contain("a prerequisite, not a grant");
  });

  it("names the Microsoft Graph reads the deploy makes, and none when the spec gives every object id and name", () => {
    const lookedUp = deployerPrerequisites(
      specWith((raw) => {
        raw.principals.customerInsights = {};
        raw.principals.administrator = { userPrincipalName: "admin@contoso.com" };
      }),
    ).join("\n");
    expect(lookedUp)
      .to.contain("the Customer Insights service principal by its app id (Application.Read.All)")
      .and.contain("the administrator by user principal name (User.Read.All)");
    const given = deployerPrerequisites(
      specWith((raw) => {
        raw.principals.customerInsights = { objectId: "12121212-0000-4000-8000-000000000013" };
        raw.principals.administrator = { objectId: "12121212-0000-4000-8000-000000000014" };
        raw.principals.readers = raw.principals.readers.map((r: any) => ({
          ...r,
          name: r.name ?? "x",
        }));
      }),
    ).join("\n");
    expect(given).to.not.contain("Microsoft Graph");
  });

  it("asks for Contributor where the stack creates the storage account", () => {
    const notes = deployerPrerequisites(
      specWith((raw) => (raw.connection.storage.create = { location: "westeurope" })),
    ).join("\n");
    expect(notes).to.contain(
      "The deploying identity needs Contributor (or Owner) on the resource group of the new storage account, to create it.",
    );
    expect(deployerPrerequisites(specWith(() => {})).join("\n")).to.not.contain(
      "Contributor (or Owner)",
    );
  });

  it("is listed by `plan --json` with principal deployer and principalId null, beside the prerequisites", async () => {
    const r = await runCli(["plan", "stacks/customer-insights.spec.yaml", "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const plan = JSON.parse(r.stdout);
    const deployer = plan.grants.filter((g: any) => g.principal === "deployer");
    expect(deployer).to.have.length(1);
    expect(deployer[0]).to.include({
      principalId: null,
      role: "Storage Blob Data Contributor",
      roleDefinitionId: BLOB_DATA_CONTRIBUTOR,
    });
    expect(plan.prerequisites.join("\n")).to.contain("Synapse Administrator");
  });
});

describe("`synapse-export plan` (text)", () => {
  it("lists the deployer's prerequisites apart from the grants", async () => {
    const r = await runCli(["plan", "stacks/customer-insights.spec.yaml"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(
      "Prerequisites of the deploying identity (not granted by the stack):",
    );
    expect(r.stdout).to.match(
      / {2}- The deploying identity needs the Synapse Administrator role on workspace "/,
    );
  });
});
