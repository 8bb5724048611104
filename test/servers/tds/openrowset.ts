// OPENROWSET(BULK ...) WITH (...) AS alias, as Synapse serverless SQL reads it, executed by the TDS
// test server in DuckDB over the dfs test server's files (serverlessLake.ts). What it models, each from
// develop-openrowset (learn.microsoft.com/azure/synapse-analytics/sql/develop-openrowset) unless said:
// - BULK: a URL or a path relative to DATA_SOURCE; wildcards (serverlessLake.ts); a wildcard or folder
//   that is missing or that the caller may not list is 13807 "Content of directory on path '...' cannot
//   be listed." (the model's existing answer for a pass-through read without access), a single file
//   13822 (below); a folder without matching files gives no rows;
// - FORMAT = 'CSV' with PARSER_VERSION = '2.0' (1.0 is refused here: the plan sends 2.0), HEADER_ROW
//   (TRUE binds the WITH columns by name, FALSE by position or by the ordinal after the type),
//   FIELDTERMINATOR, FIELDQUOTE (a quote inside a quoted value is doubled), ROWTERMINATOR (default
//   \r\n and \n), FIRSTROW; FORMAT = 'PARQUET' binds the WITH columns by name;
// - typed WITH columns (tsqlTypes.ts), and a value that does not fit its column failing the query with
//   15813 "Error handling external file: 'Max errors count reached'. File/External table name: '<file>'."
//   (resources-self-help-sql-on-demand, "max errors count reached"; the message text of 15813 is in the
//   database engine's error list, learn.microsoft.com/sql/relational-databases/errors-events/
//   database-engine-events-and-errors-15000-to-15999);
// - a Parquet column whose type cannot hold the WITH type: 15814 "Column '...' of type '...' is not
//   compatible with external data type 'Parquet physical type: ...'" (self-help, "Column of type isn't
//   compatible", whose example for a DOUBLE adds ", please try with 'FLOAT'"; other suggestions are
//   not shown there, so the model makes none);
// - a file the caller cannot read (a pass-through caller without a storage data role, or a file gone
//   after listing): 13822 "File '...' cannot be opened because it does not exist or it is used by another
//   process." (self-help, "Query fails because file can't be opened"; the number from the SQL Server
//   page for the same message, learn.microsoft.com/sql/relational-databases/polybase/polybase-
//   troubleshooting, "File can't be opened (Error 13822)");
// - a file that ends inside a quoted field: 15813 with 'Unexpected end-of-input within record at
//   [byte: N]. ' (not on Learn: the text is quoted among the serverless errors a retry helper traps in
//   microsoft/Dynamics-365-FastTrack-Implementation-Assets; which byte N is, is not documented, and
//   here it is the start of the open record);
// - a file changed between listing and reading: 4861 "Cannot bulk load because the file "..." could not
//   be opened. Operating system error code 12(The access code is invalid.)." (self-help, "Can't bulk
//   load because the file couldn't be opened": serverless cannot read files modified while the query
//   runs; 4861 is that message's number in the engine's error list, 4000 to 4999).

import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { ServerMessage } from "./tokens";
import { type LakeFile, joinLakeUrl, type ServerlessLake } from "./serverlessLake";
import { closingParen, duckName, duckString, identifier, literal, splitTopLevel } from "./sqlText";
import { tsqlType, type TsqlType } from "./tsqlTypes";

export interface WithColumn {
  name: string;
  type: TsqlType;
  /** The 1-based source column (CSV by position), when written after the type. */
  ordinal?: number;
  /** The source column a JSON path after the type names (`N'strict $."Name"'`), for Parquet. */
  path?: { name: string; strict: boolean };
}

export interface Openrowset {
  /** Where the clause starts and ends in the statement text (OPENROWSET ... AS alias). */
  start: number;
  end: number;
  bulk: string;
  dataSource?: string;
  options: Record<string, string>;
  columns: WithColumn[];
  alias: string;
}

export class SqlFailure extends Error {
  constructor(readonly error: ServerMessage) {
    super(error.message);
  }
}

