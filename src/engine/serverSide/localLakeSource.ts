// The local target's stand-in for a lake-resident source's container: `--local DIR/<container>/...`
// (lakeLocation.ts, localRelativePath; the account is not part of the local path), listed with each
// file's stat where the dfs listing gives its ETag and Last-Modified.
//
// The etag is `${size}-${mtimeNs}-${ctimeNs}-${ino}`: a write that changes the size, the modification
// time (to the nanosecond where the file system keeps it), or replaces the file (rename over it: a new
// inode) changes it; the change time too, which a tool that puts the modification time back after
// rewriting a file (`cp -p`, `rsync --inplace -t`, `touch -r`) cannot set back (utimes sets only the
// access and modification times). It cannot see a rewrite of the same size within one tick on a file system
// with coarse timestamps, which the dfs ETag would; the runner guards that case by hashing a file
// whose mtime is too recent (fingerprint.ts, the racy rule), which this path does not, since it reads
// no source bytes by design. The second listing after the COPY (exportLakeEntity) still catches a
// file changed during the export whenever its stat changed.

import * as fs from "node:fs";
import * as path from "node:path";
import { ExportError } from "../../errors";
import { localRelativePath, type LakeLocation } from "../../plan/lakeLocation";
import type { EntitySpec } from "../../spec/types";
import type { LakeSourceFiles } from "../../plan/lakeSource";
import { SourceError } from "../sources/sourceError";
import type { LakeEntry } from "../lake/lakeStore";
import type { ListedLakeFile } from "./lakeSourceListing";

/** What the listing gives a file for the dfs ETag (the header above says what it sees). */
function localEtag(st: fs.BigIntStats): string {
  return `${st.size}-${st.mtimeNs}-${st.ctimeNs}-${st.ino}`;
}

function containerDir(dir: string, location: LakeLocation): string {
  return path.join(dir, localRelativePath({ ...location, path: "" }));
}

/** Every file and folder below `folder` of the location's container, paths relative to the container. */
export async function listLocalContainer(
  dir: string,
  location: LakeLocation,
  folder: string,
): Promise<LakeEntry[]> {
  const root = containerDir(dir, location);
  const start = folder === "" ? root : path.join(root, ...folder.split("/"));
  const out: LakeEntry[] = [];
  const fixed = location.path.split(/[*?]/)[0].replace(/\/+$/, "");
  const named = (rel: string) => fixed === rel || fixed.startsWith(`${rel}/`);
  const walk = async (abs: string, rel: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(abs, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const d of entries) {
      const childAbs = path.join(abs, d.name);
      const childRel = rel === "" ? d.name : `${rel}/${d.name}`;
      // ADLS Gen2, which this folder stands in for, has no links, and DuckDB's globs treat them
      // unlike the listing the snapshot id comes from (`*` follows a linked folder, `**` neither it
      // nor a linked file): a link the source's path could reach is refused, naming it. A link the
      // path itself names before its first wildcard (`data/link`, `data/link/*.csv`) is read
      // through; one the path cannot reach (`notes.txt` beside `data/*.csv`) is left alone.
      if (d.isSymbolicLink() && !named(childRel)) {
        if (!pathReaches(location.path, childRel)) continue;
        throw new ExportError(
          "data",
          `${childAbs} is a symbolic link in the local lake (${root}), which stands in for ADLS Gen2, where there are none; ` +
            "the files behind it would be read, or not, unlike the listing that says what changed. Copy the files there instead.",
        );
      }
      const st = await fs.promises.stat(childAbs, { bigint: true });
      if (st.isDirectory()) {
        out.push({ path: childRel, isDirectory: true, size: 0 });
        await walk(childAbs, childRel);
      } else if (st.isFile()) {
        out.push({
          path: childRel,
          isDirectory: false,
          size: Number(st.size),
          etag: localEtag(st),
          lastModified: new Date(Number(st.mtimeMs)).toISOString(),
        });
      }
    }
  };
  await walk(start, folder);
  return out;
}

