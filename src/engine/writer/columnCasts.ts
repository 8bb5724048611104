// How a source value becomes a value of its declared column type, and how a value that does not fit
// is recognised. The cast is strict: DuckDB's own casts already refuse most misfits (bad dates, text
// in numbers, decimal overflow); where they would quietly change a value instead (1.5 rounded into an
// int32, "1e3" as 1000, NaN or Infinity that Synapse cannot hold, a string past maxLength) the
// expression calls error() so the COPY fails rather than writing a value the user did not have.
//
// `fits` is the same rule written with TRY_CAST: the diagnostic query uses it to find the first bad
// value and name it, only after the strict COPY has failed, so the fast path pays for no checks twice.

import { quoteDuckdbIdentifier, quoteDuckdbLiteral } from "../../plan/sqlQuote";
import { DEFAULT_DECIMAL_PRECISION, duckdbType } from "../../plan/typeMapping";
import type { ColumnSpec } from "../../spec/types";
import type { ColumnBinding } from "../sources/bindColumns";
import { isNestedDuckdbType } from "../sources/duckdbTypes";
import { NOT_PLAIN_INTEGER, REGEX_SHAPES, type ShapeTests } from "./valueShapes";

const FRACTIONAL = /^(FLOAT|DOUBLE|DECIMAL)/i;

/**
 * Synapse's date and datetime2 hold 0001-01-01 to 9999-12-31
 * (https://learn.microsoft.com/sql/t-sql/data-types/datetime2-transact-sql); DuckDB's DATE and
 * TIMESTAMP also hold `infinity`, year 0, years BC and years past 9999, which would reach the lake
 * and then fail (or read back as something else) in Synapse. Checked after an offset is applied, so
 * 9999-12-31T23:59:59-05:00 (year 10000 in UTC) is refused too.
 */
const FIRST_DATE = "DATE '0001-01-01'";
const LAST_DATE = "DATE '9999-12-31'";
const FIRST_TIMESTAMP = "TIMESTAMP '0001-01-01 00:00:00'";
const LAST_TIMESTAMP = "TIMESTAMP '9999-12-31 23:59:59.999999'";

/**
 * datetime2(6) and the Parquet INT64 micros timestamps hold microseconds; DuckDB's TIMESTAMPTZ cast
 * silently drops a seventh fractional digit (SQL Server's datetime2(7) writes seven). A digit past the
 * sixth that is not zero is refused rather than dropped.
 */
const SUB_MICROSECOND_TEXT = "[0-9]:[0-9]{2}[.][0-9]{6}[0-9]*[1-9]";

/**
 * UTC offsets run from -14:00 to +14:00, minutes from 00 to 59, without seconds (SQL Server's
 * datetimeoffset holds no others: https://learn.microsoft.com/sql/t-sql/data-types/datetimeoffset-transact-sql).
 * DuckDB's TIMESTAMPTZ cast and strptime's %z take any two-digit hour and minute and apply seconds:
 * `+99` landed 99 hours earlier, `+14:60` and `+1460` as +15:00, `+00:99` as +01:39, `+14:00:30`
 * 30 seconds off. An offset that is not one datetimeoffset holds is refused: an hour past 14, 14 with
 * minutes, minutes of 60 or more, or seconds that are not 00.
 */
const BAD_OFFSET =
  "[+-](" +
  "(1[5-9]|[2-9][0-9])(:?[0-9]{2}){0,2}" +
  "|14:?(0[1-9]|[1-9][0-9])(:?[0-9]{2})?" +
  "|[0-9]{2}:?[6-9][0-9](:?[0-9]{2})?" +
  "|[0-9]{2}:?[0-9]{2}:?(0[1-9]|[1-9][0-9])" +
  ")\\s*$";
const OFFSET_PAST_14_TEXT = `:[0-9]{2}([.][0-9]*)?\\s*${BAD_OFFSET}`;

/**
 * The same for a `format` ending with %z (spec/rules.ts refuses %z anywhere else): its offset need
 * not follow minutes or seconds, so it is read at the end of the text (blanks after it are taken by
 * strptime, so they are here too).
 */
const FORMAT_OFFSET_PAST_14_TEXT = BAD_OFFSET;

