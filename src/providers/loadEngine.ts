// How a dynamic provider reaches the engine. Pulumi serializes provider objects into the state and
// runs them in its provider host, where a relative `require` resolves from the wrong folder. So the
// candidate folders are computed here, in the Pulumi program, and captured by value when the provider
// is serialized. A delete or refresh runs the provider of the state, not of the program
// (@pulumi/pulumi cmd/dynamic-provider: "deletion of the old resource uses the provider with which it
// was created"), so a state written in one checkout must load the engine in another (a laptop's
// `pulumi up`, a pipeline's `pulumi destroy`). The candidates, in order:
// - the installed package, resolved from the project's node_modules;
// - this checkout's compiled tree relative to the program's working directory, resolved against the
//   working directory when the method runs: Pulumi starts the provider host in the program's folder
//   (pulumi/pulumi#5455), and pulumi-eks keeps such paths relative for the same reason (pulumi-eks#201);
// - the absolute path of the checkout that wrote the state, last.

import * as path from "node:path";

const ENGINE = path.resolve(__dirname, "../engine");
const ENGINE_ROOTS = [
  "synapse-export/dist/src/engine",
  // With `/` whatever wrote it: a state written on Windows is also destroyed from Linux pipelines.
  { fromWorkingDirectory: path.relative(process.cwd(), ENGINE).split(path.sep).join("/") },
  ENGINE,
  path.resolve(__dirname, "../../dist/src/engine"),
];
type Root = string | { fromWorkingDirectory: string };

/** The same candidates for the pure rules in src/plan that a provider method applies (check, diff). */
const PLAN_ROOTS: Root[] = ENGINE_ROOTS.map((root) =>
  typeof root === "string"
    ? root.replace(/engine$/, "plan")
    : { fromWorkingDirectory: root.fromWorkingDirectory.replace(/engine$/, "plan") },
);

/** `loadEngine<typeof import("../engine/x/y")>("x/y")`: the engine module at `src/engine/<file>`. */
export function loadEngine<T>(file: string, roots: readonly Root[] = ENGINE_ROOTS): T {
  const tried: string[] = [];
  for (const root of roots) {
    const base =
      typeof root === "string" ? root : path.resolve(process.cwd(), root.fromWorkingDirectory);
    const request = `${base}/${file}`;
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
    `synapse-export: cannot load the module "${file}" (tried ${tried.join(", ")}): run Pulumi from ` +
      `the program's folder, with synapse-export installed or this checkout built ("npm run build")`,
  );
}

/** `loadPlan<typeof import("../plan/x")>("x")`: the pure module at `src/plan/<file>`. */
export function loadPlan<T>(file: string): T {
  return loadEngine<T>(file, PLAN_ROOTS);
}
