// A loopback test server of Microsoft.Authorization role assignments (the subset ArmRoleAssignmentClient
// uses), so the adoption rules are tested through real HTTP against ARM's own refusals.
//
// Built from:
// - Azure/azure-rest-api-specs, specification/authorization/resource-manager/Microsoft.Authorization/
//   stable/2022-04-01/authorization-RoleAssignmentsCalls.json: ListForScope with `$filter=principalId eq
//   '{id}'` (assignments at, above and below the scope) and nextLink paging; Create (PUT
//   {scope}/providers/Microsoft.Authorization/roleAssignments/{name}, body {properties: {roleDefinitionId,
//   principalId, principalType, description}}, 201); Get (200, 404 RoleAssignmentNotFound); Delete (200
//   with the assignment, 204 when there was none).
// - 409 RoleAssignmentExists "The role assignment already exists." for a second assignment of the same
//   role, principal and scope under another name (Azure/azure-cli#8568, where the CLI made up a new name
//   each time; hashicorp/terraform-provider-azurerm#30558). A PUT under the name the assignment already
//   has is idempotent: "This template is not idempotent unless the same roleNameGuid value is provided"
//   (learn.microsoft.com/azure/role-based-access-control/role-assignments-template, quoted in
//   MicrosoftDocs/azure-docs#67839). The same name for another principal or scope is 400
//   RoleAssignmentUpdateNotPermitted "Tenant ID, application ID, principal ID, and scope are not allowed
//   to be updated." (role-based-access-control/troubleshooting, "ARM template role assignment returns
//   BadRequest status"; Azure/Azure-Landing-Zones#2040).
// - 400 UnmatchedPrincipalType "The PrincipalId '...' has type 'ServicePrincipal', which is different
//   from specified PrincipalType 'User'." (Azure/modern-web-app-pattern-dotnet#129).
// - Azure assigns Storage Blob Data Contributor to a new workspace's identity when its creator owns the
//   lake (Synapse workspace creation page): `seed` stands for that.
// - Tokens must be issued for https://management.azure.com (401 InvalidAuthenticationTokenAudience).
// - 400 PrincipalNotFound "Principal ... does not exist in the directory ... If you are creating this
//   principal and then immediately assigning a role, this error might be related to a replication
//   delay. In this case, set the role assignment principalType property ..." for a principal Entra ID
//   has not replicated yet, unless the PUT names its principalType, which skips the look-up
//   (learn.microsoft.com/azure/role-based-access-control/role-assignments-template, "New service
//   principal"; Azure/AgentBaker#8251): `replicating` stands for such principals.
// - 429 with Retry-After (seconds) when ARM throttles, "the number of seconds your application should
//   wait" (learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling),
//   code SubscriptionRequestsThrottled "... Please try again after '6' seconds." (MicrosoftDocs/
//   azure-docs#105248): `throttle` answers the next requests so.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { claimsOf } from "./testTokens";

export const ARM_AUDIENCE = "https://management.azure.com";

export interface StoredArmAssignment {
  id: string;
  name: string;
  type: "Microsoft.Authorization/roleAssignments";
  properties: {
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
    scope: string;
    description?: string;
  };
}

export interface ArmRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: any;
  status: number;
}

const PATH = /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments(?:\/([^/]+))?$/i;

export class ArmRbacTestServer {
  readonly requests: ArmRequest[] = [];
  readonly assignments = new Map<string, StoredArmAssignment>();
  /** Entra ID as ARM sees it: object id -> principal type. Unknown ids are taken as given. */
  readonly directory = new Map<string, string>();
  pageSize = 100;
  /** GET of the list answers 403 AuthorizationFailed (a custom role that may write but not read). */
  refuseLists = false;
  /** Runs once just before the next PUT is answered: someone else's assignment landing in a race. */
  beforeNextPut?: () => void;
  /** Object ids Entra ID has made but not yet replicated: a PUT without principalType cannot find them. */
  readonly replicating = new Set<string>();
  /** The next requests throttled, each answered 429 with this Retry-After (seconds). */
  private throttled: { left: number; retryAfterSeconds: number } = {
    left: 0,
    retryAfterSeconds: 0,
  };

  /** Throttles the next `requests` requests, as ARM does a caller over its token bucket. */
  throttle(requests: number, retryAfterSeconds: number): void {
    this.throttled = { left: requests, retryAfterSeconds };
  }

  private constructor(private readonly server: Server) {}

  static async start(): Promise<ArmRbacTestServer> {
    const server = createServer();
    const instance = new ArmRbacTestServer(server);
    server.on("request", (req, res) => void instance.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return instance;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** An assignment made outside the stack (by Azure itself, or in the portal) under a random name. */
  seed(
    scope: string,
    roleDefinitionId: string,
    principalId: string,
    principalType = "ServicePrincipal",
    /** The assignment's name; default a random GUID, as Azure (or the portal) names its own. */
    name: string = randomUUID(),
    /**
     * How many list answers skip it (a read that lags the write: "Azure Resource Manager sometimes
     * caches configurations and data to improve performance", learn.microsoft.com/answers/questions/524792).
     */
    hiddenFromLists = 0,
  ) {
    const stored: StoredArmAssignment = {
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      type: "Microsoft.Authorization/roleAssignments",
      properties: { roleDefinitionId, principalId, principalType, scope },
    };
    this.assignments.set(stored.id.toLowerCase(), stored);
    if (hiddenFromLists > 0) this.hiddenFromLists.set(stored.id.toLowerCase(), hiddenFromLists);
    return stored;
  }

  private readonly hiddenFromLists = new Map<string, number>();

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const record: ArmRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: raw ? JSON.parse(raw) : undefined,
      status: 0,
    };
    this.requests.push(record);
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const text = body === undefined ? "" : JSON.stringify(body);
      res.writeHead(status, {
        "Content-Type": "application/json",
        "x-ms-request-id": randomUUID(),
        ...headers,
      });
      res.end(text);
    };
    const fail = (status: number, code: string, message: string) =>
      send(status, { error: { code, message } });