/** The check of a text's UTC offset, or none for a `format` without one. */
function offsetPast14(format: string | undefined): string | undefined {
  if (format === undefined) return OFFSET_PAST_14_TEXT;
  return format.endsWith("%z") ? FORMAT_OFFSET_PAST_14_TEXT : undefined;
}

/**
 * DuckDB's DATE cast reads the date at the start of the text and ignores the rest after a space or a
 * `T`: `2024-01-01T23:00:00-05:00` (2 January in UTC), `2024-01-01 12:30`, `2024-01-01 BC` and
 * `2024-01-01 garbage` all became 2024-01-01. A date's text is a date alone (`-` or `/` between
 * its fields), or a timestamp at midnight UTC of that date (as a datetime export writes dates).
 */
const PLAIN_DATE_TEXT = "\\s*[0-9]+[-/][0-9]{1,2}[-/][0-9]{1,2}\\s*";

/**
 * The other texts a GUID may be written as: any case, the 36-character form or 32 digits without
 * hyphens, either in braces. DuckDB's UUID cast also skips hyphens wherever they are
 * (`0-b-f-c4568a4ba…`, a trailing `-`): such a text fails instead, as README says. A lone brace
 * passes this shape, and the cast refuses it.
 */
const GUID_FORMS_TEXT =
  "\\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})\\}?";

/**
 * A typed number (a Parquet INT32 or DOUBLE) bound to a boolean: DuckDB's cast makes every non-zero
 * number true (2 and 0.5 landed as true), so only 0 and 1 are a boolean's value.
 */
function numberAsBoolean(b: ColumnBinding): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/i.test(
    b.sourceType,
  );
}

function isText(b: ColumnBinding): boolean {
  return b.sourceType.toUpperCase() === "VARCHAR";
}

/** The source value as the string column would hold it. */
function asString(b: ColumnBinding, v: string): string {
  if (isText(b)) return v;
  // A Parquet BYTE_ARRAY without the UTF8 annotation (Impala, older parquet-mr) reads as a BLOB, whose
  // cast to VARCHAR writes escapes (café became caf\xC3\xA9): decoded as UTF-8, or failed when it is not.
  if (b.sourceType.toUpperCase() === "BLOB") return `decode(${v})`;
  if (isNestedDuckdbType(b.sourceType)) return `CAST(to_json(${v}) AS VARCHAR)`;
  return `CAST(${v} AS VARCHAR)`;
}

/**
 * DuckDB's DOUBLE and DECIMAL casts read `_` between digits as a separator (`1_000` is 1000): text
 * with one is not a number the source wrote as such, and fails as it does for the integers.
 */
function noSeparator(b: ColumnBinding, v: string): string {
  return isText(b) ? ` AND NOT contains(${v}, '_')` : "";
}

/**
 * A text whose digits before any exponent are not all zeros, cast to 0: a number below the smallest
 * double (1e-400, 2e-324) underflows to 0 without a word, where one past the largest fails as
 * infinite. Refused like it. The test on the text runs only for the values that cast to 0.
 */
function noUnderflow(b: ColumnBinding, v: string): string {
  return isText(b)
    ? ` AND NOT (TRY_CAST(${v} AS DOUBLE) = 0 AND regexp_matches(${v}, '^[^eE]*[1-9]'))`
    : "";
}

function fail(b: ColumnBinding): string {
  return `error(${quoteDuckdbLiteral(`column "${b.column.name}": ${misfitReason(b.column)}`)})`;
}

/** A number with an exponent: the digits before the point, after it, and the exponent. */
const EXPONENT_TEXT = "^\\s*[+-]?([0-9]*)(?:[.]([0-9]*))?[eE]([+-]?[0-9]+)\\s*$";

/**
 * True when a decimal value has no non-zero digit past the column's scale: DuckDB's DECIMAL cast
 * rounds 1.239 to 1.24 in a decimal(18,2), which would change the customer's value without a word.
 * Text with an exponent (1.5e2) is counted the same way once the exponent has moved the point: not
 * compared through a double, which holds 15-17 digits (`1.00000000000000001e0` was rounded to 1.00).
 */

