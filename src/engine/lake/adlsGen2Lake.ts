// The lake in an ADLS Gen2 container (a hierarchical-namespace storage account), through
// @azure/storage-file-datalake with an Entra ID credential: no account keys, no SAS tokens.
//
// Decisions, and why:
// - writeText uploads to a hidden temporary file beside the target and renames it over the target, so
//   a reader sees the old file or the new one, never a part (an HNS rename is atomic). The SDK's move()
//   drops the account from the destination on path-style URLs (https://host:port/<account>), so the
//   destination is given as "<account>/<container>" there. A rename whose answer was lost and whose retry
//   finds no source is checked by reading the target back.
// - uploadFile streams the file in parallel appends and one flush, and is not atomic: a reader may see
//   the file empty or short until the flush. It is meant for snapshot parts, which nothing reads before
//   the snapshot's manifest (written last, with writeText) exists.
// - The SDK's retry policy retries 500, 503 and network errors, per request. Azure Storage signals
//   throttling with 503 ServerBusy, but a proxy or gateway in between may answer 429, which the SDK does
//   not retry, and the SDK sets no client-side timeout, so a hung connection would hang the export. One
//   small request policy adds both: 429 is retried after its Retry-After (capped at maxRetryDelayInMs),
//   and every try gets requestTimeoutMs.
// - The export lock is a blob lease on a lock file, held for a finite duration and renewed by a timer
//   while held: a crashed holder stops renewing and its lease expires on its own, which is the
//   stale-lock breaking. An infinite lease would stay until someone breaks it by hand.
//
// Chunk size x concurrency, measured: uploadFile of a 64 MiB file to the loopback test server
// (test/servers/dfsServer.ts, same process, 2 shared cores), median of 3 runs, MiB/s:
//   no added latency:      1x4 138 · 4x1 165 · 4x4 263 · 8x1 208 · 8x2 249 · 8x4 305 · 8x8 225 · 16x4 330
//   30 ms on every append:  4x4 154 · 4x8 167 · 8x4 177-193 · 8x8 203-219 · 16x4 307
// 8 MiB x 4 sits on the plateau without latency and within about 15% of x8 with it, with half the
// connections; larger chunks gain little and make each retry resend more. The SDK streams each chunk
// from the file, so memory does not grow with either number.

import { randomUUID } from "node:crypto";
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import type { TokenCredential } from "@azure/core-auth";
import type * as DataLake from "@azure/storage-file-datalake";
import { getAzureCredential } from "../azureCredential";
import type { LakeEntry, LakeLock, LakeStore } from "./lakeStore";

export interface AdlsGen2LakeOptions {
  /** The storage account name (3-24 lowercase letters and digits). */
  accountName: string;
  /** The container (filesystem) that holds the lake. */
  container: string;
  /** The dfs endpoint; default `https://<accountName>.dfs.core.windows.net`. Path-style (`https://host:port/<account>`) works too. */
  accountUrl?: string;
  /** Default: the process credential from getAzureCredential() (DefaultAzureCredential). */
  credential?: TokenCredential;
  /** Bytes per append of uploadFile; default 8 MiB. */
  uploadChunkBytes?: number;
  /** Appends in flight per uploadFile; default 4. */
  uploadConcurrency?: number;
  /** The longest one try of one request may wait for an answer; default retryOptions.tryTimeoutInMs, else 120 s. */
  requestTimeoutMs?: number;
  /** The SDK's retry options (maxTries, retryDelayInMs, maxRetryDelayInMs, tryTimeoutInMs). */
  retryOptions?: DataLake.StorageRetryOptions;
  /** An extra certificate authority (PEM) to trust besides the system ones: a TLS-inspecting proxy, a private CA. */
  trustedCaPem?: string;
  /** Lease duration of the export lock, seconds; default staleMs of acquireLock, within Azure's 15-60. */
  lockLeaseSeconds?: number;
  /** How often a waiting acquireLock retries; default 1 s. */
  lockPollMs?: number;
}

const MiB = 1024 * 1024;
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const CONTAINER_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

export class AdlsGen2Lake implements LakeStore {
  readonly location: string;
  private readonly fileSystem: DataLake.DataLakeFileSystemClient;
  /** How move() must name the destination filesystem: the filesystem URL's path, "<account>/<container>" on path-style URLs. */
  private readonly moveTarget: string;
  private readonly chunkBytes: number;
  private readonly concurrency: number;

