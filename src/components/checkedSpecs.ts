// The hand-off of a validated spec from CustomerInsightsSynapseExport to the ExportConnection it
// builds next, so the spec is validated once. Its own module, which src/components/index.ts does not
// re-export: a program holding `handToConnection` could hand any object over as "already validated"
// and skip every check, consent included.

import type { SpecIssue } from "../spec/specError";
import type { Spec } from "../spec/types";

/** A validated spec and the warnings its validation gave. */
export interface CheckedSpec {
  spec: Spec;
  warnings: readonly SpecIssue[];
}

/**
 * Specs validated by the aggregate component for the connection it builds next, each taken once:
 * so a spec is validated once per construction, and an object a program changes afterwards and
 * passes again is validated again.
 */
const pending = new WeakMap<object, CheckedSpec>();

/** Hands a spec just validated to the ExportConnection built next from it, which then takes it as it is. */
export function handToConnection(checked: CheckedSpec): Spec {
  pending.set(checked.spec, checked);
  return checked.spec;
}

/** The spec handed over for this construction (once), or undefined: validate it then. */
export function takeHandedSpec(spec: unknown): CheckedSpec | undefined {
  if (typeof spec !== "object" || spec === null) return undefined;
  const checked = pending.get(spec);
  pending.delete(spec);
  return checked;
}
