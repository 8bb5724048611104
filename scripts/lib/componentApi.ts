// The README's table of each component's and resource's inputs and outputs (as Azure Verified
// Modules' READMEs list parameters and outputs), read from the declarations themselves: the `*Args`
// interface a constructor takes (inputs) and the class's public readonly properties (outputs), each
// with its type and doc comment. `npm run readme` writes it; a test keeps README equal to it.
// Only the syntax is read (no type checker): a type is shown as it is written.

import * as fs from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";
import * as ts from "typescript";

/** In the README's order: the all-in-one first, then its parts, then the resources. */
export const API_FILES: readonly string[] = [
  "src/components/customerInsightsSynapseExport.ts",
  "src/components/exportConnection.ts",
  "src/components/exportStorage.ts",
  "src/components/workspaceLink.ts",
  "src/components/exportPermissions.ts",
  "src/providers/exportDatabase.ts",
  "src/providers/entityTable.ts",
  "src/providers/armRoleAssignment.ts",
  "src/providers/synapseRoleAssignment.ts",
];

export const BEGIN = "<!-- BEGIN GENERATED: inputs and outputs (npm run readme) -->";
export const END = "<!-- END GENERATED: inputs and outputs -->";

export interface ApiMember {
  name: string;
  type: string;
  optional: boolean;
  doc: string;
  deprecated: boolean;
}

export interface ApiClass {
  name: string;
  doc: string;
  argsType: string;
  inputs: ApiMember[];
  outputs: ApiMember[];
}

function docOf(node: ts.Node): { doc: string; deprecated: boolean } {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  const text = docs
    .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
  const deprecatedTag = docs
    .flatMap((d) => d.tags ?? [])
    .find((t) => t.tagName.text === "deprecated");
  if (!deprecatedTag) return { doc: text, deprecated: false };
  const why = (ts.getTextOfJSDocComment(deprecatedTag.comment) ?? "").replace(/\s+/g, " ").trim();
  return { doc: `Deprecated. ${why}`.trim(), deprecated: true };
}

const typeText = (node: ts.TypeNode | undefined, file: ts.SourceFile) =>
  node ? node.getText(file).replace(/\s+/g, " ") : "unknown";

function isPublicReadonly(m: ts.ClassElement): m is ts.PropertyDeclaration {
  if (!ts.isPropertyDeclaration(m)) return false;
  const mods = ts.getModifiers(m) ?? [];
  const has = (k: ts.SyntaxKind) => mods.some((x) => x.kind === k);
  return (
    has(ts.SyntaxKind.ReadonlyKeyword) &&
    !has(ts.SyntaxKind.PrivateKeyword) &&
    !has(ts.SyntaxKind.ProtectedKeyword) &&
    !has(ts.SyntaxKind.StaticKeyword)
  );
}

/** The exported classes of one file that take `(name, args: XArgs, opts)`, with XArgs declared beside them. */
export function readApi(file: string, text: string): ApiClass[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  source.statements
    .filter(ts.isInterfaceDeclaration)
    .forEach((i) => interfaces.set(i.name.text, i));
  const classes: ApiClass[] = [];
  for (const c of source.statements.filter(ts.isClassDeclaration)) {
    const exported = (ts.getModifiers(c) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const ctor = c.members.find(ts.isConstructorDeclaration);
    const argsNode = ctor?.parameters[1]?.type;
    if (!exported || !c.name || !argsNode || !ts.isTypeReferenceNode(argsNode)) continue;
    const argsType = argsNode.typeName.getText(source);
    const args = interfaces.get(argsType);
    if (!args)
      throw new Error(
        `${file}: ${c.name.text} takes ${argsType}, which is not declared in the same file`,
      );
    const inputs = args.members.filter(ts.isPropertySignature).map((p) => ({
      name: p.name.getText(source),
      type: typeText(p.type, source),
      optional: p.questionToken !== undefined,
      ...docOf(p),
    }));
    const outputs = c.members.filter(isPublicReadonly).map((p) => ({
      name: p.name.getText(source),
      type: typeText(p.type, source),
      optional: p.questionToken !== undefined,
      ...docOf(p),
    }));
    classes.push({ name: c.name.text, doc: docOf(c).doc, argsType, inputs, outputs });
  }
  return classes;
}

// A table cell: one line, and a `|` that would end the cell escaped.
const cell = (s: string) => s.replace(/\|/g, "\\|");
const code = (s: string) => `\`${cell(s)}\``;

export function renderApi(classes: readonly ApiClass[]): string {
  const parts: string[] = [];
  for (const c of classes) {
    parts.push(`#### ${c.name}`, "");
    if (c.doc) parts.push(c.doc, "");
    parts.push(`Inputs (\`${c.argsType}\`):`, "");
    parts.push("| Name | Type | Required | Description |", "| --- | --- | --- | --- |");
    for (const i of c.inputs) {
      parts.push(
        `| ${code(i.name)} | ${code(i.type)} | ${i.optional ? "no" : "yes"} | ${cell(i.doc)} |`,
      );
    }
    parts.push("", "Outputs:", "", "| Name | Type | Description |", "| --- | --- | --- |");
    for (const o of c.outputs) parts.push(`| ${code(o.name)} | ${code(o.type)} | ${cell(o.doc)} |`);
    parts.push("");
  }
  return parts.join("\n");
}

/** The README with its generated section rendered from the declarations, formatted as `npm run format` would. */
export async function renderReadme(repo: string, readme: string): Promise<string> {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin)
    throw new Error(`README.md: the markers ${BEGIN} and ${END} are missing`);
  const classes = API_FILES.flatMap((f) => readApi(f, fs.readFileSync(path.join(repo, f), "utf8")));
  const text = `${readme.slice(0, begin + BEGIN.length)}\n\n${renderApi(classes)}\n${readme.slice(end)}`;
  const config = (await prettier.resolveConfig(path.join(repo, "README.md"))) ?? {};
  return prettier.format(text, { ...config, parser: "markdown" });
}
