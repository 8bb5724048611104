import { expect } from "chai";
import { setAzureCredential } from "../../src/engine/azureCredential";
import {
  backoffDelayMs,
  resolveRetryOptions,
  retryAfterMs,
} from "../../src/engine/synapseRbac/retryPolicy";
import {
  deleteRoleAssignment,
  ensureRoleAssignment,
  listRoleAssignments,
  SynapseRbacClient,
} from "../../src/engine/synapseRbac/synapseRbacClient";
import { SynapseRbacError } from "../../src/engine/synapseRbac/synapseRbacError";
import { ROLES } from "../../src/plan/roles";
import { SynapseRbacTestServer } from "../servers/synapseRbacServer";

const SYNAPSE_ADMIN = ROLES["Synapse Administrator"].id;
const SYNAPSE_CONTRIBUTOR = "7572bffe-f453-4b66-912a-46cc5ef38fda";
const CI_PRINCIPAL = "0d7a4d8e-51b1-4c55-9a53-3e1f3f0a2b11";
const OTHER_PRINCIPAL = "5b2c0a8f-7e0b-4f4e-8d7c-6a1b2c3d4e5f";
const SCOPE = "workspaces/contoso-syn";
// Assignment ids from Python's uuid module, not roleAssignmentGuid (scope|principal|role, lower-cased):
//   python3 -c 'import uuid; print(uuid.uuid5(uuid.UUID("6f0d1c2e-8a47-5b39-9d1e-3c2b7a5e4f10"),
//     "workspaces/contoso-syn|<principal>|6e4bf58a-b8e1-4cc3-bbf9-d73143322b78"))'
const CI_ADMIN_ASSIGNMENT_ID = "98f309a2-e836-559a-a81c-ee8c9af7cab7";
const OTHER_ADMIN_ASSIGNMENT_ID = "34e4e15d-5cc3-5aa9-bcfb-cecf5cc27470";
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
    setAzureCredential({
      getToken: async (scopes) => {
        scopesAsked.push(...(Array.isArray(scopes) ? scopes : [scopes]));
        return { token: "test-token", expiresOnTimestamp: Date.now() + 3600e3 };
      },
    });
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

  it("creates the assignment under its deterministic id with the documented PUT body and a Synapse token", async () => {
    const result = await ensureAdmin();

    const expectedId = CI_ADMIN_ASSIGNMENT_ID;
    expect(result).to.include({ assignmentId: expectedId, adopted: false });
    expect(server.assignments.get(expectedId)).to.deep.equal({
      id: expectedId,
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: SCOPE,
      principalType: "ServicePrincipal",
    });
    const [lookup] = server.requestsOf("GET");
    expect(lookup.query).to.deep.equal({
      "api-version": "2020-12-01",
      roleId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: SCOPE,
    });
    const puts = server.requestsOf("PUT");
    expect(puts).to.have.length(1);
    expect(puts[0].path).to.equal(`/roleAssignments/${expectedId}`);
    expect(puts[0].body).to.deep.equal({
      roleId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL,
      scope: SCOPE,
      principalType: "ServicePrincipal",
    });
    expect(server.requests.every((r) => r.headers.authorization === "Bearer test-token")).to.equal(
      true,
    );
    expect(scopesAsked).to.deep.equal(["https://dev.azuresynapse.net/.default"]);
  });

  it("adopts an existing assignment of the same role, principal and scope without sending a PUT", async () => {
    const theirs = server.seed({
      roleDefinitionId: SYNAPSE_ADMIN,
      principalId: CI_PRINCIPAL.toUpperCase(),
      scope: SCOPE,
      principalType: "ServicePrincipal",
    });

    const result = await ensureAdmin();

    expect(result).to.include({ assignmentId: theirs.id, adopted: true });
    expect(server.requestsOf("PUT")).to.have.length(0);
    expect(server.assignments.size).to.equal(1);
  });

  it("is idempotent: a second run adopts what the first created", async () => {
    const first = await ensureAdmin();
    const second = await ensureAdmin();
    expect(second.assignmentId).to.equal(first.assignmentId);
    expect(second.adopted).to.equal(true);
    expect(server.requestsOf("PUT")).to.have.length(1);
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

    expect(result.adopted).to.equal(false);
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
    expect(await client.getRoleAssignment(OTHER_ADMIN_ASSIGNMENT_ID)).to.equal(undefined);
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
    const started = Date.now();

    const result = await ensureAdmin();

    expect(result.adopted).to.equal(false);
    expect(Date.now() - started).to.be.at.least(240);
    expect(server.requestsOf("PUT").map((r) => r.status)).to.deep.equal([429, 429, 200]);
  });

  it("retries 503 and 500, and a dropped connection, and ends with exactly one assignment", async () => {
    server.failNext(1, { kind: "status", status: 503 }, { method: "GET" });
    server.failNext(1, { kind: "drop" }, { method: "GET" });
    server.failNext(1, { kind: "status", status: 500 }, { method: "PUT" });

    const result = await ensureAdmin();

    expect(result.adopted).to.equal(false);
    expect(server.requestsOf("GET").map((r) => r.status)).to.deep.equal([503, 0, 200]);
    expect(server.requestsOf("PUT").map((r) => r.status)).to.deep.equal([500, 200]);
    expect(server.assignments.size).to.equal(1);
  });

  it("survives a PUT whose answer is lost after it took effect", async () => {
    server.failNext(1, { kind: "drop", afterCommit: true }, { method: "PUT" });

    const result = await ensureAdmin();

    expect(result).to.include({
      assignmentId: CI_ADMIN_ASSIGNMENT_ID,
    });
    expect(server.assignments.size).to.equal(1);
    expect(server.requestsOf("PUT")).to.have.length(2);
  });

  it("gives up on a request that never answers after the per-request timeout, and retries it", async () => {
    server.failNext(1, { kind: "hang" }, { method: "GET" });
    const started = Date.now();

    const result = await ensureAdmin({ requestTimeoutMs: 150 });

    expect(result.adopted).to.equal(false);
    expect(Date.now() - started).to.be.within(150, 1500);
    expect(server.requestsOf("GET")).to.have.length(2);
  });

  it("stops after maxAttempts on a service that keeps failing, and says so", async () => {
    server.failAlways({
      kind: "status",
      status: 503,
      code: "ServiceUnavailable",
      message: "The service is busy.",
    });

    const err = await expectRejection(ensureAdmin({ maxAttempts: 4 }));

    expect(server.requests).to.have.length(4);
    expect(err).to.be.instanceOf(SynapseRbacError);
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
      onRetry: (e: { kind: string }) => events.push(e.kind),
    });

    expect(result.adopted).to.equal(false);
    expect(events).to.deep.equal(["authorization", "authorization"]);
  });

  it("fails a persistent 403 within the auth window, naming the workspace, the role and the fix", async () => {
    server.failAlways({
      kind: "status",
      status: 403,
      code: "Unauthorized",
      message:
        "The principal '11111111-1111-1111-1111-111111111111' does not have the required Synapse RBAC permission to perform this action. Required permission: Action: Microsoft.Synapse/workspaces/read, Scope: workspaces/contoso-syn/*.",
    });
    const started = Date.now();

    const err = await expectRejection(ensureAdmin({ authRetryWindowMs: 200 }));

    expect(Date.now() - started).to.be.within(200, 2000);
    expect(server.requestsOf("PUT")).to.have.length(0);
    expect(err).to.be.instanceOf(SynapseRbacError);
    expect((err as SynapseRbacError).status).to.equal(403);
    expect(err.message).to.contain('Synapse workspace "contoso-syn"');
    expect(err.message).to.contain('Synapse role "Synapse Administrator"');
    expect(err.message).to.contain("needs the Synapse Administrator role on workspace");
    expect(err.message).to.contain("Synapse Studio > Manage > Access control");
    expect(err.message).to.contain("does not have the required Synapse RBAC permission");
  });

  it("tells a firewall block apart from a missing role", async () => {
    server.failAlways({
      kind: "status",
      status: 403,
      code: "ClientIpAddressNotAuthorized",
      message: "Client Ip address : 203.0.113.7",
    });

    const err = await expectRejection(ensureAdmin());

    expect(err.message)
      .to.contain("workspace firewall blocks this machine")
      .and.contain("Networking");
    expect(err.message).to.contain("203.0.113.7");
    expect(err.message).not.to.contain("needs the Synapse Administrator role");
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

    expect(result).to.include({ assignmentId: theirs.id, adopted: true });
    expect(server.requestsOf("PUT").map((r) => r.status)).to.deep.equal([409]);
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
