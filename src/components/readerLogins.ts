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

function lookUp(p: ReaderPrincipal, parent: pulumi.Resource): pulumi.Output<ResolvedLoginName> {
  const opts = { parent };
  if (p.type === "User") {
    // A UPN is unique in the tenant: no second look-up.
    return azuread
      .getUserOutput({ objectId: p.objectId }, opts)
      .apply((u) => ({ objectId: p.objectId, name: u.userPrincipalName, sameName: [p.objectId] }));
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
