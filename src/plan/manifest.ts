// The manifest of one snapshot (`_manifest.json`), written last: a snapshot without a valid manifest is
// incomplete and is never pointed to.

import type { ColumnSpec, ExportFormat } from "../spec/types";

export interface ManifestFile {
  /** File name inside the snapshot folder, e.g. part-00000.parquet. */
  name: string;
  bytes: number;
  /** -1 when the writer does not say: serverless's CETAS reports the snapshot's rows, not each part's. */
  rows: number;
}

export interface SnapshotManifest {
  /** Bumped when the manifest's shape changes. */
  manifestVersion: 1;
  entity: string;
  snapshot: string;
  format: ExportFormat;
  /** The columns as written (declared in the spec, or inferred from the source). */
  columns: ColumnSpec[];
  columnsInferred: boolean;
  files: ManifestFile[];
  rows: number;
  bytes: number;
  /** When it was written, by the writer's clock: for people, never for order. */
  createdAt: string;
  /**
   * Order among the entity's snapshots: one more than the highest in the folder when this one was
   * written or promoted. Absent in manifests written before it existed (taken as 0).
   */
  sequence?: number;
  /** What the fingerprint was computed from, so an unchanged source can be recognised cheaply. */
  sources: {
    path: string;
    bytes: number;
    /** -1 when the file was hashed too soon after it was written to trust its times (racy). */
    mtimeMs: number;
    /** Status change time, device and inode when hashed: `touch -r` cannot restore them. */
    ctimeMs?: number;
    ino?: number;
    dev?: number;
    /** "" for a lake-resident file: it is fingerprinted by its listing (`etag`), never read here. */
    sha256: string;
    /** A lake-resident file's ETag when listed (its `mtimeMs` is its Last-Modified). */
    etag?: string;
  }[];
  /** When `sources` was last hashed, if later than createdAt (an unchanged run re-hashed them). */
  sourcesCheckedAt?: string;
}

/** The manifest as written to `_manifest.json`: indented JSON, one trailing newline. */
export function manifestText(m: SnapshotManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
