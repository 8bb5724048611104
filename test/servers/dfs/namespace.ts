// The in-memory state behind the dfs test server: filesystems holding a hierarchical namespace (HNS) of
// files and directories, with the semantics the Data Lake REST spec (DataLakeStorage.json, 2020-10-02)
// gives Path_Create, Path_Update (append / flush), Path_Delete, FileSystem_ListPaths and rename:
// - creating a path creates its missing parent directories, as HNS does;
// - appended data is staged by position and becomes the file's content only when flushed, and the
//   flush position must equal the length after contiguous appends (else 400 InvalidFlushPosition);
// - rename replaces the destination atomically and needs the destination's parent to exist.

import { Lease } from "./lease";
import { StorageError } from "./storageError";

export interface PathNode {
  kind: "file" | "directory";
  /** The flushed content; what readers see. */
  data: Buffer;
  /** Appended but not yet flushed data, by position. */
  staged: Map<number, Buffer>;
  etag: string;
  createdAt: Date;
  lastModified: Date;
  metadata: Record<string, string>;
  lease: Lease;
}

export interface FileSystem {
  name: string;
  etag: string;
  lastModified: Date;
  paths: Map<string, PathNode>;
}

export interface ListedPath {
  name: string;
  node: PathNode;
}

let etagCounter = 0x8d000000000;
function nextEtag(): string {
  etagCounter += 1;
  return `"0x${etagCounter.toString(16).toUpperCase()}"`;
}

