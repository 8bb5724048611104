// Grants of one role to one principal at one scope are one Azure role assignment (ARM keeps one per
// role, principal and scope: RoleAssignmentExists). Two grants for it would be two Pulumi resources
// owning the same assignment, and removing one (a contributor dropped, `usableBy` back to
// administrators only) would delete the other's access with it.

import { expect } from "chai";
import { validateSpec } from "../../src/spec";
import { planGrants } from "../../src/plan/grants";
import { validRawSpec } from "../helpers/specs";

const GROUP = "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60";
const ADMIN = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a";

function grantsOf(mutate: (raw: Record<string, any>) => void) {
  const raw = validRawSpec();
  raw.connection.usableBy = "administrators-and-contributors";
  mutate(raw);
  const result = validateSpec(raw, "/base");
  expect(result.issues).to.deep.equal([]);
  return planGrants(result.spec!);
}

/** Role and scope of each grant of a principal, to compare as a user reads `synapse-export plan`. */
const of = (grants: ReturnType<typeof planGrants>, id: string) =>
  grants
    .filter((g) => g.principalId?.toLowerCase() === id)
    .map((g) => `${g.principal}: ${g.role} on ${g.scope}`);

describe("grants that are one Azure role assignment", () => {
  it("a reader who is also a contributor has one Storage Blob Data Reader on the container, for both reasons", () => {
    const grants = grantsOf((raw) => {
      raw.connection.dataRoleScope = "container";
      raw.principals.readers = [{ objectId: GROUP, type: "Group", name: "analysts" }];
      raw.principals.contributors = [{ objectId: GROUP.toUpperCase(), type: "Group" }];
    });
    expect(of(grants, GROUP)).to.deep.equal([
      "reader: Storage Blob Data Reader on container",
      "contributor: Reader on workspaceResourceGroup",
    ]);
    const blob = grants.find((g) => g.principalId === GROUP && g.scope === "container")!;
    expect(blob.purpose).to.include("Reader queries the exported data");
    expect(blob.purpose).to.include(
      "Contributor on the shared connection queries what the export wrote",
    );
  });

  it("on the storage account the reader's and the contributor's data roles are two assignments, kept apart", () => {
    const grants = grantsOf((raw) => {
      raw.principals.readers = [{ objectId: GROUP, type: "Group", name: "analysts" }];
      raw.principals.contributors = [{ objectId: GROUP, type: "Group" }];
    });
    expect(of(grants, GROUP)).to.deep.equal([
      "reader: Storage Blob Data Reader on storageAccount",
      "contributor: Reader on workspaceResourceGroup",
      "contributor: Storage Blob Data Reader on container",
    ]);
  });

  it("an administrator given by object id who is also a contributor has one Reader on the resource group", () => {
    const grants = grantsOf((raw) => {
      raw.principals.administrator = { objectId: ADMIN };
      raw.principals.contributors = [{ objectId: ADMIN, type: "User" }];
    });
    expect(of(grants, ADMIN)).to.deep.equal([
      "administrator: Reader on workspaceResourceGroup",
      "administrator: Storage Blob Data Contributor on storageAccount",
      "contributor: Storage Blob Data Reader on container",
    ]);
  });

  it("the deploying identity named as the administrator keeps its own grant, which adopts the administrator's", () => {
    const grants = grantsOf((raw) => {
      raw.principals.administrator = { objectId: ADMIN };
      raw.principals.deployer = { objectId: ADMIN, type: "User" };
    });
    expect(of(grants, ADMIN)).to.deep.equal([
      "administrator: Reader on workspaceResourceGroup",
      "administrator: Storage Blob Data Contributor on storageAccount",
      "deployer: Storage Blob Data Contributor on storageAccount",
    ]);
  });
});
