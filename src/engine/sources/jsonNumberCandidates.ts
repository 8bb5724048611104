// Whether a JSON file may hold a number that the exact checks of jsonNumbers.ts must look at: one
// cheap test of each record's text, run inside the scan that reads every record for its keys
// (jsonKeys.ts), so a JSON file is read once for both. Most files have no such number, and the exact
// checks (a second read, a join with the writer's own reader) are then skipped.

import { quoteDuckdbLiteral } from "../../plan/sqlQuote";

/** The source names of the columns whose numbers must land exactly: decimals, and strings. */
export interface NumberWatch {
  decimals: readonly string[];
  strings: readonly string[];
}

/** Sixteen digits, a point allowed between them: fewer significant digits always survive a double. */
export const LONG_NUMBER = "([0-9][.]?){16}";

function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "/": "\\/",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/**
 * A key as a JSON file may write it: each character as itself, as a \uXXXX escape (a pair of them
 * past the BMP), or as its short escape (`\"`, `\/`, ...). `am\u006funt` is the key `amount`.
 */
export function keyPattern(key: string): string {
  return [...key]
    .map((ch) => {
      const units = [...Array(ch.length).keys()].map((i) => ch.charCodeAt(i));
      const unicode = units.map((u) => `\\\\u(?i:${u.toString(16).padStart(4, "0")})`).join("");
      const alternatives = [unicode];
      if (SHORT_ESCAPES[ch]) alternatives.push(regexEscape(SHORT_ESCAPES[ch]));
      if (ch !== '"' && ch !== "\\") alternatives.push(regexEscape(ch));
      return `(?:${alternatives.join("|")})`;
    })
    .join("");
}

/**
 * SQL booleans over a record's text `t`: `d`, a decimal key followed by sixteen digits; `s`, a string
 * key followed by a number the reader may spell otherwise (a minus sign, a point or an exponent:
 * a plain whole number lands as written) or by an object or array (which lands as DuckDB's JSON
 * text, its numbers spelt by DuckDB). At any depth: the exact checks tell the depths apart.
 */
export function numberCandidateSql(t: string, watch: NumberWatch): { d: string; s: string } {
  const afterKeys = (keys: readonly string[], value: string) =>
    quoteDuckdbLiteral(`"(?:${keys.map(keyPattern).join("|")})"\\s*:\\s*(?:${value})`);
  return {
    d:
      watch.decimals.length > 0
        ? `regexp_matches(${t}, ${afterKeys(watch.decimals, `-?${LONG_NUMBER}`)})`
        : "false",
    s:
      watch.strings.length > 0
        ? `regexp_matches(${t}, ${afterKeys(watch.strings, "-|[0-9]+[.eE]|[\\[{]")})`
        : "false",
  };
}

/** One string for a watch, to tell whether a scan's answer was for the same columns. */
export function watchKey(watch: NumberWatch): string {
  return JSON.stringify([[...watch.decimals].sort(), [...watch.strings].sort()]);
}
