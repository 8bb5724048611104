// A client for Synapse RBAC role assignments on a workspace's data-plane API (what the seed's
// "Synapse Administrator for the Customer Insights service principal" is), following
// Azure/azure-rest-api-specs specification/synapse/data-plane/Microsoft.Synapse/stable/2020-12-01/roleAssignments.json.
// Plain fetch rather than an SDK: four calls, and the retry and error behaviour is ours to decide.
//
// ensureRoleAssignment writes first and lists only when it must: listing assignments needs
// Microsoft.Synapse/workspaces/read or a Synapse role, which an Azure Owner who may create assignments can
// lack (Azure/azure-cli#25790), while the PUT under our deterministic id is what we were asked to do. On
// 409 RoleAssignmentAlreadyExists (the same role, principal and scope under another id, Azure/azure-cli#25872)
// the existing one is looked up and adopted; if that look-up is itself refused, the assignment is recorded
// as adopted and not owned (never deleted by us), and the result says so.

import { ExportError, messageOf } from "../../errors";
import { randomUUID } from "node:crypto";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { getAzureCredential } from "../azureCredential";
import { roleAssignmentGuid } from "../../plan/deterministicGuid";
import { ROLES } from "../../plan/roles";
import {
  classifyStatus,
  type FailureKind,
  resolveRetryOptions,
  restRetryPolicy,
  type RetryOptions,
} from "../retry/azureRestRetry";
import {
  retry,
  retryAfterMs,
  type RetryClock,
  type RetryPolicy,
  SYSTEM_CLOCK,
  type TryOutcome,
} from "../retry/retry";
import {
  parseSynapseEndpoint,
  SYNAPSE_DEV_SCOPE,
  SYNAPSE_RBAC_API_VERSION,
  workspaceNameFor,
} from "../../plan/synapseEndpoint";
import { SynapseRbacError } from "./synapseRbacError";

export type PrincipalType = "User" | "Group" | "ServicePrincipal";
export const PRINCIPAL_TYPES: readonly PrincipalType[] = ["User", "Group", "ServicePrincipal"];

/** A role assignment as the service returns it (RoleAssignmentDetails). */
export interface SynapseRoleAssignment {
  id: string;
  roleDefinitionId: string;
  principalId: string;
  scope: string;
  /**
   * Absent or null on assignments made without it (real answers carry `"principalType": null`,
   * Azure/azure-cli#22078); Synapse SQL then maps the principal to the wrong SID
   * (hashicorp/terraform-provider-azurerm#24089).
   */
  principalType?: string | null;
}

export interface RoleAssignmentFilter {
  roleId?: string;
  principalId?: string;
  scope?: string;
}

export interface RetryEvent {
  operation: string;
  attempt: number;
  delayMs: number;
  kind: FailureKind;
  reason: string;
}

export interface SynapseRbacClientOptions extends RetryOptions {
  /** https://<workspace>.dev.azuresynapse.net (or a loopback test server). */
  endpoint: string;
  /** For messages; default: from the scope, else from the endpoint's host name. */
  workspaceName?: string;
  /** Default: getAzureCredential(). */
  credential?: TokenCredential;
  /** Told before each wait, so a CLI can say why it is waiting. */
  onRetry?: (event: RetryEvent) => void;
  /** The clock the waits use; tests inject one so that a 10-minute window costs no wall-clock time. */
  clock?: RetryClock;
}

export type { RetryClock } from "../retry/retry";

export interface EnsureRoleAssignmentArgs {
  roleId: string;
  principalId: string;
  principalType: PrincipalType;
  scope: string;
  /** Default: roleAssignmentGuid(scope, principalId, roleId), so a re-run names the same assignment. */
  assignmentId?: string;
  /** For messages, e.g. "Synapse Administrator". */
  roleName?: string;
}

export interface EnsureRoleAssignmentResult {
  assignmentId: string;
  /** True when an assignment of this role, principal and scope existed under another id (not made by us). */
  adopted: boolean;
  /** False when the assignment was there before us: `pulumi destroy` must leave it. */
  owned: boolean;
  /** The service's own record (principalType may be missing or null on assignments made by older tools). */
  assignment: SynapseRoleAssignment;
  /** What the user should know about an adopted assignment: the look-up was refused, or principalType is missing. */
  notice?: string;
  /**
   * False when the assignment exists but its id could not be read (the look-up was refused): the result
   * then carries our deterministic id, which is not the assignment's, and a refresh must find it by its
   * facts (role, principal, scope) rather than by that id.
   */
  idKnown: boolean;
}

