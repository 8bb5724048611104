// The one error the Synapse RBAC client throws, with a message that says what failed, on which
// workspace, and what the user can do about it. The service's own words are kept (code, message,
// request id) because they are what Microsoft support asks for.
//
// Error codes seen from the service: "Unauthorized" (403, missing Synapse RBAC permission),
// "ClientIpAddressNotAuthorized" (workspace firewall), "InvalidPrincipalId" (400),
// "RoleAssignmentAlreadyExists" (same role, principal and scope under another id).

import { ExportError } from "../../errors";

export interface SynapseRbacFailure {
  /** What we were doing, in words: "assign Synapse role ... to ...". */
  operation: string;
  workspaceName: string;
  endpoint: string;
  status?: number;
  code?: string;
  serviceMessage?: string;
  requestId?: string;
  /** A failure below HTTP: reset connection, DNS, timeout. */
  networkError?: string;
  /** The principal the operation was about, for the "principal not found" advice. */
  principalId?: string;
  attempts: number;
  elapsedMs: number;
}

export class SynapseRbacError extends ExportError {
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly workspaceName: string;
  readonly attempts: number;

  constructor(failure: SynapseRbacFailure) {
    super("rbac", describeFailure(failure));
    this.name = "SynapseRbacError";
    this.status = failure.status;
    this.code = failure.code;
    this.requestId = failure.requestId;
    this.workspaceName = failure.workspaceName;
    this.attempts = failure.attempts;
  }
}

const ASSIGN_ADMIN = (ws: string) =>
  `the identity running this needs the Synapse Administrator role on workspace "${ws}": a Synapse Administrator ` +
  `(or an Azure Owner of the workspace) can assign it in Synapse Studio > Manage > Access control; ` +
  `a new assignment can take a few minutes to apply`;

// "IP firewall rules configured at the workspace level apply to all public endpoints of the workspace"
// (learn.microsoft.com/azure/synapse-analytics/security/synapse-workspace-ip-firewall); the refusal names
// the caller's address: "Client Ip address : 13.73.x.x" (MicrosoftLearning/dp-203-azure-data-engineer#35).
const OPEN_FIREWALL = (ws: string, serviceMessage?: string) => {
  const ip = /(\d{1,3}(?:\.\d{1,3}){3})/.exec(serviceMessage ?? "")?.[1];
  const range = ip ? `${ip}-${ip}` : "<your public IP>-<your public IP>";
  const [start, end] = ip ? [ip, ip] : ["<your public IP>", "<your public IP>"];
  return (
    `the workspace firewall of "${ws}" blocks this machine${ip ? ` (address ${ip})` : ""}: add the range ${range} as a firewall rule, ` +
    `e.g. az synapse workspace firewall-rule create --workspace-name ${ws} --resource-group <resource group> ` +
    `--name AllowDeployer --start-ip-address ${start} --end-ip-address ${end} (or Azure portal > Synapse workspace "${ws}" > ` +
    `Networking > Firewall rules; for a new workspace, connection.workspace.create.firewallRules), or run from a network the workspace allows`
  );
};

function advice(f: SynapseRbacFailure): string {
  const code = (f.code ?? "").toLowerCase();
  if (f.networkError !== undefined) {
    return (
      `Check the workspace name and endpoint (${f.endpoint}), DNS and proxy settings, and that the workspace allows ` +
      `public network access (or that this machine is on the network of its private endpoint); if it was a passing ` +
      `outage, run again.`
    );
  }
  if (code === "clientipaddressnotauthorized")
    return `Fix: ${OPEN_FIREWALL(f.workspaceName, f.serviceMessage)}.`;
  if (f.status === 401) {
    return (
      `Fix: the workspace rejected the access token. Sign in to the tenant that owns workspace "${f.workspaceName}" ` +
      `(az login --tenant <tenant id>), or check AZURE_TENANT_ID / AZURE_CLIENT_ID; the token must be issued for ` +
      `https://dev.azuresynapse.net.`
    );
  }
  if (f.status === 403 && code === "unauthorized") return `Fix: ${ASSIGN_ADMIN(f.workspaceName)}.`;
  if (f.status === 403)
    return `Fix: either ${ASSIGN_ADMIN(f.workspaceName)}; or ${OPEN_FIREWALL(f.workspaceName, f.serviceMessage)}.`;
  if (code === "invalidprincipalid" || code === "principalnotfound") {
    return (
      `Fix: principal ${f.principalId ?? "(unknown)"} is not known to the workspace's tenant. Use the Object ID of the ` +
      `service principal (Entra ID > Enterprise applications > Object ID), not the Application (client) ID; if the ` +
      `principal was created moments ago, run again in a few minutes.`
    );
  }
  if (f.status === 429 || (f.status !== undefined && f.status >= 500)) {
    return `The service kept failing; run again later, and if it persists check Azure status for Synapse in the workspace's region.`;
  }
  return `Check the request above against the workspace; the service's message says what it rejected.`;
}

export function describeFailure(f: SynapseRbacFailure): string {
  const what =
    f.networkError !== undefined
      ? `could not reach ${f.endpoint} (${f.networkError})`
      : `the service answered ${f.status}${f.code ? ` ${f.code}` : ""}${f.serviceMessage ? `: ${f.serviceMessage.trim().replace(/\.+$/, "")}` : ""}`;
  const tries =
    f.attempts > 1
      ? ` after ${f.attempts} attempts over ${Math.round(f.elapsedMs / 100) / 10} s`
      : "";
  const request = f.requestId ? ` (x-ms-request-id ${f.requestId})` : "";
  return `Could not ${f.operation} on Synapse workspace "${f.workspaceName}": ${what}${tries}${request}. ${advice(f)}`;
}
