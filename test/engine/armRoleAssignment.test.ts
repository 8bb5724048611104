// ARM role assignments that already exist are adopted, not a 409 (issue 9 item 3), through the
// ArmRoleAssignment provider and the real fetch against a loopback Microsoft.Authorization server.

import { expect } from "chai";
import { setAzureCredential } from "../../src/engine/azureCredential";
import { armRoleAssignmentProvider as provider } from "../../src/providers/armRoleAssignment";
import { ArmRbacTestServer } from "../servers/armRbacServer";
import { testCredential, testToken } from "../servers/testTokens";

const SUB = "11111111-2222-3333-4444-555555555555";
const ACCOUNT = `/subscriptions/${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stciexport`;
// Storage Blob Data Contributor, Microsoft's built-in id.
const BLOB_CONTRIBUTOR = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`;
const WORKSPACE_MI = "3e3e3e3e-0000-4000-8000-000000000003";
// A name of our own, as the plan would give it (any GUID will do: the provider takes it as given).
const OUR_NAME = "0a1b2c3d-4e5f-5a6b-8c7d-8e9fa0b1c2d3";

describe("ArmRoleAssignment provider against a loopback ARM", () => {
  let arm: ArmRbacTestServer;

  beforeEach(async () => {
    arm = await ArmRbacTestServer.start();
    setAzureCredential(testCredential());
  });
  afterEach(async () => {
    setAzureCredential(undefined);
    await arm.close();
  });

  const inputs = (extra: Record<string, unknown> = {}) => ({
    roleAssignmentName: OUR_NAME,
    roleDefinitionId: BLOB_CONTRIBUTOR,
    scope: ACCOUNT,
    principalId: WORKSPACE_MI,
    principalType: "ServicePrincipal",
    description: "Workspace identity writes to storage.",
    armEndpoint: arm.endpoint,
    ...extra,
  });

  it("adopts the assignment Azure made for the workspace identity: no PUT, and destroy leaves it", async () => {
    const azures = arm.seed(ACCOUNT, BLOB_CONTRIBUTOR, WORKSPACE_MI);

    const created = await provider.create(inputs());

    expect(created.id).to.equal(azures.id);
    expect(created.outs).to.include({ adopted: true, owned: false, assignmentId: azures.id });
    expect(arm.requests.filter((r) => r.method === "PUT")).to.deep.equal([]);
    await provider.delete!(created.id, created.outs);
    expect(arm.requests.filter((r) => r.method === "DELETE")).to.deep.equal([]);
    expect(arm.assignments.size).to.equal(1);
  });

  it("makes the deployer's assignment again when the administrator's grant it adopted is replaced", async () => {
    // The deploying identity is the administrator: its grant, made after the administrator's, adopts
    // that assignment (ARM keeps one per role, principal and scope).
    const ADMIN = "4f4f4f4f-0000-4000-8000-000000000004";
    const NEW_ADMIN = "5a5a5a5a-0000-4000-8000-000000000005";
    const adminName = "1b2c3d4e-5f6a-5b7c-8d9e-0f1a2b3c4d5e";
    const admin = await provider.create(
      inputs({ roleAssignmentName: adminName, principalId: ADMIN, principalType: "User" }),
    );
    const deployerInputs = inputs({ principalId: ADMIN, principalType: "User", adoptsFrom: ADMIN });
    const deployer = await provider.create(deployerInputs);
    expect(deployer.outs).to.include({ adopted: true, owned: false });

    // principals.administrator changes: Pulumi replaces the administrator's grant (delete first),
    // which deletes the one assignment, then updates the deployer's, whose adoptsFrom changed.
    await provider.delete!(admin.id, admin.outs);
    expect(arm.assignments.size).to.equal(0);
    const news = { ...deployerInputs, adoptsFrom: NEW_ADMIN };
    const diff = await provider.diff!(deployer.id, deployer.outs, news);
    expect(diff).to.deep.include({ changes: true, replaces: [] });
    const updated = await provider.update!(deployer.id, deployer.outs, news);

    expect(updated.outs).to.include({ adopted: false, owned: true });
    expect(arm.assignments.size).to.equal(1);
    const [left] = [...arm.assignments.values()];
    expect(left.properties.principalId).to.equal(ADMIN);
  });

  it("leaves an owned assignment as it is when only the grants before it change", async () => {
    const before = Date.now();
    const created = await provider.create(inputs({ adoptsFrom: "a" }));
    // When it was made: what the export waits from for it to apply (plan/grantWindow.ts).
    const madeAt = Date.parse(created.outs.madeAt);
    expect(madeAt).to.be.within(before, Date.now());
    const puts = arm.requests.filter((r) => r.method === "PUT").length;
    const updated = await provider.update!(created.id, created.outs, inputs({ adoptsFrom: "b" }));
    expect(updated.outs).to.include({
      owned: true,
      assignmentId: created.outs.assignmentId,
      // Not made again, so not "just made" either.
      madeAt: created.outs.madeAt,
    });
    expect(arm.requests.filter((r) => r.method === "PUT").length).to.equal(puts);
    // A state from before madeAt was recorded: not known, never a made-up time.
    const { madeAt: _none, ...oldState } = created.outs;
    const fromOld = await provider.update!(created.id, oldState, inputs({ adoptsFrom: "b" }));
    expect(fromOld.outs.madeAt).to.equal("");
  });

  it("creates ours under the deterministic name with ARM's body, and deletes it on destroy", async () => {
    const created = await provider.create(inputs());

    const id = `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/${OUR_NAME}`;
    expect(created.id).to.equal(id);
    expect(created.outs).to.include({ adopted: false, owned: true });
    const put = arm.requests.find((r) => r.method === "PUT")!;
    expect(put.path).to.equal(id);
    expect(put.body).to.deep.equal({
      properties: {
        roleDefinitionId: BLOB_CONTRIBUTOR,
        principalId: WORKSPACE_MI,
        principalType: "ServicePrincipal",
        description: "Workspace identity writes to storage.",
      },
    });
    await provider.delete!(created.id, created.outs);
    expect(arm.assignments.size).to.equal(0);
  });

  it("an identical rerun changes nothing: diff is empty, and a re-create recognises ours without a PUT", async () => {
    const first = await provider.create(inputs());
    expect(await provider.diff!(first.id, first.outs, inputs())).to.deep.include({
      changes: false,
      replaces: [],
    });
    const again = await provider.create(inputs());
    expect(again.outs).to.include({ adopted: false, owned: true, assignmentId: first.id });
    expect(arm.requests.filter((r) => r.method === "PUT")).to.have.length(1);
  });

  it("migrating from azure-native's RoleAssignment: an assignment under the deterministic name is recognised as ours, not duplicated", async () => {
    // The old stack's azure-native RoleAssignment made it under the same deterministic name; after
    // `pulumi state delete` of the old resource (Azure untouched), the new resource finds it.
    const old = arm.seed(ACCOUNT, BLOB_CONTRIBUTOR, WORKSPACE_MI, "ServicePrincipal", OUR_NAME);
    const created = await provider.create(inputs());
    expect(created.outs).to.include({ adopted: false, owned: true, assignmentId: old.id });
    expect(arm.requests.filter((r) => r.method === "PUT")).to.deep.equal([]);
    expect(arm.assignments.size).to.equal(1);
  });

  it("adopts an assignment made between its look-up and its PUT (409 RoleAssignmentExists)", async () => {
    // The look-up sees nothing; Azure's assignment lands before the PUT is answered.
    arm.beforeNextPut = () => arm.seed(ACCOUNT, BLOB_CONTRIBUTOR, WORKSPACE_MI);

    const created = await provider.create(inputs());

    expect(created.outs).to.include({ owned: false });
    expect(arm.requests.filter((r) => r.method === "PUT").map((r) => r.status)).to.deep.equal([
      409,
    ]);
    expect(arm.assignments.size).to.equal(1);
  });

  it("adopts a raced assignment that ARM's list shows only a moment later, asking the list again", async () => {
    // Seen by the PUT's 409 at once, by the lists only from their third answer on.
    arm.beforeNextPut = () =>
      arm.seed(ACCOUNT, BLOB_CONTRIBUTOR, WORKSPACE_MI, "ServicePrincipal", undefined, 2);

    const created = await provider.create(inputs());

    expect(created.outs).to.include({ adopted: true, owned: false });
    expect(arm.requests.map((r) => `${r.method} ${r.status}`)).to.deep.equal([
      "GET 200",
      "PUT 409",
      "GET 200",
      "GET 200",
      "GET 200",
    ]);
    expect(arm.assignments.size).to.equal(1);
  });

  it("writes when it may not list, and records a 409 as adopted and not owned, never deleting it", async () => {
    arm.seed(ACCOUNT, BLOB_CONTRIBUTOR, WORKSPACE_MI);
    arm.refuseLists = true;

    const created = await provider.create(inputs());

    expect(created.outs).to.include({ adopted: true, owned: false });
    expect(arm.requests.map((r) => `${r.method} ${r.status}`)).to.deep.equal([
      "GET 403",
      "PUT 409",
    ]);
    await provider.delete!(created.id, created.outs);
    expect(arm.assignments.size).to.equal(1);
  });

  it("keeps on refresh an adopted assignment whose id it could not read, and learns the id once it may list", async () => {
    const azures = arm.seed(ACCOUNT, BLOB_CONTRIBUTOR, WORKSPACE_MI);
    arm.refuseLists = true;
    const created = await provider.create(inputs());
    const ours = `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/${OUR_NAME}`;
    expect(created.outs).to.include({
      assignmentId: ours,
      adopted: true,
      owned: false,
      idKnown: false,
    });

    // A GET of our id would answer 404 (the assignment has Azure's name): not "gone". Still refused to
    // list, the refresh keeps the state as it is and sends no GET of our id.
    const before = arm.requests.length;
    expect(await provider.read!(created.id, created.outs)).to.deep.equal({
      id: created.id,
      props: created.outs,
    });
    expect(arm.requests.slice(before).map((r) => `${r.method} ${r.status}`)).to.deep.equal([
      "GET 403",
    ]);
    expect(arm.requests.some((r) => r.method === "GET" && r.path === ours)).to.equal(false);
    // A state written before idKnown existed is recognised by its facts too.
    const { idKnown: _omitted, ...oldState } = created.outs as Record<string, unknown>;
    expect((await provider.read!(created.id, oldState)).id).to.equal(created.id);

    // Allowed to list again: the refresh finds Azure's assignment and records its id.
    arm.refuseLists = false;
    const learnt = await provider.read!(created.id, created.outs);
    expect(learnt.id).to.equal(created.id);
    expect(learnt.props).to.include({ assignmentId: azures.id, idKnown: true, owned: false });
    expect((await provider.read!(created.id, learnt.props)).props).to.include({
      assignmentId: azures.id,
    });
    await provider.delete!(created.id, learnt.props!);
    expect(arm.assignments.size).to.equal(1);

    // Gone for real: the list answers and holds nothing.
    arm.assignments.clear();
    expect((await provider.read!(created.id, created.outs)).id).to.equal("");
  });

  it("writes when it may not list, and owns the assignment its own name already has (ARM's PUT under the same name is idempotent)", async () => {
    // Ours from an earlier run whose state was lost: the write under our name succeeds, no 409.
    const first = await provider.create(inputs());
    arm.refuseLists = true;

    const again = await provider.create(inputs());

    expect(again.outs).to.include({ adopted: false, owned: true, assignmentId: first.id });
    expect(arm.requests.slice(-2).map((r) => `${r.method} ${r.status}`)).to.deep.equal([
      "GET 403",
      "PUT 200",
    ]);
    expect(arm.assignments.size).to.equal(1);
  });

  it("fails with ARM's reason and the fix when the principal type is wrong", async () => {
    arm.directory.set(WORKSPACE_MI, "ServicePrincipal");
    let message = "";
    let kind: unknown;
    try {
      await provider.create(inputs({ principalType: "User" }));
    } catch (err) {
      message = (err as Error).message;
      kind = (err as { kind?: unknown }).kind;
    }
    expect(message).to.contain("400 UnmatchedPrincipalType").and.contain("as Entra ID knows it");
    expect(kind, "the error keeps its kind through the provider").to.equal("rbac");
    expect(arm.assignments.size).to.equal(0);
  });

  it("assigns a role to a principal made moments ago: the principalType it sends skips ARM's look-up", async () => {
    // A workspace created by the same `pulumi up`: its identity is not replicated in Entra ID yet,
    // and a PUT without principalType would answer 400 PrincipalNotFound.
    arm.replicating.add(WORKSPACE_MI);
    const created = await provider.create(inputs());
    expect(created.outs).to.include({ adopted: false, owned: true });
    const put = arm.requests.find((r) => r.method === "PUT")!;
    expect(put.status).to.equal(201);
    expect(put.body.properties.principalType).to.equal("ServicePrincipal");
  });

  it("waits out ARM's throttling for the Retry-After it gives, then assigns", async () => {
    arm.throttle(1, 1);
    const started = Date.now();
    const created = await provider.create(inputs());
    expect(created.outs).to.include({ owned: true });
    expect(arm.requests[0].status).to.equal(429);
    expect(arm.requests.some((r) => r.method === "PUT" && r.status === 201)).to.equal(true);
    // It waited as long as ARM asked before its next request.
    expect(Date.now() - started).to.be.at.least(950);
  });

  it("is refused with a token for another resource, as ARM refuses it", async () => {
    setAzureCredential({
      getToken: async () => ({
        token: testToken("https://dev.azuresynapse.net", Date.now() + 3600e3),
        expiresOnTimestamp: Date.now() + 3600e3,
      }),
    });
    let message = "";
    try {
      await provider.create(inputs());
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.contain("401 InvalidAuthenticationTokenAudience");
  });

  it("shows in preview (check) which existing assignment `up` will adopt, and none when there is none", async () => {
    const azures = arm.seed(ACCOUNT, BLOB_CONTRIBUTOR, WORKSPACE_MI);
    const adopting = await provider.check!({}, inputs());
    expect(adopting.inputs).to.include({ adoptsExisting: azures.id });
    expect(arm.requests.every((r) => r.method === "GET")).to.equal(true);

    const fresh = await provider.check!(
      {},
      inputs({ principalId: "5b2c0a8f-7e0b-4f4e-8d7c-6a1b2c3d4e5f" }),
    );
    expect(fresh.inputs).to.include({ adoptsExisting: "" });
  });

  it("does not look up again for a resource already in the state, given its old inputs as Pulumi gives them", async () => {
    // Pulumi passes check the old *inputs* (what check returned at create), which carry no outputs
    // such as assignmentId: those are what mark a resource already in the state.
    const azures = arm.seed(ACCOUNT, BLOB_CONTRIBUTOR, WORKSPACE_MI);
    const atCreate = await provider.check!({}, inputs());
    const before = arm.requests.length;

    const again = await provider.check!(atCreate.inputs, inputs());

    expect(again.inputs).to.include({ adoptsExisting: azures.id });
    expect(arm.requests.length).to.equal(before);

    // Another principal is another assignment (a replacement): looked up anew.
    const other = "5b2c0a8f-7e0b-4f4e-8d7c-6a1b2c3d4e5f";
    const replaced = await provider.check!(atCreate.inputs, inputs({ principalId: other }));
    expect(replaced.inputs).to.include({ adoptsExisting: "" });
    expect(arm.requests.length).to.be.greaterThan(before);
  });

  it("previews without credentials: the adoption is left unknown, not a failure", async () => {
    setAzureCredential({
      getToken: async () => {
        throw new Error("CredentialUnavailableError: no credentials here");
      },
    });
    const checked = await provider.check!({}, inputs());
    expect(checked.failures).to.deep.equal([]);
    expect(checked.inputs).not.to.have.property("adoptsExisting");
    expect(arm.requests).to.deep.equal([]);
  });

  it("checks inputs as ARM does before anything reaches the wire", async () => {
    const { failures } = await provider.check!(
      {},
      inputs({
        roleAssignmentName: "grant-1",
        roleDefinitionId: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        principalType: "App",
      }),
    );
    expect(failures!.map((f) => f.property)).to.deep.equal([
      "roleAssignmentName",
      "roleDefinitionId",
      "principalType",
    ]);
    expect(arm.requests).to.deep.equal([]);
  });
});
