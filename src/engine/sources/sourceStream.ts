// The bytes of a source file as DuckDB reads them: a `.gz` file decompressed (DuckDB's
// compression='auto' goes by the same name), anything else as it is. The header reader and the
// diagnostics that count lines read through this, so they see the lines DuckDB sees.

import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

export function isGzip(file: string): boolean {
  return file.toLowerCase().endsWith(".gz");
}

export function openSourceStream(file: string, highWaterMark = 1 << 20): Readable {
  const raw = createReadStream(file, { highWaterMark });
  if (!isGzip(file)) return raw;
  const gunzip = createGunzip({ chunkSize: highWaterMark });
  raw.on("error", (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
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
