// `synapse-export permissions plan <spec> --format table|json|mermaid` and
// `synapse-export permissions diff [preview.json]` (stdin when no file is given).

import * as fs from "node:fs";
import type { Spec } from "../../spec/types";
import { planGrants } from "../../plan/grants";
import { grantsToMermaid } from "../../plan/grantGraph";
import { permissionChanges, type PermissionChange } from "../../plan/permissionDiff";
import { UsageError } from "../args";
import { json, table, type Output } from "../output";
import { grantsTable } from "./plan";

export function permissionsPlanCommand(spec: Spec, format: string, output: Output): number {
  const grants = planGrants(spec);
  if (format === "json") output.out(json({ grants }));
  else if (format === "mermaid") output.out(grantsToMermaid(grants));
  else if (format === "table") output.out(grantsTable(grants));
  else throw new UsageError(`--format ${format} is not known; use table, json or mermaid`);
  return 0;
}

export async function readPreviewDocument(file: string | undefined): Promise<unknown> {
  let text: string;
  if (file && file !== "-") {
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  } else {
    if (process.stdin.isTTY) {
      throw new UsageError(
        "pipe a preview into it: pulumi preview --json | synapse-export permissions diff",
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString("utf8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `the preview is not JSON (${(error as Error).message}); use 'pulumi preview --json'`,
    );
  }
}

export function permissionsDiffCommand(document: unknown, asJson: boolean, output: Output): number {
  const changes = permissionChanges(document);
  if (asJson) {
    output.out(json({ changes }));
    return 0;
  }
  if (changes.length === 0) {
    output.out("No permission changes.");
    return 0;
  }
  output.out(
    table(
      ["change", "plane", "principal", "role", "scope", "purpose"],
      changes.map((c) => [
        c.change,
        c.plane === "arm" ? "ARM" : "Synapse",
        `${c.principalId}${c.principalType ? ` (${c.principalType})` : ""}`,
        c.role,
        c.scope,
        c.purpose + beforeNote(c),
      ]),
    ),
  );
  const counts = ["added", "removed", "replaced", "updated"]
    .map((k) => [k, changes.filter((c) => c.change === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  output.out(`\n${counts.join(", ")}.`);
  return 0;
}

function beforeNote(c: PermissionChange): string {
  if (!c.before) return "";
  const was: string[] = [];
  if (c.before.principalId !== c.principalId) was.push(`principal was ${c.before.principalId}`);
  if (c.before.role !== c.role) was.push(`role was ${c.before.role}`);
  if (c.before.scope !== c.scope) was.push(`scope was ${c.before.scope}`);
  return was.length ? ` [${was.join("; ")}]` : "";
}
