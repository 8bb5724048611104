import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { setAzureCredential } from "../../src/engine/azureCredential";
import { synapseRoleAssignmentProvider as provider } from "../../src/providers/synapseRoleAssignment";
import { SynapseRbacTestServer } from "../servers/synapseRbacServer";
import { testCredential } from "../servers/testTokens";

// Pulumi's own marker for a value known only at deploy time.
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

async function checked(news: Record<string, unknown>) {
  const result = await provider.check!({}, news);
  expect(result.failures ?? [], JSON.stringify(result.failures)).to.deep.equal([]);
  return result.inputs as Record<string, unknown>;
}

// The rules themselves are tested as plain calls in test/plan/synapseRoleAssignmentInputs.test.ts; this
// checks that the provider applies them, loaded from src/plan as the provider host loads them.
describe("SynapseRoleAssignment provider: check and diff", () => {
  it("applies the plan's input rules: defaults, refusals named by property, unknowns passed through", async () => {
    const ok = await provider.check!({}, args({ principalId: CI_PRINCIPAL.toUpperCase() }));
    expect(ok.failures).to.deep.equal([]);
    expect(ok.inputs).to.include({
      endpoint: "https://contoso-syn.dev.azuresynapse.net",
      principalId: CI_PRINCIPAL,
    });
    const bad = await provider.check!({}, args({ principalType: "Application" }));
    expect(bad.failures?.map((f) => f.property)).to.deep.equal(["principalType"]);
    const unknown = await provider.check!({}, args({ principalId: UNKNOWN }));
    expect(unknown.inputs.principalId).to.equal(UNKNOWN);
    const diff = await provider.diff!("id", ok.inputs, unknown.inputs);
    expect(diff).to.deep.equal({
      changes: true,
      replaces: ["principalId"],
      deleteBeforeReplace: true,
    });
  });
});

