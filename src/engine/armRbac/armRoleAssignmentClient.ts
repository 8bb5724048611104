// Azure (ARM) role assignments through Microsoft.Authorization's REST API, so that an assignment which
// already exists is adopted instead of failing the deployment. ARM refuses a second assignment of the
// same role, principal and scope with 409 RoleAssignmentExists ("The role assignment already exists.",
// Azure/azure-cli#8568, hashicorp/terraform-provider-azurerm#30558), and Azure itself makes one in the
// most common setup: "If the workspace creator is also Owner of the ADLS Gen2 storage account, then
// Azure Synapse will assign the Storage Blob Data Contributor role to the managed identity" (Synapse
// workspace creation page). So: look for an assignment of the same (scope, principal, role) first and
// adopt it (never to be deleted by us); else PUT our deterministic name; a 409 from a race is looked up
// again and adopted.
//
// REST: Azure/azure-rest-api-specs specification/authorization/resource-manager/Microsoft.Authorization/
// stable/2022-04-01/authorization-RoleAssignmentsCalls.json (RoleAssignments_ListForScope with
// `$filter=principalId eq '{id}'` returning assignments at, above and below the scope and a nextLink;
// RoleAssignments_Create, _Get, _Delete answering 200 or 204).

import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/core-auth";
import { getAzureCredential } from "../azureCredential";
import { ExportError } from "../../errors";
import {
  classifyStatus,
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

export const ARM_ENDPOINT = "https://management.azure.com";
/** Tokens are for ARM's resource id whatever host serves it (a loopback test server included). */
export const ARM_SCOPE = "https://management.azure.com/.default";
export const ARM_ROLE_ASSIGNMENTS_API_VERSION = "2022-04-01";

/** Looks for the assignment a 409 says exists: 6 in all, waits of up to 1, 2, 4, 8, 10 s (full jitter). */
const RACED_LOOK_UP: RetryPolicy = {
  maxAttempts: 6,
  backoff: { baseDelayMs: 1000, maxDelayMs: 10_000, jitter: "full" },
};

export interface ArmRoleAssignment {
  id: string;
  name: string;
  properties: {
    roleDefinitionId: string;
    principalId: string;
    principalType?: string | null;
    scope: string;
    description?: string | null;
  };
}

export interface ArmClientOptions extends RetryOptions {
  /** Default https://management.azure.com. */
  endpoint?: string;
  credential?: TokenCredential;
  clock?: RetryClock;
}

export interface EnsureArmRoleAssignmentArgs {
  scope: string;
  /** Our deterministic name (a GUID). */
  roleAssignmentName: string;
  /** The full role definition resource id, /subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>. */
  roleDefinitionId: string;
  principalId: string;
  principalType?: string;
  description?: string;
}

export interface EnsureArmRoleAssignmentResult {
  /** The ARM id of the assignment, ours or the adopted one's. */
  id: string;
  /** True when an assignment of this role, principal and scope existed under another name. */
  adopted: boolean;
  /** False for an adopted assignment: delete must leave it. */
  owned: boolean;
  /**
   * False when the assignment exists but could not be seen (the list was refused and the PUT answered
   * RoleAssignmentExists): `id` is then our deterministic one, not the assignment's.
   */
  idKnown: boolean;
  assignment: ArmRoleAssignment;
}

/** What a look-up by (scope, principal, role) saw: the assignment, none, or a refusal to list. */
export type ArmLookup =
  | { refused: false; found: EnsureArmRoleAssignmentResult | undefined }
  | { refused: true; status: number };

/**
 * Whether a stored assignment exists under an id nobody could read: adopted (so not ours), yet recorded
 * under our own deterministic name, which only the refused-list path does. A GET of that id answers 404
 * although the assignment is there, so a refresh looks it up by what it grants instead.
 */
export function adoptedWithUnknownId(state: Record<string, unknown>): boolean {
  if (typeof state.idKnown === "boolean") return !state.idKnown;
  const id = String(state.assignmentId ?? "").toLowerCase();
  return (
    state.adopted === true &&
    state.owned === false &&
    id.endsWith(`/roleassignments/${String(state.roleAssignmentName ?? "").toLowerCase()}`)
  );
}

export class ArmRbacError extends ExportError {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super("rbac", message);
    this.name = "ArmRbacError";
  }
}

const lower = (s: string | null | undefined) => (s ?? "").toLowerCase();
const guidOf = (roleDefinitionId: string) => lower(roleDefinitionId.split("/").pop());

