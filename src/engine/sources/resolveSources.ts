// Which files make up an entity: its `source.path` (a file or a glob) taken relative to the spec's
// folder. Every refusal happens here, before anything is read or written, with the path in the
// message: a path that leaves the spec's folder (through `..`, an absolute path or a symbolic link),
// a folder where a file is expected, a glob that matches nothing, an empty file.

import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { EntitySpec } from "../../spec/types";
import { expandGlob, hasGlob } from "./glob";
import { SourceError } from "./sourceError";

export interface SourceFile {
  /** Real absolute path, what DuckDB reads. */
  absPath: string;
  /** Path relative to the spec's folder with `/`, what messages and the manifest show. */
  relPath: string;
  bytes: number;
  mtimeMs: number;
}

export async function resolveSources(baseDir: string, entity: EntitySpec): Promise<SourceFile[]> {
  const pattern = entity.source.path.replace(/\\/g, "/");
  const where = `entity "${entity.name}": source.path "${entity.source.path}"`;
  const base = path.resolve(baseDir);
  let realBase: string;
  try {
    realBase = await fs.realpath(base);
  } catch {
    throw new SourceError(`${where}: the spec's folder ${base} does not exist.`);
  }
  const normalized = path.posix.normalize(pattern);
  const lexical = path.resolve(base, normalized);
  if (!isInside(base, lexical)) {
    throw new SourceError(
      `${where} leaves the spec's folder ${base}; source files must be inside it (no ".." or absolute paths outside).`,
    );
  }

  let candidates: string[];
  // A name that merely contains glob characters (report[2024].csv) is taken as it is when it exists.
  const literal = await fs.stat(lexical).catch(() => undefined);
  if (hasGlob(normalized) && !literal) {
    const relPattern = path.relative(base, lexical).split(path.sep).join("/");
    candidates = [];
    for (const match of await expandGlob(base, relPattern)) {
      const stat = await fs.stat(match).catch(() => undefined);
      if (stat?.isFile()) candidates.push(match);
    }
    if (candidates.length === 0) {
      throw new SourceError(
        `${where} matches no files in ${base}. Check the pattern and the folder.`,
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

  const files: SourceFile[] = [];
  for (const candidate of candidates) {
    const rel = path.relative(base, candidate).split(path.sep).join("/");
    const real = await fs.realpath(candidate);
    if (!isInside(realBase, real)) {
      throw new SourceError(
        `${where}: ${rel} is a symbolic link to ${real}, outside the spec's folder ${realBase}; copy the file into the folder instead.`,
      );
    }
    const stat = await fs.stat(real);
    if (!stat.isFile()) {
      throw new SourceError(`${where}: ${rel} is not a regular file.`);
    }
    if (stat.size === 0) {
      throw new SourceError(`${where}: ${rel} is empty (0 bytes). Remove it or give it data.`);
    }
    files.push({ absPath: real, relPath: rel, bytes: stat.size, mtimeMs: stat.mtimeMs });
  }
  return files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

function isInside(dir: string, target: string): boolean {
  const rel = path.relative(dir, target);
  return rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function trimSlash(p: string): string {
  return p.replace(/[\\/]+$/, "");
}
