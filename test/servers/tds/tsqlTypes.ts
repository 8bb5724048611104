// T-SQL types as the TDS test server's OPENROWSET and TRY_CAST execute them in DuckDB: each type's
// DuckDB counterpart and the text-to-value conversion that serverless applies, as a DuckDB expression
// that is NULL where T-SQL's conversion fails. Two readers of text, because serverless has two:
//
// - `parse`: the CSV parser version 2.0 filling a typed WITH column (develop-openrowset, "CSV parser
//   version 2.0 specifics": DATE only as YYYY-MM-DD, DATETIME2 only as YYYY-MM-DD HH:MM:SS[.fraction],
//   TIME as HH:MM:SS[.fraction], at most 8000 characters a column; an empty unquoted field is NULL and
//   a quoted empty string "" is an empty string). A value that does not fit its column fails the query
//   (resources-self-help-sql-on-demand, "Query fails with an error handling an external file (max
//   errors count reached)": a VARCHAR(1) column given 7 characters fails under 2.0).
// - `cast`: CAST / TRY_CAST from varchar (learn.microsoft.com/sql/t-sql/functions/cast-and-convert-
//   transact-sql and try-cast-transact-sql): leading and trailing blanks are ignored for numbers; an
//   integer type takes no decimal point and no exponent ('1.0' and '1e3' fail); decimal takes no
//   exponent and rounds extra scale; float takes an exponent; bit takes 'TRUE'/'FALSE' and any integer
//   (non-zero is 1); date takes ISO 8601 'YYYY-MM-DD' and the unseparated 'YYYYMMDD' (the formats that
//   do not depend on SET DATEFORMAT / LANGUAGE; the language-dependent ones are not modelled); datetime2
//   also takes 'T' between date and time; a string cast to a shorter varchar(n) is truncated, not failed;
//   an empty or blank text is 0 for the integer types and float, and 1900-01-01 (midnight) for date,
//   datetime, datetime2 and datetimeoffset (dba.stackexchange.com/questions/101884: CONVERT(int, '')
//   is 0, CONVERT(float, '') 0, CONVERT(date, '') 1900-01-01), while decimal fails on it.
// - The unhappy conversions a check must see through, each modelled on the side that would change a
//   value: a lone sign '+' or '-' is 0 for the integer types (ISNUMERIC "returns 1 for some
//   characters that are not numbers, such as plus (+), minus (-)", the isnumeric page; a reviewer's
//   sources give TRY_CAST('-' AS INT) = 0); float holds no magnitude below 2.23E-308 but 0 ("- 2.23E
//   - 308, 0 and 2.23E-308 to 1.79E+308", the float and real page), so 1e-400 and a subnormal are 0;
//   a date-time text of a time alone is that time on 1900-01-01 (the datetime2 and datetimeoffset
//   pages' default date), and a numeric date 'mm/dd/yyyy' is month first, as SET DATEFORMAT mdy
//   reads it under us_english, serverless's default language (the datetime page, "Supported string
//   literal formats"). Modelled this way, a check that relies on TRY_CAST alone lands a changed value.
//
// Lengths: varchar(n) counts bytes (UTF-8 under the _UTF8 collations serverless uses), nvarchar(n)
// UTF-16 code units (the char and varchar page: "n defines the string size in bytes"; nchar and
// nvarchar: "byte-pairs").

export interface TsqlType {
  /** As written, lower-cased: `varchar(20)`, `decimal(18,2)`, `datetime2(7)`. */
  text: string;
  name: string;
  duck: string;
  /** DuckDB expression over the VARCHAR `x`: the value, or NULL where serverless's reader fails. */
  parse(x: string): string;
  cast(x: string): string;
  /** CAST from a value that is not text (a number, a date, a timestamp): DuckDB's own cast, rounded. */
  fromValue(e: string): string;
  /** For string types, the longest value (bytes for varchar, UTF-16 units for nvarchar). */
  maxLength?: number;
}

const INT_RANGES: Record<string, [string, string, string]> = {
  tinyint: ["0", "255", "UTINYINT"],
  smallint: ["-32768", "32767", "SMALLINT"],
  int: ["-2147483648", "2147483647", "INTEGER"],
  bigint: ["-9223372036854775808", "9223372036854775807", "BIGINT"],
};

const DIGITS = "[+-]?[0-9]+";
const DECIMAL = String.raw`[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)`;
const FLOAT = String.raw`[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?`;
const DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}";
// hh from 00 to 23, mm and ss from 00 to 59 (datetime2, datetimeoffset and time, "Element ranges":
// learn.microsoft.com/sql/t-sql/data-types/datetimeoffset-transact-sql; time range "00:00:00 through
// 23:59:59.9999999"): DuckDB's cast takes 24:00:00 as the next midnight, which T-SQL refuses.
const TIME = String.raw`([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,7})?`;
/** A datetimeoffset's offset: {+|-}hh:mm from -14:00 through +14:00 (the same page), or Z. */
const OFFSET = String.raw`\s?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?`;
const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

