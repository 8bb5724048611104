// Plain-text tables and the few output helpers the commands share.

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress is shown only then). */
  isTTY: boolean;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : text + "\n"),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : text + "\n"),
  isTTY: Boolean(process.stdout.isTTY),
};

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
