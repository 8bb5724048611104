// Writes schema/synapse-export.schema.json from the spec's one declaration (npm run schema).
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { toJsonSchema } from "../src/spec/jsonSchema";

const file = path.join(__dirname, "../../schema/synapse-export.schema.json");
writeFileSync(file, JSON.stringify(toJsonSchema(), null, 2) + "\n");
console.log(`wrote ${path.relative(process.cwd(), file)}`);
