// A request policy for the ADLS Gen2 pipeline that adds what the SDK's own retry policy lacks. The
// SDK retries 500, 503 and network errors, per request. Azure Storage signals throttling with 503
// ServerBusy, but a proxy or gateway in between may answer 429, which the SDK does not retry, and the
// SDK sets no client-side timeout, so a hung connection would hang the export. This policy adds both:
// 429 is retried after its Retry-After (capped at maxRetryDelayMs; a second when there is none), and
// every try gets tryTimeoutMs, a timeout retried like a dropped connection. It sits before the SDK's
// retry policy, so each of its tries contains the SDK's tries for 500, 503 and network errors.

import type { Agent } from "node:https";
import type * as DataLake from "@azure/storage-file-datalake";
import { ExportError } from "../../errors";
import { retry, retryAfterMs, type RetryClock, type TryOutcome } from "../retry/retry";
import { statusOf } from "./adlsFailure";

export interface RequestGuardSettings {
  maxTries: number;
  maxRetryDelayMs: number;
  tryTimeoutMs: number;
  agent: Agent | undefined;
  clock?: RetryClock;
}

/** Without a Retry-After, a throttled request waits this long. */
const DEFAULT_THROTTLE_WAIT_MS = 1000;

export function requestGuard(settings: RequestGuardSettings): DataLake.RequestPolicyFactory {
  // The wait is the server's (no backoff of our own): only the count of tries bounds it.
  const policy = {
    maxAttempts: settings.maxTries,
    backoff: { baseDelayMs: 0, maxDelayMs: 0 },
  };
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
        const tryOnce = async (
          attempt: number,
        ): Promise<TryOutcome<DataLake.HttpOperationResponse>> => {
          try {
            const response = await next.sendRequest(request);
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
            if (!timedOut && !throttled)
              return { ok: false, budget: "none", reason: "", error: fail };
            const headers = (
              error as { response?: { headers?: { get(name: string): string | undefined } } }
            ).response?.headers;
            return {
              ok: false,
              budget: "attempts",
              reason: timedOut ? "timeout" : "429",
              retryAfterMs: throttled ? throttleWait(headers) : undefined,
              error: fail,
            };
          }
        };
        return retry(tryOnce, policy, { clock: settings.clock });
      },
    }),
  };
}
