// The texts of a CSV field that serverless SQL's server-side export takes for each column type, as a
// regular expression the whole value must match (RE2, as DuckDB's regexp_full_match reads it). Pure.
//
// Why: `run --local` stands in for serverless with DuckDB and the runner's strict casts, and those
// casts take texts serverless's check query (renderCetas.ts badValue) refuses: `yes`, `1` and `t` as a
// boolean, `1e5` as a decimal, `24:00:00` as a time (the next midnight), braces or 32 bare digits as a
// GUID. Without these forms a local try would export what Azure then refuses. A form here is the
// texts both engines take: the local target refuses what either refuses, so it may refuse a text
// Azure would take (a time without seconds), never the other way.
//
// From Microsoft's pages (and renderCetas.ts, whose check the forms mirror):
// - Numbers: CAST from varchar ignores leading and trailing blanks, takes a sign, and takes no
//   exponent for the integer types and decimal, one for float
//   (https://learn.microsoft.com/sql/t-sql/functions/cast-and-convert-transact-sql). A decimal's
//   check refuses more digits after the point than decimal(38) has room for.
// - bit: "The string values TRUE and FALSE can be converted to bit values"
//   (https://learn.microsoft.com/sql/t-sql/data-types/bit-transact-sql); the check compares the text
//   with `=`, which ignores trailing blanks, and DuckDB's cast refuses them: neither is in the form.
// - date: the check takes 10 characters in style 23, yyyy-mm-dd (CAST and CONVERT, "Date and time
//   styles"); LEN ignores trailing blanks, which DuckDB's cast also skips.
// - dateTime and dateTimeOffset are read as datetimeoffset
//   (https://learn.microsoft.com/sql/t-sql/data-types/datetimeoffset-transact-sql): hh from 00 to 23,
//   mm and ss from 00 to 59, up to 7 fractional digits (a seventh non-zero one is refused by both), and
//   an offset {+|-}hh:mm from -14:00 to +14:00, or Z. Its default literal has a blank before the
//   offset (`YYYY-MM-DD hh:mm:ss[.nnnnnnn] [{+|-}hh:mm]`), which DuckDB's cast refuses: not in the form.
// - guid: the check takes 36 characters that convert to uniqueidentifier, 8-4-4-4-12 hex digits.

import type { ColumnSpec } from "../spec/types";
import { DEFAULT_DECIMAL_PRECISION } from "./typeMapping";

const SIGN = "[+-]?";
const DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}";
const TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,7})?";
const OFFSET = "(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))";
const HEX = (n: number) => `[0-9a-fA-F]{${n}}`;

/**
 * The form a CSV text of this column must have for serverless SQL's server-side export to take it,
 * or undefined for a string (any text; its length is checked apart).
 */
export function serverlessCsvForm(c: ColumnSpec): string | undefined {
  switch (c.type) {
    case "string":
      return undefined;
    case "int32":
    case "int64":
      return ` *${SIGN}[0-9]+ *`;
    case "double":
      return ` *${SIGN}([0-9]+([.][0-9]*)?|[.][0-9]+)([eE]${SIGN}[0-9]+)? *`;
    case "decimal": {
      // The fraction digits decimal(38) has room for once the integer digits have p - s.
      const room = 38 - ((c.precision ?? DEFAULT_DECIMAL_PRECISION) - (c.scale ?? 0));
      // decimal(38,0) leaves none: digits and at most a point after them (`5.`), as the check takes.
      if (room === 0) return ` *${SIGN}[0-9]+[.]? *`;
      return ` *${SIGN}([0-9]+([.][0-9]{0,${room}})?|[.][0-9]{1,${room}}) *`;
    }
    case "boolean":
      return "([tT][rR][uU][eE]|[fF][aA][lL][sS][eE])";
    case "date":
      return `${DATE} *`;
    case "dateTime":
    case "dateTimeOffset":
      return ` *${DATE}([ T]${TIME}${OFFSET}?)? *`;
    case "guid":
      return `${HEX(8)}-${HEX(4)}-${HEX(4)}-${HEX(4)}-${HEX(12)}`;
  }
}

/** What the column takes, the form included, in the words of a failure. */
export function serverlessCsvFormText(c: ColumnSpec): string | undefined {
  switch (c.type) {
    case "string":
      return undefined;
    case "int32":
    case "int64":
      return "a whole number in range: digits with an optional sign, no point or exponent";
    case "double":
      return "a finite number: digits with an optional sign, point and exponent";
    case "decimal": {
      const p = c.precision ?? DEFAULT_DECIMAL_PRECISION;
      const s = c.scale ?? 0;
      return `at most ${p - s} digits before the point and ${s} after it, trailing zeros aside, an optional sign, no exponent`;
    }
    case "boolean":
      return "true or false, any case";
    case "date":
      return "a date from 0001-01-01 to 9999-12-31 as YYYY-MM-DD";
    case "dateTime":
    case "dateTimeOffset":
      return "YYYY-MM-DD, or YYYY-MM-DD hh:mm:ss[.fraction] (or with T) and an optional Z or ±hh:mm up to ±14:00, hh from 00 to 23";
    case "guid":
      return "8-4-4-4-12 hex digits";
  }
}
