// Maps each request the SDK sends to an operation on the namespace, and renders the answer with the
// headers and bodies the service uses. @azure/storage-file-datalake talks to two endpoints of the same
// account, which this path-style server serves on one port:
// - the dfs endpoint (DataLakeStorage.json): FileSystem_Create (PUT ?resource=filesystem),
//   FileSystem_ListPaths (GET ?resource=filesystem&recursive&directory&continuation&maxResults),
//   Path_Create (PUT ?resource=file|directory, or with x-ms-rename-source to rename), Path_Update
//   (PATCH ?action=append&position / ?action=flush&position), Path_Delete (DELETE ?recursive);
// - the blob endpoint, which the SDK uses for the rest: Create Container (PUT ?restype=container,
//   behind DataLakeFileSystemClient.create), Get Blob (GET with Range, behind DataLakeFileClient.read),
//   Get Blob Properties (HEAD), Set Blob Metadata (PUT ?comp=metadata) and Lease Blob (PUT ?comp=lease).
// Errors carry x-ms-error-code (what the SDK reads); the body is JSON on the dfs endpoint and XML on the
// blob endpoint, as the two services answer.

import type { IncomingHttpHeaders } from "node:http";
import type { Namespace, PathNode } from "./namespace";
import { StorageError } from "./storageError";

