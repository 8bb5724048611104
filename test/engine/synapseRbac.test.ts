import { expect } from "chai";
import { setAzureCredential } from "../../src/engine/azureCredential";
import { resolveRetryOptions } from "../../src/engine/retry/azureRestRetry";
import { backoffDelayMs, retryAfterMs } from "../../src/engine/retry/retry";
import {
  deleteRoleAssignment,
  ensureRoleAssignment,
  listRoleAssignments,
  SynapseRbacClient,
} from "../../src/engine/synapseRbac/synapseRbacClient";
import { SynapseRbacError } from "../../src/engine/synapseRbac/synapseRbacError";
import { ROLES } from "../../src/plan/roles";
import { SynapseRbacTestServer } from "../servers/synapseRbacServer";
import { testCredential, testToken } from "../servers/testTokens";

const SYNAPSE_ADMIN = ROLES["Synapse Administrator"].id;
const SYNAPSE_CONTRIBUTOR = "7572bffe-f453-4b66-912a-46cc5ef38fda";
const CI_PRINCIPAL = "0d7a4d8e-51b1-4c55-9a53-3e1f3f0a2b11";
const OTHER_PRINCIPAL = "5b2c0a8f-7e0b-4f4e-8d7c-6a1b2c3d4e5f";
const SCOPE = "workspaces/contoso-syn";
// Our deterministic id for (SCOPE, CI_PRINCIPAL, Synapse Administrator), computed independently:
//   python3 -c "import uuid; print(uuid.uuid5(uuid.UUID('6f0d1c2e-8a47-5b39-9d1e-3c2b7a5e4f10'),
//     'workspaces/contoso-syn|0d7a4d8e-51b1-4c55-9a53-3e1f3f0a2b11|6e4bf58a-b8e1-4cc3-bbf9-d73143322b78'))"
const OUR_ID = "98f309a2-e836-559a-a81c-ee8c9af7cab7";
// The same for OTHER_PRINCIPAL (only the principal differs).
const OTHER_ID = "34e4e15d-5cc3-5aa9-bcfb-cecf5cc27470";

