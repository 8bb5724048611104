// Everything an export will do, as data: the grants, the lake layout and the SQL statements for the
// Azure target. What `synapse-export plan` prints and what a reviewer reads before `pulumi up`.

import type { ColumnSpec, Spec } from "../spec/types";
import type { TargetSpec } from "./specSlices";
import { deployerPrerequisites, planGrants, type Grant } from "./grants";
import { databaseFolder, planLakeLayout, type LakeLayout } from "./lakeLayout";
import { renderTsql } from "./renderTsql";
import { serverlessLimitIssues } from "./serverlessLimits";
import { planSqlLogins, sqlLoginIssues } from "./sqlAccess";
import { SpecError, type SpecIssue } from "../spec/specError";
import { planDatabaseSetup, SNAPSHOT_PLACEHOLDER, type SqlStep } from "./sqlPlan";
import type { SqlStatement } from "./sqlStatement";
import { needsCetasCheck } from "./renderCetas";
import { planLakeSourceGrants, type LakeSourceGrant } from "./lakeSourceGrants";
import {
  entityEngine,
  lakeSourceFiles,
  lakeSourceIssues,
  type EngineName,
  type LakeSourceFiles,
} from "./lakeSource";

export { SNAPSHOT_PLACEHOLDER };

export interface EntityColumns {
  entity: string;
  columns: ColumnSpec[];
  inferred: boolean;
  /**
   * A lake model.json entity's partitions and columns, when `plan --local DIR` read its model.json:
   * the files the server-side export reads (its spec names only the export folder).
   */
  lakeSource?: LakeSourceFiles;
}

/** Which engine exports an entity, and why (`plan` prints it). */
export interface EntityEnginePlan {
  entity: string;
  engine: EngineName;
  reason: string;
}

export interface ExportPlan {
  engines: EntityEnginePlan[];
  grants: Grant[];
  /** What lets the server-side export read lake sources the grants above do not cover (made by hand). */
  lakeSourceGrants: LakeSourceGrant[];
  /** What the deploying identity needs before deploying, which no grant gives it. */
  prerequisites: string[];
  lake: LakeLayout;
  columns: EntityColumns[];
  sql: SqlStatement[];
}

export function dfsEndpoint(accountName: string): string {
  return `https://${accountName}.dfs.core.windows.net`;
}

/** The external data source's location: the export database's folder in the container. */
export function azureDataSourceLocation(spec: TargetSpec): string {
  const { accountName, container } = spec.connection.storage;
  return `${dfsEndpoint(accountName)}/${container}/${databaseFolder(spec.export.databaseName)}`;
}

/** What the Azure target needs of a spec beyond its schema: readers' login names, serverless limits. */
export function azureSpecIssues(spec: Spec): SpecIssue[] {
  return [...sqlLoginIssues(spec), ...serverlessLimitIssues(spec), ...lakeSourceIssues(spec)];
}

/** Throws a SpecError naming every field the Azure target cannot serve, before anything is written. */
export function checkAzureSpec(spec: Spec): void {
  const issues = azureSpecIssues(spec);
  if (issues.length > 0) throw new SpecError(issues);
}

export function planExport(spec: Spec, columns: readonly EntityColumns[]): ExportPlan {
  // Readers' logins, users and role membership are part of the setup; a reader without a login name
  // fails the plan with the field path.
  checkAzureSpec(spec);
  const steps: SqlStep[] = [...planDatabaseSetup(spec.export.format, planSqlLogins(spec))];
  for (const c of columns) {
    const entity = spec.export.entities.find((e) => e.name === c.entity);
    const lake =
      entity && entityEngine(entity).engine === "synapse"
        ? (c.lakeSource ?? lakeSourceFiles(entity))
        : undefined;
    if (lake) {
      // Server-side: serverless reads the lake source and writes the snapshot itself (renderCetas.ts).
      const snapshot = SNAPSHOT_PLACEHOLDER;
      if (needsCetasCheck(lake)) {
        steps.push({ step: "checkLakeSource", entity: c.entity, snapshot, source: lake });
      }
      steps.push(
        { step: "exportLakeSource", entity: c.entity, snapshot, source: lake },
        { step: "countLakeSnapshot", entity: c.entity, snapshot },
        { step: "probeSnapshotTable", entity: c.entity, snapshot },
        { step: "switchView", entity: c.entity, snapshot, columns: c.columns },
      );
      continue;
    }
    steps.push(
      {
        step: "createSnapshotTable",
        entity: c.entity,
        snapshot: SNAPSHOT_PLACEHOLDER,
        columns: c.columns,
        format: spec.export.format,
      },
      { step: "switchView", entity: c.entity, snapshot: SNAPSHOT_PLACEHOLDER, columns: c.columns },
    );
  }
  return {
    engines: spec.export.entities.map((e) => ({ entity: e.name, ...entityEngine(e) })),
    grants: planGrants(spec),
    lakeSourceGrants: planLakeSourceGrants(spec),
    prerequisites: deployerPrerequisites(spec),
    lake: planLakeLayout(
      spec.connection.storage.container,
      spec.export.databaseName,
      spec.export.entities.map((e) => e.name),
      spec.export.format,
    ),
    columns: [...columns],
    sql: renderTsql(steps, {
      database: spec.export.databaseName,
      dataSourceLocation: azureDataSourceLocation(spec),
    }),
  };
}
