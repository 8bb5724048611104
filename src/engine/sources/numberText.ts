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
