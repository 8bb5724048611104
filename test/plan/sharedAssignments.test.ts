// Grants of one role to one principal at one scope are one Azure role assignment (ARM keeps one per
// role, principal and scope: RoleAssignmentExists). Two grants for it would be two Pulumi resources
// owning the same assignment, and removing one entry (a contributor dropped, `usableBy` back to
// administrators only) would delete the other's access with it; so the spec refuses them, naming
// the entry and what to change.

import { expect } from "chai";
import { validateSpec } from "../../src/spec";
import { planGrants } from "../../src/plan/grants";
import { validRawSpec } from "../helpers/specs";

const GROUP = "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60";
const ADMIN = "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a";

function validated(mutate: (raw: Record<string, any>) => void) {
  const raw = validRawSpec();
  raw.connection.usableBy = "administrators-and-contributors";
  mutate(raw);
  return validateSpec(raw, "/base");
}

describe("principal entries that would share one Azure role assignment", () => {
  it("refuses a contributor who is also a reader when both data roles are on the container", () => {
    const { spec, issues } = validated((raw) => {
      raw.connection.dataRoleScope = "container";
      raw.principals.readers = [{ objectId: GROUP, type: "Group", name: "analysts" }];
      raw.principals.contributors = [{ objectId: GROUP.toUpperCase(), type: "Group" }];
    });
    expect(spec).to.equal(undefined);
    expect(issues).to.deep.equal([
      {
        path: "principals.contributors[0].objectId",
        message:
          "is also principals.readers[0], whose Storage Blob Data Reader on the container is the contributor's too: Azure keeps one role assignment for both, and removing either entry would remove the other's access. List it in one of the two, or set connection.dataRoleScope: storageAccount (the reader's role is then on the account, the contributor's on the container: two assignments)",
      },
    ]);
  });

  it("accepts the same principal as reader and contributor when the reader's role is on the account: two assignments", () => {
    const { spec, issues } = validated((raw) => {
      raw.principals.readers = [{ objectId: GROUP, type: "Group", name: "analysts" }];
      raw.principals.contributors = [{ objectId: GROUP, type: "Group" }];
    });
    expect(issues).to.deep.equal([]);
    const mine = planGrants(spec!).filter((g) => g.principalId === GROUP);
    const assignments = mine.map((g) => `${g.role} on ${g.scope}`);
    expect(assignments).to.deep.equal([
      "Storage Blob Data Reader on storageAccount",
      "Reader on workspaceResourceGroup",
      "Storage Blob Data Reader on container",
    ]);
    expect(new Set(assignments).size).to.equal(assignments.length);
  });

  it("refuses the administrator, given by object id, listed as a contributor", () => {
    const { issues } = validated((raw) => {
      raw.principals.administrator = { objectId: ADMIN };
      raw.principals.contributors = [{ objectId: ADMIN, type: "User" }];
    });
    expect(issues.map((i) => i.path)).to.deep.equal(["principals.contributors[0].objectId"]);
    expect(issues[0].message).to.match(
      /^is the administrator \(principals\.administrator\.objectId\)/,
    );
  });

  it("refuses the Customer Insights service principal, given by object id, listed as a contributor", () => {
    const { issues } = validated((raw) => {
      raw.principals.customerInsights = { objectId: GROUP };
      raw.principals.contributors = [{ objectId: GROUP, type: "ServicePrincipal" }];
    });
    expect(issues.map((i) => i.path)).to.deep.equal(["principals.contributors[0].objectId"]);
    expect(issues[0].message).to.match(/^is the Customer Insights service principal/);
  });

  it("checks nothing on a connection usable by administrators only, where contributors get no grant", () => {
    const { issues } = validated((raw) => {
      raw.connection.usableBy = "administrators";
      raw.principals.administrator = { objectId: ADMIN };
      raw.principals.contributors = [{ objectId: ADMIN, type: "User" }];
    });
    expect(issues).to.deep.equal([]);
  });

  it("gives every grant of the plan its own (role, principal, scope)", () => {
    const { spec } = validated((raw) => {
      raw.principals.administrator = { objectId: ADMIN };
      raw.principals.contributors = [{ objectId: GROUP, type: "Group" }];
    });
    const keys = planGrants(spec!)
      .filter((g) => g.principalId !== null)
      .map((g) => `${g.role}|${g.principalId}|${g.scope}`);
    expect(new Set(keys).size).to.equal(keys.length);
  });
});
