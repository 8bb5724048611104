// Another Pulumi program that uses the export as one component, with the spec written as TypeScript
// args instead of YAML. In your own project, install the package and import from "synapse-export";
// inside this repository the same public API is imported from its source.

import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CustomerInsightsSynapseExport } from "../../src";

const config = new pulumi.Config();
// Pulumi runs a program in its project folder (the folder of Pulumi.yaml).
const projectDir = process.cwd();

const ciExport = new CustomerInsightsSynapseExport("marketing-export", {
  spec: {
    connection: {
      displayName: "Customer Insights to Synapse (marketing)",
      usableBy: "administrators-and-contributors",
      dataPrivacyConsent: true,
      subscriptionId: config.require("subscriptionId"),
      // Least privilege: the data roles on the export's container only.
      dataRoleScope: "container",
      workspace: { name: "ws-marketing", resourceGroupName: "rg-analytics" },
      storage: {
        accountName: "stmarketingexport",
        container: "ci-export",
        resourceGroupName: "rg-analytics",
        create: { location: "westeurope" },
      },
    },
    principals: {
      customerInsights: { createIfMissing: true },
      administrator: { userPrincipalName: config.require("administrator") },
      readers: [{ objectId: config.require("analystsGroupId"), type: "Group", name: "analysts" }],
      contributors: [
        { objectId: config.require("marketingGroupId"), type: "Group", name: "marketing" },
      ],
    },
    export: {
      displayName: "Customer data",
      databaseName: "ci_marketing",
      entities: [{ name: "Customer", source: "data/Customer.csv" }],
    },
  },
  // Entity sources are relative to baseDir: here the repository's sample data in stacks/data.
  baseDir: path.resolve(projectDir, "../../stacks"),
  protectStorage: true,
});

export const serverlessSqlEndpoint = ciExport.serverlessSqlEndpoint;
export const databaseName = ciExport.databaseName;
export const storageAccountName = ciExport.storageAccountName;
export const workspaceIdentityPrincipalId = ciExport.workspaceIdentityPrincipalId;
