// Retry-After as RFC 9110 section 10.2.3 defines it: delta-seconds (1*DIGIT) or an HTTP-date in one
// of its three forms (section 5.6.7), and nothing else. A garbled value is unreadable (undefined, so
// the caller's own backoff applies), never a date in the past that means "retry at once", which is
// what V8's lenient Date.parse made of "-1", "soon 12", "abc 2020" and "12 13".

import { expect } from "chai";
import { retryAfterMs } from "../../src/engine/retry/retry";

const headers = (values: Record<string, string>) => ({
  get: (name: string) => values[name.toLowerCase()],
});

/** RFC 9110's example instant, Sun, 06 Nov 1994 08:49:37 GMT: 784111777 seconds after the epoch. */
const EXAMPLE = 784_111_777_000;
const NOW = EXAMPLE - 5_000;

describe("retryAfterMs: Retry-After as RFC 9110 defines it", () => {
  it("reads delta-seconds, 0 included", () => {
    expect(retryAfterMs(headers({ "retry-after": "120" }), NOW)).to.equal(120_000);
    expect(retryAfterMs(headers({ "retry-after": "0" }), NOW)).to.equal(0);
    expect(retryAfterMs(headers({ "retry-after": " 7 " }), NOW)).to.equal(7_000);
  });

  it("reads the IMF-fixdate form", () => {
    expect(retryAfterMs(headers({ "retry-after": "Sun, 06 Nov 1994 08:49:37 GMT" }), NOW)).to.equal(
      5_000,
    );
  });

  it("reads the obsolete rfc850-date form (a two-digit year)", () => {
    expect(
      retryAfterMs(headers({ "retry-after": "Sunday, 06-Nov-94 08:49:37 GMT" }), NOW),
    ).to.equal(5_000);
  });

  it("reads the obsolete asctime-date form (a day padded with a space)", () => {
    expect(retryAfterMs(headers({ "retry-after": "Sun Nov  6 08:49:37 1994" }), NOW)).to.equal(
      5_000,
    );
  });

  it("waits 0, not less, for an HTTP-date already past", () => {
    expect(
      retryAfterMs(headers({ "retry-after": "Sun, 06 Nov 1994 08:49:37 GMT" }), EXAMPLE + 60_000),
    ).to.equal(0);
  });

  for (const value of [
    "-1",
    "soon 12",
    "abc 2020",
    "12 13",
    "1.5",
    "+5",
    "1e3",
    "",
    "Sun, 06 Nov 1994 08:49:37 UTC",
    "Sun, 31 Feb 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 25:49:37 GMT",
    "2020-01-01T00:00:00Z",
    "Nov 6 1994",
  ]) {
    it(`refuses ${JSON.stringify(value)} as unreadable (undefined, not a wait of 0)`, () => {
      expect(retryAfterMs(headers({ "retry-after": value }), NOW)).to.equal(undefined);
    });
  }

  it("prefers Azure's retry-after-ms and x-ms-retry-after-ms", () => {
    expect(retryAfterMs(headers({ "retry-after-ms": "250", "retry-after": "9" }), NOW)).to.equal(
      250,
    );
    expect(retryAfterMs(headers({ "x-ms-retry-after-ms": "40" }), NOW)).to.equal(40);
  });
});