const fail = (number: number, message: string): never => {
  throw new SqlFailure({ number, message, class: 16 });
};

/** The first OPENROWSET clause at or after `from`, or undefined. */
export function findOpenrowset(text: string, from = 0): Openrowset | undefined {
  const head = /\bOPENROWSET\s*\(/gi;
  head.lastIndex = from;
  const m = head.exec(text);
  if (!m) return undefined;
  const close = closingParen(text, m.index + m[0].length - 1);
  if (close < 0) fail(102, "Incorrect syntax near 'OPENROWSET'.");
  const args = splitTopLevel(text.slice(m.index + m[0].length, close - 1));
  let bulk: string | undefined;
  const options: Record<string, string> = {};
  for (const arg of args) {
    const b = /^BULK\s+(N?'(?:[^']|'')*')$/i.exec(arg);
    if (b) {
      bulk = literal(b[1]);
      continue;
    }
    const o = /^(\w+)\s*=\s*(.+)$/s.exec(arg);
    if (!o) fail(102, `Incorrect syntax near '${arg.split(/\s+/)[0]}'.`);
    options[o![1].toUpperCase()] = literal(o![2]) ?? o![2].trim().toUpperCase();
  }
  if (bulk === undefined) fail(102, "Incorrect syntax near 'OPENROWSET'.");
  let rest = close;
  const columns: WithColumn[] = [];
  const withHead = /^\s*WITH\s*\(/i.exec(text.slice(rest));
  if (withHead) {
    const open = rest + withHead[0].length - 1;
    const withClose = closingParen(text, open);
    for (const def of splitTopLevel(text.slice(open + 1, withClose - 1))) {
      const c =
        /^(\[(?:[^\]]|\]\])+\]|\w+)\s+([a-z0-9]+\s*(?:\(\s*(?:\d+|max)\s*(?:,\s*\d+\s*)?\))?)(?:\s+COLLATE\s+\w+)?(?:\s+(\d+)|\s+(N?'(?:[^']|'')*'))?$/i.exec(
          def,
        );
      const type = c && tsqlType(c[2]);
      if (!c || !type) return fail(102, `Incorrect syntax near '${def}'.`);
      // A JSON path binds a Parquet column by name; `strict` fails where `lax` reads NULL
      // (develop-openrowset, "WITH clause": column path).
      const jsonPath =
        c[4] === undefined
          ? undefined
          : /^(strict|lax)?\s*\$\.(?:"((?:[^"]|"")*)"|(\w+))$/i.exec(literal(c[4])!);
      if (c[4] !== undefined && !jsonPath) return fail(102, `Incorrect syntax near '${c[4]}'.`);
      columns.push({
        name: identifier(c[1]),
        type,
        ordinal: c[3] === undefined ? undefined : Number(c[3]),
        path: jsonPath
          ? {
              name: jsonPath[2] !== undefined ? jsonPath[2].replace(/""/g, '"') : jsonPath[3],
              strict: jsonPath[1]?.toLowerCase() === "strict",
            }
          : undefined,
      });
    }
    rest = withClose;
  }
  const alias = /^\s*AS\s+(\[(?:[^\]]|\]\])+\]|\w+)/i.exec(text.slice(rest));
  // A table alias is required for OPENROWSET (develop-openrowset syntax: `AS table_alias`).
  if (!alias) return fail(102, "Incorrect syntax near 'OPENROWSET'.");
  return {
    start: m.index,
    end: rest + alias[0].length,
    bulk: bulk!,
    dataSource: options.DATA_SOURCE,
    options,
    columns,
    alias: identifier(alias[1]),
  };
}

export interface ReadContext {
  lake: ServerlessLake;
  /** A data source's LOCATION by name. */
  dataSource(name: string): string | undefined;
  /** Whether the caller may read the lake (pass-through: a storage data role of its own). */
  callerReadsLake: boolean;
  /** Where to put the files DuckDB reads. */
  scratch: string;
  /** Test hook: runs between listing the files and reading them (to change one, say). */
  afterListing?: (files: LakeFile[]) => void;
}

