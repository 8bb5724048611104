// When to try an Azure REST request again (the Synapse data plane, ARM), and how long to wait; the
// waiting itself is `retry` (./retry.ts). Two budgets, because the
// failures differ: throttling, 5xx and broken connections clear in seconds and are bounded by a number
// of attempts; authorization failures right after a grant (the caller's own Synapse Administrator
// assignment, a new firewall rule, a principal created a moment ago) clear only once the change has
// replicated, so they are bounded by time instead, and then reported as what the user must fix.

import type { RetryPolicy } from "./retry";

export interface RetryOptions {
  /** Attempts per request for throttling, 5xx, timeouts and broken connections. Default 8. */
  maxAttempts?: number;
  /** First backoff step; doubles each attempt, with full jitter. Default 1000 ms. */
  baseDelayMs?: number;
  /** Ceiling for one backoff wait. A server's Retry-After is honoured beyond it (see MAX_RETRY_AFTER_MS). Default 30 000 ms. */
  maxDelayMs?: number;
  /**
   * How long to keep retrying 401/403 and "principal not found" answers, which are what a fresh
   * assignment or firewall rule looks like until it has replicated. Synapse RBAC changes take 2-5 minutes
   * and group membership changes 10-15 minutes or more ("How to manage Synapse RBAC role assignments",
   * learn.microsoft.com/azure/synapse-analytics/security/how-to-manage-synapse-rbac-role-assignments).
   * Default 600 000 ms (10 minutes, as the storage wait).
   */
  authRetryWindowMs?: number;
  /** Per-request timeout. Default 30 000 ms. */
  requestTimeoutMs?: number;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<Required<RetryOptions>> = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  authRetryWindowMs: 600_000,
  requestTimeoutMs: 30_000,
};

/** A Retry-After longer than this fails the request at once: waiting that long inside `pulumi up` helps nobody. */
export const MAX_RETRY_AFTER_MS = 300_000;

export function resolveRetryOptions(options: RetryOptions = {}): Required<RetryOptions> {
  const resolved = { ...DEFAULT_RETRY_OPTIONS };
  for (const key of Object.keys(DEFAULT_RETRY_OPTIONS) as (keyof RetryOptions)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0 || (key === "maxAttempts" && value < 1)) {
      throw new Error(
        `retry option "${key}" must be a non-negative number (maxAttempts at least 1), got ${value}`,
      );
    }
    resolved[key] = value;
  }
  return resolved;
}

/** The loop's policy for these options: full jitter (HTTP clients), Retry-After honoured up to MAX_RETRY_AFTER_MS. */
export function restRetryPolicy(options: Required<RetryOptions>): RetryPolicy {
  return {
    maxAttempts: options.maxAttempts,
    backoff: { baseDelayMs: options.baseDelayMs, maxDelayMs: options.maxDelayMs, jitter: "full" },
    window: { forMs: options.authRetryWindowMs },
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
  };
}

/** The kinds of failure, by what waiting can do about them. */
export type FailureKind =
  /** 429, 5xx, timeout, reset connection: wait and retry, bounded by attempts. */
  | "transient"
  /** 401/403 or an unknown principal: may be replication, retried within the auth window. */
  | "authorization"
  /** Anything else (400, 404, 409 ...): retrying will not help. */
  | "permanent";

const PRINCIPAL_NOT_FOUND_CODES = new Set(["invalidprincipalid", "principalnotfound"]);

export function classifyStatus(status: number, errorCode: string | undefined): FailureKind {
  if (status === 408 || status === 429 || status >= 500) return "transient";
  if (status === 401 || status === 403) return "authorization";
  if (status === 400 && errorCode && PRINCIPAL_NOT_FOUND_CODES.has(errorCode.toLowerCase()))
    return "authorization";
  return "permanent";
}
