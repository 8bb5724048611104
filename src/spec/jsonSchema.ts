// The JSON Schema (draft 2020-12) that editors use to complete and check a spec, generated from the
// one declared shape in schema.ts. `schema/synapse-export.schema.json` is this function's output; a
// test keeps the committed file equal to it.

import { SPEC_SCHEMA, type SchemaNode } from "./schema";

export function toJsonSchema(node: SchemaNode = SPEC_SCHEMA): Record<string, unknown> {
  const out = convert(node);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/synapse-export/synapse-export/schema/synapse-export.schema.json",
    title: "synapse-export spec",
    ...out,
  };
}

function convert(node: SchemaNode): Record<string, unknown> {
  const base: Record<string, unknown> = node.description ? { description: node.description } : {};
  switch (node.kind) {
    case "object": {
      const required = Object.entries(node.properties)
        .filter(([, p]) => p.required)
        .map(([k]) => k);
      const properties: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(node.properties)) {
        properties[key] = {
          ...convert(prop.node),
          ...(prop.default !== undefined ? { default: prop.default } : {}),
        };
      }
      return {
        ...base,
        type: "object",
        properties,
        ...(required.length ? { required } : {}),
        additionalProperties: false,
      };
    }
    case "array":
      return {
        ...base,
        type: "array",
        items: convert(node.items),
        ...(node.minItems ? { minItems: node.minItems } : {}),
      };
    case "string":
      return {
        ...base,
        type: "string",
        ...(node.enum ? { enum: [...node.enum] } : {}),
        // JSON Schema patterns are ECMAScript regexes with the `u` flag, as ours are.
        ...(node.pattern ? { pattern: node.pattern.source } : {}),
        ...(node.minLength ? { minLength: node.minLength } : {}),
        ...(node.maxLength ? { maxLength: node.maxLength } : {}),
      };
    case "boolean":
      return {
        ...base,
        type: "boolean",
        ...(node.const !== undefined ? { const: node.const } : {}),
      };
    case "integer":
      return {
        ...base,
        type: "integer",
        ...(node.minimum !== undefined ? { minimum: node.minimum } : {}),
        ...(node.maximum !== undefined ? { maximum: node.maximum } : {}),
      };
    case "stringOrObject":
      return { ...base, oneOf: [convert(node.string), convert(node.object)] };
    case "falseOrObject":
      return { ...base, oneOf: [{ type: "boolean", const: false }, convert(node.object)] };
  }
}
