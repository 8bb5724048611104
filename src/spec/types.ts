// The spec: what a user writes (YAML file, Pulumi stack config or TypeScript args) to describe one
// Customer Insights export to Azure Synapse Analytics. Key names are a public contract. The shape is
// declared once, in schema.ts; its types are generated from it (types.generated.ts, `npm run schema`).

import type { SpecDocument } from "./types.generated";

export type * from "./types.generated";
export { COLUMN_TYPES, ENTITY_ENGINES } from "./schema";

/** A validated spec with every default filled in. */
export interface Spec extends SpecDocument {
  /** The folder that source paths are relative to (the spec file's folder). */
  baseDir: string;
}

/** The Customer Insights first-party application id (the seed's "service principal for Customer Insights"). */
export const CUSTOMER_INSIGHTS_APP_ID = "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff";
