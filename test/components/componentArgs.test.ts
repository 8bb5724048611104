// ExportStorage and WorkspaceLink, built by a program on their own, check their arguments by the
// spec's own rules: each refusal names the argument's path and says what the spec would say of the
// same value (the spec's message is the expected text: one rule, two front doors), before anything
// is registered. Values known only at deploy time (Outputs) are left to Azure.

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import { validateSpec, SpecError } from "../../src/spec";
import { errorKind } from "../../src/errors";
import { newStorageAndWorkspaceRawSpec } from "../helpers/specs";
import { AzureMocks, deploy } from "./azureMocks";

let components: typeof Components;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
});

/** The error the program's construction threw, and how many resources it registered. */
async function refusal(program: () => unknown): Promise<{ error: any; registered: number }> {
  let error: any;
  const { mocks } = await deploy(
    () => {
      try {
        program();
      } catch (err) {
        error = err;
      }
    },
    { preview: true },
  );
  return { error, registered: mocks.resources.length };
}

/**
 * What validating a spec says of one field, after `change` broke it: held to `expected`, the words
 * written out from Azure's naming rules (so a message both front doors got wrong alike still fails).
 */
function specMessage(change: (spec: any) => void, field: string, expected: string): string {
  const raw = newStorageAndWorkspaceRawSpec();
  change(raw);
  const issue = validateSpec(raw, "/base").issues.find((i) => i.path === field);
  expect(issue, `the spec refuses ${field}`).to.not.equal(undefined);
  expect(issue!.message, `the spec's words for ${field}`).to.equal(expected);
  return issue!.message;
}

function expectRefusedArgument(
  found: { error: any; registered: number },
  component: string,
  path: string,
  message: string,
) {
  expect(found.error, "the construction throws").to.be.instanceOf(SpecError);
  expect(found.error.issues).to.deep.include({ path, message });
  expect(found.error.message).to.contain(`${component} 'x': the arguments have`);
  expect(found.error.message).to.contain(`  - ${path}: ${message}`);
  expect(errorKind(found.error)).to.equal("spec");
  expect(pulumi.RunError.isInstance(found.error)).to.equal(true);
  expect(found.registered).to.equal(0);
}

describe("ExportStorage checks its arguments by the spec's rules", () => {
  const storage = (args: Record<string, unknown>) => () =>
    new components.ExportStorage("x", {
      accountName: "stciexport",
      resourceGroupName: "rg-data",
      container: "ci-export",
      ...args,
    } as any);

  it("names accountName for an account name Azure refuses, in the spec's words", async () => {
    expectRefusedArgument(
      await refusal(storage({ accountName: "StCi_Export" })),
      "ExportStorage",
      "accountName",
      specMessage(
        (s) => (s.connection.storage.accountName = "StCi_Export"),
        "connection.storage.accountName",
        // Storage account names: 3-24 characters, lowercase letters and numbers only.
        "'StCi_Export' is not valid: use 3-24 lowercase letters and digits",
      ),
    );
  });

  it("names container and create.sku, every issue at once", async () => {
    const found = await refusal(
      storage({ container: "ci--export", create: { location: "westeurope", sku: "Standard_XYZ" } }),
    );
    expectRefusedArgument(
      found,
      "ExportStorage",
      "container",
      specMessage(
        (s) => (s.connection.storage.container = "ci--export"),
        "connection.storage.container",
        // Container names: 3-63 lowercase letters, numbers and hyphens, no two hyphens in a row.
        "'ci--export' is not valid: use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
      ),
    );
    expectRefusedArgument(
      found,
      "ExportStorage",
      "create.sku",
      specMessage(
        (s) => (s.connection.storage.create.sku = "Standard_XYZ"),
        "connection.storage.create.sku",
        "'Standard_XYZ' is not allowed; use one of Standard_LRS, Standard_ZRS, Standard_GRS, Standard_RAGRS, Standard_GZRS, Standard_RAGZRS, Premium_LRS, Premium_ZRS (did you mean 'Standard_LRS'?)",
      ),
    );
  });

  it("requires the names it cannot do without", async () => {
    const found = await refusal(() => new components.ExportStorage("x", {} as any));
    for (const field of ["accountName", "resourceGroupName", "container"]) {
      expectRefusedArgument(found, "ExportStorage", field, "is required");
    }
  });

  it("leaves a value known only at deploy time to Azure", async () => {
    const { mocks } = await deploy(storage({ create: { location: pulumi.output("westeurope") } }), {
      preview: false,
    });
    const [account] = mocks.ofType("azure-native:storage:StorageAccount");
    expect(account.inputs.location).to.equal("westeurope");
  });
});

