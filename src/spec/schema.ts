// The spec's shape, declared once. The validator walks it (so every structural error names its field
// path) and the JSON Schema that editors use is generated from it (so the two cannot drift apart).
// Rules that need more than one field (uniqueness, consent, CDM-folder sources) live in rules.ts.

import { COLUMN_TYPES, ENTITY_ENGINES } from "./types";

export type SchemaNode =
  | { kind: "object"; description?: string; properties: Record<string, Property> }
  | { kind: "array"; description?: string; items: SchemaNode; minItems?: number }
  | {
      kind: "string";
      description?: string;
      enum?: readonly string[];
      pattern?: RegExp;
      patternHelp?: string;
      minLength?: number;
      maxLength?: number;
    }
  | { kind: "boolean"; description?: string; const?: boolean }
  | { kind: "integer"; description?: string; minimum?: number; maximum?: number }
  /** A string shorthand or the object form, e.g. `source: data/x.csv` or `source: { path, format }`. */
  | { kind: "stringOrObject"; description?: string; string: SchemaNode; object: SchemaNode }
  /** `false` to turn something off, or the object form, e.g. `deployer: false` or `deployer: { objectId, type }`. */
  | { kind: "falseOrObject"; description?: string; object: SchemaNode };

export interface Property {
  node: SchemaNode;
  required?: boolean;
  default?: unknown;
}

export const GUID_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const guid = (description: string): SchemaNode => ({
  kind: "string",
  description,
  pattern: GUID_PATTERN,
  patternHelp: "a GUID such as 00000000-0000-0000-0000-000000000000",
});

/** SQL names: letter or underscore first, then letters, digits, underscores; 1-128 characters. */
export const SQL_NAME_PATTERN = /^[\p{L}_][\p{L}\p{Nd}_]{0,127}$/u;
const sqlName = (description: string): SchemaNode => ({
  kind: "string",
  description,
  pattern: SQL_NAME_PATTERN,
  patternHelp:
    "1-128 characters: a letter or underscore first, then letters, digits or underscores",
});

const principalType: SchemaNode = {
  kind: "string",
  enum: ["User", "Group", "ServicePrincipal"],
  description: "The kind of Entra ID principal (set on every role assignment).",
};

const namedPrincipal = (description: string): SchemaNode => ({
  kind: "object",
  description,
  properties: {
    objectId: { node: guid("The principal's Entra ID object id."), required: true },
    type: { node: principalType, required: true },
    name: {
      node: {
        kind: "string",
        minLength: 1,
        maxLength: 128,
        description:
          "The principal's Entra name, which its serverless SQL login is created by: a user's UPN, a group's or application's display name. Required by the CLI; resolved from objectId under Pulumi when absent.",
      },
    },
    appId: {
      node: guid(
        "A ServicePrincipal's application (client) id, the SID serverless SQL gives its login: checked so that a login of the same name for another principal is refused. Required by the CLI for a ServicePrincipal; resolved from objectId under Pulumi when absent.",
      ),
    },
  },
});

const firewallRule: SchemaNode = {
  kind: "object",
  properties: {
    name: { node: { kind: "string", minLength: 1 }, required: true },
    startIpAddress: { node: { kind: "string", minLength: 7 }, required: true },
    endIpAddress: { node: { kind: "string", minLength: 7 }, required: true },
  },
};

const column: SchemaNode = {
  kind: "object",
  properties: {
    name: { node: sqlName("The column name."), required: true },
    type: { node: { kind: "string", enum: COLUMN_TYPES }, required: true },
    maxLength: {
      node: {
        kind: "integer",
        minimum: 1,
        maximum: 1_048_576,
        description: "string only: the longest value, in characters.",
      },
    },
    precision: { node: { kind: "integer", minimum: 1, maximum: 38, description: "decimal only." } },
    scale: { node: { kind: "integer", minimum: 0, maximum: 38, description: "decimal only." } },
    sourceColumn: {
      node: {
        kind: "string",
        minLength: 1,
        description:
          "The column's name in the source when it differs, e.g. 'Airport Name' (matched exactly).",
      },
    },
    format: {
      node: {
        kind: "string",
        minLength: 1,
        description:
          "date, dateTime and dateTimeOffset only: a strptime pattern such as '%b %d %Y' or '%Y/%m/%d %H:%M:%S'; a value that does not match fails.",
      },
    },
  },
};

const oneCharacter = (description: string): SchemaNode => ({
  kind: "string",
  minLength: 1,
  maxLength: 1,
  description,
});

