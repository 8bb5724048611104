// What is structurally wrong with a CSV file that DuckDB refuses without saying where ("The CSV
// Parser state machine reached an invalid state"): mixed line endings (CRLF and bare LF, which
// DuckDB cannot read in one file), a quoted field that never closes, or a first record whose quoted
// line break is of another kind than the file's line endings (DuckDB 1.5.6 takes the file's line
// ending from the first line break it meets, quoted or not: `0,"b\nc"\r\n1,x\r\n` fails with
// "unterminated quote" on line 1, `0,"b\rc"\n1,x\n` with the state machine; probed with read_csv,
// auto_detect=false; RFC 4180 and Python's csv read both). Run only after a failure.

import { openSourceStream } from "./sourceStream";

const LF = 0x0a;
const CR = 0x0d;

/** How the first record's line break of another kind is reported (writeParts.ts looks for it). */
export const FIRST_RECORD_PROBLEM = "line 1: the first record holds a line break inside quotes";

export async function csvStructureProblem(file: string, quote = '"'): Promise<string | undefined> {
  const quoteByte = quote.charCodeAt(0);
  let line = 1;
  let inQuotes = false;
  let quoteOpenedOn = 0;
  let previous = -1;
  let style: "CRLF" | "LF" | undefined;
  /** The kind of the first line break inside quotes before the first record ends. */
  let quotedFirst: "CRLF" | "LF" | "CR" | undefined;
  for await (const chunk of openSourceStream(file)) {
    const buf = chunk as Buffer;
    for (let i = 0; i < buf.length; i++) {
      const byte = buf[i];
      // A CR inside quotes is a line break of its own unless an LF follows (decided at the next
      // byte, which may be in the next chunk).
      if (inQuotes && previous === CR && byte !== LF && style === undefined) quotedFirst ??= "CR";
      if (byte === quoteByte) {
        inQuotes = !inQuotes;
        if (inQuotes) quoteOpenedOn = line;
      } else if (inQuotes && style === undefined && quotedFirst === undefined) {
        if (byte === LF) quotedFirst = previous === CR ? "CRLF" : "LF";
      }
      if (byte === LF) {
        if (!inQuotes) {
          const ending = previous === CR ? "CRLF" : "LF";
          if (style === undefined && quotedFirst !== undefined && quotedFirst !== ending) {
            return (
              `${FIRST_RECORD_PROBLEM} (${quotedFirst}) unlike the file's line endings (${ending}), ` +
              "which DuckDB's reader cannot read: it takes the file's line ending from the first one it meets. " +
              "Put a record without a line break in a value first, or save the file with one kind of line ending, inside values too."
            );
          }
          style ??= ending;
          if (ending !== style) {
            return (
              `line ${line} ends with ${ending} but line 1 ends with ${style}: mixed line endings. ` +
              `Save the file with one kind of line ending.`
            );
          }
        }
        line++;
      }
      previous = byte;
    }
  }
  if (inQuotes) {
    return `the quoted field opened on line ${quoteOpenedOn} is never closed (a stray or missing ").`;
  }
  return undefined;
}
