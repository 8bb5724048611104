// Whether a lake-resident CSV file's header names every declared column. Pure.
//
// With HEADER_ROW = TRUE and a WITH clause, serverless binds the columns by name ("binding of column
// names will be done by column name, not ordinal positions": develop-openrowset, HEADER_ROW), and
// what it reads for a name the header lacks is not documented; for Parquet, whose columns also bind
// by name, it reads NULL (the reason renderCetas.ts names Parquet columns with a strict path). So the
// run reads each file's header first (exportLakeEntity.ts) and refuses a file whose header lacks a
// declared column, or writes it in another case (how serverless compares case there is not
// documented either), rather than export a column of NULLs.

import type { ColumnSpec } from "../spec/types";

/** The problem with a file's header, in a sentence that names the file and what to change; or undefined. */
export function lakeHeaderProblem(
  columns: readonly ColumnSpec[],
  header: readonly string[],
  file: string,
): string | undefined {
  for (const c of columns) {
    const wanted = c.sourceColumn ?? c.name;
    if (header.includes(wanted)) continue;
    const what = c.sourceColumn !== undefined ? `sourceColumn "${wanted}" of column` : "column";
    const other = header.find((h) => h.toLowerCase() === wanted.toLowerCase());
    if (other !== undefined) {
      return (
        `${file}: its header writes "${other}" where ${what} "${c.name}" is declared as "${wanted}". ` +
        `serverless binds a lake file's columns by the header's names, and how it compares case is not documented: ` +
        `write the name exactly as the header does. Nothing was written.`
      );
    }
    return (
      `${file}: ${what} "${c.name}" is declared in the spec but is not in this file's header ` +
      `(its columns: ${header.join(", ")}). serverless binds a lake file's columns by the header's names, so this ` +
      `column's values would not be read. Fix the name in the spec or in the file. Nothing was written.`
    );
  }
  return undefined;
}
