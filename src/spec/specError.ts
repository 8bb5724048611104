// Spec errors name the field path (e.g. `export.entities[2].name`) and say what is allowed. They are
// ExportErrors of kind "spec", so a caller branches on the kind, not on the class or the message.

import { ExportError } from "../errors";

export interface SpecIssue {
  /** e.g. `export.entities[2].name`; `` for the document itself. */
  path: string;
  message: string;
}

export class SpecError extends ExportError {
  constructor(
    readonly issues: readonly SpecIssue[],
    readonly source?: string,
    /** What was checked: a spec, or a component's arguments (which are not a spec to their caller). */
    readonly subject: IssueSubject = "spec",
  ) {
    super("spec", formatIssues(issues, source, subject));
    this.name = "SpecError";
  }
}

export type IssueSubject = "spec" | "arguments";

export function formatIssues(
  issues: readonly SpecIssue[],
  source?: string,
  subject: IssueSubject = "spec",
): string {
  const what = subject === "spec" ? "the spec has" : "the arguments have";
  const head = `${source ? `${source}: ` : ""}${what} ${issues.length} error${issues.length === 1 ? "" : "s"}:`;
  return [head, ...issues.map((i) => `  - ${i.path || "(document)"}: ${i.message}`)].join("\n");
}

/** `a.b` + `c` => `a.b.c`; `a` + 2 => `a[2]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}
