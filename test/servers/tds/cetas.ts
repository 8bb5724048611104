// The lake statements of Synapse serverless SQL for the strict TDS test server (serverlessModel.ts):
// CREATE EXTERNAL TABLE AS SELECT (CETAS) and plain SELECTs over OPENROWSET (the plan's type checks:
// COUNT_BIG(*), TOP 1 ... WHERE TRY_CAST(...) IS NULL), executed in DuckDB over the dfs test server's
// files (serverlessLake.ts, openrowset.ts), writing the Parquet parts back into its namespace.
//
// What serverless does, and where it is written:
// - CETAS syntax `CREATE EXTERNAL TABLE name WITH (LOCATION = 'folder/', DATA_SOURCE = ds, FILE_FORMAT =
//   ff) AS SELECT ...` (learn.microsoft.com/azure/synapse-analytics/sql/develop-tables-cetas; the full
//   grammar at learn.microsoft.com/sql/t-sql/statements/create-external-table-as-select-transact-sql):
//   LOCATION is relative to the data source's LOCATION and "must point to a folder and have a trailing
//   /" (else 15840 "External table location must be a folder. Location provided: '...'", no wildcards:
//   15841; the numbers and texts from the engine's error list, 15000 to 15999).
// - It cannot overwrite: a LOCATION that exists fails with 15842 "Cannot create external table. External
//   table location already exists. Location provided: '...'" (the same error list; reported on
//   MicrosoftDocs/azure-docs issue 67463, and the SQL MI CETAS page's "Common error messages").
// - DROP EXTERNAL TABLE removes the table, not its files (develop-tables-external-tables; the same issue).
// - "If CREATE EXTERNAL TABLE AS SELECT is canceled or fails, the database makes a one-time attempt to
//   remove any new files and folders already created" (the CETAS T-SQL page, "Remarks"): a failure
//   injected partway (`failNextCetas`) leaves the parts written so far only when that attempt fails too
//   (`cleanUp: false`), which is the case a rerun must survive.
// - Parts are named `<QueryID>_<date>_<time>_<n>.parquet` ("The external files are named
//   QueryID_date_time_ID.format", the CETAS T-SQL page on LOCATION); how many parts serverless writes is
//   its own choice (parallel writers), here `rowsPerPart`.
// - The row count: CETAS reports the rows it exported as the statement's rows affected (DONE_COUNT), as
//   SQL Server's CETAS prints "(n rows affected)". Serverless's own count is not documented: a client
//   that must know the count exactly should not trust this alone (the manifest's count can be checked
//   with COUNT_BIG(*) over the written files).
// - DML on an external table: 46519 "DML Operations are not supported with external tables." (the
//   engine's message for INSERT / UPDATE / DELETE on an external table). T-SQL has no ALTER EXTERNAL
//   TABLE (the CETAS page: change means drop and create again; overview-features lists no ALTER):
//   it is a syntax error, 102, here.
// - T-SQL result columns: COUNT_BIG is bigint, SUM of an int is int; everything else is returned as
//   nvarchar text, which is all the plan's checks read (the test server's simplification).

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { BatchAnswer } from "./tdsTestServer";
import type { Column } from "./tokens";
import { findOpenrowset, materialize, SqlFailure, type ReadContext } from "./openrowset";
import { joinLakeUrl, type LakeFile, type ServerlessLake } from "./serverlessLake";
import { closingParen, duckName, identifier, literal, splitTopLevel, twoPartName } from "./sqlText";
import { tsqlType } from "./tsqlTypes";

/** What the statements see of one database of the model. */
export interface ExternalCatalog {
  database: string;
  dataSource(name: string): string | undefined;
  fileFormat(name: string): string | undefined;
  hasSchema(name: string): boolean;
  table(
    schema: string,
    name: string,
  ): { columns: string[]; location: string; dataSource: string } | undefined;
  addTable(
    schema: string,
    name: string,
    table: { columns: string[]; location: string; dataSource: string },
  ): void;
  /** Whether the signed-in caller holds a storage data role (pass-through reads and writes). */
  callerReadsLake: boolean;
}

/** The hook serverlessModel.ts calls: an answer for a lake statement, undefined for any other text. */
export interface LakeStatements {
  execute(text: string, catalog: ExternalCatalog): Promise<BatchAnswer> | undefined;
}

