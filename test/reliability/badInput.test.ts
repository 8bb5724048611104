// The bad-input corpus (test/fixtures/bad/, one folder per case, described by its case.json) run
// through the real `synapse-export` command in a child process, as a user or a scheduler would.
// Each case must be refused with its message (the fragments, the field path, or the file, line, row,
// column and value), its exit code (1: invalid spec, 2: a failed entity), no stack trace, and nothing
// written: for a spec case, no lake folder and no database file at all; for a data case, nothing of
// the failed entity in the lake or the DuckDB file, while the good entity beside it IS exported.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import { DuckDBInstance } from "@duckdb/node-api";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, runCli, type CliResult } from "../helpers/cli";
import { loadCorpus, type BadCase, type RowRef } from "./support/badCorpus";

const CORPUS = path.join(REPO_ROOT, "test/fixtures/bad");
const GOOD = "Good";
const GOOD_ROWS = 2;
const CONTAINER = "ci-export";
const DATABASE = "ci_export";

const cases = loadCorpus(CORPUS);

describe("bad input corpus through the real CLI (test/fixtures/bad)", function () {
  this.timeout(120_000); // a safety net for a busy machine, not a measure
  let work: string;

  before(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "synapse-export-bad-"));
  });
  after(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  it("holds at least 30 cases, spec and data, each a case.json the test understands", () => {
    expect(cases.length).to.be.at.least(30);
    expect(cases.filter((c) => c.command === "validate").length).to.be.at.least(10);
    expect(cases.filter((c) => c.command === "run").length).to.be.at.least(10);
  });

  for (const c of cases) {
    const title = `${c.name}: ${c.description}`;
    if (c.pending) {
      it.skip(`${title} (pending: ${c.pending})`);
      continue;
    }
    it(title, async () => {
      const ws = await prepare(work, c);
      if (c.command === "validate") await checkSpecCase(c, ws);
      else await checkDataCase(c, ws);
    });
  }
});

interface Workspace {
  /** The copy of the case folder: the command runs there, so messages name files as a user does. */
  cwd: string;
  spec: string;
  /** `--local` target; must not exist after a refused spec. */
  out: string;
  /** The child's TMPDIR: the run stages its parts here and must leave nothing behind. */
  tmp: string;
}

/** A private copy of the case, so nothing a run writes can reach the repository; links made here. */
async function prepare(work: string, c: BadCase): Promise<Workspace> {
  const root = await fs.mkdtemp(path.join(work, `${c.name}-`));
  const cwd = path.join(root, "case");
  await fs.cp(c.dir, cwd, { recursive: true });
  if (c.symlinks) {
    // Git cannot hold links portably; the target is a folder beside the copy, outside the spec's folder.
    const outside = path.join(root, "outside");
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, "secret.csv"), "id,name\n9,Secret\n");
    for (const [link, target] of Object.entries(c.symlinks)) {
      await fs.symlink(target.replace(/^OUTSIDE/, outside), path.join(cwd, link));
    }
  }
  const tmp = path.join(root, "tmp");
  await fs.mkdir(tmp);
  return { cwd, spec: c.spec, out: path.join(root, "out"), tmp };
}

function cli(ws: Workspace, args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: ws.cwd, env: { TMPDIR: ws.tmp } });
}

async function checkSpecCase(c: BadCase, ws: Workspace): Promise<void> {
  const validate = await cli(ws, ["validate", ws.spec]);
  const run = await cli(ws, ["run", ws.spec, "--local", ws.out]);
  for (const [command, r] of [
    ["validate", validate],
    ["run", run],
  ] as const) {
    const context = `${command}: ${r.stderr}`;
    expect(r.code, context).to.equal(c.expectedExit);
    expect(r.stdout, `${command} says nothing on stdout`).to.equal("");
    expectNoStackTrace(r);
    if (c.field) expect(r.stderr, context).to.contain(`  - ${c.field}: `);
    for (const fragment of c.expectedFragments) expect(r.stderr, context).to.contain(fragment);
  }
  expect(run.stderr, "run refuses the spec with the very words of validate").to.equal(
    validate.stderr,
  );
  expect(
    await exists(ws.out),
    "no lake folder, no database file: --local is not even created",
  ).to.equal(false);
  expect(await fs.readdir(ws.tmp), "nothing staged").to.deep.equal([]);
}

