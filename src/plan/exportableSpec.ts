// The refusals every front door applies to a validated spec beyond its schema: what serverless cannot
// read of a lake-resident source. The CLI's loader and the CustomerInsightsSynapseExport component
// both call this, so `validate` and `pulumi up` refuse the same specs with the same field paths (the
// rules need the lake URL reading of src/plan, which the spec layer may not import).

import type { ValidationResult } from "../spec/validate";
import { lakeSourceIssues } from "./lakeSource";

/** The result as it was, or without its spec and with every lake-source issue when there are any. */
export function withLakeSourceIssues<T extends ValidationResult>(result: T): T {
  if (!result.spec) return result;
  const issues = lakeSourceIssues(result.spec);
  return issues.length === 0 ? result : { ...result, spec: undefined, issues };
}
