// One read of a source file for the two things a run needs of its bytes while its COPY runs: the
// fingerprint's SHA-256 and the CSV quoting scan (csvQuoting.ts). Each read them on its own before,
// so a changed CSV was read twice beside DuckDB's own read, about 0.4 s of CPU per 600 MB on the two
// cores DuckDB uses (BENCHMARKS.md). Only where both would read the same bytes: an uncompressed CSV
// file the fingerprint hashes (a gzipped one is hashed compressed and scanned decompressed). Anything
// else takes the two ways it always did.

import { createHash } from "node:crypto";
import { readChunks, sha256File } from "../fingerprint";
import type { CsvDialect } from "./csvDialect";
import { csvQuotingProblem, describeQuotingProblem, QuotingScan, type Found } from "./csvQuoting";
import type { SourceFile } from "./resolveSources";
import { compressionOf } from "./sourceStream";

interface Pass {
  sha256: string;
  found: Found | undefined;
}

export class SharedSourceReads {
  private readonly passes = new Map<string, Promise<Pass>>();

  /** `hashed`: the absolute paths the fingerprint will hash (the others' hashes are reused). */
  constructor(
    private readonly dialect: CsvDialect,
    private readonly hashed: ReadonlySet<string>,
  ) {}

  /** The fingerprint's hash of a file. */
  readonly sha256 = async (file: SourceFile): Promise<string> =>
    this.shared(file.absPath) ? (await this.pass(file.absPath)).sha256 : sha256File(file.absPath);

  /** The writer's quoting scan of a file, in words, or undefined when it reads as written. */
  readonly quotingProblem = async (absPath: string): Promise<string | undefined> =>
    this.shared(absPath)
      ? describeQuotingProblem(absPath, (await this.pass(absPath)).found, this.dialect)
      : csvQuotingProblem(absPath, this.dialect);

  private shared(absPath: string): boolean {
    return this.hashed.has(absPath) && compressionOf(absPath) === undefined;
  }

  /** Both results from one read; asked twice (once by each), it reads once. */
  private pass(absPath: string): Promise<Pass> {
    let pass = this.passes.get(absPath);
    if (!pass) {
      pass = (async () => {
        const hash = createHash("sha256");
        const scan = new QuotingScan(this.dialect);
        await readChunks(absPath, (chunk) => {
          hash.update(chunk);
          scan.push(chunk);
        });
        return { sha256: hash.digest("hex"), found: scan.end() };
      })();
      this.passes.set(absPath, pass);
    }
    return pass;
  }
}
