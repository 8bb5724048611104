// The bytes an ADLS Gen2 upload reports as it goes, for the CLI's progress line: through the real
// SDK against the loopback dfs test server (test/servers/dfsServer.ts), in appends of 64 KiB.

import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setAzureCredential } from "../../src/engine/azureCredential";
import { AdlsGen2Lake } from "../../src/engine/lake/adlsGen2Lake";
import { startDfsServer, type DfsServer } from "../servers/dfsServer";
import { testCredential } from "../servers/testTokens";

describe("AdlsGen2Lake.uploadFile progress", () => {
  let server: DfsServer;
  let dir: string;
  before(async () => {
    // A storage-audience token: the dfs test server refuses others, as storage does.
    setAzureCredential(testCredential());
    dir = mkdtempSync(join(tmpdir(), "upload-progress-"));
    server = await startDfsServer({});
  });
  after(async () => {
    setAzureCredential(undefined);
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports the bytes sent, growing, up to the file's size", async () => {
    const lake = new AdlsGen2Lake({
      accountName: server.account,
      container: "ci-export",
      accountUrl: server.accountUrl,
      trustedCaPem: server.caPem,
      uploadChunkBytes: 64 * 1024,
      uploadConcurrency: 1,
      requestTimeoutMs: 5000,
    });
    await lake.ensureContainer();
    const size = 10 * 64 * 1024 + 123;
    const file = join(dir, "part.bin");
    writeFileSync(file, randomBytes(size));
    const seen: number[] = [];
    await lake.uploadFile(file, "db/E/v=1/part-00000.parquet", (sent) => seen.push(sent));
    expect(seen.length, "one report per append at least").to.be.at.least(11);
    expect(seen.at(-1)).to.equal(size);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).to.be.at.least(seen[i - 1]);
  });
});
