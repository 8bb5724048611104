// One embedded DuckDB for a run: reads the sources and writes the parts. Its settings are what keep
// an export fast and its memory bounded whatever the size of the source.

import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import * as os from "node:os";
import { quoteDuckdbLiteral } from "../../plan/sqlQuote";
import { nativeShapesToLoad, type NativeShapes } from "./nativeShapes";
import { NATIVE_SHAPES, REGEX_SHAPES, type ShapeTests } from "./valueShapes";

export interface DuckSessionOptions {
  /** Where DuckDB spills when an operator outgrows `memoryLimit` (inside the run's staging folder). */
  tempDirectory?: string;
  memoryLimit?: string;
  threads?: number;
  /** The native shape tests to load; by default nativeShapesToLoad()'s answer. */
  nativeShapes?: NativeShapes;
}

/**
 * DuckDB's default memory_limit is 80% of RAM, and it uses what it is allowed: a plain 5M-row CSV to
 * Parquet COPY peaked at about 520 MB RSS here with the default, and at about 310 MB with 256MB, a
 * little faster too (fewer, warmer buffers). The export streams, so it never needs more; 256MB keeps
 * the whole process under the 512 MB target with room for Node itself.
 */
export const DEFAULT_MEMORY_LIMIT = "256MB";

export type Row = Record<string, unknown>;

export class DuckSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** The shape tests the casts ask in this session: the native ones when they loaded. */
    readonly shapes: ShapeTests,
  ) {}

  static async open(options: DuckSessionOptions = {}): Promise<DuckSession> {
    const config: Record<string, string> = {
      memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      threads: String(options.threads ?? os.availableParallelism()),
      // No network from an export: every extension used (parquet, json, icu) is built into the package.
      autoinstall_known_extensions: "false",
    };
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    // The writer's own extension (nativeShapes.ts) is built here, so it carries no signature. Nothing
    // but the product's own SQL runs in this instance: no user text reaches a LOAD.
    const native = options.nativeShapes ?? nativeShapesToLoad();
    if ("file" in native) config.allow_unsigned_extensions = "true";
    // Loaded here, not at import: a Pulumi program or a `plan` that never exports should not pay for
    // DuckDB's native module (about 60 MB of memory), nor fail where it cannot load.
    const { DuckDBInstance } = require("@duckdb/node-api") as typeof import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:", config);
    const connection = await instance.connect();
    // Timestamps are read and written as UTC whatever the machine's zone (dateTimeOffset → UTC). Set
    // after connecting: ICU, which owns the setting, is linked in but not yet loaded at create time.
    await connection.run("SET TimeZone = 'UTC'");
    return new DuckSession(instance, connection, await loadShapes(connection, native));
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Rows as plain objects; BIGINTs become JS numbers when they fit, strings otherwise. */
  async query(sql: string): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Row[];
  }

  /**
   * Runs `work` with a memory limit raised for a source `columns` wide, then puts it back. DuckDB's
   * readers and writers keep buffers per column and thread: its own plain CSV → Parquet COPY of a
   * 3,000-column file (100 rows) fails at 256MB and 512MB with two threads and passes at 768MB, so
   * 96 KiB per column and thread are added to the limit, for files past a few hundred columns only.
   */
  async withMemoryForColumns<T>(columns: number, work: () => Promise<T>): Promise<T> {
    const [row] = await this.query(
      "SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t",
    );
    const threads = Number(row.t);
    const extraMb = Math.ceil((columns * threads * 96) / 1024);
    if (extraMb < 64) return work();
    await this.run(`SET memory_limit = '${256 + extraMb}MB'`);
    try {
      return await work();
    } finally {
      await this.run(`SET memory_limit = '${String(row.m).replace(/'/g, "")}'`);
    }
  }

  /** Rows as plain objects, a chunk at a time, for results too large to hold at once. */
  async *streamRows(sql: string): AsyncGenerator<Row[]> {
    const result = await this.connection.stream(sql);
    for await (const rows of result.yieldRowObjectJson()) yield rows as Row[];
  }

  /** Stops the query running on this session (it then fails with an "interrupted" error). */
  interrupt(): void {
    this.connection.interrupt();
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * The native shape tests when their file loads; else the regular expressions, which decide the same
 * texts (an extension built for another DuckDB platform is refused by DuckDB's own check of its
 * footer). A file that is there but refused is said once per process and reason, as a Node warning on stderr:
 * the export is right either way, but several times slower on these tests.
 */
async function loadShapes(connection: DuckDBConnection, native: NativeShapes): Promise<ShapeTests> {
  if ("absent" in native) return REGEX_SHAPES;
  if ("refused" in native) return fallBack(native.refused);
  try {
    await connection.run(`LOAD ${quoteDuckdbLiteral(native.file)}`);
    return NATIVE_SHAPES;
  } catch (error) {
    return fallBack(`DuckDB did not load ${native.file}: ${(error as Error).message}`);
  }
}

const warned = new Set<string>();

function fallBack(reason: string): ShapeTests {
  if (!warned.has(reason)) {
    warned.add(reason);
    process.emitWarning(
      `${reason}. The writer's shape tests run as regular expressions instead: the same values land, ` +
        "more slowly. Run `npm run build:native` in the package to build them again.",
      { code: "SYNAPSE_EXPORT_NATIVE_SHAPES" },
    );
  }
  return REGEX_SHAPES;
}
