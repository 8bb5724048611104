// The folder an entity's local source.path is relative to (the spec file's folder, or a component's
// baseDir), checked before a Pulumi program registers anything: a wrong folder would otherwise surface
// only when a preview reads the sources, once per entity, after the other resources were registered.

import * as fs from "node:fs";
import * as path from "node:path";

/** Why local sources cannot be read from `baseDir`, or undefined when it is a folder. */
export function specFolderProblem(baseDir: string): string | undefined {
  const folder = path.resolve(baseDir);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(folder);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR"
      ? `the spec's folder ${folder} does not exist`
      : `the spec's folder ${folder} cannot be read (${code ?? "unknown error"})`;
  }
  return stat.isDirectory() ? undefined : `the spec's folder ${folder} is not a folder`;
}
