// What is structurally wrong with a CSV file that DuckDB refuses without saying where ("The CSV
// Parser state machine reached an invalid state"): mixed line endings (CRLF and bare LF, which
// DuckDB cannot read in one file) or a quoted field that never closes. Run only after a failure.

import { openSourceStream } from "./sourceStream";

const LF = 0x0a;
const CR = 0x0d;

export async function csvStructureProblem(file: string, quote = '"'): Promise<string | undefined> {
  const quoteByte = quote.charCodeAt(0);
  let line = 1;
  let inQuotes = false;
  let quoteOpenedOn = 0;
  let previous = -1;
  let style: "CRLF" | "LF" | undefined;
  for await (const chunk of openSourceStream(file)) {
    const buf = chunk as Buffer;
    for (let i = 0; i < buf.length; i++) {
      const byte = buf[i];
      if (byte === quoteByte) {
        inQuotes = !inQuotes;
        if (inQuotes) quoteOpenedOn = line;
      } else if (byte === LF) {
        if (!inQuotes) {
          const ending = previous === CR ? "CRLF" : "LF";
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
