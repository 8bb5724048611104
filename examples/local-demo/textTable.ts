// Plain-text tables for the demo's output: numbers right-aligned, so columns of figures read well.

export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
  width?: number,
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    fit(
      cells
        .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
      width === undefined ? undefined : width - 2,
    );
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)]
    .map((l) => `  ${l}`)
    .join("\n");
}

/** The width output must fit: `COLUMNS`, else the terminal's, else 100 (as the CLI's tables). */
export function outputWidth(): number {
  const columns = Number(process.env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 100;
}

/** A line cut to `width` characters, the cut marked with "…" (free text ends last, so it goes first). */
export function fit(line: string, width: number | undefined): string {
  if (width === undefined || line.length <= width) return line;
  return `${line.slice(0, Math.max(0, width - 1))}…`;
}

/** A line wrapped at spaces to `width`, continuation lines indented two more than the line itself. */
export function wrapLine(line: string, width: number): string {
  if (line.length <= width) return line;
  const lead = /^ */.exec(line)![0];
  const out: string[] = [];
  let current = "";
  // Words keep the spaces after them, so that aligned columns stay aligned on the lines that fit.
  for (const word of line.slice(lead.length).match(/\S+\s*/g) ?? []) {
    const prefix = out.length === 0 ? lead : `${lead}  `;
    if (current && prefix.length + (current + word).trimEnd().length > width) {
      out.push(prefix + current.trimEnd());
      current = word;
    } else current += word;
  }
  out.push((out.length === 0 ? lead : `${lead}  `) + current.trimEnd());
  return out.join("\n");
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
