// Property tests of the permission review: whatever JSON comes in, it is reviewed or refused with a
// PreviewDocumentError (the CLI's exit 1), never another exception; the rendered review fits any
// width; Pulumi's unknown placeholder never reaches the reader.

import { expect } from "chai";
import fc from "fast-check";
import {
  PreviewDocumentError,
  PULUMI_UNKNOWN,
  reviewPermissions,
} from "../../src/plan/permissionDiff";
import { renderReview } from "../../src/cli/commands/renderReview";

const ARM = "azure-native:authorization:RoleAssignment";
const OPS = [
  "create",
  "delete",
  "replace",
  "create-replacement",
  "delete-replaced",
  "update",
  "same",
  "read",
  "toString",
  "constructor",
  "__proto__",
  "hasOwnProperty",
];

const value = fc.oneof(
  fc.string(),
  fc.constant(PULUMI_UNKNOWN),
  fc.constantFrom(
    "/subscriptions/11111111-2222-3333-4444-555555555555",
    "/providers/Microsoft.Management/managementGroups/mg",
    "/subscriptions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "aaaaaaaa-0000-0000-0000-0000000000ff",
  ),
  fc.anything(),
);

const inputs = fc.dictionary(
  fc.constantFrom(
    "principalId",
    "principalType",
    "roleDefinitionId",
    "scope",
    "description",
    "roleId",
    "roleName",
    "workspaceName",
    "purpose",
    "identity",
    "toString",
  ),
  value,
);

const state = fc.oneof(
  fc.record(
    {
      type: fc.constantFrom(
        ARM,
        "pulumi-nodejs:dynamic:Resource",
        "azure-native:synapse:Workspace",
      ),
      urn: fc.string(),
      inputs,
      outputs: inputs,
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

const step = fc.oneof(
  fc.record(
    {
      op: fc.oneof(fc.constantFrom(...OPS), fc.anything()),
      urn: fc.oneof(
        fc.constantFrom(
          "urn:pulumi:dev::p::a$azure-native:authorization:RoleAssignment::ci-workspace-identity-x",
          "urn:pulumi:dev::p::azure-native:authorization:RoleAssignment::r",
        ),
        fc.anything(),
      ),
      newState: state,
      oldState: state,
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

// Well-formed grants with any strings, unknowns and secrets in their fields: these reach the review.
const text = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.constant(PULUMI_UNKNOWN),
  fc.constant({
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    value: "s",
  }),
  fc.constantFrom(
    "/subscriptions/11111111-2222-3333-4444-555555555555",
    "/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "aaaaaaaa-0000-0000-0000-0000000000ff",
  ),
);
const grantState = fc.record({
  type: fc.constant(ARM),
  inputs: fc.record(
    {
      principalId: text,
      principalType: text,
      roleDefinitionId: text,
      scope: text,
      description: text,
    },
    { requiredKeys: [] },
  ),
});
const grantStep = fc.record(
  {
    op: fc.constantFrom("create", "delete", "replace", "create-replacement", "update", "same"),
    urn: fc.string(),
    newState: grantState,
    oldState: grantState,
  },
  { requiredKeys: ["op", "urn"] },
);

const document = fc.oneof(
  fc.anything(),
  fc.record({ steps: fc.oneof(fc.array(step, { maxLength: 6 }), fc.anything()) }),
  fc.record({ steps: fc.array(grantStep, { maxLength: 6 }) }),
);

describe("the permission review, on any input", () => {
  it("names a role id such as __proto__ as it is, not as a property of Object", () => {
    // The counterexample fast-check found (seed 2084545253): the role name was Object.prototype.
    const review = reviewPermissions({
      steps: [
        {
          op: "create",
          urn: "",
          oldState: { type: ARM, inputs: { roleDefinitionId: "__proto__" } },
        },
      ],
    });
    expect(review.changes.map((c) => c.role)).to.deep.equal(["__proto__"]);
    for (const line of renderReview(review, { wide: false, width: 20 }).split("\n"))
      expect(line.length, line).to.be.at.most(20);
  });

  it("reviews or refuses with a PreviewDocumentError, and its review fits any width", () => {
    let reviewed = 0;
    fc.assert(
      fc.property(document, fc.integer({ min: 20, max: 240 }), (doc, width) => {
        let review;
        try {
          review = reviewPermissions(doc);
        } catch (error) {
          expect(error, String((error as Error)?.stack)).to.be.instanceOf(PreviewDocumentError);
          return;
        }
        if (review.changes.length > 0) reviewed++;
        const text = renderReview(review, { wide: false, width });
        for (const line of text.split("\n")) expect(line.length, line).to.be.at.most(width);
        for (const c of review.changes) {
          for (const field of [c.principalId, c.role, c.roleDefinitionId, c.scope, c.purpose]) {
            expect(field).not.to.equal(PULUMI_UNKNOWN);
          }
        }
        renderReview(review, { wide: true, width });
      }),
      { numRuns: 2000 },
    );
    expect(reviewed, "some documents get as far as a review with changes").to.be.greaterThan(50);
  });
});
