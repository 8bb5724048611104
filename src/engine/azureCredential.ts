// The one place the engine gets an Entra ID credential: the `ARM_*` sign-in Pulumi's Azure providers
// read when the environment sets one (plan/armSignIn.ts), else DefaultAzureCredential (environment,
// workload identity, managed identity, Azure CLI ...): no account keys, no SAS tokens.
// Tests replace it for the whole process, since the token service is outside this machine.
// Either way a sign-in failure becomes an AzureSignInError that says which sign-ins were tried and
// what to do, before the lake or SQL client wraps it in advice about paths or networks.

import { errorKind, ExportError, type ErrorKind } from "../errors";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { armSignIn, describeArmSignIn } from "../plan/armSignIn";
import { decodeTokenClaims, tokenIdentity, type TokenIdentity } from "../plan/tokenIdentity";

let override: TokenCredential | undefined;
let shared: TokenCredential | undefined;

/** One credential per process: it caches its tokens, so the lake, SQL and RBAC clients share them. */
export function getAzureCredential(): TokenCredential {
  if (override) return override;
  shared ??= explainingFailures(credentialFromEnvironment(process.env));
  return shared;
}

/**
 * Pulumi's Azure providers' `ARM_*` sign-in when the environment sets one (plan/armSignIn.ts), so the
 * engine is the identity the stack's grants were made for; else DefaultAzureCredential.
 */
export function credentialFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): TokenCredential {
  const identity = require("@azure/identity") as typeof import("@azure/identity");
  const arm = armSignIn(env);
  switch (arm?.kind) {
    case "secret":
      return new identity.ClientSecretCredential(arm.tenantId, arm.clientId, arm.clientSecret);
    case "federated":
      return new identity.ClientAssertionCredential(
        arm.tenantId,
        arm.clientId,
        async () => arm.token,
      );
    case "managedIdentity":
      return arm.clientId
        ? new identity.ManagedIdentityCredential({ clientId: arm.clientId })
        : new identity.ManagedIdentityCredential();
    case undefined:
      return new identity.DefaultAzureCredential();
  }
}

/** For tests and embedding programs: use this credential instead of DefaultAzureCredential. */
export function setAzureCredential(credential: TokenCredential | undefined): void {
  override = credential && explainingFailures(credential);
}

/** A sign-in that failed: no usable credential on this machine, or Entra ID refused the one there. */
export class AzureSignInError extends ExportError {
  constructor(
    message: string,
    /** The sign-ins DefaultAzureCredential tried, by credential name. */
    readonly tried: readonly string[],
    /** What @azure/identity threw (kept off `cause`, which the clients read as a network failure). */
    readonly original: unknown,
  ) {
    super("auth", message);
    this.name = "AzureSignInError";
  }
}

// The error names @azure/identity gives its failures (errors.ts of the package, 4.x): none of them is
// a storage or SQL answer, so none should be explained as one.
const UNAVAILABLE = new Set(["CredentialUnavailableError", "AggregateAuthenticationError"]);

export function explainingFailures(credential: TokenCredential): TokenCredential {
  return {
    async getToken(
      scopes: string | string[],
      options?: GetTokenOptions,
    ): Promise<AccessToken | null> {
      try {
        return await credential.getToken(scopes, options);
      } catch (error) {
        throw signInError(error) ?? error;
      }
    },
  };
}

const WHAT_TO_DO =
  "sign in with `az login`; or, for a service principal, set AZURE_CLIENT_ID and AZURE_TENANT_ID with " +
  "AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE for a federated credential); or run on a machine " +
  "with a managed identity";

/**
 * The kind of a failure as the user should read it: "auth" when a sign-in failure is anywhere in its
 * cause chain (the lake's and SQL's clients wrap it in their own errors), else the error's own kind.
 */
export function failureKind(error: unknown): ErrorKind {
  for (let e: unknown = error, depth = 0; e && depth < 8; depth++) {
    if (signInError(e)) return "auth";
    e = (e as { cause?: unknown }).cause;
  }
  return errorKind(error);
}

/** The AzureSignInError for what @azure/identity threw, or undefined when it is something else. */
export function signInError(error: unknown): AzureSignInError | undefined {
  if (error instanceof AzureSignInError) return error;
  const e = error as { name?: string; message?: string; errors?: unknown[]; statusCode?: number };
  const name = e?.name ?? "";
  if (UNAVAILABLE.has(name) || name === "AuthenticationRequiredError") {
    const tried = triedCredentials(e);
    // With Pulumi's ARM_* variables set, those are what failed: say so, and what Entra ID answered.
    const arm = armSignIn(process.env);
    const message = arm
      ? `Could not sign in to Azure with ${describeArmSignIn(arm)}: ${(e.message ?? "").split("\n")[0] || "no token"}. ` +
        "Check that Entra ID (login.microsoftonline.com) is reachable from here, and the ARM_* values"
      : `Not signed in to Azure${tried.length ? ` (tried ${tried.join(", ")}: none could sign in)` : ""}: ${WHAT_TO_DO}`;
    return new AzureSignInError(`${message}.`, tried, error);
  }
  if (name === "AuthenticationError") {
    // Entra ID answered, and refused: the credential is there but wrong (secret, tenant, app id).
    const response = (e as { errorResponse?: { error?: string; errorDescription?: string } })
      .errorResponse;
    const detail = [response?.error, response?.errorDescription?.split("\n")[0]]
      .filter(Boolean)
      .join(": ");
    const variables = armSignIn(process.env)
      ? "check ARM_CLIENT_ID, ARM_TENANT_ID and ARM_CLIENT_SECRET or ARM_OIDC_TOKEN (synapse-export signs in with Pulumi's ARM_* variables when they are set)"
      : "check AZURE_CLIENT_ID, AZURE_TENANT_ID and the secret or federated token, or sign in again with `az login`";
    return new AzureSignInError(
      `Entra ID refused the sign-in (${e.statusCode ?? "no status"}${detail ? ` ${detail}` : ""}): ${variables}.`,
      [],
      error,
    );
  }
  return undefined;
}

/** The credential names in an identity error: its inner errors' messages start with them. */
function triedCredentials(e: { message?: string; errors?: unknown[] }): string[] {
  const texts = [
    ...(Array.isArray(e.errors) ? e.errors.map((x) => (x as Error)?.message ?? "") : []),
    e.message ?? "",
  ];
  const names = new Set<string>();
  for (const t of texts) {
    for (const m of t.matchAll(/\b([A-Z]\w*Credential)\b/g)) {
      if (m[1] !== "ChainedTokenCredential" && m[1] !== "DefaultAzureCredential") names.add(m[1]);
    }
  }
  return [...names];
}

/** ARM's token audience: the one every signed-in identity can get, whatever it may do with it. */
const ARM_TOKEN_SCOPE = "https://management.azure.com/.default";

/**
 * Who is signed in, from the claims of its own ARM access token (plan/tokenIdentity.ts): its object id
 * (`oid`) and, when the claims say, whether it is a user or a service principal. Decoded here, with no
 * call to Microsoft Graph; the token itself is never kept or printed.
 */
export async function signedInIdentity(
  credential: TokenCredential = getAzureCredential(),
): Promise<TokenIdentity> {
  const token = await credential.getToken(ARM_TOKEN_SCOPE);
  if (!token) {
    throw new AzureSignInError(
      `No Entra ID token for ${ARM_TOKEN_SCOPE}: ${WHAT_TO_DO}.`,
      [],
      undefined,
    );
  }
  return tokenIdentity(decodeTokenClaims(token.token));
}
