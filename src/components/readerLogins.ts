// Reader login names under Pulumi: serverless SQL creates a reader's login by its Entra name, not its
// object id (src/plan/sqlAccess.ts says why), so each reader and contributor the spec names by object
// id only is looked up in Microsoft Graph through @pulumi/azuread: a user's UPN, a group's or
// application's display name. Display names are checked for uniqueness in the tenant, since
// serverless would refuse a duplicate (33131). A service principal's client id is looked up too: it is
// the SID of its login, which the plan checks. The merge and the refusal are pure (withLoginNames).

import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { withLoginNames, type ResolvedLoginName } from "../plan/sqlAccess";
import type { ReaderPrincipal, Spec } from "../spec/types";
import { resourceError } from "./componentErrors";

function lookUp(p: ReaderPrincipal, parent: pulumi.Resource): pulumi.Output<ResolvedLoginName> {
  const opts = { parent };
  if (p.type === "User") {
    // A UPN is unique in the tenant: no second look-up. An external user's UPN is its invitation's
    // (`ada_fabrikam.com#EXT#@contoso.onmicrosoft.com`: a B2B guest, or a member made by cross-tenant
    // synchronization), which CREATE LOGIN does not find: such a user is named by its email ("CREATE USER [user1@gmail.com] FROM EXTERNAL PROVIDER", Learn's "Create
    // Microsoft Entra guest users"), Graph's `mail`.
    return azuread.getUserOutput({ objectId: p.objectId }, opts).apply((u) => ({
      objectId: p.objectId,
      name:
        u.userType === "Guest" || u.userPrincipalName.includes("#EXT#")
          ? guestLoginName(p, u.mail, parent)
          : u.userPrincipalName,
      sameName: [p.objectId],
    }));
  }
  const app =
    p.type === "Group"
      ? undefined
      : azuread.getServicePrincipalOutput({ objectId: p.objectId }, opts);
  const name = app
    ? app.displayName
    : azuread.getGroupOutput({ objectId: p.objectId }, opts).displayName;
  const appId = app ? app.clientId : pulumi.output(undefined);
  const sameName =
    p.type === "Group"
      ? azuread.getGroupsOutput({ displayNames: [name], ignoreMissing: true }, opts).objectIds
      : azuread.getServicePrincipalsOutput({ displayNames: [name], ignoreMissing: true }, opts)
          .objectIds;
  return pulumi.all([name, sameName, appId]).apply(([n, ids, clientId]) => ({
    objectId: p.objectId,
    name: n,
    sameName: ids,
    ...(clientId ? { appId: clientId } : {}),
  }));
}

function guestLoginName(
  p: ReaderPrincipal,
  mail: string | undefined,
  parent: pulumi.Resource,
): string {
  if (mail) return mail;
  throw resourceError(
    "spec",
    `principal ${p.objectId} is an external user (a guest, or #EXT# in its user principal name) with no email in Microsoft Graph, and its SQL login is named by its email: give its name (the email it signs in with) in the spec`,
    parent,
  );
}

/**
 * The spec with every reader's and contributor's login name, resolved from its object id where the
 * spec gives none. A name the spec gives is used as it is (no Graph call): its uniqueness within the
 * spec is checked by the plan, and in the tenant by serverless itself (33131).
 */
export function resolveReaderLoginNames(spec: Spec, parent: pulumi.Resource): pulumi.Output<Spec> {
  const principals = [...spec.principals.readers, ...spec.principals.contributors];
  const toLookUp = principals.filter((p) => !p.name || (p.type === "ServicePrincipal" && !p.appId));
  if (toLookUp.length === 0) return pulumi.output(spec);
  return pulumi
    .all(toLookUp.map((p) => lookUp(p, parent)))
    .apply((resolved) => withLoginNames(spec, resolved));
}
