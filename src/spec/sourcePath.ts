// What a source's path says about it when the spec does not: its format from the extension, and a
// .tsv file's tab delimiter. The rules (which refuse a path that tells nothing) and normaliseSpec
// (which writes the shorthand out) read the path by these same functions.

import type { SourceFormat } from "./types";

const SOURCE_EXTENSIONS: Record<string, SourceFormat> = {
  ".csv": "csv",
  ".tsv": "csv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "json",
  ".parquet": "parquet",
};

/** Compression DuckDB's readers detect from the name (engine/sources/sourceStream.ts reads both too). */
const COMPRESSED_EXTENSIONS = [".gz", ".zst"];

export function formatFromPath(path: string): SourceFormat | undefined {
  const lower = stripCompression(path.toLowerCase());
  const ext = Object.keys(SOURCE_EXTENSIONS).find((e) => lower.endsWith(e));
  return ext ? SOURCE_EXTENSIONS[ext] : undefined;
}

/** A CSV source's delimiter when the spec gives none: a .tsv file is tab-separated. */
export function defaultDelimiter(path: unknown): string {
  return typeof path === "string" && stripCompression(path.toLowerCase()).endsWith(".tsv")
    ? "\t"
    : ",";
}

function stripCompression(lower: string): string {
  const ext = COMPRESSED_EXTENSIONS.find((e) => lower.endsWith(e));
  return ext ? lower.slice(0, -ext.length) : lower;
}
