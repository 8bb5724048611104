import type { LoadedSpec } from "../loadSpec";
import { json, type Output } from "../output";
import { formatIssues } from "../../spec/specError";
import {
  databaseCountNote,
  MAX_POOL_DATABASES,
  serverlessLimitIssues,
} from "../../plan/serverlessLimits";
import { lakeSourceIssues } from "../../plan/lakeSource";
import { sqlLoginIssues } from "../../plan/sqlAccess";

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
  // What serverless cannot read (its limits, lake sources) is refused here as by `plan`, `run` and
  // the local target. Readers' login names only warn: Pulumi resolves a name from the object id,
  // while the CLI's `plan` and `run` against Azure need it in the spec.
  const limits = [...serverlessLimitIssues(spec), ...lakeSourceIssues(spec)];
  if (limits.length > 0) {
    reportValidation({ ...loaded, spec: undefined, issues: limits, warnings: [] }, output, asJson);
    return 1;
  }
  const logins = sqlLoginIssues(spec).map((i) => ({
    ...i,
    message: `${i.message} (for the CLI's plan and run against Azure; Pulumi looks it up from the object id)`,
  }));
  for (const w of logins) output.err(`warning: ${w.path}: ${w.message}`);
  loaded = { ...loaded, warnings: [...loaded.warnings, ...logins] };
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
