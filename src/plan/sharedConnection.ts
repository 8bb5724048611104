// Two exports over one Customer Insights connection (the seed's model: a connection serves many
// exports) share its storage, workspace and grants. Each export's spec still states the connection,
// so that `plan` and `permissions plan` read alone: when an export is given another component's
// connection, its spec's connection and principals must be that connection's, or its plan would show
// grants and places the deploy does not use. Pure.

import type { Spec } from "../spec/types";
import type { SpecIssue } from "../spec/specError";

/** Where the export's spec differs from the connection it is given, one issue per section. */
export function sharedConnectionIssues(own: Spec, shared: Spec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const section of ["connection", "principals"] as const) {
    const differs = firstDifference(own[section], shared[section], section);
    if (differs) {
      issues.push({
        path: differs,
        message:
          "differs from the ExportConnection given as `connection`: an export over a shared connection states the same connection and principals (its grants are that connection's); copy the connection's, or give this export a connection of its own",
      });
    }
  }
  return issues;
}

/** The path of the first value that differs, or undefined when both are the same data. */
function firstDifference(a: unknown, b: unknown, at: string): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return at;
  if (Array.isArray(a) !== Array.isArray(b)) return at;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of [...keys].sort()) {
    const path = Array.isArray(a) ? `${at}[${key}]` : `${at}.${key}`;
    const found = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      path,
    );
    if (found) return found;
  }
  return undefined;
}
