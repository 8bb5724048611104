// The reviewed golden SQL files (test/fixtures/golden/) as statements: a comment first, then each
// statement with `-- [database]` above it and `GO` after it.

import { readFileSync } from "node:fs";
import type { SqlStatement } from "../../src/plan/sqlStatement";

export function goldenStatements(file: string): SqlStatement[] {
  const text = readFileSync(file, "utf8");
  // The file's own comment comes before the first statement's header.
  return text
    .slice(text.indexOf("-- ["))
    .split(/\nGO\n/)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk !== "")
    .map((chunk) => {
      const [header, ...body] = chunk.split("\n");
      const m = /^-- \[([^\]]+)\]$/.exec(header);
      if (!m) {
        throw new Error(
          `golden file ${file}: a statement must start with '-- [database]': ${header}`,
        );
      }
      return { database: m[1], statement: body.join("\n") };
    });
}