/**
 * The date-time texts CAST takes beyond ISO 8601 (the header above): a time alone, on 1900-01-01, and
 * 'mm/dd/yyyy[ hh:mm[:ss[.fraction]]]', month first.
 */
function otherForms(x: string, rounded: (ns: string) => string): string {
  const timeAlone = `(CASE WHEN regexp_full_match(${x}, '${TIME}') THEN ${rounded(`CAST(DATE '1900-01-01' + TRY_CAST(${x} AS TIME) AS TIMESTAMP_NS)`)} END)`;
  const mdy = `(CASE WHEN regexp_full_match(${x}, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}( ${TIME})?') THEN ${rounded(`CAST(coalesce(TRY_STRPTIME(${x}, '%m/%d/%Y %H:%M:%S.%f'), TRY_STRPTIME(${x}, '%m/%d/%Y %H:%M:%S'), TRY_STRPTIME(${x}, '%m/%d/%Y')) AS TIMESTAMP_NS)`)} END)`;
  return `coalesce(${timeAlone}, ${mdy})`;
}

/** T-SQL's value for an empty or blank text (the header above), else `otherwise`. */
const blankIs = (x: string, value: string, otherwise: string) =>
  `(CASE WHEN trim(${x}) = '' THEN ${value} ELSE ${otherwise} END)`;

const when = (x: string, regex: string, then: string) =>
  `(CASE WHEN regexp_full_match(${x}, '${regex}') THEN ${then} END)`;

/** UTF-16 code units of a string: code points, plus one for each outside the BMP. */
export const utf16Length = (x: string) =>
  `(length(${x}) + length(regexp_replace(${x}, '[^\\x{10000}-\\x{10FFFF}]', '', 'g')))`;
export const utf8Length = (x: string) => `octet_length(encode(${x}))`;

/** Reads a T-SQL type; undefined for one CETAS cannot hold or the model does not know. */
export function tsqlType(raw: string): TsqlType | undefined {
  const type = readType(raw);
  return (
    type && { ...type, fromValue: type.fromValue ?? ((e) => `TRY_CAST(${e} AS ${type.duck})`) }
  );
}

