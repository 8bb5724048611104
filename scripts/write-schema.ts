// Writes the spec's two generated files from its one declaration, src/spec/schema.ts (npm run schema):
// the JSON Schema editors use, and the TypeScript types every layer reads.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { toJsonSchema } from "../src/spec/jsonSchema";
import { toTypeScriptTypes } from "../src/spec/typeScriptTypes";

const root = path.join(__dirname, "../..");
const outputs: [string, string][] = [
  ["schema/synapse-export.schema.json", JSON.stringify(toJsonSchema(), null, 2) + "\n"],
  ["src/spec/types.generated.ts", toTypeScriptTypes()],
];
for (const [file, text] of outputs) {
  writeFileSync(path.join(root, file), text);
  console.log(`wrote ${file}`);
}