/** The same grant: scope and principal compared as ARM compares them (case-insensitively), role by its GUID. */
export function sameGrant(a: ArmRoleAssignment, wanted: EnsureArmRoleAssignmentArgs): boolean {
  return (
    lower(a.properties.scope) === lower(wanted.scope) &&
    lower(a.properties.principalId) === lower(wanted.principalId) &&
    guidOf(a.properties.roleDefinitionId) === guidOf(wanted.roleDefinitionId)
  );
}

export class ArmRoleAssignmentClient {
  private readonly endpoint: string;
  private readonly credential: TokenCredential;
  private readonly clock: RetryClock;
  private readonly retry: Required<RetryOptions>;
  private readonly policy: RetryPolicy;

  constructor(options: ArmClientOptions = {}) {
    this.endpoint = (options.endpoint ?? ARM_ENDPOINT).replace(/\/+$/, "");
    this.credential = options.credential ?? getAzureCredential();
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.retry = resolveRetryOptions(options);
    // 401/403 from ARM are the caller's missing rights, not replication: no time window, only the
    // attempts budget for throttling, 5xx and broken connections.
    this.policy = { ...restRetryPolicy(this.retry), window: undefined };
  }

  /** Assignments of `principalId` at, above and below `scope`, every page. */
  async listForPrincipal(scope: string, principalId: string): Promise<ArmRoleAssignment[]> {
    const all: ArmRoleAssignment[] = [];
    let url: string | undefined = this.url(
      `${scope}/providers/Microsoft.Authorization/roleAssignments`,
      {
        $filter: `principalId eq '${principalId}'`,
      },
    );
    for (let page = 0; url && page < 1000; page++) {
      const { body } = await this.send(
        "GET",
        url,
        `list role assignments of ${principalId} at ${scope}`,
      );
      const b = body as { value?: ArmRoleAssignment[]; nextLink?: string };
      all.push(...(b?.value ?? []));
      url = b?.nextLink || undefined;
    }
    return all;
  }

  async ensure(args: EnsureArmRoleAssignmentArgs): Promise<EnsureArmRoleAssignmentResult> {
    const id = `${args.scope}/providers/Microsoft.Authorization/roleAssignments/${args.roleAssignmentName}`;
    // Reading assignments is part of every role that may write them (Owner, User Access Administrator);
    // a custom role that may only write is refused the look-up: then write, and treat a 409 as adopted.
    let listRefused = false;
    const found = await this.findExisting(args).catch((err: unknown) => {
      if (err instanceof ArmRbacError && err.status === 403) {
        listRefused = true;
        return undefined;
      }
      throw err;
    });
    if (found) return found;
    try {
      const { body } = await this.send(
        "PUT",
        this.url(id),
        `assign role ${guidOf(args.roleDefinitionId)} to ${args.principalId} at ${args.scope}`,
        {
          properties: {
            roleDefinitionId: args.roleDefinitionId,
            principalId: args.principalId,
            ...(args.principalType ? { principalType: args.principalType } : {}),
            ...(args.description ? { description: args.description } : {}),
          },
        },
      );
      const assignment = body as ArmRoleAssignment;
      return { id: assignment?.id ?? id, adopted: false, owned: true, idKnown: true, assignment };
    } catch (err) {
      if (!(err instanceof ArmRbacError) || err.code !== "RoleAssignmentExists") throw err;
      if (listRefused) {
        // It exists, and we may not see it: recorded as adopted and not owned, so it is never deleted.
        const assignment: ArmRoleAssignment = {
          id,
          name: args.roleAssignmentName,
          properties: {
            roleDefinitionId: args.roleDefinitionId,
            principalId: args.principalId,
            principalType: args.principalType,
            scope: args.scope,
          },
        };
        return { id, adopted: true, owned: false, idKnown: false, assignment };
      }
      // Made between our look-up and our PUT (by Azure or someone else): adopt it. ARM's reads may
      // lag its writes ("Azure Resource Manager sometimes caches configurations and data to improve
      // performance", learn.microsoft.com/answers/questions/524792), so the list is asked a few
      // times before the 409 is the answer.
      return retry(
        async (): Promise<TryOutcome<EnsureArmRoleAssignmentResult>> => {
          const raced = await this.findExisting(args);
          if (raced) return { ok: true, value: raced };
          return { ok: false, budget: "attempts", reason: "not listed yet", error: () => err };
        },
        RACED_LOOK_UP,
        { clock: this.clock },
      );
    }
  }

