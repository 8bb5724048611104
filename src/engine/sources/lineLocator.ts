// The line a record starts on, for error messages: a user opens the file in an editor, which counts
// physical lines, while DuckDB counts records (a quoted field may span lines). Only run after a
// failure, so a plain streaming scan is fast enough.

import { openSourceStream } from "./sourceStream";

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The 1-based physical line on which data record `row` (1 = the first record after the header)
 * starts in an RFC 4180 CSV file; undefined when the file has fewer records. Empty lines are not
 * records (DuckDB skips them).
 */
export function csvRecordLine(
  file: string,
  row: number,
  dialect: { quote: string; header: boolean } = { quote: '"', header: true },
): Promise<number | undefined> {
  return scan(file, dialect.header ? row : row - 1, {
    quotes: true,
    quote: dialect.quote.charCodeAt(0),
    emptyLinesCount: false,
  });
}

/**
 * The physical line of what a DuckDB CSV error calls "Line: n": DuckDB numbers the header, each
 * record and each empty line, so a quoted field spanning lines shifts its numbers from the editor's.
 */
export function csvLineOfDuckdbLine(
  file: string,
  duckdbLine: number,
  quote = '"',
): Promise<number | undefined> {
  return scan(file, duckdbLine - 1, {
    quotes: true,
    quote: quote.charCodeAt(0),
    emptyLinesCount: true,
  });
}

/** The same for JSON Lines: records are the non-blank lines, and there is no header. */
export function jsonlRecordLine(file: string, row: number): Promise<number | undefined> {
  return scan(file, row - 1, { quotes: false, emptyLinesCount: false });
}

async function scan(
  file: string,
  target: number,
  mode: { quotes: boolean; quote?: number; emptyLinesCount: boolean },
): Promise<number | undefined> {
  let line = 1;
  let unit = 0; // index of the record being read; the CSV header is 0
  let inQuotes = false;
  let hasContent = false;
  let startLine = 1;
  let first = true;
  const quote = mode.quote ?? QUOTE;
  for await (const chunk of openSourceStream(file)) {
    const buf = chunk as Buffer;
    const begin = first && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    first = false;
    for (let i = begin; i < buf.length; i++) {
      const byte = buf[i];
      if (byte === LF) {
        if (!inQuotes) {
          if (hasContent || mode.emptyLinesCount) {
            if (unit === target) return startLine;
            unit++;
          }
          hasContent = false;
          startLine = line + 1;
        }
        line++;
        continue;
      }
      if (byte === CR) continue;
      if (!hasContent) {
        hasContent = true;
        startLine = line;
      }
      if (mode.quotes && byte === quote) inQuotes = !inQuotes;
    }
  }
  if (hasContent && unit === target) return startLine;
  return undefined;
}
