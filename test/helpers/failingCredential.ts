// Preloaded into a `synapse-export` child process (node -r): replaces the process credential with
// one that fails as @azure/identity's own classes do, and refuses any connection that is not to
// loopback, so a test of sign-in errors can never reach the managed-identity endpoint
// (169.254.169.254) or Azure.
//   FAILING_CREDENTIAL=unavailable  what DefaultAzureCredential throws on a machine with no sign-in:
//                                   ChainedTokenCredential's AggregateAuthenticationError of one
//                                   CredentialUnavailableError per credential it tried
//                                   (@azure/identity 4.x, credentials/chainedTokenCredential.ts).
//   FAILING_CREDENTIAL=entra400     Entra ID's 400 invalid_client for a wrong client secret
//                                   (AADSTS7000215, https://learn.microsoft.com/entra/identity-platform/reference-error-codes).

import * as net from "node:net";
import {
  AggregateAuthenticationError,
  AuthenticationError,
  CredentialUnavailableError,
} from "@azure/identity";
import { setAzureCredential } from "../../src/engine/azureCredential";

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const first = args[0] as { host?: string; path?: string } | number | string;
  const host =
    typeof first === "object" && first !== null
      ? (first.host ?? (first.path ? "unix" : "localhost"))
      : typeof args[1] === "string"
        ? args[1]
        : typeof first === "string"
          ? "unix"
          : "localhost";
  if (!["127.0.0.1", "::1", "localhost", "unix"].includes(host)) {
    process.stderr.write(`BLOCKED connection to ${host}\n`);
    throw new Error(`test guard: no connection to ${host} leaves this machine`);
  }
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

let attempts = 0;
setAzureCredential({
  async getToken(scopes) {
    attempts++;
    // SIGNED_IN_CLAIMS=<json>: a signed-in identity instead, whose ARM token carries these claims (an
    // unsigned token of a real one's shape); any other resource's token still fails as below.
    const claims = process.env.SIGNED_IN_CLAIMS;
    if (claims && [scopes].flat()[0] === "https://management.azure.com/.default") {
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
      return {
        token: `${b64({ typ: "JWT", alg: "none" })}.${b64(JSON.parse(claims))}.`,
        expiresOnTimestamp: Date.now() + 3600_000,
      };
    }
    if (process.env.FAILING_CREDENTIAL === "entra400") {
      throw new AuthenticationError(400, {
        error: "invalid_client",
        error_description:
          "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
      });
    }
    throw new AggregateAuthenticationError(
      [
        new CredentialUnavailableError(
          "EnvironmentCredential is unavailable. No underlying credential could be used.",
        ),
        new CredentialUnavailableError(
          "WorkloadIdentityCredential: is unavailable. tenantId, clientId, and federatedTokenFilePath are required parameters.",
        ),
        new CredentialUnavailableError(
          "ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available.",
        ),
        new CredentialUnavailableError(
          "AzureCliCredential: Azure CLI could not be found. Please visit https://aka.ms/azure-cli for installation instructions and then, once installed, authenticate to your Azure account using 'az login'.",
        ),
      ],
      "ChainedTokenCredential authentication failed.",
    );
  },
});
process.on("exit", () => process.stderr.write(`credential attempts: ${attempts}\n`));
