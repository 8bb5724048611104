// One selected entity as a Pulumi resource: its stable view in the export database and the data
// behind it (the snapshots in the lake the view reads). Each method is one call: what it decides
// (export or only publish, drop or keep on delete, the view's name) is plan/resourceLifecycle.ts,
// what it keeps of the spec plan/exportResources.ts (entityTableSpec: never the readers).

import * as pulumi from "@pulumi/pulumi";
import {
  entityTableSpec,
  type EntityTableInputs,
  type SourceState,
  type TargetRef,
} from "../plan/exportResources";
import type { EntityTableSpec } from "../plan/specSlices";
import { exportResourceProvider } from "./exportResourceProvider";
import { loadEngine } from "./loadEngine";

type Operations = typeof import("../engine/exportOperations");

export const entityTableProvider = exportResourceProvider<EntityTableInputs>({
  diff: (rules, olds, news) => rules.diffEntityTable(olds, news),
  id: (lifecycle, inputs) => lifecycle.entityTableId(inputs),
  apply: (operations, inputs) => operations.applyEntityTable(inputs),
  remove: (operations, state) => operations.deleteEntityTable(state),
});

/**
 * Why the spec's local sources cannot be read from `baseDir` (see engine/sources/specFolder.ts), for
 * a component to refuse before it registers anything; undefined when the folder is there.
 */
export function sourceFolderProblem(baseDir: string): string | undefined {
  return loadEngine<typeof import("../engine/sources/specFolder")>(
    "sources/specFolder",
  ).specFolderProblem(baseDir);
}

/**
 * The deploying identity's data role the stack grants, read from the whole spec the component gives
 * (a share without principals or dataRoleScope says nothing: undefined).
 */
function stackGrantOf(
  spec: unknown,
): { dataRoleScope: "storageAccount" | "container" } | undefined {
  const s = spec as {
    connection?: { dataRoleScope?: unknown };
    principals?: { deployer?: unknown };
  };
  const scope = s?.connection?.dataRoleScope;
  if (!s?.principals || s.principals.deployer === false) return undefined;
  return scope === "storageAccount" || scope === "container" ? { dataRoleScope: scope } : undefined;
}

export interface EntityTableArgs {
  /** The validated spec; the resource keeps only this entity's share of it (see entityTableSpec). */
  spec: pulumi.Input<EntityTableSpec>;
  target: pulumi.Input<TargetRef>;
  entity: pulumi.Input<string>;
  /** The entity's source files (path, size, content hash); default: read now from the spec's folder. */
  sources?: pulumi.Input<SourceState[]>;
  /** The deploying identity's object id: create and update refuse to run signed in as another. */
  signsInAs?: pulumi.Input<string>;
  /**
   * When the newest grant this resource depends on was made (ISO 8601; ExportPermissions.grantsMadeAt):
   * a storage 403 is waited out until ten minutes after it, and fails at once later. Default: not
   * known, waited ten minutes from the operation's start. Never a change of the resource.
   */
  grantsMadeAt?: pulumi.Input<string>;
}

/**
 * An entity's data in the export database: its stable view (`[dbo].[<Entity>]` in Synapse,
 * `main.<Entity>` in the local DuckDB file), the per-snapshot table it points at, and the snapshot
 * folders in the lake behind them. Deleting it keeps all of that unless the export says drop.
 */
export class EntityTable extends pulumi.dynamic.Resource {
  declare readonly snapshot: pulumi.Output<string | null>;
  declare readonly rows: pulumi.Output<number>;
  declare readonly bytes: pulumi.Output<number>;
  declare readonly viewName: pulumi.Output<string>;
  declare readonly lastExportedAt: pulumi.Output<string | null>;

  constructor(name: string, args: EntityTableArgs, opts?: pulumi.CustomResourceOptions) {
    const spec = pulumi
      .all([args.spec, args.entity])
      .apply(([s, entity]) => entityTableSpec(s as EntityTableSpec, entity));
    const sources =
      args.sources ??
      pulumi
        .all([spec, args.entity, args.target, args.spec])
        .apply(([s, entity, target, whole]) =>
          loadEngine<Operations>("exportOperations").sourceStates(
            s as EntityTableSpec,
            entity,
            target,
            stackGrantOf(whole),
          ),
        );
    super(
      entityTableProvider,
      name,
      {
        ...args,
        spec,
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
