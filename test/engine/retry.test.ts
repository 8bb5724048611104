// The one retry loop (src/engine/retry/retry.ts) on a fake clock: which budget a failure spends, when
// each budget ends, and the server's Retry-After. Counted tries and recorded waits, no wall clock.

import { expect } from "chai";
import {
  retry,
  type RetryClock,
  type RetryPolicy,
  type TryOutcome,
} from "../../src/engine/retry/retry";

function fakeClock(start = 1_000_000): RetryClock & { waits: number[] } {
  let now = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
}

const failing = (
  budget: "attempts" | "window" | "none",
  retryAfterMs?: number,
): TryOutcome<never> => ({
  ok: false,
  budget,
  reason: budget,
  retryAfterMs,
  error: ({ attempts, windowRanOut }) =>
    new Error(`gave up after ${attempts}${windowRanOut ? ", window ran out" : ""}`),
});

// No jitter to speak of: random() is 0.5 and full jitter takes half the step.
const POLICY: RetryPolicy = {
  maxAttempts: 3,
  backoff: { baseDelayMs: 100, maxDelayMs: 1000, jitter: "full" },
  window: { forMs: 1000 },
  maxRetryAfterMs: 5000,
};
const random = () => 0.5;

describe("retry", () => {
  it("returns the first success, waiting the backoff between tries", async () => {
    const clock = fakeClock();
    let tries = 0;
    const value = await retry(
      async () => (++tries < 3 ? failing("attempts") : { ok: true, value: "done" }),
      POLICY,
      { clock, random },
    );
    expect(value).to.equal("done");
    expect(tries).to.equal(3);
    // Steps 100 then 200 ms, half of each.
    expect(clock.waits).to.deep.equal([50, 100]);
  });

  it("stops after maxAttempts tries that spend the attempts budget", async () => {
    const clock = fakeClock();
    let tries = 0;
    const error = await retry(
      async () => {
        tries++;
        return failing("attempts");
      },
      POLICY,
      { clock, random },
    ).catch((e: Error) => e);
    expect(tries).to.equal(3);
    expect((error as Error).message).to.equal("gave up after 3");
  });

  it("never retries a failure of budget none", async () => {
    const clock = fakeClock();
    let tries = 0;
    await retry(
      async () => {
        tries++;
        return failing("none");
      },
      POLICY,
      { clock },
    ).catch(() => undefined);
    expect(tries).to.equal(1);
    expect(clock.waits).to.deep.equal([]);
  });

  it("waits out window failures for forMs after the first one, then says the window ran out", async () => {
    const clock = fakeClock();
    let tries = 0;
    const error = await retry(
      async () => {
        tries++;
        return failing("window");
      },
      { ...POLICY, backoff: { baseDelayMs: 400, maxDelayMs: 400, jitter: "equal" } },
      { clock, random },
    ).catch((e: Error) => e);
    // Equal jitter with random 0.5: 300 ms per wait; the last wait is cut to what is left of 1000 ms.
    expect(clock.waits).to.deep.equal([300, 300, 300, 100]);
    expect(tries, "more tries than maxAttempts: time bounds this budget").to.equal(5);
    expect((error as Error).message).to.equal("gave up after 5, window ran out");
  });

  it("ends a window at untilMs, and fails at once when it is already over", async () => {
    const clock = fakeClock(5000);
    let tries = 0;
    await retry(
      async () => {
        tries++;
        return failing("window");
      },
      { ...POLICY, window: { untilMs: 4000 } },
      { clock },
    ).catch(() => undefined);
    expect(tries).to.equal(1);
    expect(clock.waits).to.deep.equal([]);
  });

  it("says the window ran out when it ends at untilMs, at once or after waits cut to its end", async () => {
    const over = await retry(
      async () => failing("window"),
      {
        ...POLICY,
        window: { untilMs: 4000 },
      },
      { clock: fakeClock(5000), random },
    ).catch((e: Error) => e);
    expect((over as Error).message).to.equal("gave up after 1, window ran out");

    const clock = fakeClock(1000);
    let tries = 0;
    const error = await retry(
      async () => {
        tries++;
        return failing("window");
      },
      { ...POLICY, window: { untilMs: 1500 } },
      { clock, random },
    ).catch((e: Error) => e);
    // Full jitter with random 0.5: half of 100, 200, 400, 800; the fourth is cut to the 150 ms left.
    expect(clock.waits).to.deep.equal([50, 100, 200, 150]);
    expect(tries).to.equal(5);
    expect((error as Error).message).to.equal("gave up after 5, window ran out");
  });

  it("spends attempts only on attempts failures: window failures between them are not counted", async () => {
    const clock = fakeClock();
    // Tries 2-4 fail within the window (e.g. a grant not yet visible), 1, 5 and 6 spend attempts.
    const budgets: ("attempts" | "window")[] = [
      "attempts",
      "window",
      "window",
      "window",
      "attempts",
      "attempts",
    ];
    let tries = 0;
    const error = await retry(
      async () => failing(budgets[tries++] ?? "attempts"),
      { ...POLICY, window: { forMs: 60_000 } },
      { clock, random },
    ).catch((e: Error) => e);
    // maxAttempts 3 is reached at the third attempts failure, try 6 (not try 3).
    expect(tries).to.equal(6);
    expect((error as Error).message).to.equal("gave up after 6");
    // Half of 100, 200, 400, 800, then the 1000 ms cap.
    expect(clock.waits).to.deep.equal([50, 100, 200, 400, 500]);
  });

  it("waits at least the server's Retry-After, and fails at once beyond maxRetryAfterMs", async () => {
    const clock = fakeClock();
    let tries = 0;
    await retry(
      async () => (++tries < 2 ? failing("attempts", 2500) : { ok: true, value: 1 }),
      POLICY,
      { clock, random },
    );
    expect(clock.waits).to.deep.equal([2500]);

    const later = fakeClock();
    tries = 0;
    const error = await retry(
      async () => {
        tries++;
        return failing("attempts", 5001);
      },
      POLICY,
      { clock: later },
    ).catch((e: Error) => e);
    expect(tries).to.equal(1);
    expect(later.waits).to.deep.equal([]);
    expect((error as Error).message).to.equal("gave up after 1");
  });

  it("tells each wait before it happens", async () => {
    const clock = fakeClock();
    const told: unknown[] = [];
    let tries = 0;
    await retry(async () => (++tries < 2 ? failing("attempts") : { ok: true, value: 1 }), POLICY, {
      clock,
      random,
      onRetry: (wait) => told.push({ ...wait, waitsSoFar: clock.waits.length }),
    });
    expect(told).to.deep.equal([
      { attempt: 1, delayMs: 50, budget: "attempts", reason: "attempts", waitsSoFar: 0 },
    ]);
  });
});
