// The export's two dynamic providers (export database, entity table) have one shape: diff by the
// plan's rule, create and update by one engine call that returns the new state, delete by one engine
// call that follows the stored policy. The plan and engine modules are loaded inside each method
// (loadEngine.ts says why), so the provider survives Pulumi's serialization.

import type * as pulumi from "@pulumi/pulumi";
import type { ResourceDiff } from "../plan/exportResources";
import { loadEngine } from "./loadEngine";

type Operations = typeof import("../engine/exportOperations");
type ResourceRules = typeof import("../plan/exportResources");
type Lifecycle = typeof import("../plan/resourceLifecycle");

/** Which plan rule and engine operation each method calls, given the loaded modules. */
export interface ExportResourceCalls<I> {
  diff: (rules: ResourceRules, olds: I, news: I) => ResourceDiff;
  id: (lifecycle: Lifecycle, inputs: I) => string;
  apply: (operations: Operations, inputs: I) => Promise<object>;
  remove: (operations: Operations, state: I) => Promise<void>;
}

export function exportResourceProvider<I>(
  calls: ExportResourceCalls<I>,
): pulumi.dynamic.ResourceProvider {
  const rules = () => loadEngine<ResourceRules>("../plan/exportResources");
  const lifecycle = () => loadEngine<Lifecycle>("../plan/resourceLifecycle");
  const operations = () => loadEngine<Operations>("exportOperations");
  return {
    async diff(_id: string, olds: I, news: I) {
      const { changes, replaces } = calls.diff(rules(), olds, news);
      return { changes, replaces };
    },
    async create(inputs: I) {
      return { id: calls.id(lifecycle(), inputs), outs: await calls.apply(operations(), inputs) };
    },
    async update(_id: string, _olds: I, news: I) {
      return { outs: await calls.apply(operations(), news) };
    },
    async delete(_id: string, state: I) {
      await calls.remove(operations(), state);
    },
  };
}