  constructor(private readonly options: AdlsGen2LakeOptions) {
    if (!ACCOUNT_NAME.test(options.accountName)) {
      throw new Error(
        `accountName "${options.accountName}" is not a storage account name: use 3-24 lowercase letters and digits.`,
      );
    }
    if (!CONTAINER_NAME.test(options.container)) {
      throw new Error(
        `container "${options.container}" is not a container name: use 3-63 lowercase letters, digits and single hyphens.`,
      );
    }
    this.chunkBytes = options.uploadChunkBytes ?? 8 * MiB;
    this.concurrency = options.uploadConcurrency ?? 4;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 1 || this.chunkBytes > 4000 * MiB) {
      throw new Error(
        `uploadChunkBytes ${this.chunkBytes} must be a whole number of bytes between 1 and 4000 MiB.`,
      );
    }
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new Error(
        `uploadConcurrency ${this.concurrency} must be a whole number of at least 1.`,
      );
    }
    const accountUrl = (
      options.accountUrl ?? `https://${options.accountName}.dfs.core.windows.net`
    ).replace(/\/+$/, "");
    const fileSystemUrl = `${accountUrl}/${options.container}`;
    if (!/^https?:\/\/[^/]+/.test(accountUrl) || !URL.canParse(fileSystemUrl)) {
      throw new Error(
        `accountUrl "${options.accountUrl}" is not a URL: use https://<account>.dfs.core.windows.net.`,
      );
    }
    this.location = fileSystemUrl;
    this.moveTarget = new URL(fileSystemUrl).pathname.replace(/^\/+/, "");

    const sdk =
      require("@azure/storage-file-datalake") as typeof import("@azure/storage-file-datalake");
    const retryOptions = options.retryOptions ?? {};
    const pipeline = sdk.newPipeline(options.credential ?? getAzureCredential(), {
      retryOptions,
      userAgentOptions: { userAgentPrefix: "synapse-export" },
    });
    pipeline.factories.push(
      requestGuard({
        maxTries: retryOptions.maxTries ?? 4,
        maxRetryDelayMs: retryOptions.maxRetryDelayInMs ?? 120_000,
        tryTimeoutMs: options.requestTimeoutMs ?? retryOptions.tryTimeoutInMs ?? 120_000,
        agent: options.trustedCaPem
          ? new Agent({ keepAlive: true, ca: [...rootCertificates, options.trustedCaPem] })
          : undefined,
      }),
    );
    this.fileSystem = new sdk.DataLakeFileSystemClient(fileSystemUrl, pipeline);
  }

  async ensureContainer(): Promise<void> {
    try {
      await this.fileSystem.createIfNotExists();
    } catch (error) {
      // An identity granted a data role on the container alone may not create containers, yet the
      // container is there: that is fine.
      if (statusOf(error) === 403 && (await this.fileSystem.exists().catch(() => false))) return;
      throw this.failure("create the container", "", error);
    }
  }

  async list(prefix: string): Promise<LakeEntry[]> {
    const directory = normalizePath(prefix);
    const entries: LakeEntry[] = [];
    try {
      const pages = this.fileSystem
        .listPaths({ path: directory || undefined, recursive: true })
        .byPage({ maxPageSize: 5000 });
      for await (const page of pages) {
        for (const item of page.pathItems ?? []) {
          const isDirectory = item.isDirectory === true;
          entries.push({
            path: item.name ?? "",
            isDirectory,
            size: isDirectory ? 0 : Number(item.contentLength ?? 0),
            ...(item.etag ? { etag: item.etag } : {}),
            ...(item.lastModified ? { lastModified: item.lastModified.toISOString() } : {}),
          });
        }
      }
    } catch (error) {
      if (statusOf(error) === 404) return [];
      throw this.failure("list", directory, error);
    }
    return entries;
  }

  async readText(path: string): Promise<string | undefined> {
    const target = normalizePath(path);
    try {
      const response = await this.fileSystem.getFileClient(target).read();
      return await streamToText(response.readableStreamBody);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.failure("read", target, error);
    }
  }

  async writeText(path: string, text: string): Promise<void> {
    const target = requirePath(path, "writeText");
    const slash = target.lastIndexOf("/");
    // A leading dot hides the temporary file from Synapse and Spark readers of the folder.
    const temporaryPath = `${target.slice(0, slash + 1)}.${target.slice(slash + 1)}.${randomUUID()}.tmp`;
    const temporary = this.fileSystem.getFileClient(temporaryPath);
    try {
      await temporary.upload(Buffer.from(text, "utf8"));
    } catch (error) {
      await temporary.deleteIfExists().catch(() => undefined);
      throw this.failure("write", target, error);
    }
    try {
      await temporary.move(this.moveTarget, target);
    } catch (error) {
      // The rename happened but its answer was lost, and the SDK's retry found no source any more.
      if (codeOf(error) === "SourcePathNotFound" && (await this.readText(target)) === text) return;
      await temporary.deleteIfExists().catch(() => undefined);
      throw this.failure("write", target, error);
    }
  }

  async uploadFile(
    localPath: string,
    path: string,
    onBytes?: (sentBytes: number) => void,
  ): Promise<void> {
    const target = requirePath(path, "uploadFile");
    try {
      await this.fileSystem.getFileClient(target).uploadFile(localPath, {
        chunkSize: this.chunkBytes,
        maxConcurrency: this.concurrency,
        // One append for a file up to one chunk; above that, parallel appends.
        singleUploadThreshold: Math.min(this.chunkBytes, 100 * MiB),
        // The SDK reports the bytes of the appends done so far (TransferProgressEvent.loadedBytes).
        onProgress: onBytes && ((event) => onBytes(event.loadedBytes)),
      });
    } catch (error) {
      throw this.failure(`upload ${localPath} to`, target, error);
    }
  }

  async deleteTree(path: string): Promise<void> {
    const target = requirePath(path, "deleteTree");
    try {
      await this.fileSystem.getDirectoryClient(target).delete(true);
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.failure("delete", target, error);
    }
  }

  async acquireLock(
    name: string,
    options: { waitMs: number; staleMs: number; holder: string },
  ): Promise<LakeLock> {
    const lockPath = requirePath(name, "acquireLock");
    const where = `${this.location}/${lockPath}`;
    const file = this.fileSystem.getFileClient(lockPath);
    const leaseSeconds =
      this.options.lockLeaseSeconds ??
      Math.min(60, Math.max(15, Math.ceil(options.staleMs / 1000)));
    const lease = file.getDataLakeLeaseClient(randomUUID());
    const deadline = Date.now() + options.waitMs;
    const pollMs = this.options.lockPollMs ?? 1000;
    for (;;) {
      try {
        await file.createIfNotExists();
        await lease.acquireLease(leaseSeconds);
        break;
      } catch (error) {
        // LeaseIdMissing (412): the real service answers a create or write over a path another holder
        // has leased with it, as the Blob service documents for leased blobs (Lease Blob: "write
        // operations ... fail with 412 if the lease ID is not specified"). That is a held lock too.
        const held = [
          "LeaseAlreadyPresent",
          "LeaseIsBreakingAndCannotBeAcquired",
          "LeaseIdMissing",
        ];
        if (!held.includes(codeOf(error) ?? "")) throw this.failure("lock", lockPath, error);
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          throw new Error(
            `another export holds the lock on ${where} (holder: ${await describeHolder(file)}); wait for it or retry later`,
            { cause: error },
          );
        }
        await sleep(Math.min(pollMs, remaining));
      }
    }
    try {
      await file.setMetadata(
        { holder: encodeURIComponent(options.holder), acquiredat: new Date().toISOString() },
        { conditions: { leaseId: lease.leaseId } },
      );
    } catch (error) {
      await lease.releaseLease().catch(() => undefined);
      throw this.failure("lock", lockPath, error);
    }
    return new LeaseLock(file, lease, where, (leaseSeconds * 1000) / 3, (error) =>
      this.failure("unlock", lockPath, error),
    );
  }

  /** An error that names the place, the service's answer and what to do about it. */
  private failure(action: string, path: string, error: unknown): Error {
    const where = path ? `${this.location}/${path}` : this.location;
    const status = statusOf(error);
    const code = codeOf(error);
    const answer = [status, code].filter((part) => part !== undefined).join(" ");
    const message = ((error as Error)?.message ?? String(error)).split("\n")[0];
    const advice = adviceFor(error);
    return new Error(
      `could not ${action} ${where}: ${answer ? `${answer}: ` : ""}${message}${advice ? `; ${advice}` : ""}`,
      { cause: error },
    );
  }
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
    if (this.lost) throw new Error(lostMessage(), { cause: this.lost });
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
        throw new Error(lostMessage(), { cause: error });
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

