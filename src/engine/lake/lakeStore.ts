// What the export run needs of a data lake: one interface, two stores (a local directory and an
// ADLS Gen2 container). Paths are relative to the container root and use `/`.

export interface LakeEntry {
  /** Path relative to the container root, e.g. `ci_export/Customer/v=abc/part-00000.parquet`. */
  path: string;
  isDirectory: boolean;
  /** Bytes; 0 for directories. */
  size: number;
  /** The service's ETag and Last-Modified, where the store has them (ADLS Gen2's listing): a lake-resident source is fingerprinted by them, never by its bytes. */
  etag?: string;
  lastModified?: string;
}

export interface LakeLock {
  release(): Promise<void>;
}

export interface LakeStore {
  /** A human-readable location, e.g. `file:///tmp/lake/ci-export` or `https://acct.dfs.core.windows.net/ci-export`. */
  readonly location: string;
  /** The container's folder on this machine, for a local lake: no source may be read from it. */
  readonly localRoot?: string;
  /** Create the container (filesystem) when it is missing. */
  ensureContainer(): Promise<void>;
  /**
   * Every entry below `prefix` (recursive), or with `recursive: false` only those directly in it; an
   * empty list when the prefix does not exist.
   */
  list(prefix: string, options?: { recursive?: boolean }): Promise<LakeEntry[]>;
  /** The text of a file, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** Write a small text file whole; readers see the old file or the new one, never a part. */
  writeText(path: string, text: string): Promise<void>;
  /**
   * Upload a local file to `path`, replacing what is there. `onBytes`, when given, hears the bytes
   * sent so far as the upload goes (for a progress line; a store may call it only at the end).
   */
  uploadFile(localPath: string, path: string, onBytes?: (sentBytes: number) => void): Promise<void>;
  /** Remove a folder and everything below it; no error when it is already gone. */
  deleteTree(path: string): Promise<void>;
  /**
   * Take the export lock that lives with the target (a lock file locally, a blob lease in ADLS).
   * Waits up to `waitMs` for a running export to finish, then fails with a message naming the holder.
   */
  acquireLock(
    name: string,
    options: { waitMs: number; staleMs: number; holder: string },
  ): Promise<LakeLock>;
}
