// A spec is validated once per construction (it was three times for the aggregate component). Counted
// at the spec layer's rules step, which every validation of a whole spec runs exactly once: a
// call-through counter on the module's export, which the compiled components call it by.

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import { VALID_SPEC_BASE_DIR, validRawSpec } from "../helpers/specs";
import { AzureMocks, deploy, EXAMPLE_SPEC, exampleSpecWorld } from "./azureMocks";

const rules = require("../../src/spec/rules") as { checkRules: (...args: unknown[]) => void };

let components: typeof Components;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
});

/** How many whole specs were validated while `program` was deployed (in preview). */
async function validationsDuring(program: () => unknown, world?: any): Promise<number> {
  const original = rules.checkRules;
  let count = 0;
  rules.checkRules = (...args: unknown[]) => {
    count++;
    return original(...args);
  };
  try {
    await deploy(program, { preview: true, world });
  } finally {
    rules.checkRules = original;
  }
  return count;
}

/** The example stack's world: storage and workspace both in rg-analytics. */

describe("a spec is validated once per construction", () => {
  it("by the aggregate component given a spec object, which hands it to its connection", async () => {
    const spec = validRawSpec();
    const count = await validationsDuring(
      () =>
        new components.CustomerInsightsSynapseExport("ci", { spec, baseDir: VALID_SPEC_BASE_DIR }),
    );
    expect(count).to.equal(1);
  });

  it("by the aggregate component given a spec file", async () => {
    const count = await validationsDuring(
      () => new components.CustomerInsightsSynapseExport("ci", { specFile: EXAMPLE_SPEC }),
      exampleSpecWorld(),
    );
    expect(count).to.equal(1);
  });

  it("by ExportConnection built on its own, warnings included", async () => {
    const spec = validRawSpec();
    const count = await validationsDuring(
      () => new components.ExportConnection("ci", { spec, baseDir: VALID_SPEC_BASE_DIR }),
    );
    expect(count).to.equal(1);
  });

  it("and again for each construction: a spec given to two connections is validated twice", async () => {
    const spec = validRawSpec();
    const count = await validationsDuring(() => {
      new components.ExportConnection("a", { spec, baseDir: VALID_SPEC_BASE_DIR });
      new components.ExportConnection("b", { spec, baseDir: VALID_SPEC_BASE_DIR });
    });
    expect(count).to.equal(2);
  });
});
