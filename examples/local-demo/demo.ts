// `npm run demo`: the whole product on a laptop in under a minute. Generates Customer Insights-like
// sample data, writes a spec for it, validates the spec, exports it twice to a local lake and DuckDB
// database through the same code `synapse-export run --local` uses (the second run finds every entity
// unchanged), queries the exported views, and shows the grants the same spec would apply in Azure.
//
// Everything goes under .demo/ in the current folder, or under $SYNAPSE_EXPORT_DEMO_DIR.

import * as fs from "node:fs";
import * as path from "node:path";
import { runExport, STALE_LOCK_MS, type ProgressEvent, type RunRecord } from "../../src/engine";
import { localTarget } from "../../src/engine/targets";
import { planGrants, type Grant } from "../../src/plan";
import { parseSpecText, type Spec } from "../../src/spec";
import { DEMO_CONTAINER, DEMO_DATABASE, demoSpecYaml } from "./demoSpec";
import { DEFAULT_SEED, generateSampleData, writeSampleData } from "./sampleData";
import { queryTopSegments, TOP_SEGMENTS_SQL } from "./sampleQuery";
import { fit, formatBytes, formatCount, outputWidth, textTable, wrapLine } from "./textTable";

export const DEMO_DIR_ENV = "SYNAPSE_EXPORT_DEMO_DIR";

/** Prints lines wrapped to the terminal's width (a long path stays whole on its own line). */
const say = (text = "") =>
  process.stdout.write(
    `${text
      .split("\n")
      .map((l) => wrapLine(l, outputWidth()))
      .join("\n")}\n`,
  );

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
  say(grantsByPrincipal(grants));
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
      lock: { waitMs: 0, staleMs: STALE_LOCK_MS, holder: `npm run demo (pid ${process.pid})` },
      onProgress: progressPrinter(started),
    });
  } finally {
    await target.views.close();
  }
  say(recordTable(record));
  const t = record.totals;
  say(
    `  ${t.exported} exported, ${t.unchanged} unchanged, ${t.retained} retained, ${t.failed} failed, ` +
      `in ${(record.durationMs / 1000).toFixed(1)}s: ${formatCount(t.rows)} rows, ` +
      `${formatBytes(t.bytes)} of ${spec.export.format === "csv" ? "CSV" : "Parquet"} files that the views serve`,
  );
  for (const e of record.entities.filter((e) => e.status === "failed")) {
    say(`  ${e.name} failed: ${e.error?.message}`);
  }
  return record.ok ? { record, databaseFile: target.databaseLocation } : undefined;
}

/**
 * One line per entity, written as it goes: the phases as they start (each once: staging overlaps the
 * fingerprint), then the outcome. Plain text without cursor tricks, so it reads the same in a log;
 * a line that would pass the terminal's width goes on below, indented.
 * "write" is shown only once something is uploaded after it: an unchanged entity's staging is
 * abandoned when its fingerprint matches, and nothing of it is written to the lake.
 */
function progressPrinter(started: number): (event: ProgressEvent) => void {
  const width = outputWidth();
  let seen = new Set<string>();
  let column = 0;
  let deferredWrite = false;
  const write = (text: string) => {
    if (column > 0 && column + text.length > width) {
      process.stdout.write("\n     ");
      column = 5;
      text = text.replace(/^ /, "");
    }
    process.stdout.write(text);
    column = text.endsWith("\n") ? 0 : column + text.length;
  };
  const phase = (name: string) => write(`${seen.size ? " ›" : ""} ${name}`);
  return (event) => {
    switch (event.kind) {
      case "entity-started":
        seen = new Set();
        deferredWrite = false;
        write(`  [${((Date.now() - started) / 1000).toFixed(1)}s] ${event.entity}:`);
        break;
      case "entity-phase":
        if (seen.has(event.phase)) break;
        if (event.phase === "write") {
          deferredWrite = true;
          break;
        }
        if (deferredWrite && (event.phase === "upload" || event.phase === "manifest")) {
          phase("write");
          seen.add("write");
          deferredWrite = false;
        }
        phase(event.phase);
        seen.add(event.phase);
        break;
      case "entity-finished":
        if (event.record.status === "retained" || event.record.status === "dropped") {
          write(`  ${event.entity}:`);
        }
        write(` → ${event.record.status}, ${formatCount(event.record.rows)} rows,`);
        write(
          ` ${formatBytes(event.record.bytes)} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`,
        );
        break;
    }
  };
}

/**
 * The grants under their principal, one line each with role, scope, plane and purpose: a principal's
 * long name then needs no column of its own, and every line fits the terminal (purposes are cut).
 */
function grantsByPrincipal(grants: readonly Grant[]): string {
  const width = outputWidth();
  const columns = [0, 1, 2].map((i) =>
    Math.max(...grants.map((g) => [g.role, g.scope, g.plane][i].length)),
  );
  const lines: string[] = [];
  for (const principal of [...new Set(grants.map((g) => g.principalName))]) {
    lines.push(fit(`  ${principal}`, width));
    for (const g of grants.filter((x) => x.principalName === principal)) {
      const cells = [g.role, g.scope, g.plane].map((c, i) => c.padEnd(columns[i])).join("  ");
      const oneLine = `    ${cells}  ${g.purpose}`;
      // Too long for one line: the purpose goes below, whole, rather than cut to a few words.
      if (oneLine.length <= width) lines.push(oneLine);
      else lines.push(fit(`    ${cells.trimEnd()}`, width), wrapLine(`      ${g.purpose}`, width));
    }
  }
  return lines.join("\n");
}

/** The run record as a table; on a narrow terminal without the files column and with short snapshot ids. */
function recordTable(record: RunRecord): string {
  const width = outputWidth();
  const rowsOf = (narrow: boolean) =>
    record.entities.map((e) => [
      e.name,
      e.status,
      e.columnsInferred ? "inferred" : "declared",
      formatCount(e.rows),
      formatBytes(e.bytes),
      ...(narrow ? [] : [String(e.files)]),
      narrow ? (e.snapshot ?? "").slice(0, 8) : (e.snapshot ?? ""),
      `${(e.durationMs / 1000).toFixed(2)}s`,
    ]);
  const wide = textTable(
    ["entity", "status", "columns", "rows", "bytes", "files", "snapshot", "time"],
    rowsOf(false),
    [3, 4, 5, 7],
  );
  if (Math.max(...wide.split("\n").map((l) => l.length)) <= width) return wide;
  return textTable(
    ["entity", "status", "columns", "rows", "bytes", "snapshot", "time"],
    rowsOf(true),
    [3, 4, 6],
    width,
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
