// A dynamic resource is deleted and refreshed with the provider serialized into its state by the run
// that wrote it (@pulumi/pulumi cmd/dynamic-provider: delete -> getProvider(props)), which Pulumi
// evaluates with require-from-string in the program's folder. The state may come from another
// checkout (a laptop's `pulumi up`, a pipeline's `pulumi destroy`): its provider must still load the
// engine of the checkout it runs in.

import { expect } from "chai";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadEngine } from "../../src/providers/loadEngine";
import { WRITER_VERSION } from "../../src/engine/fingerprint";

const CHECKOUT = path.resolve(__dirname, "../../..");

type RequireFromString = (code: string) => { handler: () => () => string };
const requireFromString = require(
  require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] }),
) as RequireFromString;

/** What Pulumi stores for a provider method that loads an engine module. */
async function serializedEngineCall(): Promise<string> {
  const call = () => loadEngine<{ WRITER_VERSION: string }>("fingerprint").WRITER_VERSION;
  return (await pulumi.runtime.serializeFunction(() => call)).text;
}

describe("dynamic providers load the engine of the checkout they run in", () => {
  it("a state written in another checkout still loads this one's engine", async () => {
    expect(process.cwd()).to.equal(CHECKOUT);
    const text = await serializedEngineCall();
    // The same state as written on a laptop whose checkout was elsewhere.
    const elsewhere = text.split(CHECKOUT).join("/home/alice/synapse-export");
    expect(elsewhere).to.not.contain(CHECKOUT);
    expect(requireFromString(elsewhere).handler()()).to.equal(WRITER_VERSION);
  });

  it("outside the program's folder it says where it looked and what to do", async () => {
    const text = (await serializedEngineCall()).split(CHECKOUT).join("/home/alice/synapse-export");
    const cwd = process.cwd();
    process.chdir("/");
    try {
      expect(() => requireFromString(text).handler()()).to.throw(
        /cannot load the module "fingerprint" \(tried .*\/home\/alice\/synapse-export\/dist\/src\/engine\/fingerprint.*\): run Pulumi from the program's folder/,
      );
    } finally {
      process.chdir(cwd);
    }
  });
});
