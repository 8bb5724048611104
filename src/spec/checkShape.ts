// Structural validation: walks the declared schema and collects every error with its field path (all
// at once, never just the first). It only reads: defaults and shorthands are normaliseSpec's
// (normalise.ts), which runs once the value is known to be valid.

import type { SchemaNode } from "./schema";
import { childPath, type SpecIssue } from "./specError";

/**
 * Stands for a value known only at deploy time (a component argument given as a Pulumi Output or a
 * promise): it has no shape to check yet, so it passes; Azure checks it when it is known.
 */
export const DEFERRED_VALUE: unique symbol = Symbol("synapse-export.deferredValue");

export function checkShape(
  node: SchemaNode,
  value: unknown,
  path: string,
  issues: SpecIssue[],
): void {
  if (value === DEFERRED_VALUE) return;
  switch (node.kind) {
    case "object":
      return checkObject(node, value, path, issues);
    case "array": {
      if (!Array.isArray(value)) return wrongType(value, "a list", path, issues);
      if (node.minItems !== undefined && value.length < node.minItems) {
        issues.push({
          path,
          message: `needs at least ${node.minItems} item${node.minItems === 1 ? "" : "s"}`,
        });
      }
      value.forEach((item, i) => checkShape(node.items, item, childPath(path, i), issues));
      return;
    }
    case "string":
      return checkString(node, value, path, issues);
    case "boolean":
      if (typeof value !== "boolean") {
        // A field that must be true (the consent) says so, not "true or false"; `"yes"` or `on`,
        // which YAML 1.2 reads as text, gets the spelling that works.
        const expected = node.const === undefined ? "true or false" : String(node.const);
        const bare =
          typeof value === "string" && /^(y|yes|n|no|on|off|true|false)$/i.test(value)
            ? ` (write ${expected} without quotes: YAML reads '${value}' as text)`
            : "";
        issues.push({ path, message: `must be ${expected}, got ${describe(value)}${bare}` });
      }
      return;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        return wrongType(value, "a whole number", path, issues);
      }
      if (
        (node.minimum !== undefined && value < node.minimum) ||
        (node.maximum !== undefined && value > node.maximum)
      ) {
        issues.push({
          path,
          message: `must be between ${node.minimum} and ${node.maximum}, got ${value}`,
        });
      }
      return;
    case "falseOrObject":
      if (value !== false) checkShape(node.object, value, path, issues);
      return;
    case "stringOrObject":
      checkShape(typeof value === "string" ? node.string : node.object, value, path, issues);
      return;
  }
}

function checkObject(
  node: Extract<SchemaNode, { kind: "object" }>,
  value: unknown,
  path: string,
  issues: SpecIssue[],
): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return wrongType(value, "a mapping of keys to values", path, issues);
  }
  const input = value as Record<string, unknown>;
  const known = Object.keys(node.properties);
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(node.properties, key)) {
      const guess = closest(key, known);
      issues.push({
        path: childPath(path, key),
        message: `unknown key${guess ? ` (did you mean '${guess}'?)` : ""}; allowed here: ${known.join(", ")}`,
      });
    }
  }
  for (const [key, prop] of Object.entries(node.properties)) {
    const v = input[key];
    // YAML's `key:` with nothing after it is null: the same as leaving the key out.
    if (v === undefined || v === null) {
      if (prop.required) issues.push({ path: childPath(path, key), message: "is required" });
      continue;
    }
    checkShape(prop.node, v, childPath(path, key), issues);
  }
}

function checkString(
  node: Extract<SchemaNode, { kind: "string" }>,
  value: unknown,
  path: string,
  issues: SpecIssue[],
): void {
  if (typeof value !== "string") {
    return wrongType(value, node.enum ? `one of ${node.enum.join(", ")}` : "text", path, issues);
  }
  if (node.enum && !node.enum.includes(value)) {
    const guess = closest(value, node.enum);
    issues.push({
      path,
      message: `'${value}' is not allowed; use one of ${node.enum.join(", ")}${guess ? ` (did you mean '${guess}'?)` : ""}`,
    });
  } else if (node.minLength !== undefined && value.trim().length < node.minLength) {
    issues.push({ path, message: "must not be empty" });
  } else if (node.maxLength !== undefined && value.length > node.maxLength) {
    issues.push({ path, message: `must be at most ${node.maxLength} characters` });
  } else if (node.pattern && !node.pattern.test(value)) {
    issues.push({
      path,
      message: `'${value}' is not valid: use ${node.patternHelp ?? node.pattern.source}`,
    });
  }
}

function wrongType(value: unknown, expected: string, path: string, issues: SpecIssue[]): void {
  issues.push({ path, message: `must be ${expected}, got ${describe(value)}` });
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  // A Pulumi Output (or a promise) where a name must be known when the program starts.
  if ((value as { __pulumiOutput?: unknown } | null)?.__pulumiOutput === true) {
    return "a Pulumi Output; this field must be known when the program runs: give a plain value (a name, not a resource's output)";
  }
  if (value instanceof Promise) {
    return "a promise; this field must be known when the program runs: give a plain value";
  }
  if (value === null) return "nothing";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text '${value}'`;
  return `${typeof value} ${String(value)}`;
}

/** The closest allowed word within a small edit distance: catches typos like `databseName`. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
