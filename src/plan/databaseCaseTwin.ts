// A databaseName that differs from another only by case (or width, or kana) names the same Synapse
// database: serverless compares names by its collation, which ignores them (spec/nameRules.ts
// foldName). The refusal's words, one place for the run's lake check (engine/run/databaseTwin.ts)
// and the Pulumi resources' diff (exportResources.ts), whose replacement would otherwise create the
// "new" database, which is the old one, and then delete the old one, dropping the live database with
// `onEntityRemoved: drop`.

import { ExportError } from "../errors";
import { foldName } from "../spec/nameRules";

/** True when `a` and `b` are two spellings of one database name. */
export function sameDatabaseOtherSpelling(a: string, b: string): boolean {
  return a !== b && foldName(a) === foldName(b);
}

export function databaseCaseTwinError(name: string, existing: string, where: string): ExportError {
  return new ExportError(
    "spec",
    `export.databaseName "${name}": ${where} the export database "${existing}", ` +
      `which Synapse SQL takes for the same database (database names compare ignoring case), so "${name}" ` +
      `would not be a new database. Keep the name "${existing}", or choose a name that differs in more than case. Nothing was written.`,
  );
}
