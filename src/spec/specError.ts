// Spec errors name the field path (e.g. `export.entities[2].name`) and say what is allowed.

export interface SpecIssue {
  /** e.g. `export.entities[2].name`; `` for the document itself. */
  path: string;
  message: string;
}

export class SpecError extends Error {
  constructor(
    readonly issues: readonly SpecIssue[],
    readonly source?: string,
  ) {
    super(formatIssues(issues, source));
    this.name = "SpecError";
  }
}

export function formatIssues(issues: readonly SpecIssue[], source?: string): string {
  const head = `${source ? `${source}: ` : ""}the spec has ${issues.length} error${issues.length === 1 ? "" : "s"}:`;
  return [head, ...issues.map((i) => `  - ${i.path || "(document)"}: ${i.message}`)].join("\n");
}

/** `a.b` + `c` => `a.b.c`; `a` + 2 => `a[2]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}