/**
 * Creates the DuckDB view `view` holding the OPENROWSET's rows, typed by its WITH columns, after
 * reading every matched file and checking every value as serverless would.
 */
export async function materialize(
  duck: DuckDBConnection,
  clause: Openrowset,
  view: string,
  context: ReadContext,
): Promise<void> {
  const format = (clause.options.FORMAT ?? "").toUpperCase();
  if (format !== "CSV" && format !== "PARQUET")
    fail(15853, `Invalid or unknown format type '${clause.options.FORMAT ?? ""}'.`);
  if (format === "CSV" && clause.options.PARSER_VERSION !== "2.0") {
    // Parser 1.0 has other rules (no HEADER_ROW, other errors); the plan sends 2.0 only.
    fail(50000, "Test server: only PARSER_VERSION = '2.0' is modelled for CSV.");
  }
  if (clause.columns.length === 0)
    fail(50000, "Test server: OPENROWSET without a WITH clause is not modelled.");
  let url = clause.bulk;
  if (clause.dataSource !== undefined) {
    const base = context.dataSource(clause.dataSource);
    if (base === undefined)
      fail(
        15151,
        `Cannot find the external data source '${clause.dataSource}', because it does not exist or you do not have permission.`,
      );
    url = joinLakeUrl(base!, clause.bulk);
  }
  const files = context.lake.match(url);
  if (!context.callerReadsLake || files === undefined) {
    // A wildcard or a folder is listed first; a single file is opened.
    if (/[*?]/.test(url) || url.endsWith("/"))
      fail(13807, `Content of directory on path '${url.replace(/[^/]*$/, "")}' cannot be listed.`);
    fail(
      13822,
      `File '${url}' cannot be opened because it does not exist or it is used by another process.`,
    );
  }
  context.afterListing?.(files!);
  const local = new Map<string, string>();
  for (const [i, file] of files!.entries()) {
    const now = context.lake.read(file);
    if (!now)
      fail(
        13822,
        `File '${file.url}' cannot be opened because it does not exist or it is used by another process.`,
      );
    if (now!.etag !== file.etag)
      fail(
        4861,
        `Cannot bulk load because the file "${file.url}" could not be opened. Operating system error code 12(The access code is invalid.).`,
      );
    if (format === "CSV") {
      const at = unclosedRecordStart(now!.data, clause.options.FIELDQUOTE ?? '"');
      if (at !== undefined)
        fail(
          15813,
          `Error handling external file: 'Unexpected end-of-input within record at [byte: ${at}]. '. File/External table name: '${file.url}'.`,
        );
    }
    const where = path.join(
      context.scratch,
      `${view}_${i}.${format === "CSV" ? "csv" : "parquet"}`,
    );
    await fs.writeFile(where, now!.data);
    local.set(where, file.url);
  }
  if (local.size === 0) {
    const columns = clause.columns.map(
      (c) => `CAST(NULL AS ${c.type.duck}) AS ${duckName(c.name)}`,
    );
    await duck.run(
      `CREATE OR REPLACE TEMP VIEW ${view} AS SELECT ${columns.join(", ")} WHERE false`,
    );
    return;
  }
  const list = `[${[...local.keys()].map(duckString).join(", ")}]`;
  const raw = `${view}_raw`;
  if (format === "CSV") await readCsv(duck, clause, list, raw);
  else
    await duck.run(
      `CREATE OR REPLACE TEMP VIEW ${raw} AS SELECT * FROM read_parquet(${list}, filename = true, union_by_name = true)`,
    );
  const present = (await (await duck.runAndReadAll(`DESCRIBE ${raw}`)).getRowObjects()).map(
    (r) => ({
      name: String(r.column_name),
      type: String(r.column_type),
    }),
  );
  const header = clause.options.HEADER_ROW === "TRUE" || format === "PARQUET";
  const sources = clause.columns.map((c, i) => {
    const wanted = c.path?.name ?? c.name;
    const found = header
      ? (present.find((p) => p.name === wanted) ??
        present.find((p) => p.name.toLowerCase() === wanted.toLowerCase()))
      : present.find((p) => p.name === `column${(c.ordinal ?? i + 1) - 1}`);
    // Stand-in: the number serverless gives for a strict path that names no column is not documented.
    if (!found && c.path?.strict)
      fail(
        15813,
        `Error handling external file: 'Column '${wanted}' is not found'. File/External table name: '${[...local.values()][0]}'.`,
      );
    return { column: c, found };
  });
  if (format === "PARQUET") {
    for (const { column, found } of sources) {
      if (found && !parquetFits(found.type, column.type)) {
        const file = [...local.values()][0];
        fail(
          15814,
          `Column '${column.name}' of type '${column.type.text.toUpperCase()}' is not compatible with external data type 'Parquet physical type: ${parquetPhysical(found.type)}'${found.type === "DOUBLE" ? ", please try with 'FLOAT'" : ""}. File/External table name: '${file}'.`,
        );
      }
    }
  }
  // Every value must fit its column; the first that does not names its file.
  const value = (s: (typeof sources)[number]) =>
    !s.found
      ? `CAST(NULL AS ${s.column.type.duck})`
      : format === "CSV"
        ? s.column.type.parse(duckName(s.found.name))
        : s.column.type.maxLength === undefined
          ? `CAST(${duckName(s.found.name)} AS ${s.column.type.duck})`
          : s.column.type.parse(`CAST(${duckName(s.found.name)} AS VARCHAR)`);
  const misfit = sources
    .filter((s) => s.found)
    .map((s) => `(${duckName(s.found!.name)} IS NOT NULL AND ${value(s)} IS NULL)`);
  if (misfit.length > 0) {
    const bad = await (
      await duck.runAndReadAll(`SELECT filename FROM ${raw} WHERE ${misfit.join(" OR ")} LIMIT 1`)
    ).getRowObjects();
    if (bad.length > 0) {
      const file = local.get(String(bad[0].filename)) ?? String(bad[0].filename);
      fail(
        15813,
        `Error handling external file: 'Max errors count reached'. File/External table name: '${file}'.`,
      );
    }
  }
  const select = sources.map((s) => `${value(s)} AS ${duckName(s.column.name)}`);
  await duck.run(`CREATE OR REPLACE TEMP VIEW ${view} AS SELECT ${select.join(", ")} FROM ${raw}`);
}

