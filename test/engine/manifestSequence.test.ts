// Issue 11 (values, item 6): a manifest whose `sequence` synapse-export did not write. Each hostile
// value is written into the manifest's JSON text by hand (so values JSON.parse turns into Infinity or
// a rounded double are written as a user or attacker would), then the source changes: the run must
// fail the entity naming the manifest, touch nothing (the folder and its manifest stay byte for
// byte, no new snapshot), and `runOnDeploy: false` must refuse to publish. The manifest's path is
// built here from the folder names on disk, not asked of the code under test.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { publishLatestSnapshot } from "../../src/engine/exportOperations";
import { customerWorld, removeTempDirs } from "./support/fixtures";

async function exportedOnce() {
  const { out, write, run, spec } = await customerWorld("sequence");
  await write("id,name\n1,Ada\n");
  const first = await run();
  expect(first.entities[0].status).to.equal("exported");
  const entityDir = path.join(out, "ci-export", "ci_export", "Customer");
  const [folder] = await fs.readdir(entityDir);
  const manifestFile = path.join(entityDir, folder, "_manifest.json");
  return {
    spec,
    out,
    run,
    write,
    entityDir,
    manifestFile,
    lakePath: `ci_export/Customer/${folder}/_manifest.json`,
  };
}

/** The manifest's text with its sequence replaced by `raw`, written as JSON text. */
async function setSequence(manifestFile: string, raw: string): Promise<string> {
  const text = await fs.readFile(manifestFile, "utf8");
  const replaced = text.replace(/"sequence":\s*[^,}\n]+/, `"sequence": ${raw}`);
  expect(replaced, "the manifest has a sequence to replace").to.not.equal(text);
  await fs.writeFile(manifestFile, replaced);
  return replaced;
}

describe("manifest sequences synapse-export did not write (issue 11 values item 6)", () => {
  after(removeTempDirs);

  const hostile: [string, string, string][] = [
    ["negative", "-1", "-1"],
    ["fractional", "1.5", "1.5"],
    ["a string of digits", '"5"', '"5"'],
    ["null", "null", "null"],
    ["past 2^53 (reads as another number)", "9007199254740993", "9007199254740992"],
    ["huge", "1e300", "1e+300"],
    ["too large for a double (NaN's JSON cousin)", "1e400", "a number too large for a double"],
  ];
  for (const [what, raw, shown] of hostile) {
    it(`${what} (${raw}): the entity fails naming the manifest, and nothing is touched`, async function () {
      this.timeout(30_000);
      const w = await exportedOnce();
      const manifestText = await setSequence(w.manifestFile, raw);
      await w.write("id,name\n1,Ada\n2,Grace\n");
      const before = await fs.readdir(w.entityDir);

      const r = await w.run();
      expect(r.entities[0].status).to.equal("failed");
      expect(errorText(r.entities[0])).to.include(w.lakePath);
      expect(errorText(r.entities[0])).to.include(`"sequence" is ${shown}`);
      expect(await fs.readdir(w.entityDir)).to.deep.equal(before);
      expect(await fs.readFile(w.manifestFile, "utf8")).to.equal(manifestText);

      const published = await publishLatestSnapshot(
        w.spec,
        { kind: "local", dir: w.out },
        "Customer",
      ).then(
        () => "published",
        (e: Error) => e.message,
      );
      expect(published).to.include(w.lakePath);
    });
  }

  it("the largest safe sequence is valid, but no snapshot can follow it: the run fails naming it", async function () {
    this.timeout(30_000);
    const w = await exportedOnce();
    await setSequence(w.manifestFile, String(Number.MAX_SAFE_INTEGER));
    const published = await publishLatestSnapshot(
      w.spec,
      { kind: "local", dir: w.out },
      "Customer",
    );
    expect(published.rows).to.equal(1);
    await w.write("id,name\n1,Ada\n2,Grace\n");
    const before = await fs.readdir(w.entityDir);
    const r = await w.run();
    expect(r.entities[0].status).to.equal("failed");
    expect(errorText(r.entities[0])).to.include(w.lakePath);
    expect(errorText(r.entities[0])).to.include(`"sequence" is ${Number.MAX_SAFE_INTEGER}`);
    expect(await fs.readdir(w.entityDir)).to.deep.equal(before);
  });

  it("a valid sequence written by hand orders as any other: the next snapshot follows it", async function () {
    this.timeout(30_000);
    const w = await exportedOnce();
    await setSequence(w.manifestFile, "41");
    await w.write("id,name\n1,Ada\n2,Grace\n");
    const r = await w.run();
    expect(r.entities[0].status).to.equal("exported");
    const next = path.join(w.entityDir, `v=${r.entities[0].snapshot}`, "_manifest.json");
    expect((JSON.parse(await fs.readFile(next, "utf8")) as { sequence: number }).sequence).to.equal(
      42,
    );
  });
});