/** A clock that moves only when the code under test sleeps: waits cost no wall-clock time. */
function fakeClock() {
  const clock = {
    t: 1_000_000,
    slept: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}
// Delays small enough for tests; the defaults stay as shipped.
const FAST = { baseDelayMs: 1, maxDelayMs: 20, authRetryWindowMs: 150, requestTimeoutMs: 2000 };

async function expectRejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

describe("Synapse RBAC client (against a loopback roleAssignments server)", () => {
  let server: SynapseRbacTestServer;
  let scopesAsked: string[];

  beforeEach(async () => {
    server = await SynapseRbacTestServer.start({ pageSize: 2 });
    scopesAsked = [];
    setAzureCredential(testCredential({ asked: scopesAsked }));
  });

  afterEach(async () => {
    setAzureCredential(undefined);
    await server.close();
  });

  const ensureAdmin = (extra: object = {}) =>
    ensureRoleAssignment({
      endpoint: server.endpoint,
      roleId: SYNAPSE_ADMIN,
      roleName: "Synapse Administrator",
      principalId: CI_PRINCIPAL,
      principalType: "ServicePrincipal",
      scope: SCOPE,
      ...FAST,
      ...extra,
    });

  it("writes first: one PUT under its deterministic id with the documented body and a Synapse token, no list", async () => {
    const result = await ensureAdmin();

    const expectedId = OUR_ID;
    expect(result).to.include({ assignmentId: expectedId, adopted: false, owned: true });
    expect(server.assignments.get(expectedId)).to.deep.equal({
      id: expectedId,
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: SCOPE,
      principalType: "ServicePrincipal",
    });
    expect(server.requestsOf("GET")).to.have.length(0);
    const puts = server.requestsOf("PUT");
    expect(puts).to.have.length(1);
    expect(puts[0].path).to.equal(`/roleAssignments/${expectedId}`);
    expect(puts[0].body).to.deep.equal({
      roleId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: SCOPE,
      principalType: "ServicePrincipal",
    });
    expect(scopesAsked).to.deep.equal(["https://dev.azuresynapse.net/.default"]);
  });

  it("adopts, not owns, an assignment Azure made before the stack ran: PUT answers 409, then one look-up", async () => {
    const theirs = server.seed({
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL.toUpperCase(),
      scope: SCOPE,
      principalType: "ServicePrincipal",
    });

    const result = await ensureAdmin();

    expect(result).to.include({ assignmentId: theirs.id, adopted: true, owned: false });
    expect(result.notice).to.equal(undefined);
    expect(server.requestsOf("PUT").map((r) => r.status)).to.deep.equal([409]);
    expect(server.requestsOf("GET").map((r) => r.status)).to.deep.equal([200]);
    expect(server.assignments.size).to.equal(1);
  });

  it("records an existing assignment as adopted and not owned when the look-up is refused (403) while PUT is allowed", async () => {
    server.seed({ roleDefinitionId: SYNAPSE_ADMIN, principalId: CI_PRINCIPAL, scope: SCOPE });
    server.refuseLists = true;
    const clock = fakeClock();

    const result = await ensureAdmin({ clock, authRetryWindowMs: 600_000 });

    expect(result).to.include({ assignmentId: OUR_ID, adopted: true, owned: false });
    expect(result.notice)
      .to.contain("listing assignments was refused (403 Unauthorized)")
      .and.contain("not owned")
      .and.contain("Microsoft.Synapse/workspaces/read");
    // The refused look-up is not waited out as if it were a grant replicating.
    expect(server.requestsOf("GET")).to.have.length(1);
    expect(clock.slept).to.deep.equal([]);
    expect(server.assignments.size).to.equal(1);
  });

  it("reports an adopted assignment whose principalType is null, and keeps the service's null", async () => {
    const theirs = server.seed({
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: SCOPE,
      principalType: null,
    });

    const result = await ensureAdmin();

    expect(result).to.include({ assignmentId: theirs.id, adopted: true, owned: false });
    expect(result.assignment.principalType).to.equal(null);
    expect(result.notice)
      .to.contain(`assignment ${theirs.id}`)
      .and.contain("has no principalType")
      .and.contain("wrong SID")
      .and.contain("Synapse Studio > Manage > Access control");
  });

  it("is idempotent: a second run PUTs the same id and content again and owns it", async () => {
    const first = await ensureAdmin();
    const second = await ensureAdmin();
    expect(second).to.include({ assignmentId: first.assignmentId, adopted: false, owned: true });
    expect(server.requestsOf("PUT").map((r) => r.status)).to.deep.equal([200, 200]);
    expect(server.assignments.size).to.equal(1);
  });

  it("does not mistake another role, principal or scope for the wanted assignment", async () => {
    server.seed({ roleDefinitionId: SYNAPSE_CONTRIBUTOR, principalId: CI_PRINCIPAL, scope: SCOPE });
    server.seed({ roleDefinitionId: SYNAPSE_ADMIN, principalId: OTHER_PRINCIPAL, scope: SCOPE });
    server.seed({
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: `${SCOPE}/bigDataPools/pool1`,
    });

    const result = await ensureAdmin();

    expect(result).to.include({ adopted: false, assignmentId: OUR_ID });
    expect(server.requestsOf("PUT")).to.have.length(1);
  });

  it("follows x-ms-continuation across pages until the service sends an empty one", async () => {
    for (let i = 0; i < 6; i++)
      server.seed({
        roleDefinitionId: SYNAPSE_CONTRIBUTOR,
        principalId: CI_PRINCIPAL,
        scope: `${SCOPE}/credentials/c${i}`,
      });
    const target = server.seed({
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: SCOPE,
    });

    const all = await listRoleAssignments({
      endpoint: server.endpoint,
      principalId: CI_PRINCIPAL,
      ...FAST,
    });

    expect(all.map((a) => a.id))
      .to.have.length(7)
      .and.to.include(target.id);
    const pages = server.requestsOf("GET");
    expect(pages).to.have.length(4);
    expect(pages[0].headers["x-ms-continuation"]).to.equal(undefined);
    expect(
      pages.slice(1).every((p) => typeof p.headers["x-ms-continuation"] === "string"),
    ).to.equal(true);
    expect(pages.every((p) => p.query.principalId === CI_PRINCIPAL)).to.equal(true);
  });

  it("reads one assignment by id, and reports a missing one as undefined", async () => {
    const a = server.seed({
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: SCOPE,
      principalType: "User",
    });
    const client = new SynapseRbacClient({ endpoint: server.endpoint, ...FAST });
    expect(await client.getRoleAssignment(a.id)).to.deep.equal(a);
    expect(await client.getRoleAssignment(OTHER_ID)).to.equal(undefined);
  });

  it("deletes by id (204 and 200), and treats an assignment already gone (404) as deleted", async () => {
    const a = server.seed({
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: SCOPE,
    });
    expect(
      await deleteRoleAssignment({ endpoint: server.endpoint, assignmentId: a.id, ...FAST }),
    ).to.deep.equal({ existed: true });
    expect(server.assignments.has(a.id)).to.equal(false);
    expect(server.requestsOf("DELETE")[0].status).to.equal(204);

    expect(
      await deleteRoleAssignment({ endpoint: server.endpoint, assignmentId: a.id, ...FAST }),
    ).to.deep.equal({ existed: false });
    expect(server.requestsOf("DELETE")[1].status).to.equal(404);

    const other = await SynapseRbacTestServer.start({ deleteStatus: 200 });
    try {
      const b = other.seed({
        roleDefinitionId: SYNAPSE_ADMIN,
        principalId: CI_PRINCIPAL,
        scope: SCOPE,
      });
      expect(
        await deleteRoleAssignment({ endpoint: other.endpoint, assignmentId: b.id, ...FAST }),
      ).to.deep.equal({ existed: true });
      expect(other.assignments.size).to.equal(0);
    } finally {
      await other.close();
    }
  });

  it("waits out 429 for at least the server's Retry-After, then succeeds", async () => {
    server.failNext(
      2,
      { kind: "status", status: 429, code: "TooManyRequests", retryAfterMs: 120 },
      { method: "PUT" },
    );
    const clock = fakeClock();

    const result = await ensureAdmin({ clock });

    expect(result.adopted).to.equal(false);
    expect(clock.slept).to.have.length(2);
    expect(clock.slept.every((ms) => ms >= 120)).to.equal(true);
    expect(server.requestsOf("PUT").map((r) => r.status)).to.deep.equal([429, 429, 200]);
  });

  it("retries 503 and 500, and a dropped connection, and ends with exactly one assignment", async () => {
    server.failNext(1, { kind: "status", status: 503 }, { method: "PUT" });
    server.failNext(1, { kind: "drop" }, { method: "PUT" });
    server.failNext(1, { kind: "status", status: 500 }, { method: "PUT" });

    const result = await ensureAdmin({ clock: fakeClock() });

    expect(result.adopted).to.equal(false);
    expect(server.requestsOf("PUT").map((r) => r.status)).to.deep.equal([503, 0, 500, 200]);
    expect(server.assignments.size).to.equal(1);
  });

  it("survives a PUT whose answer is lost after it took effect", async () => {
    server.failNext(1, { kind: "drop", afterCommit: true }, { method: "PUT" });

    const result = await ensureAdmin();

    expect(result).to.include({ assignmentId: OUR_ID, owned: true });
    expect(server.assignments.size).to.equal(1);
    expect(server.requestsOf("PUT")).to.have.length(2);
  });

  it("gives up on a request that never answers after the per-request timeout, and retries it", async () => {
    server.failNext(1, { kind: "hang" }, { method: "PUT" });
    const events: string[] = [];

    const result = await ensureAdmin({
      requestTimeoutMs: 150,
      onRetry: (e: { reason: string }) => events.push(e.reason),
    });

    expect(result.adopted).to.equal(false);
    expect(events).to.deep.equal(["no answer within 150 ms"]);
    expect(server.requestsOf("PUT")).to.have.length(2);
  });

  it("stops after maxAttempts on a service that keeps failing, and says so", async () => {
    server.failAlways({
      kind: "status",
      status: 503,
      code: "ServiceUnavailable",
      message: "The service is busy.",
    });

    const err = await expectRejection(ensureAdmin({ maxAttempts: 4, clock: fakeClock() }));

    expect(server.requests).to.have.length(4);
    expect(err).to.be.instanceOf(SynapseRbacError);
    expect((err as SynapseRbacError).kind).to.equal("rbac");
    expect(err.message)
      .to.contain('Synapse workspace "contoso-syn"')
      .and.contain("503")
      .and.contain("after 4 attempts");
    expect(err.message).to.contain('"Synapse Administrator"');
  });

  it("rides out 403s while a fresh grant replicates", async () => {
    server.failNext(2, {
      kind: "status",
      status: 403,
      code: "Unauthorized",
      message: "The principal does not have the required Synapse RBAC permission.",
    });
    const events: string[] = [];

    const result = await ensureAdmin({
      authRetryWindowMs: 5000,
      clock: fakeClock(),
      onRetry: (e: { kind: string }) => events.push(e.kind),
    });

    expect(result.adopted).to.equal(false);
    expect(events).to.deep.equal(["authorization", "authorization"]);
  });

  it("waits by default up to 10 minutes for a grant that takes minutes to apply (injected clock)", async () => {
    const clock = fakeClock();
    // The deployer's own Synapse Administrator assignment applies 7 minutes from now.
    server.refuseUntil = { now: clock.now, at: clock.t + 7 * 60_000 };

    const result = await ensureRoleAssignment({
      endpoint: server.endpoint,
      roleId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      principalType: "ServicePrincipal",
      scope: SCOPE,
      clock,
    });

    expect(result).to.include({ assignmentId: OUR_ID, owned: true });
    expect(clock.t - 1_000_000)
      .to.be.at.least(7 * 60_000)
      .and.below(10 * 60_000);
    expect(server.requestsOf("PUT").at(-1)!.status).to.equal(200);
  });

  it("gives up after the 10-minute window on a grant that never applies, and says why it waited", async () => {
    const clock = fakeClock();
    server.refuseUntil = { now: clock.now, at: Number.POSITIVE_INFINITY };

    const err = await expectRejection(
      ensureRoleAssignment({
        endpoint: server.endpoint,
        roleId: SYNAPSE_ADMIN,
        principalId: CI_PRINCIPAL,
        principalType: "ServicePrincipal",
        scope: SCOPE,
        clock,
      }),
    );

    expect(clock.t - 1_000_000).to.equal(600_000);
    expect(err.message)
      .to.contain("Kept retrying for 600 s")
      .and.contain("2-5 minutes")
      .and.contain("needs the Synapse Administrator role on workspace");
  });

  it("fails a persistent 403 within the auth window, naming the workspace, the role and the fix", async () => {
    server.failAlways({
      kind: "status",
      status: 403,
      code: "Unauthorized",
      message:
        "The principal '11111111-1111-1111-1111-111111111111' does not have the required Synapse RBAC permission to perform this action. Required permission: Action: Microsoft.Synapse/workspaces/read, Scope: workspaces/contoso-syn/*.",
    });
    const clock = fakeClock();

    const err = await expectRejection(ensureAdmin({ authRetryWindowMs: 200, clock }));

    expect(clock.t - 1_000_000).to.equal(200);
    expect(server.requestsOf("PUT").every((r) => r.status === 403)).to.equal(true);
    expect(err).to.be.instanceOf(SynapseRbacError);
    expect((err as SynapseRbacError).status).to.equal(403);
    expect(err.message).to.contain('Synapse workspace "contoso-syn"');
    expect(err.message).to.contain('Synapse role "Synapse Administrator"');
    expect(err.message).to.contain("needs the Synapse Administrator role on workspace");
    expect(err.message).to.contain("Synapse Studio > Manage > Access control");
    expect(err.message).to.contain("does not have the required Synapse RBAC permission");
  });

  for (const shape of ["error", "top-level"] as const) {
    it(`tells a firewall block (${shape} code) apart from a missing role, with the range and the command to add`, async () => {
      server.firewall = { shape, clientIp: "203.0.113.7" };

      const err = await expectRejection(ensureAdmin({ clock: fakeClock() }));

      expect((err as SynapseRbacError).code).to.equal("ClientIpAddressNotAuthorized");
      expect(err.message)
        .to.contain('workspace firewall of "contoso-syn" blocks this machine')
        .and.contain("203.0.113.7-203.0.113.7")
        .and.contain(
          "az synapse workspace firewall-rule create --workspace-name contoso-syn --resource-group <resource group> --name AllowDeployer --start-ip-address 203.0.113.7 --end-ip-address 203.0.113.7",
        );
      expect(err.message).not.to.contain("needs the Synapse Administrator role");
    });
  }

  it("is refused (401) with a token issued for another resource, as the service refuses it", async () => {
    setAzureCredential({
      getToken: async () => ({
        token: testToken("https://storage.azure.com", Date.now() + 3600e3),
        expiresOnTimestamp: Date.now() + 3600e3,
      }),
    });
    const err = await expectRejection(ensureAdmin({ clock: fakeClock() }));
    expect((err as SynapseRbacError).status).to.equal(401);
    expect(err.message).to.contain("InvalidTokenAudience");
  });

  it("is refused (400) for a role id that is not a Synapse built-in role", async () => {
    const err = await expectRejection(
      ensureAdmin({ roleId: "11111111-2222-4333-8444-555555555555", clock: fakeClock() }),
    );
    expect((err as SynapseRbacError).status).to.equal(400);
    expect(server.assignments.size).to.equal(0);
  });

  it("explains an unknown principal instead of failing with a bare 400", async () => {
    server.failAlways(
      {
        kind: "status",
        status: 400,
        code: "InvalidPrincipalId",
        message: `Invalid Principal Id '${CI_PRINCIPAL}'.`,
      },
      { method: "PUT" },
    );

    const err = await expectRejection(ensureAdmin());

    expect(err.message)
      .to.contain(CI_PRINCIPAL)
      .and.contain("Object ID")
      .and.contain("not the Application (client) ID");
  });

  it("adopts when the PUT reports RoleAssignmentAlreadyExists for an assignment the list had not shown yet", async () => {
    const theirs = server.seed(
      { roleDefinitionId: SYNAPSE_ADMIN, principalId: CI_PRINCIPAL, scope: SCOPE },
      { hiddenFromLists: 1 },
    );

    const result = await ensureAdmin();

    expect(result).to.include({ assignmentId: theirs.id, adopted: true, owned: false });
    expect(server.requestsOf("PUT").map((r) => r.status)).to.deep.equal([409]);
    expect(server.requestsOf("GET").map((r) => r.status)).to.deep.equal([200, 200]);
    expect(server.assignments.size).to.equal(1);
  });

  it("fails fast on what retrying cannot fix (no retries on a plain 400)", async () => {
    server.failAlways(
      { kind: "status", status: 400, code: "BadRequest", message: "Nope." },
      { method: "PUT" },
    );
    const err = await expectRejection(ensureAdmin());
    expect(server.requestsOf("PUT")).to.have.length(1);
    expect(err.message).to.contain("400 BadRequest: Nope");
  });

  it("refuses ARM roles and ARM endpoints before anything reaches the wire", async () => {
    const armRole = await expectRejection(
      ensureAdmin({ roleId: ROLES["Storage Blob Data Contributor"].id }),
    );
    expect(armRole.message).to.contain("is an Azure (ARM) role, not a Synapse role");
    const armHost = await expectRejection(
      ensureAdmin({ endpoint: "https://management.azure.com" }),
    );
    expect(armHost.message).to.contain("not through ARM");
    const plainHttp = await expectRejection(
      ensureAdmin({ endpoint: "http://contoso-syn.dev.azuresynapse.net" }),
    );
    expect(plainHttp.message).to.contain("must use https");
    const notGuid = await expectRejection(ensureAdmin({ principalId: "ci-app" }));
    expect(notGuid.message).to.contain('principalId must be a GUID, got "ci-app"');
    expect(server.requests).to.have.length(0);
  });

  it("says how to sign in when no token can be had", async () => {
    setAzureCredential({
      getToken: async () => {
        throw new Error("DefaultAzureCredential failed to retrieve a token");
      },
    });
    const err = await expectRejection(ensureAdmin());
    expect(err.message).to.contain("https://dev.azuresynapse.net/.default").and.contain("az login");
    expect(server.requests).to.have.length(0);
  });
});

describe("Synapse RBAC retry policy", () => {
  it("reads Retry-After in seconds, as an HTTP date, and the Azure millisecond headers", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "Retry-After": "3" }), now)).to.equal(3000);
    expect(
      retryAfterMs(new Headers({ "Retry-After": "Wed, 01 Jan 2025 00:00:05 GMT" }), now),
    ).to.equal(5000);
    expect(
      retryAfterMs(new Headers({ "retry-after-ms": "250", "Retry-After": "9" }), now),
    ).to.equal(250);
    expect(retryAfterMs(new Headers({ "x-ms-retry-after-ms": "40" }), now)).to.equal(40);
    expect(retryAfterMs(new Headers({ "Retry-After": "soon" }), now)).to.equal(undefined);
  });

  it("keeps backoff under the ceiling and grows it with the attempt", () => {
    const opts = resolveRetryOptions({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect(backoffDelayMs(0, opts, () => 0.999)).to.equal(99);
    expect(backoffDelayMs(3, opts, () => 0.999)).to.equal(799);
    expect(backoffDelayMs(20, opts, () => 0.999)).to.equal(999);
    expect(backoffDelayMs(5, opts, () => 0)).to.equal(0);
  });

  it("rejects nonsensical options by name", () => {
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).to.throw(/"maxAttempts"/);
    expect(() => resolveRetryOptions({ requestTimeoutMs: -1 })).to.throw(/"requestTimeoutMs"/);
  });
});
