// `synapse-export plan <spec> [--json]`: grants, lake layout and SQL statements; touches nothing but
// reads the sources of entities without declared columns, to infer them.

import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../args";
import type { EntitySpec, Spec } from "../../spec/types";
import { entityEngine, lakeLocationOf, type LakeSourceFiles } from "../../plan/lakeSource";
import { abfssUrl, localRelativePath } from "../../plan/lakeLocation";
import { planExport, type EntityColumns, type ExportPlan } from "../../plan/exportPlan";
import type { Grant } from "../../plan/grants";
import type { LakeSourceGrant } from "../../plan/lakeSourceGrants";
import { columnText } from "../../plan/typeMapping";
import { databaseCountNote } from "../../plan/serverlessLimits";
import { json, table, tableOrBlocks, terminalWidth, wrap, type Output } from "../output";
import { shortIdsIn } from "../shorten";
import { messageOf } from "../../errors";

export async function entityColumns(
  spec: Spec,
  localDir?: string,
): Promise<{ columns: EntityColumns[]; problems: string[] }> {
  const { inferColumns } =
    require("../../engine/sources/inferColumns") as typeof import("../../engine/sources/inferColumns");
  const columns: EntityColumns[] = [];
  const problems: string[] = [];
  for (const entity of spec.export.entities) {
    if (entity.columns) {
      columns.push({ entity: entity.name, columns: entity.columns, inferred: false });
      continue;
    }
    if (isLakeModelJson(entity)) {
      if (localDir === undefined) {
        problems.push(
          `${entity.name}: its columns and partitions come from the model.json at ${entity.source.path}, which the export reads when it runs (plan reads nothing from Azure); plan --local DIR reads DIR/<container>/<path> instead.`,
        );
        continue;
      }
      try {
        const source = await localLakeModel(entity, localDir);
        columns.push({
          entity: entity.name,
          columns: source.columns,
          inferred: true,
          lakeSource: source,
        });
      } catch (error) {
        problems.push(`${entity.name}: ${messageOf(error)}`);
      }
      continue;
    }
    try {
      columns.push({
        entity: entity.name,
        columns: await inferColumns(spec, entity),
        inferred: true,
      });
    } catch (error) {
      problems.push(`${entity.name}: columns cannot be inferred yet: ${messageOf(error)}`);
    }
  }
  return { columns, problems };
}

/** A `format: cdm` entity whose model.json is in the lake, exported by serverless (server-side). */
function isLakeModelJson(entity: EntitySpec): boolean {
  return entity.source.format === "cdm" && entityEngine(entity).engine === "synapse";
}

/**
 * The model.json's columns and partitions, read from `DIR/<container>/<path>` as `run --local DIR`
 * reads them (the same cdmLakeSource over the local target's listing), so the plan shows the CETAS
 * over the partitions a run would export.
 */
async function localLakeModel(entity: EntitySpec, localDir: string): Promise<LakeSourceFiles> {
  const { cdmLakeSource } =
    require("../../engine/serverSide/cdmLakeSource") as typeof import("../../engine/serverSide/cdmLakeSource");
  const { listLocalContainer, readLocalSourceText } =
    require("../../engine/serverSide/localLakeSource") as typeof import("../../engine/serverSide/localLakeSource");
  const root = path.resolve(localDir);
  const where = lakeLocationOf(entity);
  const local = where ? path.join(root, ...localRelativePath(where).split("/")) : root;
  try {
    const { source } = await cdmLakeSource(
      entity,
      (location) => readLocalSourceText(root, location),
      (location, folder) => listLocalContainer(root, location, folder),
    );
    return source;
  } catch (error) {
    // The lake URL alone would point at Azure: say which local file plan read in its place.
    throw new Error(`${messageOf(error)} (plan --local read it from ${local})`, { cause: error });
  }
}

