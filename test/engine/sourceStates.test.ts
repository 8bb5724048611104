// Issue 11 (values, item 4): what `pulumi preview` sees as an entity's sources follows the run's own
// rules. With a local target inside the spec's folder and a glob that reaches it, the run leaves the
// export's own output out (resolveSources' excludeDirs); sourceStates must as well, or every preview
// sees "new data" made by the export itself. Expected paths and hashes are the test's own reading
// of the files it wrote (node:crypto), not the code under test.

import { expect } from "chai";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { runExport } from "../../src/engine";
import { sourceStates } from "../../src/engine/exportOperations";
import { localTarget } from "../../src/engine/targets";
import { age, makeSpec, removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

describe("sourceStates (the Pulumi preview's view of the sources)", () => {
  after(removeTempDirs);

  it("leaves the export's own local lake out of a glob that reaches it, as the run does", async function () {
    this.timeout(30_000);
    const base = await tempDir("states");
    const text = "id,name\n1,Ada\n2,Bob\n";
    await writeFiles(base, { "data/customer.csv": text });
    await age(path.join(base, "data/customer.csv"));
    const spec = makeSpec(
      base,
      [{ name: "Customer", source: { path: "**/*.csv", format: "csv" } }],
      { format: "csv" },
    );
    const out = path.join(base, "out");
    const ref = { kind: "local" as const, dir: out };
    const t = localTarget(spec, out);
    try {
      const r = await runExport(spec, { lake: t.lake, views: t.views });
      expect(r.entities[0]).to.include({ status: "exported", rows: 2 });
    } finally {
      await t.views.close();
    }
    // The lake now holds CSV parts the glob matches.
    const parts = (await fs.readdir(out, { recursive: true })).map(String);
    expect(
      parts.some((p) => p.endsWith(".csv")),
      "the glob reaches the lake's parts",
    ).to.equal(true);

    const states = await sourceStates(spec, "Customer", ref);
    expect(states).to.deep.equal([
      {
        path: "data/customer.csv",
        bytes: Buffer.byteLength(text),
        sha256: createHash("sha256").update(text).digest("hex"),
      },
    ]);
  });
});
