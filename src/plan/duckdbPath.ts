// DuckDB expands glob characters in every path it reads, even in a list of paths, and even when a
// file of that exact name exists: `read_parquet('/x/out[1]/a.parquet')` reads `/x/out1/a.parquet`
// and `out*/...` reads every folder starting with `out` (measured with @duckdb/node-api 1.5; DuckDB
// documents `*`, `?`, `[abc]` and `**` as glob syntax: duckdb.org/docs/data/multiple_files/overview).
// A character class of one character matches only that character, so each glob character is put in
// one (`[` -> `[[]`, `*` -> `[*]`, `?` -> `[?]`), and the path then matches itself and nothing else.

const DUCKDB_GLOB_CHARS = /[*?[]/g;

/** A file path DuckDB's readers match only to itself; quote it with quoteDuckdbLiteral after. */
export function literalDuckdbPath(file: string): string {
  return file.replace(DUCKDB_GLOB_CHARS, (c) => `[${c}]`);
}
