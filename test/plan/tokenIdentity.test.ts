// Reading the deployer from its own access token: claims as Microsoft's access token claims reference
// describes them, tokens built here by hand (base64url JSON), never by the code under test.

import { expect } from "chai";
import { decodeTokenClaims, tokenIdentity } from "../../src/plan/tokenIdentity";

const OID = "0A1B2C3D-0000-4000-8000-00000000000A";
const jwt = (claims: unknown) =>
  [{ typ: "JWT", alg: "RS256" }, claims]
    .map((part) => Buffer.from(JSON.stringify(part)).toString("base64url"))
    .join(".") + ".c2lnbmF0dXJl";

describe("tokenIdentity", () => {
  it("reads the object id (lower-cased) and the kind the claims state", () => {
    expect(tokenIdentity(decodeTokenClaims(jwt({ oid: OID, idtyp: "app" })))).to.include({
      objectId: OID.toLowerCase(),
      type: "ServicePrincipal",
    });
    expect(tokenIdentity(decodeTokenClaims(jwt({ oid: OID, idtyp: "user" }))).type).to.equal(
      "User",
    );
  });

  it("takes delegated scopes (scp) as a user, and an app-only token (sub is oid, no scp) as a service principal", () => {
    expect(
      tokenIdentity(decodeTokenClaims(jwt({ oid: OID, scp: "user_impersonation", sub: "p" }))).type,
    ).to.equal("User");
    expect(
      tokenIdentity(decodeTokenClaims(jwt({ oid: OID, sub: OID.toLowerCase(), roles: [] }))).type,
    ).to.equal("ServicePrincipal");
  });

  it("leaves the kind undecided when the claims do not tell, and says why", () => {
    const undecided = tokenIdentity(decodeTokenClaims(jwt({ oid: OID, sub: "x", appid: OID })));
    expect(undecided.type).to.equal(undefined);
    expect(undecided.objectId).to.equal(OID.toLowerCase());
    expect(undecided.because).to.contain("do not say");
    expect(tokenIdentity(decodeTokenClaims("not-a-jwt"))).to.deep.equal({
      because: "the access token is not a JWT whose claims can be read",
    });
    expect(
      tokenIdentity(decodeTokenClaims(jwt({ idtyp: "app", oid: "not-a-guid" }))),
    ).to.deep.equal({
      type: "ServicePrincipal",
      because: 'its idtyp claim is "app"',
    });
  });
});
