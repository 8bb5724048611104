// The export database as a Pulumi resource: one per (export, database name). A new database name
// replaces it, which creates the new database; the old one is left as it was, exactly as the seed
// says, unless the export asks to drop (`onEntityRemoved: drop`).

import * as pulumi from "@pulumi/pulumi";
import type { ExportDatabaseInputs, TargetRef } from "../plan/exportResources";
import type { Spec } from "../spec/types";
import { loadEngine } from "./loadEngine";

type Operations = typeof import("../engine/exportOperations");
type ResourceRules = typeof import("../plan/exportResources");

// The plan's pure rules are loaded like the engine, for the same reason (serialization).
const loadRules = () => loadEngine<ResourceRules>("../plan/exportResources");

export const exportDatabaseProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: ExportDatabaseInputs, news: ExportDatabaseInputs) {
    const { changes, replaces } = loadRules().diffExportDatabase(olds, news);
    return { changes, replaces };
  },

  async create(inputs: ExportDatabaseInputs) {
    const { provisionExportDatabase } = loadEngine<Operations>("exportOperations");
    const { databaseLocation } = await provisionExportDatabase(inputs.spec, inputs.target);
    return {
      id: `${inputs.spec.export.databaseName}`,
      outs: { ...inputs, databaseName: inputs.spec.export.databaseName, databaseLocation },
    };
  },

  // Only labels changed (the diff replaces on anything that names another database): converge anyway.
  async update(_id: string, _olds: ExportDatabaseInputs, news: ExportDatabaseInputs) {
    const { provisionExportDatabase } = loadEngine<Operations>("exportOperations");
    const { databaseLocation } = await provisionExportDatabase(news.spec, news.target);
    return { outs: { ...news, databaseName: news.spec.export.databaseName, databaseLocation } };
  },

  async delete(_id: string, props: ExportDatabaseInputs) {
    if (props.spec.export.onEntityRemoved !== "drop") return;
    const { dropExportDatabase } = loadEngine<Operations>("exportOperations");
    await dropExportDatabase(props.spec, props.target);
  },
};

export interface ExportDatabaseArgs {
  /** The validated spec (names and ids only: it holds no secret). */
  spec: pulumi.Input<Spec>;
  target: pulumi.Input<TargetRef>;
}

/** The Synapse serverless SQL database (or local DuckDB file) that holds the export's views. */
export class ExportDatabase extends pulumi.dynamic.Resource {
  declare readonly databaseName: pulumi.Output<string>;
  declare readonly databaseLocation: pulumi.Output<string>;

  constructor(name: string, args: ExportDatabaseArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      exportDatabaseProvider,
      name,
      { ...args, databaseName: undefined, databaseLocation: undefined },
      opts,
      "synapse-export",
      "ExportDatabase",
    );
  }
}