describe("SynapseRoleAssignment provider: lifecycle against a loopback Synapse", () => {
  let server: SynapseRbacTestServer;

  beforeEach(async () => {
    server = await SynapseRbacTestServer.start({ pageSize: 2 });
    // The strict server checks the token's audience (https://dev.azuresynapse.net).
    setAzureCredential(testCredential());
  });

  afterEach(async () => {
    setAzureCredential(undefined);
    await server.close();
  });

  const inputs = (extra: Record<string, unknown> = {}) =>
    checked(args({ endpoint: server.endpoint, ...extra }));

  it("creates the assignment under its deterministic id and reports what it did", async () => {
    const created = await provider.create(await inputs());

    // From Python's uuid module, not roleAssignmentGuid (scope|principal|role, lower-cased):
    //   python3 -c 'import uuid; print(uuid.uuid5(uuid.UUID("6f0d1c2e-8a47-5b39-9d1e-3c2b7a5e4f10"),
    //     "workspaces/contoso-syn|0d7a4d8e-51b1-4c55-9a53-3e1f3f0a2b11|6e4bf58a-b8e1-4cc3-bbf9-d73143322b78"))'
    const expectedId = "98f309a2-e836-559a-a81c-ee8c9af7cab7";
    expect(created.id).to.equal(expectedId);
    expect(created.outs).to.include({
      assignmentId: expectedId,
      adopted: false,
      scope: "workspaces/contoso-syn",
      principalType: "ServicePrincipal",
    });
    expect(server.requestsOf("PUT")[0].body).to.deep.equal({
      roleId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: "workspaces/contoso-syn",
      principalType: "ServicePrincipal",
    });
  });

  // A role, scope or principal of its own gives an assignment of its own. Ids from Python's uuid module,
  // as above (scope|principal|role, lower-cased, in namespace 6f0d1c2e-8a47-5b39-9d1e-3c2b7a5e4f10).
  for (const c of [
    {
      differs: "only in role (Synapse SQL Administrator)",
      extra: {
        roleId: "7af0c69a-a548-47d6-aea3-d00e69bd83aa",
        roleName: "Synapse SQL Administrator",
      },
      id: "31f504c8-055e-5a9d-a419-a466350fceb9",
    },
    {
      differs: "only in scope (the workspace identity's credential)",
      extra: { scope: "workspaces/contoso-syn/credentials/WorkspaceSystemIdentity" },
      id: "9d4d4b73-03e3-5a6d-86d4-58ed7274db91",
    },
    {
      differs: "only in principal",
      extra: { principalId: OTHER_PRINCIPAL },
      id: "34e4e15d-5cc3-5aa9-bcfb-cecf5cc27470",
    },
  ]) {
    it(`creates an assignment that differs ${c.differs} under an id of its own`, async () => {
      const created = await provider.create(await inputs(c.extra));
      expect(created.id).to.equal(c.id);
      expect(server.requestsOf("PUT").map((r) => r.path)).to.deep.equal([
        `/roleAssignments/${c.id}`,
      ]);
    });
  }

  it("adopts an assignment that is already there (PUT answers 409), owning nothing", async () => {
    const theirs = server.seed({
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: "workspaces/contoso-syn",
      principalType: "ServicePrincipal",
    });

    const created = await provider.create(await inputs());

    expect(created.id).to.equal(theirs.id);
    expect(created.outs).to.include({ assignmentId: theirs.id, adopted: true, owned: false });
    expect(server.requestsOf("PUT").map((r) => r.status)).to.deep.equal([409]);
  });

  it("leaves an adopted assignment made outside the stack on delete, and removes its own", async () => {
    const theirs = server.seed({
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: "workspaces/contoso-syn",
      principalType: "ServicePrincipal",
    });
    const adopted = await provider.create(await inputs());
    await provider.delete!(adopted.id, adopted.outs);
    expect(server.requestsOf("DELETE")).to.have.length(0);
    expect(server.assignments.has(theirs.id)).to.equal(true);

    server.assignments.delete(theirs.id);
    const ours = await provider.create(await inputs());
    await provider.delete!(ours.id, ours.outs);
    expect(server.assignments.has(ours.id)).to.equal(false);
  });

  it("updates a label without calling Synapse", async () => {
    const started = Date.now();
    const created = await provider.create(await inputs());
    expect(Date.parse(created.outs.madeAt)).to.be.within(started, Date.now());
    const before = server.requests.length;

    const updated = await provider.update!(
      created.id,
      created.outs,
      await inputs({ purpose: "Reworded." }),
    );

    expect(updated.outs).to.include({
      purpose: "Reworded.",
      assignmentId: created.id,
      adopted: false,
      // Not made again: its grant's wait does not start over.
      madeAt: created.outs.madeAt,
    });
    expect(server.requests.length).to.equal(before);
  });

  it("refreshes from the service: unchanged, drifted, and gone", async () => {
    const created = await provider.create(await inputs());

    const same = await provider.read!(created.id, created.outs);
    expect(same.id).to.equal(created.id);
    expect(same.props).to.deep.include({
      principalId: CI_PRINCIPAL,
      principalType: "ServicePrincipal",
    });

    // principalType null on the service (Azure/azure-cli#22078) is recorded as the service's value, not
    // as an input: a replacement would adopt the same assignment again and never settle.
    server.assignments.get(created.id)!.principalType = null;
    const drifted = await provider.read!(created.id, created.outs);
    expect(drifted.props).to.include({
      servicePrincipalType: null,
      principalType: "ServicePrincipal",
    });
    const diff = await provider.diff!(created.id, drifted.props!, await inputs());
    expect(diff.replaces).to.deep.equal([]);

    server.assignments.delete(created.id);
    expect((await provider.read!(created.id, created.outs)).id).to.equal("");
  });

  it("keeps on refresh an adopted assignment whose id it could not read, and learns the id once it may list", async () => {
    // Someone else's assignment (Azure/azure-cli#25790: an Owner may write assignments yet not list them).
    const theirs = server.seed({
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: "workspaces/contoso-syn",
      principalType: "ServicePrincipal",
    });
    server.refuseLists = true;
    const created = await provider.create(await inputs());
    // The deterministic id from Python's uuid5 (see the first lifecycle test), not the assignment's.
    const ours = "98f309a2-e836-559a-a81c-ee8c9af7cab7";
    expect(created.outs).to.include({
      assignmentId: ours,
      adopted: true,
      owned: false,
      idKnown: false,
    });

    // Refresh while listing is still refused: a GET of our id would answer 404 (nothing has that id),
    // which is not "gone"; the state stays as it is, and no GET of our id is sent.
    const before = server.requests.length;
    const kept = await provider.read!(created.id, created.outs);
    expect(kept).to.deep.equal({ id: created.id, props: created.outs });
    expect(
      server.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`),
    ).to.deep.equal(["GET /roleAssignments 403"]);
    // A state written before idKnown existed is recognised by its facts too.
    const { idKnown: _omitted, ...oldState } = created.outs as Record<string, unknown>;
    expect((await provider.read!(created.id, oldState)).id).to.equal(created.id);

    // Once it may list, the refresh finds the assignment by role, principal and scope.
    server.refuseLists = false;
    const learnt = await provider.read!(created.id, created.outs);
    expect(learnt.id).to.equal(created.id);
    expect(learnt.props).to.include({
      assignmentId: theirs.id,
      idKnown: true,
      adopted: true,
      owned: false,
    });
    // From then on it is read by its own id, and delete still leaves it.
    expect((await provider.read!(created.id, learnt.props)).props).to.include({
      assignmentId: theirs.id,
    });
    await provider.delete!(created.id, learnt.props!);
    expect(server.assignments.has(theirs.id)).to.equal(true);

    // Gone for real: the look-up answers and finds nothing.
    server.assignments.delete(theirs.id);
    expect((await provider.read!(created.id, created.outs)).id).to.equal("");
  });

  it("deletes the assignment, and succeeds when it is already gone", async () => {
    const created = await provider.create(await inputs());

    await provider.delete!(created.id, created.outs);
    expect(server.assignments.size).to.equal(0);

    await provider.delete!(created.id, created.outs);
    expect(server.requestsOf("DELETE").map((r) => r.status)).to.deep.equal([204, 404]);
  });

  it("fails create with the service's reason and the fix, and leaves nothing behind", async () => {
    // A permanent refusal, so the shipped retry defaults (which the provider uses) end the call at once.
    server.failAlways(
      { kind: "status", status: 400, code: "BadRequest", message: "Scope is locked." },
      { method: "PUT" },
    );

    let message = "";
    try {
      await provider.create(await inputs());
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message)
      .to.contain('Synapse workspace "contoso-syn"')
      .and.contain('"Synapse Administrator"')
      .and.contain("Scope is locked");
    expect(server.assignments.size).to.equal(0);
  });

  it("still works after Pulumi serializes it and loads it elsewhere, as the provider host does", async () => {
    const serialized = await pulumi.runtime.serializeFunction(() => provider, {
      allowSecrets: true,
    });
    // No token issued before serializing was captured: every test token starts with this header.
    const token = (await testCredential().getToken("https://dev.azuresynapse.net/.default"))!.token;
    const header = token.split(".")[0];
    expect(header).to.have.length.greaterThan(8);
    expect(serialized.text).not.to.contain(header);
    const requireFromString = require(
      require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] }),
    ) as (code: string) => { handler: () => pulumi.dynamic.ResourceProvider };
    const revived = requireFromString(serialized.text).handler();

    const checkedInputs = (await revived.check!({}, args({ endpoint: server.endpoint }))).inputs;
    const created = await revived.create(checkedInputs);
    expect(server.assignments.has(created.id)).to.equal(true);
    await revived.delete!(created.id, created.outs);
    expect(server.assignments.size).to.equal(0);
  });
});
