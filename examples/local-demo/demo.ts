// `npm run demo`: the whole product on a laptop in under a minute. Generates Customer Insights-like
// sample data, writes a spec for it, validates the spec, exports it twice to a local lake and DuckDB
// database through the same code `synapse-export run --local` uses (the second run finds every entity
// unchanged), queries the exported views, and shows the grants the same spec would apply in Azure.
//
// Everything goes under .demo/ in the current folder, or under $SYNAPSE_EXPORT_DEMO_DIR.

import * as fs from "node:fs";
import * as path from "node:path";
import { runExport, type ProgressEvent, type RunRecord } from "../../src/engine";
import { localTarget } from "../../src/engine/targets";
import { planGrants } from "../../src/plan";
import { parseSpecText, type Spec } from "../../src/spec";
import { DEMO_CONTAINER, DEMO_DATABASE, demoSpecYaml } from "./demoSpec";
import { DEFAULT_SEED, generateSampleData, writeSampleData } from "./sampleData";
import { queryTopSegments, TOP_SEGMENTS_SQL } from "./sampleQuery";
import { formatBytes, formatCount, textTable } from "./textTable";

export const DEMO_DIR_ENV = "SYNAPSE_EXPORT_DEMO_DIR";

const say = (text = "") => process.stdout.write(`${text}\n`);

/** A path as the user would type it from where they ran the demo. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}

export async function main(): Promise<number> {
  const started = Date.now();
  const root = path.resolve(process.env[DEMO_DIR_ENV] || ".demo");
  const dataDir = path.join(root, "data");
  const specFile = path.join(root, "spec.yaml");
  const outDir = path.join(root, "out");

  say("synapse-export demo: Customer Insights entities to a local lake and database\n");

  say(`1. Sample data (seed ${DEFAULT_SEED}, the same bytes on every run) in ${shown(dataDir)}`);
  const files = generateSampleData();
  writeSampleData(dataDir, files);
  say(
    textTable(
      ["entity", "file", "rows", "size"],
      files.map((f) => [
        f.entity,
        f.relPath,
        formatCount(f.rows),
        formatBytes(Buffer.byteLength(f.content)),
      ]),
      [2, 3],
    ),
  );
  say(`  ${formatCount(files.reduce((n, f) => n + f.rows, 0))} rows in all.\n`);

  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(
    specFile,
    demoSpecYaml(files, path.relative(root, dataDir).split(path.sep).join("/")),
  );
  say(`2. Spec ${shown(specFile)}, validated with the same rules as \`synapse-export validate\``);
  const validation = parseSpecText(fs.readFileSync(specFile, "utf8"), root, shown(specFile));
  for (const w of validation.warnings) say(`  warning: ${w.path}: ${w.message}`);
  if (!validation.spec) {
    for (const issue of validation.issues) say(`  error: ${issue.path}: ${issue.message}`);
    say("  The spec is invalid; this is a bug in the demo, please report it.");
    return 1;
  }
  const spec = validation.spec;
  const declared = spec.export.entities.filter((e) => e.columns?.length).map((e) => e.name);
  const inferred = spec.export.entities.filter((e) => !e.columns?.length).map((e) => e.name);
  say(`  valid: ${spec.export.entities.length} entities into database ${spec.export.databaseName}`);
  say(
    `  declared columns: ${declared.join(", ")}; inferred from the source: ${inferred.join(", ")}\n`,
  );

  say(`3. Export to the local target ${shown(outDir)} (lake + DuckDB)`);
  const first = await exportOnce(spec, outDir);
  if (!first) return 2;
  const fresh = first.record.entities.filter((e) => e.status === "exported").length;
  if (fresh < first.record.entities.length && first.record.ok) {
    say(
      "  (Entities shown unchanged were exported by an earlier demo run: their data is the same.)",
    );
  }
  for (const e of first.record.entities.filter((e) => e.columnsInferred && e.columns)) {
    say(
      `  ${e.name} columns, inferred: ${e.columns!.map((c) => `${c.name} ${c.type}`).join(", ")}`,
    );
  }
  say("");

  say("4. The same export again: each source matches its latest snapshot's fingerprint");
  const second = await exportOnce(spec, outDir);
  if (!second) return 2;
  const changed = second.record.entities.filter((e) => e.status !== "unchanged");
  if (changed.length > 0) {
    say(
      `  Expected every entity unchanged, but: ${changed.map((e) => `${e.name} ${e.status}`).join(", ")}.`,
    );
    return 2;
  }
  say(
    `  Every entity unchanged (${second.record.entities.length} of ${second.record.entities.length}): ` +
      "nothing uploaded, the views still serve the same snapshots.\n",
  );

  say(`5. A query against the local database ${shown(first.databaseFile)}`);
  say(
    TOP_SEGMENTS_SQL.split("\n")
      .map((l) => `  ${l}`)
      .join("\n"),
  );
  say("");
  const segments = await queryTopSegments(first.databaseFile);
  const money = (n: number) =>
    n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  say(
    textTable(
      ["segment", "customers", "avg lifetime value", "total lifetime value"],
      segments.map((s) => [
        s.segment,
        formatCount(s.customers),
        money(s.avgLifetimeValue),
        money(s.totalLifetimeValue),
      ]),
      [1, 2, 3],
    ),
  );
  say("");

  const grants = planGrants(spec);
  say(`6. The permission plan the same spec applies in Azure (${grants.length} role assignments)`);
  say(
    textTable(
      ["principal", "role", "scope", "plane", "purpose"],
      grants.map((g) => [g.principalName, g.role, g.scope, g.plane, g.purpose]),
    ),
  );
  say("");

  say(`Done in ${((Date.now() - started) / 1000).toFixed(1)}s. Where things are:`);
  say(`  sample data  ${shown(dataDir)}/`);
  say(`  spec         ${shown(specFile)}`);
  say(
    `  lake         ${shown(path.join(outDir, DEMO_CONTAINER, DEMO_DATABASE))}/<Entity>/v=<snapshot>/part-*.parquet`,
  );
  say(
    `  database     ${shown(first.databaseFile)} (one view per entity, e.g. SELECT * FROM Customer)`,
  );
  say("");
  say("Next, try:");
  say(`  npx synapse-export plan ${shown(specFile)}`);
  say(`  npx synapse-export run ${shown(specFile)} --local ${shown(outDir)}`);
  return 0;
}

/** One run through runExport and the local target, as `synapse-export run --local` does it. */
async function exportOnce(
  spec: Spec,
  outDir: string,
): Promise<{ record: RunRecord; databaseFile: string } | undefined> {
  const target = localTarget(spec, outDir);
  const started = Date.now();
  let record: RunRecord;
  try {
    record = await runExport(spec, {
      lake: target.lake,
      views: target.views,
      lock: { waitMs: 0, staleMs: 60_000, holder: `npm run demo (pid ${process.pid})` },
      onProgress: progressPrinter(started),
    });
  } finally {
    await target.views.close();
  }
  say(recordTable(record));
  const t = record.totals;
  say(
    `  ${t.exported} exported, ${t.unchanged} unchanged, ${t.retained} retained, ${t.failed} failed; ` +
      `${formatCount(t.rows)} rows, ${formatBytes(t.bytes)} served, in ${(record.durationMs / 1000).toFixed(1)}s`,
  );
  for (const e of record.entities.filter((e) => e.status === "failed")) {
    say(`  ${e.name} failed: ${e.error}`);
  }
  return record.ok ? { record, databaseFile: target.databaseLocation } : undefined;
}

