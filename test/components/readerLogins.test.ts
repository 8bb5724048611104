// Reader login names under Pulumi: resolved from object ids through @pulumi/azuread, as Microsoft
// Graph answers (a user's UPN, a group's or application's display name), with a display name that
// two principals share refused, as serverless would refuse it (33131).

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type { Spec } from "../../src/spec/types";
import { AzureMocks, settle } from "./azureMocks";

const ANALYSTS = "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60";
const ANALYSTS_TWIN = "5b4c3d2e-0f4b-4c8d-9e7a-2b1c3d4e5f61";
const ADA = "0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f";
/** A B2B guest: Graph gives its invitation UPN, and its email as `mail`. */
const GUEST = "1e0f9a8b-7c6d-4e5f-8a9b-0c1d2e3f4a5b";
const MAILLESS_GUEST = "2f1a0b9c-8d7e-4f6a-9b0c-1d2e3f4a5b6c";
/** A member made by cross-tenant synchronization: userType Member, and an #EXT# UPN all the same. */
const SYNCED_MEMBER = "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d";
const APP = "8c7b6a5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d";
/** The application's client id, which Graph returns beside its object id. */
const APP_CLIENT_ID = "9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/** Microsoft Graph of this test: object id to display name or UPN, by type. */
class GraphMocks extends AzureMocks {
  groups: Record<string, string> = { [ANALYSTS]: "analysts" };
  override call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
    const i = args.inputs;
    const byName = (table: Record<string, string>) =>
      Object.keys(table).filter((id) => (i.displayNames as string[]).includes(table[id]));
    switch (args.token) {
      case "azuread:index/getGroup:getGroup":
        return { objectId: i.objectId, displayName: this.groups[i.objectId] };
      case "azuread:index/getGroups:getGroups":
        return { objectIds: byName(this.groups), displayNames: i.displayNames };
      case "azuread:index/getUser:getUser":
        if (i.objectId === ADA)
          return { objectId: ADA, userPrincipalName: "ada@contoso.com", userType: "Member" };
        if (i.objectId === GUEST)
          return {
            objectId: GUEST,
            userPrincipalName: "grace_fabrikam.com#EXT#@contoso.onmicrosoft.com",
            mail: "grace@fabrikam.com",
            userType: "Guest",
          };
        if (i.objectId === SYNCED_MEMBER)
          return {
            objectId: SYNCED_MEMBER,
            userPrincipalName: "lin_fabrikam.com#EXT#@contoso.onmicrosoft.com",
            mail: "lin@fabrikam.com",
            userType: "Member",
          };
        if (i.objectId === MAILLESS_GUEST)
          return {
            objectId: MAILLESS_GUEST,
            userPrincipalName: "eve_example.com#EXT#@contoso.onmicrosoft.com",
            mail: "",
            userType: "Guest",
          };
        break;
      case "azuread:index/getServicePrincipal:getServicePrincipal":
        if (i.objectId === APP)
          return { objectId: APP, clientId: APP_CLIENT_ID, displayName: "nightly-reports" };
        break;
      case "azuread:index/getServicePrincipals:getServicePrincipals":
        return { objectIds: (i.displayNames as string[]).includes("nightly-reports") ? [APP] : [] };
    }
    return super.call(args);
  }
}

function spec(): Spec {
  return {
    connection: { usableBy: "administrators-and-contributors" },
    principals: {
      customerInsights: {},
      readers: [
        { objectId: ANALYSTS, type: "Group" },
        { objectId: ADA, type: "User" },
      ],
      contributors: [{ objectId: APP, type: "ServicePrincipal", name: "given-name" }],
    },
  } as unknown as Spec;
}

async function resolved(mocks: GraphMocks, s: Spec): Promise<Spec | Error> {
  await pulumi.runtime.setMocks(mocks, "synapse-export", "test", false);
  const { resolveReaderLoginNames } =
    require("../../src/components/readerLogins") as typeof import("../../src/components/readerLogins");
  const parent = new pulumi.ComponentResource("test:index:Parent", "parent", {});
  const out = await new Promise<Spec | Error>((resolve) => {
    try {
      resolveReaderLoginNames(s, parent).apply((v) => resolve(v));
    } catch (e) {
      resolve(e as Error);
    }
  }).catch((e: Error) => e);
  await settle().catch(() => undefined);
  return out;
}

describe("reader login names resolved with azuread", () => {
  after(async () => {
    await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  });

  it("fills a group's display name and a user's UPN, and keeps a name the spec gives", async () => {
    const out = (await resolved(new GraphMocks(), spec())) as Spec;
    expect(out.principals.readers.map((r) => r.name)).to.deep.equal([
      "analysts",
      "ada@contoso.com",
    ]);
    expect(out.principals.contributors.map((r) => r.name)).to.deep.equal(["given-name"]);
    // A service principal's login SID is its client id: looked up even when the spec names it.
    expect(out.principals.contributors.map((r) => r.appId)).to.deep.equal([APP_CLIENT_ID]);
  });

  it("names a guest user's login by its email, which CREATE LOGIN finds, not by its #EXT# UPN", async () => {
    const s = spec();
    s.principals.readers = [{ objectId: GUEST, type: "User" }];
    const out = (await resolved(new GraphMocks(), s)) as Spec;
    expect(out.principals.readers.map((r) => r.name)).to.deep.equal(["grace@fabrikam.com"]);
  });

  it("names an external member's login by its email too: its UPN has #EXT# whatever its userType", async () => {
    const s = spec();
    s.principals.readers = [{ objectId: SYNCED_MEMBER, type: "User" }];
    const out = (await resolved(new GraphMocks(), s)) as Spec;
    expect(out.principals.readers.map((r) => r.name)).to.deep.equal(["lin@fabrikam.com"]);
  });

  it("asks for the name of a guest user Graph knows no email of", async () => {
    const s = spec();
    s.principals.readers = [{ objectId: MAILLESS_GUEST, type: "User" }];
    const out = await new Promise<unknown>((resolve) => {
      process.once("unhandledRejection", resolve);
      resolved(new GraphMocks(), s).then(resolve, resolve);
    });
    expect(String(out)).to.contain(
      `principal ${MAILLESS_GUEST} is an external user (a guest, or #EXT# in its user principal name) with no email in Microsoft Graph, and its SQL login is named by its email: give its name`,
    );
  });

  it("refuses a display name two groups share, naming both", async () => {
    const mocks = new GraphMocks();
    mocks.groups[ANALYSTS_TWIN] = "analysts";
    const out = await new Promise<unknown>((resolve) => {
      process.once("unhandledRejection", resolve);
      resolved(mocks, spec()).then(resolve, resolve);
    });
    expect(String(out)).to.contain(
      `principals.readers[0].name: 'analysts' is the Entra name of 2 principals (${[ANALYSTS_TWIN, ANALYSTS].sort().join(", ")})`,
    );
  });
});
