// A JSON record's own text, read as RFC 8259 writes it: which text a top-level key's value has, and
// which numbers a value spells. Regular expressions over a record cannot tell a top-level key from
// the same key in a nested object (`{"a": 1.50, "b": {"a": 1.5}}`), nor see the numbers inside an
// object that a string column receives; this small scanner can. It reads only text DuckDB has
// already parsed as one valid JSON object, so it does not validate beyond what it needs.

/** The text of each top-level value whose key (decoded: `\u0061` is `a`) is in `keys`, as written. */
export function topLevelValueTexts(record: string, keys: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  let i = skipSpace(record, 0);
  if (record[i] !== "{") return out;
  i = skipSpace(record, i + 1);
  while (i < record.length && record[i] !== "}") {
    const keyEnd = stringEnd(record, i);
    const key = JSON.parse(record.slice(i, keyEnd)) as string;
    i = skipSpace(record, keyEnd);
    i = skipSpace(record, i + 1); // the colon
    const valueEnd = valueEndAt(record, i);
    // The first of a duplicated key: jsonKeys refuses records with one before they are exported.
    if (keys.has(key) && !out.has(key)) out.set(key, record.slice(i, valueEnd));
    i = skipSpace(record, valueEnd);
    if (record[i] === ",") i = skipSpace(record, i + 1);
  }
  return out;
}

/** The numbers a JSON value spells, in order, as written (none inside its strings). */
export function numberTokens(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length;) {
    const ch = value[i];
    if (ch === '"') {
      i = stringEnd(value, i);
    } else if (ch === "-" || (ch >= "0" && ch <= "9")) {
      const end = numberEnd(value, i);
      out.push(value.slice(i, end));
      i = end;
    } else {
      i++;
    }
  }
  return out;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === "\n" || s[i] === "\r")) i++;
  return i;
}

/** The index just past the string that opens at `i`. */
function stringEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === '"') return j + 1;
  }
  return s.length;
}

function numberEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && /[-+0-9.eE]/.test(s[j])) j++;
  return j;
}

/** The index just past the value that starts at `i`: a string, a number, a literal or a container. */
function valueEndAt(s: string, i: number): number {
  const ch = s[i];
  if (ch === '"') return stringEnd(s, i);
  if (ch !== "{" && ch !== "[") {
    let j = i;
    while (j < s.length && !/[\s,}\]]/.test(s[j])) j++;
    return j;
  }
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '"') j = stringEnd(s, j) - 1;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return s.length;
}