export async function planCommand(
  spec: Spec,
  options: { json: boolean; local?: string },
  output: Output,
): Promise<number> {
  // plan only reads --local: a folder that is not there is the command line's mistake.
  if (
    options.local !== undefined &&
    !fs.statSync(options.local, { throwIfNoEntry: false })?.isDirectory()
  ) {
    throw new UsageError(
      `--local ${options.local}: no such folder; plan --local reads a local lake that run --local (or a copy of the lake) wrote.`,
    );
  }
  const { columns, problems } = await entityColumns(spec, options.local);
  const plan = planExport(spec, columns);
  for (const p of problems) output.err(`warning: ${p}`);
  output.out(options.json ? json(plan) : renderPlan(plan, spec));
  return 0;
}

/** The grants as a table that fits `width` (as blocks, one per grant, when a table cannot). */
export function grantsTable(grants: readonly Grant[], width?: number): string {
  const headers = ["principal", "role", "scope", "plane", "purpose"];
  const rows = grants.map((g) => [
    `${g.principal} (${shortIdsIn(g.principalName)})`,
    g.role,
    g.scope,
    g.plane,
    g.purpose,
  ]);
  return width === undefined ? table(headers, rows) : tableOrBlocks(headers, rows, width);
}

/** The grants lake sources need that the stack does not make, one line each. */
export function lakeSourceGrantsText(
  grants: readonly LakeSourceGrant[],
  width = terminalWidth(),
): string {
  return [
    "",
    "Lake sources: grants to make by hand (not created by the stack):",
    ...grants.map((g) =>
      wrap(
        `  - ${g.principalName}: ${g.role} on ${g.scopeId ?? g.scope} (${g.entities.join(", ")}): ${g.purpose}`,
        width,
      ),
    ),
  ].join("\n");
}

function renderPlan(plan: ExportPlan, spec: Spec): string {
  const sourceOf = (entity: string) =>
    spec.export.entities.find((e) => e.name === entity)?.source.path ?? "the source";
  const width = terminalWidth();
  const sections = [
    "Engines:",
    tableOrBlocks(
      ["entity", "engine", "why"],
      plan.engines.map((e) => [e.entity, e.engine, e.reason]),
      width,
    ),
    "",
    `Permissions (${plan.grants.length} role assignments):`,
    grantsTable(plan.grants, width),
    ...(plan.lakeSourceGrants.length > 0
      ? [lakeSourceGrantsText(plan.lakeSourceGrants, width)]
      : []),
    "",
    "Prerequisites of the deploying identity (not granted by the stack):",
    ...plan.prerequisites.map((p) => wrap(`  - ${p}`, width)),
    "",
    `Lake layout in container ${plan.lake.container}:`,
    ...plan.lake.entities.map((e) => `  ${e.snapshotPattern}`),
    "",
    "Columns:",
    ...plan.columns.map((c) =>
      wrap(
        `  ${c.entity}${c.lakeSource ? ` (from the model.json at ${sourceOf(c.entity)})` : c.inferred ? ` (inferred from ${sourceOf(c.entity)})` : ""}: ` +
          c.columns.map(columnText).join(", "),
        width,
      ),
    ),
    ...lakeFilesText(plan),
    "",
    "Databases of the serverless SQL pool:",
    wrap(`  ${databaseCountNote(spec.export.databaseName)}`, width),
    "",
    "SQL for Synapse serverless (one batch each):",
    ...plan.sql.map((s) => `-- [${s.database}] ${s.purpose}\n${s.statement}\n`),
  ];
  return sections.join("\n");
}

/** The files a model.json entity's CETAS reads, when `plan --local` read its model.json. */
function lakeFilesText(plan: ExportPlan): string[] {
  const read = plan.columns.filter((c) => c.lakeSource !== undefined);
  if (read.length === 0) return [];
  return [
    "",
    "Lake source files (from model.json under --local):",
    ...read.flatMap((c) => [
      `  ${c.entity}: ${c.lakeSource!.files.length} partition(s)`,
      // Whole, not wrapped: a location is copied from here.
      ...c.lakeSource!.files.map((f) => `    ${abfssUrl(f)}`),
    ]),
  ];
}
