// The line a terminal shows while an entity's write or upload runs, rewritten in place:
//   Customer: writing Parquet  45%  126.4 of 281.0 MiB read  35.2 MiB/s  4s left
// Shown only once the entity has run for PROGRESS_DELAY_MS (short work stays one plain line), and
// cleared before the next ordinary line. Only `run` on a terminal uses it: piped or with --json,
// the engine is given no progress callback at all.

import { cut, formatBytes } from "./output";

/** Work shorter than this shows no progress line. SYNAPSE_EXPORT_PROGRESS_DELAY_MS sets it (tests use 0). */
export function progressDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.SYNAPSE_EXPORT_PROGRESS_DELAY_MS);
  return Number.isFinite(ms) && ms >= 0 && env.SYNAPSE_EXPORT_PROGRESS_DELAY_MS !== "" ? ms : 1000;
}

const CLEAR = "\r\x1b[K";

export class ProgressLine {
  private shown = false;
  private readonly started = new Map<string, number>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly width: number,
    private readonly delayMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new step of an entity (write or upload) starts its own rate and time-left estimate. */
  update(entity: string, phase: "write" | "upload", doneBytes: number, totalBytes: number): void {
    const key = `${entity}\0${phase}`;
    const t = this.now();
    if (!this.started.has(key)) this.started.set(key, t);
    const since = t - this.started.get(key)!;
    if (since < this.delayMs) return;
    const fraction = totalBytes > 0 ? Math.min(1, doneBytes / totalBytes) : 1;
    const rate = since > 0 ? doneBytes / (since / 1000) : undefined;
    const left =
      fraction >= 1
        ? "done"
        : rate
          ? `${formatSeconds((totalBytes - doneBytes) / rate)} left`
          : "time left not known yet";
    const words = phase === "write" ? "writing" : "uploading";
    const read = phase === "write" ? "read" : "sent";
    const text =
      `  ${entity}: ${words}  ${Math.floor(fraction * 100)}%  ` +
      `${formatBytes(doneBytes)} of ${formatBytes(totalBytes)} ${read}  ` +
      `${rate === undefined ? "" : `${formatBytes(Math.round(rate))}/s  `}${left}`;
    this.write(CLEAR + cut(text, Math.max(1, this.width - 1)));
    this.shown = true;
  }

  /** Clears the progress line, if one is shown, so that an ordinary line can follow. */
  clear(): void {
    if (this.shown) this.write(CLEAR);
    this.shown = false;
  }
}

function formatSeconds(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}
