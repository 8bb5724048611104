// Which files make up an entity: its `source.path` (a file or a glob) taken relative to the spec's
// folder. Every refusal happens here, before anything is read or written, with the path in the
// message: a path that leaves the spec's folder and the spec's `sourceRoots` (through `..`, an
// absolute path or a symbolic link), a folder where a file is expected, a glob that matches nothing,
// an empty file, a source inside the export's own local target.
//
// Each file is taken once, by its real path and its inode: a symbolic link to another matched file
// (or two links to one file, symbolic or hard) must not feed the same rows twice. Files below an
// excluded folder (the local lake and database the export writes) are left out of every glob, or
// the export would read its own output and grow with every run; a literal path into one is refused.

import { promises as fs } from "node:fs";
import * as path from "node:path";
import { duckdbPathProblem } from "../../plan/duckdbPath";
import type { EntitySpec } from "../../spec/types";
import { expandGlob, hasGlob } from "./glob";
import { SourceError } from "./sourceError";
import { sourceGoneError, statSource, type SourceIdentity } from "./sourceIdentity";

export interface SourceFile extends SourceIdentity {
  /** Real absolute path, what DuckDB reads. */
  absPath: string;
  /** Path relative to the spec's folder with `/`, what messages and the manifest show. */
  relPath: string;
}

/** A source file as a reader's error names it: what DuckDB read, and the name the user knows. */
export type NamedSourceFile = Pick<SourceFile, "absPath" | "relPath">;

export interface ResolveOptions {
  /**
   * Folders (absolute, or relative to the spec's folder) sources may also come from: a symbolic link
   * in the spec's folder may lead into one, and a source path may name a file in one.
   */
  sourceRoots?: readonly string[];
  /** Folders no source may come from (the export's own local target). */
  excludeDirs?: readonly string[];
}

