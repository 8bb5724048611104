// DuckDB expands glob characters in every path it reads, even in a list of paths, and even when a
// file of that exact name exists: `read_parquet('/x/out[1]/a.parquet')` reads `/x/out1/a.parquet`
// and `out*/...` reads every folder starting with `out` (measured with @duckdb/node-api 1.5; DuckDB
// documents `*`, `?`, `[abc]` and `**` as glob syntax: duckdb.org/docs/data/multiple_files/overview).
// A character class of one character matches only that character, so each glob character is put in
// one (`[` -> `[[]`, `*` -> `[*]`, `?` -> `[?]`), and the path then matches itself and nothing else.
//
// A backslash cannot be written that way: once a path has a glob character, DuckDB splits it at `\`
// as well as `/` (measured, same version), so `/x/m\n[1]/a.csv`, escaped or not, reads
// `/x/m/n[1]/a.csv`, another folder's file, and no class or escape matches a literal `\` there. A
// path without glob characters is read as it is, backslash and all. So a path with both is refused.

const DUCKDB_GLOB_CHARS = /[*?[]/g;

/** Why DuckDB cannot be made to read exactly this path, or undefined when it can. */
export function duckdbPathProblem(file: string): string | undefined {
  if (!file.includes("\\") || !/[*?[]/.test(file)) return undefined;
  return (
    `DuckDB cannot read ${file} as it is: it has both a backslash and one of * ? [, and DuckDB then ` +
    `takes the backslash for a folder separator (it would read another folder's file). ` +
    `Rename the file or folder so that its path has no backslash`
  );
}

/** A file path DuckDB's readers match only to itself; quote it with quoteDuckdbLiteral after. */
export function literalDuckdbPath(file: string): string {
  const problem = duckdbPathProblem(file);
  if (problem) throw new Error(`${problem}.`);
  return file.replace(DUCKDB_GLOB_CHARS, (c) => `[${c}]`);
}