export interface CetasRecord {
  table: string;
  /** The folder's URL, with a trailing slash. */
  location: string;
  rows: number;
  parts: string[];
}

export interface CetasFailure {
  /** Parts written before the failure. */
  afterParts: number;
  /** Whether the one-time clean-up succeeds (true: nothing is left; false: a half-written folder). */
  cleanUp: boolean;
  error?: { number: number; message: string };
}

const CETAS = new RegExp(
  String.raw`^\s*CREATE\s+EXTERNAL\s+TABLE\s+(\S+)\s+WITH\s*\(\s*LOCATION\s*=\s*(N?'(?:[^']|'')*')\s*,\s*` +
    String.raw`DATA_SOURCE\s*=\s*(\[(?:[^\]]|\]\])+\]|\w+)\s*,\s*FILE_FORMAT\s*=\s*(\[(?:[^\]]|\]\])+\]|\w+)\s*\)\s*AS\s+(SELECT\b[\s\S]*?);?\s*$`,
  "i",
);
/**
 * `SELECT COUNT_BIG(*) AS alias FROM schema.table` over an external table: its rows are those of the
 * files in its LOCATION folder, not below it and not hidden ones (develop-tables-external-tables,
 * "LOCATION": a native external table over a folder returns its files, without subfolders unless the
 * path ends in /**; develop-storage-files-overview: names beginning with _ or . are not read).
 */
const COUNT_TABLE =
  /^\s*SELECT\s+COUNT_BIG\s*\(\s*\*\s*\)\s+AS\s+(\[(?:[^\]]|\]\])+\]|\w+)\s+FROM\s+(\S+?)\s*;?\s*$/i;
const DML = /^\s*(?:INSERT\s+(?:INTO\s+)?|UPDATE\s+|DELETE\s+(?:FROM\s+)?)(\S+)/i;
const ALTER_TABLE = /^\s*ALTER\s+EXTERNAL\s+TABLE\b/i;
const DROP_TABLE = /^\s*DROP\s+EXTERNAL\s+TABLE\s+(\S+?)\s*;?\s*$/i;

