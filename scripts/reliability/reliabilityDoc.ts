// RELIABILITY.md is shared by every reliability script and test: one results table whose rows are
// keyed by their first cell (the test), and one marked section of details per script. A script
// replaces its own row and section and leaves everyone else's as they are.

import { promises as fs } from "node:fs";

export const RESULTS_BEGIN = "<!-- results:begin -->";
export const RESULTS_END = "<!-- results:end -->";

/** test | what was injected | how many times | what held | time */
export type ResultRow = [string, string, string, string, string];

/** Replaces the row whose first cell is `row[0]`, or appends it to the results table. */
export function upsertRow(doc: string, row: ResultRow): string {
  const begin = doc.indexOf(RESULTS_BEGIN);
  const end = doc.indexOf(RESULTS_END);
  if (begin < 0 || end < begin) {
    throw new Error(
      `RELIABILITY.md has no results table between ${RESULTS_BEGIN} and ${RESULTS_END}.`,
    );
  }
  const lines = doc.slice(begin + RESULTS_BEGIN.length, end).split("\n");
  const cell = (c: string) => c.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const text = `| ${row.map(cell).join(" | ")} |`;
  // Prettier pads the cells: the key is the first cell, trimmed.
  const firstCell = (line: string) => /^\|((?:\\\||[^|])*)\|/.exec(line)?.[1].trim();
  const at = lines.findIndex((l) => firstCell(l) === cell(row[0]));
  if (at >= 0) lines[at] = text;
  else {
    const last = lines.map((l) => l.startsWith("|")).lastIndexOf(true);
    lines.splice(last + 1, 0, text);
  }
  return doc.slice(0, begin + RESULTS_BEGIN.length) + lines.join("\n") + doc.slice(end);
}

/** Replaces what is between `<!-- <id>:begin -->` and `<!-- <id>:end -->`, or appends the section. */
export function upsertSection(doc: string, id: string, body: string): string {
  const begin = `<!-- ${id}:begin -->`;
  const end = `<!-- ${id}:end -->`;
  const b = doc.indexOf(begin);
  const e = doc.indexOf(end);
  if (b < 0 || e < b) return `${doc.trimEnd()}\n\n${begin}\n${body.trim()}\n${end}\n`;
  return `${doc.slice(0, b + begin.length)}\n${body.trim()}\n${doc.slice(e)}`;
}

/** Writes the row and the section, formatted as `prettier --check` (npm run lint) wants it. */
export async function updateReliabilityDoc(
  file: string,
  row: ResultRow,
  section?: { id: string; body: string },
): Promise<void> {
  let doc = await fs.readFile(file, "utf8");
  doc = upsertRow(doc, row);
  if (section) doc = upsertSection(doc, section.id, section.body);
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(file)) ?? {};
  await fs.writeFile(file, await prettier.format(doc, { ...options, filepath: file }));
}
