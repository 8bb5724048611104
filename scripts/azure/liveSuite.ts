// The opt-in live suite, the way Azure Verified Modules test: a throwaway resource group with a new
// ADLS Gen2 account and a new workspace (a firewall rule for this runner), `pulumi up` twice (the second
// must change nothing), two small entities exported, one view queried as the deploying identity; then a
// lake-resident entity added (a CSV uploaded to a second container of the same account), exported
// server-side by CETAS on a third up and queried, and a fourth up that changes nothing; then
// everything destroyed, within a hard time limit. Pulumi Automation API, inline program.
//
// Needs the Pulumi CLI on PATH, AZURE_SUBSCRIPTION_ID and the usual Azure credentials
// (DefaultAzureCredential: az login, or AZURE_CLIENT_ID / AZURE_TENANT_ID / a secret or OIDC). Without
// them it prints one line saying why it skipped, and exits 0. `npm test` never runs it.
// It has not been run by the project's CI.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const TIME_LIMIT_MS = Number(process.env.SYNAPSE_EXPORT_LIVE_TIME_LIMIT_MS ?? 60 * 60_000);
const LOCATION = process.env.SYNAPSE_EXPORT_LIVE_LOCATION ?? "westeurope";

/** Why the suite cannot run here, or undefined when it can. */
export function skipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.AZURE_SUBSCRIPTION_ID) return "AZURE_SUBSCRIPTION_ID is not set";
  try {
    execFileSync("pulumi", ["version"], { stdio: "ignore" });
  } catch {
    return "the Pulumi CLI is not on PATH";
  }
  return undefined;
}