const source: SchemaNode = {
  kind: "stringOrObject",
  description:
    "A file or glob relative to the spec's folder (.csv, .tsv, .jsonl, .json, .parquet; CSV and JSON optionally .gz or .zst), a lake location (abfss://<container>@<account>.dfs.core.windows.net/<path> or https://<account>.dfs.core.windows.net/<container>/<path>, CSV or Parquet), or { path, format, ...options }; a Customer Insights export folder is { path, format: cdm, entity }.",
  string: { kind: "string", minLength: 1 },
  object: {
    kind: "object",
    properties: {
      path: { node: { kind: "string", minLength: 1 }, required: true },
      format: {
        node: { kind: "string", enum: ["csv", "jsonl", "json", "parquet", "cdm"] },
        required: true,
      },
      entity: {
        node: {
          kind: "string",
          minLength: 1,
          description:
            "cdm only: the entity of the export's model.json to read, e.g. Customer (default: the spec entity's name, ignoring case).",
        },
      },
      delimiter: { node: oneCharacter("CSV only: the field delimiter (default ',').") },
      quote: { node: oneCharacter("CSV only: the quote character (default '\"').") },
      escape: {
        node: oneCharacter(
          "CSV only: the character before a quote inside a quoted field (default: the quote itself).",
        ),
      },
      header: {
        node: {
          kind: "boolean",
          description: "CSV only: false when the first row is data; columns are then required.",
        },
      },
      nullString: {
        node: {
          kind: "string",
          description: "CSV only: the text that means NULL (default: an empty unquoted field).",
        },
      },
    },
  },
};

