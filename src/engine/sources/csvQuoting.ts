// What DuckDB's CSV reader (1.5.6, strict_mode) changes in a file without an error, probed value by
// value (test/engine/csvQuoting.test.ts):
//
// - One space before the quote that opens a field, or after the quote that closes it, is dropped:
//   `1, "x"` and `1,"x" ` both read `x`. RFC 4180 has no blanks outside a field's quotes (its
//   spaces "are part of a field"), and Python's csv reads ` "x"`. Two spaces, or a tab, are kept
//   as text, quotes and all; a blank after the closing quote then fails in DuckDB itself.
// - With an escape other than the quote, an escape inside quotes before any character but the quote
//   or itself is dropped: `"C:\temp"` reads `C:temp`, and a MySQL-style `\N` or `\t` reads `N`, `t`.
//
// Neither shows in the values DuckDB returns, so the file's bytes are scanned, beside the COPY that
// reads them, and such a file fails naming its line instead of landing changed. The scan follows the
// quotes only: a file with few quoted fields costs little more than one read, a fully quoted one about
// as much again (measured: 0.1 s and 0.6 s of CPU for 300 MB).

import { openSourceStream } from "./sourceStream";
import type { CsvDialect } from "./csvDialect";

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BOM = [0xef, 0xbb, 0xbf];
/** How far the scan looks byte by byte before it calls indexOf (quotes of a fully quoted file are a few bytes apart). */
const NEAR_BYTES = 32;

/** The first place in the file where DuckDB would read something other than what it says. */
export async function csvQuotingProblem(
  file: string,
  dialect: CsvDialect,
): Promise<string | undefined> {
  const scan = new QuotingScan(dialect);
  for await (const chunk of openSourceStream(file, 4 << 20)) {
    if (scan.push(chunk as Buffer)) break;
  }
  return describeQuotingProblem(file, scan.end(), dialect);
}

/** A scan's finding in words, with the line it is on (read again only when there is one). */
export async function describeQuotingProblem(
  file: string,
  found: Found | undefined,
  dialect: CsvDialect,
): Promise<string | undefined> {
  if (!found) return undefined;
  return `line ${await lineAt(file, found.offset)}: ${found.what(dialect)}`;
}

export interface Found {
  /** Byte offset in the file as DuckDB reads it (decompressed). */
  offset: number;
  what: (d: CsvDialect) => string;
}

const OUTSIDE =
  "which the reader would drop (RFC 4180 has no blanks outside a field's quotes). Remove the space, or put it inside the quotes.";
const SPACE_BEFORE = (d: CsvDialect) =>
  `a space before the quote (${d.quote}) that opens a field, ${OUTSIDE}`;
const SPACE_AFTER = (d: CsvDialect) =>
  `a space after the quote (${d.quote}) that closes a field, ${OUTSIDE}`;
const ESCAPE_BEFORE = (next: string) => (d: CsvDialect) =>
  `the escape (${d.escape}) before ${JSON.stringify(next)} inside a quoted field, which the reader would drop: ` +
  `an escape may stand only before the quote (${d.quote}) or itself. Double it (${d.escape}${d.escape}) where it is text.`;

/** Where the scan is between two windows of the file. */
interface ScanState {
  inQuotes: boolean;
  /** The next index of the window to look at. */
  pos: number;
  /** File offset of the window's first byte. */
  base: number;
  /** File offset where the first field starts (after a UTF-8 BOM). */
  start: number;
}

interface Tokens {
  /** DuckDB's quote and escape are one byte each ("The quote option cannot exceed a size of 1 byte"). */
  quote: number;
  /** undefined when the escape is the quote (RFC 4180: a doubled quote). */
  escape: number | undefined;
  /** The delimiter may be several bytes (`§` is two). */
  delim: Buffer;
  /** False for a space delimiter: a space is then no blank. */
  blanksMatter: boolean;
}

/**
 * The scan, fed the file's bytes (as DuckDB reads them) a chunk at a time. A chunk is not kept: the
 * caller may read into the same buffer again (the few bytes a decision at a chunk's end needs are
 * copied). `push` is true once a problem is found; `end` gives it, after the last chunk.
 */
export class QuotingScan {
  private readonly t: Tokens;
  /** Bytes kept before the resume point: a delimiter and a space before a quote. */
  private readonly behind: number;
  private readonly st: ScanState = { inQuotes: false, pos: 0, base: 0, start: 0 };
  private work: Buffer = Buffer.alloc(0);
  private first = true;
  private found: Found | undefined;
  private ended = false;

  constructor(d: CsvDialect) {
    this.t = {
      quote: Buffer.from(d.quote, "utf8")[0],
      escape: d.escape === d.quote ? undefined : Buffer.from(d.escape, "utf8")[0],
      delim: Buffer.from(d.delimiter, "utf8"),
      blanksMatter: d.delimiter !== " " && d.quote !== " ",
    };
    this.behind = this.t.delim.length + 1;
  }

