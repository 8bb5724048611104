// Review of 380ff3a..HEAD: failing tests that demonstrate two bugs.

import { expect } from "chai";
import * as path from "node:path";
import { runExport } from "../../src/engine";
import { localTarget } from "../../src/engine/targets";
import { cetasCheckFailure } from "../../src/plan/renderCetas";
import type { EntitySpec } from "../../src/spec/types";
import { errorText } from "../helpers/errorText";
import { makeSpec, removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

describe("review findings", () => {
  after(removeTempDirs);

  it("run --local exports the rows of a lake source named exactly, even when its name starts with _", async () => {
    // The listing (matchBulkPath) takes an exactly named file even if hidden, and fingerprints it;
    // the local read's hidden-file filter then drops every row: "exported" with 0 rows.
    const entity = {
      name: "Orders",
      source: { path: "abfss://raw@otherlake.dfs.core.windows.net/orders/_data.csv", format: "csv" },
      columns: [{ name: "id", type: "int64" }],
    } as EntitySpec;
    const dir = await tempDir("review-hidden");
    await writeFiles(dir, { "raw/orders/_data.csv": "id\n1\n2\n" });
    const spec = makeSpec(path.join(dir, "spec"), [entity]);
    const t = localTarget(spec, dir);
    const r = await runExport(spec, {
      lake: t.lake,
      views: t.views,
      serverSide: t.serverSide,
      stagingDir: path.join(dir, "staging"),
    });
    expect(errorText(r.entities[0])).to.equal("");
    expect(r.entities[0].rows).to.equal(2);
  });

  it("the Azure check's failure for a maxLength misfit names the maxLength, not the 8000 bytes it never checked", () => {
    const input = {
      entity: "Orders",
      snapshot: "s1",
      source: {
        format: "csv" as const,
        files: [],
        csv: { header: true, delimiter: ",", quote: '"' },
        columns: [{ name: "name", type: "string" as const, maxLength: 10 }],
      },
    };
    // The row serverless's check (renderCetasCheck) returns: 11 characters, 11 bytes.
    const message = cetasCheckFailure(input as any, { rows: "1", bad_1: 1, example_1: "abcdefghijk" });
    expect(message).to.not.contain("8000 bytes");
    expect(message).to.match(/10 characters|maxLength/);
  });
});
