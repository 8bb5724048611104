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
import {
  decodeTokenClaims,
  deployerTypeUnknownMessage,
  tokenIdentity,
} from "../plan/tokenIdentity";
import { resourceError } from "./componentErrors";
import { sharedAssignmentIssues } from "../spec/rules";
import { formatIssues } from "../spec/specError";
import type { Spec } from "../spec/types";
import { messageOf } from "../errors";

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

/**
 * The Entra ID user with admin permissions in Customer Insights, from a validated spec (its rules
 * require objectId or userPrincipalName, and every component validates before it gets here).
 */
export function resolveAdministrator(
  admin: AdministratorPrincipal,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  if (admin.objectId) return pulumi.output(admin.objectId);
  const userPrincipalName = admin.userPrincipalName as string;
  return azuread.getUserOutput({ userPrincipalName }, { parent }).objectId;
}

export interface ResolvedDeployer {
  objectId: pulumi.Output<string>;
  principalType: pulumi.Output<PrincipalType>;
}

/**
 * The identity running `pulumi up`: named in the spec, or the one Pulumi's Azure client configuration
 * signs in with. Its kind is found out, not assumed: ARM refuses an assignment whose principalType does
 * not match the principal (UnmatchedPrincipalType, Azure/modern-web-app-pattern-dotnet#129), and
 * azure-native's RoleAssignment sends "User" when none is given, which fails for a pipeline's service
 * principal. The kind is read from the claims of the client's own ARM token first (plan/tokenIdentity.ts:
 * idtyp, scp, sub): no Microsoft Graph call, which a pipeline's service principal is often not allowed
 * to make. Only when the claims do not tell is Graph asked, and when that fails too the error names the
 * spec field that settles it. Only users and service principals (managed identities included) sign in.
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
  // The token is a secret: it is read here and never stored (only the kind derived from it is).
  const token = authorization.getClientTokenOutput({}, { parent }).token;
  const principalType = pulumi
    .all([objectId, pulumi.unsecret(token)])
    .apply(async ([oid, raw]): Promise<PrincipalType> => {
      const claims = tokenIdentity(decodeTokenClaims(raw));
      if (claims.type) return claims.type;
      try {
        const found = await azuread.getServicePrincipals(
          { objectIds: [oid], ignoreMissing: true },
          { parent },
        );
        return found.objectIds.length > 0 ? "ServicePrincipal" : "User";
      } catch (error) {
        // rbac: the kind is what the deployer's role assignment needs, and Graph would not tell it.
        throw resourceError(
          "rbac",
          deployerTypeUnknownMessage(
            oid,
            claims.because,
            (messageOf(error) || "the look-up failed").split("\n")[0],
          ),
          parent,
          error,
        );
      }
    });
  return { objectId, principalType };
}

/**
 * The administrator's and the Customer Insights principal's object ids, refused once looked up when
 * a contributor is one of them: the spec's rules compare object ids the spec gives, and an
 * administrator named by user principal name (or Customer Insights by application id) is only known
 * here. Read in `pulumi preview` too (the look-ups are invokes), so the refusal comes before any
 * assignment, as the spec's own would; with object ids given there is nothing left to check.
 */
export function refuseSharedLookedUp(
  spec: Spec,
  ids: { administrator: pulumi.Output<string>; customerInsights: pulumi.Output<string> },
  parent: pulumi.Resource,
  /** What the error names as the spec's holder, as the spec's own check does. */
  source: string,
): pulumi.Output<void> {
  const { principals, connection } = spec;
  if (principals.administrator.objectId && principals.customerInsights.objectId) {
    return pulumi.output(undefined);
  }
  return pulumi
    .all([ids.administrator, ids.customerInsights])
    .apply(([administrator, customerInsights]) => {
      const issues = sharedAssignmentIssues(
        connection as unknown as Record<string, unknown>,
        principals as unknown as Record<string, unknown>,
        { administrator, customerInsights },
      );
      if (issues.length > 0) {
        throw resourceError("spec", formatIssues(issues, source), parent);
      }
    });
}