function decimalScaleFits(b: ColumnBinding, v: string): string {
  const c = b.column;
  const target = duckdbType(c);
  if (isText(b)) {
    const digits = `'[.][0-9]{${c.scale ?? 0}}[0-9]*[1-9]'`;
    const part = (i: number) => `regexp_extract(${v}, '${EXPONENT_TEXT}', ${i})`;
    // Digits up to the last non-zero one, less those before the point, less the exponent: the
    // digits the value has after the point.
    const fractionDigits = `length(rtrim(${part(1)} || ${part(2)}, '0')) - length(${part(1)}) - TRY_CAST(${part(3)} AS BIGINT)`;
    // DuckDB's cast reads at most `precision` digits after the point before it applies the exponent
    // (0.000000000000000012345e16 in a decimal(18,4) became 0.1200, measured on 1.5.6 at precisions
    // 4, 9, 18 and 38): a text with more, up to its last non-zero one, fails instead.
    const precision = c.precision ?? DEFAULT_DECIMAL_PRECISION;
    const mantissaFits = `length(rtrim(${part(2)}, '0')) <= ${precision}`;
    return `CASE WHEN regexp_matches(${v}, '[eE]') THEN ${fractionDigits} <= ${c.scale ?? 0} AND ${mantissaFits} ELSE NOT regexp_matches(${v}, ${digits}) END${noSeparator(b, v)}`;
  }
  if (FRACTIONAL.test(b.sourceType)) {
    return `TRY_CAST(TRY_CAST(${v} AS ${target}) AS ${b.sourceType}) = ${v}`;
  }
  return "true";
}

/**
 * Plain digits with at most the column's scale after the point: no exponent, no separator, no digit
 * to round, so decimalScaleFits holds by the form alone and only the cast remains (which still
 * refuses too many digits before the point). A CASE branch of its own: DuckDB evaluates the later
 * branches only for the rows it leaves (an OR in one condition evaluates both sides for every row).
 */
function fastDecimal(b: ColumnBinding, v: string, target: string, shapes: ShapeTests): Branch[] {
  if (!isText(b)) return [];
  return [{ when: shapes.plainDecimal(v, b.column.scale ?? 0), then: `CAST(${v} AS ${target})` }];
}

/** The date or timestamp a value becomes, or NULL; `strict` fails on a value that is not one. */
function temporalValue(b: ColumnBinding, v: string, strict: boolean): string {
  const c = b.column;
  const cast = strict ? "CAST" : "TRY_CAST";
  if (c.format !== undefined) {
    // strptime fails on text that does not match the whole pattern; %z gives a TIMESTAMPTZ.
    const parsed = `${strict ? "strptime" : "try_strptime"}(${v}, ${quoteDuckdbLiteral(c.format)})`;
    if (c.type === "date") return `CAST(${parsed} AS DATE)`;
    return `make_timestamp(epoch_us(CAST(${parsed} AS TIMESTAMPTZ)))`;
  }
  if (c.type === "date") return `${cast}(${v} AS DATE)`;
  // Through TIMESTAMPTZ so that an offset in the value is applied (a plain TIMESTAMP cast drops
  // it); a value without one is taken as UTC, the session's zone. Back to TIMESTAMP through the
  // epoch: the same instant, without ICU's calendar conversion (twice as fast as timezone()).
  return `make_timestamp(epoch_us(${cast}(${v} AS TIMESTAMPTZ)))`;
}

/** SQL true when a date or timestamp is inside what Synapse holds, to the microsecond. */
function temporalFits(b: ColumnBinding, v: string, value: string): string {
  const fits = temporalRangeFits(b, v, value);
  // strptime's %n reads nine digits into a TIMESTAMP_NS, whose cast to microseconds drops the last
  // three (20240101 120000.123456789 landed as .123456): refused unless they are zeros.
  if (b.column.format?.includes("%n")) {
    const parsed = `try_strptime(${v}, ${quoteDuckdbLiteral(b.column.format)})`;
    return `${fits} AND epoch_ns(${parsed}) % 1000 = 0`;
  }
  return fits;
}

