// The reference stack program (stacks/index.ts) under Pulumi's mocks, in update and preview mode: it
// builds the export from stack config (a spec file or the spec as an object) and stops with the spec's
// field paths, without a stack trace, when the config is wrong.

import { expect } from "chai";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { VALID_SPEC_BASE_DIR, validRawSpec } from "../helpers/specs";
import { AzureMocks, deploy, ROLE_ASSIGNMENT, EXAMPLE_SPEC, exampleSpecWorld } from "./azureMocks";

const PROGRAM = path.resolve(__dirname, "../../stacks/index.js");

/** Runs the program module afresh, as `pulumi up` would, returning its exports or what it threw. */
function runProgram(): { outputs?: Record<string, any>; error?: any } {
  delete require.cache[PROGRAM];
  try {
    return { outputs: require(PROGRAM) };
  } catch (error) {
    return { error };
  }
}

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
});

after(() => {
  pulumi.runtime.setAllConfig({});
  delete require.cache[PROGRAM];
});

for (const preview of [false, true]) {
  describe(`stack program (${preview ? "preview" : "update"})`, () => {
    it("builds the export from synapse-export:specFile and exports the endpoints and the grants", async () => {
      const { mocks, result } = await deploy(runProgram, {
        preview,
        world: exampleSpecWorld(),
        config: { "synapse-export:specFile": EXAMPLE_SPEC },
      });
      expect(result.error).to.equal(undefined);
      const outputs = result.outputs!;
      expect(await value(outputs.serverlessSqlEndpoint)).to.equal(
        "ws-ci-ondemand.sql.azuresynapse.net",
      );
      expect(outputs.databaseName).to.equal("ci_export");
      const grants = await value<any[]>(outputs.grants);
      expect(grants).to.have.length(8);
      const armNames = mocks.ofType(ROLE_ASSIGNMENT).map((r) => r.inputs.roleAssignmentName);
      expect(
        grants.filter((g) => g.plane === "arm").map((g) => g.roleAssignmentName),
      ).to.have.members(armNames);
      expect(grants.find((g) => g.plane === "synapse")).to.deep.include({
        role: "Synapse Administrator",
        roleAssignmentName: null,
      });
    });

    it("builds it from the spec given as an object in synapse-export:spec", async () => {
      // An inline spec's sources are relative to the project folder, where Pulumi runs the program.
      const cwd = process.cwd();
      process.chdir(VALID_SPEC_BASE_DIR);
      const { mocks, result } = await deploy(runProgram, {
        preview,
        config: { "synapse-export:spec": JSON.stringify(validRawSpec()) },
      }).finally(() => process.chdir(cwd));
      expect(result.error).to.equal(undefined);
      expect(mocks.ofType(ROLE_ASSIGNMENT)).to.have.length(7);
    });

    it("stops with every field path, and no stack trace, on an invalid spec", async () => {
      const raw = validRawSpec();
      raw.connection.dataPrivacyConsent = false;
      raw.export.entities[0].name = "1bad";
      const { mocks, result } = await deploy(runProgram, {
        preview,
        config: { "synapse-export:spec": JSON.stringify(raw) },
      });
      expect(result.error).to.be.instanceOf(Error);
      expect(pulumi.RunError.isInstance(result.error)).to.equal(true);
      expect(result.error.message).to.contain("connection.dataPrivacyConsent");
      expect(result.error.message).to.contain("export.entities[0].name");
      expect(mocks.resources).to.deep.equal([]);
    });

    it("says which config keys to set when neither is", async () => {
      const { result } = await deploy(runProgram, { preview, config: {} });
      expect(pulumi.RunError.isInstance(result.error)).to.equal(true);
      expect(result.error.message).to.contain("synapse-export:specFile");
      expect(result.error.message).to.contain("synapse-export:spec");
    });
  });
}
