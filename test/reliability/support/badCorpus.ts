// Reads the bad-input corpus: one folder per case under test/fixtures/bad/, each with a case.json.
// A malformed case.json fails loudly here, so a case can never pass by asserting nothing.

import * as fs from "node:fs";
import * as path from "node:path";

/** Where a value that does not fit its column is; `line` is absent for Parquet (rows only). */
export interface RowRef {
  file: string;
  line?: number;
  row: number;
  column: string;
  value: string;
}

export interface BadCase {
  /** The folder name. */
  name: string;
  dir: string;
  description: string;
  /** validate: a spec the CLI must refuse (checked with `validate` and with `run --local`); run: data. */
  command: "validate" | "run";
  /** The spec file, relative to the case folder. */
  spec: string;
  expectedExit: 1 | 2;
  /** Text the message must contain, each exactly. */
  expectedFragments: string[];
  /** validate cases: the field path the error names (`(document)` for the document itself). */
  field?: string;
  /** run cases: the entity that must fail; the spec's entity `Good` must be exported beside it. */
  entity: string;
  row?: RowRef;
  /** Links made at run time: path in the case → target, `OUTSIDE` being a folder outside the case. */
  symlinks?: Record<string, string>;
  /** A known product gap: the case is listed as pending with this reason, not run. */
  pending?: string;
}

const KEYS = new Set([
  "description",
  "command",
  "spec",
  "expectedExit",
  "expectedFragments",
  "field",
  "entity",
  "row",
  "symlinks",
  "pending",
]);

export function loadCorpus(dir: string): BadCase[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => parseCase(name, path.join(dir, name)));
}

function parseCase(name: string, dir: string): BadCase {
  const file = path.join(dir, "case.json");
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const fail = (why: string): never => {
    throw new Error(`${file}: ${why}`);
  };
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) fail(`unknown key "${key}"`);
  const { description, command, expectedExit, expectedFragments } = raw;
  if (typeof description !== "string" || !description) fail("description is required");
  if (command !== "validate" && command !== "run") fail('command must be "validate" or "run"');
  if (expectedExit !== (command === "validate" ? 1 : 2)) {
    fail(`expectedExit must be ${command === "validate" ? 1 : 2} for a ${command} case`);
  }
  if (
    !Array.isArray(expectedFragments) ||
    expectedFragments.length === 0 ||
    !expectedFragments.every((f) => typeof f === "string" && f.length > 0)
  ) {
    fail("expectedFragments must be a non-empty list of texts");
  }
  const row = raw.row as RowRef | undefined;
  if (row && (typeof row.file !== "string" || !Number.isInteger(row.row) || !row.column)) {
    fail("row needs file, row and column");
  }
  return {
    name,
    dir,
    description: description as string,
    command: command as BadCase["command"],
    spec: typeof raw.spec === "string" ? raw.spec : "spec.yaml",
    expectedExit: expectedExit as BadCase["expectedExit"],
    expectedFragments: expectedFragments as string[],
    field: typeof raw.field === "string" ? raw.field : undefined,
    entity: typeof raw.entity === "string" ? raw.entity : "Bad",
    row,
    symlinks: raw.symlinks as Record<string, string> | undefined,
    pending: typeof raw.pending === "string" ? raw.pending : undefined,
  };
}
