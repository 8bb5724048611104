// The rules of one Synapse role assignment's inputs (check and diff), as plain calls: the provider
// applies them unchanged (src/providers/synapseRoleAssignment.ts). Expected values are the service's
// rules written out (workspace names, GUIDs, Microsoft's built-in role ids), not read from the code.

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { ROLES } from "../../src/plan/roles";
import {
  checkRoleAssignmentInputs,
  diffRoleAssignmentInputs,
} from "../../src/plan/synapseRoleAssignmentInputs";
import { PULUMI_UNKNOWN, isPulumiUnknown } from "../../src/plan/pulumiUnknown";

// Pulumi's own marker for a value known only at deploy time, from its runtime (not our copy).
const UNKNOWN = pulumi.runtime.unknownValue;
// Microsoft's built-in id, written out so a wrong entry in the role table fails here too.
const SYNAPSE_ADMIN = "6e4bf58a-b8e1-4cc3-bbf9-d73143322b78";
const CI_PRINCIPAL = "0d7a4d8e-51b1-4c55-9a53-3e1f3f0a2b11";
const OTHER_PRINCIPAL = "5b2c0a8f-7e0b-4f4e-8d7c-6a1b2c3d4e5f";

const args = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  workspaceName: "contoso-syn",
  roleId: SYNAPSE_ADMIN,
  roleName: "Synapse Administrator",
  principalId: CI_PRINCIPAL,
  principalType: "ServicePrincipal",
  purpose: "Customer Insights service principal administers the Synapse workspace.",
  ...extra,
});

const provider = {
  check: (_olds: Record<string, unknown>, news: Record<string, unknown>) =>
    checkRoleAssignmentInputs(news, isPulumiUnknown),
  diff: (_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => {
    const { changes, replaces, deleteBeforeReplace } = diffRoleAssignmentInputs(
      olds,
      news,
      isPulumiUnknown,
    );
    return { changes, replaces, deleteBeforeReplace };
  },
};

describe("Pulumi's unknown marker", () => {
  it("is the one the Pulumi runtime uses", () => {
    expect(PULUMI_UNKNOWN).to.equal(pulumi.runtime.unknownValue);
  });
});

async function checked(news: Record<string, unknown>) {
  const result = provider.check({}, news);
  expect(result.failures ?? [], JSON.stringify(result.failures)).to.deep.equal([]);
  return result.inputs as Record<string, unknown>;
}

async function failuresOf(news: Record<string, unknown>) {
  const result = provider.check({}, news);
  return (result.failures ?? []).map((f) => `${f.property}: ${f.reason}`);
}

describe("Synapse role assignment inputs: check and diff", () => {
  it("fills the documented defaults and normalizes GUID case", async () => {
    const inputs = await checked(args({ principalId: CI_PRINCIPAL.toUpperCase() }));
    expect(inputs).to.include({
      endpoint: "https://contoso-syn.dev.azuresynapse.net",
      scope: "workspaces/contoso-syn",
      principalId: CI_PRINCIPAL,
      roleId: SYNAPSE_ADMIN,
    });
  });

  it("refuses what the service would refuse, or what would grant the wrong thing, naming the property", async () => {
    expect(await failuresOf(args({ principalId: "ci-app" }))).to.deep.equal([
      `principalId: principalId must be a GUID (the principal's object id), got "ci-app"`,
    ]);
    expect(await failuresOf(args({ principalType: "Application" }))).to.deep.equal([
      `principalType: principalType must be one of User, Group, ServicePrincipal, got "Application"`,
    ]);
    expect((await failuresOf(args({ workspaceName: "Contoso_Syn" })))[0]).to.match(
      /^workspaceName: "Contoso_Syn" is not a Synapse workspace name/,
    );
    expect(
      (
        await failuresOf(
          args({
            roleId: ROLES["Storage Blob Data Contributor"].id,
            roleName: "Storage Blob Data Contributor",
          }),
        )
      )[0],
    ).to.contain("is an Azure (ARM) role");
    expect(
      await failuresOf(args({ roleId: "7572bffe-f453-4b66-912a-46cc5ef38fda" })),
    ).to.deep.equal([
      `roleId: roleName is "Synapse Administrator", whose id is ${SYNAPSE_ADMIN}, but roleId is 7572bffe-f453-4b66-912a-46cc5ef38fda`,
    ]);
    expect((await failuresOf(args({ scope: "workspaces/other-ws" })))[0]).to.contain(
      'scope "workspaces/other-ws" is not in workspace "contoso-syn"',
    );
    expect((await failuresOf(args({ endpoint: "https://management.azure.com" })))[0]).to.match(
      /^endpoint: .*not through ARM/,
    );
  });

  it("lets values unknown at preview through without failing or inventing defaults from them", async () => {
    const inputs = await checked(args({ workspaceName: UNKNOWN, principalId: UNKNOWN }));
    expect(inputs.principalId).to.equal(UNKNOWN);
    expect(inputs.endpoint).to.equal(undefined);
    expect(inputs.scope).to.equal(undefined);
  });

  it("replaces when the principal changes, deleting the old assignment first", async () => {
    const olds = await checked(args());
    const diff = provider.diff("id", olds, await checked(args({ principalId: OTHER_PRINCIPAL })));
    expect(diff).to.deep.equal({
      changes: true,
      replaces: ["principalId"],
      deleteBeforeReplace: true,
    });
  });

  it("updates in place, without replacing, when only the purpose (or another label) changes", async () => {
    const olds = await checked(args());
    expect(provider.diff("id", olds, await checked(args({ purpose: "Reworded." })))).to.deep.equal({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(
      provider.diff("id", olds, await checked(args({ roleName: "synapse admin label" }))).replaces,
    ).to.deep.equal([]);
  });

  it("sees no change for the same inputs, whatever the GUID case", async () => {
    const olds = await checked(args());
    const diff = provider.diff(
      "id",
      olds,
      await checked(args({ principalId: CI_PRINCIPAL.toUpperCase() })),
    );
    expect(diff.changes).to.equal(false);
  });

  it("replaces for principalType, scope, role and workspace changes", async () => {
    const olds = await checked(args());
    for (const [key, value] of [
      ["principalType", "User"],
      ["scope", "workspaces/contoso-syn/credentials/WorkspaceSystemIdentity"],
      ["roleId", "7af0c69a-a548-47d6-aea3-d00e69bd83aa"],
      ["workspaceName", "fabrikam-syn"],
    ] as const) {
      const news = await checked(
        args({
          [key]: value,
          ...(key === "roleId" ? { roleName: "Synapse SQL Administrator" } : {}),
        }),
      );
      const diff = provider.diff("id", olds, news);
      expect(diff.replaces, key).to.include(key);
      expect(diff.deleteBeforeReplace, key).to.equal(true);
    }
  });

  it("reports a possible replacement, not a crash, when the principal is unknown at preview", async () => {
    const olds = await checked(args());
    const diff = provider.diff("id", olds, await checked(args({ principalId: UNKNOWN })));
    expect(diff).to.deep.equal({
      changes: true,
      replaces: ["principalId"],
      deleteBeforeReplace: true,
    });
  });
});
