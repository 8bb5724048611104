// A loopback test server for the part of Azure Data Lake Storage Gen2 that AdlsGen2Lake uses, so the
// store can be tested through the real @azure/storage-file-datalake SDK. Azurite cannot stand in: it
// has no dfs endpoint, and every path call answers 400.
//
// Built from:
// - the official REST description, repository Azure/azure-rest-api-specs,
//   specification/storage/data-plane/Microsoft.StorageDataLake/stable/2020-10-02/DataLakeStorage.json
//   (FileSystem_Create, FileSystem_ListPaths with recursive / directory / continuation / maxResults and
//   the x-ms-continuation header, Path_Create with resource=file|directory and x-ms-rename-source,
//   Path_Update append / flush with position, Path_Delete with recursive and continuation, Path_Lease,
//   Path_Read with Range, Path_GetProperties, and the StorageError body);
// - the Blob service's Lease Blob, Get Blob, Get Blob Properties, Set Blob Metadata and Create Container
//   operations, which the SDK calls on the blob endpoint for reads, leases, metadata and filesystem
//   creation (DataLakeFileClient.read → BlobClient.download, getDataLakeLeaseClient → ?comp=lease);
// - the requests @azure/storage-file-datalake 12.29 actually sends (logged while writing this server:
//   e.g. `paginated=true` on a recursive delete with a token credential, `x-ms-version: 2026-02-06`).
//
// Path-style, like the storage emulators: https://127.0.0.1:PORT/<account>/<filesystem>/<path>. It
// speaks HTTPS with a throwaway certificate (`caPem`), because the SDK will not send a bearer token
// over http, and it answers 401 to a request without one. Tests can inject faults (`faults`), read the
// stored files (`readFile`, `pathsOf`) and the request log (`requests`).

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { FaultPlan, type Fault, type RequestSummary } from "./dfs/faults";
import { handle, routeOf, type Reply, type Route } from "./dfs/handlers";
import { Namespace, normalizePath } from "./dfs/namespace";
import { loopbackCertificate } from "./dfs/selfSignedCertificate";
import { StorageError } from "./dfs/storageError";
import { claimsOf } from "./testTokens";

export const STORAGE_AUDIENCE = "https://storage.azure.com";

export type { Fault, RequestSummary } from "./dfs/faults";

export interface DfsServerOptions {
  /** The storage account name, the first segment of every path. Default `devaccount`. */
  account?: string;
  /** The most paths one list page returns, whatever maxResults asks (the service allows 5000). */
  listPageSize?: number;
  /** The most paths one recursive delete removes before answering with a continuation. */
  deletePageSize?: number;
  /** The shortest fixed lease accepted; Azure's is 15 s, tests lower it to watch leases expire. */
  minLeaseSeconds?: number;
  /**
   * Decides on a bearer token: accepted, rejected (401) or lacking the data role (403). Default: a token
   * for storage (audience https://storage.azure.com, learn.microsoft.com/rest/api/storageservices/
   * authorize-with-azure-active-directory); any other audience is refused with 401, as storage refuses it.
   */
  checkToken?: (token: string) => "allow" | "unauthenticated" | "forbidden";
}

export interface LoggedRequest {
  method: string;
  /** The URL path and query as received. */
  url: string;
  op: string;
  filesystem: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  bodyBytes: number;
  /** Bytes of the answer's body (a read's data, a list's JSON), 0 for HEAD; set once answered. */
  responseBytes: number;
  /** The object id (`oid` claim) of the bearer token, to tell one client's traffic from another's. */
  caller?: string;
  /** The status answered, or `dropped` when the connection was destroyed instead. */
  status?: number | "dropped";
  fault?: Fault;
}

