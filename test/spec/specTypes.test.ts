// The spec's TypeScript types are generated from its one declaration (schema.ts), like its JSON
// Schema: the committed file must be the generator's output, and read by TypeScript's own parser it
// must say what the JSON Schema says, field by field (each doc comment is the field's description; a
// field is optional exactly when the schema neither requires it nor gives it a default).

import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { assertValidSpec, type AdministratorPrincipal } from "../../src/spec";
import { toTypeScriptTypes } from "../../src/spec/typeScriptTypes";
import type { SchemaNode } from "../../src/spec/schema";
import { validRawSpec } from "../helpers/specs";

const ROOT = path.join(__dirname, "../../..");
const GENERATED = path.join(ROOT, "src/spec/types.generated.ts");
const JSON_SCHEMA = path.join(ROOT, "schema/synapse-export.schema.json");

interface Member {
  optional: boolean;
  type: string;
  doc: string;
}

/** Each interface of the file, by name: its members' optionality, type text and doc comment. */
function interfacesOf(file: string): Map<string, Map<string, Member>> {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const out = new Map<string, Map<string, Member>>();
  source.statements.filter(ts.isInterfaceDeclaration).forEach((decl) => {
    const members = new Map<string, Member>();
    decl.members.filter(ts.isPropertySignature).forEach((m) => {
      const doc = ts
        .getJSDocCommentsAndTags(m)
        .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
        .join("");
      members.set(m.name.getText(source), {
        optional: m.questionToken !== undefined,
        type: m.type!.getText(source),
        doc,
      });
    });
    out.set(decl.name.text, members);
  });
  return out;
}

/** The interface a member's type names: `X`, `X[]`, `X | false`. */
function referencedInterface(type: string): string {
  return type.replace(/\[\]$/, "").replace(/ \| false$/, "");
}

/** The object branch of a JSON Schema node (a `oneOf` of a shorthand and an object, or list items). */
function objectBranch(node: any): any {
  if (node.type === "array") return objectBranch(node.items);
  if (node.oneOf) return node.oneOf.find((n: any) => n.type === "object");
  return node.type === "object" ? node : undefined;
}

describe("the spec's TypeScript types", () => {
  it("are the committed file, generated from the same declaration as the validator", () => {
    expect(readFileSync(GENERATED, "utf8")).to.equal(toTypeScriptTypes());
  });

  it("say, read by TypeScript's parser, what the JSON Schema says: every field, its doc and whether it is there", () => {
    const interfaces = interfacesOf(GENERATED);
    const schema = JSON.parse(readFileSync(JSON_SCHEMA, "utf8"));
    let compared = 0;
    const visit = (node: any, typeName: string, at: string): void => {
      const members = interfaces.get(typeName);
      expect(members, `${at}: interface ${typeName}`).to.not.equal(undefined);
      expect([...members!.keys()], at).to.have.members(Object.keys(node.properties));
      for (const [key, child] of Object.entries<any>(node.properties)) {
        const member = members!.get(key)!;
        const where = `${at}.${key}`;
        const alwaysThere = (node.required ?? []).includes(key) || "default" in child;
        expect(member.optional, `${where} optional`).to.equal(!alwaysThere);
        expect(member.doc, `${where} doc comment`).to.equal(child.description ?? "");
        compared++;
        const object = objectBranch(child);
        if (object) visit(object, referencedInterface(member.type), where);
      }
    };
    visit(schema, "SpecDocument", "(spec)");
    expect(compared).to.be.at.least(70); // every field, not a few
  });

  it("make the administrator a required field, as the schema does (issue 14's drift)", () => {
    const spec = assertValidSpec(validRawSpec(), "/base");
    // Compiles only while the type says the administrator is always there.
    const admin: AdministratorPrincipal = spec.principals.administrator;
    expect(admin).to.deep.equal({ userPrincipalName: "admin@contoso.com" });
  });

  it("refuse a type name used for two different shapes, naming it", () => {
    const shape = (extra: boolean): SchemaNode => ({
      kind: "object",
      typeName: "Principal",
      properties: extra ? { a: { node: { kind: "string" } } } : {},
    });
    const root: SchemaNode = {
      kind: "object",
      typeName: "Root",
      properties: { one: { node: shape(false) }, two: { node: shape(true) } },
    };
    expect(() => toTypeScriptTypes(root)).to.throw(/type name Principal at \(root\)\.two/);
  });
});