async function readCsv(duck: DuckDBConnection, clause: Openrowset, list: string, raw: string) {
  const o = clause.options;
  const header = o.HEADER_ROW === "TRUE";
  const skip = Math.max(0, Number(o.FIRSTROW ?? 1) - 1);
  const quote = o.FIELDQUOTE ?? '"';
  const settings = [
    `delim = ${duckString(unescape(o.FIELDTERMINATOR ?? ","))}`,
    `quote = ${duckString(quote)}`,
    // A quote inside a quoted value is doubled (develop-openrowset, FIELDQUOTE).
    `escape = ${duckString(quote)}`,
    `header = ${header}`,
    `skip = ${skip}`,
    "all_varchar = true",
    // PARSER_VERSION 2.0: a quoted empty string is an empty string, an empty field is NULL.
    "allow_quoted_nulls = false",
    // A row with fewer fields than the columns: develop-openrowset documents no field count for
    // PARSER_VERSION 2.0, so this model takes the side that changes data silently (the missing
    // fields read as NULL; without a header, a field past the WITH ordinals is not read), the one the
    // product must not rely on: its
    // server-side check does not see a row's field count (README, Limits), and `run --local` refuses it.
    "null_padding = true",
    "filename = true",
    // With a header the sniffer only reads the names (delimiter and quote are given); without one the
    // columns are given.
    `auto_detect = ${header}`,
  ];
  // With a header, files bind by name and may order their columns differently.
  if (header) settings.push("union_by_name = true");
  if (o.ROWTERMINATOR !== undefined) {
    const terminator = unescape(o.ROWTERMINATOR);
    // DuckDB takes \n for both \n and \r\n, as serverless's defaults do.
    if (terminator !== "\n" && terminator !== "\r\n")
      settings.push(`new_line = ${duckString(terminator)}`);
  }
  if (!header) {
    // Without a header DuckDB needs the number of columns: the widest row of any file.
    const widest = await (
      await duck.runAndReadAll(
        `SELECT max(len(string_split(line, ${duckString(unescape(o.FIELDTERMINATOR ?? ","))}))) AS n FROM read_csv(${list}, columns = {'line': 'VARCHAR'}, delim = '\u0001', quote = '', escape = '', header = false, auto_detect = false)`,
      )
    ).getRowObjects();
    const n = Math.max(
      1,
      Number(widest[0]?.n ?? 1),
      ...clause.columns.map((c, i) => c.ordinal ?? i + 1),
    );
    const columns = Array.from({ length: n }, (_, i) => `'column${i}': 'VARCHAR'`);
    settings.push(`columns = {${columns.join(", ")}}`);
  }
  await duck.run(
    `CREATE OR REPLACE TEMP VIEW ${raw} AS SELECT * FROM read_csv(${list}, ${settings.join(", ")})`,
  );
}