async function checkDataCase(c: BadCase, ws: Workspace): Promise<void> {
  const r = await cli(ws, ["run", ws.spec, "--local", ws.out, "--json"]);
  expect(r.code, r.stderr || r.stdout).to.equal(c.expectedExit);
  expectNoStackTrace(r);
  const record = JSON.parse(r.stdout) as {
    entities: { name: string; status: string; rows: number; error?: string }[];
  };
  const bad = record.entities.find((e) => e.name === c.entity);
  const good = record.entities.find((e) => e.name === GOOD);
  expect(bad?.status, JSON.stringify(bad)).to.equal("failed");
  const error = errorText(bad);
  expect(error).to.match(new RegExp(`^entity "${c.entity}": `));
  for (const fragment of c.expectedFragments) expect(error).to.contain(fragment);
  if (c.row) expect(error).to.contain(rowReference(c.row));
  expect(error, "DuckDB's hints and settings dump are not the user's business").not.to.match(
    /Possible (fixes|Solution)|Set By User|LINE \d+:|\n/,
  );
  expect(good, "the good entity beside the bad one").to.deep.include({
    status: "exported",
    rows: GOOD_ROWS,
  });

  const lake = path.join(ws.out, CONTAINER, DATABASE);
  const files = await listFiles(lake);
  const snapshot = /^Good\/v=([0-9a-f]{16})\/_manifest\.json$/.exec(files[0])?.[1];
  expect(files, "only the good entity's complete snapshot is in the lake").to.deep.equal([
    `${GOOD}/v=${snapshot}/_manifest.json`,
    `${GOOD}/v=${snapshot}/part-00000.parquet`,
  ]);
  expect(
    await exists(path.join(lake, c.entity)),
    "no folder at all for the failed entity",
  ).to.equal(false);
  const db = await readDatabase(path.join(ws.out, `${DATABASE}.duckdb`));
  expect(
    db.views,
    "a view for the good entity and its snapshot, none for the failed one",
  ).to.deep.equal([`main.${GOOD}`, `snapshots.${GOOD}__${snapshot}`]);
  expect(db.goodRows).to.equal(GOOD_ROWS);
  expect(await fs.readdir(ws.tmp), "staging removed").to.deep.equal([]);
}

/** How the engine names a misfit: CSV and JSON Lines with the editor's line, Parquet by row. */
function rowReference(row: RowRef): string {
  const where = row.line !== undefined ? `line ${row.line} (row ${row.row})` : `row ${row.row}`;
  return `${row.file} ${where}, column "${row.column}": value ${JSON.stringify(row.value)} `;
}

function expectNoStackTrace(r: CliResult): void {
  const all = `${r.stdout}\n${r.stderr}`;
  expect(all, "no stack trace").not.to.match(/^\s+at .+(:\d+:\d+\)?|\(native\))$/m);
  expect(all, "no unexpected-error path").not.to.contain("run with --verbose");
  expect(all).not.to.match(/\b(TypeError|RangeError|ReferenceError|Unhandled)\b/);
}

async function readDatabase(file: string): Promise<{ views: string[]; goodRows: number }> {
  const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  const query = async (sql: string) =>
    (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  try {
    const views = await query(
      "SELECT schema_name || '.' || view_name AS v FROM duckdb_views() WHERE NOT internal ORDER BY 1",
    );
    const [count] = await query(`SELECT count(*)::INTEGER AS n FROM main."${GOOD}"`);
    return { views: views.map((r) => String(r.v)), goodRows: Number(count.n) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(path.join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

async function exists(p: string): Promise<boolean> {
  return (await fs.lstat(p).catch(() => undefined)) !== undefined;
}
