import type { LoadedSpec } from "../loadSpec";
import type { Output } from "../output";
import { formatIssues } from "../../spec/specError";

/** Prints warnings, and every error with its field path; true when the spec is valid. */
export function reportValidation(loaded: LoadedSpec, output: Output): boolean {
  for (const w of loaded.warnings) output.err(`warning: ${w.path}: ${w.message}`);
  if (!loaded.spec) {
    output.err(formatIssues(loaded.issues, loaded.source));
    return false;
  }
  return true;
}

export function validateCommand(loaded: LoadedSpec, output: Output): number {
  if (!reportValidation(loaded, output)) return 1;
  const spec = loaded.spec!;
  output.out(
    `${loaded.source}: valid. Export '${spec.export.displayName}' to database ${spec.export.databaseName}: ` +
      `${spec.export.entities.length} entit${spec.export.entities.length === 1 ? "y" : "ies"} ` +
      `(${spec.export.entities.map((e) => e.name).join(", ")}).`,
  );
  return 0;
}
