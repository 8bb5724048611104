// The sign-in Pulumi's Azure providers are configured with through the environment, so that the
// engine (the dynamic providers, `synapse-export run`) signs in as the same identity. azure-native,
// azuread and the ESC azure-login provider read `ARM_*` variables ("Consumed by the Pulumi Azure
// providers (azure-native, azure, azuread) and the Azure SDKs through the standard ARM_* environment
// variables": ARM_CLIENT_ID, ARM_TENANT_ID, ARM_CLIENT_SECRET, ARM_USE_OIDC with ARM_OIDC_TOKEN,
// https://www.pulumi.com/docs/esc/providers/login/azure-login/), while DefaultAzureCredential reads
// `AZURE_*` and then the Azure CLI: a pipeline set up as Pulumi documents it left the engine with no
// sign-in, or with another identity's (`az login`) than the one its grants were made for.
//
// Only the forms the engine can reproduce exactly are mapped; anything else (a client certificate, an
// OIDC request URL instead of the token) is left to DefaultAzureCredential, and the deploy's identity check
// (exportOperations.ts) stops a mismatch before the engine writes anything.

export type ArmSignIn =
  | { kind: "secret"; tenantId: string; clientId: string; clientSecret: string }
  | { kind: "federated"; tenantId: string; clientId: string; token: string }
  | { kind: "managedIdentity"; clientId?: string };

const TRUE = /^(true|1)$/i;

export function armSignIn(
  env: Readonly<Record<string, string | undefined>>,
): ArmSignIn | undefined {
  const clientId = env.ARM_CLIENT_ID || undefined;
  const tenantId = env.ARM_TENANT_ID || undefined;
  if (TRUE.test(env.ARM_USE_MSI ?? ""))
    return clientId ? { kind: "managedIdentity", clientId } : { kind: "managedIdentity" };
  if (!clientId || !tenantId) return undefined;
  if (TRUE.test(env.ARM_USE_OIDC ?? "")) {
    const token = env.ARM_OIDC_TOKEN || undefined;
    return token ? { kind: "federated", tenantId, clientId, token } : undefined;
  }
  if (env.ARM_CLIENT_SECRET) {
    return { kind: "secret", tenantId, clientId, clientSecret: env.ARM_CLIENT_SECRET };
  }
  return undefined;
}

/** What a message may say of the sign-in: never the secret or the token. */
export function describeArmSignIn(s: ArmSignIn): string {
  switch (s.kind) {
    case "secret":
      return `the service principal ${s.clientId} of ARM_CLIENT_ID with ARM_CLIENT_SECRET`;
    case "federated":
      return `the service principal ${s.clientId} of ARM_CLIENT_ID with ARM_USE_OIDC`;
    case "managedIdentity":
      return s.clientId
        ? `the managed identity ${s.clientId} of ARM_USE_MSI and ARM_CLIENT_ID`
        : "the managed identity of ARM_USE_MSI";
  }
}
