// The permission review as a person reads it: a summary line first, one row (or, on a narrow
// terminal, one block) per change with ids shortened, then what needs a second look and why.

import {
  UNKNOWN_VALUE,
  type PermissionChange,
  type PermissionReview,
} from "../../plan/permissionDiff";
import { labelled, table, wrap } from "../output";
import { shortId, shortIdsIn, shortScope, shortScopeWithGroup } from "../shorten";

export interface RenderOptions {
  wide: boolean;
  width: number;
  /** Whether the changes were compared with a spec's plan (the summary then says how many differ). */
  spec?: unknown;
}

const HEADERS = ["change", "plane", "principal", "role", "scope", "purpose"];
const TAGS: Record<string, string> = {
  "broad-role": "BROAD ROLE",
  "broad-scope": "BROAD SCOPE",
  "differs-from-plan": "NOT AS PLANNED",
  "not-in-plan": "NOT IN PLAN",
};
/** The purpose column keeps at least this much before the table gives way to blocks. */
const MIN_PURPOSE = 24;

export function renderReview(review: PermissionReview, options: RenderOptions): string {
  const { wide, width } = options;
  const fitted = (text: string) => (wide ? text : wrap(text, width, 2));
  const parts = [fitted(summaryLine(review, options.spec !== undefined))];
  if (review.changes.length === 0) return parts.join("\n");
  const id = wide ? (s: string) => s : shortId;
  const scope = wide ? (s: string) => s : shortScope;
  // "scope was …" compares two scopes: keep the resource group, which may be all that differs.
  const comparedScope = wide ? (s: string) => s : shortScopeWithGroup;
  const rows = review.changes.map((c) => [
    c.change + (c.flags.length ? " !" : c.principalUnchecked ? " ?" : ""),
    c.plane === "arm" ? "ARM" : "Synapse",
    principalText(c.principalId, c, id),
    c.role,
    scope(c.scope),
    // What a replacement changed goes first: a cut purpose must not hide it.
    beforeNote(c, id, comparedScope) + c.purpose,
  ]);
  parts.push("");
  if (wide) {
    parts.push(table(HEADERS, rows));
  } else {
    const natural = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fixed = natural.slice(0, -1).reduce((a, b) => a + b, 0) + 2 * (HEADERS.length - 1);
    if (fixed + Math.min(MIN_PURPOSE, natural[natural.length - 1]) <= width) {
      parts.push(table(HEADERS, rows, { width, shrink: [HEADERS.length - 1] }));
    } else {
      parts.push(rows.map((r) => block(r, width)).join("\n\n"));
    }
  }
  const flagged = review.changes.filter((c) => c.flags.length > 0);
  if (flagged.length > 0) {
    parts.push("", fitted("Needs a second look (the exit code is 3):"));
    for (const c of flagged) {
      for (const f of c.flags) {
        const what = `${c.change} ${c.role} on ${scope(c.scope)} to ${principalText(c.principalId, c, id)}`;
        const reason = wide ? f.reason : shortIdsIn(f.reason);
        parts.push(fitted(`  - ${TAGS[f.kind]}: ${what}: ${reason}.`));
      }
    }
  }
  const unchecked = review.changes.filter((c) => c.principalUnchecked !== undefined);
  if (unchecked.length > 0) {
    parts.push(
      "",
      fitted("Principal not checked against the plan (?; the exit code does not count it):"),
    );
    for (const c of unchecked) {
      const what = `${c.change} ${c.role} on ${scope(c.scope)}`;
      const reason = wide ? c.principalUnchecked! : shortIdsIn(c.principalUnchecked!);
      parts.push(fitted(`  - ${what}: ${reason}.`));
    }
  }
  return parts.join("\n");
}

function summaryLine(review: PermissionReview, withSpec: boolean): string {
  const s = review.summary;
  const n = review.changes.length;
  if (n === 0) return "No permission changes.";
  return (
    `${n} permission change${n === 1 ? "" : "s"}: ${s.added} added, ${s.removed} removed, ${s.replaced} replaced, ` +
    `${s.updated} updated; ${s.broad} broader than the export needs` +
    (withSpec
      ? `; ${s.differsFromPlan} not as the spec's plan says` +
        (s.principalUnchecked > 0
          ? `, ${s.principalUnchecked} whose principal it cannot check offline.`
          : ".")
      : ".")
  );
}

/** One change as labelled lines, for a terminal too narrow for the table; every line fits. */
function block(row: string[], width: number): string {
  const [change, plane, principal, role, scope, purpose] = row;
  return [
    wrap(`${change}  ${role} (${plane})`, width, 2),
    labelled("principal", principal, 10, width),
    labelled("scope", scope, 10, width),
    labelled("purpose", purpose, 10, width),
  ].join("\n");
}

function principalText(
  principalId: string,
  c: PermissionChange,
  id: (s: string) => string,
): string {
  const type = c.principalType ? ` (${c.principalType})` : "";
  if (principalId === UNKNOWN_VALUE) {
    // e.g. the identity of a workspace this same deployment creates: named from its resource.
    return c.principalName
      ? `${c.principalName}, id ${UNKNOWN_VALUE}${type}`
      : UNKNOWN_VALUE + type;
  }
  if (!principalId) return `(not in the preview)${type}`;
  return `${id(principalId)}${c.principalName ? `, ${c.principalName}` : ""}${type}`;
}

function beforeNote(
  c: PermissionChange,
  id: (s: string) => string,
  scope: (s: string) => string,
): string {
  if (!c.before) return "";
  const was: string[] = [];
  if (c.before.principalId !== c.principalId) was.push(`principal was ${id(c.before.principalId)}`);
  if (c.before.role !== c.role) was.push(`role was ${c.before.role}`);
  if (c.before.scope !== c.scope) was.push(`scope was ${scope(c.before.scope)}`);
  return was.length ? `[${was.join("; ")}] ` : "";
}
