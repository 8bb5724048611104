// Where a workspace's data-plane API lives, and the checks that keep tokens and Synapse role ids
// going only there: Synapse RBAC is not Azure RBAC, and a Synapse role id means nothing to ARM.

/** The token audience of the Synapse data-plane API (roleAssignments, roleDefinitions ...). */
export const SYNAPSE_DEV_SCOPE = "https://dev.azuresynapse.net/.default";

/** The API version whose description the client and its test server follow. */
export const SYNAPSE_RBAC_API_VERSION = "2020-12-01";

/** Synapse workspace names: 1-50 lowercase letters, digits and hyphens, not starting or ending with a hyphen. */
const WORKSPACE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/;

export function workspaceNameProblem(name: string): string | undefined {
  if (!WORKSPACE_NAME.test(name)) {
    return `"${name}" is not a Synapse workspace name: 1-50 lowercase letters, digits and hyphens, starting and ending with a letter or digit`;
  }
  if (name.includes("-ondemand"))
    return `"${name}" is not a Synapse workspace name: it must not contain "-ondemand"`;
  return undefined;
}

/** https://<workspace>.dev.azuresynapse.net, the development endpoint the workspace's Overview page shows. */
export function defaultSynapseEndpoint(workspaceName: string): string {
  const problem = workspaceNameProblem(workspaceName);
  if (problem) throw new Error(problem);
  return `https://${workspaceName}.dev.azuresynapse.net`;
}

/** The scope of a workspace-wide Synapse role assignment. */
export function workspaceScope(workspaceName: string): string {
  return `workspaces/${workspaceName}`;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const ARM_HOSTS = /(^|\.)management\.(azure\.com|usgovcloudapi\.net|chinacloudapi\.cn)$/i;

/**
 * Parses and checks an endpoint: https, or http on loopback only (test servers), never an ARM host.
 * Returns the URL with a trailing slash so relative paths append to it.
 */
export function parseSynapseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(
      `Synapse endpoint "${endpoint}" is not a URL; expected https://<workspace>.dev.azuresynapse.net`,
    );
  }
  if (ARM_HOSTS.test(url.hostname)) {
    throw new Error(
      `Synapse endpoint "${endpoint}" is Azure Resource Manager. Synapse roles (such as Synapse Administrator) are ` +
        `assigned on the workspace's data-plane endpoint https://<workspace>.dev.azuresynapse.net, not through ARM.`,
    );
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new Error(
      `Synapse endpoint "${endpoint}" must use https (plain http is allowed only on loopback test servers)`,
    );
  }
  if (url.search || url.hash)
    throw new Error(`Synapse endpoint "${endpoint}" must not have a query or fragment`);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

/** The workspace a request is about, for messages: from the scope, else from a *.dev.azuresynapse.net host. */
export function workspaceNameFor(endpoint: URL, scope?: string): string {
  const fromScope = scope?.match(/^workspaces\/([^/]+)/i)?.[1];
  if (fromScope) return fromScope;
  const host = endpoint.hostname;
  const suffix = ".dev.azuresynapse.net";
  return host.toLowerCase().endsWith(suffix) ? host.slice(0, -suffix.length) : host;
}
