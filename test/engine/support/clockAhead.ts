// Preloaded into a real CLI process (`node --require .../clockAhead.js`) to run it as on a machine
// whose clock is CLOCK_AHEAD_MS fast: every `new Date()` and `Date.now()` of that process. No
// faketime here, and a child process cannot be given another system clock otherwise.

const ahead = Number(process.env.CLOCK_AHEAD_MS ?? "0");
if (Number.isFinite(ahead) && ahead !== 0) {
  const RealDate = Date;
  class FastDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + ahead);
      else super(...(args as [string]));
    }
    static override now(): number {
      return RealDate.now() + ahead;
    }
  }
  globalThis.Date = FastDate as DateConstructor;
}

export {};