export class ServerlessLakeEngine implements LakeStatements {
  /** Every CETAS that completed, in order. */
  readonly cetas: CetasRecord[] = [];
  /** How many rows a part holds at most (serverless splits by its own writers). */
  rowsPerPart = 1_000_000;
  /** Test hook between listing a query's source files and reading them. */
  afterListing?: (files: LakeFile[]) => void;
  private failure?: CetasFailure;
  private instance?: Promise<DuckDBInstance>;
  private queries = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly lake: ServerlessLake) {}

  /**
   * The next CETAS reports this many rows more than it wrote (negative: fewer). Serverless documents
   * no row count for a CETAS (the header above), so a client must not trust one it gets.
   */
  misreportNextCetas(delta: number): this {
    this.misreport = delta;
    return this;
  }
  private misreport = 0;

  /** The next CETAS fails after writing `afterParts` parts (with 15856, an I/O failure, by default). */
  failNextCetas(failure: CetasFailure): this {
    this.failure = failure;
    return this;
  }

  execute(text: string, catalog: ExternalCatalog): Promise<BatchAnswer> | undefined {
    const dml = DML.exec(text);
    if (dml) {
      const name = twoPartName(dml[1]);
      if (name && catalog.table(name.schema, name.name))
        return Promise.resolve(
          error(46519, "DML Operations are not supported with external tables."),
        );
      return undefined;
    }
    if (ALTER_TABLE.test(text))
      return Promise.resolve(error(102, "Incorrect syntax near 'EXTERNAL'.", 15));
    const drop = DROP_TABLE.exec(text);
    if (drop) {
      const name = twoPartName(drop[1]);
      if (!name) return undefined;
      if (!catalog.table(name.schema, name.name))
        return Promise.resolve(
          error(
            3701,
            `Cannot drop the external table '${name.schema}.${name.name}', because it does not exist or you do not have permission.`,
          ),
        );
      return undefined; // the model drops it (and, as serverless, leaves its files)
    }
    const counted = COUNT_TABLE.exec(text);
    const table = counted && twoPartName(counted[2]);
    const found = table && catalog.table(table.schema, table.name);
    if (counted && found) {
      const run = this.queue.then(() => this.countTable(identifier(counted[1]), found, catalog));
      this.queue = run.catch(() => undefined);
      return run;
    }
    const isCetas = CETAS.test(text);
    if (!isCetas && !(/^\s*SELECT\b/i.test(text) && /\bOPENROWSET\s*\(/i.test(text)))
      return undefined;
    // One statement at a time: DuckDB's scratch views are shared.
    const run = this.queue.then(() => this.run(text, catalog, isCetas));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.instance) (await this.instance).closeSync();
  }

  private async run(
    text: string,
    catalog: ExternalCatalog,
    isCetas: boolean,
  ): Promise<BatchAnswer> {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "serverless-"));
    const duck = await (await this.duckdb()).connect();
    try {
      return isCetas
        ? await this.createAsSelect(duck, text, catalog, scratch)
        : await this.select(duck, text, catalog, scratch);
    } catch (e) {
      if (e instanceof SqlFailure) return { error: e.error };
      const failed =
        e instanceof Error
          ? /Conversion failed when converting.*?\.(?=\s|$)/.exec(e.message)
          : null;
      if (failed) return error(245, failed[0]);
      if (
        e instanceof Error &&
        e.message.includes("Error converting data type varchar to numeric.")
      )
        return error(8114, "Error converting data type varchar to numeric.");
      throw e;
    } finally {
      duck.closeSync();
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  private async countTable(
    alias: string,
    table: { location: string; dataSource: string },
    catalog: ExternalCatalog,
  ): Promise<BatchAnswer> {
    const folder = joinLakeUrl(table.dataSource, table.location);
    const files = catalog.callerReadsLake ? this.lake.match(folder) : undefined;
    if (!files) return error(13807, `Content of directory on path '${folder}' cannot be listed.`);
    let rows = 0n;
    if (files.length > 0) {
      const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "serverless-count-"));
      const duck = await (await this.duckdb()).connect();
      try {
        const local: string[] = [];
        for (const [i, file] of files.entries()) {
          const where = path.join(scratch, `part_${i}.parquet`);
          await fs.writeFile(where, this.lake.read(file)!.data);
          local.push(where);
        }
        const list = `[${local.map((f) => `'${f.replace(/'/g, "''")}'`).join(", ")}]`;
        const [row] = (
          await duck.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${list})`)
        ).getRowObjects();
        rows = BigInt(String(row.n));
      } finally {
        duck.closeSync();
        await fs.rm(scratch, { recursive: true, force: true });
      }
    }
    return { rows: { columns: [{ name: alias, type: "bigint" }], rows: [[rows]] } };
  }

  private duckdb(): Promise<DuckDBInstance> {
    const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
    this.instance ??= DuckDBInstance.create(":memory:", { threads: "1" });
    return this.instance;
  }

  /** Rewrites the statement's OPENROWSET clauses into DuckDB views and the rest into DuckDB SQL. */
  private async translate(
    duck: DuckDBConnection,
    select: string,
    catalog: ExternalCatalog,
    scratch: string,
  ): Promise<string> {
    const context: ReadContext = {
      lake: this.lake,
      dataSource: (name) => catalog.dataSource(name),
      callerReadsLake: catalog.callerReadsLake,
      scratch,
      afterListing: this.afterListing,
    };
    let out = "";
    let at = 0;
    let n = 0;
    for (let clause = findOpenrowset(select); clause; clause = findOpenrowset(select, at)) {
      const view = `openrowset_${++this.queries}_${n++}`;
      await materialize(duck, clause, view, context);
      out += select.slice(at, clause.start) + `${view} AS ${duckName(clause.alias)}`;
      at = clause.end;
    }
    return toDuckSql(out + select.slice(at));
  }

  private async select(
    duck: DuckDBConnection,
    text: string,
    catalog: ExternalCatalog,
    scratch: string,
  ): Promise<BatchAnswer> {
    const sql = await this.translate(duck, text.trim().replace(/;$/, ""), catalog, scratch);
    const reader = await duck.runAndReadAll(sql);
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const columns: Column[] = names.map((name, i) => ({
      // An expression without an alias has no name in T-SQL.
      name: /\(|\*/.test(name) ? "" : name,
      // COUNT_BIG is bigint (DuckDB's count: BIGINT); SUM of an int is int (DuckDB's: HUGEINT).
      type:
        types[i] === "BIGINT"
          ? "bigint"
          : ["HUGEINT", "INTEGER", "SMALLINT", "TINYINT"].includes(types[i])
            ? "int"
            : "nvarchar",
    }));
    const rows = reader.getRows().map((row) =>
      row.map((v, i) => {
        if (v === null) return null;
        if (columns[i].type === "bigint") return BigInt(String(v));
        return columns[i].type === "int" ? Number(v) : String(v);
      }),
    );
    return { rows: { columns, rows } };
  }

  private async createAsSelect(
    duck: DuckDBConnection,
    text: string,
    catalog: ExternalCatalog,
    scratch: string,
  ): Promise<BatchAnswer> {
    const m = CETAS.exec(text)!;
    const name = twoPartName(m[1]);
    const location = literal(m[2])!;
    const [dataSource, fileFormat] = [identifier(m[3]), identifier(m[4])];
    if (!name) return error(102, `Incorrect syntax near '${m[1]}'.`, 15);
    if (catalog.table(name.schema, name.name))
      return error(2714, `There is already an object named '${name.name}' in the database.`);
    if (!catalog.hasSchema(name.schema))
      return error(
        2760,
        `The specified schema name "${name.schema}" either does not exist or you do not have permission to use it.`,
      );
    const base = catalog.dataSource(dataSource);
    // Stand-in: the number serverless gives for a missing data source or file format is not documented.
    if (base === undefined)
      return error(
        15151,
        `Cannot find the external data source '${dataSource}', because it does not exist or you do not have permission.`,
      );
    const formatOptions = catalog.fileFormat(fileFormat);
    if (formatOptions === undefined)
      return error(
        15151,
        `Cannot find the external file format '${fileFormat}', because it does not exist or you do not have permission.`,
      );
    if (!/FORMAT_TYPE\s*=\s*PARQUET/i.test(formatOptions))
      return error(50000, "Test server: CETAS writes Parquet only (the plan's file format).");
    const folderUrl = joinLakeUrl(base, location);
    if (/[*?]/.test(location))
      return error(
        15841,
        `External table location cannot contain wildcard characters. Location provided: '${folderUrl}'`,
      );
    if (!location.endsWith("/"))
      return error(
        15840,
        `External table location must be a folder. Location provided: '${folderUrl}'`,
      );
    if (this.lake.exists(folderUrl))
      return error(
        15842,
        `Cannot create external table. External table location already exists. Location provided: '${folderUrl}'`,
      );
    if (!catalog.callerReadsLake || !this.lake.reachable(folderUrl))
      return error(
        13822,
        `File '${folderUrl}' cannot be opened because it does not exist or it is used by another process.`,
      );

    // Everything is read and checked before the first byte is written.
    const sql = await this.translate(duck, m[5], catalog, scratch);
    await duck.run(`CREATE OR REPLACE TEMP TABLE cetas_result AS ${sql}`);
    const columns = (await (await duck.runAndReadAll("DESCRIBE cetas_result")).getRowObjects()).map(
      (r) => String(r.column_name),
    );
    const count = Number(
      (
        await (await duck.runAndReadAll("SELECT count(*) AS n FROM cetas_result")).getRowObjects()
      )[0].n,
    );

    const queryId = `QID${1000 + this.queries}`;
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
    const parts: string[] = [];
    const failure = this.failure;
    this.failure = undefined;
    const created = this.lake.mkdir(folderUrl);
    const partCount = Math.max(1, Math.ceil(count / this.rowsPerPart));
    for (let i = 0; i < partCount; i++) {
      if (failure && parts.length >= failure.afterParts) {
        if (failure.cleanUp) this.lake.remove(created);
        return {
          error: failure.error
            ? { ...failure.error, class: 16 }
            : {
                number: 15856,
                message: `I/O operation against '${joinLakeUrl(folderUrl, `${queryId}_${stamp}_${i}.parquet`)}' failed (details: {Operation = 'Write', HRESULT = '0x80070079'}).`,
                class: 16,
              },
        };
      }
      const local = path.join(scratch, `part_${i}.parquet`);
      await duck.run(
        `COPY (SELECT * FROM cetas_result LIMIT ${this.rowsPerPart} OFFSET ${i * this.rowsPerPart}) TO '${local.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION snappy)`,
      );
      const url = joinLakeUrl(folderUrl, `${queryId}_${stamp}_${i}.parquet`);
      this.lake.write(url, await fs.readFile(local));
      parts.push(url);
    }
    catalog.addTable(name.schema, name.name, { columns, location, dataSource: base });
    this.cetas.push({
      table: `${name.schema}.${name.name}`,
      location: folderUrl,
      rows: count,
      parts,
    });
    const reported = count + this.misreport;
    this.misreport = 0;
    return { rows: { columns: [], rows: [] }, rowsAffected: reported };
  }
}

