// A loopback test server of the Synapse data-plane roleAssignments API (the subset the client uses),
// so the client and provider are tested through real HTTP, with faults the real service produces.
//
// Built from:
// - Azure/azure-rest-api-specs, specification/synapse/data-plane/Microsoft.Synapse/stable/2020-12-01/roleAssignments.json
//   (GET /roleAssignments with roleId, principalId, scope and the x-ms-continuation header; PUT
//   /roleAssignments/{roleAssignmentId} with RoleAssignmentRequest {roleId, principalId, scope,
//   principalType}; GET by id; DELETE answering 200 or 204; errors as ErrorContract {error: {code, message}}),
//   and its examples RoleAssignments_ListRoleAssignments.json, RoleAssignments_CreateRoleAssignment.json,
//   RoleAssignments_GetRoleAssignmentById.json, RoleAssignments_DeleteRoleAssignmentById.json.
// - Recorded traffic in Azure/azure-sdk-for-js, sdk/synapse/synapse-access-control-rest/recordings/node/
//   access_control_smoke_role_assignments/*.json: responses carry `roleDefinitionId` (not roleId), the last
//   page of a list has an EMPTY x-ms-continuation header, DELETE answers 204 with no body.
// - Error codes reported against the real service: 403 "Unauthorized" ("The principal '...' does not have the
//   required Synapse RBAC permission ...", Azure/azure-sdk-for-net#24423), "ClientIpAddressNotAuthorized"
//   (workspace firewall), 400 "InvalidPrincipalId" (hashicorp/terraform-provider-azurerm#12628),
//   "RoleAssignmentAlreadyExists" for a second assignment of the same role, principal and scope
//   (Azure/azure-cli#25872).
// - The built-in role ids: the roleDefinitions list the service answers, recorded in Azure/azure-sdk-for-js
//   sdk/synapse/synapse-access-control recordings (10 roles, below); a PUT with any other roleId is refused
//   with 400, as the service refuses an unknown role.
// - Tokens: the data plane accepts only tokens for https://dev.azuresynapse.net (the SDKs' scope
//   https://dev.azuresynapse.net/.default); a token for storage or ARM is refused with 401.
// - `principalType: null` in answers for assignments made without one (Azure/azure-cli#22078): seed one
//   with `principalType: null`.
// - Listing needs Microsoft.Synapse/workspaces/read, which an Azure Owner allowed to create assignments can
//   lack (Azure/azure-cli#25790): `refuseLists` answers 403 to GET /roleAssignments while PUT succeeds.
// - The workspace firewall answers 403 ClientIpAddressNotAuthorized, as ErrorContract `{error: {code}}` or
//   as a top-level `{code, message}` (Azure/azure-sdk-for-net#20051): `firewall`.
// - Grants take minutes to apply ("changes ... may take 2-5 minutes", how-to-manage-synapse-rbac-role-assignments):
//   `refuseUntil` answers 403 Unauthorized until the injected clock passes a time.
// Assumptions where the sources are silent, kept in one place: 409 is the status of
// RoleAssignmentAlreadyExists; DELETE or GET of an unknown id answers 404 (configurable); a repeated PUT of
// the same id with the same content answers 200; `count` is the number of items in the page.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { claimsOf } from "./testTokens";

export const API_VERSION = "2020-12-01";

export interface StoredAssignment {
  id: string;
  roleDefinitionId: string;
  principalId: string;
  scope: string;
  principalType?: string | null;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. /roleAssignments/<id>. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  /** What the server answered; 0 when the connection was dropped or left hanging. */
  status: number;
  /** Set when an injected fault decided the answer. */
  fault?: Fault["kind"];
}

/** A failure to inject. `status` answers with an ErrorContract; `drop` destroys the socket; `hang` never answers. */
export type Fault =
  | {
      kind: "status";
      status: number;
      code?: string;
      message?: string;
      retryAfter?: string;
      retryAfterMs?: number;
    }
  | { kind: "drop"; afterCommit?: boolean }
  | { kind: "hang" };

export interface FaultMatch {
  method?: string;
  /** Matches when the path starts with this, e.g. "/roleAssignments/". */
  pathPrefix?: string;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
  match: FaultMatch;
}

