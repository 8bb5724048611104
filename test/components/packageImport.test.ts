// Importing the package is what every Pulumi program that uses the components does, on every
// `pulumi preview`: it must not load DuckDB's native module, which only an export needs.

import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

describe("importing synapse-export", () => {
  it("does not load @duckdb/node-api until an export runs", () => {
    const index = path.resolve(__dirname, "../../src/index.js");
    const script =
      `const api = require(${JSON.stringify(index)});` +
      `const loaded = Object.keys(require.cache).filter((k) => k.includes("node_modules/@duckdb"));` +
      `console.log(JSON.stringify({ loaded, exports: typeof api.CustomerInsightsSynapseExport }));`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ loaded: [], exports: "function" });
  });

  it("exports the components, the spec, the plan and the run, and no internal helper", () => {
    const api = require("../../src/index") as Record<string, unknown>;
    for (const name of [
      "CustomerInsightsSynapseExport",
      "ExportStorage",
      "WorkspaceLink",
      "ExportPermissions",
      "ExportConnection",
      "validateSpec",
      "planExport",
      "planGrants",
      "runExport",
      "localTarget",
      "azureTarget",
    ]) {
      expect(api[name], name).to.not.equal(undefined);
    }
    for (const name of ["quoteDuckdbLiteral", "shownWithoutStack", "renderTsql", "uuidV"]) {
      expect(api[name], name).to.equal(undefined);
    }
  });

  it("exports every type README's API tables name for the components' inputs", function () {
    this.timeout(60_000);
    // The names a program types its own arguments with (README "Importing the components").
    const names = [
      "SpecLike",
      "TargetRef",
      "SourceState",
      "ExportDatabaseSpec",
      "EntityTableSpec",
      "SynapsePrincipalType",
      "ExportConnectionArgs",
      "CustomerInsightsSynapseExportArgs",
      "EntityTableArgs",
      "ExportDatabaseArgs",
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-types-"));
    try {
      const file = path.join(dir, "program.ts");
      const index = path.resolve(__dirname, "../../src/index").replace(/\\/g, "/");
      fs.writeFileSync(
        file,
        `import type { ${names.join(", ")} } from ${JSON.stringify(index)};\n` +
          `export type All = [${names.join(", ")}];\n`,
      );
      const program = ts.createProgram([file], {
        noEmit: true,
        strict: true,
        skipLibCheck: true,
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      expect(problems).to.deep.equal([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