function error(number: number, message: string, cls = 16): BatchAnswer {
  return { error: { number, message, class: cls } };
}

/**
 * The T-SQL of a SELECT (its OPENROWSET clauses already views) as DuckDB SQL: bracketed names to quoted
 * ones, N'' literals to plain ones, TOP n to LIMIT n, COUNT_BIG to count, LEN to the length without
 * trailing blanks (T-SQL's LEN), ISNULL to coalesce, and CAST / TRY_CAST by T-SQL's rules (tsqlTypes.ts):
 * TRY_CAST gives NULL where CAST fails with 245 "Conversion failed when converting the varchar value
 * '...' to data type ..." (the cast-and-convert page; SQL Server error 245).
 */
export function toDuckSql(tsql: string): string {
  let text = tsql;
  let limit: string | undefined;
  text = text.replace(
    /^(\s*SELECT\s+)TOP\s*\(?\s*(\d+)\s*\)?\s+/i,
    (_, select: string, n: string) => {
      limit = n;
      return select;
    },
  );
  text = rewriteFunctions(text);
  text = rewriteCasts(text);
  text = rewriteLike(text);
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (
      c === "'" ||
      ((c === "N" || c === "n") && text[i + 1] === "'" && !/\w/.test(text[i - 1] ?? ""))
    ) {
      const start = c === "'" ? i : i + 1;
      let j = start + 1;
      while (j < text.length && !(text[j] === "'" && text[j + 1] !== "'"))
        j += text[j] === "'" ? 2 : 1;
      out += text.slice(start, j + 1);
      i = j;
    } else if (c === "[") {
      let j = i + 1;
      while (j < text.length && !(text[j] === "]" && text[j + 1] !== "]"))
        j += text[j] === "]" ? 2 : 1;
      out += duckName(text.slice(i + 1, j).replace(/]]/g, "]"));
      i = j;
    } else out += c;
  }
  out = out
    .replace(/\bCOUNT_BIG\s*\(/gi, "count(")
    .replace(/\bISNULL\s*\(/gi, "coalesce(")
    .replace(/\bLEN\s*\(/gi, "rtrim_blanks(")
    // A collation changes comparisons of text, not its bytes: DuckDB compares bytes (BIN2).
    .replace(/\s+COLLATE\s+\w+/gi, "");
  out = closeRtrim(out);
  return limit === undefined ? out : `${out} LIMIT ${limit}`;
}

/**
 * `x [NOT] LIKE 'pattern'` → `x [NOT] SIMILAR TO 'regex'`: T-SQL's LIKE takes `%`, `_` and character
 * classes `[a-z]` / `[^a-z]` (learn.microsoft.com/sql/t-sql/language-elements/like-transact-sql),
 * which DuckDB's LIKE does not; under the BIN2 collations the plan uses it compares code points, as
 * a regular expression does. Every other character of the pattern is literal, and the value's
 * trailing blanks are ignored.
 */
function rewriteLike(text: string): string {
  return text.replace(
    /\b(NOT\s+)?LIKE\s+N?'((?:[^']|'')*)'/gi,
    (_, not: string | undefined, pattern: string) => {
      let regex = "";
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "%") regex += ".*";
        else if (c === "_") regex += ".";
        else if (c === "[") {
          const end = pattern.indexOf("]", i + 1);
          if (end < 0)
            throw new SqlFailure({
              number: 50000,
              message: "Test server: an unclosed [ in LIKE is not modelled.",
              class: 16,
            });
          regex += pattern.slice(i, end + 1);
          i = end;
        } else regex += /[.*+?(){}|^$\\]/.test(c) ? `\\${c}` : c;
      }
      // "trailing blanks, in the expression to which the pattern is matched, are ignored" (the LIKE
      // page, "Pattern matching by using LIKE"): the value may end in blanks the pattern lacks.
      return `${not ? "NOT " : ""}SIMILAR TO '${regex} *'`;
    },
  );
}

