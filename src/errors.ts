// The one base error of synapse-export. Every error the product raises on purpose carries a `kind`
// that says which part of the world refused (so a `--json` consumer or a caller of `runExport` can
// branch on it without parsing messages) and keeps the error it wraps as `cause`. Imports nothing of
// ours, so every layer may use it.

/**
 * spec: the spec or a component's arguments. data: a source file or one of its values. lake: the
 * storage (local folder or ADLS Gen2). sql: the SQL database (DuckDB or Synapse serverless). rbac: an
 * ARM or Synapse role assignment. lock: the export lock. usage: the command line. auth: signing in
 * to Azure. internal: anything else (a bug: report it).
 */
export type ErrorKind =
  "spec" | "data" | "lake" | "sql" | "rbac" | "lock" | "usage" | "auth" | "internal";

export const ERROR_KINDS: readonly ErrorKind[] = [
  "spec",
  "data",
  "lake",
  "sql",
  "rbac",
  "lock",
  "usage",
  "auth",
  "internal",
];

export class ExportError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ExportError";
  }
}

/** The kind of any thrown value: its own when it is ours, else `internal`. */
export function errorKind(error: unknown): ErrorKind {
  return error instanceof ExportError ? error.kind : "internal";
}
