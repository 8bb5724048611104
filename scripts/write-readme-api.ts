// `npm run readme`: writes README.md's table of inputs and outputs per component from their
// declarations (scripts/lib/componentApi.ts); test/docs/readmeApi.test.ts keeps them equal.

import * as fs from "node:fs";
import * as path from "node:path";
import { renderReadme } from "./lib/componentApi";

const REPO = path.resolve(__dirname, "../..");

async function main() {
  const file = path.join(REPO, "README.md");
  fs.writeFileSync(file, await renderReadme(REPO, fs.readFileSync(file, "utf8")));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