export async function resolveSources(
  baseDir: string,
  entity: EntitySpec,
  options: ResolveOptions = {},
): Promise<SourceFile[]> {
  const pattern = entity.source.path.replace(/\\/g, "/");
  const where = `entity "${entity.name}": source.path "${entity.source.path}"`;
  const base = path.resolve(baseDir);
  let realBase: string;
  try {
    realBase = await fs.realpath(base);
  } catch {
    throw new SourceError(`${where}: the spec's folder ${base} does not exist.`);
  }
  const roots = await realRoots(base, options.sourceRoots ?? [], where);
  const allowed = [base, ...roots.map((r) => r.lexical)];
  const realAllowed = [realBase, ...roots.map((r) => r.real)];
  const excluded = await realFolders(options.excludeDirs ?? []);
  const rootsWords =
    roots.length > 0
      ? ` or the spec's export.sourceRoots (${roots.map((r) => r.lexical).join(", ")})`
      : "";

  const normalized = path.posix.normalize(pattern);
  const lexical = path.resolve(base, normalized);
  const home = allowed.find((dir) => isInside(dir, lexical));
  if (home === undefined) {
    throw new SourceError(
      `${where} leaves the spec's folder ${base}${rootsWords}; source files must be inside it (no ".." or absolute paths outside)` +
        (roots.length === 0
          ? `, or list the folder the files live in under export.sourceRoots.`
          : "."),
    );
  }

  let candidates: string[];
  // A name that merely contains glob characters (report[2024].csv) is taken as it is when it exists.
  const literal = await fs.stat(lexical).catch(() => undefined);
  const globbed = hasGlob(normalized) && !literal;
  if (globbed) {
    const relPattern = path.relative(home, lexical).split(path.sep).join("/");
    candidates = [];
    for (const match of await expandGlob(home, relPattern)) {
      const stat = await fs.stat(match).catch(() => undefined);
      if (stat?.isFile()) candidates.push(match);
    }
    if (candidates.length === 0) {
      throw new SourceError(
        `${where} matches no files in ${home}. Check the pattern and the folder.`,
      );
    }
  } else {
    const stat = literal;
    if (!stat) {
      throw new SourceError(`${where}: the file ${lexical} does not exist.`);
    }
    if (stat.isDirectory()) {
      throw new SourceError(
        `${where} is a folder, not a file. Name a file, or a glob such as "${trimSlash(entity.source.path)}/*.${entity.source.format}".`,
      );
    }
    candidates = [lexical];
  }

  const byReal = new Map<string, SourceFile>();
  for (const candidate of candidates.sort()) {
    const rel = relativeName(base, candidate);
    // A file matched a moment ago may be gone by now (a producer replacing it): said, not ENOENT.
    const gone = (e: unknown) => {
      throw sourceGoneError(e, rel);
    };
    const real = await fs.realpath(candidate).catch(gone);
    if (!realAllowed.some((dir) => isInside(dir, real))) {
      throw new SourceError(
        `${where}: ${rel} is a symbolic link to ${real}, outside the spec's folder ${realBase}${rootsWords}; ` +
          `copy the file into the folder instead, or list the folder it lives in under export.sourceRoots.`,
      );
    }
    const inTarget = excluded.find((dir) => isInside(dir, real));
    if (inTarget !== undefined) {
      if (globbed) continue;
      throw new SourceError(
        `${where}: ${rel} is inside the export's own target ${inTarget}; an export cannot read what it writes. ` +
          `Name a source outside that folder, or export to another folder.`,
      );
    }
    const unreadable = duckdbPathProblem(real);
    if (unreadable !== undefined) throw new SourceError(`${where}: ${unreadable}.`);
    const stat = await fs.stat(real).catch(gone);
    if (!stat.isFile()) {
      throw new SourceError(`${where}: ${rel} is not a regular file.`);
    }
    if (stat.size === 0) {
      throw new SourceError(`${where}: ${rel} is empty (0 bytes). Remove it or give it data.`);
    }
    // The first name in sorted order stands for the file; its other names add nothing. A hard link
    // is another name with its own real path, so a file with links is its device and inode (only
    // then: some filesystems, e.g. SMB shares on Windows, report inode 0 for every file).
    const file = stat.nlink > 1 && stat.ino !== 0 ? `${stat.dev}:${stat.ino}` : real;
    if (byReal.has(file)) continue;
    byReal.set(file, { absPath: real, relPath: rel, ...(await statSource(real, rel)) });
  }
  if (byReal.size === 0) {
    throw new SourceError(
      `${where} matches only files inside the export's own target (${excluded.join(", ")}); ` +
        `an export cannot read what it writes. Move the sources or export to another folder.`,
    );
  }
  return [...byReal.values()].sort((a, b) =>
    a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0,
  );
}

/** Each source root as written (resolved against the spec's folder) and as the filesystem sees it. */
async function realRoots(
  base: string,
  roots: readonly string[],
  where: string,
): Promise<{ lexical: string; real: string }[]> {
  const out: { lexical: string; real: string }[] = [];
  for (const root of roots) {
    const lexical = path.resolve(base, root);
    const stat = await fs.stat(lexical).catch(() => undefined);
    if (!stat?.isDirectory()) {
      throw new SourceError(
        `${where}: export.sourceRoots names ${lexical}, which is not an existing folder.`,
      );
    }
    out.push({ lexical, real: await fs.realpath(lexical) });
  }
  return out;
}

/** The real paths of folders that exist (a target folder not made yet holds no sources). */
async function realFolders(dirs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const dir of dirs) {
    const real = await fs.realpath(path.resolve(dir)).catch(() => undefined);
    if (real !== undefined) out.push(real);
  }
  return out;
}

function relativeName(base: string, file: string): string {
  const rel = path.relative(base, file);
  // A file in a source root outside the spec's folder is named by its absolute path.
  return (isInside(base, file) ? rel : file).split(path.sep).join("/");
}

/** True when `target` is `dir` or below it, lexically (both absolute). */
export function isInside(dir: string, target: string): boolean {
  const rel = path.relative(dir, target);
  return rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function trimSlash(p: string): string {
  return p.replace(/[\\/]+$/, "");
}
