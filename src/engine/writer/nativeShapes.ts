// Where the writer's native shape tests are (native/sx_shapes.c, built by scripts/build-native.ts at
// `npm ci`), and whether a session uses them. They are an optimisation only: without them the casts
// run the same tests as regular expressions and decide every value the same, more slowly.

import * as fs from "node:fs";
import * as path from "node:path";

/** The extension's name: its file's stem and the prefix of its entry point. */
export const NATIVE_SHAPES_NAME = "sx_shapes";

/** Set to `off` to run the regular expressions instead (to compare, or to rule the extension out). */
export const NATIVE_SHAPES_ENV = "SYNAPSE_EXPORT_NATIVE_SHAPES";

/** The folder of the built extensions, dist/native, from this file's place in dist/src/engine/writer. */
export const NATIVE_DIR = path.resolve(__dirname, "..", "..", "..", "native");

/** The extension built for this machine's platform and architecture (it may not exist). */
export function nativeShapesFile(platform = process.platform, arch = process.arch): string {
  return path.join(NATIVE_DIR, `${platform}-${arch}`, `${NATIVE_SHAPES_NAME}.duckdb_extension`);
}

/** The file to load, or undefined when it was not built here or is switched off. */
export function nativeShapesToLoad(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[NATIVE_SHAPES_ENV] === "off") return undefined;
  const file = nativeShapesFile();
  return fs.existsSync(file) ? file : undefined;
}
