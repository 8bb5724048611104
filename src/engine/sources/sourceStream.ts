// The bytes of a source file as DuckDB reads them: a `.gz` file gunzipped, a `.zst` file
// decompressed from Zstandard (DuckDB's compression='auto' goes by the same names, and DuckDB 1.5
// reads zstd CSV and JSON itself), anything else as it is. The header reader and the diagnostics
// that count lines read through this, so they see the lines DuckDB sees. Node 20's zlib has no
// zstd (zlib.createZstdDecompress arrived in Node 22.15), so zstd is fzstd's streaming decoder.

import { SourceError } from "./sourceError";
import { createReadStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress } from "fzstd";

export type SourceCompression = "gzip" | "zstd";

/** The compression DuckDB's compression='auto' detects from the file's name, if any. */
export function compressionOf(file: string): SourceCompression | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith(".gz")) return "gzip";
  if (lower.endsWith(".zst")) return "zstd";
  return undefined;
}

export function openSourceStream(file: string, highWaterMark = 1 << 20): Readable {
  const raw = createReadStream(file, { highWaterMark });
  const compression = compressionOf(file);
  if (compression === undefined) return raw;
  const decoder =
    compression === "gzip" ? createGunzip({ chunkSize: highWaterMark }) : zstdDecompressor(file);
  raw.on("error", (e) => decoder.destroy(e));
  return raw.pipe(decoder);
}

/** Zstandard frames in, their text out; a damaged or cut-short stream fails naming the file. */
function zstdDecompressor(file: string): Transform {
  const fail = (e: unknown) =>
    new SourceError(`${file} is not a complete Zstandard (.zst) file: ${(e as Error).message}`, {
      cause: e,
    });
  const decoder = new Decompress();
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        decoder.push(chunk);
        done();
      } catch (e) {
        done(fail(e));
      }
    },
    flush(done) {
      try {
        decoder.push(new Uint8Array(0), true);
        done();
      } catch (e) {
        done(fail(e));
      }
    },
  });
  decoder.ondata = (data) => {
    out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  };
  return out;
}

/** The first `limit` bytes of the file as DuckDB reads it (fewer if it is shorter). */
export async function readSourceStart(file: string, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const stream = openSourceStream(file, Math.min(limit, 1 << 20));
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      chunks.push(buf);
      total += buf.length;
      if (total >= limit) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit);
}
