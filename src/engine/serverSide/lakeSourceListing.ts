// The files of a lake-resident source, as serverless SQL will read them, from one listing of the dfs
// endpoint: the folder before the first wildcard is listed (recursively), and its files are matched
// the way OPENROWSET's BULK path matches them (develop-storage-files-overview, "Query multiple files
// or folders": `*` within one path segment, a trailing `**` every file below; a path without a
// wildcard names a file, or the files directly in that folder), skipping names that begin with `_` or
// `.`, which serverless does not read ("hidden files", same page). Only the listing is read, never a
// byte of a file: the listing's ETag and Last-Modified (FileSystem_ListPaths in DataLakeStorage.json,
// 2020-10-02) change with every write of a file, so they stand for its content. That listing carries
// no Content-MD5 (the Path schema of the same spec has none), so none is recorded.

import { createHash } from "node:crypto";
import { ExportError } from "../../errors";
import type { LakeLocation } from "../../plan/lakeLocation";
import { dfsUrl } from "../../plan/lakeLocation";
import type { LakeSourceFiles } from "../../plan/lakeSource";
import type { SourceRecord } from "../fingerprint";
import { destinationKey, WRITER_VERSION, type SnapshotDestination } from "../fingerprint";
import type { LakeEntry } from "../lake/lakeStore";
import { SNAPSHOT_ID_LENGTH } from "../../plan/sqlPlan";

/** One source file as listed: enough to know it changed without reading it. */
export interface ListedLakeFile {
  /** The file's https:// dfs URL, as serverless names it. */
  url: string;
  /** The same file as a location (its path in the container), to read its header. */
  location: LakeLocation;
  bytes: number;
  etag: string;
  lastModified: string;
}

/** Lists a container's paths below a folder (recursive), with ETag and Last-Modified. */
export type ListContainer = (location: LakeLocation, folder: string) => Promise<LakeEntry[]>;

/**
 * The folder to list for a BULK path: everything before the first wildcard's segment; for a path
 * without one (a file, or a folder), its parent, since a file cannot be listed as a folder.
 */
export function listingFolder(path: string): string {
  const wildcard = path.search(/[*?]/);
  const head = wildcard < 0 ? path.replace(/\/+$/, "") : path.slice(0, wildcard);
  return head.replace(/[^/]*$/, "").replace(/\/+$/, "");
}

/** The listed files a BULK path reads, sorted by path. */
export function matchBulkPath(bulkPath: string, entries: readonly LakeEntry[]): LakeEntry[] {
  // A trailing `/` names the folder itself (develop-openrowset, "BULK", the `webdata/` example).
  const path = bulkPath.replace(/\/+$/, "");
  const files = entries.filter((e) => !e.isDirectory);
  const hidden = (relative: string) => /(^|\/)[_.]/.test(relative);
  let matched: LakeEntry[];
  if (!/[*?]/.test(path)) {
    const exact = files.filter((e) => e.path === path);
    const prefix = path === "" ? "" : `${path}/`;
    matched =
      exact.length > 0
        ? exact
        : files.filter(
            (e) =>
              e.path.startsWith(prefix) &&
              !e.path.slice(prefix.length).includes("/") &&
              !hidden(e.path.slice(prefix.length)),
          );
  } else {
    const folder = listingFolder(path);
    const prefix = folder === "" ? "" : `${folder}/`;
    const regex = globRegex(path);
    matched = files.filter(
      (e) =>
        e.path.startsWith(prefix) && !hidden(e.path.slice(prefix.length)) && regex.test(e.path),
    );
  }
  return matched.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
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

/**
 * Every file of the source, one listing per location. A location that matches no file fails: a CETAS
 * over nothing would write an empty snapshot and serve it.
 */
export async function listLakeSource(
  source: LakeSourceFiles,
  list: ListContainer,
): Promise<ListedLakeFile[]> {
  const out: ListedLakeFile[] = [];
  // model.json's partitions share a folder: one listing of it serves them all.
  const listed = new Map<string, Promise<LakeEntry[]>>();
  for (const [i, location] of source.files.entries()) {
    const folder = listingFolder(location.path);
    const key = `${location.account}/${location.container}/${folder}`;
    if (!listed.has(key)) listed.set(key, list(location, folder));
    const entries = await listed.get(key)!;
    const matched = matchBulkPath(location.path, entries);
    if (matched.length === 0) {
      throw new ExportError(
        "data",
        `${dfsUrl(location)} matches no file in the lake (names beginning with _ or . are not read); nothing was written.`,
      );
    }
    const field = source.partitionFields?.[i];
    if (field !== undefined && (matched.length !== 1 || matched[0].path !== location.path)) {
      throw new ExportError(
        "data",
        `${field} "${dfsUrl(location)}" is a folder in the lake, not a file; a model.json partition must be one file (a folder's files would be read as one partition, some perhaps twice). Nothing was exported.`,
      );
    }
    for (const e of matched) {
      if (e.etag === undefined || e.lastModified === undefined) {
        throw new ExportError(
          "lake",
          `the listing of ${dfsUrl(location)} gave no ETag or Last-Modified for ${e.path}, so its changes cannot be told without reading it; nothing was written.`,
        );
      }
      out.push({
        url: dfsUrl({ ...location, path: e.path }),
        location: { ...location, path: e.path },
        bytes: e.size,
        etag: e.etag,
        lastModified: e.lastModified,
      });
    }
  }
  return out;
}

/** The snapshot id of a lake source: its listing, its columns and how it is read, never its bytes. */
export function lakeSnapshotId(
  source: LakeSourceFiles,
  files: readonly ListedLakeFile[],
  destination: SnapshotDestination,
): string {
  return createHash("sha256")
    .update(
      JSON.stringify({
        writer: WRITER_VERSION,
        destination: destinationKey(destination),
        engine: "synapse",
        format: source.format,
        csv: source.csv ?? null,
        columns: source.columns,
        files: files.map((f) => [f.url, f.bytes, f.etag, f.lastModified]),
      }),
    )
    .digest("hex")
    .slice(0, SNAPSHOT_ID_LENGTH);
}

/** The listing as the manifest's `sources`. */
export function lakeSourceRecords(files: readonly ListedLakeFile[]): SourceRecord[] {
  return files.map((f) => ({
    path: f.url,
    bytes: f.bytes,
    mtimeMs: Date.parse(f.lastModified),
    sha256: "",
    etag: f.etag,
  }));
}

/** True when two listings name the same files with the same sizes, ETags and times. */
export function sameListing(a: readonly ListedLakeFile[], b: readonly ListedLakeFile[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * How a source's second listing differs from its first, naming the first file that differs (removed,
 * rewritten: another ETag or size, added), or undefined when no file did: what a failure says when
 * the files changed under the read.
 */
export function listingChange(
  before: readonly ListedLakeFile[],
  after: readonly ListedLakeFile[],
): string | undefined {
  const now = new Map(after.map((f) => [f.url, f]));
  for (const f of before) {
    const g = now.get(f.url);
    if (!g) return `${f.url} was removed after it was listed`;
    if (g.etag !== f.etag || g.bytes !== f.bytes)
      return `${f.url} was rewritten after it was listed`;
  }
  const was = new Set(before.map((f) => f.url));
  const added = after.find((f) => !was.has(f.url));
  return added ? `${added.url} was added after the source was listed` : undefined;
}