async function main(): Promise<number> {
  const reason = skipReason();
  if (reason) {
    console.log(
      `test:azure skipped: ${reason} (it needs the Pulumi CLI, AZURE_SUBSCRIPTION_ID and Azure credentials)`,
    );
    return 0;
  }
  const subscriptionId = process.env.AZURE_SUBSCRIPTION_ID!;
  const suffix = randomBytes(3).toString("hex");
  const group = `rg-synexp-live-${suffix}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-live-"));
  fs.mkdirSync(path.join(work, "data"));
  fs.writeFileSync(path.join(work, "data/Customer.csv"), "CustomerId,Name\n1,Ada\n2,Grace\n");
  fs.writeFileSync(
    path.join(work, "data/Orders.csv"),
    "OrderId,CustomerId,Amount\n10,1,12.50\n11,2,7.25\n",
  );

  const { DefaultAzureCredential } = await import("@azure/identity");
  const credential = new DefaultAzureCredential();
  const arm = async (method: string, url: string, body?: unknown) => {
    const token = await credential.getToken("https://management.azure.com/.default");
    const response = await fetch(`https://management.azure.com${url}`, {
      method,
      headers: { Authorization: `Bearer ${token.token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok && response.status !== 404)
      throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  };
  // The Customer Insights administrator of the spec: given, or the deploying identity itself (the
  // token's `oid` claim).
  const armToken = (await credential.getToken("https://management.azure.com/.default")).token;
  const deployerOid = JSON.parse(
    Buffer.from(armToken.split(".")[1], "base64url").toString("utf8"),
  ).oid;
  const adminObjectId = process.env.SYNAPSE_EXPORT_LIVE_ADMIN_OBJECT_ID ?? deployerOid;
  const groupUrl = `/subscriptions/${subscriptionId}/resourcegroups/${group}?api-version=2021-04-01`;
  const runnerIp = (await (await fetch("https://api.ipify.org")).text()).trim();

  const auto = await import("@pulumi/pulumi/automation");
  const { CustomerInsightsSynapseExport } = await import("../../src");
  const spec = {
    connection: {
      displayName: "synapse-export live suite",
      dataPrivacyConsent: true,
      subscriptionId,
      workspace: {
        name: `synexp-live-${suffix}`,
        resourceGroupName: group,
        create: {
          location: LOCATION,
          firewallRules: [
            { name: "AllowRunner", startIpAddress: runnerIp, endIpAddress: runnerIp },
          ],
        },
      },
      storage: {
        accountName: `synexplive${suffix}`,
        container: "ci-export",
        resourceGroupName: group,
        create: { location: LOCATION },
      },
    },
    principals: {
      customerInsights: { createIfMissing: true },
      administrator: { objectId: adminObjectId },
      readers: [],
    },
    export: {
      displayName: "live",
      databaseName: "live_export",
      entities: [
        { name: "Customer", source: "data/Customer.csv" },
        { name: "Orders", source: "data/Orders.csv" },
      ],
    },
  };
  const stack = await auto.LocalWorkspace.createOrSelectStack(
    {
      stackName: `live-${suffix}`,
      projectName: "synapse-export-live",
      program: async () => {
        const e = new CustomerInsightsSynapseExport("live", { spec, baseDir: work });
        return { serverlessSqlEndpoint: e.serverlessSqlEndpoint };
      },
    },
    { envVars: { PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "live" } },
  );
  await stack.setConfig("azure-native:subscriptionId", { value: subscriptionId });
  await stack.setConfig("azure-native:location", { value: LOCATION });

  let failed: unknown;
  const limit = setTimeout(() => {
    console.error(
      `test:azure: hard time limit of ${TIME_LIMIT_MS / 60_000} min reached; destroying`,
    );
    void stack.destroy().finally(() => arm("DELETE", groupUrl).finally(() => process.exit(1)));
  }, TIME_LIMIT_MS);
  try {
    await arm("PUT", groupUrl, { location: LOCATION });
    const first = await stack.up({ onOutput: (t) => process.stdout.write(t) });
    const second = await stack.up({ onOutput: (t) => process.stdout.write(t) });
    const changes = Object.entries(second.summary.resourceChanges ?? {}).filter(
      ([op]) => op !== "same",
    );
    if (changes.length > 0)
      throw new Error(`the second pulumi up changed something: ${JSON.stringify(changes)}`);
    const server = String(first.outputs.serverlessSqlEndpoint.value);
    const sql = await import("mssql");
    const count = async (view: string): Promise<number> => {
      const pool = await sql.connect({
        server,
        database: "live_export",
        authentication: { type: "azure-active-directory-default", options: {} },
        options: { encrypt: true },
      } as never);
      try {
        const rows = await pool.request().query(`SELECT COUNT(*) AS n FROM [dbo].[${view}]`);
        return rows.recordset[0].n;
      } finally {
        await pool.close();
      }
    };
    const customers = await count("Customer");
    if (customers !== 2) throw new Error(`expected 2 customers, got ${customers}`);

    // The server-side path: a CSV in a second container of the export's account (the deployer's
    // Storage Blob Data Contributor on the account covers it, README "What the server-side path
    // needs"), exported by serverless SQL where it lies.
    const { DataLakeServiceClient } = await import("@azure/storage-file-datalake");
    const dfs = new DataLakeServiceClient(
      `https://${spec.connection.storage.accountName}.dfs.core.windows.net`,
      credential,
    );
    const landing = dfs.getFileSystemClient("landing");
    await landing.createIfNotExists();
    const visits = "VisitId,CustomerId,VisitedOn\n1,1,2026-01-02\n2,1,2026-01-03\n3,2,2026-01-04\n";
    await landing.getFileClient("visits/part-1.csv").upload(Buffer.from(visits, "utf8"));
    spec.export.entities.push({
      name: "Visits",
      source: {
        path: `abfss://landing@${spec.connection.storage.accountName}.dfs.core.windows.net/visits/*.csv`,
        format: "csv",
      },
      columns: [
        { name: "VisitId", type: "int64" },
        { name: "CustomerId", type: "int64" },
        { name: "VisitedOn", type: "date" },
      ],
    } as never);
    await stack.up({ onOutput: (t) => process.stdout.write(t) });
    const visitRows = await count("Visits");
    if (visitRows !== 3) throw new Error(`expected 3 visits exported by CETAS, got ${visitRows}`);
    const fourth = await stack.up({ onOutput: (t) => process.stdout.write(t) });
    const fourthChanges = Object.entries(fourth.summary.resourceChanges ?? {}).filter(
      ([op]) => op !== "same",
    );
    if (fourthChanges.length > 0)
      throw new Error(`the up after the CETAS changed something: ${JSON.stringify(fourthChanges)}`);
    console.log(
      "test:azure passed: two ups (the second unchanged), two entities exported and queried, a lake entity exported by CETAS and queried, a last up unchanged",
    );
  } catch (err) {
    failed = err;
  } finally {
    await stack.destroy({ onOutput: (t) => process.stdout.write(t) }).catch((e) => (failed ??= e));
    await stack.workspace.removeStack(stack.name).catch(() => undefined);
    await arm("DELETE", groupUrl).catch((e) => (failed ??= e));
    clearTimeout(limit);
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (failed) {
    console.error(`test:azure failed: ${(failed as Error).message ?? failed}`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(`test:azure failed: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
