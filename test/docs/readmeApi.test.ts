// README's inputs and outputs per component are generated from the declarations: a new argument or
// output, a changed type or doc comment must be written into README with `npm run readme`.

import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { readApi, renderReadme } from "../../scripts/lib/componentApi";

const REPO = path.resolve(__dirname, "../../..");

describe("README's component inputs and outputs", () => {
  it("equal what the components declare (run npm run readme after changing one)", async () => {
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    expect(await renderReadme(REPO, readme)).to.equal(readme);
  });

  it("reads inputs from the Args interface and outputs from public readonly properties", () => {
    const api = readApi(
      "x.ts",
      `/** Does x. */
export class X extends pulumi.ComponentResource {
  /** The id. */
  readonly id: pulumi.Output<string>;
  /** @deprecated Use id. */
  readonly oldId: pulumi.Output<string>;
  private readonly secret: string;
  readonly spec: Spec;
  constructor(name: string, args: XArgs, opts?: pulumi.ComponentResourceOptions) {}
}
export interface XArgs {
  /** Where. */
  location: pulumi.Input<string>;
  sku?: "a" | "b";
}
class Hidden { constructor(name: string, args: XArgs) {} }`,
    );
    expect(api).to.deep.equal([
      {
        name: "X",
        doc: "Does x.",
        argsType: "XArgs",
        inputs: [
          {
            name: "location",
            type: "pulumi.Input<string>",
            optional: false,
            doc: "Where.",
            deprecated: false,
          },
          { name: "sku", type: '"a" | "b"', optional: true, doc: "", deprecated: false },
        ],
        outputs: [
          {
            name: "id",
            type: "pulumi.Output<string>",
            optional: false,
            doc: "The id.",
            deprecated: false,
          },
          {
            name: "oldId",
            type: "pulumi.Output<string>",
            optional: false,
            doc: "Deprecated. Use id.",
            deprecated: true,
          },
          { name: "spec", type: "Spec", optional: false, doc: "", deprecated: false },
        ],
      },
    ]);
  });
});
