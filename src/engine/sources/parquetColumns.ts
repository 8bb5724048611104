// A Parquet source's columns, checked file by file. DuckDB reads the files of one read_parquet as one
// table with the first file's schema and converts every later file's columns to it: a DOUBLE 1.5 in
// a later file landed as the first file's BIGINT 2, a DECIMAL(18,4) 1.2345 as the first's (18,2)
// 1.23, and a column only a later file has was dropped. Within one file, two columns whose names
// differ only in case are renamed (`QQQQ` became `QQQQ_1`), so a declared `QQQQ` bound to `qqqq`.
// So every file must have the first file's columns, names and types, and no file two columns that
// SQL takes for one name, as a CSV glob's headers must (bindColumns.ts).

import { literalDuckdbPath } from "../../plan/duckdbPath";
import { quoteDuckdbLiteral } from "../../plan/sqlQuote";
import type { DuckSession } from "../writer/duckdbSession";
import { sameNameKey } from "./nameKey";
import type { SourceFile } from "./resolveSources";
import { SourceError } from "./sourceError";
import { describeSql, readParquetSql, type SourceColumn } from "./sourceSql";

export async function parquetSourceColumns(
  session: DuckSession,
  entityName: string,
  files: readonly SourceFile[],
): Promise<SourceColumn[]> {
  const first = await fileColumns(session, entityName, files[0]);
  const key = (c: SourceColumn) => `${c.name}\u0000${c.type}`;
  const firstKeys = new Set(first.map(key));
  for (const file of files.slice(1)) {
    const columns = await fileColumns(session, entityName, file);
    const byName = new Map(first.map((c) => [c.name, c]));
    for (const c of columns) {
      const other = byName.get(c.name);
      if (other && other.type !== c.type) {
        throw new SourceError(
          `entity "${entityName}": ${file.relPath} has column "${c.name}" as ${c.type} but ${files[0].relPath} has it as ${other.type}; ` +
            `all files of an entity need the same columns with the same types (DuckDB would convert one file's values to the other's type). Write the files with one schema.`,
        );
      }
    }
    if (columns.length !== first.length || !columns.every((c) => firstKeys.has(key(c)))) {
      throw new SourceError(
        `entity "${entityName}": ${file.relPath} has the columns (${columns.map((c) => c.name).join(", ")}) but ` +
          `${files[0].relPath} has (${first.map((c) => c.name).join(", ")}); all files of an entity need the same columns.`,
      );
    }
  }
  return first;
}

async function fileColumns(
  session: DuckSession,
  entityName: string,
  file: SourceFile,
): Promise<SourceColumn[]> {
  const names = await topLevelNames(session, file.absPath);
  const seen = new Map<string, string>();
  for (const name of names) {
    const before = seen.get(sameNameKey(name));
    if (before !== undefined) {
      throw new SourceError(
        `entity "${entityName}": ${file.relPath} has the columns "${before}" and "${name}", which SQL takes for the same name ` +
          `(compared ignoring case, after Unicode NFKC folding); DuckDB would rename one of them. Rename one in the file.`,
      );
    }
    seen.set(sameNameKey(name), name);
  }
  const rows = await session.query(describeSql(readParquetSql([file.absPath])));
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** The file's own top-level column names, before DuckDB renames any (parquet_schema, depth first). */
async function topLevelNames(session: DuckSession, absPath: string): Promise<string[]> {
  const rows = await session.query(
    `SELECT name, num_children FROM parquet_schema(${quoteDuckdbLiteral(literalDuckdbPath(absPath))})`,
  );
  const children = (i: number) => Number(rows[i]?.num_children ?? 0);
  // The index after element `i` and all its descendants.
  const subtreeEnd = (i: number): number => {
    let j = i + 1;
    for (let k = 0; k < children(i); k++) j = subtreeEnd(j);
    return j;
  };
  const names: string[] = [];
  let i = 1;
  for (let k = 0; k < children(0); k++) {
    names.push(String(rows[i].name));
    i = subtreeEnd(i);
  }
  return names;
}
