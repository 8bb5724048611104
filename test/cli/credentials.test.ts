// A run against Azure without a usable sign-in, through the real CLI: the credential is injected
// (test/helpers/failingCredential.ts) and every non-loopback connection is refused, so nothing here
// reaches the managed-identity endpoint or Azure.

import { expect } from "chai";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { BIN, REPO_ROOT, type CliResult } from "../helpers/cli";

const PRELOAD = path.join(REPO_ROOT, "dist/test/helpers/failingCredential.js");
const SPEC = "stacks/customer-insights.spec.yaml";

function runWithFailingCredential(
  mode: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", PRELOAD, BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, FAILING_CREDENTIAL: mode, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("synapse-export run without a usable Azure sign-in", () => {
  it("names Pulumi's ARM_* sign-in, not AZURE_* advice, when those variables are what failed", async () => {
    const id = "12121212-0000-4000-8000-000000000012";
    const r = await runWithFailingCredential("unavailable", ["run", SPEC, "--lock-wait", "0"], {
      ARM_CLIENT_ID: id,
      ARM_TENANT_ID: "00000000-0000-4000-8000-000000000000",
      ARM_CLIENT_SECRET: "not-a-real-secret",
    });
    expect(r.code, r.stderr).to.equal(2);
    const first = r.stderr.split("\n")[0];
    expect(first).to.contain(
      `Could not sign in to Azure with the service principal ${id} of ARM_CLIENT_ID with ARM_CLIENT_SECRET`,
    );
    expect(first).to.contain("login.microsoftonline.com");
    expect(first).not.to.contain("AZURE_CLIENT_SECRET");
    expect(r.stderr).not.to.contain("not-a-real-secret");
  });

  it("names the sign-ins it tried and every way to sign in, and --local", async () => {
    const r = await runWithFailingCredential("unavailable", ["run", SPEC, "--lock-wait", "0"]);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).not.to.contain("BLOCKED");
    expect(r.stderr).to.match(/credential attempts: [1-9]/);
    const first = r.stderr.split("\n")[0];
    expect(first).to.match(/^synapse-export: Not signed in to Azure/);
    for (const tried of [
      "EnvironmentCredential",
      "WorkloadIdentityCredential",
      "ManagedIdentityCredential",
      "AzureCliCredential",
    ]) {
      expect(first).to.contain(tried);
    }
    for (const advice of [
      "az login",
      "AZURE_CLIENT_ID",
      "AZURE_TENANT_ID",
      "AZURE_CLIENT_SECRET",
      "federated",
      "managed identity",
      "--local <dir>",
    ]) {
      expect(first).to.contain(advice);
    }
    expect(r.stderr).not.to.contain("ChainedTokenCredential authentication failed");
  });

  it("reports Entra ID's 400 as a refused sign-in, not as a storage path problem", async () => {
    const r = await runWithFailingCredential("entra400", ["run", SPEC, "--lock-wait", "0"]);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).not.to.contain("BLOCKED");
    expect(r.stderr).to.match(/Entra ID refused the sign-in \(400 invalid_client: AADSTS7000215/);
    expect(r.stderr).to.contain("AZURE_CLIENT_ID");
    expect(r.stderr).not.to.match(/check the path|storage account/);
  });

  it("gives the same explanation as the one JSON document of --json", async () => {
    const r = await runWithFailingCredential("unavailable", [
      "run",
      SPEC,
      "--lock-wait",
      "0",
      "--json",
    ]);
    expect(r.code).to.equal(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).to.equal(false);
    expect(doc.error.code).to.equal("not-started");
    expect(doc.error.kind, "a sign-in failure, whoever wrapped it").to.equal("auth");
    expect(doc.error.message).to.match(/^Not signed in to Azure .*az login/);
  });
});

describe("synapse-export permissions plan --signed-in", () => {
  const OID = "5e5e5e5e-0000-4000-8000-00000000005e";
  const deployerGrant = (doc: { grants: { principal: string }[] }) =>
    doc.grants.find((g) => g.principal === "deployer") as Record<string, unknown> | undefined;

  it("names the signed-in identity from its token's oid, and its kind from its claims, without Microsoft Graph", async () => {
    // An app-only token, as a pipeline's service principal gets one: no scp, sub equal to oid.
    const r = await runWithFailingCredential(
      "unavailable",
      ["permissions", "plan", SPEC, "--json", "--signed-in"],
      { SIGNED_IN_CLAIMS: JSON.stringify({ oid: OID, sub: OID, roles: [] }) },
    );
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).not.to.contain("BLOCKED");
    expect(deployerGrant(JSON.parse(r.stdout))).to.include({
      principalId: OID,
      principalType: "ServicePrincipal",
      role: "Storage Blob Data Contributor",
    });
  });

  it("stays offline without --signed-in: the deployer is known at deploy time", async () => {
    const r = await runWithFailingCredential("unavailable", [
      "permissions",
      "plan",
      SPEC,
      "--json",
    ]);
    expect(r.code, r.stderr).to.equal(0);
    expect(deployerGrant(JSON.parse(r.stdout))).to.include({
      principalId: null,
      principalType: null,
    });
  });

  it("fails with the sign-in error and what to do when nobody is signed in", async () => {
    const r = await runWithFailingCredential("unavailable", [
      "permissions",
      "plan",
      SPEC,
      "--signed-in",
    ]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^synapse-export: Not signed in to Azure/);
    expect(r.stderr).to.contain("az login");
  });
});