/**
 * Where the record starts that a quote opens and the file's end leaves open, or undefined. A doubled
 * quote inside a quoted field toggles twice, so it stays inside. That the byte serverless reports
 * is the record's start is this model's choice: its meaning is not documented.
 */
function unclosedRecordStart(data: Buffer, quote: string): number | undefined {
  const q = quote.charCodeAt(0);
  let inside = false;
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === q) inside = !inside;
    else if (b === 0x0a && !inside) start = i + 1;
  }
  return inside ? start : undefined;
}

/** `\t`, `\n`, `0x0a` as serverless reads a terminator (develop-openrowset, ROWTERMINATOR). */
function unescape(text: string): string {
  if (/^0x[0-9a-f]{2}$/i.test(text)) return String.fromCharCode(parseInt(text.slice(2), 16));
  return text.replace(/\\t/g, "\t").replace(/\\r/g, "\r").replace(/\\n/g, "\n");
}

/** The Parquet physical type DuckDB writes for one of its types (Parquet's format spec, "Types"). */
function parquetPhysical(duck: string): string {
  const d = duck.toUpperCase();
  if (["TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT", "UINTEGER", "DATE"].includes(d))
    return "INT32";
  if (d === "BIGINT" || d.startsWith("TIMESTAMP")) return "INT64";
  if (d === "DOUBLE" || d === "FLOAT" || d === "BOOLEAN") return d;
  // DuckDB stores a decimal of up to 9 digits as INT32, up to 18 as INT64, wider as fixed bytes.
  const digits = /^DECIMAL\((\d+)/.exec(d);
  if (digits)
    return Number(digits[1]) <= 9
      ? "INT32"
      : Number(digits[1]) <= 18
        ? "INT64"
        : "FIXED_LEN_BYTE_ARRAY";
  return "BYTE_ARRAY";
}

/**
 * Whether a Parquet column DuckDB read as `duck` may fill a WITH column of `type` (develop-openrowset,
 * "Type mapping for Parquet"): integers into a wide enough integer type, floating point into float or
 * real, strings into string types, dates, timestamps, booleans and decimals into their own.
 */
function parquetFits(duck: string, type: TsqlType): boolean {
  const d = duck.toUpperCase();
  const ints = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"];
  switch (type.name) {
    case "tinyint":
      return ["UTINYINT", "TINYINT"].includes(d);
    case "smallint":
      return ["TINYINT", "SMALLINT", "UTINYINT"].includes(d);
    case "int":
      return ["TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT"].includes(d);
    case "bigint":
      return ints.includes(d);
    case "float":
    case "real":
      return d === "DOUBLE" || d === "FLOAT";
    case "bit":
      return d === "BOOLEAN";
    case "date":
      return d === "DATE";
    case "datetime2":
    case "datetime":
      return d.startsWith("TIMESTAMP");
    case "decimal":
    case "numeric":
      return d.startsWith("DECIMAL") || ints.includes(d);
    case "uniqueidentifier":
      return d === "UUID" || d === "VARCHAR";
    default:
      return d === "VARCHAR" || d === "BLOB";
  }
}