/** `rtrim_blanks(x)` → `length(rtrim(x, ' '))`: T-SQL's LEN does not count trailing blanks. */
function closeRtrim(text: string): string {
  let out = text;
  for (let at = out.indexOf("rtrim_blanks("); at >= 0; at = out.indexOf("rtrim_blanks(", at)) {
    const open = at + "rtrim_blanks".length;
    const close = closingParen(out, open);
    out = `${out.slice(0, at)}length(rtrim(${out.slice(open + 1, close - 1)}, ' '))${out.slice(close)}`;
  }
  return out;
}

/**
 * CONVERT(t, e[, style]) and TRY_CONVERT as CAST / TRY_CAST (style 23, yyyy-mm-dd, is the one the plan
 * sends, and what the date rule reads), CHARINDEX(find, in) as strpos(in, find), and SWITCHOFFSET(x,
 * '+00:00') as x (a datetimeoffset is held as its UTC instant, tsqlTypes.ts).
 */
function rewriteFunctions(text: string): string {
  const head = /\b(TRY_CONVERT|CONVERT|CHARINDEX|SWITCHOFFSET)\s*\(/gi;
  let m: RegExpExecArray | null;
  let out = text;
  const unmodelled = (what: string) =>
    new SqlFailure({ number: 50000, message: `Test server: ${what} is not modelled.`, class: 16 });
  while ((m = head.exec(out))) {
    const open = m.index + m[0].length - 1;
    const close = closingParen(out, open);
    const args = splitTopLevel(out.slice(open + 1, close - 1)).map(rewriteFunctions);
    const fn = m[1].toUpperCase();
    let replacement: string;
    if (fn === "CHARINDEX" && args.length === 2) replacement = `strpos(${args[1]}, ${args[0]})`;
    else if (fn === "SWITCHOFFSET" && args.length === 2 && literal(args[1]) === "+00:00")
      replacement = `(${args[0]})`;
    else if ((fn === "CONVERT" || fn === "TRY_CONVERT") && args.length >= 2 && args.length <= 3) {
      if (args[2] !== undefined && args[2].trim() !== "23")
        throw unmodelled(`CONVERT style ${args[2]}`);
      replacement = `${fn === "CONVERT" ? "CAST" : "TRY_CAST"}(${args[1]} AS ${args[0]})`;
    } else throw unmodelled(`${fn} with these arguments`);
    out = out.slice(0, m.index) + replacement + out.slice(close);
    head.lastIndex = m.index + replacement.length;
  }
  return out;
}

/** TRY_CAST(e AS t) and CAST(e AS t) by T-SQL's conversion rules from text. */
function rewriteCasts(text: string): string {
  const head = /\b(TRY_CAST|CAST)\s*\(/gi;
  let m: RegExpExecArray | null;
  let out = text;
  while ((m = head.exec(out))) {
    const open = m.index + m[0].length - 1;
    const close = closingParen(out, open);
    const inner = out.slice(open + 1, close - 1);
    const as = /\s+AS\s+([a-z0-9]+\s*(?:\(\s*(?:\d+|max)\s*(?:,\s*\d+\s*)?\))?)\s*$/i.exec(inner);
    const type = as && tsqlType(as[1]);
    if (!as || !type)
      throw new SqlFailure({ number: 102, message: `Incorrect syntax near '${m[1]}'.`, class: 15 });
    const expr = rewriteCasts(inner.slice(0, as.index));
    const x = `CAST((${expr}) AS VARCHAR)`;
    // Text follows T-SQL's rules from varchar; any other value DuckDB's own cast (typeof is constant).
    const converted = `(CASE WHEN typeof(${expr}) = 'VARCHAR' THEN ${type.cast(x)} ELSE ${type.fromValue(`(${expr})`)} END)`;
    // 8114 for numeric targets, 245 for the others (SQL Server's messages for a failed conversion).
    const message = ["decimal", "numeric", "float", "real"].includes(type.name)
      ? `'Error converting data type varchar to numeric.'`
      : `'Conversion failed when converting the varchar value ''' || ${x} || ''' to data type ${type.name}.'`;
    const replacement =
      m[1].toUpperCase() === "TRY_CAST"
        ? converted
        : `(CASE WHEN (${expr}) IS NULL THEN NULL ELSE coalesce(${converted}, error(${message})) END)`;
    out = out.slice(0, m.index) + replacement + out.slice(close);
    head.lastIndex = m.index + replacement.length;
  }
  return out;
}
