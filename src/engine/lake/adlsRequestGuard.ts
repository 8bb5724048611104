// A request policy for the ADLS Gen2 pipeline that adds what the SDK's own retry policy lacks. The
// SDK retries 500, 503 and network errors, per request. Azure Storage signals throttling with 503
// ServerBusy, but a proxy or gateway in between may answer 429, which the SDK does not retry, and the
// SDK sets no client-side timeout, so a hung connection would hang the export. This policy adds both:
// 429 is retried after its Retry-After (capped at maxRetryDelayMs; a second when there is none), and
// every try gets tryTimeoutMs, a timeout retried like a dropped connection. It sits before the SDK's
// retry policy, so each of its tries contains the SDK's tries for 500, 503 and network errors.
//
// A deploy also writes the lake right after the role assignments that let it: "In most cases, it
// takes a minute or two for the role assignment to propagate in Azure. In rare cases, it might take
// up to eight minutes" (MicrosoftDocs/azure-docs, includes/passwordless/event-hub/
// event-hub-storage-assign-roles.md; Microsoft's answer on learn.microsoft.com/answers/questions/524792
// says up to 30). Until then storage answers 403 AuthorizationPermissionMismatch, the answer of an
// identity without a data role. With `freshGrantsUntil`, that answer is waited out until then (the
// time window of retry.ts); after it, or without it (a CLI run), it is the failure with advice.

import type { Agent } from "node:https";
import type * as DataLake from "@azure/storage-file-datalake";
import { ExportError } from "../../errors";
import {
  backoffDelayMs,
  retry,
  retryAfterMs,
  type RetryClock,
  type RetryWait,
  type TryOutcome,
} from "../retry/retry";
import { statusOf } from "./adlsFailure";

export interface RequestGuardSettings {
  maxTries: number;
  maxRetryDelayMs: number;
  tryTimeoutMs: number;
  agent: Agent | undefined;
  clock?: RetryClock;
  /** Epoch ms until which 403 AuthorizationPermissionMismatch is taken as a grant not applied yet. */
  freshGrantsUntil?: number;
  /** Told before each wait for a grant, so a deploy can say why it waits. */
  onGrantWait?: (request: { method: string; path: string }, wait: RetryWait) => void;
}

/** Storage's answer to an identity without a data role (or whose new one has not applied yet). */
const NOT_APPLIED_YET = "AuthorizationPermissionMismatch";
/** A grant's wait: 5 s doubling to 30 s, equal jitter (minutes in all, a few requests). */
const GRANT_BACKOFF = { baseDelayMs: 5_000, maxDelayMs: 30_000, jitter: "equal" as const };

/** The last answer, handed back to the SDK when a wait ends (its RestError carries the advice). */
class LastAnswer extends Error {
  constructor(readonly response: DataLake.HttpOperationResponse) {
    super("the last answer");
  }
}

/** Without a Retry-After, a throttled request waits this long. */
const DEFAULT_THROTTLE_WAIT_MS = 1000;

export function requestGuard(settings: RequestGuardSettings): DataLake.RequestPolicyFactory {
  // The wait is the server's (no backoff of our own): only the count of tries bounds it.
  // A grant's wait ends at freshGrantsUntil (the `window` budget, spent only by the 403 below).
  const policy = {
    maxAttempts: settings.maxTries,
    backoff: { baseDelayMs: 0, maxDelayMs: 0 },
    window: { untilMs: settings.freshGrantsUntil ?? 0 },
  };
  const clock = settings.clock;
  const grantsFresh = () => (clock?.now() ?? Date.now()) < (settings.freshGrantsUntil ?? 0);
  const throttleWait = (headers: { get(name: string): string | null | undefined } | undefined) =>
    Math.min(
      (headers && retryAfterMs(headers)) ?? DEFAULT_THROTTLE_WAIT_MS,
      settings.maxRetryDelayMs,
    );
  return {
    create: (next) => ({
      sendRequest(request) {
        request.timeout = settings.tryTimeoutMs;
        if (settings.agent) request.agent = settings.agent;
        let grantWaits = 0;
        const waitForGrant = (error: () => Error): TryOutcome<DataLake.HttpOperationResponse> => ({
          ok: false,
          budget: "window",
          reason: `403 ${NOT_APPLIED_YET}`,
          // No Retry-After comes with a 403: the wait backs off by itself.
          retryAfterMs: backoffDelayMs(grantWaits++, GRANT_BACKOFF),
          error,
        });
        const notAppliedYet = (
          status: number | undefined,
          headers: { get(name: string): string | null | undefined } | undefined,
        ) => status === 403 && headers?.get("x-ms-error-code") === NOT_APPLIED_YET && grantsFresh();
        const tryOnce = async (
          attempt: number,
        ): Promise<TryOutcome<DataLake.HttpOperationResponse>> => {
          try {
            const response = await next.sendRequest(request);
            if (notAppliedYet(response.status, response.headers)) {
              return waitForGrant(() => new LastAnswer(response));
            }
            if (response.status !== 429) return { ok: true, value: response };
            if (attempt >= settings.maxTries) return { ok: true, value: response };
            return {
              ok: false,
              budget: "attempts",
              reason: "429",
              retryAfterMs: throttleWait(response.headers),
              // Not reached: the last try returns the 429 answer itself (above), which the SDK turns
              // into its RestError and the lake into its failure with advice.
              error: () =>
                new ExportError("lake", `the storage service answered 429 ${attempt} times`),
            };
          } catch (error) {
            const timedOut =
              (error as Error)?.name === "AbortError" && !request.abortSignal?.aborted;
            const throttled = statusOf(error) === 429;
            const fail = () =>
              timedOut
                ? new Error(
                    `no answer within ${settings.tryTimeoutMs} ms, ${attempt} tries (requestTimeoutMs)`,
                    { cause: error },
                  )
                : (error as Error);
            const headers = (
              error as { response?: { headers?: { get(name: string): string | undefined } } }
            ).response?.headers;
            // The SDK's deserialization (after this policy) throws the 403 as its RestError.
            if (notAppliedYet(statusOf(error), headers)) return waitForGrant(fail);
            if (!timedOut && !throttled)
              return { ok: false, budget: "none", reason: "", error: fail };
            return {
              ok: false,
              budget: "attempts",
              reason: timedOut ? "timeout" : "429",
              retryAfterMs: throttled ? throttleWait(headers) : undefined,
              error: fail,
            };
          }
        };
        const looped = retry(tryOnce, policy, {
          clock,
          onRetry: (wait) => {
            if (wait.budget !== "window") return;
            settings.onGrantWait?.(
              { method: request.method, path: new URL(request.url).pathname },
              wait,
            );
          },
        });
        return looped.catch((error: unknown) => {
          if (error instanceof LastAnswer) return error.response;
          throw error;
        });
      },
    }),
  };
}
