// The fingerprint's hash and the writer's quoting scan of a CSV file from one read
// (src/engine/sources/sharedSourceReads.ts): each must give what it gives alone — the hash the SHA-256
// of the file's bytes as node:crypto reads them whole here, the scan csvQuotingProblem's answer — and
// the file must be opened once for both. The file puts a problem across the 4 MiB reads.

import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { csvDialect } from "../../src/engine/sources/csvDialect";
import { csvQuotingProblem } from "../../src/engine/sources/csvQuoting";
import { SharedSourceReads } from "../../src/engine/sources/sharedSourceReads";
import type { SourceFile } from "../../src/engine/sources/resolveSources";

function sourceFile(absPath: string): SourceFile {
  const st = fs.statSync(absPath);
  return {
    absPath,
    relPath: path.basename(absPath),
    bytes: st.size,
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    ino: st.ino,
    dev: st.dev,
  } as SourceFile;
}

describe("a CSV file's hash and quoting scan from one read", function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sx-shared-reads-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dialect = csvDialect({ path: "e.csv", format: "csv" });

  const cases: [string, string][] = [
    ["a file that reads as written", 'id,v\n1,"a, b"\n2,x\n'],
    ["a space after a closing quote", 'id,v\n1,"a" \n'],
    [
      "a space before a quote, across two reads",
      (() => {
        const head = "id,v\n";
        let text = head + "1,abcdefgh\n".repeat(Math.floor((4 * 1024 * 1024 - 8) / 11));
        text += "9".repeat(4 * 1024 * 1024 - text.length - 2) + ", ";
        return `${text}"z"\n3,w\n`;
      })(),
    ],
  ];
  for (const [label, text] of cases) {
    it(`${label}: the same hash and the same answer as each alone, the file opened once`, async () => {
      const file = path.join(dir, `${label.length}.csv`);
      fs.writeFileSync(file, text);
      const expectedHash = createHash("sha256").update(fs.readFileSync(file)).digest("hex");
      const alone = await csvQuotingProblem(file, dialect);

      const opens: string[] = [];
      const open = fs.promises.open;
      fs.promises.open = ((...args: Parameters<typeof open>) => {
        opens.push(String(args[0]));
        return open(...args);
      }) as typeof open;
      try {
        const reads = new SharedSourceReads(dialect, new Set([file]));
        const [hash, problem] = await Promise.all([
          reads.sha256(sourceFile(file)),
          reads.quotingProblem(file),
        ]);
        expect(hash).to.equal(expectedHash);
        expect(problem).to.equal(alone);
        expect(opens.filter((o) => o === file)).to.have.length(1);
      } finally {
        fs.promises.open = open;
      }
      if (label.includes("space")) expect(alone).to.match(/^line \d+: a space/);
    });
  }

  it("scans a file the fingerprint does not hash on its own, and hashes a gzipped one as it is", async () => {
    const file = path.join(dir, "other.csv");
    fs.writeFileSync(file, 'id,v\n1, "x"\n');
    const reads = new SharedSourceReads(dialect, new Set());
    expect(await reads.quotingProblem(file)).to.equal(await csvQuotingProblem(file, dialect));
    const gz = path.join(dir, "e.csv.gz");
    fs.writeFileSync(
      gz,
      Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    );
    const hashed = new SharedSourceReads(dialect, new Set([gz]));
    expect(await hashed.sha256(sourceFile(gz))).to.equal(
      createHash("sha256").update(fs.readFileSync(gz)).digest("hex"),
    );
  });
});