/** `a//b/` → `a/b`; the empty string is the filesystem root. */
export function normalizePath(path: string): string {
  return path
    .split("/")
    .filter((segment) => segment.length > 0)
    .join("/");
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function isBelow(path: string, directory: string): boolean {
  return directory === "" ? path !== "" : path.startsWith(`${directory}/`);
}

export interface WriteConditions {
  leaseId?: string;
  ifMatch?: string;
  ifNoneMatch?: string;
}

export class Namespace {
  readonly filesystems = new Map<string, FileSystem>();

  constructor(private readonly minLeaseSeconds: number) {}

  createFileSystem(name: string, alreadyExistsCode: string): FileSystem {
    if (this.filesystems.has(name))
      throw new StorageError(409, alreadyExistsCode, "The specified filesystem already exists.");
    const fs: FileSystem = { name, etag: nextEtag(), lastModified: new Date(), paths: new Map() };
    this.filesystems.set(name, fs);
    return fs;
  }

  fileSystem(name: string): FileSystem {
    const fs = this.filesystems.get(name);
    if (!fs)
      throw new StorageError(404, "FilesystemNotFound", "The specified filesystem does not exist.");
    return fs;
  }

  node(fsName: string, path: string): PathNode {
    const node = this.fileSystem(fsName).paths.get(normalizePath(path));
    if (!node) throw new StorageError(404, "PathNotFound", "The specified path does not exist.");
    return node;
  }

  createPath(
    fsName: string,
    rawPath: string,
    kind: "file" | "directory",
    conditions: WriteConditions,
    metadata: Record<string, string>,
  ): PathNode {
    const fs = this.fileSystem(fsName);
    const path = normalizePath(rawPath);
    if (path === "")
      throw new StorageError(
        400,
        "InvalidResourceName",
        "The path of a file or directory must not be empty.",
      );
    const existing = fs.paths.get(path);
    checkConditions(existing, conditions);
    if (existing && existing.kind !== kind) {
      throw new StorageError(
        409,
        "PathConflict",
        `The path ${path} already exists as a ${existing.kind}.`,
      );
    }
    // DataLakeStorage.json's Path_Create says an overwrite breaks the destination's lease, but the real
    // service answers an overwrite of a leased file without its lease id with 412 LeaseIdMissing, as
    // the Blob service's Lease Blob page documents for writes to a leased blob (issue 15 item 3, and
    // DESIGN.md "traps found by reading Azure's own word"): the lease id is required.
    if (existing?.lease.isActive()) existing.lease.checkWrite(conditions.leaseId);
    this.ensureParents(fs, path);
    const now = new Date();
    const node: PathNode = existing ?? {
      kind,
      data: Buffer.alloc(0),
      staged: new Map(),
      etag: "",
      createdAt: now,
      lastModified: now,
      metadata: {},
      lease: new Lease(this.minLeaseSeconds),
    };
    if (kind === "file") {
      node.data = Buffer.alloc(0);
      node.staged.clear();
    }
    node.metadata = kind === "directory" ? { ...metadata, hdi_isfolder: "true" } : metadata;
    node.etag = nextEtag();
    node.lastModified = now;
    fs.paths.set(path, node);
    return node;
  }

  append(
    fsName: string,
    path: string,
    position: number,
    body: Buffer,
    leaseId: string | undefined,
  ): void {
    const node = this.fileNode(fsName, path);
    node.lease.checkWrite(leaseId);
    if (!Number.isInteger(position) || position < node.data.length) {
      throw new StorageError(400, "InvalidFlushPosition", invalidPositionMessage);
    }
    if (body.length === 0)
      throw new StorageError(
        400,
        "InvalidHeaderValue",
        "An append must carry data (Content-Length > 0).",
      );
    node.staged.set(position, body);
  }

  flush(
    fsName: string,
    path: string,
    position: number,
    leaseId: string | undefined,
    retainUncommittedData: boolean,
  ): PathNode {
    const node = this.fileNode(fsName, path);
    node.lease.checkWrite(leaseId);
    if (!Number.isInteger(position) || position < node.data.length) {
      throw new StorageError(400, "InvalidFlushPosition", invalidPositionMessage);
    }
    const parts = [node.data];
    let cursor = node.data.length;
    while (cursor < position) {
      const chunk = node.staged.get(cursor);
      if (!chunk) throw new StorageError(400, "InvalidFlushPosition", invalidPositionMessage);
      parts.push(chunk);
      cursor += chunk.length;
    }
    if (cursor !== position)
      throw new StorageError(400, "InvalidFlushPosition", invalidPositionMessage);
    node.data = Buffer.concat(parts);
    for (const start of [...node.staged.keys()]) {
      if (start < position || !retainUncommittedData) node.staged.delete(start);
    }
    node.etag = nextEtag();
    node.lastModified = new Date();
    return node;
  }

  setMetadata(
    fsName: string,
    path: string,
    metadata: Record<string, string>,
    leaseId: string | undefined,
  ): PathNode {
    const node = this.node(fsName, path);
    node.lease.checkWrite(leaseId);
    node.metadata = node.kind === "directory" ? { ...metadata, hdi_isfolder: "true" } : metadata;
    node.etag = nextEtag();
    node.lastModified = new Date();
    return node;
  }

  rename(
    fsName: string,
    rawDestination: string,
    sourceFsName: string,
    rawSource: string,
    conditions: WriteConditions,
    sourceLeaseId: string | undefined,
  ): PathNode {
    const fs = this.fileSystem(fsName);
    const sourceFs = this.fileSystem(sourceFsName);
    const source = normalizePath(rawSource);
    const destination = normalizePath(rawDestination);
    const node = sourceFs.paths.get(source);
    if (!node)
      throw new StorageError(
        404,
        "SourcePathNotFound",
        "The source path for a rename operation does not exist.",
      );
    if (node.lease.isActive()) node.lease.checkWrite(sourceLeaseId);
    const parent = parentOf(destination);
    if (parent !== "" && fs.paths.get(parent)?.kind !== "directory") {
      throw new StorageError(
        404,
        "RenameDestinationParentPathNotFound",
        "The parent directory of the destination path does not exist.",
      );
    }
    if (fs === sourceFs && (destination === source || isBelow(destination, source))) {
      throw new StorageError(
        400,
        "InvalidDestinationPath",
        "The destination path is the source or lies below it.",
      );
    }
    const existing = fs.paths.get(destination);
    checkConditions(existing, conditions);
    if (existing && (existing.kind === "directory" || node.kind === "directory")) {
      throw new StorageError(
        409,
        "PathConflict",
        `The destination ${destination} already exists as a ${existing.kind}.`,
      );
    }
    // A rename over a leased destination needs the destination's lease id (412 LeaseIdMissing), as a
    // write over it does.
    if (existing?.lease.isActive()) existing.lease.checkWrite(conditions.leaseId);
    const moved: [string, PathNode][] = [[destination, node]];
    for (const [path, child] of sourceFs.paths) {
      if (isBelow(path, source)) moved.push([destination + path.slice(source.length), child]);
    }
    for (const [path] of sourceFs.paths)
      if (path === source || isBelow(path, source)) sourceFs.paths.delete(path);
    for (const [path, child] of moved) fs.paths.set(path, child);
    node.lastModified = new Date();
    return node;
  }

  /**
   * Deletes a path. A directory with more than `pageSize` entries below it is deleted in pages: the
   * deepest entries go first and a continuation token asks the client to call again.
   */
  delete(
    fsName: string,
    rawPath: string,
    recursive: boolean,
    leaseId: string | undefined,
    pageSize: number,
  ): string | undefined {
    const fs = this.fileSystem(fsName);
    const path = normalizePath(rawPath);
    const node = fs.paths.get(path);
    if (!node) throw new StorageError(404, "PathNotFound", "The specified path does not exist.");
    node.lease.checkWrite(leaseId);
    const below = [...fs.paths.keys()].filter((candidate) => isBelow(candidate, path));
    if (node.kind === "directory" && below.length > 0 && !recursive) {
      throw new StorageError(
        409,
        "DirectoryNotEmpty",
        "The recursive query parameter value must be true to delete a non-empty directory.",
      );
    }
    if (below.length > pageSize) {
      below.sort((a, b) => b.split("/").length - a.split("/").length || b.localeCompare(a));
      for (const victim of below.slice(0, pageSize)) fs.paths.delete(victim);
      return Buffer.from(`delete:${path}:${below.length - pageSize}`).toString("base64");
    }
    for (const victim of below) fs.paths.delete(victim);
    fs.paths.delete(path);
    return undefined;
  }

  /** A page of the paths below `directory`, by name; the continuation is the last name returned. */
  list(
    fsName: string,
    rawDirectory: string,
    recursive: boolean,
    pageSize: number,
    continuation: string | undefined,
  ): { paths: ListedPath[]; continuation?: string } {
    const fs = this.fileSystem(fsName);
    const directory = normalizePath(rawDirectory);
    if (directory !== "" && !fs.paths.has(directory))
      throw new StorageError(404, "PathNotFound", "The specified path does not exist.");
    const after =
      continuation === undefined ? undefined : Buffer.from(continuation, "base64").toString("utf8");
    const names = [...fs.paths.keys()]
      .filter((name) => isBelow(name, directory))
      .filter((name) => recursive || parentOf(name) === directory)
      .filter((name) => after === undefined || name > after)
      .sort();
    const page = names.slice(0, pageSize);
    const paths = page.map((name) => ({ name, node: fs.paths.get(name)! }));
    const more = names.length > pageSize;
    return more
      ? { paths, continuation: Buffer.from(page[page.length - 1], "utf8").toString("base64") }
      : { paths };
  }

  private fileNode(fsName: string, path: string): PathNode {
    const node = this.node(fsName, path);
    if (node.kind !== "file")
      throw new StorageError(
        409,
        "PathConflict",
        `The path ${normalizePath(path)} is a directory, not a file.`,
      );
    return node;
  }

  private ensureParents(fs: FileSystem, path: string): void {
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const ancestor = segments.slice(0, i).join("/");
      const existing = fs.paths.get(ancestor);
      if (existing?.kind === "file") {
        throw new StorageError(
          409,
          "PathConflict",
          `The parent ${ancestor} of ${path} is a file, not a directory.`,
        );
      }
      if (!existing) {
        const now = new Date();
        fs.paths.set(ancestor, {
          kind: "directory",
          data: Buffer.alloc(0),
          staged: new Map(),
          etag: nextEtag(),
          createdAt: now,
          lastModified: now,
          metadata: { hdi_isfolder: "true" },
          lease: new Lease(this.minLeaseSeconds),
        });
      }
    }
  }
}

const invalidPositionMessage =
  "The uploaded data is not contiguous or the position query parameter value is not equal to the length of the file after appending the uploaded data.";

function checkConditions(existing: PathNode | undefined, conditions: WriteConditions): void {
  if (conditions.ifNoneMatch === "*" && existing) {
    throw new StorageError(409, "PathAlreadyExists", "The specified path already exists.");
  }
  if (
    conditions.ifNoneMatch &&
    conditions.ifNoneMatch !== "*" &&
    existing?.etag === conditions.ifNoneMatch
  ) {
    throw new StorageError(
      412,
      "ConditionNotMet",
      "The condition specified using HTTP conditional header(s) is not met.",
    );
  }
  if (
    conditions.ifMatch &&
    (!existing || (conditions.ifMatch !== "*" && existing.etag !== conditions.ifMatch))
  ) {
    throw new StorageError(
      412,
      "ConditionNotMet",
      "The condition specified using HTTP conditional header(s) is not met.",
    );
  }
}
