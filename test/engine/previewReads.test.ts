// What the Pulumi program reads itself (a lake source's listing, in `pulumi preview` as in `up`)
// comes before any grant of the deploy, so a 403 there is not waited for as a grant applying: it
// fails at once, with the advice. Run in a child process that trusts the dfs test server's
// certificate (NODE_EXTRA_CA_CERTS), as a Pulumi program would trust a proxy's.

import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startDfsServer, type DfsServer } from "../servers/dfsServer";

const DIST = path.resolve(__dirname, "../..");

describe("the program's own lake reads (sourceStates) in preview", function () {
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

  it("fails at once on a 403, without waiting for a grant, and says what to grant", async () => {
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
      sourceStates(spec, "Orders", { kind: "azure", lakeAccountUrl: ${JSON.stringify(server.accountUrl)} })
        .then(() => console.log("no error"), (e) => console.log("failed: " + e.message));
    `;
    // Not spawnSync: the test server answers from this process's event loop.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, ["-e", script], {
          env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, "ca.pem") },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
      },
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("failed: ").and.contain("403 AuthorizationPermissionMismatch");
    expect(r.stdout).to.contain("Storage Blob Data");
    expect(r.stderr).not.to.contain("waiting for a new storage role assignment");
    // Each request was answered once: nothing was tried again for a grant.
    const sent = server.requests.map((q) => `${q.method} ${q.url}`);
    expect(new Set(sent).size).to.equal(sent.length);
  });
});
