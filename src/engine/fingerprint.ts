// The snapshot id: a fingerprint of everything that decides the bytes of a snapshot — the source
// files' bytes (SHA-256), the declared columns, the source and export formats and the writer's
// version — and of where it is written (SnapshotDestination). Same input, same id, so an unchanged entity is recognised and nothing is written; one
// changed byte, a new id, so a new snapshot folder. SHA-256 runs at about 2 GB/s here (SHA-NI), so
// even a full re-hash costs little next to an export; correctness first.
//
// Re-reading every byte on an unchanged rerun is still the largest cost of that rerun, so a file's
// hash recorded in the latest manifest is reused when its path, size, mtime, ctime, device and inode
// are all unchanged (see sources/sourceIdentity.ts: `touch -r` restores an mtime, never a ctime) and
// the mtime is older than the manifest's createdAt by a safety margin. `run --rehash` reuses
// nothing. Git also records ctime, device and inode in its index beside mtime and size
// (Documentation/technical/racy-git.txt). The margin is the racy-git rule: a file modified again
// within the filesystem's timestamp granularity after it was hashed would keep its mtime, so a hash
// is trusted only for files whose mtime was already safely in the past. For the same reason, a file
// whose mtime or ctime was within the margin of the moment it was hashed is recorded with mtimeMs -1
// (git "smudges" such racily-clean entries), so its hash is never reused: the ctime too, since a
// rewrite that puts its mtime back (`touch -r`, `cp -p` onto the file) in the tick it was hashed in
// keeps both its mtime and its ctime (unlike git, whose racy rule looks at mtime only).

import { SourceError } from "./sources/sourceError";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import type { SnapshotManifest } from "../plan/manifest";
import type { RunSpec } from "../plan/specSlices";
import type { ColumnSpec, ExportFormat, SourceFormat } from "../spec/types";
import type { SourceFile } from "./sources/resolveSources";
import { SNAPSHOT_ID_LENGTH } from "../plan/sqlPlan";
import {
  describeChange,
  sameIdentity,
  sourceGoneError,
  statSource,
  type SourceIdentity,
} from "./sources/sourceIdentity";

/** Bump when the same input would produce different snapshot files (casts, layout, Parquet options). */
export const WRITER_VERSION = "1";

/** Longer than any filesystem's mtime granularity (FAT: 2 s). */
export const RACY_MARGIN_MS = 3000;

const HASH_CHUNK_BYTES = 4 << 20;

export type SourceRecord = SnapshotManifest["sources"][number];

/**
 * Where the snapshot is written: the storage account, the container and the entity exactly as spelt.
 * Its SQL table is named `<Entity>__<snapshot>` in a database whose names ignore case, and reads the
 * container it was created for; the same bytes exported into another container, or under a spelling
 * of the entity that differs only in case, must be another snapshot, or the view would be switched
 * to the table that already has that name and reads the old place.
 */
export interface SnapshotDestination {
  account: string;
  container: string;
  entity: string;
}

export function snapshotDestination(spec: RunSpec, entity: string): SnapshotDestination {
  const { accountName, container } = spec.connection.storage;
  return { account: accountName, container, entity };
}

export function destinationKey(d: SnapshotDestination): [string, string, string] {
  return [d.account, d.container, d.entity];
}

export interface FingerprintInput {
  destination: SnapshotDestination;
  sourceFormat: SourceFormat;
  /** How the source is read beyond its format (a CSV dialect): another dialect, other values. */
  sourceOptions?: Readonly<Record<string, unknown>>;
  exportFormat: ExportFormat;
  /** Declared columns; undefined when the columns are inferred (then the bytes decide them). */
  declaredColumns?: readonly ColumnSpec[];
  files: readonly SourceFile[];
  /** The latest complete snapshot's manifest, whose source hashes may be reused. */
  previous?: SnapshotManifest;
  /** How a file is hashed (SHA-256 of its bytes): sha256File, or a read shared with the writer. */
  hashOf?: (file: SourceFile) => Promise<string>;
}

export interface Fingerprint {
  snapshot: string;
  sources: SourceRecord[];
  /** Bytes read and hashed now, and bytes whose hash came from the previous manifest. */
  hashedBytes: number;
  reusedBytes: number;
}

