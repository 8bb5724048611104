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
// - Beside it, one purpose each: adlsRequestGuard.ts (429 and a timeout per try, which the SDK's retry
//   lacks), adlsLeaseLock.ts (the export lock as a renewed blob lease), adlsFailure.ts (the message and
//   advice of a failure, kind "lake").
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
import { ExportError } from "../../errors";
import { getAzureCredential } from "../azureCredential";
import type { RetryClock } from "../retry/retry";
import { codeOf, lakeFailure, statusOf } from "./adlsFailure";
import { acquireLeaseLock } from "./adlsLeaseLock";
import { requestGuard, type RequestGuardSettings } from "./adlsRequestGuard";
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
  /** The clock the lock's waits and the 429 waits use; default the system's. */
  clock?: RetryClock;
  /**
   * Epoch ms until which 403 AuthorizationPermissionMismatch is waited out: a deploy's role
   * assignments, made moments before, take minutes to apply (adlsRequestGuard.ts). Default: not.
   */
  freshGrantsUntil?: number;
  /** Hears each such wait before it (progress: it can last minutes). */
  onGrantWait?: RequestGuardSettings["onGrantWait"];
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
      throw new ExportError(
        "lake",
        `accountName "${options.accountName}" is not a storage account name: use 3-24 lowercase letters and digits.`,
      );
    }
    if (!CONTAINER_NAME.test(options.container)) {
      throw new ExportError(
        "lake",
        `container "${options.container}" is not a container name: use 3-63 lowercase letters, digits and single hyphens.`,
      );
    }
    this.chunkBytes = options.uploadChunkBytes ?? 8 * MiB;
    this.concurrency = options.uploadConcurrency ?? 4;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 1 || this.chunkBytes > 4000 * MiB) {
      throw new ExportError(
        "lake",
        `uploadChunkBytes ${this.chunkBytes} must be a whole number of bytes between 1 and 4000 MiB.`,
      );
    }
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new ExportError(
        "lake",
        `uploadConcurrency ${this.concurrency} must be a whole number of at least 1.`,
      );
    }
    const accountUrl = (
      options.accountUrl ?? `https://${options.accountName}.dfs.core.windows.net`
    ).replace(/\/+$/, "");
    const fileSystemUrl = `${accountUrl}/${options.container}`;
    if (!/^https?:\/\/[^/]+/.test(accountUrl) || !URL.canParse(fileSystemUrl)) {
      throw new ExportError(
        "lake",
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
        clock: options.clock,
        freshGrantsUntil: options.freshGrantsUntil,
        onGrantWait: options.onGrantWait,
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

  async list(prefix: string, options: { recursive?: boolean } = {}): Promise<LakeEntry[]> {
    const directory = normalizePath(prefix);
    const entries: LakeEntry[] = [];
    try {
      const pages = this.fileSystem
        .listPaths({ path: directory || undefined, recursive: options.recursive ?? true })
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

  /**
   * `count` bytes of a file from `offset`, only from the version a listing gave this ETag (If-Match,
   * Path_Read in DataLakeStorage.json); undefined when the file is gone (404) or was rewritten since
   * (412 ConditionNotMet). The listing's JSON gives the ETag without the quotes its headers carry
   * (FileSystem_ListPaths's `etag` against Path_Read's `ETag` header; fsspec/adlfs#461 shows both
   * from the service): If-Match takes the quoted form.
   */
  async readRange(
    path: string,
    offset: number,
    count: number,
    etag: string,
  ): Promise<Buffer | undefined> {
    const target = normalizePath(path);
    try {
      const response = await this.fileSystem.getFileClient(target).read(offset, count, {
        conditions: { ifMatch: etag.startsWith('"') ? etag : `"${etag}"` },
      });
      return await streamToBuffer(response.readableStreamBody);
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 412) return undefined;
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

  acquireLock(
    name: string,
    options: { waitMs: number; staleMs: number; holder: string },
  ): Promise<LakeLock> {
    const lockPath = requirePath(name, "acquireLock");
    return acquireLeaseLock(this.fileSystem.getFileClient(lockPath), {
      ...options,
      where: `${this.location}/${lockPath}`,
      leaseSeconds: this.options.lockLeaseSeconds,
      pollMs: this.options.lockPollMs,
      clock: this.options.clock,
      failure: (action, error) => lakeFailure(this.location, action, lockPath, error, "lock"),
    });
  }

  /** An error that names the place, the service's answer and what to do about it. */
  private failure(action: string, path: string, error: unknown): Error {
    return lakeFailure(this.location, action, path, error);
  }
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
    throw new ExportError(
      "lake",
      `${operation} needs a path below the container root; got "${path}".`,
    );
  return normalized;
}

async function streamToBuffer(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

async function streamToText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  return (await streamToBuffer(stream)).toString("utf8");
}
