// A deploy whose engine signs in as another identity than the one azure-native signs in as (the one
// the deployer's grants are for) stops before it writes anything, naming both and what to set.

import { expect } from "chai";
import { setAzureCredential } from "../../src/engine/azureCredential";
import { applyExportDatabase, refuseAnotherSignIn } from "../../src/engine/exportOperations";
import { exportDatabaseSpec } from "../../src/plan/exportResources";
import { errorKind } from "../../src/errors";
import { validateSpec } from "../../src/spec";
import { testCredential } from "../servers/testTokens";
import { validRawSpec } from "../helpers/specs";

const DEPLOYER = "deadbeef-0000-4000-8000-000000000001";
const SOMEONE_ELSE = "0a0b0c0d-0000-4000-8000-00000000000e";
// Nothing listens here: a refusal must come before any request.
const NOWHERE = {
  kind: "azure" as const,
  lakeAccountUrl: "https://127.0.0.1:9",
  sqlServer: "127.0.0.1",
  sqlPort: 9,
};

describe("the engine signs in as the deploying identity, or the deploy stops", () => {
  afterEach(() => setAzureCredential(undefined));

  it("refuses, naming both identities and the variables, when the engine's token is another's", async () => {
    setAzureCredential(testCredential({ oid: SOMEONE_ELSE }));
    const spec = exportDatabaseSpec(validateSpec(validRawSpec(), "/base").spec!);
    const error = await applyExportDatabase({ spec, target: NOWHERE, signsInAs: DEPLOYER }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(errorKind(error)).to.equal("auth");
    expect(error?.message).to.match(
      new RegExp(
        `^synapse-export signs in as ${SOMEONE_ELSE} \\(DefaultAzureCredential .*\\), but the stack's grants are for the deploying identity ${DEPLOYER} `,
      ),
    );
    expect(error?.message)
      .to.contain("set ARM_CLIENT_ID and ARM_TENANT_ID with ARM_CLIENT_SECRET")
      .and.contain("Nothing was written.");
  });

  it("lets the same identity through, whatever the case of its object id, and checks nothing locally", async () => {
    setAzureCredential(testCredential({ oid: DEPLOYER }));
    await refuseAnotherSignIn(DEPLOYER.toUpperCase(), NOWHERE);
    setAzureCredential(testCredential({ oid: SOMEONE_ELSE }));
    await refuseAnotherSignIn(DEPLOYER, { kind: "local", dir: "/tmp/nowhere" });
    await refuseAnotherSignIn(undefined, NOWHERE);
  });
});
