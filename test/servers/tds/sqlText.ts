// Small readers of T-SQL text for the lake statements (cetas.ts, openrowset.ts): balanced parentheses
// and comma lists that skip string literals ('...' with '' inside) and bracketed identifiers ([...]
// with ]] inside), as T-SQL's own lexer does (learn.microsoft.com/sql/t-sql/language-elements/
// constants-transact-sql; database-identifiers).

/** Index just after the `)` that closes the `(` at `open`, or -1. */
export function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'") i = skipQuoted(text, i, "'");
    else if (c === "[") i = skipQuoted(text, i, "]");
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i + 1;
  }
  return -1;
}

function skipQuoted(text: string, start: number, close: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === close) {
      if (text[i + 1] === close) i++;
      else return i;
    }
  }
  return text.length;
}

/** Splits on commas at depth 0, outside literals and brackets; trims each part. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") i = skipQuoted(text, i, "'");
    else if (c === "[") i = skipQuoted(text, i, "]");
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

/** `[a]]b]` → `a]b`, `abc` → `abc`. */
export function identifier(text: string): string {
  const t = text.trim();
  return t.startsWith("[") && t.endsWith("]") ? t.slice(1, -1).replace(/]]/g, "]") : t;
}

/** `N'it''s'` or `'it''s'` → `it's`; undefined when the text is not one literal. */
export function literal(text: string): string | undefined {
  const m = /^N?'((?:[^']|'')*)'$/i.exec(text.trim());
  return m ? m[1].replace(/''/g, "'") : undefined;
}

/** A two-part (or one-part, dbo) name: `[s].[t]`, `s.t`, `[t]`. */
export function twoPartName(text: string): { schema: string; name: string } | undefined {
  const part = String.raw`(\[(?:[^\]]|\]\])+\]|[A-Za-z_][\w$#@]*)`;
  const m = new RegExp(`^${part}(?:\\.${part})?$`).exec(text.trim());
  if (!m) return undefined;
  return m[2] === undefined
    ? { schema: "dbo", name: identifier(m[1]) }
    : { schema: identifier(m[1]), name: identifier(m[2]) };
}

/** A DuckDB string literal. */
export const duckString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** A DuckDB quoted identifier. */
export const duckName = (s: string) => `"${s.replace(/"/g, '""')}"`;
