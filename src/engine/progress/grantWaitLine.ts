// One line per wait for a fresh storage grant to apply: a role assignment takes minutes to take
// effect, and until then serverless SQL answers storage-permission errors and the lake 403
// AuthorizationPermissionMismatch. Without a line a deploy that waits looks hung; the line says what
// it waits for, how long so far and how long at most.

/** What waits: a SQL statement in its database, or a request to the lake. */
export type GrantWaiter = { purpose: string; database: string } | { method: string; path: string };

/** What a wait is for, and how long Azure says it takes. */
const AWAITED = {
  role: "a new storage role assignment to apply (Azure takes up to 10 minutes)",
  firewall: "a new workspace firewall rule to apply (Azure takes up to five minutes)",
};

export function grantWaitLine(
  waiter: GrantWaiter,
  wait: { attempt: number; delayMs: number },
  waitedMs: number,
  limitMs: number,
  awaiting: keyof typeof AWAITED = "role",
): string {
  const s = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;
  const what =
    "purpose" in waiter
      ? `"${waiter.purpose}" in [${waiter.database}]`
      : `the lake's ${waiter.method} ${waiter.path}`;
  return `synapse-export: ${what}: waiting for ${AWAITED[awaiting]}; waited ${s(waitedMs)} of ${s(limitMs)}, next try in ${s(wait.delayMs)} (attempt ${wait.attempt})`;
}
