// The shapes of text the strict casts (columnCasts.ts) test before they cast: each is a regular
// expression, and each has a native twin in native/sx_shapes.c that decides exactly the same texts
// (test/engine/nativeShapes.test.ts compares them). A session that loaded the extension
// (nativeShapes.ts) asks the twin, which costs a tenth of an RE2 call; any other asks RE2.

/**
 * DuckDB's integer cast also takes 1.5 (rounded), 1e3, 0x10, 0b101 and 1_000; a value it accepts is a
 * plain whole number exactly when it has none of these characters (a character-class search costs
 * a third of a full-match regex here).
 */
export const NOT_PLAIN_INTEGER = "[.eExXbBoO_]";

/**
 * The common shapes of dates and timestamps, so that the full checks need not run for them (measured
 * at 1M rows: a date or timestamp through the full checks cost 3-5 times its cast). A value of one of
 * these shapes passes every one of those checks by its form alone: a year from 0002 to 9998 (so no
 * offset of at most 14 hours takes it past 0001-01-01 or 9999-12-31), a month, day, hour, minute and
 * second of two digits each (00-23, 00-59, 00-59), at most six fractional digits (no sub-microsecond
 * to drop), and an offset from -14:00 to +14:00 or none. Everything else (other years, 24:00, a leap
 * second, seven digits, named zones, spaces) takes the full checks, which decide it exactly as
 * before. Such a value is still cast strictly: 2024-02-30 fails.
 */
export const FAST_YEAR =
  "(000[2-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])";
export const FAST_DATE_TEXT = `${FAST_YEAR}-[0-9]{2}-[0-9]{2}`;
export const FAST_LOCAL_TEXT = `${FAST_DATE_TEXT}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?`;
export const FAST_OFFSET_TEXT = `${FAST_LOCAL_TEXT}(Z|[+-](0[0-9]|1[0-3])(:?[0-5][0-9])?|[+-]14(:?00)?)`;

/** The form DuckDB's UUID → VARCHAR cast writes: 8-4-4-4-12 lower-case hex digits. */
export const CANONICAL_GUID_TEXT = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** Plain digits with at most `scale` of them after the point (no exponent, no separator). */
export const plainDecimalText = (scale: number): string => `[+-]?[0-9]+([.][0-9]{0,${scale}})?`;

/**
 * The longest plain decimal text a double takes without a check: at most 299 digits before the point
 * stay below 1e299 (finite), and a non-zero value of at most 300 characters is at least 1e-298, far
 * above the smallest double (no underflow to 0); no `_`. So isfinite, the separator and the underflow
 * tests all hold by the form, and the value is the plain cast's.
 */
export const PLAIN_DOUBLE_LENGTH = 300;

/** SQL for each shape test of a text `v` (a quoted identifier); each is NULL for a NULL text. */
export interface ShapeTests {
  fastDate(v: string): string;
  fastLocal(v: string): string;
  fastOffset(v: string): string;
  canonicalGuid(v: string): string;
  /** True when the text has a character that makes it other than a plain whole number. */
  notPlainInteger(v: string): string;
  plainDecimal(v: string, scale: number): string;
  /**
   * A text a double takes by its form alone, or undefined where testing it would cost more than the
   * checks it spares (through RE2 it would: one call is as dear as the double's whole check).
   */
  plainDouble?(v: string): string;
}

export const REGEX_SHAPES: ShapeTests = {
  fastDate: (v) => `regexp_full_match(${v}, '${FAST_DATE_TEXT}')`,
  fastLocal: (v) => `regexp_full_match(${v}, '${FAST_LOCAL_TEXT}')`,
  fastOffset: (v) => `regexp_full_match(${v}, '${FAST_OFFSET_TEXT}')`,
  canonicalGuid: (v) => `regexp_full_match(${v}, '${CANONICAL_GUID_TEXT}')`,
  notPlainInteger: (v) => `regexp_matches(${v}, '${NOT_PLAIN_INTEGER}')`,
  plainDecimal: (v, scale) => `regexp_full_match(${v}, '${plainDecimalText(scale)}')`,
};

/** The functions native/sx_shapes.c registers, one per test above. */
export const NATIVE_SHAPES: ShapeTests = {
  fastDate: (v) => `sx_fast_date(${v})`,
  fastLocal: (v) => `sx_fast_local(${v})`,
  fastOffset: (v) => `sx_fast_offset(${v})`,
  canonicalGuid: (v) => `sx_canonical_guid(${v})`,
  notPlainInteger: (v) => `sx_not_plain_integer(${v})`,
  plainDecimal: (v, scale) => `sx_plain_decimal(${v}, ${Math.trunc(scale)})`,
  plainDouble: (v) =>
    // strlen (bytes, read from the string's header) for length (characters, counted): the same for
    // the ASCII digits the test passes.
    `(strlen(${v}) <= ${PLAIN_DOUBLE_LENGTH} AND sx_plain_decimal(${v}, ${PLAIN_DOUBLE_LENGTH}))`,
};
