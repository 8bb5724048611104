import type { LoadedSpec } from "../loadSpec";
import { json, type Output } from "../output";
import { formatIssues } from "../../spec/specError";
import { databaseCountNote, MAX_POOL_DATABASES } from "../../plan/serverlessLimits";
import { azureSpecIssues } from "../../plan/exportPlan";

/**
 * Prints warnings (always on stderr), and every error with its field path: on stderr, or with --json
 * as the one failure document on stdout. True when the spec is valid.
 */
export function reportValidation(loaded: LoadedSpec, output: Output, asJson = false): boolean {
  for (const w of loaded.warnings) output.err(`warning: ${w.path}: ${w.message}`);
  if (!loaded.spec) {
    const message = formatIssues(loaded.issues, loaded.source);
    if (asJson) {
      output.out(
        json({
          ok: false,
          error: {
            code: "invalid-spec",
            kind: "spec",
            message,
            ...(loaded.issues[0]?.path ? { field: loaded.issues[0].path } : {}),
            issues: loaded.issues,
          },
        }),
      );
    } else output.err(message);
    return false;
  }
  return true;
}

export function validateCommand(loaded: LoadedSpec, output: Output, asJson = false): number {
  if (!reportValidation(loaded, output, asJson)) return 1;
  const spec = loaded.spec!;
  // What `plan` and a run against Azure refuse (readers' login names, serverless's limits) is
  // refused here too: a spec `validate` calls valid deploys. (The local target reads none of it.)
  const azure = azureSpecIssues(spec);
  if (azure.length > 0) {
    reportValidation({ ...loaded, spec: undefined, issues: azure, warnings: [] }, output, asJson);
    return 1;
  }
  const names = spec.export.entities.map((e) => e.name);
  if (asJson) {
    output.out(
      json({
        ok: true,
        source: loaded.source,
        database: spec.export.databaseName,
        entities: names,
        databaseCount: { max: MAX_POOL_DATABASES, held: "unknown offline" },
        warnings: loaded.warnings,
      }),
    );
    return 0;
  }
  output.out(
    `${loaded.source}: valid. Export '${spec.export.displayName}' to database ${spec.export.databaseName}: ` +
      `${names.length} entit${names.length === 1 ? "y" : "ies"} (${names.join(", ")}).\n` +
      databaseCountNote(spec.export.databaseName),
  );
  return 0;
}