export interface DfsServer {
  /** `https://127.0.0.1:PORT` */
  readonly origin: string;
  /** `https://127.0.0.1:PORT/<account>`: what AdlsGen2Lake takes as accountUrl. */
  readonly accountUrl: string;
  readonly account: string;
  /** The server's self-signed certificate, to be trusted by the client. */
  readonly caPem: string;
  readonly faults: FaultPlan;
  readonly requests: LoggedRequest[];
  readonly namespace: Namespace;
  /**
   * Bytes that crossed the wire through this server's HTTP endpoint (request bodies up, answer bodies
   * down), for the requests `filter` keeps (e.g. one caller's). In-process readers of `namespace`, such
   * as the TDS test server's CETAS, are not counted here: they count their own (tds/serverlessLake.ts).
   */
  bytesTransferred(filter?: (request: LoggedRequest) => boolean): {
    uploaded: number;
    downloaded: number;
  };
  /** The flushed content of a file, or undefined when there is no such file. */
  readFile(filesystem: string, path: string): Buffer | undefined;
  /** Every path in a filesystem, sorted; directories end with `/`. */
  pathsOf(filesystem: string): string[];
  close(): Promise<void>;
}

const WWW_AUTHENTICATE =
  "Bearer authorization_uri=https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/oauth2/authorize resource_id=https://storage.azure.com";