describe("WorkspaceLink checks its arguments by the spec's rules", () => {
  const workspace = (args: Record<string, unknown>) => () =>
    new components.WorkspaceLink("x", {
      workspaceName: "ws-ci",
      resourceGroupName: "rg-analytics",
      ...args,
    } as any);
  const create = (extra: Record<string, unknown>) => ({
    location: "westeurope",
    dfsEndpoint: "https://stnewexport.dfs.core.windows.net/",
    container: "ci-export",
    ...extra,
  });

  it("names workspaceName for a name Synapse reserves (-ondemand), in the spec's words", async () => {
    expectRefusedArgument(
      await refusal(workspace({ workspaceName: "ws-ondemand" })),
      "WorkspaceLink",
      "workspaceName",
      specMessage(
        (s) => (s.connection.workspace.name = "ws-ondemand"),
        "connection.workspace.name",
        // Synapse workspace names: 1-50 lowercase letters, digits and hyphens; -ondemand is reserved.
        "'ws-ondemand' is not valid: use 1-50 lowercase letters, digits or hyphens, starting and ending with a letter or digit, without '-ondemand'",
      ),
    );
  });

  it("names a firewall rule that gives 0.0.0.0 another name than AllowAllWindowsAzureIps", async () => {
    const rule = { name: "azure", startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" };
    expectRefusedArgument(
      await refusal(workspace({ create: create({ firewallRules: [rule] }) })),
      "WorkspaceLink",
      "create.firewallRules[0].name",
      specMessage(
        (s) => (s.connection.workspace.create.firewallRules = [rule]),
        "connection.workspace.create.firewallRules[0].name",
        'the range 0.0.0.0-0.0.0.0 means "allow Azure services" only under the name AllowAllWindowsAzureIps: set allowAzureServices: true instead',
      ),
    );
  });

  it("names a firewall rule without its end address", async () => {
    const rule = { name: "office", startIpAddress: "203.0.113.7" };
    expectRefusedArgument(
      await refusal(workspace({ create: create({ firewallRules: [rule] }) })),
      "WorkspaceLink",
      "create.firewallRules[0].endIpAddress",
      "is required",
    );
  });

  it("leaves the storage's endpoint and container, Outputs of another component, to Azure", async () => {
    const { mocks } = await deploy(
      workspace({
        workspaceName: "ws-new",
        create: create({
          dfsEndpoint: pulumi.output("https://stnewexport.dfs.core.windows.net/"),
          location: pulumi.output("westeurope"),
          allowAzureServices: true,
        }),
      }),
      { preview: false },
    );
    expect(mocks.ofType("azure-native:synapse:Workspace")).to.have.length(1);
  });
});

describe("a spec given a Pulumi Output where a name must be known", () => {
  it("says it is an Output and what to give instead, before anything is registered", async () => {
    const { validRawSpec } = require("../helpers/specs") as typeof import("../helpers/specs");
    const raw: any = validRawSpec();
    raw.connection.workspace.resourceGroupName = pulumi.output("rg-analytics");
    const found = await refusal(
      () => new components.CustomerInsightsSynapseExport("x", { spec: raw, baseDir: "/base" }),
    );
    expect(found.error, "the construction throws").to.be.instanceOf(SpecError);
    expect(found.error.message).to.contain(
      "connection.workspace.resourceGroupName: must be text, got a Pulumi Output; this field must be known when the program runs: give a plain value",
    );
    expect(found.registered).to.equal(0);
  });
});
