// Numbers as text, compared by value: the digits and the place of the point, not the spelling.

/**
 * A number's text as its sign, significant digits and the place of its point (`2.50`, `2.5` and
 * `25e-1` are all `25e1`), so that two texts of one value compare equal.
 */
export function canonicalNumber(x: string): string {
  const mantissa = `regexp_replace(trim(${x}), '[eE].*$', '')`;
  const exponent = `coalesce(TRY_CAST(regexp_extract(${x}, '[eE]([+-]?[0-9]+)', 1) AS BIGINT), 0)`;
  const whole = `regexp_extract(${mantissa}, '^[+-]?([0-9]*)', 1)`;
  const digits = `(${whole} || regexp_extract(${mantissa}, '[.]([0-9]*)', 1))`;
  const significant = `trim(${digits}, '0')`;
  const point = `length(${whole}) + ${exponent} - (length(${digits}) - length(ltrim(${digits}, '0')))`;
  const sign = `CASE WHEN starts_with(trim(${x}), '-') THEN '-' ELSE '' END`;
  return `CASE WHEN ${significant} = '' THEN '0' ELSE concat(${sign}, ${significant}, 'e', ${point}) END`;
}

/** The same form in TypeScript, for a number's text read outside DuckDB (`2.50` is `25e1`). */
export function canonicalNumberText(x: string): string {
  const t = x.trim();
  const [mantissa, exp] = t.split(/[eE]/);
  const exponent = exp === undefined ? 0 : Number(exp);
  const whole = /^[+-]?([0-9]*)/.exec(mantissa)![1];
  const digits = whole + (/[.]([0-9]*)/.exec(mantissa)?.[1] ?? "");
  const significant = digits.replace(/^0+/, "").replace(/0+$/, "");
  if (significant === "") return "0";
  const point = whole.length + exponent - (digits.length - digits.replace(/^0+/, "").length);
  return `${t.startsWith("-") ? "-" : ""}${significant}e${point}`;
}