export const SPEC_SCHEMA: SchemaNode = {
  kind: "object",
  description: "One Customer Insights export to Azure Synapse Analytics.",
  properties: {
    connection: {
      required: true,
      node: {
        kind: "object",
        description: "The Azure Synapse Analytics connection (Admin > Connections).",
        properties: {
          displayName: {
            required: true,
            node: { kind: "string", minLength: 1, description: "The connection's display name." },
          },
          usableBy: {
            default: "administrators",
            node: {
              kind: "string",
              enum: ["administrators", "administrators-and-contributors"],
              description: "Who can use this connection. By default, only administrators.",
            },
          },
          dataPrivacyConsent: {
            required: true,
            node: {
              kind: "boolean",
              const: true,
              description: "Data privacy and compliance: I agree. Must be true.",
            },
          },
          subscriptionId: { node: guid("The Azure subscription of the workspace and storage.") },
          dataRoleScope: {
            default: "storageAccount",
            node: {
              kind: "string",
              enum: ["storageAccount", "container"],
              description:
                "Where the storage data roles are granted: the account (as the seed says) or only the export's container (least privilege).",
            },
          },
          workspace: {
            required: true,
            node: {
              kind: "object",
              properties: {
                name: {
                  required: true,
                  node: {
                    kind: "string",
                    pattern: /^(?!.*-ondemand)[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/,
                    patternHelp:
                      "1-50 lowercase letters, digits or hyphens, starting and ending with a letter or digit, without '-ondemand'",
                  },
                },
                resourceGroupName: { required: true, node: resourceGroupName() },
                create: {
                  node: {
                    kind: "object",
                    description: "Create a new workspace instead of using an existing one.",
                    properties: {
                      location: { required: true, node: { kind: "string", minLength: 1 } },
                      sqlAdministratorLogin: { node: { kind: "string", minLength: 1 } },
                      firewallRules: {
                        node: {
                          kind: "array",
                          items: firewallRule,
                          description:
                            "IP firewall rules of the new workspace; they cover its dev endpoint and serverless SQL, so the deploying machine's address must be allowed.",
                        },
                      },
                      allowAzureServices: {
                        node: {
                          kind: "boolean",
                          description:
                            "Add the rule AllowAllWindowsAzureIps (0.0.0.0-0.0.0.0): Azure services, such as a pipeline's hosted agents, may reach the workspace.",
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          storage: {
            required: true,
            node: {
              kind: "object",
              properties: {
                accountName: {
                  required: true,
                  node: {
                    kind: "string",
                    pattern: /^[a-z0-9]{3,24}$/,
                    patternHelp: "3-24 lowercase letters and digits",
                  },
                },
                container: {
                  required: true,
                  node: {
                    kind: "string",
                    pattern: /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/,
                    patternHelp:
                      "3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
                  },
                },
                resourceGroupName: { required: true, node: resourceGroupName() },
                create: {
                  node: {
                    kind: "object",
                    description:
                      "Create a new ADLS Gen2 account (hierarchical namespace on; it cannot be turned on later).",
                    properties: {
                      location: { required: true, node: { kind: "string", minLength: 1 } },
                      sku: {
                        node: {
                          kind: "string",
                          enum: [
                            "Standard_LRS",
                            "Standard_ZRS",
                            "Standard_GRS",
                            "Standard_RAGRS",
                            "Standard_GZRS",
                            "Standard_RAGZRS",
                            "Premium_LRS",
                            "Premium_ZRS",
                          ],
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    principals: {
      required: true,
      node: {
        kind: "object",
        description: "Who gets which permission (the seed's prerequisites).",
        properties: {
          customerInsights: {
            default: {},
            node: {
              kind: "object",
              description: "The service principal for Customer Insights.",
              properties: {
                appId: { node: guid("Default: the Customer Insights first-party application.") },
                objectId: { node: guid("The service principal's object id, if known.") },
                createIfMissing: { node: { kind: "boolean" } },
              },
            },
          },
          administrator: {
            required: true,
            node: {
              kind: "object",
              description: "The Azure AD user with admin permissions in Customer Insights.",
              properties: {
                userPrincipalName: {
                  node: {
                    kind: "string",
                    pattern: /^[^@\s]+@[^@\s]+$/,
                    patternHelp: "a user principal name such as admin@contoso.com",
                  },
                },
                objectId: { node: guid("The user's object id.") },
              },
            },
          },
          deployer: {
            node: {
              kind: "falseOrObject",
              description:
                "The identity that runs pulumi up / synapse-export run (it writes the lake). Default: the signed-in identity, looked up at deploy time. false: no grant (you grant it elsewhere).",
              object: {
                kind: "object",
                properties: {
                  objectId: { node: guid("The deploying identity's object id."), required: true },
                  type: { node: principalType, required: true },
                },
              },
            },
          },
          readers: {
            default: [],
            node: { kind: "array", items: namedPrincipal("Who queries the exported data.") },
          },
          contributors: {
            default: [],
            node: {
              kind: "array",
              items: namedPrincipal("Contributors who use a shared connection."),
            },
          },
        },
      },
    },
    export: {
      required: true,
      node: {
        kind: "object",
        description: "The export (Data > Exports).",
        properties: {
          displayName: { required: true, node: { kind: "string", minLength: 1 } },
          databaseName: { required: true, node: sqlName("The Synapse database name.") },
          format: { default: "parquet", node: { kind: "string", enum: ["parquet", "csv"] } },
          runOnDeploy: { default: true, node: { kind: "boolean" } },
          onEntityRemoved: {
            default: "retain",
            node: { kind: "string", enum: ["retain", "drop"] },
          },
          retainSnapshots: {
            default: 2,
            node: { kind: "integer", minimum: 1, maximum: 100 },
          },
          sourceRoots: {
            node: {
              kind: "array",
              description:
                "Folders (absolute, or relative to the spec's folder) that sources may also come from, e.g. /mnt/exports; symbolic links are resolved inside them. Default: only the spec's folder.",
              items: { kind: "string", minLength: 1 },
            },
          },
          entities: {
            required: true,
            node: {
              kind: "array",
              minItems: 1,
              items: {
                kind: "object",
                properties: {
                  name: { required: true, node: sqlName("The entity (and view) name.") },
                  renamedFrom: {
                    node: sqlName(
                      "The entity's previous name when it differs from name only by case or Unicode width (Customer -> customer): the rename is meant, the view moves to the new name, and the old folder keeps its data.",
                    ),
                  },
                  source: { required: true, node: source },
                  engine: {
                    node: {
                      kind: "string",
                      enum: ENTITY_ENGINES,
                      description:
                        "Which engine exports the entity: runner (DuckDB on this machine), synapse (serverless SQL's CETAS, where a lake source lies) or auto (the default: lake sources on synapse, files on the runner).",
                    },
                  },
                  dataSourceType: {
                    node: {
                      kind: "string",
                      enum: [
                        "powerQuery",
                        "azureDataLake",
                        "dataverse",
                        "deltaLake",
                        "commonDataModelFolder",
                      ],
                    },
                  },
                  columns: { node: { kind: "array", minItems: 1, items: column } },
                },
              },
            },
          },
        },
      },
    },
  },
};

function resourceGroupName(): SchemaNode {
  return {
    kind: "string",
    pattern: /^[-\w.()]{0,89}[-\w()]$/u,
    patternHelp:
      "1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending with a period",
  };
}