/** What to do about a failure, or "" when the message says it all (a missing local file, say). */
function adviceFor(error: unknown): string {
  const status = statusOf(error);
  const code = codeOf(error);
  if (status === 401)
    return "the Entra ID token was refused: sign in again (az login) or check the managed identity or AZURE_* settings";
  if (status === 403)
    return "the identity lacks a data role: grant it Storage Blob Data Contributor on the storage account or the container";
  if (code === "FilesystemNotFound" || code === "ContainerNotFound")
    return "the container does not exist: create it first (ensureContainer) or check its name";
  if (status === 429 || (status !== undefined && status >= 500))
    return "the storage service did not answer successfully after retries; retry later";
  if (status !== undefined) return "check the path and the storage account";
  // No answer at all: a connection, TLS or timeout failure (the SDK's RestError, or our timeout).
  const name = (error as Error)?.name;
  if (name === "RestError" || name === "AbortError" || (error as Error)?.cause !== undefined)
    return "the storage endpoint could not be reached after retries: check accountUrl, the network, proxy and certificates, then retry later";
  return "";
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === "number" ? status : undefined;
}

function codeOf(error: unknown): string | undefined {
  const details = (error as { details?: { errorCode?: unknown } })?.details;
  if (typeof details?.errorCode === "string") return details.errorCode;
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

/** `/a//b/` → `a/b`; the container root is the empty string. */
function normalizePath(path: string): string {
  return path
    .split("/")
    .filter((segment) => segment.length > 0)
    .join("/");
}

function requirePath(path: string, operation: string): string {
  const normalized = normalizePath(path);
  if (!normalized)
    throw new Error(`${operation} needs a path below the container root; got "${path}".`);
  return normalized;
}

async function streamToText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A request policy that adds what the SDK's own retry policy lacks: a client-side timeout on every try,
 * retried like a dropped connection, and retries of 429 after Retry-After. It sits before the SDK's
 * retry policy, so each of its tries contains the SDK's tries for 500, 503 and network errors.
 */
function requestGuard(settings: {
  maxTries: number;
  maxRetryDelayMs: number;
  tryTimeoutMs: number;
  agent: Agent | undefined;
}): DataLake.RequestPolicyFactory {
  return {
    create: (next) => ({
      async sendRequest(request) {
        request.timeout = settings.tryTimeoutMs;
        if (settings.agent) request.agent = settings.agent;
        for (let attempt = 1; ; attempt++) {
          try {
            const response = await next.sendRequest(request);
            if (response.status !== 429 || attempt >= settings.maxTries) return response;
            await sleep(
              retryAfterMs(response.headers.get("retry-after"), settings.maxRetryDelayMs),
            );
          } catch (error) {
            const timedOut =
              (error as Error)?.name === "AbortError" && !request.abortSignal?.aborted;
            const throttled = statusOf(error) === 429;
            if ((!timedOut && !throttled) || attempt >= settings.maxTries) {
              if (timedOut)
                throw new Error(
                  `no answer within ${settings.tryTimeoutMs} ms, ${attempt} tries (requestTimeoutMs)`,
                  { cause: error },
                );
              throw error;
            }
            if (throttled) {
              const headers = (
                error as { response?: { headers?: { get(name: string): string | undefined } } }
              ).response?.headers;
              await sleep(retryAfterMs(headers?.get("retry-after"), settings.maxRetryDelayMs));
            }
          }
        }
      },
    }),
  };
}

/** Retry-After is seconds or an HTTP date; without one, wait a second. */
function retryAfterMs(value: string | undefined, capMs: number): number {
  let ms = 1000;
  if (value !== undefined && /^\d+$/.test(value.trim())) ms = Number(value) * 1000;
  else if (value !== undefined && !Number.isNaN(Date.parse(value)))
    ms = Math.max(0, Date.parse(value) - Date.now());
  return Math.min(ms, capMs);
}
