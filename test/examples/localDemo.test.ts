// `npm run demo` as a newcomer runs it: the compiled demo in a child process, its output read as a
// user reads it. The expected query result is computed here from the generated files, so the test
// fails if the export loses, changes or duplicates a row on its way to the database.

import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { REPO_ROOT } from "../helpers/cli";
import { DEMO_DIR_ENV } from "../../examples/local-demo/demo";
import { generateSampleData } from "../../examples/local-demo/sampleData";

const DEMO = path.join(REPO_ROOT, "dist/examples/local-demo/demo.js");
const ENTITIES = ["Customer", "UnifiedActivity", "CustomerMeasure", "Segments"];

interface DemoResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runDemo(cwd: string, env: NodeJS.ProcessEnv): Promise<DemoResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The rows of the run-record tables, in the order printed: [entity, status, columns]. */
function recordRows(stdout: string): string[][] {
  const row = /^ {2}(\w+)\s+(exported|unchanged|retained|dropped|failed)\s+(declared|inferred)\s/;
  return stdout
    .split("\n")
    .map((l) => row.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2], m[3]]);
}

interface SegmentValue {
  segment: string;
  customers: number;
  avg: number;
  total: number;
}

/** The sample query's answer, worked out from the generated CSV files without the export. */
function expectedTopSegments(): SegmentValue[] {
  const files = generateSampleData();
  const csvRows = (entity: string) =>
    files
      .find((f) => f.entity === entity)!
      .content.trimEnd()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
  const lifetimeCents = new Map(
    csvRows("CustomerMeasure").map(([id, ltv]) => [id, Math.round(Number(ltv) * 100)]),
  );
  const bySegment = new Map<string, { customers: number; cents: number }>();
  for (const [segment, id] of csvRows("Segments")) {
    const s = bySegment.get(segment) ?? { customers: 0, cents: 0 };
    s.customers++;
    s.cents += lifetimeCents.get(id)!;
    bySegment.set(segment, s);
  }
  return [...bySegment]
    .sort(([a, x], [b, y]) => y.customers - x.customers || (a < b ? -1 : 1))
    .slice(0, 5)
    .map(([segment, s]) => ({
      segment,
      customers: s.customers,
      avg: s.cents / s.customers / 100,
      total: s.cents / 100,
    }));
}

/** The rows of the query's result table: a name, then three figures. */
function printedTopSegments(stdout: string): SegmentValue[] {
  const number = (text: string) => Number(text.replace(/,/g, ""));
  return stdout
    .split("\n")
    .map((l) => l.trim().split(/ {2,}/))
    .filter((cells) => cells.length === 4 && cells.slice(1).every((c) => /^[\d,.]+$/.test(c)))
    .map(([segment, customers, avg, total]) => ({
      segment,
      customers: number(customers),
      avg: number(avg),
      total: number(total),
    }));
}

async function countRows(databaseFile: string, view: string): Promise<number> {
  const instance = await DuckDBInstance.create(databaseFile, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM "${view}"`);
    return Number(reader.getRowObjectsJS()[0].n);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("the local demo (npm run demo)", function () {
  this.timeout(60_000);
  let work: string;
  let demoDir: string;
  let first: DemoResult;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-demo-"));
    demoDir = path.join(work, "my-demo");
    first = await runDemo(work, { [DEMO_DIR_ENV]: demoDir });
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("exits 0, exports every entity, then finds every entity unchanged on the second run", () => {
    expect(first.code, first.stdout + first.stderr).to.equal(0);
    const rows = recordRows(first.stdout);
    expect(rows.slice(0, 4)).to.deep.equal([
      ["Customer", "exported", "declared"],
      ["UnifiedActivity", "exported", "inferred"],
      ["CustomerMeasure", "exported", "declared"],
      ["Segments", "exported", "inferred"],
    ]);
    expect(rows.slice(4)).to.deep.equal(ENTITIES.map((e, i) => [e, "unchanged", rows[i][2]]));
    expect(first.stdout).to.match(/Every entity unchanged \(4 of 4\)/);
  });

  it("prints the sample query's result, as computed from the generated data", () => {
    const printed = printedTopSegments(first.stdout);
    const expected = expectedTopSegments();
    expect(printed.map((p) => [p.segment, p.customers, p.total])).to.deep.equal(
      expected.map((e) => [e.segment, e.customers, e.total]),
    );
    // The average is rounded to cents by the query: equal within half a cent.
    printed.forEach((p, i) => expect(p.avg).to.be.closeTo(expected[i].avg, 0.005 + 1e-9));
  });

  it("leaves a database whose views a user can query, at the path it prints", async () => {
    const databaseFile = path.join(demoDir, "out", "customer_insights.duckdb");
    expect(first.stdout).to.include(path.relative(work, databaseFile));
    expect(await countRows(databaseFile, "Customer")).to.equal(14_000);
    const activities = generateSampleData().find((f) => f.entity === "UnifiedActivity")!;
    expect(await countRows(databaseFile, "UnifiedActivity")).to.equal(activities.rows);
    // The environment variable moved everything: nothing under the working folder's .demo.
    expect(fs.existsSync(path.join(work, ".demo"))).to.equal(false);
  });

  it("prints the Azure permission plan: each role with its principal", () => {
    const grants = first.stdout.slice(first.stdout.indexOf("permission plan"));
    for (const [principal, role] of [
      ["Customer Insights (app 0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff)", "Synapse Administrator"],
      [
        "Customer Insights (app 0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff)",
        "Storage Blob Data Contributor",
      ],
      ["admin@contoso.com", "Reader"],
      ["workspace ws-ci-demo managed identity", "Storage Blob Data Contributor"],
      ["analysts", "Storage Blob Data Reader"],
    ]) {
      // Each principal heads its grants, one indented line each (their purpose may wrap below).
      const start = grants.indexOf(`\n  ${principal}\n`);
      expect(start, principal).to.be.greaterThan(-1);
      const rest = grants.slice(start + principal.length + 4);
      const group = rest.slice(0, rest.search(/\n {2}\S|\n\n/));
      expect(group, principal).to.match(new RegExp(`(^|\\n) {4}${escape(role)}\\s`));
    }
  });

  it("names the two next commands with the paths it used", () => {
    expect(first.stdout).to.include("npx synapse-export plan my-demo/spec.yaml");
    expect(first.stdout).to.include("npx synapse-export run my-demo/spec.yaml --local my-demo/out");
  });

  it("run again, finds everything unchanged from the first export on", async () => {
    const again = await runDemo(work, { [DEMO_DIR_ENV]: demoDir });
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    const statuses = recordRows(again.stdout).map(([entity, status]) => [entity, status]);
    expect(statuses).to.deep.equal([...ENTITIES, ...ENTITIES].map((e) => [e, "unchanged"]));
    expect(again.stdout).to.include("exported by an earlier demo run");
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
