// Reading a component's outputs in a mocked deployment: an output's value or the error its apply
// threw, the rejections a failed deployment leaves behind, and the ids the tests expect.

import type * as pulumi from "@pulumi/pulumi";
import { SUBSCRIPTION_ID } from "./azureMocks";

export const SUB = `/subscriptions/${SUBSCRIPTION_ID}`;
/** The ARM id of the new account the storage and workspace tests create. */
export const NEW_ACCOUNT = `${SUB}/resourceGroups/rg-new/providers/Microsoft.Storage/storageAccounts/stnewexport`;

/** Resolves with the value, or rejects with the error an apply threw (as a deployment would fail). */
export function settled<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as any).promise();
}

/** Runs `fn` while collecting the promise rejections it leaves behind (a failed deployment's outputs). */
export async function collectingRejections<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; rejections: unknown[] }> {
  const rejections: unknown[] = [];
  const listener = (reason: unknown) => rejections.push(reason);
  const mochaListeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", listener);
  try {
    const value = await fn();
    await new Promise((r) => setTimeout(r, 20));
    return { value, rejections };
  } finally {
    process.removeListener("unhandledRejection", listener);
    for (const l of mochaListeners) process.on("unhandledRejection", l);
  }
}
