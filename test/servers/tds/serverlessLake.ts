// The lake as Synapse serverless SQL sees it from inside Azure: the TDS test server's CETAS and
// OPENROWSET read and write the dfs test server's namespace in-process, never through its HTTP
// endpoint, so what the runner (an SDK client) moves over the wire stays countable apart
// (DfsServer.bytesTransferred) from what "serverless" reads and writes (`bytesRead`, `bytesWritten`).
//
// Addresses are the ones serverless takes (develop-openrowset, "BULK"; develop-tables-external-tables,
// "LOCATION"): `https://<account>.dfs.core.windows.net/<container>/<path>` (or `.blob.` for reads) and
// `abfss://<container>@<account>.dfs.core.windows.net/<path>`. Only this server's account is reachable;
// any other account's file "cannot be opened" as for a caller without access.
//
// Wildcards: `*` matches within one path segment and a trailing `**` matches every file below
// (develop-storage-files-overview, "Query multiple files or folders": `/*` all files of a folder,
// `/**` recursive). Files whose name starts with `_` or `.` are hidden and skipped, as serverless skips
// them (develop-storage-files-overview, "hidden files": names starting with an underscore or a period).

import type { DfsServer } from "../dfsServer";

export interface LakeAddress {
  account: string;
  filesystem: string;
  path: string;
}

export interface LakeFile {
  /** The file's address as serverless names it in errors: https://<account>.dfs.core.windows.net/... */
  url: string;
  filesystem: string;
  path: string;
  etag: string;
}

/** Reads `https://...dfs.core.windows.net/fs/path`, `https://...blob.core.windows.net/fs/path`, `abfss://fs@.../path`. */
export function parseLakeUrl(url: string): LakeAddress | undefined {
  const abfss = /^abfss:\/\/([^@/]+)@([a-z0-9]+)\.dfs\.core\.windows\.net\/?(.*)$/i.exec(url);
  if (abfss)
    return { filesystem: abfss[1], account: abfss[2].toLowerCase(), path: clean(abfss[3]) };
  const https = /^https:\/\/([a-z0-9]+)\.(?:dfs|blob)\.core\.windows\.net\/([^/]+)\/?(.*)$/i.exec(
    url,
  );
  if (https)
    return { account: https[1].toLowerCase(), filesystem: https[2], path: clean(https[3]) };
  return undefined;
}

function clean(path: string): string {
  return path
    .split("/")
    .filter((s) => s.length > 0)
    .join("/");
}

/** `location` of a data source joined with a relative LOCATION / BULK path. */
export function joinLakeUrl(base: string, relative: string): string {
  return `${base.replace(/\/+$/, "")}/${relative.replace(/^\/+/, "")}`;
}

export class ServerlessLake {
  bytesRead = 0;
  bytesWritten = 0;

  constructor(private readonly dfs: DfsServer) {}

  urlOf(filesystem: string, path: string): string {
    return `https://${this.dfs.account}.dfs.core.windows.net/${filesystem}/${path}`;
  }

  private filesystem(address: LakeAddress) {
    if (address.account !== this.dfs.account.toLowerCase()) return undefined;
    return this.dfs.namespace.filesystems.get(address.filesystem);
  }

  /** The files a BULK path names, sorted; undefined when its folder does not exist. */
  match(url: string): LakeFile[] | undefined {
    const address = parseLakeUrl(url);
    const fs = address && this.filesystem(address);
    if (!address || !fs) return undefined;
    const pattern = address.path;
    if (!/[*?]/.test(pattern)) {
      const node = fs.paths.get(pattern);
      if (!node) return undefined;
      if (node.kind === "file") return [this.fileOf(address.filesystem, pattern, node.etag)];
      return this.below(address.filesystem, pattern, false);
    }
    const folder = pattern
      .slice(0, pattern.search(/[*?]/))
      .replace(/[^/]*$/, "")
      .replace(/\/$/, "");
    if (folder !== "" && fs.paths.get(folder)?.kind !== "directory") return undefined;
    const regex = globRegex(pattern);
    return this.below(address.filesystem, folder, true).filter((f) => regex.test(f.path));
  }

  private below(filesystem: string, folder: string, recursive: boolean): LakeFile[] {
    const fs = this.dfs.namespace.filesystems.get(filesystem)!;
    const prefix = folder === "" ? "" : `${folder}/`;
    return [...fs.paths.entries()]
      .filter(([p, node]) => node.kind === "file" && p.startsWith(prefix))
      .filter(([p]) => recursive || !p.slice(prefix.length).includes("/"))
      .filter(([p]) => !/(^|\/)[_.]/.test(p.slice(prefix.length)))
      .map(([p, node]) => this.fileOf(filesystem, p, node.etag))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  private fileOf(filesystem: string, path: string, etag: string): LakeFile {
    return { url: this.urlOf(filesystem, path), filesystem, path, etag };
  }

  /** The file's bytes now, or undefined when it is gone; counted as read by serverless. */
  read(file: LakeFile): { data: Buffer; etag: string } | undefined {
    const node = this.dfs.namespace.filesystems.get(file.filesystem)?.paths.get(file.path);
    if (!node || node.kind !== "file") return undefined;
    this.bytesRead += node.data.length;
    return { data: node.data, etag: node.etag };
  }

  /** Whether anything (a file, or a folder even empty) exists at a LOCATION. */
  exists(url: string): boolean {
    const address = parseLakeUrl(url);
    const fs = address && this.filesystem(address);
    if (!address || !fs) return false;
    return address.path === "" ? fs.paths.size > 0 : fs.paths.has(address.path);
  }

  /** Whether the filesystem of an address is this server's (else the write "cannot be opened"). */
  reachable(url: string): boolean {
    const address = parseLakeUrl(url);
    return Boolean(address && this.filesystem(address));
  }

  /** Writes a whole file, creating its folders, as serverless writes a CETAS part; counted as written. */
  write(url: string, data: Buffer): void {
    const address = parseLakeUrl(url)!;
    const node = this.dfs.namespace.createPath(address.filesystem, address.path, "file", {}, {});
    node.data = data;
    this.bytesWritten += data.length;
  }

  /**
   * Creates a folder (CETAS creates its LOCATION before the first part) and returns the URL of the
   * topmost folder that did not exist before, which is what a clean-up after a failure removes.
   */
  mkdir(url: string): string {
    const address = parseLakeUrl(url)!;
    const paths = this.dfs.namespace.fileSystem(address.filesystem).paths;
    const segments = address.path.split("/");
    const firstNew = segments.findIndex((_, i) => !paths.has(segments.slice(0, i + 1).join("/")));
    this.dfs.namespace.createPath(address.filesystem, address.path, "directory", {}, {});
    return this.urlOf(address.filesystem, segments.slice(0, firstNew + 1).join("/"));
  }

  /** Removes a folder and what is below it (CETAS's one-time clean-up after a failure). */
  remove(url: string): void {
    const address = parseLakeUrl(url)!;
    if (this.filesystem(address)?.paths.has(address.path))
      this.dfs.namespace.delete(address.filesystem, address.path, true, undefined, Infinity);
  }
}

function globRegex(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      out += ".*";
      i++;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}
