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
import { loadEngine } from "./loadEngine";

type Operations = typeof import("../engine/exportOperations");
type ResourceRules = typeof import("../plan/exportResources");
type Lifecycle = typeof import("../plan/resourceLifecycle");

// The plan's pure rules are loaded like the engine, for the same reason (serialization).
const loadRules = () => loadEngine<ResourceRules>("../plan/exportResources");
const loadLifecycle = () => loadEngine<Lifecycle>("../plan/resourceLifecycle");
const loadOperations = () => loadEngine<Operations>("exportOperations");

export const exportDatabaseProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: ExportDatabaseInputs, news: ExportDatabaseInputs) {
    const { changes, replaces } = loadRules().diffExportDatabase(olds, news);
    return { changes, replaces };
  },

  async create(inputs: ExportDatabaseInputs) {
    return {
      id: loadLifecycle().exportDatabaseId(inputs),
      outs: await loadOperations().applyExportDatabase(inputs),
    };
  },

  // Settings or readers changed (the diff replaces on anything that names another database): converge.
  async update(_id: string, _olds: ExportDatabaseInputs, news: ExportDatabaseInputs) {
    return { outs: await loadOperations().applyExportDatabase(news) };
  },

  async delete(_id: string, props: ExportDatabaseInputs) {
    await loadOperations().deleteExportDatabase(props);
  },
};

export interface ExportDatabaseArgs {
  /** The validated spec (names and ids only: it holds no secret); the resource keeps its share. */
  spec: pulumi.Input<ExportDatabaseSpec>;
  target: pulumi.Input<TargetRef>;
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