function temporalRangeFits(b: ColumnBinding, v: string, value: string): string {
  const range =
    b.column.type === "date"
      ? `${value} BETWEEN ${FIRST_DATE} AND ${LAST_DATE}`
      : `${value} BETWEEN ${FIRST_TIMESTAMP} AND ${LAST_TIMESTAMP}`;
  if (b.column.type === "date" && b.column.format !== undefined) {
    // A pattern with a time of day must not lose it to the date: only midnight is a date.
    const parsed = `try_strptime(${v}, ${quoteDuckdbLiteral(b.column.format)})`;
    return `${range} AND CAST(${parsed} AS TIMESTAMP) = CAST(CAST(${parsed} AS DATE) AS TIMESTAMP)`;
  }
  if (b.column.type === "date") {
    // A typed source (a Parquet TIMESTAMP bound to a date) must not lose a time of day either.
    if (!isText(b)) {
      // At nanoseconds: through TIMESTAMP a TIMESTAMP_NS 00:00:00.000000001 compared equal to midnight.
      return `${range} AND coalesce(TRY_CAST(${v} AS TIMESTAMP_NS) = CAST(${value} AS TIMESTAMP_NS), true)`;
    }
    const midnight = `TRY_CAST(${v} AS TIMESTAMPTZ) = CAST(${value} AS TIMESTAMPTZ) AND NOT regexp_matches(${v}, '${SUB_MICROSECOND_TEXT}')`;
    return `${range} AND (regexp_full_match(${v}, '${PLAIN_DATE_TEXT}') OR (${midnight}))`;
  }
  if (isText(b)) {
    const offset = offsetPast14(b.column.format);
    const offsetFits = offset === undefined ? "" : ` AND NOT regexp_matches(${v}, '${offset}')`;
    return `${range} AND NOT regexp_matches(${v}, '${SUB_MICROSECOND_TEXT}')${offsetFits}`;
  }
  if (/^TIMESTAMP_NS$/i.test(b.sourceType)) return `${range} AND epoch_ns(${v}) % 1000 = 0`;
  return range;
}

/**
 * The `WHEN ... THEN ...` branches that take a date or timestamp of a common shape (FAST_*_TEXT)
 * straight to its value; CASE evaluates the later branches only for the rows these leave. The shape
 * with an offset goes through TIMESTAMPTZ as before (an explicit offset needs no time zone lookup);
 * the shape without one through TIMESTAMP, which reads the same wall clock time as TIMESTAMPTZ does
 * in the session's UTC, without ICU (twice as fast) — never for text with an offset, which the
 * TIMESTAMP cast would drop.
 */
function fastTemporal(b: ColumnBinding, v: string, shapes: ShapeTests): Branch[] {
  if (!isText(b) || b.column.format !== undefined) return [];
  if (b.column.type === "date") return [{ when: shapes.fastDate(v), then: `CAST(${v} AS DATE)` }];
  const local = { when: shapes.fastLocal(v), then: `CAST(${v} AS TIMESTAMP)` };
  const offset = {
    when: shapes.fastOffset(v),
    then: `make_timestamp(epoch_us(CAST(${v} AS TIMESTAMPTZ)))`,
  };
  // The shape a column mostly holds first: the second test runs only on the rows the first leaves.
  return b.column.type === "dateTimeOffset" ? [offset, local] : [local, offset];
}

/** A CASE branch: the value `then` for the rows where `when` is true. */
interface Branch {
  when: string;
  then: string;
}

/**
 * `CASE` over the fast branches, then `rest` (the full checks' WHEN and ELSE). A NULL value is taken
 * by the first fast branch, not a `WHEN v IS NULL THEN NULL` of its own: its shape test is NULL for a
 * NULL text, `IS NOT FALSE` lets that through, and its cast of NULL is NULL. Each branch is a split
 * of the rows DuckDB makes per vector; one fewer saved about 0.06 s of CPU per column on 5M rows.
 */
function caseOver(v: string, fast: readonly Branch[], rest: string): string {
  if (fast.length === 0) return `CASE WHEN ${v} IS NULL THEN NULL ${rest} END`;
  const [first, ...others] = fast;
  const more = others.map((o) => ` WHEN ${o.when} THEN ${o.then}`).join("");
  return `CASE WHEN (${first.when}) IS NOT FALSE THEN ${first.then}${more} ${rest} END`;
}

/**
 * The strict expression, typed exactly as src/plan/typeMapping.ts says. `shapes` are the session's
 * shape tests (valueShapes.ts): the native ones where it loaded them, which decide the same texts.
 */
