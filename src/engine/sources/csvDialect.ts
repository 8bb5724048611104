// A CSV source's dialect with every default filled in: what the header reader, the line locators
// and DuckDB's reader all use, so the three never split a file differently.

import type { SourceSpec } from "../../spec/types";

export interface CsvDialect {
  delimiter: string;
  quote: string;
  /** The character before a quote inside a quoted field; RFC 4180 doubles the quote itself. */
  escape: string;
  header: boolean;
  nullString: string;
}

export function csvDialect(source: SourceSpec): CsvDialect {
  const quote = source.quote ?? '"';
  return {
    delimiter: source.delimiter ?? ",",
    quote,
    escape: source.escape ?? quote,
    header: source.header ?? true,
    nullString: source.nullString ?? "",
  };
}

/** How a delimiter is named in messages and in the spec (a tab is written `"\t"` in YAML). */
export function describeDelimiter(d: string): string {
  return d === "\t" ? '"\\t" (tab)' : JSON.stringify(d);
}

/** The options of a source that change what is read from the same bytes, as the spec sets them. */
export function sourceReadOptions(source: SourceSpec): Record<string, unknown> {
  const { path: _path, format: _format, ...options } = source;
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
