// Turns the spec's principal references into Entra ID object ids at deploy time. An object id given in
// the spec wins (no look-up, so preview knows it); otherwise the Customer Insights service principal
// is found by its application id and the administrator by user principal name.

import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import * as authorization from "@pulumi/azure-native/authorization";
import {
  CUSTOMER_INSIGHTS_APP_ID,
  type AdministratorPrincipal,
  type CustomerInsightsPrincipal,
  type DeployerPrincipal,
  type PrincipalType,
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

export interface ResolvedDeployer {
  objectId: pulumi.Output<string>;
  principalType: pulumi.Output<PrincipalType>;
}

/**
 * The identity running `pulumi up`: named in the spec, or the one Pulumi's Azure client configuration
 * signs in with. Its kind is looked up, not assumed: ARM refuses an assignment whose principalType does
 * not match the principal (UnmatchedPrincipalType, Azure/modern-web-app-pattern-dotnet#129), and
 * azure-native's RoleAssignment sends "User" when none is given, which fails for a pipeline's service
 * principal. Only users and service principals (managed identities included) can sign in.
 */
export function resolveDeployer(
  deployer: DeployerPrincipal | undefined,
  parent: pulumi.Resource,
): ResolvedDeployer {
  if (deployer) {
    return {
      objectId: pulumi.output(deployer.objectId),
      principalType: pulumi.output(deployer.type),
    };
  }
  const objectId = authorization.getClientConfigOutput({ parent }).objectId;
  const found = azuread.getServicePrincipalsOutput(
    { objectIds: [objectId], ignoreMissing: true },
    { parent },
  );
  return {
    objectId,
    principalType: found.objectIds.apply((ids): PrincipalType =>
      ids.length > 0 ? "ServicePrincipal" : "User",
    ),
  };
}