export async function startDfsServer(options: DfsServerOptions = {}): Promise<DfsServer> {
  const account = options.account ?? "devaccount";
  const namespace = new Namespace(options.minLeaseSeconds ?? 15);
  const faults = new FaultPlan();
  const requests: LoggedRequest[] = [];
  const context = {
    namespace,
    account,
    listPageSize: options.listPageSize ?? 5000,
    deletePageSize: options.deletePageSize ?? Number.POSITIVE_INFINITY,
  };
  const checkToken =
    options.checkToken ??
    ((token: string) =>
      claimsOf(`Bearer ${token}`)?.aud === STORAGE_AUDIENCE
        ? ("allow" as const)
        : ("unauthenticated" as const));
  const { key, cert } = loopbackCertificate();

  const server: Server = createServer({ key, cert }, (req, res) => {
    serve(req, res).catch((error: unknown) => {
      // A bug in the server itself: answer 500 so the test sees it rather than a hang.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "x-ms-error-code": "TestServerBug" });
        res.end(String(error));
      }
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const segments = url.pathname.split("/").slice(1).map(decodeURIComponent);
    const [accountSegment = "", filesystem = ""] = segments;
    const path = normalizePath(segments.slice(2).join("/"));
    const method = req.method ?? "GET";
    const route = routeOf(method, path, url.searchParams, req.headers);
    const entry: LoggedRequest = {
      method,
      url: req.url ?? "",
      op: route.op,
      filesystem,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(req.headers),
      bodyBytes: 0,
      responseBytes: 0,
    };
    const oid = claimsOf(req.headers.authorization)?.oid;
    if (typeof oid === "string") entry.caller = oid;
    requests.push(entry);
    const summary: RequestSummary = { method, op: route.op, filesystem, path };
    const fault = faults.next(summary);
    if (fault) entry.fault = fault;
    if (fault?.kind === "drop" && !fault.afterProcessing) {
      entry.status = "dropped";
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    entry.bodyBytes = body.length;
    if (fault?.kind === "delay") {
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      // The client gave up waiting: the request is never applied, as when a gateway timed it out.
      if (req.socket.destroyed) {
        entry.status = "dropped";
        return;
      }
    }
    const reply = answer();
    if (fault?.kind === "drop") {
      entry.status = "dropped";
      req.socket.destroy();
      return;
    }
    entry.status = reply.status;
    entry.responseBytes =
      method === "HEAD" || reply.body === undefined ? 0 : Buffer.byteLength(reply.body);
    send(res, reply, method, req);

    function answer(): Reply {
      try {
        if (fault?.kind === "status") throw faultError(fault);
        authorize(req);
        if (accountSegment !== account) {
          throw new StorageError(
            400,
            "InvalidUri",
            `The account ${accountSegment} in the request path is not this server's account ${account}.`,
          );
        }
        return handle(
          route,
          { method, filesystem, path, query: url.searchParams, headers: req.headers, body },
          context,
        );
      } catch (error) {
        if (!(error instanceof StorageError)) throw error;
        return errorReply(error, route, method === "HEAD");
      }
    }
  }

  function authorize(req: IncomingMessage): void {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
    if (!match) {
      throw new StorageError(
        401,
        "NoAuthenticationInformation",
        "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.",
      );
    }
    const verdict = checkToken(match[1]);
    if (verdict === "unauthenticated") {
      throw new StorageError(
        401,
        "InvalidAuthenticationInfo",
        "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.",
      );
    }
    if (verdict === "forbidden") {
      throw new StorageError(
        403,
        "AuthorizationPermissionMismatch",
        "This request is not authorized to perform this operation using this permission.",
      );
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `https://127.0.0.1:${port}`;

  return {
    origin,
    accountUrl: `${origin}/${account}`,
    account,
    caPem: cert,
    faults,
    requests,
    namespace,
    bytesTransferred(filter = () => true) {
      const kept = requests.filter(filter);
      return {
        uploaded: kept.reduce((sum, r) => sum + r.bodyBytes, 0),
        downloaded: kept.reduce((sum, r) => sum + r.responseBytes, 0),
      };
    },
    readFile(filesystem, path) {
      const node = namespace.filesystems.get(filesystem)?.paths.get(normalizePath(path));
      return node?.kind === "file" ? node.data : undefined;
    },
    pathsOf(filesystem) {
      const paths = namespace.filesystems.get(filesystem)?.paths ?? new Map();
      return [...paths.entries()]
        .map(([path, node]) => (node.kind === "directory" ? `${path}/` : path))
        .sort();
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function faultError(fault: Extract<Fault, { kind: "status" }>): StorageError {
  switch (fault.status) {
    case 412:
      return new StorageError(
        412,
        "LeaseIdMissing",
        "There is currently a lease on the blob and no lease ID was specified in the request.",
      );
    case 429:
      return Object.assign(
        new StorageError(
          429,
          "TooManyRequests",
          "Too many requests; retry after the Retry-After interval.",
        ),
        {
          retryAfterSeconds: fault.retryAfterSeconds ?? 1,
        },
      );
    case 500:
      return new StorageError(
        500,
        "InternalError",
        "The server encountered an internal error. Please retry the request.",
      );
    case 503:
      return new StorageError(
        503,
        "ServerBusy",
        "The server is currently unable to receive requests. Please retry your request.",
      );
  }
}

function errorReply(error: StorageError, route: Route, isHead: boolean): Reply {
  const requestId = randomUUID();
  const message = `${error.message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}`;
  const headers: Record<string, string> = {
    "x-ms-error-code": error.code,
    "x-ms-request-id": requestId,
  };
  if (error.status === 401) headers["WWW-Authenticate"] = WWW_AUTHENTICATE;
  const retryAfter = (error as StorageError & { retryAfterSeconds?: number }).retryAfterSeconds;
  if (retryAfter !== undefined) headers["Retry-After"] = String(retryAfter);
  if (isHead) return { status: error.status, headers };
  if (route.endpoint === "dfs") {
    headers["Content-Type"] = "application/json;charset=utf-8";
    return {
      status: error.status,
      headers,
      body: JSON.stringify({ error: { code: error.code, message } }),
    };
  }
  headers["Content-Type"] = "application/xml";
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${error.code}</Code><Message>${escapeXml(message)}</Message></Error>`;
  return { status: error.status, headers, body: xml };
}

function send(res: ServerResponse, reply: Reply, method: string, req: IncomingMessage): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = {
    "x-ms-request-id": randomUUID(),
    "x-ms-version": String(req.headers["x-ms-version"] ?? "2020-10-02"),
    Date: new Date().toUTCString(),
    Server: "Windows-Azure-HDFS/1.0 Microsoft-HTTPAPI/2.0",
    ...reply.headers,
  };
  const clientRequestId = req.headers["x-ms-client-request-id"];
  if (typeof clientRequestId === "string") headers["x-ms-client-request-id"] = clientRequestId;
  const body = reply.body === undefined ? undefined : Buffer.from(reply.body);
  if (!("Content-Length" in headers)) headers["Content-Length"] = String(body?.length ?? 0);
  res.writeHead(reply.status, headers);
  res.end(method === "HEAD" ? undefined : body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function flattenHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(", ") : value;
  return result;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
