// Normalisation, a step of its own after validation: the spec as written in, the spec every later
// layer reads out. Every default of schema.ts is filled in, a key set to null (YAML's `key:`) is left
// out, and an entity's source shorthand (a path alone) is written out as { path, format }, with a
// .tsv file's tab delimiter. Pure: the input is not changed, and normalising twice changes nothing.

import { SPEC_SCHEMA, type SchemaNode } from "./schema";
import { defaultDelimiter, formatFromPath } from "./sourcePath";
import type { Spec } from "./types";

type Raw = Record<string, unknown>;

/** The validated spec with its defaults; call it on a value validateSpec accepted (it does so itself). */
export function normaliseSpec(valid: unknown, baseDir: string): Spec {
  const spec = withDefaults(SPEC_SCHEMA, valid) as Raw;
  const exp = spec.export as Raw;
  exp.entities = (exp.entities as Raw[]).map((entity) => ({
    ...entity,
    source: normaliseSource(entity.source),
  }));
  return { ...(spec as unknown as Omit<Spec, "baseDir">), baseDir };
}

function normaliseSource(source: unknown): Raw {
  const object: Raw =
    typeof source === "string"
      ? { path: source, format: formatFromPath(source) }
      : { ...(source as Raw) };
  // A .tsv file is tab-separated unless the spec says otherwise; other CSV files keep the reader's
  // default (the delimiter is part of the snapshot id only when the spec, or this, sets it).
  if (object.format === "csv" && object.delimiter === undefined) {
    const delimiter = defaultDelimiter(object.path);
    if (delimiter !== ",") object.delimiter = delimiter;
  }
  return object;
}

/** A copy of `value` with the schema's defaults filled in and null keys left out. */
function withDefaults(node: SchemaNode, value: unknown): unknown {
  switch (node.kind) {
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
      const input = value as Raw;
      const out: Raw = {};
      for (const [key, prop] of Object.entries(node.properties)) {
        const v = input[key];
        if (v === undefined || v === null) {
          if (prop.default !== undefined) {
            out[key] = withDefaults(prop.node, structuredClone(prop.default));
          }
          continue;
        }
        out[key] = withDefaults(prop.node, v);
      }
      return out;
    }
    case "array":
      return Array.isArray(value) ? value.map((item) => withDefaults(node.items, item)) : value;
    case "falseOrObject":
      return value === false ? false : withDefaults(node.object, value);
    case "stringOrObject":
      return typeof value === "string" ? value : withDefaults(node.object, value);
    default:
      return value;
  }
}
