// How long a deploy's export takes a storage 403 for a role assignment that has not applied yet.
// Azure applies a new assignment within minutes (adlsRequestGuard.ts cites how long): an operation
// right after the stack made one waits that long; one long after the grants were made fails at
// once, with the missing grant, instead of waiting ten minutes for a grant that is simply not there.

/** How long after a grant is made a 403 is still taken as "not applied yet". */
export const FRESH_GRANTS_WINDOW_MS = 10 * 60_000;

/**
 * When the newest of the stack's grants was made (ISO 8601), from each one's `madeAt`: "" when one
 * is not known (a state written before madeAt was recorded, taken as just made), and the epoch when
 * the stack makes no grant at all (nothing of this deploy to wait for).
 */
export function newestGrantMadeAt(madeAt: readonly (string | undefined)[]): string {
  if (madeAt.length === 0) return new Date(0).toISOString();
  let newest = -Infinity;
  for (const text of madeAt) {
    const ms = text ? Date.parse(text) : NaN;
    if (!Number.isFinite(ms)) return "";
    newest = Math.max(newest, ms);
  }
  return new Date(newest).toISOString();
}

/**
 * Until when (epoch ms) an operation that started at `startedMs` waits for a grant: FRESH_GRANTS_WINDOW_MS
 * after the newest grant was made, or after the start when that is not known (or lies ahead of the
 * start: a clock that moved). A time already past means no wait.
 */
export function freshGrantsUntil(grantsMadeAt: string | undefined, startedMs: number): number {
  const made = grantsMadeAt ? Date.parse(grantsMadeAt) : NaN;
  return (Number.isFinite(made) ? Math.min(made, startedMs) : startedMs) + FRESH_GRANTS_WINDOW_MS;
}