/** A small text file of the container (a model.json), or undefined when it is not there. */
export async function readLocalSourceText(
  dir: string,
  location: LakeLocation,
): Promise<string | undefined> {
  const file = path.join(dir, localRelativePath(location));
  try {
    return await fs.promises.readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") {
      throw new ExportError("data", `${file} is a folder, not a file`, { cause: e });
    }
    throw e;
  }
}

/**
 * `count` bytes of a source file from `offset`, as readRange of the dfs reads them: undefined when the
 * file is gone or its stat no longer gives the listed etag (rewritten since it was listed).
 */
export async function readLocalSourceRange(
  dir: string,
  location: LakeLocation,
  offset: number,
  count: number,
  etag: string,
): Promise<Buffer | undefined> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path.join(dir, localRelativePath(location)), "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    if (localEtag(await handle.stat({ bigint: true })) !== etag) return undefined;
    const buffer = Buffer.alloc(count);
    const { bytesRead } = await handle.read(buffer, 0, count, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * A failure of DuckDB's read of a local lake source (the check query or the COPY) as the entity's
 * error: a malformed CSV row names its file (as its dfs URL, the name the run's other messages use)
 * and line, as the runner's read of a local file does (writeParts.ts asSourceError), kind `data`.
 * Anything else (the local database's own failures) is left as it came.
 */
export async function localReadFailure(
  dir: string,
  entity: EntitySpec,
  files: readonly ListedLakeFile[],
  error: unknown,
): Promise<unknown> {
  // LocalSql wraps DuckDB's error with the statement's purpose; the reader's text is the cause's.
  const cause = error instanceof ExportError && error.cause !== undefined ? error.cause : error;
  const message = cause instanceof Error ? cause.message : "";
  if (!/^(Invalid Input|Conversion|IO) Error: /.test(message)) return error;
  const named = files.map((f) => ({
    absPath: path.join(dir, ...localRelativePath(f.location).split("/")),
    relPath: f.url,
  }));
  // A file gone since the listing ("No files found") was named by exportLakeEntity's second listing.
  const { asSourceError } =
    require("../writer/writeParts") as typeof import("../writer/writeParts");
  return asSourceError(entity, named, cause);
}

/**
 * The quoting DuckDB's reader would change without an error (sources/csvQuoting.ts: one blank before
 * an opening or after a closing quote is dropped), refused naming the file and line as the runner
 * refuses it in a local file. What serverless makes of such a field is not documented, so the local
 * target does not export what it cannot say Azure would export alike. Serverless escapes a quote only
 * by doubling it, so the escape is the quote.
 */
export async function checkLocalQuoting(
  dir: string,
  source: LakeSourceFiles,
  files: readonly ListedLakeFile[],
): Promise<void> {
  const csv = source.csv;
  if (source.format !== "csv" || csv === undefined) return;
  const dialect = { ...csv, escape: csv.quote, nullString: "" };
  const { csvQuotingProblem } =
    require("../sources/csvQuoting") as typeof import("../sources/csvQuoting");
  for (const f of files) {
    if (f.bytes === 0) continue;
    const file = path.join(dir, ...localRelativePath(f.location).split("/"));
    const problem = await csvQuotingProblem(file, dialect).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw removedAfterListing(f.url);
      throw e;
    });
    if (problem) throw new SourceError(`${f.url} ${problem}`);
  }
}

function removedAfterListing(url: string): SourceError {
  return new SourceError(
    `${url} was removed after it was listed, while the export read it. Nothing was written; run the export again.`,
  );
}

/**
 * True when a source path (a lake path with `*`, `?` or a last `**`) could match `rel` or something
 * below it: each of the path's segments up to rel's depth matches rel's, or a `**` comes first.
 */
function pathReaches(sourcePath: string, rel: string): boolean {
  const pattern = sourcePath.replace(/\/+$/, "").split("/");
  const segments = rel.split("/");
  for (let i = 0; i < segments.length; i++) {
    const p = pattern[i];
    // A path without a wildcard names a folder whose own files are read: one level below it.
    if (p === undefined) return i === pattern.length && !/[*?]/.test(sourcePath);
    if (p === "**") return true;
    const regex = new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    );
    if (!regex.test(segments[i])) return false;
  }
  return true;
}
