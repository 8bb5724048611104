// DuckDB's JSON and Parquet reader errors, said in the words of the file as a user sees it: the line
// an editor shows, and what to do. Run only after a failure.

import { openSourceStream } from "./sourceStream";
import { createInterface } from "node:readline";
import { jsonlRecordLine } from "./lineLocator";
import type { NamedSourceFile } from "./resolveSources";

/**
 * DuckDB numbers JSON Lines errors by record (blank lines not counted), and its "Malformed JSON"
 * errors one past the record (measured with DuckDB 1.5: a bad first line is reported as "line 2"),
 * while its "JSON transform error" numbers the record itself.
 */
const MALFORMED = /^Malformed JSON in file "(.*)", at byte (\d+) in line (\d+): ([^.\n]*)/;
const TRANSFORM = /^JSON transform error in file "(.*)", in line (\d+): ([^\n]*)/;
/** Raised while DuckDB samples the lines, before any record is read: it names no line. */
const NON_RECORD = /expected records, but got non-record JSON/;
/** A `json` source: a malformed element of the array, or a file that is not an array. */
const MALFORMED_ELEMENT =
  /^Malformed JSON in file "(.*)", at byte (\d+) in record\/value (\d+): ([^.\n]*)/;
const NOT_ARRAY =
  /^Expected top-level JSON array with format='array', but first character is '(.*)' in file "(.*)"/;
const NOT_PARQUET = /No magic bytes found at end of file|TProtocolException|Invalid Parquet file/i;

export async function jsonOrParquetProblem(
  files: readonly NamedSourceFile[],
  text: string,
): Promise<string | undefined> {
  const malformed = MALFORMED.exec(text);
  if (malformed) {
    const [, name, byte, record, what] = malformed;
    const where = await physicalLine(files, name, Number(record) - 1);
    return `${where}: not valid JSON at byte ${byte} of the line (${what}). Each line must be one complete JSON object.`;
  }
  const element = MALFORMED_ELEMENT.exec(text);
  if (element) {
    const [, name, byte, record, what] = element;
    // Numbered one past the element, as DuckDB's JSON Lines "Malformed JSON" errors are.
    return `${shownName(files, name)}: element ${Number(record) - 1} of the array is not valid JSON at byte ${byte} of the element (${what}).`;
  }
  const notArray = NOT_ARRAY.exec(text);
  if (notArray) {
    const [, first, name] = notArray;
    return (
      `${shownName(files, name)} is not a JSON array (it starts with '${first}'). A json source is one array of objects; ` +
      `for one object per line, name the file .jsonl or set format: jsonl.`
    );
  }
  const transform = TRANSFORM.exec(text);
  if (transform) {
    const [, name, record, what] = transform;
    const where = await physicalLine(files, name, Number(record));
    const hint = /^Expected OBJECT/.test(what)
      ? " Each line of a JSON Lines source must be one JSON object."
      : "";
    return `${where}: ${what}.${hint}`;
  }
  if (NON_RECORD.test(text)) {
    for (const file of files) {
      const found = await firstNonObjectLine(file.absPath);
      if (found) {
        const shown = found.text.length > 60 ? `${found.text.slice(0, 60)}…` : found.text;
        return `${file.relPath} line ${found.line}: ${JSON.stringify(shown)} is not a JSON object. Each line of a JSON Lines source must be one JSON object.`;
      }
    }
  }
  if (NOT_PARQUET.test(text)) {
    const file =
      files.find((f) => text.includes(f.absPath)) ?? (files.length === 1 ? files[0] : undefined);
    const named = file ? `${file.relPath}: ` : "";
    const detail = files.reduce((t, f) => t.split(f.absPath).join(f.relPath), text);
    return `${named}not a readable Parquet file: it is truncated, damaged or not Parquet at all (${detail}). Write the file again.`;
  }
  return undefined;
}

function shownName(files: readonly NamedSourceFile[], name: string): string {
  return files.find((f) => f.absPath === name || f.relPath === name)?.relPath ?? name;
}

async function physicalLine(
  files: readonly NamedSourceFile[],
  name: string,
  record: number,
): Promise<string> {
  const file = files.find((f) => f.absPath === name || f.relPath === name);
  if (!file) return `${name} record ${record}`;
  const line = await jsonlRecordLine(file.absPath, record).catch(() => undefined);
  return `${file.relPath} line ${line ?? `${record} (counting non-blank lines)`}`;
}

/** A record starts with `{`; anything else on a non-blank line is an array, a scalar or garbage. */
export async function firstNonObjectLine(
  file: string,
): Promise<{ line: number; text: string } | undefined> {
  const lines = createInterface({ input: openSourceStream(file), crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const raw of lines) {
      n++;
      const text = (n === 1 ? raw.replace(/^\uFEFF/, "") : raw).trim();
      if (text !== "" && !text.startsWith("{")) return { line: n, text };
    }
  } finally {
    lines.close();
  }
  return undefined;
}
