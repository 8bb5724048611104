// How a dynamic provider reaches the engine. Pulumi serializes provider objects and runs them in its
// provider host, where a relative `require` resolves from the wrong folder. So the candidate folders
// are computed here, in the Pulumi program, and captured by value when the provider is serialized:
// the installed package first (state written on one machine still works where synapse-export is
// installed), then this checkout's compiled tree.

import * as path from "node:path";

const ENGINE_ROOTS = [
  "synapse-export/dist/src/engine",
  path.resolve(__dirname, "../engine"),
  path.resolve(__dirname, "../../dist/src/engine"),
];
/** The same candidates for the pure rules in src/plan that a provider method applies (check, diff). */
const PLAN_ROOTS = ENGINE_ROOTS.map((root) => root.replace(/engine$/, "plan"));

/** `loadEngine<typeof import("../engine/x/y")>("x/y")`: the engine module at `src/engine/<file>`. */
export function loadEngine<T>(file: string, roots: readonly string[] = ENGINE_ROOTS): T {
  const tried: string[] = [];
  for (const root of roots) {
    const request = `${root}/${file}`;
    try {
      return require(request) as T;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // Only "this candidate is absent" moves on; a broken engine module must surface as itself.
      if (e.code !== "MODULE_NOT_FOUND" || !e.message.includes(request)) throw err;
      tried.push(request);
    }
  }
  throw new Error(
    `synapse-export: cannot load the module "${file}" (tried ${tried.join(", ")}); rebuild with "npm run build"`,
  );
}

/** `loadPlan<typeof import("../plan/x")>("x")`: the pure module at `src/plan/<file>`. */
export function loadPlan<T>(file: string): T {
  return loadEngine<T>(file, PLAN_ROOTS);
}
