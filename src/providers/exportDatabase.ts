// The export database as a Pulumi resource: one per (export, database name). A new database name
// replaces it, which creates the new database; the old one is left as it was, exactly as the seed
// says, unless the export asks to drop (`onEntityRemoved: drop`). Each method is one call: the rules
// are plan/exportResources.ts (what it keeps of the spec, its diff) and plan/resourceLifecycle.ts.

import * as pulumi from "@pulumi/pulumi";
import {
  exportDatabaseSpec,
  type ExportDatabaseInputs,
  type TargetRef,
} from "../plan/exportResources";
import type { ExportDatabaseSpec } from "../plan/specSlices";
import { exportResourceProvider } from "./exportResourceProvider";

// Its update converges too: settings or readers changed (a new database name replaces it instead).
export const exportDatabaseProvider = exportResourceProvider<ExportDatabaseInputs>({
  diff: (rules, olds, news) => rules.diffExportDatabase(olds, news),
  id: (lifecycle, inputs) => lifecycle.exportDatabaseId(inputs),
  apply: (operations, inputs) => operations.applyExportDatabase(inputs),
  remove: (operations, state) => operations.deleteExportDatabase(state),
});

export interface ExportDatabaseArgs {
  /** The validated spec (names and ids only: it holds no secret); the resource keeps its share. */
  spec: pulumi.Input<ExportDatabaseSpec>;
  target: pulumi.Input<TargetRef>;
  /** The deploying identity's object id: create and update refuse to run signed in as another. */
  signsInAs?: pulumi.Input<string>;
  /**
   * When the newest grant this resource depends on was made (ISO 8601; ExportPermissions.grantsMadeAt):
   * a storage 403 is waited out until ten minutes after it, and fails at once later. Default: not
   * known, waited ten minutes from the operation's start. Never a change of the resource.
   */
  grantsMadeAt?: pulumi.Input<string>;
}

/** The Synapse serverless SQL database (or local DuckDB file) that holds the export's views. */
export class ExportDatabase extends pulumi.dynamic.Resource {
  declare readonly databaseName: pulumi.Output<string>;
  declare readonly databaseLocation: pulumi.Output<string>;

  constructor(name: string, args: ExportDatabaseArgs, opts?: pulumi.CustomResourceOptions) {
    const spec = pulumi.output(args.spec).apply((s) => exportDatabaseSpec(s as ExportDatabaseSpec));
    super(
      exportDatabaseProvider,
      name,
      { ...args, spec, databaseName: undefined, databaseLocation: undefined },
      opts,
      "synapse-export",
      "ExportDatabase",
    );
  }
}