export interface SynapseRbacServerOptions {
  /** Items per list page, so tests exercise x-ms-continuation. Default 100. */
  pageSize?: number;
  /** DELETE of an existing assignment answers this (the spec allows 200 and 204). Default 204. */
  deleteStatus?: 200 | 204;
  /** DELETE of an unknown id answers this. Default 404. */
  deleteMissingStatus?: 204 | 404;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Synapse built-in roles, as the service's roleDefinitions list names them. */
export const SYNAPSE_BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  "6e4bf58a-b8e1-4cc3-bbf9-d73143322b78": "Synapse Administrator",
  "dd665582-e433-40ca-b183-1b1b33e73375": "Synapse Linked Data Manager",
  "7572bffe-f453-4b66-912a-46cc5ef38fda": "Synapse Contributor",
  "05930f57-09a3-4c0d-9fa9-6d1eb91c178b": "Synapse Artifact Publisher",
  "53faaa0e-40b6-40c8-a2ff-e38f2d388875": "Synapse Artifact User",
  "e3844cc7-4670-42cb-9349-9bdac1ee7881": "Synapse Compute Operator",
  "5eb298b4-692c-4241-9cf0-f58a3b42bb25": "Synapse Credential User",
  "2a385764-43e8-416c-9825-7b18d05a2c4b": "Synapse User",
  "c3a6d2f1-a26f-4810-9b0f-591308d5cbf1": "Apache Spark Administrator",
  "7af0c69a-a548-47d6-aea3-d00e69bd83aa": "Synapse SQL Administrator",
};

export const SYNAPSE_AUDIENCE = "https://dev.azuresynapse.net";
const PRINCIPAL_TYPES = new Set(["User", "Group", "ServicePrincipal"]);
const REQUEST_FIELDS = new Set(["roleId", "principalId", "scope", "principalType"]);

export class SynapseRbacTestServer {
  readonly requests: RecordedRequest[] = [];
  /** Assignments by id, in creation order (list pages follow it). */
  readonly assignments = new Map<string, StoredAssignment>();
  private readonly queue: QueuedFault[] = [];
  private always?: { fault: Fault; match: FaultMatch };
  private readonly hiddenFromLists = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly continuations = new Map<string, number>();
  /** GET /roleAssignments answers 403 Unauthorized (the caller lacks Microsoft.Synapse/workspaces/read). */
  refuseLists = false;
  /** Every request answers 403 ClientIpAddressNotAuthorized, in the service's two shapes. */
  firewall?: { shape: "error" | "top-level"; clientIp: string };
  /** Until `now()` reaches `at`, every request answers 403 Unauthorized (a grant still replicating). */
  refuseUntil?: { now: () => number; at: number };

  private constructor(
    private readonly server: Server,
    readonly options: Required<SynapseRbacServerOptions>,
  ) {}

