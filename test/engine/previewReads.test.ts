// How long a lake 403 is taken for a grant still applying. What the Pulumi program reads itself (a
// lake source's listing, in `pulumi preview` as in `up`) comes before any grant of the deploy, so a
// 403 there is not waited for: in the export's own account it is recorded as awaiting the grants
// (plan/lakeSourceGrants.ts sourcesAwaitingGrants; elsewhere it fails at once, with the advice). A resource's operation waits for
// ten minutes after the newest grant was made (grantsMadeAt), and long after that fails at once too.
// Run in a child process that trusts the dfs test server's certificate (NODE_EXTRA_CA_CERTS), as a
// Pulumi program would trust a proxy's.

import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startDfsServer, type DfsServer } from "../servers/dfsServer";

const DIST = path.resolve(__dirname, "../..");

/**
 * Runs `script` in a child process that trusts `caPem` (not spawnSync: the test server answers from
 * this process's event loop); with `stopAt`, the child is killed once its stderr matches it.
 */
function runScript(
  script: string,
  caFile: string,
  stopAt?: RegExp,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      if (stopAt?.test(stderr)) child.kill();
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("a lake 403: the program's own reads (sourceStates) and the deploy's operations", function () {
  this.timeout(120_000);
  let server: DfsServer;
  let dir: string;
  before(async () => {
    server = await startDfsServer({ account: "stciexport", checkToken: () => "forbidden" });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-preview-"));
    fs.writeFileSync(path.join(dir, "ca.pem"), server.caPem);
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("records a source in the export's own account as awaiting this deploy's grants on a 403, at once and without a retry", async () => {
    // The first `pulumi up` lists the source before its grants are made: failing there would stop
    // the deploy whose grants let it read. The export, after the grants, lists it itself.
    const script = `
      const { setAzureCredential } = require(${JSON.stringify(`${DIST}/src/engine/azureCredential`)});
      const { testCredential } = require(${JSON.stringify(`${DIST}/test/servers/testTokens`)});
      const { validRawSpec } = require(${JSON.stringify(`${DIST}/test/helpers/specs`)});
      const { validateSpec } = require(${JSON.stringify(`${DIST}/src/spec`)});
      const { sourceStates } = require(${JSON.stringify(`${DIST}/src/engine/exportOperations`)});
      setAzureCredential(testCredential());
      const raw = validRawSpec();
      raw.export.entities = [{
        name: "Orders",
        source: { path: "abfss://landing@stciexport.dfs.core.windows.net/orders/*.csv", format: "csv" },
        columns: [{ name: "OrderId", type: "int64" }],
      }];
      const { spec, issues } = validateSpec(raw, ${JSON.stringify(dir)});
      if (!spec) { console.log(JSON.stringify(issues)); process.exit(3); }
      // The stack grants the deploying identity its data role on the account (the default scope).
      sourceStates(spec, "Orders", { kind: "azure", lakeAccountUrl: ${JSON.stringify(server.accountUrl)} }, { dataRoleScope: "storageAccount" })
        .then((states) => console.log("states: " + JSON.stringify(states)), (e) => console.log("failed: " + e.message));
    `;
    const r = await runScript(script, path.join(dir, "ca.pem"));
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("states: ");
    const states = JSON.parse(r.stdout.slice(r.stdout.indexOf("states: ") + 8));
    expect(states).to.deep.equal([
      {
        path: "abfss://landing@stciexport.dfs.core.windows.net/orders/*.csv (not listed: the deploying identity may read it once this deploy's grants apply)",
        bytes: 0,
        sha256: "",
        etag: "awaiting-grants",
      },
    ]);
    expect(r.stderr).to.contain(
      "entity Orders: listing its lake source was refused (403 AuthorizationPermissionMismatch) before this deploy's grants",
    );
    expect(r.stderr).not.to.contain("waiting for");
    // Each request was answered once: nothing was tried again for a grant.
    const sent = server.requests.map((q) => `${q.method} ${q.url}`);
    expect(new Set(sent).size).to.equal(sent.length);
  });

  /** A script that provisions the export database (its first request writes the lake). */
  const provision = (grantsMadeAt: string) => `
      const { setAzureCredential } = require(${JSON.stringify(`${DIST}/src/engine/azureCredential`)});
      const { testCredential } = require(${JSON.stringify(`${DIST}/test/servers/testTokens`)});
      const { validRawSpec } = require(${JSON.stringify(`${DIST}/test/helpers/specs`)});
      const { validateSpec } = require(${JSON.stringify(`${DIST}/src/spec`)});
      const { exportDatabaseSpec } = require(${JSON.stringify(`${DIST}/src/plan/exportResources`)});
      const { applyExportDatabase } = require(${JSON.stringify(`${DIST}/src/engine/exportOperations`)});
      setAzureCredential(testCredential());
      const { spec } = validateSpec(validRawSpec(), ${JSON.stringify(dir)});
      applyExportDatabase({
        spec: exportDatabaseSpec(spec),
        target: { kind: "azure", lakeAccountUrl: ${JSON.stringify(server.accountUrl)} },
        grantsMadeAt: ${JSON.stringify(grantsMadeAt)},
      }).then(() => console.log("no error"), (e) => console.log("failed: " + e.message));
    `;

  it("a deploy whose grants were made an hour ago fails a 403 at once: the grant is missing, not applying", async () => {
    server.requests.length = 0;
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const r = await runScript(provision(hourAgo), path.join(dir, "ca.pem"));
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("failed: ").and.contain("403 AuthorizationPermissionMismatch");
    expect(r.stderr).not.to.contain("waiting for");
    const sent = server.requests.map((q) => `${q.method} ${q.url}`);
    expect(sent.length).to.be.greaterThan(0);
    expect(new Set(sent).size, "no request tried again").to.equal(sent.length);
  });

  it("a deploy whose grants were just made waits for them to apply, and says so", async () => {
    server.requests.length = 0;
    const r = await runScript(
      provision(new Date().toISOString()),
      path.join(dir, "ca.pem"),
      /waiting for/,
    );
    // Killed at its first wait line (the wait itself lasts up to ten minutes).
    expect(r.stdout).not.to.contain("failed: ");
    expect(r.stderr).to.match(
      /synapse-export: the lake's \w+ \S+: waiting for a new storage role assignment to apply/,
    );
    expect(r.stderr).to.match(/of (59\d|600) s/);
  });

  /** A script that deletes the entity table `Customer` whose state says `policy`. */
  const deleteWith = (policy: "retain" | "drop") => `
      const { setAzureCredential } = require(${JSON.stringify(`${DIST}/src/engine/azureCredential`)});
      const { testCredential } = require(${JSON.stringify(`${DIST}/test/servers/testTokens`)});
      const { validRawSpec } = require(${JSON.stringify(`${DIST}/test/helpers/specs`)});
      const { validateSpec } = require(${JSON.stringify(`${DIST}/src/spec`)});
      const { entityTableSpec } = require(${JSON.stringify(`${DIST}/src/plan/exportResources`)});
      const { deleteEntityTable } = require(${JSON.stringify(`${DIST}/src/engine/exportOperations`)});
      setAzureCredential(testCredential());
      const raw = validRawSpec();
      raw.export.onEntityRemoved = ${JSON.stringify(policy)};
      const { spec } = validateSpec(raw, ${JSON.stringify(dir)});
      deleteEntityTable({
        spec: entityTableSpec(spec, spec.export.entities[0].name),
        target: { kind: "azure", lakeAccountUrl: ${JSON.stringify(server.accountUrl)} },
        entity: spec.export.entities[0].name,
        sources: [],
        grantsMadeAt: "2026-01-01T00:00:00.000Z",
      }).then(() => console.log("deleted"), (e) => console.log("failed: " + e.message));
    `;

  it("deletes a retained entity without the lake: a marker it cannot read keeps it, as retain did", async () => {
    // The lake refuses every request (the account's access revoked, say): under retain nothing is
    // dropped, so the delete must not fail on the marker it reads for the newest policy.
    const kept = await runScript(deleteWith("retain"), path.join(dir, "ca.pem"));
    expect(kept.stdout.trim(), kept.stderr).to.equal("deleted");
    // Under drop the lake is needed: the refusal is the failure, with the advice.
    const dropped = await runScript(deleteWith("drop"), path.join(dir, "ca.pem"));
    expect(dropped.stdout)
      .to.contain("failed: ")
      .and.contain("403 AuthorizationPermissionMismatch");
  });
});
