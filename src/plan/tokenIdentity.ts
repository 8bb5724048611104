// Who a Microsoft Entra access token was issued to, read from its claims, with no network: the
// deployer's object id and kind (user or service principal) without asking Microsoft Graph, which a
// pipeline's service principal is often not allowed to read.
//
// Claims, from Microsoft's access token claims reference
// (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference):
// - `oid`: the object id of the user or service principal the token was issued for.
// - `idtyp`: "app" for an app-only token, "user" for a token on behalf of a user. An optional claim,
//   so often absent: when absent, the other claims decide.
// - `scp`: the delegated scopes; present only when an app acts on behalf of a signed-in user (the Azure
//   CLI, a browser sign-in), so its presence means a user token. App-only tokens carry `roles` instead.
// - `sub` equals `oid` in app-only tokens, where no user is involved; in a user's token `sub` is a
//   pairwise identifier of the user for the app, not the object id.
// - `appid` (v1) / `azp` (v2) is the *application (client) id* of the caller, which is not the service
//   principal's object id: comparing it with `oid` tells nothing, so it is not used.
// The reference also says a client should treat tokens for Microsoft APIs as opaque: so nothing here is
// a validation, only a reading of our own token for our own plan, and anything undecided falls back to
// Microsoft Graph, then to the spec (`principals.deployer: { objectId, type }`).

import type { PrincipalType } from "../spec/types";
import type { Grant } from "./grants";

export interface TokenClaims {
  oid?: unknown;
  idtyp?: unknown;
  scp?: unknown;
  roles?: unknown;
  sub?: unknown;
  tid?: unknown;
}

/** The payload of a JWT (header.payload.signature, base64url), or undefined when it is not one. */
export function decodeTokenClaims(token: string): TokenClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as unknown;
    return typeof claims === "object" && claims !== null && !Array.isArray(claims)
      ? (claims as TokenClaims)
      : undefined;
  } catch {
    return undefined;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TokenIdentity {
  /** The `oid` claim, lower-cased; undefined when the token has none (or not a GUID). */
  objectId?: string;
  /** Undefined when the claims do not tell: ask Microsoft Graph, or the spec. */
  type?: Extract<PrincipalType, "User" | "ServicePrincipal">;
  /** Which claim decided, for messages. */
  because: string;
}

export function tokenIdentity(claims: TokenClaims | undefined): TokenIdentity {
  if (!claims) return { because: "the access token is not a JWT whose claims can be read" };
  const objectId =
    typeof claims.oid === "string" && GUID.test(claims.oid) ? claims.oid.toLowerCase() : undefined;
  const known = (type: "User" | "ServicePrincipal", because: string): TokenIdentity => ({
    ...(objectId ? { objectId } : {}),
    type,
    because,
  });
  if (claims.idtyp === "app") return known("ServicePrincipal", 'its idtyp claim is "app"');
  if (claims.idtyp === "user") return known("User", 'its idtyp claim is "user"');
  if (typeof claims.scp === "string" && claims.scp.trim() !== "")
    return known("User", "it carries delegated scopes (scp), which only a user's token has");
  if (objectId && typeof claims.sub === "string" && claims.sub.toLowerCase() === objectId)
    return known(
      "ServicePrincipal",
      "it has no delegated scopes and its sub is its oid (app-only)",
    );
  return {
    ...(objectId ? { objectId } : {}),
    because: objectId
      ? "its claims (no idtyp, no scp, sub not oid) do not say whether it is a user or an app"
      : "it has no oid claim",
  };
}

/** What to do when neither the token nor Microsoft Graph tells the deployer's kind. */
export function deployerTypeUnknownMessage(
  objectId: string | undefined,
  because: string,
  graphSaid: string,
): string {
  const id = objectId ?? "<object id>";
  return (
    `principals.deployer: cannot tell whether the deploying identity ${objectId ?? ""}`.trimEnd() +
    ` is a user or a service principal: its access token does not say (${because}), and Microsoft Graph ` +
    `could not be asked (${graphSaid}). Name it in the spec: principals.deployer: { objectId: ${id}, type: ServicePrincipal } ` +
    `(or type: User), or set principals.deployer: false and grant it Storage Blob Data Contributor yourself.`
  );
}

/**
 * The plan's grants with the deployer's filled in from the signed-in identity, where the spec leaves it
 * to deploy time (principalId null): `synapse-export permissions plan --signed-in` and `run` then show
 * whom the deployer's grant is for. A spec that names the deployer, or turns it off, is left as it is.
 */
export function withSignedInDeployer(grants: readonly Grant[], who: TokenIdentity): Grant[] {
  if (!who.objectId) return [...grants];
  return grants.map((g) =>
    g.principal === "deployer" && g.principalId === null
      ? {
          ...g,
          principalId: who.objectId!,
          principalType: who.type ?? null,
          principalName: `${who.objectId} (signed in${who.type ? `, ${who.type}` : ", kind unknown"})`,
        }
      : g,
  );
}
