import { expect } from "chai";
import { validateSpec } from "../../src/spec";
import { planGrants, type Grant } from "../../src/plan/grants";
import { FORBIDDEN_ROLE_IDS } from "../../src/plan/roles";
import { roleAssignmentGuid, uuidV5 } from "../../src/plan/deterministicGuid";
import { validRawSpec } from "../helpers/specs";

const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const ACCOUNT = `${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stciexport`;
const CONTAINER = `${ACCOUNT}/blobServices/default/containers/ci-export`;
const WORKSPACE_RG = `${SUB}/resourceGroups/rg-analytics`;

function grantsFor(mutate: (raw: Record<string, any>) => void = () => {}): Grant[] {
  const raw = validRawSpec();
  mutate(raw);
  const result = validateSpec(raw, "/base");
  expect(result.issues).to.deep.equal([]);
  return planGrants(result.spec!);
}

const row = (g: Grant) => [g.principal, g.role, g.roleDefinitionId, g.scope, g.plane].join(" | ");

describe("permission plan", () => {
  it("plans exactly the seed's role assignments, with Microsoft's built-in role ids", () => {
    expect(grantsFor().map(row)).to.deep.equal([
      "customerInsights | Storage Blob Data Contributor | ba92f5b4-2d11-453d-a403-e96b0029c9fe | storageAccount | arm",
      "customerInsights | Reader | acdd72a7-3385-48ef-bd42-f606fba81ae7 | workspaceResourceGroup | arm",
      "customerInsights | Synapse Administrator | 6e4bf58a-b8e1-4cc3-bbf9-d73143322b78 | workspace | synapse",
      "administrator | Reader | acdd72a7-3385-48ef-bd42-f606fba81ae7 | workspaceResourceGroup | arm",
      "administrator | Storage Blob Data Contributor | ba92f5b4-2d11-453d-a403-e96b0029c9fe | storageAccount | arm",
      "workspaceIdentity | Storage Blob Data Contributor | ba92f5b4-2d11-453d-a403-e96b0029c9fe | storageAccount | arm",
      "deployer | Storage Blob Data Contributor | ba92f5b4-2d11-453d-a403-e96b0029c9fe | storageAccount | arm",
      "reader | Storage Blob Data Reader | 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1 | storageAccount | arm",
    ]);
  });

  it("gives every grant a principal type, a full scope and a purpose", () => {
    const byKey = Object.fromEntries(grantsFor().map((g) => [g.key, g]));
    expect(
      byKey["customer-insights-storage-blob-data-contributor-on-storage-account"],
    ).to.deep.include({
      principalType: "ServicePrincipal",
      principalId: null,
      scopeId: ACCOUNT,
    });
    expect(byKey["administrator-reader-on-workspace-resource-group"]).to.deep.include({
      principalType: "User",
      principalName: "admin@contoso.com",
      scopeId: WORKSPACE_RG,
    });
    expect(byKey["customer-insights-synapse-administrator-on-workspace"].scopeId).to.equal(
      "workspaces/ws-ci",
    );
    expect(
      byKey["workspace-identity-storage-blob-data-contributor-on-storage-account"].purpose,
    ).to.match(/^Workspace identity writes to storage/);
    const reader =
      byKey[
        "reader-6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60-storage-blob-data-reader-on-storage-account"
      ];
    expect(reader).to.deep.include({ principalType: "Group", principalName: "analysts" });
    for (const g of grantsFor()) expect(g.purpose, g.key).to.have.length.greaterThan(20);
  });

  it("uses known object ids and leaves the others to deploy time", () => {
    const grants = grantsFor((raw) => {
      raw.principals.customerInsights = { objectId: "aaaaaaaa-0000-0000-0000-000000000001" };
      raw.principals.administrator = { objectId: "aaaaaaaa-0000-0000-0000-000000000002" };
    });
    expect(grants.find((g) => g.principal === "customerInsights")!.principalId).to.equal(
      "aaaaaaaa-0000-0000-0000-000000000001",
    );
    expect(grants.find((g) => g.principal === "administrator")!.principalId).to.equal(
      "aaaaaaaa-0000-0000-0000-000000000002",
    );
    expect(grants.find((g) => g.principal === "workspaceIdentity")!.principalId).to.equal(null);
  });

  it("scopes the data roles to the container on request, adding Storage Blob Delegator on the account", () => {
    const grants = grantsFor((raw) => (raw.connection.dataRoleScope = "container"));
    const dataRoles = grants.filter((g) => g.role.startsWith("Storage Blob Data"));
    expect(dataRoles.every((g) => g.scope === "container" && g.scopeId === CONTAINER)).to.equal(
      true,
    );
    const delegator = grants.filter((g) => g.role === "Storage Blob Delegator");
    expect(delegator.map(row)).to.deep.equal([
      "customerInsights | Storage Blob Delegator | db58b8e5-c6ad-4a2a-8342-4190687cbf4a | storageAccount | arm",
    ]);
  });

  it("gives contributors read access only when the connection is shared", () => {
    const contributor = { objectId: "cccccccc-0000-0000-0000-000000000003", type: "User" };
    const notShared = grantsFor((raw) => (raw.principals.contributors = [contributor]));
    expect(notShared.filter((g) => g.principal === "contributor")).to.deep.equal([]);
    const shared = grantsFor((raw) => {
      raw.connection.usableBy = "administrators-and-contributors";
      raw.principals.contributors = [contributor];
    });
    expect(
      shared.filter((g) => g.principal === "contributor").map((g) => `${g.role} on ${g.scope}`),
    ).to.deep.equal(["Reader on workspaceResourceGroup", "Storage Blob Data Reader on container"]);
  });

  it("adds and removes one grant per reader, leaving the others unchanged", () => {
    const before = grantsFor();
    const after = grantsFor((raw) =>
      raw.principals.readers.push({
        objectId: "dddddddd-0000-0000-0000-000000000004",
        type: "User",
      }),
    );
    expect(after.slice(0, before.length)).to.deep.equal(before);
    expect(after.slice(before.length).map((g) => g.principalId)).to.deep.equal([
      "dddddddd-0000-0000-0000-000000000004",
    ]);
    const none = grantsFor((raw) => (raw.principals.readers = []));
    expect(none.filter((g) => g.principal === "reader")).to.deep.equal([]);
  });

  it("never plans a role broader than the seed asks for", () => {
    const all = [
      ...grantsFor(),
      ...grantsFor((raw) => {
        raw.connection.dataRoleScope = "container";
        raw.connection.usableBy = "administrators-and-contributors";
        raw.principals.contributors = [
          { objectId: "cccccccc-0000-0000-0000-000000000003", type: "User" },
        ];
      }),
    ];
    for (const g of all) expect(FORBIDDEN_ROLE_IDS, g.key).not.to.have.property(g.roleDefinitionId);
  });

  it("gives grant keys that are unique, so each becomes its own resource", () => {
    const keys = grantsFor((raw) => (raw.connection.dataRoleScope = "container")).map((g) => g.key);
    expect(new Set(keys).size).to.equal(keys.length);
  });

  // Expected names come from Python's uuid module, not from our uuidV5: for each "scope principal role"
  // line on stdin,
  //   python3 -c 'import sys,uuid; ns=uuid.UUID("6f0d1c2e-8a47-5b39-9d1e-3c2b7a5e4f10");
  //     [print(uuid.uuid5(ns, "|".join(l.lower().split()))) for l in sys.stdin]'
  // (6f0d1c2e-... is SYNAPSE_EXPORT_NAMESPACE; the name is scope|principal|role, lower-cased.)
  const BLOB_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
  const BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
  const NAMED = [
    {
      case: "base",
      scope: ACCOUNT,
      principal: "p1",
      role: BLOB_CONTRIBUTOR,
      name: "15c95a49-51b3-5b5f-8efe-1e2dca728119",
    },
    {
      case: "only the role differs",
      scope: ACCOUNT,
      principal: "p1",
      role: BLOB_READER,
      name: "53eca1a1-2e10-5180-8010-72e35151eff3",
    },
    {
      case: "only the scope differs",
      scope: CONTAINER,
      principal: "p1",
      role: BLOB_CONTRIBUTOR,
      name: "35b6db3c-f968-502b-9870-f6fbb1ba0195",
    },
    {
      case: "only the principal differs",
      scope: ACCOUNT,
      principal: "p2",
      role: BLOB_CONTRIBUTOR,
      name: "6bebe146-d1d9-5ec5-a0c1-f449ddc0f357",
    },
  ];

  for (const c of NAMED) {
    it(`names a role assignment by scope, principal and role: ${c.case}`, () => {
      expect(roleAssignmentGuid(c.scope, c.principal, c.role)).to.equal(c.name);
    });
  }

  it("names role assignments case-insensitively, as Azure compares resource ids and GUIDs", () => {
    expect(
      roleAssignmentGuid(ACCOUNT.toUpperCase(), "P1", "BA92F5B4-2d11-453d-a403-e96b0029c9fe"),
    ).to.equal("15c95a49-51b3-5b5f-8efe-1e2dca728119");
  });

  it("computes RFC 9562 UUID v5 (checked against the RFC's DNS example)", () => {
    // RFC 9562 appendix A.4: v5 of "www.example.com" in the DNS namespace.
    expect(uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).to.equal(
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
  });
});