  static async start(options: SynapseRbacServerOptions = {}): Promise<SynapseRbacTestServer> {
    const resolved: Required<SynapseRbacServerOptions> = {
      pageSize: options.pageSize ?? 100,
      deleteStatus: options.deleteStatus ?? 204,
      deleteMissingStatus: options.deleteMissingStatus ?? 404,
    };
    const server = createServer();
    const instance = new SynapseRbacTestServer(server, resolved);
    server.on("request", (req, res) => void instance.handle(req, res));
    server.on("connection", (socket) => {
      instance.sockets.add(socket);
      socket.on("close", () => instance.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return instance;
  }

  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Requests that reached the wire with this method (and path prefix). */
  requestsOf(method: string, pathPrefix = "/roleAssignments"): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  /** Adds an assignment as if someone had made it; `hiddenFromLists` lists skip it that many times (replica lag). */
  seed(
    assignment: Omit<StoredAssignment, "id"> & { id?: string },
    opts: { hiddenFromLists?: number } = {},
  ): StoredAssignment {
    const stored = { id: assignment.id ?? randomUUID(), ...assignment } as StoredAssignment;
    this.assignments.set(stored.id, stored);
    if (opts.hiddenFromLists) this.hiddenFromLists.set(stored.id, opts.hiddenFromLists);
    return stored;
  }

  /** The next `count` matching requests get `fault`. */
  failNext(count: number, fault: Fault, match: FaultMatch = {}): void {
    this.queue.push({ fault, remaining: count, match });
  }

  /** Every matching request gets `fault`, until clearFaults(). */
  failAlways(fault: Fault, match: FaultMatch = {}): void {
    this.always = { fault, match };
  }

  clearFaults(): void {
    this.queue.length = 0;
    this.always = undefined;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const fits = (m: FaultMatch) =>
      (!m.method || m.method === method) && (!m.pathPrefix || path.startsWith(m.pathPrefix));
    const queued = this.queue.find((q) => q.remaining > 0 && fits(q.match));
    if (queued) {
      queued.remaining--;
      if (queued.remaining === 0) this.queue.splice(this.queue.indexOf(queued), 1);
      return queued.fault;
    }
    return this.always && fits(this.always.match) ? this.always.fault : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown = raw === "" ? undefined : raw;
    try {
      if (raw !== "") body = JSON.parse(raw);
    } catch {
      // kept as text; the PUT handler rejects it
    }
    const record: RecordedRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body,
      status: 0,
    };
    this.requests.push(record);

    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const text = payload === undefined ? "" : JSON.stringify(payload);
      res.writeHead(status, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(text),
        "x-ms-request-id": randomUUID(),
        ...headers,
      });
      res.end(text);
    };
    const fail = (
      status: number,
      code: string,
      message: string,
      headers?: Record<string, string>,
    ) => send(status, { error: { code, message } }, headers);

    const fault = this.takeFault(record.method, record.path);
    if (fault) {
      record.fault = fault.kind;
      if (fault.kind === "hang") return;
      if (fault.kind === "drop" && !fault.afterCommit) {
        req.socket.destroy();
        return;
      }
      if (fault.kind === "status") {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers["Retry-After"] = fault.retryAfter;
        if (fault.retryAfterMs !== undefined)
          headers["retry-after-ms"] = String(fault.retryAfterMs);
        fail(
          fault.status,
          fault.code ?? statusCode(fault.status),
          fault.message ?? `Injected ${fault.status}`,
          headers,
        );
        return;
      }
    }
    // A drop after commit: the operation takes effect, then the answer is lost.
    const commitThenDrop = fault?.kind === "drop";
    const answer: typeof send = commitThenDrop
      ? (status) => {
          record.status = status;
          req.socket.destroy();
        }
      : send;

    if (this.firewall) {
      const message = `Client Ip address : ${this.firewall.clientIp}`;
      const code = "ClientIpAddressNotAuthorized";
      if (this.firewall.shape === "top-level") send(403, { code, message });
      else fail(403, code, message);
      return;
    }
    const auth = req.headers.authorization;
    if (!auth || !/^Bearer \S+$/.test(auth)) {
      fail(
        401,
        "Unauthorized",
        "Missing or malformed Authorization header; expected 'Bearer <token>'.",
      );
      return;
    }
    const claims = claimsOf(auth);
    if (claims?.aud !== SYNAPSE_AUDIENCE) {
      fail(
        401,
        "InvalidTokenAudience",
        `The access token audience '${String(claims?.aud)}' is not valid; expected '${SYNAPSE_AUDIENCE}'.`,
      );
      return;
    }
    if (this.refuseUntil && this.refuseUntil.now() < this.refuseUntil.at) {
      fail(
        403,
        "Unauthorized",
        `The principal '${String(claims?.oid)}' does not have the required Synapse RBAC permission to perform this action.`,
      );
      return;
    }
    if (url.searchParams.get("api-version") !== API_VERSION) {
      fail(
        400,
        "InvalidApiVersion",
        `api-version must be ${API_VERSION}, got '${url.searchParams.get("api-version")}'.`,
      );
      return;
    }

    const idMatch = /^\/roleAssignments\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === "/roleAssignments" && req.method === "GET") {
      if (this.refuseLists) {
        fail(
          403,
          "Unauthorized",
          `The principal '${String(claims?.oid)}' does not have the required Synapse RBAC permission to perform this action. Required permission: Action: Microsoft.Synapse/workspaces/read, Scope: workspaces/*.`,
        );
        return;
      }
      this.list(req, url, answer);
    } else if (idMatch && req.method === "GET") {
      const found = this.assignments.get(decodeURIComponent(idMatch[1]));
      if (found) answer(200, found);
      else fail(404, "RoleAssignmentNotFound", `Role assignment '${idMatch[1]}' was not found.`);
    } else if (idMatch && req.method === "PUT") {
      this.put(decodeURIComponent(idMatch[1]), req, body, answer, fail);
    } else if (idMatch && req.method === "DELETE") {
      const id = decodeURIComponent(idMatch[1]);
      if (this.assignments.delete(id)) answer(this.options.deleteStatus);
      else if (this.options.deleteMissingStatus === 204) answer(204);
      else fail(404, "RoleAssignmentNotFound", `Role assignment '${id}' was not found.`);
    } else {
      fail(404, "NotFound", `No route for ${req.method} ${url.pathname} in this test server.`);
    }
  }

  private list(
    req: IncomingMessage,
    url: URL,
    answer: (status: number, payload?: unknown, headers?: Record<string, string>) => void,
  ): void {
    const roleId = url.searchParams.get("roleId")?.toLowerCase();
    const principalId = url.searchParams.get("principalId")?.toLowerCase();
    const scope = url.searchParams.get("scope")?.toLowerCase();
    const matching = [...this.assignments.values()].filter((a) => {
      const hidden = this.hiddenFromLists.get(a.id) ?? 0;
      if (hidden > 0) return false;
      return (
        (!roleId || a.roleDefinitionId.toLowerCase() === roleId) &&
        (!principalId || a.principalId.toLowerCase() === principalId) &&
        (!scope || a.scope.toLowerCase() === scope)
      );
    });
    // Replica lag counts down per list request (one list, even across pages, is one look).
    const token = req.headers["x-ms-continuation"];
    if (!token) for (const [id, n] of this.hiddenFromLists) this.hiddenFromLists.set(id, n - 1);
    let offset = 0;
    if (typeof token === "string" && token !== "") {
      const known = this.continuations.get(token);
      if (known === undefined) {
        answer(400, {
          error: {
            code: "InvalidContinuationToken",
            message: `Unknown continuation token '${token}'.`,
          },
        });
        return;
      }
      offset = known;
    }
    const page = matching.slice(offset, offset + this.options.pageSize);
    let next = "";
    if (offset + this.options.pageSize < matching.length) {
      next = randomUUID();
      this.continuations.set(next, offset + this.options.pageSize);
    }
    answer(200, { count: page.length, value: page }, { "x-ms-continuation": next });
  }

  private put(
    id: string,
    req: IncomingMessage,
    body: unknown,
    answer: (status: number, payload?: unknown) => void,
    fail: (status: number, code: string, message: string) => void,
  ): void {
    if (!GUID.test(id))
      return fail(400, "InvalidRoleAssignmentId", `Role assignment id '${id}' is not a GUID.`);
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) {
      return fail(415, "UnsupportedMediaType", "Content-Type must be application/json.");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return fail(
        400,
        "InvalidRequestBody",
        "The request body must be a JSON object (RoleAssignmentRequest).",
      );
    }
    const request = body as Record<string, unknown>;
    const unknownFields = Object.keys(request).filter((k) => !REQUEST_FIELDS.has(k));
    if (unknownFields.length) {
      return fail(
        400,
        "InvalidRequestBody",
        `Unknown RoleAssignmentRequest properties: ${unknownFields.join(", ")}.`,
      );
    }
    for (const field of ["roleId", "principalId"] as const) {
      if (typeof request[field] !== "string" || !GUID.test(request[field] as string)) {
        return fail(
          400,
          field === "principalId" ? "InvalidPrincipalId" : "InvalidRoleId",
          `Invalid ${field} '${request[field]}'.`,
        );
      }
    }
    // The role must be one of the workspace's role definitions (roleDefinitions.json lists them; an ARM
    // role id is not one). The status is the spec's default error response; the error code here is
    // our stand-in: we found no recorded answer of the service for an unknown role id.
    if (!SYNAPSE_BUILT_IN_ROLES[String(request.roleId).toLowerCase()]) {
      return fail(
        400,
        "RoleDefinitionNotFound",
        `Role definition '${request.roleId}' was not found; it is not a Synapse role.`,
      );
    }
    if (typeof request.scope !== "string" || !/^workspaces\/[^/]+/.test(request.scope)) {
      return fail(400, "InvalidScope", `Invalid scope '${request.scope}'.`);
    }
    if (
      request.principalType !== undefined &&
      !PRINCIPAL_TYPES.has(request.principalType as string)
    ) {
      return fail(400, "InvalidPrincipalType", `Invalid principalType '${request.principalType}'.`);
    }
    const wanted: StoredAssignment = {
      id,
      roleDefinitionId: request.roleId as string,
      principalId: request.principalId as string,
      scope: request.scope as string,
      ...(request.principalType !== undefined
        ? { principalType: request.principalType as string }
        : {}),
    };
    const same = (a: StoredAssignment) =>
      a.roleDefinitionId.toLowerCase() === wanted.roleDefinitionId.toLowerCase() &&
      a.principalId.toLowerCase() === wanted.principalId.toLowerCase() &&
      a.scope.toLowerCase() === wanted.scope.toLowerCase();
    const existing = this.assignments.get(id);
    const duplicate = [...this.assignments.values()].find((a) => a.id !== id && same(a));
    if ((existing && !same(existing)) || duplicate) {
      const ws = wanted.scope.split("/")[1];
      return fail(
        409,
        "RoleAssignmentAlreadyExists",
        `Role Assignment with roleId '${wanted.roleDefinitionId}', principalId '${wanted.principalId}' and scope '${wanted.scope}' within workspace '${ws}' already exists.`,
      );
    }
    this.assignments.set(id, wanted);
    answer(200, wanted);
  }
}

function statusCode(status: number): string {
  return (
    {
      400: "BadRequest",
      401: "Unauthorized",
      403: "Unauthorized",
      404: "NotFound",
      429: "TooManyRequests",
      500: "InternalServerError",
      503: "ServiceUnavailable",
    }[status] ?? `Status${status}`
  );
}