  push(chunk: Buffer): boolean {
    if (this.found) return true;
    const st = this.st;
    const work = this.work.length === 0 ? chunk : Buffer.concat([this.work, chunk]);
    if (this.first) {
      this.first = false;
      if (work[0] === BOM[0] && work[1] === BOM[1] && work[2] === BOM[2]) st.start = 3;
    }
    this.found = scanWindow(work, st, this.t, false);
    if (this.found) return true;
    const keepFrom = Math.max(0, Math.min(st.pos, work.length) - this.behind);
    // A copy: `chunk` may be the caller's buffer, read into again after this returns.
    this.work = Buffer.from(work.subarray(keepFrom));
    st.base += keepFrom;
    st.pos -= keepFrom;
    return false;
  }

  end(): Found | undefined {
    if (!this.found && !this.ended) this.found = scanWindow(this.work, this.st, this.t, true);
    this.ended = true;
    return this.found;
  }
}

/** True when `delim` ends just before w[i]. */
function delimBefore(w: Buffer, i: number, delim: Buffer): boolean {
  const from = i - delim.length;
  if (from < 0) return false;
  for (let k = 0; k < delim.length; k++) if (w[from + k] !== delim[k]) return false;
  return true;
}

/** True when a field starts at w[i]: the file's start, a line's start or after a delimiter. */
function fieldStartsAt(w: Buffer, i: number, st: ScanState, delim: Buffer): boolean {
  if (st.base + i === st.start) return true;
  const before = w[i - 1];
  return before === LF || before === CR || delimBefore(w, i, delim);
}

/** True when a field ends at w[i] (the end of the window is the end of the file when final). */
function fieldEndsAt(w: Buffer, i: number, delim: Buffer, final: boolean): boolean {
  if (i >= w.length) return final;
  const at = w[i];
  return at === LF || at === CR || delimBefore(w, i + delim.length, delim);
}

/** The next index of byte `b` from `from`, or -1: a byte loop for the next few bytes, then memchr. */
function next(w: Buffer, b: number, from: number): number {
  const near = Math.min(w.length, from + NEAR_BYTES);
  for (let i = from; i < near; i++) if (w[i] === b) return i;
  return near === w.length ? -1 : w.indexOf(b, near);
}

/**
 * Follows the quotes of one window. Without `final` it stops where a decision needs bytes past the
 * window (`st.pos` is then where to go on); with it, the window's end is the file's.
 */
function scanWindow(w: Buffer, st: ScanState, t: Tokens, final: boolean): Found | undefined {
  const { quote, escape, delim, blanksMatter } = t;
  // Bytes a decision after a quote or an escape may look at: a quote or a space and a delimiter.
  const ahead = delim.length + 2;
  let pos = st.pos;
  let inQuotes = st.inQuotes;
  try {
    for (;;) {
      const q = next(w, quote, pos);
      if (!inQuotes) {
        if (q < 0) {
          pos = w.length;
          return undefined;
        }
        if (fieldStartsAt(w, q, st, delim)) {
          inQuotes = true;
        } else if (blanksMatter && w[q - 1] === SPACE && fieldStartsAt(w, q - 1, st, delim)) {
          return { offset: st.base + q - 1, what: SPACE_BEFORE };
        }
        // Otherwise a quote inside an unquoted field, which DuckDB keeps as text.
        pos = q + 1;
        continue;
      }
      const e = escape === undefined ? -1 : next(w, escape, pos);
      if (e >= 0 && (q < 0 || e < q)) {
        if (e + 2 > w.length && !final) {
          pos = e;
          return undefined;
        }
        const after = w[e + 1];
        if (after === quote || after === escape) {
          pos = e + 2;
          continue;
        }
        const shown = w
          .subarray(e + 1, e + 5)
          .toString("utf8")
          .slice(0, 1);
        return { offset: st.base + e, what: ESCAPE_BEFORE(shown) };
      }
      if (q < 0) {
        pos = w.length;
        return undefined;
      }
      if (q + ahead > w.length && !final) {
        pos = q;
        return undefined;
      }
      if (escape === undefined && w[q + 1] === quote) {
        pos = q + 2; // a doubled quote: text, still inside
        continue;
      }
      inQuotes = false;
      if (blanksMatter && w[q + 1] === SPACE && fieldEndsAt(w, q + 2, delim, final)) {
        return { offset: st.base + q + 1, what: SPACE_AFTER };
      }
      pos = q + 1;
    }
  } finally {
    st.pos = pos;
    st.inQuotes = inQuotes;
  }
}

/** The line (1-based, as an editor counts) holding the byte at `offset`. */
async function lineAt(file: string, offset: number): Promise<number> {
  let line = 1;
  let seen = 0;
  for await (const chunk of openSourceStream(file)) {
    const buf = chunk as Buffer;
    const end = Math.min(buf.length, offset - seen);
    for (let i = buf.indexOf(LF); i >= 0 && i < end; i = buf.indexOf(LF, i + 1)) line++;
    seen += buf.length;
    if (seen >= offset) break;
  }
  return line;
}
