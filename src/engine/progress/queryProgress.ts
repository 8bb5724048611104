// How far a long DuckDB query (the COPY that writes an entity's parts) has come, for the CLI's
// progress line. DuckDB tracks query progress only with its progress bar enabled; its own printing
// is turned off, so nothing but our events reports it. The fraction is DuckDB's estimate (for a CSV
// scan: the share of the file read), as duckdb_query_progress returns it
// (https://duckdb.org/docs/stable/configuration/overview: enable_progress_bar, enable_progress_bar_print).

import type { DuckSession } from "../writer/duckdbSession";

export interface QueryWatch {
  /** Stops polling; reports 1 when the query succeeded. */
  stop(succeeded: boolean): void;
}

/** How often the fraction is read while the query runs. */
export const PROGRESS_POLL_MS = 250;

export async function watchQueryProgress(
  session: DuckSession,
  onFraction: (fraction: number) => void,
  pollMs = PROGRESS_POLL_MS,
): Promise<QueryWatch> {
  await session.run("SET enable_progress_bar = true");
  await session.run("SET enable_progress_bar_print = false");
  onFraction(0);
  let last = 0;
  const timer = setInterval(() => {
    const { percentage } = session.connection.progress;
    // -1 before the query starts (and between queries): nothing to report yet.
    if (percentage >= 0 && percentage / 100 > last) {
      last = Math.min(1, percentage / 100);
      onFraction(last);
    }
  }, pollMs);
  timer.unref();
  return {
    stop(succeeded) {
      clearInterval(timer);
      if (succeeded) onFraction(1);
    },
  };
}
