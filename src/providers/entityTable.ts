// One selected entity as a Pulumi resource: its view in the export database and the data behind it.
// Create and update export a new snapshot (when the source changed) and switch the view; with
// `runOnDeploy: false` they only point the view at the newest snapshot already in the lake. Delete is
// the seed's "removed entities aren't deleted": nothing, unless the export asks to drop.

import * as pulumi from "@pulumi/pulumi";
import type { EntityTableInputs, SourceState, TargetRef } from "../plan/exportResources";
import type { Spec } from "../spec/types";
import { loadEngine } from "./loadEngine";

type Operations = typeof import("../engine/exportOperations");
type ResourceRules = typeof import("../plan/exportResources");

const loadRules = () => loadEngine<ResourceRules>("../plan/exportResources");

async function refresh(inputs: EntityTableInputs) {
  const ops = loadEngine<Operations>("exportOperations");
  const view = `dbo.${inputs.entity}`;
  if (!inputs.spec.export.runOnDeploy) {
    const published = await ops.publishLatestSnapshot(inputs.spec, inputs.target, inputs.entity);
    return { ...inputs, ...published, viewName: view, lastExportedAt: null, status: "published" };
  }
  const record = await ops.refreshEntity(inputs.spec, inputs.target, inputs.entity);
  return {
    ...inputs,
    snapshot: record.snapshot ?? null,
    rows: record.rows,
    bytes: record.bytes,
    viewName: view,
    lastExportedAt: new Date().toISOString(),
    status: record.status,
  };
}

export const entityTableProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: EntityTableInputs, news: EntityTableInputs) {
    const { changes, replaces } = loadRules().diffEntityTable(olds, news);
    return { changes, replaces };
  },

  async create(inputs: EntityTableInputs) {
    return {
      id: `${inputs.spec.export.databaseName}.${inputs.entity}`,
      outs: await refresh(inputs),
    };
  },

  async update(_id: string, _olds: EntityTableInputs, news: EntityTableInputs) {
    return { outs: await refresh(news) };
  },

  async delete(_id: string, props: EntityTableInputs) {
    if (props.spec.export.onEntityRemoved !== "drop") return;
    const { dropEntity } = loadEngine<Operations>("exportOperations");
    await dropEntity(props.spec, props.target, props.entity);
  },
};

export interface EntityTableArgs {
  spec: pulumi.Input<Spec>;
  target: pulumi.Input<TargetRef>;
  entity: pulumi.Input<string>;
  /** The entity's source files (path, size, modified time); default: read now from the spec's folder. */
  sources?: pulumi.Input<SourceState[]>;
}

/** An entity's stable view `[dbo].[<Entity>]` and the snapshot it shows. */
export class EntityTable extends pulumi.dynamic.Resource {
  declare readonly snapshot: pulumi.Output<string | null>;
  declare readonly rows: pulumi.Output<number>;
  declare readonly bytes: pulumi.Output<number>;
  declare readonly viewName: pulumi.Output<string>;
  declare readonly lastExportedAt: pulumi.Output<string | null>;

  constructor(name: string, args: EntityTableArgs, opts?: pulumi.CustomResourceOptions) {
    const sources =
      args.sources ??
      pulumi
        .all([args.spec, args.entity, args.target])
        .apply(([spec, entity, target]) =>
          loadEngine<Operations>("exportOperations").sourceStates(spec, entity, target),
        );
    super(
      entityTableProvider,
      name,
      {
        ...args,
        sources,
        snapshot: undefined,
        rows: undefined,
        bytes: undefined,
        viewName: undefined,
        lastExportedAt: undefined,
        status: undefined,
      },
      opts,
      "synapse-export",
      "EntityTable",
    );
  }
}
