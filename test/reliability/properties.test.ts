// Properties of the snapshot fingerprint (src/engine/fingerprint.ts), which decides whether an entity
// is exported again: the same input must always give the same id (else every run re-exports), and
// any change of what decides the snapshot's bytes must give another id (else a change is silently
// never exported). Input bytes are flipped, inserted and deleted at random positions, across one or
// several files; declared columns and formats are mutated one attribute at a time.
// (The SQL quoting properties live in test/plan/sqlPlan.test.ts.)

import { expect } from "chai";
import fc from "fast-check";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fingerprint, type FingerprintInput } from "../../src/engine/fingerprint";
import type { SourceFile } from "../../src/engine/sources/resolveSources";
import {
  COLUMN_TYPES,
  type ColumnSpec,
  type ExportFormat,
  type SourceFormat,
} from "../../src/spec/types";

const SOURCE_FORMATS: SourceFormat[] = ["csv", "jsonl", "parquet"];
const EXPORT_FORMATS: ExportFormat[] = ["parquet", "csv"];
const RUNS = 100;

let root: string;
let counter = 0;

/** Writes the files in a fresh folder and describes them as resolveSources would. */
async function sources(contents: readonly Uint8Array[]): Promise<SourceFile[]> {
  const dir = path.join(root, String(counter++));
  await fs.mkdir(dir);
  const files: SourceFile[] = [];
  for (const [i, bytes] of contents.entries()) {
    const absPath = path.join(dir, `part-${i}.csv`);
    await fs.writeFile(absPath, bytes);
    const stat = await fs.stat(absPath);
    files.push({
      absPath,
      relPath: `data/part-${i}.csv`,
      bytes: stat.size,
      mtimeMs: stat.mtimeMs,
      ctimeMs: stat.ctimeMs,
      ino: stat.ino,
      dev: stat.dev,
    });
  }
  return files;
}

const DESTINATION = { account: "stcilake", container: "ci-export", entity: "E" };

async function idOf(
  contents: readonly Uint8Array[],
  rest: Omit<FingerprintInput, "files" | "destination"> & {
    destination?: FingerprintInput["destination"];
  } = { sourceFormat: "csv", exportFormat: "parquet" },
): Promise<string> {
  const input = { destination: DESTINATION, ...rest, files: await sources(contents) };
  return (await fingerprint(input)).snapshot;
}

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);
const column: fc.Arbitrary<ColumnSpec> = fc.record(
  {
    name,
    type: fc.constantFrom(...COLUMN_TYPES),
    maxLength: fc.integer({ min: 1, max: 4000 }),
    precision: fc.integer({ min: 1, max: 38 }),
    scale: fc.integer({ min: 0, max: 38 }),
  },
  { requiredKeys: ["name", "type"] },
);
const columns = fc.uniqueArray(column, {
  minLength: 1,
  maxLength: 6,
  selector: (c) => c.name.toLowerCase(),
});
const files = fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), {
  minLength: 1,
  maxLength: 3,
});

type ByteEdit =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "insert"; at: number; byte: number }
  | { kind: "delete"; at: number };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
);

function applyEdit(bytes: Uint8Array, edit: ByteEdit): Uint8Array {
  const b = Buffer.from(bytes);
  switch (edit.kind) {
    case "flip": {
      const at = edit.at % b.length;
      b[at] ^= 1 << edit.bit;
      return b;
    }
    case "insert": {
      const at = edit.at % (b.length + 1);
      return Buffer.concat([b.subarray(0, at), Buffer.from([edit.byte]), b.subarray(at)]);
    }
    case "delete": {
      const at = edit.at % b.length;
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    }
  }
}

type ColumnEdit =
  | { kind: "rename" | "retype" | "maxLength" | "precision" | "scale" | "drop"; at: number }
  | { kind: "swap"; at: number; other: number }
  | { kind: "add"; column: ColumnSpec };

const columnEdit: fc.Arbitrary<ColumnEdit> = fc.oneof(
  fc.record({
    kind: fc.constantFrom(
      "rename" as const,
      "retype" as const,
      "maxLength" as const,
      "precision" as const,
      "scale" as const,
      "drop" as const,
    ),
    at: fc.nat(),
  }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant("add" as const), column }),
);

