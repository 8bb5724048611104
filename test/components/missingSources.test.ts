// A component whose spec's folder is not there: refused at construction, naming the folder and the
// argument that set it, with nothing registered (before, each entity's preview failed to serialize
// its sources after storage and grants were registered, and a mocked deployment never settled).

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type * as Components from "../../src/components";
import { AzureMocks, deploy, EXAMPLE_SPEC, exampleSpecWorld } from "./azureMocks";

let components: typeof Components;
let tmp: string;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-missing-"));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const rawSpec = () => parse(fs.readFileSync(EXAMPLE_SPEC, "utf8"));

/** The error the program's construction threw, and what the mocked Azure was asked to register. */
async function construct(args: Components.CustomerInsightsSynapseExportArgs, preview: boolean) {
  let thrown: any;
  const { mocks } = await deploy(
    () => {
      try {
        new components.CustomerInsightsSynapseExport("ci", args);
      } catch (e) {
        thrown = e;
      }
    },
    { preview, world: exampleSpecWorld() },
  );
  return { thrown, registered: mocks.resources.length };
}

for (const preview of [false, true]) {
  describe(`CustomerInsightsSynapseExport with a spec folder that is not there (${preview ? "preview" : "update"})`, () => {
    it("refuses a baseDir that does not exist before registering anything", async () => {
      const missing = path.join(tmp, "no-such-folder");
      const { thrown, registered } = await construct(
        { spec: rawSpec(), baseDir: missing },
        preview,
      );
      expect(thrown?.issues?.[0]?.path).to.equal("baseDir");
      expect(thrown.message).to.include(`the spec's folder ${missing} does not exist`);
      expect(thrown.message).to.include('"Customer"');
      expect(registered).to.equal(0);
    });

    it("refuses a baseDir that is a file", async () => {
      const file = path.join(tmp, "a-file");
      fs.writeFileSync(file, "x");
      const { thrown } = await construct({ spec: rawSpec(), baseDir: file }, preview);
      expect(thrown?.message).to.include(`the spec's folder ${file} is not a folder`);
    });

    it("builds with the spec's real folder", async () => {
      const { thrown, registered } = await construct(
        { spec: rawSpec(), baseDir: path.dirname(EXAMPLE_SPEC) },
        preview,
      );
      expect(thrown).to.equal(undefined);
      expect(registered).to.be.greaterThan(0);
    });
  });
}
