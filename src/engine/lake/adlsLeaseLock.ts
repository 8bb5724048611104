// The export lock on ADLS Gen2: a blob lease on a lock file, held for a finite duration and renewed
// by a timer while held. A crashed holder stops renewing and its lease expires on its own, which is
// the stale-lock breaking; an infinite lease would stay until someone breaks it by hand. Every error
// here is an ExportError of kind "lock": contention, a lost lock, the storage refusing the lock file.

import { randomUUID } from "node:crypto";
import type * as DataLake from "@azure/storage-file-datalake";
import { ExportError } from "../../errors";
import { SYSTEM_CLOCK, type RetryClock } from "../retry/retry";
import { codeOf, statusOf } from "./adlsFailure";
import type { LakeLock } from "./lakeStore";

export interface LeaseLockOptions {
  /** The lock file's URL, for messages. */
  where: string;
  waitMs: number;
  staleMs: number;
  holder: string;
  /** Lease duration, seconds; default staleMs, within Azure's 15-60. */
  leaseSeconds?: number;
  /** How often a waiting acquire retries; default 1 s. */
  pollMs?: number;
  clock?: RetryClock;
  /** The error for a refused request on the lock file (kind "lock"). */
  failure: (action: string, error: unknown) => Error;
}

/** Takes the lease on `file` (created if missing), waiting up to waitMs while another holder has it. */
export async function acquireLeaseLock(
  file: DataLake.DataLakeFileClient,
  options: LeaseLockOptions,
): Promise<LakeLock> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const leaseSeconds =
    options.leaseSeconds ?? Math.min(60, Math.max(15, Math.ceil(options.staleMs / 1000)));
  const lease = file.getDataLakeLeaseClient(randomUUID());
  const deadline = clock.now() + options.waitMs;
  const pollMs = options.pollMs ?? 1000;
  for (;;) {
    try {
      await file.createIfNotExists();
      await lease.acquireLease(leaseSeconds);
      break;
    } catch (error) {
      // LeaseIdMissing (412): the real service answers a create or write over a path another holder
      // has leased with it, as the Blob service documents for leased blobs (Lease Blob: "write
      // operations ... fail with 412 if the lease ID is not specified"). That is a held lock too.
      const held = ["LeaseAlreadyPresent", "LeaseIsBreakingAndCannotBeAcquired", "LeaseIdMissing"];
      if (!held.includes(codeOf(error) ?? "")) throw options.failure("lock", error);
      const remaining = deadline - clock.now();
      if (remaining <= 0) {
        throw new ExportError(
          "lock",
          `another export holds the lock on ${options.where} (holder: ${await describeHolder(file)}); wait for it or retry later`,
          { cause: error },
        );
      }
      await clock.sleep(Math.min(pollMs, remaining));
    }
  }
  try {
    await file.setMetadata(
      { holder: encodeURIComponent(options.holder), acquiredat: new Date().toISOString() },
      { conditions: { leaseId: lease.leaseId } },
    );
  } catch (error) {
    await lease.releaseLease().catch(() => undefined);
    throw options.failure("lock", error);
  }
  return new LeaseLock(file, lease, options.where, (leaseSeconds * 1000) / 3, (error) =>
    options.failure("unlock", error),
  );
}

class LeaseLock implements LakeLock {
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> | undefined;
  private lost: unknown;
  /** The lock file itself is gone (deleted with its folder, e.g. by onEntityRemoved: drop). */
  private gone = false;
  private released = false;

  constructor(
    private readonly file: DataLake.DataLakeFileClient,
    private readonly lease: DataLake.DataLakeLeaseClient,
    private readonly where: string,
    renewEveryMs: number,
    private readonly failure: (error: unknown) => Error,
  ) {
    this.timer = setInterval(() => {
      this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
    }, renewEveryMs);
    // A forgotten release must not keep the process alive; the lease then simply expires.
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    try {
      await this.lease.renewLease();
    } catch (error) {
      // 409: the lease is gone (taken by another holder after it expired, broken or released). Anything
      // else is transient and the next tick tries again; Azure lets a holder renew an expired lease
      // that nobody took meanwhile.
      if (statusOf(error) === 409) {
        this.lost = error;
        clearInterval(this.timer);
      } else if (statusOf(error) === 404) {
        // Deleting a folder that holds a leased file succeeds on the real service, so a drop of the
        // export database takes the lock file with it: nothing is left to renew or to hold.
        this.gone = true;
        clearInterval(this.timer);
      }
    }
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
    if (this.released) return;
    this.released = true;
    const lostMessage = () =>
      `the export lock on ${this.where} was lost while held: its lease could not be renewed and another export may have taken it; check the target for a concurrent export before trusting this one`;
    if (this.lost) throw new ExportError("lock", lostMessage(), { cause: this.lost });
    if (this.gone) return;
    let heldJustNow = false;
    try {
      // Clear the holder first, so a later waiter is not told about an export that has finished.
      await this.file.setMetadata({}, { conditions: { leaseId: this.lease.leaseId } });
      heldJustNow = true;
      await this.lease.releaseLease();
    } catch (error) {
      // The metadata write went through under this lease, so the lease was ours a moment ago. No lease
      // at all now means this release took effect and its answer was lost: the SDK's retry found
      // nothing left to release. That is a released lock, not a lost one.
      if (heldJustNow && codeOf(error) === "LeaseNotPresentWithLeaseOperation") return;
      // The lock file is gone (its folder was dropped while we held it): a lock that no longer exists
      // is released. Throwing here made every retry recreate the lock and fail the same way.
      if (statusOf(error) === 404) return;
      if (statusOf(error) === 409 || statusOf(error) === 412)
        throw new ExportError("lock", lostMessage(), { cause: error });
      throw this.failure(error);
    }
  }
}

async function describeHolder(file: DataLake.DataLakeFileClient): Promise<string> {
  try {
    const properties = await file.getProperties();
    const holder = properties.metadata?.holder;
    if (!holder) return "unknown";
    const since = properties.metadata?.acquiredat;
    return since ? `${decodeURIComponent(holder)}, since ${since}` : decodeURIComponent(holder);
  } catch {
    return "unknown";
  }
}