export function castExpression(b: ColumnBinding, shapes: ShapeTests = REGEX_SHAPES): string {
  const v = quoteDuckdbIdentifier(b.sourceName);
  const c = b.column;
  const target = duckdbType(c);
  let e: string;
  switch (c.type) {
    case "string": {
      const s = asString(b, v);
      e =
        c.maxLength === undefined
          ? s
          : `CASE WHEN length(${s}) > ${c.maxLength} THEN ${fail(b)} ELSE ${s} END`;
      // strlen counts bytes (UTF-8), length characters.
      if (b.maxBytes !== undefined) {
        const tooLong = `column "${b.column.name}": is more than ${b.maxBytes} bytes in UTF-8`;
        e = `CASE WHEN strlen(${s}) > ${b.maxBytes} THEN error(${quoteDuckdbLiteral(tooLong)}) ELSE ${e} END`;
      }
      break;
    }
    case "int32":
    case "int64":
      if (isText(b)) {
        // NULL passes (NOT of a NULL test is NULL), and its cast is NULL.
        e = `CASE WHEN (NOT ${shapes.notPlainInteger(v)}) IS NOT FALSE THEN CAST(${v} AS ${target}) ELSE ${fail(b)} END`;
      } else if (FRACTIONAL.test(b.sourceType)) {
        e = `CASE WHEN ${v} IS NULL OR ${v} = trunc(${v}) THEN CAST(${v} AS ${target}) ELSE ${fail(b)} END`;
      } else e = `CAST(${v} AS ${target})`;
      break;
    case "double": {
      const plain = isText(b) ? shapes.plainDouble?.(v) : undefined;
      const fast = plain === undefined ? [] : [{ when: plain, then: `CAST(${v} AS DOUBLE)` }];
      e = caseOver(
        v,
        fast,
        `WHEN isfinite(CAST(${v} AS DOUBLE))${noSeparator(b, v)}${noUnderflow(b, v)} THEN CAST(${v} AS DOUBLE) ELSE ${fail(b)}`,
      );
      break;
    }
    case "decimal":
      e = caseOver(
        v,
        fastDecimal(b, v, target, shapes),
        `WHEN ${decimalScaleFits(b, v)} THEN CAST(${v} AS ${target}) ELSE ${fail(b)}`,
      );
      break;
    case "date":
    case "dateTime":
    case "dateTimeOffset": {
      const value = temporalValue(b, v, true);
      e = caseOver(
        v,
        fastTemporal(b, v, shapes),
        `WHEN coalesce(${temporalFits(b, v, value)}, false) THEN ${value} ELSE ${fail(b)}`,
      );
      break;
    }
    case "boolean":
      e = numberAsBoolean(b)
        ? `CASE WHEN ${v} IS NULL OR ${v} IN (0, 1) THEN CAST(${v} AS BOOLEAN) ELSE ${fail(b)} END`
        : `CAST(${v} AS ${target})`;
      break;
    case "guid":
      // Braces, upper case and missing hyphens normalise to the 36-character form Synapse reads as
      // varchar(36). Text already in that form (lower case, hyphenated) is what the UUID cast would
      // give back, and is kept as it is: the round trip through UUID cost a third of the export's
      // CPU above DuckDB's own COPY (measured at 1M rows).
      e = isText(b)
        ? `CASE WHEN ${shapes.canonicalGuid(v)} THEN ${v} WHEN regexp_full_match(${v}, '${GUID_FORMS_TEXT}') THEN CAST(CAST(${v} AS UUID) AS VARCHAR) WHEN ${v} IS NOT NULL THEN ${fail(b)} END`
        : `CAST(CAST(${v} AS UUID) AS VARCHAR)`;
      break;
    default:
      e = `CAST(${v} AS ${target})`;
  }
  return `CAST(${e} AS ${target})`;
}

/** SQL that is true when the source value is not null and does not fit the column. */
export function misfitPredicate(b: ColumnBinding): string {
  const v = quoteDuckdbIdentifier(b.sourceName);
  return `(${v} IS NOT NULL AND NOT coalesce(${fitsExpression(b, v)}, false))`;
}

