// Plain-text tables and the few output helpers the commands share.

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress is shown only then). */
  isTTY: boolean;
  /** Writes as it is, without a newline (a progress line rewritten in place). */
  write?(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : text + "\n"),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : text + "\n"),
  isTTY: Boolean(process.stdout.isTTY),
  write: (text) => process.stdout.write(text),
};

/** The width lines must fit: `COLUMNS`, else the terminal's, else 100 (piped, nothing known). */
export function terminalWidth(
  env: NodeJS.ProcessEnv = process.env,
  stdout: { isTTY?: boolean; columns?: number } = process.stdout,
): number {
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  if (stdout.isTTY && stdout.columns && stdout.columns > 0) return stdout.columns;
  return 100;
}

export interface TableFit {
  /** The width the table must fit; without it, columns are as wide as their longest cell. */
  width?: number;
  /** Columns that may be cut (with "…") to fit, the first cut first. */
  shrink?: readonly number[];
}

const GAP = 2;
/** A cut column keeps at least this much, so that what is left still reads. */
const MIN_COLUMN = 12;

export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  fit: TableFit = {},
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  if (fit.width !== undefined) {
    let over = widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1) - fit.width;
    for (const i of fit.shrink ?? []) {
      if (over <= 0) break;
      const floor = Math.min(widths[i], Math.max(headers[i].length, MIN_COLUMN));
      const cut = Math.min(over, widths[i] - floor);
      widths[i] -= cut;
      over -= cut;
    }
  }
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const cell = cut(c ?? "", widths[i]);
        return i === cells.length - 1 ? cell : cell.padEnd(widths[i]);
      })
      .join(" ".repeat(GAP))
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * A table when it fits `width` with its last (free-text) column at least `minLast` wide; otherwise one
 * block per row, the first cell as a heading and the others as labelled lines, wrapped to fit.
 */
export function tableOrBlocks(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  width: number,
  minLast = 24,
): string {
  const last = headers.length - 1;
  const natural = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)),
  );
  const fixed = natural.slice(0, last).reduce((a, b) => a + b, 0) + GAP * last;
  if (fixed + Math.min(minLast, natural[last]) <= width) {
    return table(headers, rows, { width, shrink: [last] });
  }
  const label = Math.max(...headers.slice(1).map((h) => h.length)) + 1;
  return rows
    .map((r) =>
      [
        wrap(r[0] ?? "", width, 2),
        ...headers.slice(1).map((h, i) => labelled(h, r[i + 1] ?? "", label, width)),
      ].join("\n"),
    )
    .join("\n\n");
}

/** `  label  value`, the value wrapped under itself so that every line fits `width`. */
export function labelled(label: string, value: string, labelWidth: number, width: number): string {
  const head = `  ${label.padEnd(labelWidth)} `;
  return wrap(value, Math.max(1, width - head.length), 0)
    .split("\n")
    .map((l, i) => (i === 0 ? head : " ".repeat(head.length)) + l)
    .join("\n");
}

/** `text` cut to `width` characters, the cut marked with "…". */
export function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Words wrapped to `width`, continuation lines indented by `indent` spaces past the text's own
 * leading spaces; a single word longer than a line is cut, so that every line fits (unless
 * `cutLongWords` is false: a path cut short is of no use, so it then stays whole on its own line).
 */
export function wrap(text: string, width: number, indent = 4, cutLongWords = true): string {
  const lead = /^ */.exec(text)![0];
  const pad = " ".repeat(lead.length + indent);
  const lines: string[] = [];
  let current = "";
  for (const word of text.slice(lead.length).split(/\s+/).filter(Boolean)) {
    const prefix = lines.length === 0 ? lead : pad;
    const candidate = current ? `${current} ${word}` : word;
    if (prefix.length + candidate.length > width && current) {
      lines.push(prefix + current);
      current = word;
    } else current = candidate;
  }
  if (current || lines.length === 0) lines.push((lines.length === 0 ? lead : pad) + current);
  return lines.map((l) => (cutLongWords ? cut(l, width) : l)).join("\n");
}

/** Bytes in binary units, as the run record shows them: `893.3 KiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
