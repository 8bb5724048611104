// The header row of a CSV file, read here rather than sniffed by DuckDB: the sniffer guesses (it
// may take a short first data row for a preamble to skip, or fail with "could not detect the
// dialect" on a row with a field too many), while RFC 4180 (with the source's delimiter, quote and
// escape) says exactly what the first record is.

import type { SourceSpec } from "../../spec/types";
import { csvDialect, describeDelimiter } from "./csvDialect";
import { sameNameKey } from "./nameKey";
import { SourceError } from "./sourceError";
import { readSourceStart } from "./sourceStream";

/** A header longer than this is not a header (the lake's header check reads no further either). */
export const MAX_HEADER_BYTES = 1 << 20;

/** Delimiters a one-column header that contains one of them was most likely meant to be split on. */
const LIKELY_DELIMITERS = [";", "\t", "|", ","];

export async function readCsvHeader(
  file: string,
  displayName: string,
  source: SourceSpec = { path: file, format: "csv" },
): Promise<string[]> {
  const bytes = await readSourceStart(file, MAX_HEADER_BYTES);
  const names = parseCsvHeader(bytes, displayName, source, bytes.length < MAX_HEADER_BYTES);
  if (names === undefined) throw headerDoesNotEnd(displayName);
  return names;
}

export function headerDoesNotEnd(displayName: string): SourceError {
  return new SourceError(`${displayName}: the header row does not end (an unclosed quote?).`);
}

/**
 * The header row's names from the first bytes of a file, checked as readCsvHeader checks them.
 * `wholeFile`: the bytes are the whole file, so a header without a line end is the file's one line.
 * Undefined when the header does not end within bytes that are not the whole file: read more.
 */
export function parseCsvHeader(
  bytes: Buffer,
  displayName: string,
  source: SourceSpec,
  wholeFile: boolean,
): string[] | undefined {
  const encoding = utf16(bytes);
  if (encoding) {
    throw new SourceError(
      `${displayName} is ${encoding}-encoded text; CSV sources must be UTF-8. Save the file as UTF-8 ` +
        `(e.g. iconv -f ${encoding} -t UTF-8, or "CSV UTF-8" in Excel's Save As).`,
    );
  }
  let text = bytes.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const { delimiter, quote, escape } = csvDialect(source);
  const names: string[] = [];
  let field = "";
  let inQuotes = false;
  let i = 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === escape && escape !== quote && (text[i + 1] === quote || text[i + 1] === escape)) {
        field += text[i + 1];
        i++;
      } else if (ch === quote && text[i + 1] === quote) {
        field += quote;
        i++;
      } else if (ch === quote) inQuotes = false;
      else field += ch;
    } else if (ch === quote) inQuotes = true;
    else if (ch === delimiter) {
      names.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") break;
    else field += ch;
  }
  if (i === text.length && !wholeFile) return undefined;
  if (inQuotes) throw headerDoesNotEnd(displayName);
  names.push(field);
  if (names.length === 1 && names[0].trim() === "") {
    throw new SourceError(
      `${displayName}: the first line is empty; a CSV source starts with a header row.`,
    );
  }
  if (names.length === 1) {
    const likely = LIKELY_DELIMITERS.find((d) => d !== delimiter && names[0].includes(d));
    if (likely) {
      throw new SourceError(
        `${displayName}: the header has one column, ${JSON.stringify(names[0].slice(0, 80))}, which contains ` +
          `${describeDelimiter(likely)}: the file is likely delimited by it. Set source.delimiter: ${describeDelimiter(likely).split(" ")[0]} ` +
          `(the delimiter now is ${describeDelimiter(delimiter)}).`,
      );
    }
  }
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    // The replacement character is what decoding gave bytes that are not UTF-8 (a Latin-1 ß):
    // the column would be named for a name the file does not have.
    if (name.includes("\uFFFD")) {
      throw new SourceError(
        `${displayName}: header column ${index + 1} (${JSON.stringify(name)}) is not UTF-8 text; CSV sources must be UTF-8. Save the file as UTF-8 (e.g. iconv -f latin1 -t UTF-8).`,
      );
    }
    if (name.trim() === "") {
      throw new SourceError(`${displayName}: header column ${index + 1} has no name.`);
    }
    const key = sameNameKey(name);
    const first = seen.get(key);
    if (first !== undefined) {
      // Written the same: "twice"; otherwise both spellings, so `a,A` is not reported as "A" twice.
      const same = names[first] === name;
      throw new SourceError(
        same
          ? `${displayName}: the header names "${name}" twice (columns ${first + 1} and ${index + 1}).`
          : `${displayName}: the header names "${names[first]}" (column ${first + 1}) and "${name}" (column ${index + 1}), ` +
              `which SQL takes for the same name (compared ignoring case and kana, after Unicode NFKC folding). Rename one of them in the file.`,
      );
    }
    seen.set(key, index);
  });
  return names;
}

/**
 * UTF-16 text, with or without its byte-order mark: DuckDB reads it as UTF-8 and fails with "An SQL
 * identifier cannot contain a NUL character". ASCII text in UTF-16 has a NUL in every other byte.
 */
function utf16(bytes: Buffer): "UTF-16LE" | "UTF-16BE" | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "UTF-16LE";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "UTF-16BE";
  if (bytes.length >= 4) {
    if (bytes[0] !== 0 && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) return "UTF-16LE";
    if (bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0 && bytes[3] !== 0) return "UTF-16BE";
  }
  return undefined;
}
