// The validated-spec hand-off between CustomerInsightsSynapseExport and its ExportConnection is not
// part of the public API: a program holding it could mark any object as already validated and build a
// connection with no checks at all, consent included (the review's finding on `export *`).

import { expect } from "chai";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "../../..");

describe("the validated-spec hand-off is module-private", () => {
  for (const [what, modulePath] of [
    ["the package's entry point", REPO_ROOT],
    ["synapse-export/components", path.join(REPO_ROOT, "dist/src/components")],
    ["the ExportConnection module", path.join(REPO_ROOT, "dist/src/components/exportConnection")],
  ]) {
    it(`${what} exports no way to hand over a spec unchecked`, () => {
      const exported = Object.keys(require(modulePath));
      expect(exported).to.not.include("handToConnection");
      expect(exported).to.not.include("takeHandedSpec");
      expect(exported).to.include.members(
        modulePath === REPO_ROOT || modulePath.endsWith("components")
          ? ["ExportConnection", "CustomerInsightsSynapseExport"]
          : ["ExportConnection"],
      );
    });
  }
});
