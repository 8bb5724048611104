// The one way the engine waits and tries again. Every caller (the lake's request guard, Synapse SQL,
// the Synapse RBAC and ARM role-assignment clients) runs its tries through `retry`, and says for each
// failure which budget it spends: `attempts` (throttling, 5xx, timeouts, dropped connections: they
// clear in seconds, so a count bounds them), `window` (a grant or principal that has not replicated
// yet: it clears in minutes, so time bounds it) or `none` (retrying will not help).
//
// Why not a library: p-retry (the well-kept one) is ESM-only since v5 while this package is CommonJS,
// waits with its own setTimeout (no injectable clock, so a 10-minute window would cost 10 minutes of
// test time), has one budget per loop and no notion of a server's Retry-After. What is needed here is
// the small loop below.

import { setTimeout as realSleep } from "node:timers/promises";
import { parseHttpDate } from "./httpDate";

/** Time as a retry loop sees it; tests inject one so that waits cost no wall-clock time. */
export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: RetryClock = { now: () => Date.now(), sleep: (ms) => realSleep(ms) };

/**
 * Exponential backoff. `full` jitter waits a random time in [0, step) (spreads a crowd of HTTP clients
 * best); `equal` jitter keeps half the step fixed, so a retry never comes at once (what Azure SQL's
 * connectivity guidance asks of a reconnect).
 */
export interface Backoff {
  baseDelayMs: number;
  maxDelayMs: number;
  jitter?: "full" | "equal";
}

/** How a caller bounds its retries. */
export interface RetryPolicy {
  /** Tries that may spend the `attempts` budget, the first one included. */
  maxAttempts: number;
  backoff: Backoff;
  /**
   * When the `window` budget ends: `forMs` after the first such failure, or at the epoch ms `untilMs`.
   * Without it, a `window` failure is not retried.
   */
  window?: { forMs: number } | { untilMs: number };
  /** A server asking for a longer wait than this fails the try at once (waiting helps nobody). */
  maxRetryAfterMs?: number;
}

/** What one try gave: a value, or a failure and the budget it spends. */
export type TryOutcome<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      budget: "attempts" | "window" | "none";
      /** The error to throw when no retry is left; `windowRanOut` says the time window ended. */
      error: (details: { attempts: number; windowRanOut: boolean }) => Error;
      /** For the wait's progress line, e.g. "429 TooManyRequests". */
      reason: string;
      /** The wait the server asked for (Retry-After); the loop waits at least this long. */
      retryAfterMs?: number;
    };

export interface RetryWait {
  /** The try that just failed (1-based). */
  attempt: number;
  delayMs: number;
  budget: "attempts" | "window";
  reason: string;
}

export interface RetryHooks {
  clock?: RetryClock;
  random?: () => number;
  /** Told before each wait, so a CLI can say why it is waiting. */
  onRetry?: (wait: RetryWait) => void;
}

/** The wait before retry number `retry` (0-based): the step doubles each time, capped at maxDelayMs. */
export function backoffDelayMs(
  retry: number,
  backoff: Backoff,
  random: () => number = Math.random,
): number {
  const step = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.min(retry, 30));
  if (backoff.jitter === "equal") return Math.round(step / 2 + (random() * step) / 2);
  return Math.floor(random() * step);
}

/**
 * The wait a server asked for, in ms: `retry-after-ms` / `x-ms-retry-after-ms` (what Azure services
 * send), else `Retry-After` as seconds or an HTTP date (RFC 9110 section 10.2.3). Undefined when absent
 * or unreadable: what to wait then is the caller's policy.
 */
export function retryAfterMs(
  headers: { get(name: string): string | null | undefined },
  now: number = Date.now(),
): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = headers.get(name);
    if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()))
      return Math.ceil(Number(value));
  }
  const retryAfter = headers.get("retry-after");
  if (typeof retryAfter !== "string") return undefined;
  // delta-seconds is 1*DIGIT: no sign, no fraction; else an HTTP-date in one of its three forms.
  const value = retryAfter.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = parseHttpDate(value, now);
  return date === undefined ? undefined : Math.max(0, date - now);
}

/** Runs `tryOnce` until it succeeds or its failure's budget is spent, waiting between tries. */
export async function retry<T>(
  tryOnce: (attempt: number) => Promise<TryOutcome<T>>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const clock = hooks.clock ?? SYSTEM_CLOCK;
  let attemptsSpent = 0;
  let windowEndsAt: number | undefined;
  for (let attempt = 1; ; attempt++) {
    const outcome = await tryOnce(attempt);
    if (outcome.ok) return outcome.value;
    const fail = (windowRanOut = false) => outcome.error({ attempts: attempt, windowRanOut });
    if (outcome.budget === "none") throw fail();
    if (
      outcome.retryAfterMs !== undefined &&
      policy.maxRetryAfterMs !== undefined &&
      outcome.retryAfterMs > policy.maxRetryAfterMs
    )
      throw fail();
    let delayMs = Math.max(
      backoffDelayMs(attempt - 1, policy.backoff, hooks.random),
      outcome.retryAfterMs ?? 0,
    );
    if (outcome.budget === "attempts") {
      attemptsSpent++;
      if (attemptsSpent >= policy.maxAttempts) throw fail();
    } else {
      if (!policy.window) throw fail();
      windowEndsAt ??=
        "untilMs" in policy.window ? policy.window.untilMs : clock.now() + policy.window.forMs;
      const left = windowEndsAt - clock.now();
      if (left <= 0) throw fail(true);
      delayMs = Math.min(delayMs, left);
    }
    hooks.onRetry?.({ attempt, delayMs, budget: outcome.budget, reason: outcome.reason });
    await clock.sleep(delayMs);
  }
}
