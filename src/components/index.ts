export * from "./exportStorage";
export * from "./workspaceLink";
export * from "./exportPermissions";
export * from "./exportConnection";
export * from "./customerInsightsSynapseExport";
export * from "./principals";
