// The one place the engine gets an Entra ID credential. By default DefaultAzureCredential (environment,
// workload identity, managed identity, Azure CLI ...): no account keys, no SAS tokens, no passwords.
// Tests replace it for the whole process, since the token service is outside this machine.

import type { TokenCredential } from "@azure/core-auth";

let override: TokenCredential | undefined;
let shared: TokenCredential | undefined;

/** One credential per process: it caches its tokens, so the lake, SQL and RBAC clients share them. */
export function getAzureCredential(): TokenCredential {
  if (override) return override;
  if (!shared) {
    const { DefaultAzureCredential } =
      require("@azure/identity") as typeof import("@azure/identity");
    shared = new DefaultAzureCredential();
  }
  return shared;
}

/** For tests and embedding programs: use this credential instead of DefaultAzureCredential. */
export function setAzureCredential(credential: TokenCredential | undefined): void {
  override = credential;
}
