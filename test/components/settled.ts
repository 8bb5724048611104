// Reading a component's outputs in a mocked deployment: an output's value or the error its apply
// threw, and the rejections a failed deployment leaves behind.

import type * as pulumi from "@pulumi/pulumi";

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