function fitsExpression(b: ColumnBinding, v: string): string {
  const c = b.column;
  const target = duckdbType(c);
  switch (c.type) {
    case "string": {
      // A BLOB that is not UTF-8 fails its decode: a misfit here, not an error of the diagnostic.
      const blob = b.sourceType.toUpperCase() === "BLOB";
      const s = blob ? `try(decode(${v}))` : asString(b, v);
      const chars = c.maxLength === undefined ? "true" : `length(${s}) <= ${c.maxLength}`;
      const text = blob ? `${s} IS NOT NULL AND ${chars}` : chars;
      return b.maxBytes === undefined ? text : `${text} AND strlen(${s}) <= ${b.maxBytes}`;
    }
    case "int32":
    case "int64":
      if (isText(b)) {
        return `NOT regexp_matches(${v}, '${NOT_PLAIN_INTEGER}') AND TRY_CAST(${v} AS ${target}) IS NOT NULL`;
      }
      if (FRACTIONAL.test(b.sourceType)) {
        return `TRY_CAST(${v} AS ${target}) IS NOT NULL AND ${v} = trunc(${v})`;
      }
      return `TRY_CAST(${v} AS ${target}) IS NOT NULL`;
    case "double":
      return `isfinite(TRY_CAST(${v} AS DOUBLE))${noSeparator(b, v)}${noUnderflow(b, v)}`;
    case "decimal":
      return `TRY_CAST(${v} AS ${target}) IS NOT NULL AND ${decimalScaleFits(b, v)}`;
    case "date":
    case "dateTime":
    case "dateTimeOffset":
      return temporalFits(b, v, temporalValue(b, v, false));
    case "guid":
      return isText(b)
        ? `regexp_full_match(${v}, '${GUID_FORMS_TEXT}') AND TRY_CAST(${v} AS UUID) IS NOT NULL`
        : `TRY_CAST(${v} AS UUID) IS NOT NULL`;
    case "boolean":
      return numberAsBoolean(b) ? `${v} IN (0, 1)` : `TRY_CAST(${v} AS ${target}) IS NOT NULL`;
    default:
      return `TRY_CAST(${v} AS ${target}) IS NOT NULL`;
  }
}

const FORMAT = (pattern: string, type: string): string =>
  `does not match the format ${JSON.stringify(pattern)} of a ${type} (strptime, the whole value)`;
const RANGE = " from 0001-01-01 to 9999-12-31";
const MICROS = " with at most 6 fractional digits of a second";
const OFFSET = ", its offset from -14:00 to +14:00";

/** What a misfit of this column means, in words a user can act on. */
export function misfitReason(c: ColumnSpec): string {
  switch (c.type) {
    case "string":
      return `is longer than its maxLength of ${c.maxLength} characters`;
    case "int32":
      return "is not an int32 (a whole number from -2147483648 to 2147483647)";
    case "int64":
      return "is not an int64 (a whole number from -9223372036854775808 to 9223372036854775807)";
    case "double":
      return "is not a finite double (NaN, Infinity and numbers beyond a double's range either way, which would become infinite or 0, fail)";
    case "decimal": {
      const p = c.precision ?? DEFAULT_DECIMAL_PRECISION;
      const s = c.scale ?? 0;
      return `does not fit decimal(${p},${s}) (a number with at most ${p - s} digits before the point) or has more than ${s} digits after it (values are never rounded)`;
    }
    case "boolean":
      return "is not a boolean (true or false)";
    case "date":
      if (c.format !== undefined) return `${FORMAT(c.format, "date")}${RANGE}`;
      return `is not a date (YYYY-MM-DD)${RANGE}`;
    case "dateTime":
      if (c.format !== undefined)
        return `${FORMAT(c.format, "dateTime")}${RANGE}${MICROS}${OFFSET}`;
      return `is not a dateTime (ISO 8601, e.g. 2024-01-31T13:45:00)${RANGE}${MICROS}${OFFSET}`;
    case "dateTimeOffset":
      if (c.format !== undefined) {
        return `${FORMAT(c.format, "dateTimeOffset")}${RANGE} (in UTC)${MICROS}${OFFSET}`;
      }
      return `is not a dateTimeOffset (ISO 8601 with an offset, e.g. 2024-01-31T13:45:00+01:00)${RANGE} (in UTC)${MICROS}${OFFSET}`;
    case "guid":
      return "is not a GUID (e.g. 0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff)";
  }
}
