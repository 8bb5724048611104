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

/**
 * The message of any thrown value, never throwing itself: an Error's message, a string as it is,
 * else a JSON or tag rendering (`String()` throws for `Object.create(null)`, and a thrown
 * `{ message: 42 }` must not make a number of a message).
 */
export function messageOf(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return typeof error.message === "string" ? error.message : "";
  if (typeof error === "object" && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string") return message;
    try {
      const json = JSON.stringify(error);
      if (json !== undefined && json !== "{}") return json;
    } catch {
      // A cycle or a throwing toJSON: fall back to the tag below.
    }
    return Object.prototype.toString.call(error);
  }
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

/** The kind of any thrown value: its own when it is ours, else `internal`. */
export function errorKind(error: unknown): ErrorKind {
  return error instanceof ExportError ? error.kind : "internal";
}
