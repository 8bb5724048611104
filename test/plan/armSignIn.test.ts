// Which sign-in the engine takes from Pulumi's ARM_* variables, so that it is the identity
// azure-native and azuread sign in as (Pulumi ESC azure-login: ARM_CLIENT_ID, ARM_TENANT_ID,
// ARM_CLIENT_SECRET, ARM_USE_OIDC with ARM_OIDC_TOKEN; azure-native's useMsi).

import { expect } from "chai";
import { armSignIn, describeArmSignIn } from "../../src/plan/armSignIn";
import { credentialFromEnvironment } from "../../src/engine/azureCredential";

const APP = "11111111-2222-4333-8444-555555555555";
const TENANT = "66666666-7777-4888-9999-000000000000";

describe("the engine's sign-in from ARM_* variables", () => {
  it("maps a client secret, a federated token and a managed identity, and nothing else", () => {
    expect(
      armSignIn({ ARM_CLIENT_ID: APP, ARM_TENANT_ID: TENANT, ARM_CLIENT_SECRET: "s3cret" }),
    ).to.deep.equal({ kind: "secret", tenantId: TENANT, clientId: APP, clientSecret: "s3cret" });
    expect(
      armSignIn({
        ARM_CLIENT_ID: APP,
        ARM_TENANT_ID: TENANT,
        ARM_USE_OIDC: "true",
        ARM_OIDC_TOKEN: "eyJ.x.y",
        ARM_CLIENT_SECRET: "ignored when OIDC is asked for",
      }),
    ).to.deep.equal({ kind: "federated", tenantId: TENANT, clientId: APP, token: "eyJ.x.y" });
    expect(armSignIn({ ARM_USE_MSI: "true", ARM_CLIENT_ID: APP })).to.deep.equal({
      kind: "managedIdentity",
      clientId: APP,
    });
    expect(armSignIn({ ARM_USE_MSI: "1" })).to.deep.equal({ kind: "managedIdentity" });
    for (const env of [
      {},
      { AZURE_CLIENT_ID: APP, AZURE_TENANT_ID: TENANT, AZURE_CLIENT_SECRET: "s" },
      { ARM_CLIENT_ID: APP, ARM_CLIENT_SECRET: "no tenant" },
      { ARM_CLIENT_ID: APP, ARM_TENANT_ID: TENANT },
      // An OIDC request URL (a pipeline's token service) is not mapped: DefaultAzureCredential then.
      { ARM_CLIENT_ID: APP, ARM_TENANT_ID: TENANT, ARM_USE_OIDC: "true" },
      { ARM_CLIENT_ID: APP, ARM_TENANT_ID: TENANT, ARM_USE_MSI: "false", ARM_CLIENT_SECRET: "" },
    ]) {
      expect(armSignIn(env), JSON.stringify(env)).to.equal(undefined);
    }
  });

  it("names the sign-in without its secret or token", () => {
    const secret = armSignIn({
      ARM_CLIENT_ID: APP,
      ARM_TENANT_ID: TENANT,
      ARM_CLIENT_SECRET: "s3cret",
    })!;
    expect(describeArmSignIn(secret)).to.equal(
      `the service principal ${APP} of ARM_CLIENT_ID with ARM_CLIENT_SECRET`,
    );
    const oidc = armSignIn({
      ARM_CLIENT_ID: APP,
      ARM_TENANT_ID: TENANT,
      ARM_USE_OIDC: "true",
      ARM_OIDC_TOKEN: "eyJ.x.y",
    })!;
    expect(describeArmSignIn(oidc)).to.not.contain("eyJ");
  });

  it("builds the matching @azure/identity credential, and DefaultAzureCredential without ARM_*", () => {
    const name = (env: Record<string, string>) => credentialFromEnvironment(env).constructor.name;
    expect(name({ ARM_CLIENT_ID: APP, ARM_TENANT_ID: TENANT, ARM_CLIENT_SECRET: "s" })).to.equal(
      "ClientSecretCredential",
    );
    expect(
      name({
        ARM_CLIENT_ID: APP,
        ARM_TENANT_ID: TENANT,
        ARM_USE_OIDC: "true",
        ARM_OIDC_TOKEN: "t",
      }),
    ).to.equal("ClientAssertionCredential");
    expect(name({ ARM_USE_MSI: "true" })).to.equal("ManagedIdentityCredential");
    expect(name({})).to.equal("DefaultAzureCredential");
  });
});
