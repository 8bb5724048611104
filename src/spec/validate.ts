// The spec's front door: YAML text or a plain object in, a validated Spec with defaults out, or every
// error at once with its field path.

import { parseDocument } from "yaml";
import { SPEC_SCHEMA } from "./schema";
import { checkRules } from "./rules";
import { walkSchema } from "./walkSchema";
import { SpecError, type SpecIssue } from "./specError";
import type { Spec } from "./types";

export interface ValidationResult {
  spec?: Spec;
  issues: SpecIssue[];
  warnings: SpecIssue[];
}

/** Validates a spec given as a plain object (Pulumi config, TypeScript args, parsed YAML). */
export function validateSpec(raw: unknown, baseDir: string): ValidationResult {
  const issues: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const walked = walkTopLevel(raw, issues);
  if (walked) checkRules(walked, issues, warnings);
  if (issues.length > 0 || !walked) return { issues, warnings };
  return { spec: { ...(walked as unknown as Omit<Spec, "baseDir">), baseDir }, issues, warnings };
}

function walkTopLevel(raw: unknown, issues: SpecIssue[]): Record<string, unknown> | undefined {
  const walked = walkSchema(SPEC_SCHEMA, raw, "", issues);
  if (typeof walked !== "object" || walked === null || Array.isArray(walked)) return undefined;
  return walked as Record<string, unknown>;
}

/** Parses YAML (or JSON) text; a syntax error is reported with its line and column, never a stack trace. */
export function parseSpecText(
  text: string,
  baseDir: string,
  sourceName = "spec",
): ValidationResult {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((e) => ({
        path: "",
        message: `not valid YAML in ${sourceName}${e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : ""}: ${e.message.split("\n")[0]}`,
      })),
      warnings: [],
    };
  }
  const raw = doc.toJS();
  if (raw === null || raw === undefined) {
    return { issues: [{ path: "", message: `${sourceName} is empty` }], warnings: [] };
  }
  return validateSpec(raw, baseDir);
}

/** Like validateSpec, but throws a SpecError listing every issue. */
export function assertValidSpec(raw: unknown, baseDir: string, sourceName?: string): Spec {
  const result = validateSpec(raw, baseDir);
  if (!result.spec) throw new SpecError(result.issues, sourceName);
  return result.spec;
}