  async get(id: string): Promise<ArmRoleAssignment | undefined> {
    const { status, body } = await this.send(
      "GET",
      this.url(id),
      `read role assignment ${id}`,
      undefined,
      [404],
    );
    return status === 404 ? undefined : (body as ArmRoleAssignment);
  }

  /** Deletes by id; gone already (204, 404) counts as deleted. */
  async delete(id: string): Promise<{ existed: boolean }> {
    const { status } = await this.send(
      "DELETE",
      this.url(id),
      `delete role assignment ${id}`,
      undefined,
      [404],
    );
    return { existed: status === 200 };
  }

  /** An assignment of the same (scope, principal, role): ours (owned) or someone else's (adopted). */
  async findExisting(
    args: EnsureArmRoleAssignmentArgs,
  ): Promise<EnsureArmRoleAssignmentResult | undefined> {
    const matches = (await this.listForPrincipal(args.scope, args.principalId)).filter((a) =>
      sameGrant(a, args),
    );
    const ours = matches.find((a) => lower(a.name) === lower(args.roleAssignmentName));
    if (ours) return { id: ours.id, adopted: false, owned: true, idKnown: true, assignment: ours };
    const theirs = matches[0];
    return (
      theirs && { id: theirs.id, adopted: true, owned: false, idKnown: true, assignment: theirs }
    );
  }

  /** findExisting, with a refused list (403: no Microsoft.Authorization/roleAssignments/read) as an answer. */
  async lookUp(args: EnsureArmRoleAssignmentArgs): Promise<ArmLookup> {
    try {
      return { refused: false, found: await this.findExisting(args) };
    } catch (err) {
      if (err instanceof ArmRbacError && err.status === 403) return { refused: true, status: 403 };
      throw err;
    }
  }

  private url(path: string, query: Record<string, string> = {}): string {
    const url = new URL(`${this.endpoint}${path}`);
    url.searchParams.set("api-version", ARM_ROLE_ASSIGNMENTS_API_VERSION);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url.toString();
  }

  private send(
    method: "GET" | "PUT" | "DELETE",
    url: string,
    operation: string,
    body?: unknown,
    accept: number[] = [],
  ): Promise<{ status: number; body: unknown }> {
    return retry(() => this.tryOnce(method, url, operation, body, accept), this.policy, {
      clock: this.clock,
    });
  }

  private async tryOnce(
    method: "GET" | "PUT" | "DELETE",
    url: string,
    operation: string,
    body: unknown,
    accept: number[],
  ): Promise<TryOutcome<{ status: number; body: unknown }>> {
    const token = await this.credential.getToken(ARM_SCOPE);
    if (!token)
      throw new ArmRbacError(`No Entra ID token for ${ARM_SCOPE}; sign in with "az login".`);
    try {
      const response = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${token.token}`,
          Accept: "application/json",
          "x-ms-client-request-id": randomUUID(),
          ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.retry.requestTimeoutMs),
      });
      const text = await response.text();
      const parsed = text.trim() ? safeJson(text) : undefined;
      if (response.ok || accept.includes(response.status))
        return { ok: true, value: { status: response.status, body: parsed } };
      const error = (parsed as { error?: { code?: string; message?: string } })?.error;
      const failure = new ArmRbacError(
        `Could not ${operation}: ARM answered ${response.status}${error?.code ? ` ${error.code}` : ""}${error?.message ? `: ${error.message}` : ""}` +
          advice(response.status, error?.code),
        response.status,
        error?.code,
      );
      const transient = classifyStatus(response.status, error?.code) === "transient";
      return {
        ok: false,
        budget: transient ? "attempts" : "none",
        reason: `${response.status}${error?.code ? ` ${error.code}` : ""}`,
        retryAfterMs: transient ? retryAfterMs(response.headers) : undefined,
        error: () => failure,
      };
    } catch (err) {
      const message = `Could not ${operation}: ${(err as Error).message}`;
      return {
        ok: false,
        budget: "attempts",
        reason: (err as Error).message,
        error: () => new ArmRbacError(message),
      };
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function advice(status: number, code: string | undefined): string {
  if (status === 403)
    return ". Fix: the deploying identity needs Owner or User Access Administrator (Microsoft.Authorization/roleAssignments/write) on the scope.";
  if (code === "UnmatchedPrincipalType")
    return ". Fix: set the principal's type as Entra ID knows it (User, Group or ServicePrincipal).";
  if (code === "PrincipalNotFound")
    return ". Fix: use the principal's object id; a principal created moments ago may need a few minutes to replicate.";
  return ".";
}
