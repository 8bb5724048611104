// The one place where identifiers and literals become SQL text. Nothing else in the project builds
// a quoted name or a string literal by hand: a hostile entity name (`]`, `'`, `;`, `--`, unicode)
// must stay a name.

/** T-SQL identifier: [name] with `]` doubled (https://learn.microsoft.com/sql/t-sql/functions/quotename-transact-sql). */
export function quoteTsqlIdentifier(name: string): string {
  if (name.length === 0) throw new Error("An SQL identifier cannot be empty.");
  if (name.includes("\u0000")) throw new Error("An SQL identifier cannot contain a NUL character.");
  return `[${name.replace(/]/g, "]]")}]`;
}

/** T-SQL Unicode string literal: N'text' with `'` doubled. */
export function quoteTsqlLiteral(text: string): string {
  if (text.includes("\u0000")) throw new Error("An SQL literal cannot contain a NUL character.");
  return `N'${text.replace(/'/g, "''")}'`;
}

/** A multi-part T-SQL name: [schema].[object]. */
export function quoteTsqlName(...parts: string[]): string {
  return parts.map(quoteTsqlIdentifier).join(".");
}

/** DuckDB identifier: "name" with `"` doubled. */
export function quoteDuckdbIdentifier(name: string): string {
  if (name.length === 0) throw new Error("An SQL identifier cannot be empty.");
  if (name.includes("\u0000")) throw new Error("An SQL identifier cannot contain a NUL character.");
  return `"${name.replace(/"/g, '""')}"`;
}

/** DuckDB string literal: 'text' with `'` doubled. */
export function quoteDuckdbLiteral(text: string): string {
  if (text.includes("\u0000")) throw new Error("An SQL literal cannot contain a NUL character.");
  return `'${text.replace(/'/g, "''")}'`;
}
