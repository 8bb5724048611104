// Entra ID access tokens for loopback test servers: JWT-shaped (header.payload.signature, base64url),
// unsigned, with the claims the real services check, so a server can refuse a token issued for
// another resource as the real one does. Real services validate `aud` against their own resource id
// (storage: https://storage.azure.com, Synapse data plane: https://dev.azuresynapse.net; see
// learn.microsoft.com/rest/api/storageservices/authorize-with-azure-active-directory and the Synapse
// SDKs' default scope https://dev.azuresynapse.net/.default).

import type { AccessToken, TokenCredential } from "@azure/core-auth";
// One shape of fake Entra token for every test server (the TDS server reads the same claims).
import { entraToken, readEntraToken } from "./tds/entraToken";

/** A token for `audience`, valid until `expiresOn` (ms since the epoch). */
export function testToken(audience: string, expiresOn: number, oid = TEST_OBJECT_ID): string {
  return entraToken({ aud: audience, exp: Math.floor(expiresOn / 1000), oid });
}

/** The object id the test credential's tokens carry (the deploying identity). */
export const TEST_OBJECT_ID = "d0d0d0d0-0000-4000-8000-00000000d0d0";

/** The claims of a bearer token, or undefined when it is not JWT-shaped. */
export function claimsOf(authorization: string | undefined): Record<string, unknown> | undefined {
  const token = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
  return token === undefined ? undefined : readEntraToken(token);
}

/** A credential that issues a token for whatever resource it is asked (scope minus `/.default`). */
export function testCredential(
  options: { now?: () => number; asked?: string[]; oid?: string } = {},
): TokenCredential {
  return {
    getToken: async (scopes): Promise<AccessToken> => {
      const list = Array.isArray(scopes) ? scopes : [scopes];
      options.asked?.push(...list);
      const expiresOnTimestamp = (options.now ?? Date.now)() + 3600e3;
      const audience = list[0].replace(/\/\.default$/, "");
      return { token: testToken(audience, expiresOnTimestamp, options.oid), expiresOnTimestamp };
    },
  };
}
