// How long a deploy's operation takes a storage 403 for a grant still applying: until ten minutes
// after the newest grant was made; from the operation's start when that is not known.

import { expect } from "chai";
import {
  FRESH_GRANTS_WINDOW_MS,
  freshGrantsUntil,
  newestGrantMadeAt,
} from "../../src/plan/grantWindow";

describe("the grants' window", () => {
  const T = Date.parse("2026-12-04T03:00:00.000Z");
  const iso = (ms: number) => new Date(ms).toISOString();

  it("starts at the newest grant", () => {
    expect(newestGrantMadeAt([iso(T - 5_000), iso(T), iso(T - 60_000)])).to.equal(iso(T));
  });

  it("is not known when one grant's time is not (a state from before madeAt)", () => {
    expect(newestGrantMadeAt([iso(T), ""])).to.equal("");
    expect(newestGrantMadeAt([iso(T), undefined])).to.equal("");
    expect(newestGrantMadeAt(["not a time"])).to.equal("");
  });

  it("is long over when the stack makes no grant", () => {
    expect(freshGrantsUntil(newestGrantMadeAt([]), T)).to.be.lessThan(T);
  });

  it("ends ten minutes after the newest grant, or after the start when that is not known", () => {
    expect(FRESH_GRANTS_WINDOW_MS).to.equal(600_000);
    expect(freshGrantsUntil(iso(T - 60_000), T)).to.equal(T + 540_000);
    expect(freshGrantsUntil(iso(T - 3_600_000), T)).to.equal(T - 3_000_000);
    expect(freshGrantsUntil("", T)).to.equal(T + 600_000);
    expect(freshGrantsUntil(undefined, T)).to.equal(T + 600_000);
    // A grant "made" after the operation started (a clock that moved) waits no longer than a new one.
    expect(freshGrantsUntil(iso(T + 3_600_000), T)).to.equal(T + 600_000);
  });
});