/** What a look-up by role, principal and scope saw: the assignment, none, or a refusal to list. */
export type RoleAssignmentLookup =
  | { refused: false; found: SynapseRoleAssignment | undefined }
  | { refused: true; status: number; code?: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_PAGES = 1000;

function sameId(a: string | undefined, b: string | undefined): boolean {
  return (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
}

function requireGuid(field: string, value: string): void {
  if (!GUID.test(value))
    throw new ExportError(
      "rbac",
      `Synapse role assignment ${field} must be a GUID, got "${value}"`,
    );
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError")
    return `no answer within ${timeoutMs} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e?.message ?? "request failed"}: ${cause}` : messageOf(err) || "request failed";
}

interface HttpResult {
  status: number;
  headers: Headers;
  body: unknown;
}

interface RequestSpec {
  operation: string;
  method: "GET" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  body?: unknown;
  /** Statuses that are answers, not failures (404 on GET by id or DELETE). */
  accept: number[];
  principalId?: string;
  /** False: a 401/403 fails at once instead of being waited out (a look-up we can do without). */
  waitOutAuthorization?: boolean;
}

export class SynapseRbacClient {
  readonly endpoint: URL;
  readonly workspaceName: string;
  private readonly retry: Required<RetryOptions>;
  private readonly policy: RetryPolicy;
  private readonly credential: TokenCredential;
  private readonly onRetry?: (event: RetryEvent) => void;
  private readonly clock: RetryClock;
  private token?: AccessToken;

  constructor(options: SynapseRbacClientOptions) {
    this.endpoint = parseSynapseEndpoint(options.endpoint);
    this.workspaceName = options.workspaceName ?? workspaceNameFor(this.endpoint);
    this.retry = resolveRetryOptions(options);
    this.policy = restRetryPolicy(this.retry);
    this.credential = options.credential ?? getAzureCredential();
    this.onRetry = options.onRetry;
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  /** All assignments matching the filter, across every page (x-ms-continuation). */
  listRoleAssignments(filter: RoleAssignmentFilter = {}): Promise<SynapseRoleAssignment[]> {
    return this.listPages(filter, "list role assignments");
  }

  /**
   * The assignment of exactly this role, principal and scope, or a refusal: listing needs
   * Microsoft.Synapse/workspaces/read, which an identity that may write assignments can lack
   * (Azure/azure-cli#25790). A refusal is answered at once, not waited out as a replicating grant.
   */
  async lookUpRoleAssignment(
    filter: Required<RoleAssignmentFilter>,
  ): Promise<RoleAssignmentLookup> {
    try {
      const all = await this.listPages(filter, "look up the role assignment", false);
      const found = all.find(
        (a) =>
          sameId(a.roleDefinitionId, filter.roleId) &&
          sameId(a.principalId, filter.principalId) &&
          sameId(a.scope, filter.scope),
      );
      return { refused: false, found };
    } catch (err) {
      if (err instanceof SynapseRbacError && (err.status === 401 || err.status === 403))
        return { refused: true, status: err.status, code: err.code };
      throw err;
    }
  }

  private async listPages(
    filter: RoleAssignmentFilter,
    operation: string,
    waitOutAuthorization = true,
  ): Promise<SynapseRoleAssignment[]> {
    const all: SynapseRoleAssignment[] = [];
    const seen = new Set<string>();
    let continuation: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.send({
        operation,
        method: "GET",
        path: "roleAssignments",
        query: { roleId: filter.roleId, principalId: filter.principalId, scope: filter.scope },
        headers: continuation ? { "x-ms-continuation": continuation } : undefined,
        accept: [],
        waitOutAuthorization,
      });
      const body = result.body as { value?: SynapseRoleAssignment[] } | undefined;
      all.push(...(body?.value ?? []));
      // The service sends an empty x-ms-continuation on the last page.
      const next = result.headers.get("x-ms-continuation") ?? "";
      if (next === "") return all.filter((a) => matches(a, filter));
      if (seen.has(next))
        throw new ExportError(
          "rbac",
          `Synapse workspace "${this.workspaceName}" repeated continuation token "${next}" while listing role assignments`,
        );
      seen.add(next);
      continuation = next;
    }
    throw new ExportError(
      "rbac",
      `Synapse workspace "${this.workspaceName}" returned more than ${MAX_PAGES} pages of role assignments`,
    );
  }

  async getRoleAssignment(assignmentId: string): Promise<SynapseRoleAssignment | undefined> {
    const result = await this.send({
      operation: `read role assignment ${assignmentId}`,
      method: "GET",
      path: `roleAssignments/${encodeURIComponent(assignmentId)}`,
      accept: [404],
    });
    return result.status === 404 ? undefined : (result.body as SynapseRoleAssignment);
  }

  /** Deletes by id; an assignment that is already gone (404) counts as deleted. */
  async deleteRoleAssignment(assignmentId: string): Promise<{ existed: boolean }> {
    const result = await this.send({
      operation: `delete role assignment ${assignmentId}`,
      method: "DELETE",
      path: `roleAssignments/${encodeURIComponent(assignmentId)}`,
      accept: [404],
    });
    return { existed: result.status !== 404 };
  }

  async ensureRoleAssignment(args: EnsureRoleAssignmentArgs): Promise<EnsureRoleAssignmentResult> {
    requireGuid("roleId", args.roleId);
    requireGuid("principalId", args.principalId);
    if (!PRINCIPAL_TYPES.includes(args.principalType)) {
      throw new ExportError(
        "rbac",
        `Synapse role assignment principalType must be one of ${PRINCIPAL_TYPES.join(", ")}, got "${args.principalType}"`,
      );
    }
    const armRole = Object.values(ROLES).find(
      (r) => r.plane === "arm" && sameId(r.id, args.roleId),
    );
    if (armRole) {
      throw new ExportError(
        "rbac",
        `"${armRole.name}" (${armRole.id}) is an Azure (ARM) role, not a Synapse role: assign it with a ` +
          `Microsoft.Authorization role assignment, not on the workspace's Synapse RBAC endpoint.`,
      );
    }
    const filter = { roleId: args.roleId, principalId: args.principalId, scope: args.scope };
    const assignmentId =
      args.assignmentId ?? roleAssignmentGuid(args.scope, args.principalId, args.roleId);
    requireGuid("assignmentId", assignmentId);
    const role = args.roleName ? `"${args.roleName}" (${args.roleId})` : args.roleId;
    const operation = `assign Synapse role ${role} to ${args.principalType} ${args.principalId} at scope ${args.scope}`;

    const lookup = `look for the existing assignment of Synapse role ${role} to ${args.principalId} at scope ${args.scope}`;
    const wanted: SynapseRoleAssignment = {
      id: assignmentId,
      roleDefinitionId: args.roleId,
      principalId: args.principalId,
      scope: args.scope,
      principalType: args.principalType,
    };

    try {
      const result = await this.send({
        operation,
        method: "PUT",
        path: `roleAssignments/${encodeURIComponent(assignmentId)}`,
        body: {
          roleId: args.roleId,
          principalId: args.principalId,
          scope: args.scope,
          principalType: args.principalType,
        },
        accept: [],
        principalId: args.principalId,
      });
      const assignment = (result.body as SynapseRoleAssignment | undefined) ?? wanted;
      return {
        assignmentId: assignment.id || assignmentId,
        adopted: false,
        owned: true,
        idKnown: true,
        assignment,
      };
    } catch (err) {
      if (
        !(err instanceof SynapseRbacError) ||
        (err.status !== 409 && err.code !== "RoleAssignmentAlreadyExists")
      )
        throw err;
    }
    // Someone else's (Azure itself, a portal user, another tool), or our own PUT whose answer was
    // lost: read it back, allowing the list a few tries to catch up with the write. A refused look-up
    // is an answer too: the assignment is recorded as adopted, not owned.
    return retry<EnsureRoleAssignmentResult>(
      async () => {
        let found: SynapseRoleAssignment | undefined;
        try {
          found = pick(await this.listPages(filter, lookup, false), assignmentId);
        } catch (err) {
          if (!(err instanceof SynapseRbacError) || (err.status !== 401 && err.status !== 403))
            throw err;
          return {
            ok: true,
            value: {
              assignmentId,
              adopted: true,
              owned: false,
              assignment: wanted,
              idKnown: false,
              notice:
                `Synapse role ${role} was already assigned to ${args.principalId} at ${args.scope} on workspace "${this.workspaceName}" ` +
                `(the service answered RoleAssignmentAlreadyExists), and listing assignments was refused (${err.status}${err.code ? ` ${err.code}` : ""}), ` +
                `so its id is not known: it is recorded as adopted and not owned, and pulumi destroy leaves it. Listing needs ` +
                `Microsoft.Synapse/workspaces/read (e.g. the Synapse User role) for the deploying identity.`,
            },
          };
        }
        if (!found)
          return {
            ok: false,
            budget: "attempts",
            reason: "the assignment is not listed yet",
            error: ({ attempts }) =>
              new ExportError(
                "rbac",
                `Synapse workspace "${this.workspaceName}" answered RoleAssignmentAlreadyExists for ${role} to ${args.principalId} at ${args.scope}, ` +
                  `but ${attempts} look-ups did not find that assignment; run again in a few minutes.`,
              ),
          };
        const adopted = !sameId(found.id, assignmentId);
        return {
          ok: true,
          value: {
            assignmentId: found.id,
            adopted,
            owned: !adopted,
            idKnown: true,
            assignment: found,
            notice: found.principalType
              ? undefined
              : missingPrincipalTypeNotice(found, this.workspaceName),
          },
        };
      },
      this.policy,
      { clock: this.clock },
    );
  }

  private url(path: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(path, this.endpoint);
    url.searchParams.set("api-version", SYNAPSE_RBAC_API_VERSION);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresOnTimestamp - this.clock.now() > 120_000)
      return this.token.token;
    let token: AccessToken | null;
    try {
      token = await this.credential.getToken(SYNAPSE_DEV_SCOPE);
    } catch (err) {
      throw new ExportError(
        "rbac",
        `Could not get an Entra ID token for ${SYNAPSE_DEV_SCOPE} (Synapse workspace "${this.workspaceName}"): ` +
          `${(err as Error).message}. Sign in with "az login", or set AZURE_TENANT_ID / AZURE_CLIENT_ID (and a secret, ` +
          `certificate or workload identity) for a service principal, or run where a managed identity is available.`,
        { cause: err },
      );
    }
    if (!token)
      throw new ExportError(
        "rbac",
        `The Azure credential returned no token for ${SYNAPSE_DEV_SCOPE}; sign in with "az login" and run again.`,
      );
    this.token = token;
    return token.token;
  }

  private send(spec: RequestSpec): Promise<HttpResult> {
    const started = this.clock.now();
    const url = this.url(spec.path, spec.query);
    return retry((attempt) => this.tryOnce(spec, url, attempt, started), this.policy, {
      clock: this.clock,
      onRetry: (wait) =>
        this.onRetry?.({
          operation: spec.operation,
          attempt: wait.attempt,
          delayMs: wait.delayMs,
          kind: wait.budget === "attempts" ? "transient" : "authorization",
          reason: wait.reason,
        }),
    });
  }

  /** One request: its answer, or the failure and the budget it spends (see classifyStatus). */
  private async tryOnce(
    spec: RequestSpec,
    url: URL,
    attempt: number,
    started: number,
  ): Promise<TryOutcome<HttpResult>> {
    const token = await this.accessToken();
    try {
      const response = await fetch(url, {
        method: spec.method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          "x-ms-client-request-id": randomUUID(),
          ...(spec.body !== undefined ? { "Content-Type": "application/json" } : {}),
          ...spec.headers,
        },
        body: spec.body !== undefined ? JSON.stringify(spec.body) : undefined,
        signal: AbortSignal.timeout(this.retry.requestTimeoutMs),
      });
      const text = await response.text();
      const body = parseJson(text);
      if (response.ok || spec.accept.includes(response.status)) {
        return { ok: true, value: { status: response.status, headers: response.headers, body } };
      }
      const error = serviceError(body);
      const kind = classifyStatus(response.status, error?.code);
      return {
        ok: false,
        budget: budgetOf(kind, spec.waitOutAuthorization !== false),
        reason: `${response.status}${error?.code ? ` ${error.code}` : ""}`,
        retryAfterMs: retryAfterMs(response.headers),
        error: ({ windowRanOut }) => {
          const failure = new SynapseRbacError({
            operation: spec.operation,
            workspaceName: this.workspaceName,
            endpoint: this.endpoint.origin,
            status: response.status,
            code: error?.code,
            serviceMessage: error?.message ?? (text.trim().slice(0, 500) || undefined),
            requestId: response.headers.get("x-ms-request-id") ?? undefined,
            principalId: spec.principalId,
            attempts: attempt,
            elapsedMs: this.clock.now() - started,
          });
          if (windowRanOut)
            failure.message +=
              ` Kept retrying for ${Math.round(this.retry.authRetryWindowMs / 1000)} s (authRetryWindowMs) because new ` +
              `Synapse role assignments take 2-5 minutes to apply and group changes 10-15 minutes or more.`;
          return failure;
        },
      };
    } catch (err) {
      const networkError = describeNetworkError(err, this.retry.requestTimeoutMs);
      return {
        ok: false,
        budget: "attempts",
        reason: networkError,
        error: () =>
          new SynapseRbacError({
            operation: spec.operation,
            workspaceName: this.workspaceName,
            endpoint: this.endpoint.origin,
            networkError,
            attempts: attempt,
            elapsedMs: this.clock.now() - started,
          }),
      };
    }
  }
}

