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
//   also takes 'T' between date and time; a string cast to a shorter varchar(n) is truncated, not failed.
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
const TIME = String.raw`[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?`;
const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

const when = (x: string, regex: string, then: string) =>
  `(CASE WHEN regexp_full_match(${x}, '${regex}') THEN ${then} END)`;

/** UTF-16 code units of a string: code points, plus one for each outside the BMP. */
export const utf16Length = (x: string) =>
  `(length(${x}) + length(regexp_replace(${x}, '[^\\x{10000}-\\x{10FFFF}]', '', 'g')))`;
export const utf8Length = (x: string) => `octet_length(encode(${x}))`;

/** Reads a T-SQL type; undefined for one CETAS cannot hold or the model does not know. */
export function tsqlType(raw: string): TsqlType | undefined {
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
      cast: (x) => when(`trim(${x})`, DIGITS, ranged(`TRY_CAST(trim(${x}) AS HUGEINT)`)),
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
      cast: (x) => when(`trim(${x})`, FLOAT, `TRY_CAST(trim(${x}) AS ${duck})`),
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
        `coalesce(${when(`trim(${x})`, DATE, `TRY_CAST(trim(${x}) AS DATE)`)}, ` +
        `${when(`trim(${x})`, "[0-9]{8}", `TRY_STRPTIME(trim(${x}), '%Y%m%d')::DATE`)})`,
    };
  }
  if (name === "datetime2" || name === "datetime") {
    // DuckDB keeps microseconds: a 7th fractional digit is dropped (datetime2(7) holds 100 ns).
    const stamp = (x: string, sep: string) =>
      `(CASE WHEN regexp_full_match(${x}, '${DATE}(${sep}${TIME})?') THEN TRY_CAST(regexp_replace(${x}, '([0-9]{6})[0-9]$', '\\1') AS TIMESTAMP) END)`;
    return {
      ...base,
      duck: "TIMESTAMP",
      parse: (x) => stamp(x, " "),
      cast: (x) => stamp(`trim(${x})`, "[ T]"),
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