function readType(raw: string): (Omit<TsqlType, "fromValue"> & Partial<TsqlType>) | undefined {
  const text = raw.trim().toLowerCase().replace(/\s+/g, "");
  const m = /^([a-z0-9]+)(?:\(([0-9]+|max)(?:,([0-9]+))?\))?$/.exec(text);
  if (!m) return undefined;
  const [, name, a, b] = m;
  const base = { text, name };
  if (name in INT_RANGES) {
    const [lo, hi, duck] = INT_RANGES[name];
    const ranged = (v: string) =>
      `(CASE WHEN ${v} BETWEEN ${lo} AND ${hi} THEN CAST(${v} AS ${duck}) END)`;
    return {
      ...base,
      duck,
      parse: (x) => when(x, DIGITS, ranged(`TRY_CAST(${x} AS HUGEINT)`)),
      cast: (x) =>
        blankIs(
          x,
          `CAST(0 AS ${duck})`,
          `(CASE WHEN trim(${x}) IN ('+', '-') THEN CAST(0 AS ${duck}) ELSE ${when(`trim(${x})`, DIGITS, ranged(`TRY_CAST(trim(${x}) AS HUGEINT)`))} END)`,
        ),
    };
  }
  if (name === "decimal" || name === "numeric") {
    const p = Number(a ?? 18);
    const s = Number(b ?? 0);
    if (a === "max" || p < 1 || p > 38 || s > p) return undefined;
    const duck = `DECIMAL(${p},${s})`;
    return {
      ...base,
      duck,
      parse: (x) => when(x, DECIMAL, `TRY_CAST(${x} AS ${duck})`),
      cast: (x) => when(`trim(${x})`, DECIMAL, `TRY_CAST(trim(${x}) AS ${duck})`),
    };
  }
  if (name === "float" || name === "real") {
    const duck = name === "real" || (a !== undefined && Number(a) <= 24) ? "FLOAT" : "DOUBLE";
    return {
      ...base,
      duck,
      parse: (x) => when(x, FLOAT, `TRY_CAST(${x} AS ${duck})`),
      cast: (x) =>
        blankIs(
          x,
          `CAST(0 AS ${duck})`,
          when(
            `trim(${x})`,
            FLOAT,
            `(CASE WHEN abs(TRY_CAST(trim(${x}) AS DOUBLE)) < 2.2250738585072014e-308 THEN CAST(0 AS ${duck}) ELSE TRY_CAST(trim(${x}) AS ${duck}) END)`,
          ),
        ),
    };
  }
  if (name === "bit") {
    const bit = (x: string) =>
      `(CASE WHEN lower(${x}) = 'true' THEN TRUE WHEN lower(${x}) = 'false' THEN FALSE ` +
      `WHEN regexp_full_match(${x}, '${DIGITS}') THEN TRY_CAST(${x} AS HUGEINT) <> 0 END)`;
    return { ...base, duck: "BOOLEAN", parse: bit, cast: (x) => bit(`trim(${x})`) };
  }
  if (name === "date") {
    return {
      ...base,
      duck: "DATE",
      parse: (x) => when(x, DATE, `TRY_CAST(${x} AS DATE)`),
      cast: (x) =>
        blankIs(
          x,
          "DATE '1900-01-01'",
          `coalesce(${when(`trim(${x})`, DATE, `TRY_CAST(trim(${x}) AS DATE)`)}, ` +
            `${when(`trim(${x})`, "[0-9]{8}", `TRY_STRPTIME(trim(${x}), '%Y%m%d')::DATE`)})`,
        ),
    };
  }
  if (name === "datetime2" || name === "datetime" || name === "datetimeoffset") {
    // Held as nanoseconds (DuckDB's TIMESTAMP_NS), rounded to the type's precision as T-SQL rounds a
    // longer fraction; (6) or less is written as microseconds (TIMESTAMP), (7) keeps 100 ns. A
    // datetimeoffset is held as its UTC instant: what SWITCHOFFSET(..., '+00:00') and a comparison see.
    const n = name === "datetime" ? 3 : a === undefined ? 7 : Number(a);
    if (!(n >= 0 && n <= 7)) return undefined;
    const duck = n <= 6 ? "TIMESTAMP" : "TIMESTAMP_NS";
    const q = 10 ** (9 - n);
    // Half up to the next multiple of q, by floor: DuckDB's // truncates toward zero, which moved a
    // value before 1970 (a negative epoch) up by one unit.
    const rounded = (ns: string) => {
      const e = `(epoch_ns(${ns}) + ${q / 2})`;
      return `CAST(make_timestamp_ns(${e} - ((${e} % ${q}) + ${q}) % ${q}) AS ${duck})`;
    };
    const offset = name === "datetimeoffset" ? OFFSET : "";
    const stamp = (x: string, sep: string) => {
      const local = `TRY_CAST(replace(regexp_extract(${x}, '^${DATE}(${sep}${TIME})?'), 'T', ' ') AS TIMESTAMP_NS)`;
      const minutes =
        `coalesce(TRY_CAST(regexp_extract(${x}, '([+-])[0-9]{2}:[0-9]{2}$', 1) || '1' AS INTEGER) * ` +
        `(TRY_CAST(regexp_extract(${x}, '([0-9]{2}):([0-9]{2})$', 1) AS INTEGER) * 60 + ` +
        `TRY_CAST(regexp_extract(${x}, '([0-9]{2}):([0-9]{2})$', 2) AS INTEGER)), 0)`;
      const utc = offset
        ? `make_timestamp_ns(epoch_ns(${local}) - (${minutes}) * 60000000000)`
        : local;
      return `(CASE WHEN regexp_full_match(${x}, '${DATE}(${sep}${TIME})?${offset}') THEN ${rounded(utc)} END)`;
    };
    return {
      ...base,
      duck,
      // The CSV parser 2.0 takes 'YYYY-MM-DD HH:MM:SS[.fraction]' only.
      parse: (x) => stamp(x, " "),
      cast: (x) =>
        blankIs(
          x,
          `CAST(TIMESTAMP '1900-01-01' AS ${duck})`,
          `coalesce(${stamp(`trim(${x})`, "[ T]")}, ${otherForms(`trim(${x})`, rounded)})`,
        ),
      fromValue: (e) => rounded(`CAST(${e} AS TIMESTAMP_NS)`),
    };
  }
  if (name === "time") {
    return {
      ...base,
      duck: "TIME",
      parse: (x) => when(x, TIME, `TRY_CAST(${x} AS TIME)`),
      cast: (x) => when(`trim(${x})`, TIME, `TRY_CAST(trim(${x}) AS TIME)`),
    };
  }
  if (name === "uniqueidentifier") {
    return {
      ...base,
      duck: "UUID",
      parse: (x) => when(x, GUID, `TRY_CAST(${x} AS UUID)`),
      cast: (x) => when(`trim(${x})`, GUID, `TRY_CAST(trim(${x}) AS UUID)`),
    };
  }
  if (["varchar", "nvarchar", "char", "nchar"].includes(name)) {
    const wide = name.startsWith("n");
    // PARSER_VERSION 2.0 reads at most 8000 characters a column, whatever (max) says.
    const maxLength = a === undefined ? 1 : a === "max" ? 8000 : Number(a);
    const length = wide ? utf16Length : utf8Length;
    return {
      ...base,
      duck: "VARCHAR",
      maxLength,
      parse: (x) => `(CASE WHEN ${length(x)} <= ${maxLength} THEN ${x} END)`,
      // CAST to a shorter string truncates (by characters here; exact for the BMP and ASCII).
      cast: (x) =>
        a === "max"
          ? x
          : `(CASE WHEN ${length(x)} <= ${maxLength} THEN ${x} ELSE left(${x}, ${maxLength}) END)`,
    };
  }
  return undefined;
}
