// Faults the dfs test server injects, so tests can watch the SDK's retries and the store's error
// messages: throttling (429 with Retry-After), 500 and 503 answers, connections dropped before or after
// the request was processed, and slow answers. Faults come from a queue (exactly these, in order, to
// the requests they match) and from a rate (a seeded random share of the matching requests).

import { seededRandom } from "../../../scripts/lib/seededRandom";

export type Fault =
  | { kind: "status"; status: 429 | 500 | 503; retryAfterSeconds?: number }
  /**
   * 412 LeaseIdMissing: what the real service answers a create or write over a path another holder has
   * leased (the Blob service's Lease Blob page; DESIGN.md), where this server's flow would not reach it.
   */
  | { kind: "status"; status: 412; code: "LeaseIdMissing" }
  /** Destroy the socket without answering; `afterProcessing` applies the request first (a lost answer). */
  | { kind: "drop"; afterProcessing?: boolean }
  /** Answer normally, but only after `ms`. */
  | { kind: "delay"; ms: number }
  /**
   * The same slow answer, released by the test instead of a timer (no clock in the test): `onHeld`
   * says the request has arrived and is being held, the answer follows once `until` settles.
   */
  | { kind: "hold"; until: Promise<unknown>; onHeld?: () => void };

/** What a fault filter sees of a request. */
export interface RequestSummary {
  method: string;
  /** The operation, e.g. create, append, flush, read, list, lease, rename, delete, setMetadata. */
  op: string;
  filesystem: string;
  path: string;
}

export type RequestFilter = (request: RequestSummary) => boolean;

interface QueuedFault {
  fault: Fault;
  match: RequestFilter;
  remaining: number;
}

interface FaultRate {
  probability: number;
  faults: Fault[];
  match: RequestFilter;
  random: () => number;
}

const everyRequest: RequestFilter = () => true;

export class FaultPlan {
  private queue: QueuedFault[] = [];
  private rate: FaultRate | undefined;
  /** How many faults were injected so far. */
  injected = 0;

  /** Inject `fault` into the next `times` requests that `match` (Infinity: every one, a persistent fault). */
  enqueue(fault: Fault, options: { match?: RequestFilter; times?: number } = {}): void {
    this.queue.push({ fault, match: options.match ?? everyRequest, remaining: options.times ?? 1 });
  }

  /** Inject one of `faults`, at random, into a `probability` share of the requests that `match`. */
  setRate(
    probability: number,
    faults: Fault[],
    options: { match?: RequestFilter; seed?: number } = {},
  ): void {
    this.rate = {
      probability,
      faults,
      match: options.match ?? everyRequest,
      random: seededRandom(options.seed ?? 1),
    };
  }

  clear(): void {
    this.queue = [];
    this.rate = undefined;
  }

  next(request: RequestSummary): Fault | undefined {
    const queued = this.queue.find((entry) => entry.remaining > 0 && entry.match(request));
    if (queued) {
      queued.remaining -= 1;
      this.queue = this.queue.filter((entry) => entry.remaining > 0);
      this.injected += 1;
      return queued.fault;
    }
    const rate = this.rate;
    if (rate && rate.match(request) && rate.random() < rate.probability) {
      this.injected += 1;
      return rate.faults[Math.floor(rate.random() * rate.faults.length)];
    }
    return undefined;
  }
}
