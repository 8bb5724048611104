// The manifest of one snapshot (`_manifest.json`), written last: a snapshot without a valid manifest is
// incomplete and is never pointed to.

import type { ColumnSpec, ExportFormat } from "../spec/types";

export interface ManifestFile {
  /** File name inside the snapshot folder, e.g. part-00000.parquet. */
  name: string;
  bytes: number;
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
  createdAt: string;
  /** What the fingerprint was computed from, so an unchanged source can be recognised cheaply. */
  sources: { path: string; bytes: number; mtimeMs: number; sha256: string }[];
  /** When `sources` was last hashed, if later than createdAt (an unchanged run re-hashed them). */
  sourcesCheckedAt?: string;
}
