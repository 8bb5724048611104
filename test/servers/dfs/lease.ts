// The lease of one path, as the Blob service's Lease Blob operation describes it (PUT ?comp=lease with
// x-ms-lease-action acquire | renew | release | break): states available, leased, expired, breaking,
// broken; fixed leases of 15-60 s or infinite (-1). The Data Lake spec's Path_Lease describes the same
// actions. The minimum duration is configurable so tests can watch a lease expire in about a second.

import { randomUUID } from "node:crypto";
import { StorageError } from "./storageError";

export type LeaseState = "available" | "leased" | "expired" | "breaking" | "broken";

const GUID = /^[{(]?[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}[)}]?$/i;

export class Lease {
  private id: string | undefined;
  /** Epoch ms when a fixed lease runs out (Infinity for an infinite lease). */
  private expiresAt = 0;
  /** Epoch ms when a breaking lease becomes broken. */
  private breaksAt = 0;
  private stored: "available" | "leased" | "breaking" | "broken" = "available";
  /** The duration the holder asked for, in ms; undefined for an infinite lease. */
  private durationMs: number | undefined;

  constructor(private readonly minSeconds: number) {}

  state(now = Date.now()): LeaseState {
    if (this.stored === "leased" && now >= this.expiresAt) return "expired";
    if (this.stored === "breaking" && now >= this.breaksAt) return "broken";
    return this.stored;
  }

  /** A lease that still restricts writes: leased or breaking. */
  isActive(now = Date.now()): boolean {
    const state = this.state(now);
    return state === "leased" || state === "breaking";
  }

  get leaseId(): string | undefined {
    return this.id;
  }

  get duration(): "infinite" | "fixed" {
    return this.durationMs === undefined ? "infinite" : "fixed";
  }

  /** Seconds left before a breaking lease is broken (the x-ms-lease-time of a break). */
  private breakSecondsLeft(now: number): number {
    return Math.max(0, Math.ceil((this.breaksAt - now) / 1000));
  }

  acquire(
    proposedId: string | undefined,
    durationHeader: string | undefined,
    now = Date.now(),
  ): string {
    const seconds = this.parseDuration(durationHeader);
    const id = proposedId ?? randomUUID();
    if (!GUID.test(id))
      throw new StorageError(
        400,
        "InvalidHeaderValue",
        "The value for x-ms-proposed-lease-id is not a GUID.",
      );
    const state = this.state(now);
    if (state === "breaking") {
      throw new StorageError(
        409,
        "LeaseIsBreakingAndCannotBeAcquired",
        "There is already a breaking lease on the blob.",
      );
    }
    if (state === "leased" && this.id !== id) {
      throw new StorageError(409, "LeaseAlreadyPresent", "There is already a lease present.");
    }
    this.id = id;
    this.stored = "leased";
    this.durationMs = seconds === -1 ? undefined : seconds * 1000;
    this.expiresAt = this.durationMs === undefined ? Infinity : now + this.durationMs;
    return id;
  }

  renew(leaseId: string | undefined, now = Date.now()): string {
    const state = this.state(now);
    this.requireMatchingId(leaseId, state);
    if (state === "breaking" || state === "broken") {
      throw new StorageError(
        409,
        "LeaseIsBrokenAndCannotBeRenewed",
        "The lease is broken and cannot be renewed.",
      );
    }
    // An expired lease can be renewed by its holder as long as nobody leased the blob since.
    this.stored = "leased";
    this.expiresAt = this.durationMs === undefined ? Infinity : now + this.durationMs;
    return this.id!;
  }

  release(leaseId: string | undefined, now = Date.now()): void {
    this.requireMatchingId(leaseId, this.state(now));
    this.stored = "available";
    this.id = undefined;
  }

  /** Returns the seconds until the lease is broken. */
  break(breakPeriodHeader: string | undefined, now = Date.now()): number {
    const state = this.state(now);
    if (state === "available") {
      throw new StorageError(
        409,
        "LeaseNotPresentWithLeaseOperation",
        "There is currently no lease on the blob.",
      );
    }
    if (state === "broken" || state === "expired") {
      this.stored = "broken";
      this.breaksAt = now;
      return 0;
    }
    // Without a break period a fixed lease runs out its time and an infinite one breaks at once.
    const remaining = this.durationMs === undefined ? 0 : Math.max(0, this.expiresAt - now);
    let period = remaining;
    if (breakPeriodHeader !== undefined) {
      const seconds = Number(breakPeriodHeader);
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 60) {
        throw new StorageError(
          400,
          "InvalidHeaderValue",
          "x-ms-lease-break-period must be between 0 and 60.",
        );
      }
      period = this.durationMs === undefined ? seconds * 1000 : Math.min(seconds * 1000, remaining);
    }
    const breaksAt = now + period;
    if (state === "breaking") this.breaksAt = Math.min(this.breaksAt, breaksAt);
    else this.breaksAt = breaksAt;
    this.stored = period === 0 ? "broken" : "breaking";
    return this.breakSecondsLeft(now);
  }

  /**
   * The check every write makes: with an active lease the request must carry its id; without one it
   * must not carry any.
   */
  checkWrite(leaseId: string | undefined, now = Date.now()): void {
    if (this.isActive(now)) {
      if (!leaseId)
        throw new StorageError(
          412,
          "LeaseIdMissing",
          "There is currently a lease on the blob and no lease ID was specified in the request.",
        );
      if (leaseId !== this.id) {
        throw new StorageError(
          412,
          "LeaseIdMismatchWithBlobOperation",
          "The lease ID specified did not match the lease ID for the blob.",
        );
      }
    } else if (leaseId) {
      throw new StorageError(
        412,
        "LeaseNotPresentWithBlobOperation",
        "There is currently no lease on the blob.",
      );
    }
  }

  /** What an overwrite by create or rename does to the destination's lease (Path_Create: it is broken). */
  breakForOverwrite(): void {
    this.stored = "available";
    this.id = undefined;
  }

  private parseDuration(header: string | undefined): number {
    const seconds = Number(header);
    const valid =
      header !== undefined &&
      Number.isInteger(seconds) &&
      (seconds === -1 || (seconds >= this.minSeconds && seconds <= 60));
    if (!valid) {
      throw new StorageError(
        400,
        "InvalidHeaderValue",
        `x-ms-lease-duration must be -1 (infinite) or between ${this.minSeconds} and 60 seconds; got ${header}.`,
      );
    }
    return seconds;
  }

  private requireMatchingId(leaseId: string | undefined, state: LeaseState): void {
    if (state === "available" || this.id === undefined) {
      throw new StorageError(
        409,
        "LeaseNotPresentWithLeaseOperation",
        "There is currently no lease on the blob.",
      );
    }
    if (leaseId !== this.id) {
      throw new StorageError(
        409,
        "LeaseIdMismatchWithLeaseOperation",
        "The lease ID specified did not match the lease ID for the blob.",
      );
    }
  }
}
