// A thrown value need not be an Error: a library may reject with null, a string, `{ message: 42 }` or
// an object without a prototype (for which String() itself throws). Each is reported with a message
// in words, through the one messageOf (src/errors.ts), and never escapes runExport as a second,
// unreported failure.

import { expect } from "chai";
import * as path from "node:path";
import { messageOf } from "../../src/errors";
import { runError } from "../../src/engine/run/runRecord";
import { lakeFailure } from "../../src/engine/lake/adlsFailure";
import { explainError } from "../../src/cli/errors";
import { sqlErrorFacts } from "../../src/engine/sql/sqlErrorKinds";
import { runExport } from "../../src/engine";
import { LocalLake } from "../../src/engine/lake/localLake";
import type { LakeEntry, LakeLock } from "../../src/engine/lake/lakeStore";
import type { LockFileOptions } from "../../src/engine/lake/localLockFile";
import { makeSpec, RecordingViews, removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

const bare = (): object => Object.create(null);

describe("non-Error throwables are reported in words", () => {
  after(removeTempDirs);

  it("messageOf: an Error's message, a string as it is, anything else rendered without throwing", () => {
    expect(messageOf(new Error("boom"))).to.equal("boom");
    expect(messageOf("plain text")).to.equal("plain text");
    expect(messageOf({ message: "from an object" })).to.equal("from an object");
    expect(messageOf({ message: 42 })).to.equal('{"message":42}');
    expect(messageOf(bare())).to.equal("[object Object]");
    expect(messageOf(Object.assign(bare(), { code: "E1" }))).to.equal('{"code":"E1"}');
    expect(messageOf(null)).to.equal("null");
    expect(messageOf(undefined)).to.equal("undefined");
    expect(messageOf(42)).to.equal("42");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(messageOf(cyclic)).to.equal("[object Object]");
  });

  it("sqlErrorFacts words a driver's throwable without a message, and one String() cannot render", () => {
    // String() of an object without a prototype throws; of `{ code }` it says "[object Object]".
    expect(sqlErrorFacts(Object.assign(bare(), { state: 1 })).message).to.equal('{"state":1}');
    expect(() => sqlErrorFacts(bare())).not.to.throw();
    expect(sqlErrorFacts(bare()).message).to.equal("[object Object]");
    expect(sqlErrorFacts({ number: 15842 })).to.deep.equal({
      number: 15842,
      code: undefined,
      message: '{"number":15842}',
    });
  });

  it("runError keeps a kind and a string message for an object without a prototype", () => {
    expect(runError(bare())).to.deep.equal({ kind: "internal", message: "[object Object]" });
    expect(runError(null)).to.deep.equal({ kind: "internal", message: "null" });
  });

  it("explainError returns a string, never the thrown value's non-string message", () => {
    expect(explainError({ message: 42 })).to.equal('{"message":42}');
    expect(explainError(bare())).to.equal("[object Object]");
    expect(explainError(null)).to.equal("null");
  });

  it("lakeFailure names the place for an object without a prototype", () => {
    const e = lakeFailure("https://acct.dfs.core.windows.net/ci-export", "read", "db/x", bare());
    expect(e.kind).to.equal("lake");
    expect(e.message).to.equal(
      "could not read https://acct.dfs.core.windows.net/ci-export/db/x: [object Object]",
    );
  });

  it("runExport reports a null rejection of the removed-entity search and of the lock release", async () => {
    const dir = await tempDir("non-error");
    const base = path.join(dir, "spec");
    await writeFiles(base, { "customer.csv": "id,name\n1,Ada\n" });
    const spec = makeSpec(base, [
      {
        name: "Customer",
        source: { path: "customer.csv", format: "csv" },
        columns: [
          { name: "id", type: "int64" },
          { name: "name", type: "string" },
        ],
      },
    ]);
    class NullRejectingLake extends LocalLake {
      /** Armed once the entity has finished: from then on the search for removed entities runs. */
      armed = false;
      override async list(prefix: string): Promise<LakeEntry[]> {
        if (this.armed) throw null;
        return super.list(prefix);
      }
      override async acquireLock(name: string, options: LockFileOptions): Promise<LakeLock> {
        const lock = await super.acquireLock(name, options);
        return {
          release: async () => {
            await lock.release();
            throw bare();
          },
        };
      }
    }
    const lake = new NullRejectingLake(path.join(dir, "lake"), "ci-export");
    const record = await runExport(spec, {
      lake,
      views: new RecordingViews(),
      stagingDir: path.join(dir, "staging"),
      onProgress: (event) => {
        if (event.kind === "entity-finished") lake.armed = true;
      },
    });
    expect(record.ok).to.equal(false);
    expect(record.entities.map((e) => e.status)).to.deep.equal(["exported"]);
    expect(record.error?.kind).to.equal("internal");
    expect(record.error?.message).to.equal(
      "after the entities ran, looking for entities removed from the spec failed: null; " +
        "the export lock could not be released: [object Object]",
    );
  });
});