export async function fingerprint(input: FingerprintInput): Promise<Fingerprint> {
  const previous = reusableHashes(input.previous);
  const sources: SourceRecord[] = [];
  let hashedBytes = 0;
  let reusedBytes = 0;
  for (const file of input.files) {
    const known = previous.get(file.relPath);
    if (known && sameIdentity(recordedIdentity(known), file)) {
      sources.push({ ...known });
      reusedBytes += file.bytes;
      continue;
    }
    const hashedAt = Date.now();
    const sha256 = await (input.hashOf ?? ((f: SourceFile) => sha256File(f.absPath)))(file).catch(
      (e) => {
        throw sourceGoneError(e, file.relPath);
      },
    );
    const after = await statSource(file.absPath, file.relPath);
    if (!sameIdentity(file, after)) {
      throw new SourceError(
        `${file.relPath} changed while it was being read (${describeChange(file, after)}); run the export again once it is written.`,
      );
    }
    const racy = Math.max(file.mtimeMs, file.ctimeMs) > hashedAt - RACY_MARGIN_MS;
    sources.push({
      path: file.relPath,
      bytes: file.bytes,
      mtimeMs: racy ? -1 : file.mtimeMs,
      ctimeMs: file.ctimeMs,
      ino: file.ino,
      dev: file.dev,
      sha256,
    });
    hashedBytes += file.bytes;
  }
  const hash = createHash("sha256");
  hash.update(
    JSON.stringify({
      writer: WRITER_VERSION,
      destination: destinationKey(input.destination),
      sourceFormat: input.sourceFormat,
      // Only when set, so that the ids of sources read with the defaults stay what they were.
      ...(input.sourceOptions && Object.keys(input.sourceOptions).length > 0
        ? { sourceOptions: Object.entries(input.sourceOptions).sort() }
        : {}),
      exportFormat: input.exportFormat,
      columns: input.declaredColumns ? input.declaredColumns.map(canonicalColumn) : null,
      files: sources.map((s) => [s.path, s.bytes, s.sha256]),
    }),
  );
  return {
    snapshot: hash.digest("hex").slice(0, SNAPSHOT_ID_LENGTH),
    sources,
    hashedBytes,
    reusedBytes,
  };
}

/** True when every file's hash can be taken from the previous manifest (nothing needs reading). */
export function hashesReusable(files: readonly SourceFile[], previous: SnapshotManifest): boolean {
  return filesToHash(files, previous).length === 0;
}

/** The files `fingerprint` reads and hashes: those whose recorded hash it cannot reuse. */
export function filesToHash(
  files: readonly SourceFile[],
  previous: SnapshotManifest | undefined,
): SourceFile[] {
  const known = reusableHashes(previous);
  return files.filter((f) => {
    const k = known.get(f.relPath);
    return k === undefined || !sameIdentity(recordedIdentity(k), f);
  });
}

/** Hashes of the previous manifest that may be trusted without reading the file again. */
function reusableHashes(previous: SnapshotManifest | undefined): Map<string, SourceRecord> {
  const out = new Map<string, SourceRecord>();
  const checkedAt = previous ? Date.parse(previous.sourcesCheckedAt ?? previous.createdAt) : NaN;
  if (!previous || !Number.isFinite(checkedAt) || !Array.isArray(previous.sources)) return out;
  for (const s of previous.sources) {
    if (
      typeof s?.path === "string" &&
      typeof s.sha256 === "string" &&
      /^[0-9a-f]{64}$/.test(s.sha256) &&
      s.mtimeMs >= 0 &&
      s.mtimeMs < checkedAt - RACY_MARGIN_MS &&
      // Recorded by a version that did not keep ctime, device and inode: hashed again, once.
      typeof s.ctimeMs === "number" &&
      typeof s.ino === "number" &&
      typeof s.dev === "number"
    ) {
      out.set(s.path, s);
    }
  }
  return out;
}

function recordedIdentity(s: SourceRecord): SourceIdentity {
  return {
    bytes: s.bytes,
    mtimeMs: s.mtimeMs,
    ctimeMs: s.ctimeMs ?? NaN,
    ino: s.ino ?? NaN,
    dev: s.dev ?? NaN,
  };
}

/** Key order and absent options must not change the id. */
function canonicalColumn(c: ColumnSpec): unknown[] {
  const base = [c.name, c.type, c.maxLength ?? null, c.precision ?? null, c.scale ?? null];
  // Where the values come from and how dates are parsed; absent, the id stays what it was.
  return c.sourceColumn === undefined && c.format === undefined
    ? base
    : [...base, c.sourceColumn ?? null, c.format ?? null];
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await readChunks(file, (chunk) => hash.update(chunk));
  return hash.digest("hex");
}

/**
 * A file's bytes in order, through one buffer read into again and again: a read stream allocates a
 * new Buffer per chunk, and while DuckDB works beside the hashing those buffers pile up faster than
 * the GC frees them (measured: up to 150 MB more peak RSS on an 800 MB source). `onChunk` must not
 * keep the chunk: the next read overwrites it.
 */
export async function readChunks(file: string, onChunk: (chunk: Buffer) => void): Promise<void> {
  const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  const handle = await fs.open(file, "r");
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      onChunk(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}
