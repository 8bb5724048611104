// A small glob for source paths: `*` and `?` within one name, `[abc]` / `[a-z]` / `[!a]` classes, and
// `**` for any depth of folders. Node 20 has no fs.glob, and a dependency is not worth it for this.
// As in shells, a wildcard does not match a name starting with `.` unless the pattern does too, so
// editor and lock files (`.~lock.x.csv#`) never become part of an entity.

import { promises as fs } from "node:fs";
import * as path from "node:path";

const GLOB_CHARS = /[*?[]/;

export function hasGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** A regular expression for one path segment of a glob. */
export function segmentRegExp(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const close = segment.indexOf("]", i + 2);
      if (close < 0) {
        re += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else re += ch.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  const dotSafe = segment.startsWith(".") ? "" : "(?!\\.)";
  return new RegExp(`^${dotSafe}${re}$`);
}

/**
 * Every path below `dir` (absolute) matching the `/`-separated glob `pattern`, files and directories
 * alike, sorted. Symbolic links are followed; a folder reached twice through links is walked once.
 */
export async function expandGlob(dir: string, pattern: string): Promise<string[]> {
  const segments = pattern.split("/").filter((s) => s !== "" && s !== ".");
  const found = new Set<string>();
  const seen = new Set<string>();

  const walk = async (current: string, rest: string[]): Promise<void> => {
    if (rest.length === 0) {
      found.add(current);
      return;
    }
    const [head, ...tail] = rest;
    if (head === "**") {
      const real = await fs.realpath(current).catch(() => undefined);
      const key = `${real}\u0000${tail.join("/")}`;
      if (real === undefined || seen.has(key)) return;
      seen.add(key);
      await walk(current, tail);
      for (const child of await listDirs(current)) await walk(child, rest);
      return;
    }
    if (!hasGlob(head)) {
      const next = path.join(current, head);
      if (tail.length === 0 ? await exists(next) : await isDir(next)) await walk(next, tail);
      return;
    }
    const re = segmentRegExp(head);
    for (const name of await names(current)) {
      if (!re.test(name)) continue;
      const next = path.join(current, name);
      if (tail.length === 0 || (await isDir(next))) await walk(next, tail);
    }
  };
  await walk(dir, segments);
  return [...found].sort();
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch {
    return [];
  }
}

async function listDirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await names(dir)) {
    if (name.startsWith(".")) continue;
    const full = path.join(dir, name);
    if (await isDir(full)) out.push(full);
  }
  return out;
}

async function isDir(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

async function exists(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined)) !== undefined;
}
