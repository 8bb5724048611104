// The header rows of a lake-resident CSV source with a header, read before serverless exports it, so
// that a file whose header lacks a declared column fails the entity instead of giving a column no
// values (plan/lakeHeader.ts says why). These are the only bytes of a lake source the runner reads:
// per file ranged reads of its start, the first as long as a header of the declared names alone and
// each next one doubling it until the header row ends (so what is read past the header is less than
// the header, and nothing for a header of just the declared columns), never past MAX_HEADER_BYTES,
// from the version the listing saw (its ETag), and only when the listing changed; an unchanged source
// is not read at all.

import { lakeHeaderProblem } from "../../plan/lakeHeader";
import type { LakeFileHeader, LakeSourceFiles } from "../../plan/lakeSource";
import type { SourceSpec } from "../../spec/types";
import { headerDoesNotEnd, MAX_HEADER_BYTES, parseCsvHeader } from "../sources/csvHeader";
import { SourceError } from "../sources/sourceError";
import type { ListedLakeFile } from "./lakeSourceListing";

/** Bytes of a listed file from `offset`, from the listed version only; undefined when it changed or is gone. */
export type ReadSourceRange = (
  file: ListedLakeFile,
  offset: number,
  count: number,
) => Promise<Buffer | undefined>;

/**
 * Fails naming the file when a header lacks a declared column; nothing is written before this. The
 * headers of the files that have one (every listed file but an empty one), or undefined for a source
 * without a header.
 */
export async function checkLakeHeaders(
  source: LakeSourceFiles,
  files: readonly ListedLakeFile[],
  read: ReadSourceRange,
): Promise<LakeFileHeader[] | undefined> {
  const csv = source.csv;
  if (source.format !== "csv" || !csv?.header) return undefined;
  const dialect: SourceSpec = {
    path: "",
    format: "csv",
    delimiter: csv.delimiter,
    quote: csv.quote,
    header: true,
  };
  // The header holds at least every declared name, a delimiter between them and a line end: a header
  // of just those (the common case) is read by the first request with no byte of a row after it.
  const names = source.columns.map((c) => c.sourceColumn ?? c.name);
  const first = Buffer.byteLength(names.join(csv.delimiter)) + 1;
  const headers: LakeFileHeader[] = [];
  for (const file of files) {
    // An empty file has no header and no row: serverless reads nothing from it, so nothing is lost.
    if (file.bytes === 0) continue;
    const header = await readHeader(file, dialect, read, first);
    const problem = lakeHeaderProblem(source.columns, header, file.url);
    if (problem) throw new SourceError(problem);
    headers.push({ location: file.location, url: file.url, columns: header });
  }
  return headers;
}

async function readHeader(
  file: ListedLakeFile,
  dialect: SourceSpec,
  read: ReadSourceRange,
  first: number,
): Promise<string[]> {
  let bytes = Buffer.alloc(0);
  let want = Math.min(file.bytes, first);
  for (;;) {
    if (want > bytes.length) {
      const more = await read(file, bytes.length, want - bytes.length);
      if (more === undefined || more.length === 0) {
        throw new SourceError(
          `${file.url} was rewritten or removed after it was listed, while its header was read. Nothing was written; run the export again.`,
        );
      }
      bytes = Buffer.concat([bytes, more]);
    }
    const header = parseCsvHeader(bytes, file.url, dialect, bytes.length >= file.bytes);
    if (header) return header;
    if (bytes.length >= MAX_HEADER_BYTES) throw headerDoesNotEnd(file.url);
    want = Math.min(file.bytes, MAX_HEADER_BYTES, want * 2);
  }
}
