// What an ADLS Gen2 failure says to the user: the place, the service's answer and what to do about
// it. Every failure of the lake's storage is an ExportError of kind "lake" ("lock" for the lock
// file's), "auth" when the cause is a sign-in that failed.

import { ExportError, messageOf } from "../../errors";
import { failureKind } from "../azureCredential";

/** An error that names the place (`location/path`), the service's answer and the advice for it. */
export function lakeFailure(
  location: string,
  action: string,
  path: string,
  error: unknown,
  kind: "lake" | "lock" = "lake",
): ExportError {
  const where = path ? `${location}/${path}` : location;
  const status = statusOf(error);
  const code = codeOf(error);
  const answer = [status, code].filter((part) => part !== undefined).join(" ");
  const message = messageOf(error).split("\n")[0];
  const advice = adviceFor(error);
  return new ExportError(
    failureKind(error) === "auth" ? "auth" : kind,
    `could not ${action} ${where}: ${answer ? `${answer}: ` : ""}${message}${advice ? `; ${advice}` : ""}`,
    { cause: error },
  );
}

/** What to do about a failure, or "" when the message says it all (a missing local file, say). */
function adviceFor(error: unknown): string {
  const status = statusOf(error);
  const code = codeOf(error);
  if (status === 401)
    return "the Entra ID token was refused: sign in again (az login) or check the managed identity or AZURE_* settings";
  if (status === 403)
    return (
      "the identity lacks a data role: grant it Storage Blob Data Contributor on the storage account or the container " +
      "(a role assigned in the last minutes may not have applied yet: Azure takes a few minutes, rarely more, so run again then)"
    );
  if (code === "FilesystemNotFound" || code === "ContainerNotFound")
    return "the container does not exist: create it first (ensureContainer) or check its name";
  if (status === 429 || (status !== undefined && status >= 500))
    return "the storage service did not answer successfully after retries; retry later";
  if (status !== undefined) return "check the path and the storage account";
  // No answer at all: a connection, TLS or timeout failure (the SDK's RestError, or our timeout).
  const name = (error as Error)?.name;
  if (name === "RestError" || name === "AbortError" || (error as Error)?.cause !== undefined)
    return "the storage endpoint could not be reached after retries: check accountUrl, the network, proxy and certificates, then retry later";
  return "";
}

/** The HTTP status of the SDK's RestError, if it had an answer. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The service's error code (x-ms-error-code), else the error's own code. */
export function codeOf(error: unknown): string | undefined {
  const details = (error as { details?: { errorCode?: unknown } })?.details;
  if (typeof details?.errorCode === "string") return details.errorCode;
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}
