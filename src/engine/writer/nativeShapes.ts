// Where the writer's native shape tests are (native/sx_shapes.c, built by scripts/build-native.ts at
// `npm ci`), and whether a session uses them. They are an optimisation only: without them the casts
// run the same tests as regular expressions and decide every value the same, more slowly.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The extension's name: its file's stem and the prefix of its entry point. */
export const NATIVE_SHAPES_NAME = "sx_shapes";

/** Set to `off` (or 0, false, no) to run the regular expressions instead (to compare, or to rule the extension out). */
export const NATIVE_SHAPES_ENV = "SYNAPSE_EXPORT_NATIVE_SHAPES";

/** The folder of the built extensions, dist/native, from this file's place in dist/src/engine/writer. */
export const NATIVE_DIR = path.resolve(__dirname, "..", "..", "..", "native");

/** The extension built for this machine's platform and architecture (it may not exist). */
export function nativeShapesFile(platform = process.platform, arch = process.arch): string {
  return path.join(NATIVE_DIR, `${platform}-${arch}`, `${NATIVE_SHAPES_NAME}.duckdb_extension`);
}

/** The SHA-256 of the built file, written beside it by the build once a fresh DuckDB loaded it. */
export function checksumFile(file: string): string {
  return `${file}.sha256`;
}

export function sha256Of(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export type NativeShapes =
  | { file: string }
  /** Not built here, or switched off: nothing to say. */
  | { absent: true }
  /** There, but not as built: a reason worth a warning. */
  | { refused: string };

/**
 * The file to load, if it is there, switched on, and byte for byte what the build checked. DuckDB
 * reads only an extension's footer before it maps the library, so a file cut short with its footer
 * kept would crash the process (SIGBUS) inside LOAD, where no catch can help: the checksum comes first.
 */
export function nativeShapesToLoad(
  env: NodeJS.ProcessEnv = process.env,
  file = nativeShapesFile(),
): NativeShapes {
  if (/^(off|0|false|no)$/i.test(env[NATIVE_SHAPES_ENV]?.trim() ?? "")) return { absent: true };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return { absent: true };
  }
  let expected: string;
  try {
    expected = fs.readFileSync(checksumFile(file), "utf8").trim();
  } catch {
    return { refused: `${file} has no checksum beside it (${path.basename(checksumFile(file))})` };
  }
  if (sha256Of(bytes) !== expected) {
    return { refused: `${file} is not the file the build checked (its SHA-256 differs)` };
  }
  return { file };
}
