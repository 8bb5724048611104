// Turns the spec's principal references into Entra ID object ids at deploy time. An object id given in
// the spec wins (no look-up, so preview knows it); otherwise the Customer Insights service principal
// is found by its application id and the administrator by user principal name.

import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import {
  CUSTOMER_INSIGHTS_APP_ID,
  type AdministratorPrincipal,
  type CustomerInsightsPrincipal,
} from "../spec/types";

export interface ResolvedPrincipal {
  objectId: pulumi.Output<string>;
  /** Set when the service principal is declared in the tenant (createIfMissing). */
  servicePrincipal?: azuread.ServicePrincipal;
}

/**
 * The Customer Insights service principal. With `createIfMissing`, it is declared with `useExisting`
 * (adopted when present, created when not, as the seed's service-principal page does) and retained
 * on delete: other Customer Insights environments in the tenant depend on it.
 */
export function resolveCustomerInsightsPrincipal(
  name: string,
  ci: CustomerInsightsPrincipal,
  parent: pulumi.Resource,
): ResolvedPrincipal {
  if (ci.objectId) return { objectId: pulumi.output(ci.objectId) };
  const appId = ci.appId ?? CUSTOMER_INSIGHTS_APP_ID;
  if (ci.createIfMissing) {
    const servicePrincipal = new azuread.ServicePrincipal(
      `${name}-customer-insights-service-principal`,
      { clientId: appId, useExisting: true },
      { parent, retainOnDelete: true },
    );
    return { objectId: servicePrincipal.objectId, servicePrincipal };
  }
  const found = azuread.getServicePrincipalOutput({ clientId: appId }, { parent });
  return { objectId: found.objectId };
}

/** The Entra ID user with admin permissions in Customer Insights. */
export function resolveAdministrator(
  admin: AdministratorPrincipal | undefined,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  if (admin?.objectId) return pulumi.output(admin.objectId);
  if (!admin?.userPrincipalName) {
    // Validation requires one of the two; this guards TypeScript callers that skipped it.
    throw new pulumi.ResourceError(
      "principals.administrator: give userPrincipalName (e.g. admin@contoso.com) or objectId",
      parent,
      true,
    );
  }
  return azuread.getUserOutput({ userPrincipalName: admin.userPrincipalName }, { parent }).objectId;
}