export interface ParsedRequest {
  method: string;
  filesystem: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Route {
  op: string;
  endpoint: "dfs" | "blob";
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

export interface HandlerContext {
  namespace: Namespace;
  account: string;
  listPageSize: number;
  deletePageSize: number;
}

export function routeOf(
  method: string,
  path: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
): Route {
  const dfs = (op: string): Route => ({ op, endpoint: "dfs" });
  const blob = (op: string): Route => ({ op, endpoint: "blob" });
  if (path === "") {
    if (method === "PUT" && query.get("restype") === "container") return blob("createContainer");
    if (method === "PUT" && query.get("resource") === "filesystem") return dfs("createFileSystem");
    if (
      (method === "HEAD" || method === "GET") &&
      query.get("restype") === "container" &&
      !query.has("comp")
    )
      return blob("getContainerProperties");
    if (method === "GET" && query.get("resource") === "filesystem") return dfs("list");
    return blob("unsupported");
  }
  if (method === "PUT" && query.get("comp") === "lease") return blob("lease");
  if (method === "PUT" && query.get("comp") === "metadata") return blob("setMetadata");
  if (method === "PUT" && headers["x-ms-rename-source"] !== undefined) return dfs("rename");
  if (
    method === "PUT" &&
    (query.get("resource") === "file" || query.get("resource") === "directory")
  )
    return dfs("create");
  if (method === "PATCH" && query.get("action") === "append") return dfs("append");
  if (method === "PATCH" && query.get("action") === "flush") return dfs("flush");
  if (method === "HEAD" && !query.has("comp")) return blob("getProperties");
  if (method === "GET" && !query.has("comp") && !query.has("resource")) return blob("read");
  if (method === "DELETE" && !query.has("comp")) return dfs("delete");
  return blob("unsupported");
}

export function handle(route: Route, request: ParsedRequest, context: HandlerContext): Reply {
  const ns = context.namespace;
  const { filesystem, path, query, headers } = request;
  const leaseId = header(headers, "x-ms-lease-id");
  switch (route.op) {
    case "createContainer":
    case "createFileSystem": {
      const fs = ns.createFileSystem(
        filesystem,
        route.op === "createContainer" ? "ContainerAlreadyExists" : "FilesystemAlreadyExists",
      );
      return {
        status: 201,
        headers: {
          ETag: fs.etag,
          "Last-Modified": fs.lastModified.toUTCString(),
          "x-ms-namespace-enabled": "true",
        },
      };
    }
    case "getContainerProperties": {
      const fs = ns.fileSystem(filesystem);
      return {
        status: 200,
        headers: {
          ETag: fs.etag,
          "Last-Modified": fs.lastModified.toUTCString(),
          "x-ms-lease-state": "available",
          "x-ms-lease-status": "unlocked",
          "x-ms-has-immutability-policy": "false",
          "x-ms-has-legal-hold": "false",
          "x-ms-namespace-enabled": "true",
        },
      };
    }
    case "list": {
      const recursive = requiredBoolean(query, "recursive");
      const requested = query.has("maxResults") ? Number(query.get("maxResults")) : 5000;
      const pageSize = Math.min(requested, 5000, context.listPageSize);
      const page = ns.list(
        filesystem,
        query.get("directory") ?? "",
        recursive,
        pageSize,
        query.get("continuation") ?? undefined,
      );
      const body = JSON.stringify({
        paths: page.paths.map(({ name, node }) => listEntry(name, node)),
      });
      const replyHeaders: Record<string, string> = {
        "Content-Type": "application/json;charset=utf-8",
      };
      if (page.continuation) replyHeaders["x-ms-continuation"] = page.continuation;
      return { status: 200, headers: replyHeaders, body };
    }
    case "create": {
      const kind = query.get("resource") as "file" | "directory";
      const node = ns.createPath(
        filesystem,
        path,
        kind,
        conditionsOf(headers),
        parseProperties(header(headers, "x-ms-properties")),
      );
      return {
        status: 201,
        headers: {
          ...changedHeaders(node),
          "Content-Length": "0",
          "x-ms-request-server-encrypted": "true",
        },
      };
    }
    case "rename": {
      const source = parseRenameSource(header(headers, "x-ms-rename-source")!, context.account);
      const node = ns.rename(
        filesystem,
        path,
        source.filesystem,
        source.path,
        conditionsOf(headers),
        header(headers, "x-ms-source-lease-id"),
      );
      return { status: 201, headers: { ...changedHeaders(node), "Content-Length": "0" } };
    }
    case "append": {
      const position = requiredInteger(query, "position");
      checkContentLength(request);
      ns.append(filesystem, path, position, request.body, leaseId);
      if (query.get("flush") === "true")
        ns.flush(filesystem, path, position + request.body.length, leaseId, false);
      return { status: 202, headers: { "x-ms-request-server-encrypted": "true" } };
    }
    case "flush": {
      if (request.body.length > 0)
        throw new StorageError(
          400,
          "ContentLengthMustBeZero",
          "The Content-Length request header must be 0 for a flush.",
        );
      const node = ns.flush(
        filesystem,
        path,
        requiredInteger(query, "position"),
        leaseId,
        query.get("retainUncommittedData") === "true",
      );
      return {
        status: 200,
        headers: {
          ...changedHeaders(node),
          "Content-Length": "0",
          "x-ms-request-server-encrypted": "true",
        },
      };
    }
    case "getProperties": {
      const node = ns.node(filesystem, path);
      return { status: 200, headers: propertyHeaders(node, node.data.length) };
    }
    case "read":
      return read(ns.node(filesystem, path), headers);
    case "setMetadata": {
      const node = ns.setMetadata(filesystem, path, metadataOf(headers), leaseId);
      return {
        status: 200,
        headers: { ...changedHeaders(node), "x-ms-request-server-encrypted": "true" },
      };
    }
    case "lease":
      return lease(ns.node(filesystem, path), headers);
    case "delete": {
      const recursive = query.get("recursive") === "true";
      const continuation = ns.delete(filesystem, path, recursive, leaseId, context.deletePageSize);
      return { status: 200, headers: continuation ? { "x-ms-continuation": continuation } : {} };
    }
    default:
      throw new StorageError(
        400,
        "UnsupportedOperation",
        `The dfs test server does not implement ${request.method} on this URL; add it to test/servers/dfs/handlers.ts.`,
      );
  }
}

function lease(node: PathNode, headers: IncomingHttpHeaders): Reply {
  const action = header(headers, "x-ms-lease-action");
  const base = { ETag: node.etag, "Last-Modified": node.lastModified.toUTCString() };
  switch (action) {
    case "acquire": {
      const id = node.lease.acquire(
        header(headers, "x-ms-proposed-lease-id"),
        header(headers, "x-ms-lease-duration"),
      );
      return { status: 201, headers: { ...base, "x-ms-lease-id": id } };
    }
    case "renew":
      return {
        status: 200,
        headers: { ...base, "x-ms-lease-id": node.lease.renew(header(headers, "x-ms-lease-id")) },
      };
    case "release":
      node.lease.release(header(headers, "x-ms-lease-id"));
      return { status: 200, headers: base };
    case "break":
      return {
        status: 202,
        headers: {
          ...base,
          "x-ms-lease-time": String(node.lease.break(header(headers, "x-ms-lease-break-period"))),
        },
      };
    default:
      throw new StorageError(
        400,
        "InvalidHeaderValue",
        `x-ms-lease-action must be acquire, renew, release or break; got ${action}.`,
      );
  }
}

function read(node: PathNode, headers: IncomingHttpHeaders): Reply {
  const ifMatch = header(headers, "if-match");
  if (ifMatch && ifMatch !== "*" && ifMatch !== node.etag) {
    throw new StorageError(
      412,
      "ConditionNotMet",
      "The condition specified using HTTP conditional header(s) is not met.",
    );
  }
  const size = node.data.length;
  const range = header(headers, "x-ms-range") ?? header(headers, "range");
  if (!range) return { status: 200, headers: propertyHeaders(node, size), body: node.data };
  const match = /^bytes=(\d+)-(\d*)$/.exec(range);
  if (!match)
    throw new StorageError(
      400,
      "InvalidHeaderValue",
      `The Range header ${range} is not of the form bytes=start-[end].`,
    );
  const start = Number(match[1]);
  if (start >= size) {
    throw new StorageError(
      416,
      "InvalidRange",
      "The range specified is invalid for the current size of the resource.",
    );
  }
  const end = Math.min(match[2] === "" ? size - 1 : Number(match[2]), size - 1);
  return {
    status: 206,
    headers: {
      ...propertyHeaders(node, end - start + 1),
      "Content-Range": `bytes ${start}-${end}/${size}`,
    },
    body: node.data.subarray(start, end + 1),
  };
}

function propertyHeaders(node: PathNode, contentLength: number): Record<string, string> {
  const state = node.lease.state();
  const result: Record<string, string> = {
    "Content-Length": String(contentLength),
    "Content-Type": "application/octet-stream",
    "Accept-Ranges": "bytes",
    ETag: node.etag,
    "Last-Modified": node.lastModified.toUTCString(),
    "x-ms-creation-time": node.createdAt.toUTCString(),
    "x-ms-resource-type": node.kind,
    "x-ms-blob-type": "BlockBlob",
    "x-ms-server-encrypted": "true",
    "x-ms-owner": "$superuser",
    "x-ms-group": "$superuser",
    "x-ms-permissions": node.kind === "directory" ? "rwxr-x---" : "rw-r-----",
    "x-ms-lease-state": state,
    "x-ms-lease-status": node.lease.isActive() ? "locked" : "unlocked",
  };
  if (state === "leased") result["x-ms-lease-duration"] = node.lease.duration;
  for (const [key, value] of Object.entries(node.metadata)) result[`x-ms-meta-${key}`] = value;
  const properties = Object.entries(node.metadata).map(
    ([key, value]) => `${key}=${Buffer.from(value).toString("base64")}`,
  );
  if (properties.length > 0) result["x-ms-properties"] = properties.join(",");
  return result;
}

function changedHeaders(node: PathNode): Record<string, string> {
  return { ETag: node.etag, "Last-Modified": node.lastModified.toUTCString() };
}

/** One entry of FileSystem_ListPaths, with the strings the service really sends ("true", "123"). */
function listEntry(name: string, node: PathNode): Record<string, string> {
  const entry: Record<string, string> = {
    name,
    contentLength: String(node.kind === "file" ? node.data.length : 0),
    lastModified: node.lastModified.toUTCString(),
    etag: node.etag.replace(/"/g, ""),
    owner: "$superuser",
    group: "$superuser",
    permissions: node.kind === "directory" ? "rwxr-x---" : "rw-r-----",
    // Windows file time (100 ns ticks since 1601), as the service reports creationTime.
    creationTime: String((BigInt(node.createdAt.getTime()) + 11644473600000n) * 10000n),
  };
  if (node.kind === "directory") entry.isDirectory = "true";
  return entry;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function conditionsOf(headers: IncomingHttpHeaders): {
  leaseId?: string;
  ifMatch?: string;
  ifNoneMatch?: string;
} {
  return {
    leaseId: header(headers, "x-ms-lease-id"),
    ifMatch: header(headers, "if-match"),
    ifNoneMatch: header(headers, "if-none-match"),
  };
}

function metadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("x-ms-meta-") && typeof value === "string")
      metadata[name.slice("x-ms-meta-".length)] = value;
  }
  return metadata;
}

/** x-ms-properties: `n1=base64(v1),n2=base64(v2)`. */
function parseProperties(value: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!value) return result;
  for (const pair of value.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0)
      throw new StorageError(
        400,
        "InvalidPropertyName",
        `x-ms-properties entry ${pair.trim()} is not name=base64value.`,
      );
    result[pair.slice(0, eq).trim()] = Buffer.from(pair.slice(eq + 1).trim(), "base64").toString(
      "utf8",
    );
  }
  return result;
}