/** The retry budget a failure spends: a count for transient ones, time for a grant still replicating. */
function budgetOf(
  kind: FailureKind,
  waitOutAuthorization: boolean,
): "attempts" | "window" | "none" {
  if (kind === "transient") return "attempts";
  if (kind === "authorization" && waitOutAuthorization) return "window";
  return "none";
}

/**
 * The service's error. Synapse answers `{ error: { code, message } }` (ErrorContract) but the firewall's
 * refusal also comes as a top-level `{ code, message }` (Azure/azure-sdk-for-net#20051:
 * `{"code":"ClientIpAddressNotAuthorized","message":"Client Ip address : ..."}`).
 */
function serviceError(body: unknown): { code?: string; message?: string } | undefined {
  const b = body as {
    error?: { code?: string; message?: string };
    code?: unknown;
    message?: unknown;
  };
  if (b?.error && typeof b.error === "object") return b.error;
  if (b && typeof b.code === "string")
    return { code: b.code, message: typeof b.message === "string" ? b.message : undefined };
  return undefined;
}

/** What to do about an adopted assignment without principalType. */
export function missingPrincipalTypeNotice(
  a: SynapseRoleAssignment,
  workspaceName: string,
): string {
  return (
    `the existing Synapse role assignment ${a.id} (role ${a.roleDefinitionId}, principal ${a.principalId}, scope ${a.scope}) ` +
    `on workspace "${workspaceName}" has no principalType, so Synapse SQL may map the principal to the wrong SID ` +
    `(hashicorp/terraform-provider-azurerm#24089). It is kept as it is; to fix it, remove it in Synapse Studio > Manage > ` +
    `Access control and run pulumi up again, which creates it with its principalType.`
  );
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The service's filters are a convenience; matching is decided here, case-insensitively as GUIDs are. */
function matches(a: SynapseRoleAssignment, filter: RoleAssignmentFilter): boolean {
  return (
    (filter.roleId === undefined || sameId(a.roleDefinitionId, filter.roleId)) &&
    (filter.principalId === undefined || sameId(a.principalId, filter.principalId)) &&
    (filter.scope === undefined || sameId(a.scope, filter.scope))
  );
}

/** Our deterministic id if it is among the matches, else the first match. */
function pick(
  found: SynapseRoleAssignment[],
  assignmentId: string,
): SynapseRoleAssignment | undefined {
  return found.find((a) => sameId(a.id, assignmentId)) ?? found[0];
}

// One-call forms, for the provider and the CLI: each builds a client for one operation.

export type EndpointOptions = Omit<SynapseRbacClientOptions, "endpoint"> & { endpoint: string };

export async function ensureRoleAssignment(
  args: EnsureRoleAssignmentArgs & EndpointOptions,
): Promise<EnsureRoleAssignmentResult> {
  const { roleId, principalId, principalType, scope, assignmentId, roleName, ...options } = args;
  const workspaceName =
    options.workspaceName ?? workspaceNameFor(parseSynapseEndpoint(options.endpoint), scope);
  const client = new SynapseRbacClient({ ...options, workspaceName });
  return client.ensureRoleAssignment({
    roleId,
    principalId,
    principalType,
    scope,
    assignmentId,
    roleName,
  });
}

export async function deleteRoleAssignment(
  args: { assignmentId: string } & EndpointOptions,
): Promise<{ existed: boolean }> {
  const { assignmentId, ...options } = args;
  return new SynapseRbacClient(options).deleteRoleAssignment(assignmentId);
}

export async function getRoleAssignment(
  args: { assignmentId: string } & EndpointOptions,
): Promise<SynapseRoleAssignment | undefined> {
  const { assignmentId, ...options } = args;
  return new SynapseRbacClient(options).getRoleAssignment(assignmentId);
}

export async function lookUpRoleAssignment(
  args: Required<RoleAssignmentFilter> & EndpointOptions,
): Promise<RoleAssignmentLookup> {
  const { roleId, principalId, scope, ...options } = args;
  return new SynapseRbacClient(options).lookUpRoleAssignment({ roleId, principalId, scope });
}

export async function listRoleAssignments(
  args: RoleAssignmentFilter & EndpointOptions,
): Promise<SynapseRoleAssignment[]> {
  const { roleId, principalId, scope, ...options } = args;
  return new SynapseRbacClient(options).listRoleAssignments({ roleId, principalId, scope });
}
