// The lake as Synapse serverless SQL sees it from inside Azure: the TDS test server's CETAS and
// OPENROWSET read and write the dfs test server's namespace in-process, never through its HTTP
// endpoint, so what the runner (an SDK client) moves over the wire stays countable apart
// (DfsServer.bytesTransferred) from what "serverless" reads and writes (`bytesRead`, `bytesWritten`).
//
// Addresses are the ones serverless takes (develop-openrowset, "BULK"; develop-tables-external-tables,
// "LOCATION"): `https://<account>.dfs.core.windows.net/<container>/<path>` (or `.blob.` for reads) and
// `abfss://<container>@<account>.dfs.core.windows.net/<path>`. Each account is one dfs test server; an
// account no server stands for "cannot be opened" as for a caller without access.
//
// Which files a BULK path reads (wildcards, hidden files, folders) is ./bulkPathMatch.ts, read from
// Microsoft's pages independently of the product's matcher.

import type { DfsServer } from "../dfsServer";
import { bulkPathFiles } from "./bulkPathMatch";

export interface LakeAddress {
  account: string;
  filesystem: string;
  path: string;
}

export interface LakeFile {
  account: string;
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

  private readonly accounts: DfsServer[];

  /** One dfs test server per storage account serverless can reach (the export's, a source's). */
  constructor(accounts: DfsServer | DfsServer[]) {
    this.accounts = ([] as DfsServer[]).concat(accounts);
  }

  private dfsOf(account: string): DfsServer | undefined {
    return this.accounts.find((d) => d.account.toLowerCase() === account.toLowerCase());
  }

  urlOf(account: string, filesystem: string, path: string): string {
    return `https://${account}.dfs.core.windows.net/${filesystem}/${path}`;
  }

  private filesystem(address: LakeAddress) {
    return this.dfsOf(address.account)?.namespace.filesystems.get(address.filesystem);
  }

  /** The files a BULK path names, sorted; undefined when its folder does not exist. */
  match(url: string): LakeFile[] | undefined {
    const address = parseLakeUrl(url);
    const fs = address && this.filesystem(address);
    if (!address || !fs) return undefined;
    const pattern = address.path.replace(/\/+$/, "");
    // The folder the path starts from must exist (serverless fails on a missing one); which of its
    // files are read is bulkPathFiles' independent reading of the docs.
    const wildcard = pattern.search(/[*?]/);
    const folder =
      wildcard < 0
        ? pattern
        : pattern
            .slice(0, wildcard)
            .replace(/[^/]*$/, "")
            .replace(/\/$/, "");
    const node = folder === "" ? undefined : fs.paths.get(folder);
    if (folder !== "" && !node) return undefined;
    if (wildcard < 0 && node!.kind === "file") return [this.fileOf(address, pattern, node!.etag)];
    if (folder !== "" && node!.kind !== "directory") return undefined;
    const etags = new Map<string, string>();
    for (const [p, n] of fs.paths.entries()) if (n.kind === "file") etags.set(p, n.etag);
    return bulkPathFiles(pattern, [...etags.keys()]).map((p) =>
      this.fileOf(address, p, etags.get(p)!),
    );
  }

  private fileOf(address: LakeAddress, path: string, etag: string): LakeFile {
    const { account, filesystem } = address;
    return { url: this.urlOf(account, filesystem, path), account, filesystem, path, etag };
  }

  /** The file's bytes now, or undefined when it is gone; counted as read by serverless. */
  read(file: LakeFile): { data: Buffer; etag: string } | undefined {
    const node = this.dfsOf(file.account)
      ?.namespace.filesystems.get(file.filesystem)
      ?.paths.get(file.path);
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
    const dfs = this.dfsOf(address.account)!;
    const node = dfs.namespace.createPath(address.filesystem, address.path, "file", {}, {});
    node.data = data;
    this.bytesWritten += data.length;
  }

  /**
   * Creates a folder (CETAS creates its LOCATION before the first part) and returns the URL of the
   * topmost folder that did not exist before, which is what a clean-up after a failure removes.
   */
  mkdir(url: string): string {
    const address = parseLakeUrl(url)!;
    const namespace = this.dfsOf(address.account)!.namespace;
    const paths = namespace.fileSystem(address.filesystem).paths;
    const segments = address.path.split("/");
    const firstNew = segments.findIndex((_, i) => !paths.has(segments.slice(0, i + 1).join("/")));
    namespace.createPath(address.filesystem, address.path, "directory", {}, {});
    const created = segments.slice(0, firstNew + 1).join("/");
    return this.urlOf(address.account, address.filesystem, created);
  }

  /** Removes a folder and what is below it (CETAS's one-time clean-up after a failure). */
  remove(url: string): void {
    const address = parseLakeUrl(url)!;
    if (this.filesystem(address)?.paths.has(address.path))
      this.dfsOf(address.account)!.namespace.delete(
        address.filesystem,
        address.path,
        true,
        undefined,
        Infinity,
      );
  }
}
