// The view publisher for both SQL targets: it asks the plan for the steps, renders them for its
// target, and hands the statements to the target's executor. No SQL is written here.

import type { SnapshotManifest } from "../../plan/manifest";
import { removedReaderUsers, type SqlLogin } from "../../plan/sqlAccess";
import {
  planDatabaseSetup,
  planDropReaders,
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
    /** `leave`: readers are someone else's to keep (an entity's resource; the database's are). */
    private readonly logins: readonly SqlLogin[] | "leave" = [],
  ) {}

  /** The database and its readers; then the readers the spec no longer names lose access. */
  async prepareDatabase(): Promise<void> {
    const logins = this.logins === "leave" ? [] : this.logins;
    await this.executor.execute(this.render(planDatabaseSetup(this.format, logins)));
    if (this.logins === "leave") return;
    // A target without users (DuckDB) renders no query: nothing to remove.
    const [list] = this.render([{ step: "listReaders" }]);
    if (!list) return;
    const members = await this.executor.query(list.database, list.statement);
    const removed = removedReaderUsers(
      members.map((m) => ({ name: String(m.name), ours: m.ours === 1 || m.ours === true })),
      logins,
    );
    await this.executor.execute(this.render(planDropReaders(removed)));
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