/**
 * One line per entity, written as it goes: the phases as they start (each once: staging overlaps the
 * fingerprint), then the outcome. Plain text without cursor tricks, so it reads the same in a log.
 */
function progressPrinter(started: number): (event: ProgressEvent) => void {
  let seen = new Set<string>();
  const write = (text: string) => process.stdout.write(text);
  return (event) => {
    switch (event.kind) {
      case "entity-started":
        seen = new Set();
        write(`  [${((Date.now() - started) / 1000).toFixed(1)}s] ${event.entity}:`);
        break;
      case "entity-phase":
        if (!seen.has(event.phase)) write(`${seen.size ? " ›" : ""} ${event.phase}`);
        seen.add(event.phase);
        break;
      case "entity-finished":
        if (event.record.status === "retained" || event.record.status === "dropped") {
          write(`  ${event.entity}:`);
        }
        write(
          ` → ${event.record.status}, ${formatCount(event.record.rows)} rows, ` +
            `${formatBytes(event.record.bytes)} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`,
        );
        break;
    }
  };
}

function recordTable(record: RunRecord): string {
  return textTable(
    ["entity", "status", "columns", "rows", "bytes", "files", "snapshot", "time"],
    record.entities.map((e) => [
      e.name,
      e.status,
      e.columnsInferred ? "inferred" : "declared",
      formatCount(e.rows),
      formatBytes(e.bytes),
      String(e.files),
      e.snapshot ?? "",
      `${(e.durationMs / 1000).toFixed(2)}s`,
    ]),
    [3, 4, 5, 7],
  );
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      say(`The demo stopped: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 2;
    },
  );
}
