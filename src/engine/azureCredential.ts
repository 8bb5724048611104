// The one place the engine gets an Entra ID credential. By default DefaultAzureCredential (environment,
// workload identity, managed identity, Azure CLI ...): no account keys, no SAS tokens, no passwords.
// Tests replace it for the whole process, since the token service is outside this machine.

import type { TokenCredential } from "@azure/core-auth";

let override: TokenCredential | undefined;

export function getAzureCredential(): TokenCredential {
  if (override) return override;
  const { DefaultAzureCredential } = require("@azure/identity") as typeof import("@azure/identity");
  return new DefaultAzureCredential();
}

/** For tests and embedding programs: use this credential instead of DefaultAzureCredential. */
export function setAzureCredential(credential: TokenCredential | undefined): void {
  override = credential;
}
