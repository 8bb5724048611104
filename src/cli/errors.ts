// Turns what went wrong into one or two lines that say what to do; --verbose adds the stack.

import { signInError } from "../engine/azureCredential";
import { messageOf } from "../errors";

export function explainError(error: unknown): string {
  // A sign-in failure may arrive wrapped by the lake or SQL client ("could not ..."): look inside.
  for (let e: unknown = error, depth = 0; e && depth < 8; depth++) {
    const signIn = signInError(e);
    if (signIn) return `${signIn.message} Or use --local <dir> to try the export without Azure.`;
    e = (e as { cause?: unknown }).cause;
  }
  const e = error as { code?: unknown } | null | undefined;
  const message = messageOf(error);
  if (e?.code === "ENOTFOUND" || e?.code === "EAI_AGAIN") {
    return `Cannot reach ${message.split(" ").pop()}: check the workspace and storage account names and this machine's network.`;
  }
  return message;
}