/**
 * x-ms-rename-source is `/{filesystem}/{path}` on a host-style account. On this path-style server it is
 * the source's URL path, so it starts with the account: `/{account}/{filesystem}/{path}`, which is also
 * what the SDK sends on path-style URLs.
 */
function parseRenameSource(value: string, account: string): { filesystem: string; path: string } {
  const segments = value
    .split("?")[0]
    .split("/")
    .filter((segment) => segment.length > 0)
    .map(decodeURIComponent);
  if (segments[0] !== account || segments.length < 3) {
    throw new StorageError(
      400,
      "InvalidRenameSourcePath",
      `x-ms-rename-source ${value} is not /${account}/<filesystem>/<path>.`,
    );
  }
  return { filesystem: segments[1], path: segments.slice(2).join("/") };
}

function requiredInteger(query: URLSearchParams, name: string): number {
  const value = Number(query.get(name));
  if (!query.has(name) || !Number.isInteger(value) || value < 0) {
    throw new StorageError(
      400,
      "InvalidQueryParameterValue",
      `The query parameter ${name} must be a non-negative integer; got ${query.get(name)}.`,
    );
  }
  return value;
}

function requiredBoolean(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value !== "true" && value !== "false") {
    throw new StorageError(
      400,
      "InvalidQueryParameterValue",
      `The query parameter ${name} is required and must be true or false; got ${value}.`,
    );
  }
  return value === "true";
}

function checkContentLength(request: ParsedRequest): void {
  const declared = header(request.headers, "content-length");
  if (declared !== undefined && Number(declared) !== request.body.length) {
    throw new StorageError(
      400,
      "InvalidHeaderValue",
      `Content-Length ${declared} does not match the ${request.body.length} bytes received.`,
    );
  }
}
