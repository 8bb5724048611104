// One line per wait for a fresh storage grant to apply: a role assignment takes up to 10 minutes to
// take effect, and until then serverless SQL answers storage-permission errors. Without a line a
// deploy that waits looks hung; the line says what it waits for, how long so far and how long at most.

import type { SynapseSqlRetryEvent } from "../sql/synapseSql";

export function grantWaitLine(
  event: Pick<SynapseSqlRetryEvent, "purpose" | "database" | "attempt" | "delayMs">,
  waitedMs: number,
  limitMs: number,
): string {
  const s = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;
  return (
    `synapse-export: "${event.purpose}" in [${event.database}]: waiting for a new storage role assignment to apply ` +
    `(Azure takes up to 10 minutes); waited ${s(waitedMs)} of ${s(limitMs)}, next try in ${s(event.delayMs)} (attempt ${event.attempt})`
  );
}
