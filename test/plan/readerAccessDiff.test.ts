// A change of readers shows in `pulumi preview` as an update of the export database (whose update
// creates the new readers' logins and users and drops the users of removed ones), never a replacement.

import { expect } from "chai";
import { diffExportDatabase, type ExportDatabaseInputs } from "../../src/plan/exportResources";
import type { Spec } from "../../src/spec/types";
import { makeSpec } from "../engine/support/fixtures";

const ANALYSTS = {
  objectId: "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60",
  type: "Group",
  name: "analysts",
} as const;
const ADA = {
  objectId: "0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f",
  type: "User",
  name: "ada@contoso.com",
} as const;

function inputs(readers: Spec["principals"]["readers"]): ExportDatabaseInputs {
  const spec = makeSpec("/specs", []);
  spec.principals.readers = readers;
  return { target: { kind: "azure" }, spec };
}

describe("the export database's diff when readers change", () => {
  it("updates, without replacing, when a reader is removed or added", () => {
    expect(diffExportDatabase(inputs([ANALYSTS, ADA]), inputs([ANALYSTS]))).to.deep.equal({
      changes: true,
      replaces: [],
    });
    expect(diffExportDatabase(inputs([ANALYSTS]), inputs([ANALYSTS, ADA]))).to.deep.equal({
      changes: true,
      replaces: [],
    });
  });

  it("updates when a reader's login name changes, and shows no change for the same readers", () => {
    expect(
      diffExportDatabase(inputs([ANALYSTS]), inputs([{ ...ANALYSTS, name: "data-analysts" }]))
        .changes,
    ).to.equal(true);
    expect(diffExportDatabase(inputs([ANALYSTS, ADA]), inputs([ANALYSTS, ADA])).changes).to.equal(
      false,
    );
  });
});
