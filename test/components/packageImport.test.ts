// Importing the package is what every Pulumi program that uses the components does, on every
// `pulumi preview`: it must not load DuckDB's native module, which only an export needs.

import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

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
});
