// The deploying identity's kind, under Pulumi's mocks: read from the client's own token first, Microsoft
// Graph only when the claims do not tell, and a clear error naming the spec field when neither can.

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { deploy, defaultWorld } from "./azureMocks";
import { resolveDeployer } from "../../src/components/principals";
import { errorKind } from "../../src/errors";

const DEPLOYER = "deadbeef-0000-4000-8000-000000000001";

/** The Output's value or its error (Pulumi's OutputImpl keeps both behind promise()). */
function settled<T>(output: pulumi.Output<T>): Promise<{ value?: T; error?: Error }> {
  return (output as unknown as { promise(): Promise<T> })
    .promise()
    .then((value) => ({ value }))
    .catch((error: Error) => ({ error }));
}

describe("resolveDeployer", () => {
  it("fails with the fix (principals.deployer: { objectId, type }) when neither the token nor Microsoft Graph tells", async () => {
    const world = defaultWorld();
    // Claims that do not say: no idtyp, no scp, sub is not oid.
    world.clientTokenClaims = { oid: DEPLOYER, sub: "something-else" };
    world.graphRefuses =
      "Authorization_RequestDenied: Insufficient privileges to complete the operation.";
    const { result } = await deploy(
      () => {
        const parent = new pulumi.ComponentResource("test:index:Parent", "p");
        return resolveDeployer(undefined, parent);
      },
      { preview: true, world },
    );
    const { error, value } = await settled(result.principalType);
    expect(value).to.equal(undefined);
    expect(error?.message).to.contain(
      `principals.deployer: cannot tell whether the deploying identity ${DEPLOYER} is a user or a service principal`,
    );
    // (Pulumi's mock monitor does not carry the invoke's own message; the real one names Graph's answer.)
    expect(error?.message).to.contain("Microsoft Graph could not be asked (");
    expect(error?.message).to.contain(
      `principals.deployer: { objectId: ${DEPLOYER}, type: ServicePrincipal }`,
    );
    expect(error?.message).to.contain("principals.deployer: false");
    // Its kind, and Pulumi prints it under the resource without a stack, as the ResourceError it was.
    expect(errorKind(error)).to.equal("rbac");
    expect(pulumi.ResourceError.isInstance(error)).to.equal(true);
    expect((error as { hideStack?: boolean }).hideStack).to.equal(true);
  });

  it("never asks for the token or Graph when the spec names the deployer", async () => {
    const { result, mocks } = await deploy(
      () => {
        const parent = new pulumi.ComponentResource("test:index:Parent", "p");
        return resolveDeployer({ objectId: DEPLOYER, type: "User" }, parent);
      },
      { preview: false },
    );
    expect((await settled(result.principalType)).value).to.equal("User");
    expect(mocks.invokes).to.deep.equal([]);
  });
});
