// A new workspace must let the deployer in (issue 9 item 2): "IP firewall rules configured at the
// workspace level apply to all public endpoints of the workspace" (Synapse IP firewall page), so a
// workspace created with no rule refuses the RBAC and SQL calls that follow its creation.

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { validateSpec } from "../../src/spec";
import { newStorageAndWorkspaceRawSpec } from "../helpers/specs";
import { runCli } from "../helpers/cli";

function issuesOf(create: Record<string, unknown>) {
  const raw = newStorageAndWorkspaceRawSpec();
  raw.connection.workspace.create = { location: "westeurope", ...create };
  return validateSpec(raw, "/base").issues;
}

describe("a new workspace's firewall", () => {
  it("is refused without any rule, at connection.workspace.create.firewallRules, saying why and how", () => {
    for (const create of [{}, { firewallRules: [] }, { allowAzureServices: false }]) {
      const issues = issuesOf(create);
      expect(issues.map((i) => i.path)).to.deep.equal([
        "connection.workspace.create.firewallRules",
      ]);
      expect(issues[0].message)
        .to.contain("could not reach")
        .and.contain("startIpAddress")
        .and.contain("allowAzureServices: true");
    }
  });

  it("is accepted with a rule for the deployer's address, or with allowAzureServices", () => {
    expect(
      issuesOf({
        firewallRules: [
          { name: "AllowDeployer", startIpAddress: "203.0.113.7", endIpAddress: "203.0.113.7" },
        ],
      }),
    ).to.deep.equal([]);
    expect(issuesOf({ allowAzureServices: true })).to.deep.equal([]);
  });

  it("refuses 0.0.0.0-0.0.0.0 under another name than AllowAllWindowsAzureIps", () => {
    const issues = issuesOf({
      firewallRules: [{ name: "azure", startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" }],
    });
    expect(issues.map((i) => i.path)).to.deep.equal([
      "connection.workspace.create.firewallRules[0].name",
    ]);
    expect(issues[0].message).to.contain("AllowAllWindowsAzureIps");
  });

  it("is refused by `synapse-export validate`, which exits 1 naming the field", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-firewall-"));
    try {
      const raw = newStorageAndWorkspaceRawSpec({ allowAzureServices: false });
      const file = path.join(dir, "spec.yaml");
      fs.writeFileSync(file, stringify(raw));
      // The entity sources are relative to the spec's folder: copy them beside it.
      for (const entity of raw.export.entities) {
        const source = typeof entity.source === "string" ? entity.source : entity.source?.path;
        if (!source) continue;
        const from = path.resolve(__dirname, "../../../test/fixtures/specs", source);
        if (fs.existsSync(from)) {
          fs.mkdirSync(path.dirname(path.join(dir, source)), { recursive: true });
          fs.copyFileSync(from, path.join(dir, source));
        }
      }
      const r = await runCli(["validate", file]);
      expect(r.code).to.equal(1);
      expect(r.stdout + r.stderr).to.contain("connection.workspace.create.firewallRules");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
