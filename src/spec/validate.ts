// The spec's front door: YAML text or a plain object in, a validated Spec with defaults out, or every
// error at once with its field path. Three steps, each of its own: the shape (checkShape.ts), the
// rules across fields (rules.ts), both reading the spec as written, then normaliseSpec (normalise.ts).

import { LineCounter, parseDocument, visit, type Document } from "yaml";
import { SPEC_SCHEMA } from "./schema";
import { checkRules } from "./rules";
import { checkShape } from "./checkShape";
import { normaliseSpec } from "./normalise";
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
  checkShape(SPEC_SCHEMA, raw, "", issues);
  const mapping = typeof raw === "object" && raw !== null && !Array.isArray(raw);
  if (mapping) checkRules(raw as Record<string, unknown>, issues, warnings);
  if (issues.length > 0) return { issues, warnings };
  return { spec: normaliseSpec(raw, baseDir), issues, warnings };
}

/** Parses YAML (or JSON) text; a syntax error is reported with its line and column, never a stack trace. */
export function parseSpecText(
  text: string,
  baseDir: string,
  sourceName = "spec",
): ValidationResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter });
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((e) => ({
        path: "",
        message: `not valid YAML in ${sourceName}${e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : ""}: ${e.message.split("\n")[0]}`,
      })),
      warnings: [],
    };
  }
  const unresolved = unresolvedAliasIssues(doc, lineCounter, sourceName);
  if (unresolved.length > 0) return { issues: unresolved, warnings: [] };
  const raw = doc.toJS();
  if (raw === null || raw === undefined) {
    return { issues: [{ path: "", message: `${sourceName} is empty` }], warnings: [] };
  }
  return validateSpec(raw, baseDir);
}

/**
 * Every alias whose anchor is not set before it (`connection: *nope`), with its line: the YAML library
 * finds them only while converting, as one ReferenceError without a position.
 */
export function unresolvedAliasIssues(
  doc: Document,
  lineCounter: LineCounter,
  sourceName: string,
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return;
      const at = alias.range ? lineCounter.linePos(alias.range[0]) : undefined;
      issues.push({
        path: "",
        message: `not valid YAML in ${sourceName}${at ? ` at line ${at.line}, column ${at.col}` : ""}: unresolved alias *${alias.source} (no anchor &${alias.source} is set before it)`,
      });
    },
  });
  return issues;
}

/** Like validateSpec, but throws a SpecError listing every issue. */
export function assertValidSpec(raw: unknown, baseDir: string, sourceName?: string): Spec {
  const result = validateSpec(raw, baseDir);
  if (!result.spec) throw new SpecError(result.issues, sourceName);
  return result.spec;
}
