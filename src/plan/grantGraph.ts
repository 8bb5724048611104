// The grant graph as Mermaid (GitHub renders it): principals on the left, scopes on the right, one
// edge per role assignment labelled with the role.

import type { Grant } from "./grants";

function nodeId(kind: string, text: string): string {
  return `${kind}_${text.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** Mermaid labels are quoted; `"` and the characters Mermaid parses inside labels are replaced. */
function label(text: string): string {
  return `"${text.replace(/"/g, "'").replace(/[<>]/g, "")}"`;
}

export function grantsToMermaid(grants: readonly Grant[]): string {
  const lines = ["graph LR"];
  const nodes = new Map<string, string>();
  for (const g of grants) {
    const who = nodeId("p", `${g.principal}_${g.principalName}`);
    const where = nodeId("s", g.scope);
    nodes.set(who, `  ${who}[${label(`${g.principal}: ${g.principalName}`)}]`);
    nodes.set(where, `  ${where}[(${label(g.scopeId ?? g.scope)})]`);
  }
  lines.push(...nodes.values());
  for (const g of grants) {
    const who = nodeId("p", `${g.principal}_${g.principalName}`);
    const where = nodeId("s", g.scope);
    lines.push(
      `  ${who} -- ${label(`${g.role}${g.plane === "synapse" ? " (Synapse RBAC)" : ""}`)} --> ${where}`,
    );
  }
  return lines.join("\n");
}
