// The view publisher for both SQL targets: it asks the plan for the steps, renders them for its
// target, and hands the statements to the target's executor. No SQL is written here.

import type { SnapshotManifest } from "../../plan/manifest";
import {
  planDatabaseSetup,
  planDropEntity,
  planDropSnapshots,
  planPublishSnapshot,
  type SqlStep,
} from "../../plan/sqlPlan";
import type { SqlStatement } from "../../plan/sqlStatement";
import type { ExportFormat } from "../../spec/types";
import type { SqlExecutor } from "../sql/sqlExecutor";
import type { ViewPublisher } from "../viewPublisher";

export class SqlViewPublisher implements ViewPublisher {
  constructor(
    private readonly executor: SqlExecutor,
    private readonly render: (steps: readonly SqlStep[]) => SqlStatement[],
    private readonly format: ExportFormat,
  ) {}

  prepareDatabase(): Promise<void> {
    return this.executor.execute(this.render(planDatabaseSetup(this.format)));
  }

  publish(manifest: SnapshotManifest): Promise<void> {
    return this.executor.execute(this.render(planPublishSnapshot(manifest)));
  }

  dropSnapshots(entity: string, snapshots: readonly string[]): Promise<void> {
    return this.executor.execute(this.render(planDropSnapshots(entity, snapshots)));
  }

  dropEntity(entity: string, snapshots: readonly string[]): Promise<void> {
    return this.executor.execute(this.render(planDropEntity(entity, snapshots)));
  }

  close(): Promise<void> {
    return this.executor.close();
  }
}
