// HTTP-date as RFC 9110 section 5.6.7 defines it (the form Retry-After may take, section 10.2.3), and
// nothing else: V8's Date.parse reads "-1", "soon 12" or "12 13" as dates in the past, which would
// turn a garbled header into "retry at once". Recipients must accept all three forms:
//   IMF-fixdate:  Sun, 06 Nov 1994 08:49:37 GMT   (the one senders use)
//   rfc850-date:  Sunday, 06-Nov-94 08:49:37 GMT  (obsolete)
//   asctime-date: Sun Nov  6 08:49:37 1994        (obsolete)

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const DAY = `(${DAYS.join("|")})`;
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(
  `^(${LONG_DAYS.join("|")}), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/** The instant an HTTP-date names, in ms since the epoch; undefined for anything else. */
export function parseHttpDate(text: string, now: number = Date.now()): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  if (m) return instant(Number(m[4]), m[3], Number(m[2]), m[5], m[6], m[7]);
  m = RFC850_DATE.exec(text);
  if (m) return instant(rfc850Year(Number(m[4]), now), m[3], Number(m[2]), m[5], m[6], m[7]);
  m = ASCTIME_DATE.exec(text);
  if (m) return instant(Number(m[7]), m[2], Number(m[3].trim()), m[4], m[5], m[6]);
  return undefined;
}

/**
 * RFC 9110 5.6.7: a two-digit year that would be more than 50 years in the future is the most recent
 * past year with the same last two digits.
 */
function rfc850Year(twoDigits: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear();
  let year = Math.floor(thisYear / 100) * 100 + twoDigits;
  if (year > thisYear + 50) year -= 100;
  return year;
}

/** The UTC instant, or undefined when a field is out of range (31 Feb, 25:00:00). */
function instant(
  year: number,
  monthName: string,
  day: number,
  hh: string,
  mm: string,
  ss: string,
): number | undefined {
  const month = MONTHS.indexOf(monthName);
  const [h, min, s] = [Number(hh), Number(mm), Number(ss)];
  // 60 is a leap second (RFC 9110 5.6.7 allows it): it names the next second's instant.
  if (h > 23 || min > 59 || s > 60) return undefined;
  const at = Date.UTC(year, month, day, h, min, s);
  const date = new Date(Date.UTC(year, month, day));
  if (date.getUTCMonth() !== month || date.getUTCDate() !== day) return undefined;
  return at;
}