/** The columns with one attribute changed; undefined when the edit would change nothing. */
function applyColumnEdit(cols: readonly ColumnSpec[], edit: ColumnEdit): ColumnSpec[] | undefined {
  const out = cols.map((c) => ({ ...c }));
  if (edit.kind === "add") {
    if (out.some((c) => c.name.toLowerCase() === edit.column.name.toLowerCase())) return undefined;
    return [...out, edit.column];
  }
  const i = edit.at % out.length;
  const c = out[i];
  switch (edit.kind) {
    case "rename":
      c.name = `${c.name}x`;
      break;
    case "retype":
      c.type = COLUMN_TYPES[(COLUMN_TYPES.indexOf(c.type) + 1) % COLUMN_TYPES.length];
      break;
    case "maxLength":
      c.maxLength = (c.maxLength ?? 0) + 1;
      break;
    case "precision":
      c.precision = c.precision === undefined ? 18 : undefined;
      break;
    case "scale":
      c.scale = (c.scale ?? -1) + 1;
      break;
    case "drop":
      if (out.length === 1) return undefined;
      out.splice(i, 1);
      break;
    case "swap": {
      const j = edit.other % out.length;
      if (j === i) return undefined;
      [out[i], out[j]] = [out[j], out[i]];
      break;
    }
  }
  return out;
}

describe("snapshot fingerprint properties", function () {
  // A safety net, not a measure: on a shared, busy machine the properties take several times longer.
  this.timeout(300_000);

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-fp-props-"));
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it("same input, same id: the same bytes, columns and formats, written again elsewhere", async () => {
    await fc.assert(
      fc.asyncProperty(
        files,
        fc.option(columns, { nil: undefined }),
        fc.constantFrom(...SOURCE_FORMATS),
        fc.constantFrom(...EXPORT_FORMATS),
        async (contents, declaredColumns, sourceFormat, exportFormat) => {
          const rest = { sourceFormat, exportFormat, declaredColumns };
          const first = await idOf(contents, rest);
          expect(first).to.match(/^[0-9a-f]{16}$/);
          // Key order of a column is not part of the input.
          const reordered = declaredColumns?.map(
            (c) => Object.fromEntries(Object.entries(c).reverse()) as ColumnSpec,
          );
          expect(await idOf(contents, { ...rest, declaredColumns: reordered })).to.equal(first);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("any byte flipped, inserted or deleted anywhere in any file gives another id", async () => {
    await fc.assert(
      fc.asyncProperty(files, fc.nat(), byteEdit, async (contents, which, edit) => {
        const i = which % contents.length;
        const changed = contents.map((c, k) => (k === i ? applyEdit(c, edit) : c));
        expect(await idOf(changed)).to.not.equal(await idOf(contents));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it("the same bytes split differently across files give another id", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 2, maxLength: 200 }),
        fc.nat(),
        fc.nat(),
        async (bytes, a, b) => {
          const cut1 = 1 + (a % (bytes.length - 1));
          const cut2 = 1 + (b % (bytes.length - 1));
          fc.pre(cut1 !== cut2);
          const split = (cut: number) => [bytes.subarray(0, cut), bytes.subarray(cut)];
          expect(await idOf(split(cut1))).to.not.equal(await idOf(split(cut2)));
          expect(await idOf(split(cut1))).to.not.equal(await idOf([bytes]));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("any change of the declared columns (name, type, length, precision, scale, order, one more or less, declared or not) gives another id", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 50 }),
        columns,
        columnEdit,
        async (bytes, cols, edit) => {
          const edited = applyColumnEdit(cols, edit);
          fc.pre(edited !== undefined);
          const rest = { sourceFormat: "csv" as const, exportFormat: "parquet" as const };
          const before = await idOf([bytes], { ...rest, declaredColumns: cols });
          expect(await idOf([bytes], { ...rest, declaredColumns: edited })).to.not.equal(before);
          expect(await idOf([bytes], { ...rest, declaredColumns: undefined })).to.not.equal(before);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("another account, container or spelling of the entity gives another id for the same bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        fc.constantFrom("account", "container", "entity"),
        name,
        async (bytes, field, other) => {
          fc.pre(other !== DESTINATION[field as keyof typeof DESTINATION]);
          const rest = { sourceFormat: "csv" as const, exportFormat: "parquet" as const };
          const here = await idOf([bytes], rest);
          const elsewhere = await idOf([bytes], {
            ...rest,
            destination: { ...DESTINATION, [field]: other },
          });
          expect(elsewhere).to.not.equal(here);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("another source format or export format gives another id", async () => {
    const pairs = SOURCE_FORMATS.flatMap((s) => EXPORT_FORMATS.map((e) => [s, e] as const));
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        fc.option(columns, { nil: undefined }),
        async (bytes, declaredColumns) => {
          const ids = new Set<string>();
          for (const [sourceFormat, exportFormat] of pairs) {
            ids.add(await idOf([bytes], { sourceFormat, exportFormat, declaredColumns }));
          }
          expect(ids.size, "one id per (source format, export format)").to.equal(pairs.length);
        },
      ),
      { numRuns: RUNS / 2 },
    );
  });
});
