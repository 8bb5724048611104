// One spec-file loader: the component given a specFile refuses every spec the command refuses, with
// the same words. Each `validate` case of the bad-input corpus (test/fixtures/bad/, whose fragments
// the CLI corpus test holds the command to) goes through the CLI's loader and through
// CustomerInsightsSynapseExport under Pulumi's mocks, and so do the two refusals no fixture can hold:
// a file past 10 MB and a named pipe.

import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import type * as Components from "../../src/components";
import { loadSpecFile, loadStackSpec } from "../../src/cli/loadSpec";
import { formatIssues } from "../../src/spec/specError";
import { errorKind } from "../../src/errors";
import { AzureMocks, deploy } from "./azureMocks";
import { loadCorpus } from "../reliability/support/badCorpus";

const CORPUS = path.resolve(__dirname, "../../../test/fixtures/bad");

let components: typeof Components;
let tmp: string;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-spec-files-"));
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The CLI loader's refusal as the command prints it: its error, or the spec's issues. */
function cliRefusal(file: string): string | undefined {
  try {
    const loaded = loadSpecFile(file);
    return loaded.spec ? undefined : formatIssues(loaded.issues, file);
  } catch (error) {
    return (error as Error).message;
  }
}

/** The component's refusal, and what it registered before refusing. */
async function componentRefusal(file: string): Promise<{ error?: any; registered: number }> {
  let error: any;
  const { mocks } = await deploy(
    () => {
      try {
        new components.CustomerInsightsSynapseExport("ci", { specFile: file });
      } catch (err) {
        error = err;
      }
    },
    { preview: true },
  );
  return { error, registered: mocks.resources.length };
}

async function expectBothRefuse(file: string, fragments: string[], field?: string) {
  const cli = cliRefusal(file);
  expect(cli, "the CLI's loader refuses it").to.be.a("string");
  const { error, registered } = await componentRefusal(file);
  expect(error, "the component refuses it").to.be.instanceOf(Error);
  for (const fragment of [...fragments, ...(field ? [`${field}:`] : [])]) {
    expect(cli, "the CLI's words").to.contain(fragment);
    expect(error.message, "the component's words").to.contain(fragment);
  }
  expect(errorKind(error)).to.equal("spec");
  // Printed by Pulumi as its message alone, and refused before anything is registered.
  expect(pulumi.RunError.isInstance(error)).to.equal(true);
  expect(registered).to.equal(0);
}

describe("the component refuses what the CLI refuses (one spec-file loader)", () => {
  const cases = loadCorpus(CORPUS).filter((c) => c.command === "validate" && !c.pending);

  it("covers the corpus's refusals of the file itself, not only of its fields", () => {
    const names = cases.map((c) => c.name);
    for (const name of ["spec-utf16", "spec-binary", "spec-yaml-alias-bomb", "spec-is-a-folder"]) {
      expect(names).to.include(name);
    }
  });

  for (const c of cases) {
    it(`${c.name}: ${c.description}`, async () => {
      await expectBothRefuse(path.join(c.dir, c.spec), c.expectedFragments, c.field);
    });
  }

  it("a file past 10 MB, before reading it", async () => {
    const file = path.join(tmp, "huge.yaml");
    fs.writeFileSync(file, "");
    fs.truncateSync(file, 10 * 1024 * 1024 + 1); // sparse: nothing is written
    await expectBothRefuse(file, ["10,485,761 bytes, more than a spec may be"]);
  });

  it("and the CLI's stack config (--stack) is refused alike for an alias bomb", () => {
    const stacks = path.join(tmp, "stacks");
    fs.mkdirSync(stacks, { recursive: true });
    fs.copyFileSync(
      path.join(CORPUS, "spec-yaml-alias-bomb/spec.yaml"),
      path.join(stacks, "Pulumi.dev.yaml"),
    );
    expect(() => loadStackSpec("dev", stacks)).to.throw(
      /is not a usable spec: .*Excessive alias count/,
    );
  });

  // The review's repro: the example spec with a lake-resident JSON Lines source, which serverless
  // cannot read exactly (src/plan/lakeSource.ts cites
  // https://learn.microsoft.com/azure/synapse-analytics/sql/develop-openrowset).
  const LAKE_JSONL = "abfss://landing@stciexport.dfs.core.windows.net/in/Customer.jsonl";
  const JSONL_REFUSAL = "which serverless SQL reads only as text lines parsed row by row";

  it("a lake source serverless cannot read (the CLI's lake-source refusals)", async () => {
    const example = fs.readFileSync(
      path.resolve(__dirname, "../../../stacks/customer-insights.spec.yaml"),
      "utf8",
    );
    const file = path.join(tmp, "lake-jsonl.yaml");
    fs.writeFileSync(file, example.replace("source: data/Customer.csv", `source: ${LAKE_JSONL}`));
    await expectBothRefuse(file, [JSONL_REFUSAL], "export.entities[0].source.format");
  });

  it("the same lake source given as a spec object, before anything is registered", async () => {
    const example = parseYaml(
      fs.readFileSync(
        path.resolve(__dirname, "../../../stacks/customer-insights.spec.yaml"),
        "utf8",
      ),
    );
    example.export.entities[0].source = LAKE_JSONL;
    let error: any;
    const { mocks } = await deploy(
      () => {
        try {
          new components.CustomerInsightsSynapseExport("ci", { spec: example, baseDir: tmp });
        } catch (err) {
          error = err;
        }
      },
      { preview: true },
    );
    expect(error?.message).to.contain(
      `export.entities[0].source.format: is jsonl, ${JSONL_REFUSAL}`,
    );
    expect(errorKind(error)).to.equal("spec");
    expect(mocks.resources.length).to.equal(0);
  });

  it("a named pipe, without blocking on it", async function () {
    const fifo = path.join(tmp, "spec.fifo");
    try {
      execFileSync("mkfifo", [fifo]);
    } catch {
      this.skip(); // no mkfifo on this machine
    }
    await expectBothRefuse(fifo, ["it is a named pipe, not a regular file"]);
  });
});
