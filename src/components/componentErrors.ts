// The components' errors: each an ExportError with its kind (so a program or a test branches on
// `kind`, as with the engine's), marked so that Pulumi prints it as it printed the ResourceError or
// RunError it replaces: a message for the user, without a stack trace.

import * as pulumi from "@pulumi/pulumi";
import { ExportError, type ErrorKind } from "../errors";
import { DEFERRED_VALUE } from "../spec/checkShape";
import { SpecError, type SpecIssue } from "../spec/specError";

/**
 * Pulumi prints a RunError as its message alone, and a spec error is for the user, not a bug: the
 * field paths are the whole story. Pulumi recognises RunErrors by this marker (so that copies of the
 * SDK side by side agree), which keeps the error a SpecError with its `issues` for library callers.
 */
export function shownWithoutStack<E extends Error>(err: E): E {
  Object.defineProperty(err, "__pulumiRunError", { value: true });
  return err;
}

/** An ExportError that Pulumi prints as a RunError: its message alone. */
export function runError(kind: ErrorKind, message: string, cause?: unknown): ExportError {
  return shownWithoutStack(new ExportError(kind, message, cause === undefined ? {} : { cause }));
}

/**
 * An ExportError that Pulumi prints as a ResourceError: under the resource it belongs to, without a
 * stack. Pulumi recognises ResourceErrors by these fields (pulumi/errors.ts), not by their class.
 */
export function resourceError(
  kind: ErrorKind,
  message: string,
  resource: pulumi.Resource,
  cause?: unknown,
): ExportError {
  const err = new ExportError(kind, message, cause === undefined ? {} : { cause });
  Object.defineProperties(err, {
    __pulumResourceError: { value: true },
    resource: { value: resource },
    hideStack: { value: true },
  });
  return err;
}

/** Refuses a component's arguments before it registers anything: a SpecError naming each field. */
export function refuseBadArguments(component: string, name: string, issues: SpecIssue[]): void {
  if (issues.length === 0) return;
  throw shownWithoutStack(new SpecError(issues, `${component} '${name}'`, "arguments"));
}

/**
 * The arguments with every value known only at deploy time (an Output, a promise) replaced by the
 * spec layer's marker for it: their shape is Azure's to check once they are known.
 */
export function knownArguments(value: unknown): unknown {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return DEFERRED_VALUE;
  if (Array.isArray(value)) return value.map(knownArguments);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, knownArguments(v)]));
  }
  return value;
}
