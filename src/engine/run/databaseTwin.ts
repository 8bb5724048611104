// A databaseName that differs from an export database already in the container only by case (or by
// width, or kana): the lake's folders and a local target's files tell the two apart, but Synapse SQL
// does not. Serverless compares names by its collation, which ignores case
// (spec/nameRules.ts foldName), so `CI_EXPORT` opens the database `ci_export` is: a run of the "new"
// database would switch the live views to its folders, and with `onEntityRemoved: drop` Pulumi's
// delete of the "old" database would drop the live one. The seed's rule (a new database name
// creates a new database and leaves the old one as it was) cannot hold, so both targets refuse it
// before anything is written, the local one too, so a spec tried locally fails as it would on Azure.

import { databaseCaseTwinError, sameDatabaseOtherSpelling } from "../../plan/databaseCaseTwin";
import { databasesAtRoot } from "../../plan/lakeLayout";
import type { LakeStore } from "../lake/lakeStore";

export async function refuseDatabaseCaseTwin(lake: LakeStore, databaseName: string): Promise<void> {
  const root = await lake.list("", { recursive: false });
  const twin = databasesAtRoot(root).find((n) => sameDatabaseOtherSpelling(n, databaseName));
  if (twin !== undefined) {
    throw databaseCaseTwinError(databaseName, twin, "the container already holds");
  }
}
