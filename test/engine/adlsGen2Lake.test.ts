// AdlsGen2Lake through the real @azure/storage-file-datalake SDK, against the loopback dfs test server
// (Azurite has no dfs endpoint). Only Entra ID is replaced, since the token service is outside this
// machine; every request still has to carry the bearer token.

import { expect } from "chai";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setAzureCredential } from "../../src/engine/azureCredential";
import { AdlsGen2Lake, type AdlsGen2LakeOptions } from "../../src/engine/lake/adlsGen2Lake";
import { startDfsServer, type DfsServer, type DfsServerOptions } from "../servers/dfsServer";
import { claimsOf, testCredential, testToken } from "../servers/testTokens";

const CONTAINER = "ci-export";

describe("AdlsGen2Lake against the dfs test server", function () {
  let server: DfsServer;
  let workDir: string;

  before(() => {
    // Tokens carry the audience the real service checks (https://storage.azure.com).
    setAzureCredential(testCredential());
    workDir = mkdtempSync(join(tmpdir(), "adls-lake-"));
  });
  after(() => {
    setAzureCredential(undefined);
    rmSync(workDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await server?.close();
  });

  async function start(options: DfsServerOptions = {}): Promise<DfsServer> {
    server = await startDfsServer({ minLeaseSeconds: 1, ...options });
    return server;
  }

  function lakeOn(target: DfsServer, options: Partial<AdlsGen2LakeOptions> = {}): AdlsGen2Lake {
    return new AdlsGen2Lake({
      accountName: target.account,
      container: CONTAINER,
      accountUrl: target.accountUrl,
      trustedCaPem: target.caPem,
      uploadChunkBytes: 64 * 1024,
      uploadConcurrency: 4,
      retryOptions: { maxTries: 4, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
      requestTimeoutMs: 2000,
      lockPollMs: 50,
      ...options,
    });
  }

  async function readyLake(
    options: Partial<AdlsGen2LakeOptions> = {},
    serverOptions: DfsServerOptions = {},
  ): Promise<AdlsGen2Lake> {
    const lake = lakeOn(await start(serverOptions), options);
    await lake.ensureContainer();
    return lake;
  }

  function localFile(bytes: number): { path: string; content: Buffer } {
    const content = randomBytes(bytes);
    const path = join(workDir, `${randomUUID()}.bin`);
    writeFileSync(path, content);
    return { path, content };
  }

  describe("the container and the files", () => {
    it("creates the container once and accepts a second ensureContainer", async () => {
      const lake = lakeOn(await start());
      await lake.ensureContainer();
      await lake.ensureContainer();
      expect(server.namespace.filesystems.has(CONTAINER)).to.equal(true);
      expect(
        server.requests.filter((r) => r.op === "createContainer").map((r) => r.status),
      ).to.deep.equal([201, 409]);
      expect(lake.location).to.equal(`${server.accountUrl}/${CONTAINER}`);
    });

    it("uploads a file bigger than one chunk in parallel appends, byte for byte", async () => {
      const lake = await readyLake();
      const file = localFile(5 * 64 * 1024 + 123);
      await lake.uploadFile(file.path, "ci_export/Customer/v=abc/part-00000.parquet");
      expect(
        server
          .readFile(CONTAINER, "ci_export/Customer/v=abc/part-00000.parquet")
          ?.equals(file.content),
      ).to.equal(true);
      const appends = server.requests.filter((r) => r.op === "append");
      expect(appends.map((r) => Number(r.query.position)).sort((a, b) => a - b)).to.deep.equal(
        [0, 1, 2, 3, 4, 5].map((i) => i * 64 * 1024),
      );
      expect(
        server.requests.filter((r) => r.op === "flush").map((r) => r.query.position),
      ).to.deep.equal([String(file.content.length)]);
    });

    it("replaces a file that is already there", async () => {
      const lake = await readyLake();
      await lake.uploadFile(localFile(200_000).path, "a/part.bin");
      const second = localFile(1000);
      await lake.uploadFile(second.path, "a/part.bin");
      expect(server.readFile(CONTAINER, "a/part.bin")?.equals(second.content)).to.equal(true);
    });

    it("writes and reads text, and a missing file reads as undefined", async () => {
      const lake = await readyLake();
      await lake.writeText("ci_export/Customer/v=abc/_manifest.json", '{"rows":3,"name":"Zoë"}');
      expect(await lake.readText("ci_export/Customer/v=abc/_manifest.json")).to.equal(
        '{"rows":3,"name":"Zoë"}',
      );
      await lake.writeText("ci_export/Customer/v=abc/_manifest.json", "second");
      expect(await lake.readText("ci_export/Customer/v=abc/_manifest.json")).to.equal("second");
      expect(await lake.readText("ci_export/Customer/v=abc/missing.json")).to.equal(undefined);
      expect(await lake.readText("no/such/folder/file.json")).to.equal(undefined);
      expect(server.pathsOf(CONTAINER).filter((p) => p.endsWith(".tmp"))).to.deep.equal([]);
    });

    it("replaces text by a rename on the account's path-style URL, so readers never see a part", async () => {
      const lake = await readyLake();
      await lake.writeText("db/_manifest.json", "old manifest");
      // Hold the new content's flush, and read while the server holds it (an event, not a sleep).
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let flushHeld!: () => void;
      const held = new Promise<void>((resolve) => (flushHeld = resolve));
      server.faults.enqueue(
        { kind: "hold", until: released, onHeld: flushHeld },
        { match: (r) => r.op === "flush" },
      );
      const writing = lake.writeText("db/_manifest.json", "new manifest");
      await held;
      expect(await lake.readText("db/_manifest.json")).to.equal("old manifest");
      release();
      await writing;
      expect(await lake.readText("db/_manifest.json")).to.equal("new manifest");
      const rename = server.requests.find((r) => r.op === "rename" && r.status === 201);
      expect(rename?.url.startsWith(`/${server.account}/${CONTAINER}/db/_manifest.json`)).to.equal(
        true,
      );
      expect(rename?.headers["x-ms-rename-source"]).to.match(
        new RegExp(`^/${server.account}/${CONTAINER}/db/\\._manifest\\.json\\.[0-9a-f-]+\\.tmp$`),
      );
    });

    it("lists every entry below a prefix across pages, and nothing for a missing prefix", async () => {
      const lake = await readyLake({}, { listPageSize: 2 });
      await lake.writeText("db/Customer/v=1/_manifest.json", "{}");
      await lake.uploadFile(localFile(10).path, "db/Customer/v=1/part-00000.parquet");
      await lake.uploadFile(localFile(20).path, "db/Customer/v=1/part-00001.parquet");
      await lake.writeText("db/Order/v=9/_manifest.json", "{}");
      const listed = await lake.list("db/Customer");
      expect(
        listed.map(({ path, isDirectory, size }) => ({ path, isDirectory, size })),
      ).to.deep.equal([
        { path: "db/Customer/v=1", isDirectory: true, size: 0 },
        { path: "db/Customer/v=1/_manifest.json", isDirectory: false, size: 2 },
        { path: "db/Customer/v=1/part-00000.parquet", isDirectory: false, size: 10 },
        { path: "db/Customer/v=1/part-00001.parquet", isDirectory: false, size: 20 },
      ]);
      // Each entry carries the ETag and Last-Modified the service holds for the path (what a
      // lake-resident source is fingerprinted by), Last-Modified to the second as HTTP dates are.
      for (const e of listed) {
        const node = server.namespace.filesystems.get(CONTAINER)!.paths.get(e.path)!;
        expect(e.etag, e.path).to.equal(node.etag.replace(/"/g, ""));
        expect(e.lastModified, e.path).to.equal(
          new Date(Math.floor(node.lastModified.getTime() / 1000) * 1000).toISOString(),
        );
      }
      expect(
        server.requests.filter((r) => r.op === "list" && r.query.continuation).length,
      ).to.equal(1);
      expect((await lake.list("/db/")).map((e) => e.path)).to.include(
        "db/Order/v=9/_manifest.json",
      );
      expect((await lake.list("")).length).to.equal(9);
      expect(await lake.list("db/Nobody")).to.deep.equal([]);
    });

    it("deletes a folder and everything below it, and a second delete is no error", async () => {
      const lake = await readyLake({}, { deletePageSize: 2 });
      for (let i = 0; i < 5; i++) await lake.writeText(`db/Customer/v=1/part-${i}.csv`, "x");
      await lake.writeText("db/Customer/v=2/_manifest.json", "{}");
      await lake.deleteTree("db/Customer/v=1");
      expect(server.pathsOf(CONTAINER)).to.deep.equal([
        "db/",
        "db/Customer/",
        "db/Customer/v=2/",
        "db/Customer/v=2/_manifest.json",
      ]);
      expect(server.requests.filter((r) => r.op === "delete").length).to.be.greaterThan(1);
      await lake.deleteTree("db/Customer/v=1");
      await lake.deleteTree("never/there");
    });

    it("refuses to work on the container root", async () => {
      const lake = await readyLake();
      for (const run of [
        () => lake.deleteTree("/"),
        () => lake.writeText("", "x"),
        () => lake.uploadFile("/nowhere", ""),
      ]) {
        const error = await run().then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.message).to.match(/needs a path below the container root/);
      }
    });

    it("authenticates every request with the Entra ID bearer token, never a key or SAS", async () => {
      const lake = await readyLake();
      await lake.writeText("a.txt", "x");
      await lake.readText("a.txt");
      await lake.list("");
      expect(server.requests.length).to.be.greaterThan(4);
      for (const request of server.requests) {
        expect(claimsOf(request.headers.authorization)?.aud).to.equal("https://storage.azure.com");
        expect(request.url).not.to.match(/[?&](sig|sv|se)=/);
      }
    });

    it("names the location and the missing role when the identity may not write", async () => {
      const lake = lakeOn(await start({ checkToken: () => "forbidden" }));
      const error = await lake.writeText("db/x.json", "{}").then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.contain(`${server.accountUrl}/${CONTAINER}/db/x.json`);
      expect(error?.message).to.contain("403 AuthorizationPermissionMismatch");
      expect(error?.message).to.contain("Storage Blob Data Contributor");
    });

    describe("a deploy's new data role, not applied yet", () => {
      // "In most cases, it takes a minute or two for the role assignment to propagate in Azure. In
      // rare cases, it might take up to eight minutes" (MicrosoftDocs/azure-docs,
      // includes/passwordless/event-hub/event-hub-storage-assign-roles.md). Until then storage answers
      // the identity as one without the role: 403 AuthorizationPermissionMismatch.
      const GRANT_APPLIES_AFTER_MS = 90_000;
      /** Virtual time: sleeping advances it at once, so minutes of waiting cost none. */
      function virtualClock() {
        let now = 1_000_000;
        return { now: () => now, sleep: async (ms: number) => void (now += ms) };
      }
      function grantAppliesLater(clock: { now(): number }) {
        const from = clock.now() + GRANT_APPLIES_AFTER_MS;
        return {
          checkToken: () => (clock.now() >= from ? ("allow" as const) : ("forbidden" as const)),
        };
      }

      it("waits for it within freshGrantsUntil, saying each wait, and then writes", async () => {
        const clock = virtualClock();
        const waits: string[] = [];
        const lake = lakeOn(await start(grantAppliesLater(clock)), {
          clock,
          freshGrantsUntil: clock.now() + 10 * 60_000,
          onGrantWait: (request, wait) => waits.push(`${request.method} ${wait.delayMs > 0}`),
        });
        await lake.ensureContainer();
        await lake.writeText("db/x.json", "{}");
        expect(server.readFile(CONTAINER, "db/x.json")?.toString()).to.equal("{}");
        expect(waits.length).to.be.greaterThan(1);
        expect(waits.every((w) => w.endsWith(" true"))).to.equal(true);
        // Each answered 403 before it applied, and nothing after it did.
        const refused = server.requests.filter((r) => r.status === 403);
        expect(refused.length).to.equal(waits.length);
      });

      it("fails with the advice at once outside a deploy (no freshGrantsUntil)", async () => {
        const clock = virtualClock();
        const lake = lakeOn(await start(grantAppliesLater(clock)), { clock });
        const started = clock.now();
        const error = await lake.ensureContainer().then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.message).to.contain("403 AuthorizationPermissionMismatch");
        expect(error?.message).to.contain("Storage Blob Data Contributor");
        expect(error?.message).to.contain("may not have applied yet");
        // Nothing waited: the clock never moved and each request was sent once.
        expect(clock.now()).to.equal(started);
        const ops = server.requests.map((r) => `${r.method} ${r.url}`);
        expect(new Set(ops).size).to.equal(ops.length);
      });

      it("fails with the advice once freshGrantsUntil has passed, having written nothing", async () => {
        const clock = virtualClock();
        const lake = lakeOn(await start({ checkToken: () => "forbidden" }), {
          clock,
          freshGrantsUntil: clock.now() + 60_000,
        });
        const started = clock.now();
        const error = await lake.writeText("db/x.json", "{}").then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.message).to.contain("403 AuthorizationPermissionMismatch");
        expect(clock.now() - started).to.equal(60_000);
        expect(server.pathsOf(CONTAINER)).to.deep.equal([]);
      });
    });

    it("is refused (401) with a token issued for another resource, as storage refuses it", async () => {
      setAzureCredential({
        getToken: async () => ({
          token: testToken("https://dev.azuresynapse.net", Date.now() + 3600e3),
          expiresOnTimestamp: Date.now() + 3600e3,
        }),
      });
      try {
        const lake = lakeOn(await start());
        const error = await lake.readText("db/x.json").then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.message).to.contain("401 InvalidAuthenticationInfo");
      } finally {
        setAzureCredential(testCredential());
      }
    });

    it("says to sign in again when the token is refused", async () => {
      const lake = lakeOn(await start({ checkToken: () => "unauthenticated" }));
      const error = await lake.readText("db/x.json").then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.contain(
        `could not read ${server.accountUrl}/${CONTAINER}/db/x.json`,
      );
      expect(error?.message).to.contain("401 InvalidAuthenticationInfo");
      expect(error?.message).to.contain("sign in again");
    });

    it("names the local file when it cannot be read, without blaming the service", async () => {
      const lake = await readyLake();
      const missing = join(workDir, "no-such-part.parquet");
      const error = await lake.uploadFile(missing, "db/part.parquet").then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.contain(
        `could not upload ${missing} to ${lake.location}/db/part.parquet`,
      );
      expect(error?.message).to.contain("ENOENT");
      expect(error?.message).not.to.contain("retry later");
    });

    it("the test server answers 401 to a request without a bearer token, as the service does", async () => {
      const target = await start();
      const answer = await new Promise<{ status?: number; code?: unknown; challenge?: unknown }>(
        (resolve, reject) => {
          const sent = request(
            `${target.accountUrl}/${CONTAINER}?restype=container`,
            { method: "PUT", ca: target.caPem },
            (res) => {
              res.resume();
              resolve({
                status: res.statusCode,
                code: res.headers["x-ms-error-code"],
                challenge: res.headers["www-authenticate"],
              });
            },
          );
          sent.on("error", reject);
          sent.end();
        },
      );
      expect(answer.status).to.equal(401);
      expect(answer.code).to.equal("NoAuthenticationInformation");
      expect(String(answer.challenge)).to.match(/^Bearer authorization_uri=/);
      expect(target.namespace.filesystems.size).to.equal(0);
    });

    it("rejects account and container names Azure would refuse, naming the option", () => {
      expect(
        () =>
          new AdlsGen2Lake({
            accountName: "My_Account",
            container: CONTAINER,
            credential: undefined,
          }),
      ).to.throw(/accountName "My_Account"/);
      expect(() => new AdlsGen2Lake({ accountName: "acct", container: "Bad--Name" })).to.throw(
        /container "Bad--Name"/,
      );
      expect(
        () => new AdlsGen2Lake({ accountName: "acct", container: CONTAINER, uploadConcurrency: 0 }),
      ).to.throw(/uploadConcurrency 0/);
      expect(
        () =>
          new AdlsGen2Lake({ accountName: "acct", container: CONTAINER, accountUrl: "acct.dfs" }),
      ).to.throw(/accountUrl "acct.dfs"/);
    });
  });

  describe("the export lock (a blob lease)", () => {
    const lockOptions = { waitMs: 300, staleMs: 60_000, holder: "run 1 on host-a" };

    it("makes a second export wait, then fail with a message naming the place and the holder", async () => {
      const lake = await readyLake({ lockLeaseSeconds: 15 });
      const held = await lake.acquireLock("ci_export/.export-lock", lockOptions);
      const acquires = () =>
        server.requests.filter((r) => r.headers["x-ms-lease-action"] === "acquire");
      const before = acquires().length;
      const error = await lake
        .acquireLock("ci_export/.export-lock", { ...lockOptions, holder: "run 2" })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      // It waited: more than one attempt, each refused because the lease is held.
      const tries = acquires().slice(before);
      expect(tries.length).to.be.at.least(2);
      expect(tries.every((r) => r.status === 409)).to.equal(true);
      expect(error?.message).to.match(
        new RegExp(
          `^another export holds the lock on ${escape(lake.location)}/ci_export/\\.export-lock \\(holder: run 1 on host-a, since [0-9T:.-]+Z\\); wait for it or retry later$`,
        ),
      );
      await held.release();
      const next = await lake.acquireLock("ci_export/.export-lock", {
        ...lockOptions,
        holder: "run 2",
      });
      await next.release();
    });

    it("hands the lock to a waiting export as soon as the holder releases it", async () => {
      const lake = await readyLake({ lockLeaseSeconds: 15 });
      const held = await lake.acquireLock("lock", lockOptions);
      const waiting = lake.acquireLock("lock", { ...lockOptions, waitMs: 5000, holder: "run 2" });
      await new Promise((resolve) => setTimeout(resolve, 150));
      await held.release();
      const next = await waiting;
      expect(server.namespace.node(CONTAINER, "lock").metadata.holder).to.equal("run%202");
      await next.release();
      expect(server.namespace.node(CONTAINER, "lock").lease.state()).to.equal("available");
    });

    it("breaks a stale lock: a crashed holder's lease expires and the next export gets it", async () => {
      const lake = await readyLake({ lockLeaseSeconds: 1 });
      // Another process took the lease for one second and died without renewing or releasing it.
      const lockFile = server.namespace.createPath(
        CONTAINER,
        "lock",
        "file",
        {},
        { holder: "crashed%20run" },
      );
      lockFile.lease.acquire(randomUUID(), "1");
      const lock = await lake.acquireLock("lock", { ...lockOptions, waitMs: 5000 });
      // Refused while the crashed holder's lease lasted, then granted once it expired.
      const statuses = server.requests
        .filter((r) => r.headers["x-ms-lease-action"] === "acquire")
        .map((r) => r.status);
      expect(statuses.slice(0, -1)).to.include(409);
      expect(statuses.at(-1)).to.equal(201);
      expect(server.namespace.node(CONTAINER, "lock").metadata.holder).to.equal(
        "run%201%20on%20host-a",
      );
      await lock.release();
    });

    it("keeps the lock past its lease duration by renewing it while held", async () => {
      const lake = await readyLake({ lockLeaseSeconds: 1 });
      const held = await lake.acquireLock("lock", lockOptions);
      await new Promise((resolve) => setTimeout(resolve, 2200));
      const error = await lake
        .acquireLock("lock", { ...lockOptions, waitMs: 0, holder: "run 2" })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(error?.message).to.match(/another export holds the lock .*holder: run 1 on host-a/);
      expect(
        server.requests.filter((r) => r.headers["x-ms-lease-action"] === "renew").length,
      ).to.be.at.least(3);
      await held.release();
    });

    it("releases cleanly when a drop of the export database deleted the folder holding the lock", async () => {
      const lake = await readyLake({ lockLeaseSeconds: 15 });
      await lake.writeText("ci_export/Customer/v=1/_manifest.json", "{}");
      const held = await lake.acquireLock("ci_export/.export-lock", lockOptions);
      // onEntityRemoved: drop deletes the database folder; on the real service deleting a folder that
      // holds a leased file succeeds (DESIGN.md, traps found by reading Azure's own word).
      await lake.deleteTree("ci_export");
      expect(server.pathsOf(CONTAINER)).to.deep.equal([]);

      await held.release();

      // Nothing was recreated, and the next export gets the lock at once.
      expect(server.pathsOf(CONTAINER)).to.deep.equal([]);
      const next = await lake.acquireLock("ci_export/.export-lock", { ...lockOptions, waitMs: 0 });
      await next.release();
    });

    it("keeps the export lock held through a drop of the database folder: it lives beside the folder", async () => {
      const lake = await readyLake({ lockLeaseSeconds: 15 });
      await lake.writeText("ci_export/Customer/v=1/_manifest.json", "{}");
      // Written out, not read from exportLockPath: <container>/<database>.export.lock.
      const held = await lake.acquireLock("ci_export.export.lock", {
        ...lockOptions,
        holder: "pulumi up (drop database)",
      });
      await lake.deleteTree("ci_export");
      expect(server.pathsOf(CONTAINER)).to.deep.equal(["ci_export.export.lock"]);
      expect(server.namespace.node(CONTAINER, "ci_export.export.lock").lease.state()).to.equal(
        "leased",
      );
      const error = await lake
        .acquireLock("ci_export.export.lock", { ...lockOptions, waitMs: 0, holder: "run 2" })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(error?.message).to.match(
        /^another export holds the lock .*holder: pulumi up \(drop database\)/,
      );
      await held.release();
      const next = await lake.acquireLock("ci_export.export.lock", { ...lockOptions, waitMs: 0 });
      await next.release();
    });

    it("treats 412 LeaseIdMissing on the lock file as a lock someone else holds", async () => {
      const lake = await readyLake({ lockLeaseSeconds: 15 });
      server.namespace
        .createPath(CONTAINER, "lock", "file", {}, { holder: "run%201" })
        .lease.acquire(randomUUID(), "15");
      server.faults.enqueue(
        { kind: "status", status: 412, code: "LeaseIdMissing" },
        { match: (r) => r.op === "create" || r.op === "lease" },
      );
      const error = await lake
        .acquireLock("lock", { ...lockOptions, waitMs: 0, holder: "run 2" })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(error?.message).to.match(/^another export holds the lock .*holder: run 1\)/);
    });

    it("refuses an overwrite of a leased file without its lease id (412 LeaseIdMissing), as the service does", async () => {
      const lake = await readyLake({ lockLeaseSeconds: 15 });
      const held = await lake.acquireLock("db/lock", lockOptions);
      const error = await lake.writeText("db/lock", "overwritten").then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.contain("412 LeaseIdMissing");
      await held.release();
    });

    it("reports on release that the lock was lost when another export took it meanwhile", async () => {
      const lake = await readyLake({ lockLeaseSeconds: 1 });
      const held = await lake.acquireLock("lock", lockOptions);
      server.namespace.node(CONTAINER, "lock").lease.break("0");
      server.namespace.node(CONTAINER, "lock").lease.acquire(randomUUID(), "15");
      await new Promise((resolve) => setTimeout(resolve, 600));
      const error = await held.release().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.contain(
        `the export lock on ${lake.location}/lock was lost while held`,
      );
    });
  });

  describe("faults", () => {
    it("completes an upload byte for byte through 429, 503, 500 and dropped connections", async () => {
      const lake = await readyLake();
      const onAppend = { match: (r: { op: string }) => r.op === "append" };
      server.faults.enqueue({ kind: "status", status: 429, retryAfterSeconds: 1 }, onAppend);
      server.faults.enqueue({ kind: "status", status: 503 }, onAppend);
      server.faults.enqueue({ kind: "status", status: 500 }, onAppend);
      server.faults.enqueue({ kind: "drop" }, onAppend);
      server.faults.enqueue({ kind: "status", status: 503 }, { match: (r) => r.op === "flush" });
      server.faults.enqueue({ kind: "drop" }, { match: (r) => r.op === "create" });
      const file = localFile(6 * 64 * 1024);
      await lake.uploadFile(file.path, "db/part.bin");
      expect(server.readFile(CONTAINER, "db/part.bin")?.equals(file.content)).to.equal(true);
      expect(server.faults.injected).to.equal(6);
      const answered = server.requests.filter((r) => r.fault).map((r) => r.status);
      expect(answered).to.have.members([429, 503, 500, "dropped", 503, "dropped"]);
    });

    it("gets through a seeded storm of faults on every kind of request", async () => {
      const lake = await readyLake(
        { retryOptions: { maxTries: 8, retryDelayInMs: 2, maxRetryDelayInMs: 10 } },
        { listPageSize: 2 },
      );
      server.faults.setRate(
        0.3,
        [
          { kind: "status", status: 429, retryAfterSeconds: 0 },
          { kind: "status", status: 503 },
          { kind: "status", status: 500 },
          { kind: "drop" },
          { kind: "delay", ms: 20 },
        ],
        { seed: 42 },
      );
      const file = localFile(4 * 64 * 1024 + 1);
      await lake.uploadFile(file.path, "db/E/v=1/part-0.bin");
      await lake.writeText("db/E/v=1/_manifest.json", "manifest");
      expect(await lake.readText("db/E/v=1/_manifest.json")).to.equal("manifest");
      expect((await lake.list("db")).map((e) => e.path)).to.deep.equal([
        "db/E",
        "db/E/v=1",
        "db/E/v=1/_manifest.json",
        "db/E/v=1/part-0.bin",
      ]);
      const lock = await lake.acquireLock("db/lock", {
        waitMs: 1000,
        staleMs: 15_000,
        holder: "storm",
      });
      await lock.release();
      await lake.deleteTree("db/E");
      server.faults.clear();
      expect(server.readFile(CONTAINER, "db/E/v=1/part-0.bin")).to.equal(undefined);
      expect(server.faults.injected).to.be.at.least(5);
    });

    it("finishes a text write whose rename was applied but whose answer was lost", async () => {
      const lake = await readyLake();
      server.faults.enqueue(
        { kind: "drop", afterProcessing: true },
        { match: (r) => r.op === "rename" },
      );
      await lake.writeText("db/_manifest.json", "the manifest");
      expect(await lake.readText("db/_manifest.json")).to.equal("the manifest");
      expect(server.requests.filter((r) => r.op === "rename").map((r) => r.status)).to.deep.equal([
        "dropped",
        404,
      ]);
      expect(server.pathsOf(CONTAINER)).to.deep.equal(["db/", "db/_manifest.json"]);
    });

    it("gives up on an answer slower than requestTimeoutMs and tries again", async () => {
      // The first read is held until the test ends, so only requestTimeoutMs can end it; the budget
      // is generous because a loaded machine (CI beside other builds) must still answer the retry in
      // time: a 200 ms budget once ran out four times in a row there.
      const lake = await readyLake({ requestTimeoutMs: 2000 });
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      server.faults.enqueue({ kind: "hold", until: held }, { match: (r) => r.op === "read" });
      await lake.writeText("slow.txt", "patience");
      const text = await lake.readText("slow.txt").finally(release);
      expect(text).to.equal("patience");
      // The slow answer was abandoned and the read sent again (counted, not timed).
      const reads = server.requests.filter((r) => r.op === "read");
      expect(reads).to.have.length(2);
      expect(reads[0].fault).to.deep.include({ kind: "hold" });
    });

    it("fails within bounded time, naming the location, when the service stays unavailable", async () => {
      const lake = await readyLake({
        retryOptions: { maxTries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
      });
      server.faults.enqueue({ kind: "status", status: 503 }, { times: Number.POSITIVE_INFINITY });
      const error = await lake.uploadFile(localFile(1000).path, "db/part.bin").then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.contain(`${lake.location}/db/part.bin`);
      expect(error?.message).to.contain("503 ServerBusy");
      expect(error?.message).to.contain("retry later");
      // Three tries of the SDK's retry policy, and no more.
      expect(server.requests.filter((r) => r.fault).length).to.equal(3);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
