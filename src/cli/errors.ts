// Turns what went wrong into one or two lines that say what to do; --verbose adds the stack.

export function explainError(error: unknown): string {
  const e = error as Error & { code?: string };
  const name = e?.name ?? "";
  const message = e?.message ?? String(error);
  if (name === "CredentialUnavailableError" || name === "AggregateAuthenticationError") {
    return (
      "Not signed in to Azure: run `az login` (or set AZURE_CLIENT_ID, AZURE_TENANT_ID and a federated token or " +
      "client secret for a service principal), then run again. Use --local <dir> to run without Azure."
    );
  }
  if (name === "AuthenticationRequiredError") return `Azure sign-in is required: ${message}`;
  if (e?.code === "ENOTFOUND" || e?.code === "EAI_AGAIN") {
    return `Cannot reach ${message.split(" ").pop()}: check the workspace and storage account names and this machine's network.`;
  }
  return message;
}
