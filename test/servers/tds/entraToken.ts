// Fake Microsoft Entra access tokens for the loopback test servers: a JWT's shape (header.payload.
// signature, base64url) with the claims a resource server reads, unsigned. Entra ID itself is outside
// this machine; what the servers check is what the real services check in the claims
// (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference): `aud` the
// resource the token is for, `exp` its expiry in seconds since the epoch, `oid` the principal's object
// id, `upn` a user's name, `groups` the object ids of the groups it is a member of, `appid` the client
// id of the application the token was issued to (for an application's own token, its identity).

export interface EntraClaims {
  aud: string;
  oid: string;
  /** Seconds since the epoch. */
  exp: number;
  upn?: string;
  groups?: string[];
  appid?: string;
}

/** The audience of a token for Azure SQL and Synapse SQL (scope https://database.windows.net/.default). */
export const SQL_AUDIENCE = "https://database.windows.net/";
/** The audience of a token for Azure Storage (scope https://storage.azure.com/.default). */
export const STORAGE_AUDIENCE = "https://storage.azure.com";

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function entraToken(claims: EntraClaims): string {
  return `${b64url({ typ: "JWT", alg: "none" })}.${b64url(claims)}.`;
}

/** The claims of a token, or undefined when it is not a JWT of that shape. */
export function readEntraToken(token: string): Partial<EntraClaims> | undefined {
  const [, payload] = token.split(".");
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
    return typeof claims === "object" && claims !== null
      ? (claims as Partial<EntraClaims>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The audience a token for these scopes carries: the scope without `/.default`. */
export function audienceOf(scopes: string | string[]): string {
  const scope = ([] as string[]).concat(scopes)[0] ?? "";
  const resource = scope.replace(/\/?\.default$/, "");
  return resource === "https://database.windows.net" ? SQL_AUDIENCE : resource;
}
