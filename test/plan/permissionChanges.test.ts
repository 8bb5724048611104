// permissionChanges over `pulumi preview --json` documents, in process (the CLI tests run it through
// a child process, which the mutation run cannot see). Expected rows are read off the fixture by hand:
// test/fixtures/preview/grants-changed.json has a reader added and one removed (ARM), a Synapse
// assignment added, one replaced over three steps (replace, create-replacement, delete-replaced),
// the workspace identity's ARM grant replaced and the administrator's updated, beside a storage
// account that is the same.

import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { permissionChanges, type PermissionChange } from "../../src/plan/permissionDiff";

const FIXTURES = path.resolve(__dirname, "../../../test/fixtures/preview");
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));

const row = (c: PermissionChange) =>
  [c.change, c.plane, c.role, c.principalId, c.principalType, c.before?.principalId ?? "-"].join(
    " | ",
  );

describe("permission changes read from a preview", () => {
  it("lists each changed grant once, in the preview's order, with what it was before", () => {
    expect(permissionChanges(load("grants-changed.json")).map(row)).to.deep.equal([
      "added | arm | Storage Blob Data Reader | dddddddd-0000-0000-0000-000000000004 | User | -",
      "added | synapse | Synapse Administrator | aaaaaaaa-0000-0000-0000-000000000009 | ServicePrincipal | -",
      "removed | arm | Storage Blob Data Reader | eeeeeeee-0000-0000-0000-000000000005 | Group | -",
      "replaced | synapse | Synapse Administrator | aaaaaaaa-0000-0000-0000-0000000000ff | ServicePrincipal | aaaaaaaa-0000-0000-0000-000000000001",
      "replaced | arm | Storage Blob Data Contributor | bbbbbbbb-0000-0000-0000-000000000002 | ServicePrincipal | bbbbbbbb-0000-0000-0000-000000000002",
      "updated | arm | Reader | cccccccc-0000-0000-0000-000000000003 | User | cccccccc-0000-0000-0000-000000000003",
    ]);
  });

  it("finds nothing in a preview without permission changes", () => {
    expect(permissionChanges(load("no-changes.json"))).to.deep.equal([]);
  });

  it("refuses a document without steps, saying how to make one", () => {
    for (const bad of [{}, null, { steps: "no" }]) {
      expect(() => permissionChanges(bad)).to.throw(
        /^(not a `pulumi preview --json` document: it has no `steps` list|the preview is null).*pulumi preview --json/,
      );
    }
  });

  it("reads the engine's event names (old/new), our own ARM role assignments, and values known only at deploy", () => {
    // What the components create since they adopt existing assignments (src/providers/armRoleAssignment.ts).
    const arm = "pulumi-nodejs:dynamic/synapse-export:ArmRoleAssignment";
    const reader =
      "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    const changes = permissionChanges({
      steps: [
        { op: "same", urn: "u0", new: { type: arm, inputs: { roleDefinitionId: reader } } },
        {
          op: "create",
          urn: "u1",
          new: {
            type: arm,
            inputs: {
              roleDefinitionId: reader,
              // Pulumi's placeholder for a value known only at deploy (sdk/nodejs/runtime/rpc.ts).
              principalId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
              scope: "/s/acc",
              principalType: "Group",
              description: "why",
            },
          },
        },
        {
          op: "delete",
          old: {
            type: "pulumi-nodejs:dynamic:Resource",
            urn: "u2",
            inputs: { roleId: "6e4bf58a-b8e1-4cc3-bbf9-d73143322b78", workspaceName: "ws" },
          },
        },
        { op: "create", urn: "u3", new: { type: "azure-native:storage:StorageAccount" } },
      ],
    });
    expect(changes).to.deep.equal([
      {
        change: "added",
        urn: "u1",
        plane: "arm",
        principalId: "(known after deploy)",
        principalType: "Group",
        roleDefinitionId: reader,
        role: "Storage Blob Data Reader",
        scope: "/s/acc",
        purpose: "why",
        flags: [],
      },
      {
        change: "removed",
        urn: "u2",
        plane: "synapse",
        principalId: "",
        principalType: "",
        roleDefinitionId: "6e4bf58a-b8e1-4cc3-bbf9-d73143322b78",
        role: "Synapse Administrator",
        scope: "workspaces/ws",
        purpose: "",
        flags: [],
      },
    ]);
  });
});
