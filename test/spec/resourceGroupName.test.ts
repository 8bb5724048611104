// A resource group name is what Azure allows, no more and no less, through the real
// `synapse-export validate`. The rule (Learn, "Naming rules and restrictions for Azure resources",
// Microsoft.Resources/resourcegroups,
// https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules): 1-90
// characters; alphanumerics, underscores, parentheses, hyphens, periods and Unicode characters that
// match the allowed characters (letters, digits); it cannot end in a period.

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";

const spec = (resourceGroupName: string) => `
connection:
  displayName: T
  dataPrivacyConsent: true
  workspace: { name: ws-test, resourceGroupName: ${JSON.stringify(resourceGroupName)} }
  storage: { accountName: sttest, container: ci-export, resourceGroupName: rg }
principals:
  administrator: { userPrincipalName: admin@contoso.com }
export:
  displayName: T
  databaseName: ci_export
  entities:
    - { name: Customer, source: data/C.csv }
`;

const FIELD = "connection.workspace.resourceGroupName";

describe("synapse-export validate: resource group names as Azure allows them", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-rg-"));
    fs.mkdirSync(path.join(dir, "data"));
    fs.writeFileSync(path.join(dir, "data/C.csv"), "Id\n1\n");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const validate = (name: string) => {
    const file = path.join(dir, "spec.yaml");
    fs.writeFileSync(file, spec(name));
    return runCli(["validate", file]);
  };

  for (const name of [
    "rg-données",
    "rg-日本",
    "rg_Ünïcode(1).prod",
    "rg-١٢٣", // Arabic-Indic digits
    "r",
    "a".repeat(90),
  ]) {
    it(`accepts ${JSON.stringify(name)}`, async () => {
      const r = await validate(name);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
    });
  }

  for (const [name, why] of [
    ["rg-données.", "ends in a period"],
    ["rg#1", "a # (not an allowed character)"],
    ["rg 1", "a space"],
    ["rg/1", "a slash"],
    ["a".repeat(91), "91 characters"],
  ]) {
    it(`refuses ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…` : name)}: ${why}`, async () => {
      const r = await validate(name);
      expect(r.code).to.equal(1);
      expect(r.stdout + r.stderr).to.include(`${FIELD}:`);
      expect(r.stdout + r.stderr).to.include("not ending with a period");
    });
  }
});