    if (claimsOf(req.headers.authorization)?.aud !== ARM_AUDIENCE) {
      return fail(
        401,
        "InvalidAuthenticationTokenAudience",
        `The access token has an invalid audience; expected '${ARM_AUDIENCE}'.`,
      );
    }
    if (this.throttled.left > 0) {
      this.throttled.left--;
      const after = this.throttled.retryAfterSeconds;
      return send(
        429,
        {
          error: {
            code: "SubscriptionRequestsThrottled",
            message: `Number of 'write' requests for subscription exceeded the limit. Please try again after '${after}' seconds.`,
          },
        },
        { "Retry-After": String(after) },
      );
    }
    if (url.searchParams.get("api-version") !== "2022-04-01") {
      return fail(
        400,
        "InvalidApiVersionParameter",
        `Unsupported api-version '${url.searchParams.get("api-version")}'.`,
      );
    }
    const match = PATH.exec(url.pathname);
    if (!match) return fail(404, "NotFound", `No route for ${url.pathname}`);
    const [, scope, name] = match;

    if (!name && req.method === "GET" && this.refuseLists) {
      return fail(
        403,
        "AuthorizationFailed",
        "The client does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read'.",
      );
    }
    if (!name && req.method === "GET") {
      const filter = /^principalId eq '([0-9a-f-]{36})'$/i.exec(
        url.searchParams.get("$filter") ?? "",
      );
      const s = scope.toLowerCase();
      const all = [...this.assignments.values()].filter((a) => {
        const at = a.properties.scope.toLowerCase();
        const related = at === s || s.startsWith(`${at}/`) || at.startsWith(`${s}/`);
        const hidden = this.hiddenFromLists.get(a.id.toLowerCase()) ?? 0;
        if (related && hidden > 0) {
          this.hiddenFromLists.set(a.id.toLowerCase(), hidden - 1);
          return false;
        }
        return (
          related && (!filter || a.properties.principalId.toLowerCase() === filter[1].toLowerCase())
        );
      });
      const skip = Number(url.searchParams.get("$skipToken") ?? 0);
      const page = all.slice(skip, skip + this.pageSize);
      const next = skip + this.pageSize < all.length ? new URL(url.toString()) : undefined;
      if (next) next.searchParams.set("$skipToken", String(skip + this.pageSize));
      return send(200, {
        value: page,
        ...(next ? { nextLink: `${this.endpoint}${next.pathname}${next.search}` } : {}),
      });
    }
    const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    if (req.method === "GET") {
      const found = this.assignments.get(id.toLowerCase());
      return found
        ? send(200, found)
        : fail(404, "RoleAssignmentNotFound", `The role assignment '${name}' is not found.`);
    }
    if (req.method === "DELETE") {
      const found = this.assignments.get(id.toLowerCase());
      if (!found) return send(204);
      this.assignments.delete(id.toLowerCase());
      return send(200, found);
    }
    if (req.method === "PUT") {
      const hook = this.beforeNextPut;
      this.beforeNextPut = undefined;
      hook?.();
      const p = record.body?.properties ?? {};
      const wantedType = this.directory.get(String(p.principalId).toLowerCase());
      if (p.principalType && wantedType && wantedType !== p.principalType) {
        return fail(
          400,
          "UnmatchedPrincipalType",
          `The PrincipalId '${p.principalId}' has type '${wantedType}' , which is different from specified PrincipalType '${p.principalType}'.`,
        );
      }
      if (!p.principalType && this.replicating.has(String(p.principalId).toLowerCase())) {
        return fail(
          400,
          "PrincipalNotFound",
          `Principal ${String(p.principalId).replace(/-/g, "")} does not exist in the directory. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
        );
      }
      const roleGuid = String(p.roleDefinitionId).split("/").pop()!.toLowerCase();
      const sameGrant = (a: StoredArmAssignment) =>
        a.properties.scope.toLowerCase() === scope.toLowerCase() &&
        a.properties.principalId.toLowerCase() === String(p.principalId).toLowerCase() &&
        a.properties.roleDefinitionId.split("/").pop()!.toLowerCase() === roleGuid;
      const existing = this.assignments.get(id.toLowerCase());
      if (existing && !sameGrant(existing)) {
        return fail(
          400,
          "RoleAssignmentUpdateNotPermitted",
          "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
        );
      }
      if (existing) {
        if (p.description) existing.properties.description = p.description;
        return send(200, existing);
      }
      const duplicate = [...this.assignments.values()].find(
        (a) =>
          a.properties.scope.toLowerCase() === scope.toLowerCase() &&
          a.properties.principalId.toLowerCase() === String(p.principalId).toLowerCase() &&
          a.properties.roleDefinitionId.split("/").pop()!.toLowerCase() === roleGuid,
      );
      if (duplicate)
        return fail(409, "RoleAssignmentExists", "The role assignment already exists.");
      const stored: StoredArmAssignment = {
        id,
        name,
        type: "Microsoft.Authorization/roleAssignments",
        properties: {
          roleDefinitionId: p.roleDefinitionId,
          principalId: p.principalId,
          principalType: p.principalType ?? wantedType ?? "User",
          scope,
          ...(p.description ? { description: p.description } : {}),
        },
      };
      this.assignments.set(id.toLowerCase(), stored);
      return send(201, stored);
    }
    return fail(405, "MethodNotAllowed", `${req.method} is not supported here.`);
  }
}
