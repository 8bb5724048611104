// The header row of a CSV file, read here rather than sniffed by DuckDB: the sniffer guesses (it
// may take a short first data row for a preamble to skip, or fail with "could not detect the
// dialect" on a row with a field too many), while RFC 4180 says exactly what the first record is.

import { promises as fs } from "node:fs";
import { SourceError } from "./sourceError";

/** A header longer than this is not a header. */
const MAX_HEADER_BYTES = 1 << 20;

export async function readCsvHeader(file: string, displayName: string): Promise<string[]> {
  const handle = await fs.open(file, "r");
  let text: string;
  try {
    const buf = Buffer.alloc(Math.min(MAX_HEADER_BYTES, (await handle.stat()).size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    text = buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const names: string[] = [];
  let field = "";
  let inQuotes = false;
  let i = 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ",") {
      names.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") break;
    else field += ch;
  }
  if (inQuotes || (i === text.length && text.length === MAX_HEADER_BYTES)) {
    throw new SourceError(`${displayName}: the header row does not end (an unclosed quote?).`);
  }
  names.push(field);
  if (names.length === 1 && names[0].trim() === "") {
    throw new SourceError(
      `${displayName}: the first line is empty; a CSV source starts with a header row.`,
    );
  }
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    if (name.trim() === "") {
      throw new SourceError(`${displayName}: header column ${index + 1} has no name.`);
    }
    const key = name.toLowerCase();
    if (seen.has(key)) {
      throw new SourceError(
        `${displayName}: the header names "${name}" twice (columns ${seen.get(key)! + 1} and ${index + 1}).`,
      );
    }
    seen.set(key, index);
  });
  return names;
}
