// The spec's shape, declared once. The validator walks it (so every structural error names its field
// path), the JSON Schema that editors use and the TypeScript types (types.generated.ts) are generated
// from it, so none of them can drift apart. A description is the field's doc comment in both.
// Rules that need more than one field (uniqueness, consent, CDM-folder sources) live in rules.ts.

export type SchemaNode =
  | {
      kind: "object";
      /** The TypeScript interface generated for it (types.generated.ts). */
      typeName: string;
      description?: string;
      properties: Record<string, Property>;
    }
  | { kind: "array"; description?: string; items: SchemaNode; minItems?: number }
  | {
      kind: "string";
      description?: string;
      enum?: readonly string[];
      /** With `enum`: the name of the union type generated for it. */
      typeName?: string;
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

export type ObjectNode = Extract<SchemaNode, { kind: "object" }>;

export interface Property {
  node: SchemaNode;
  required?: boolean;
  /** Filled in by normaliseSpec when the key is absent, so the validated spec always has it. */
  default?: unknown;
}

export const COLUMN_TYPES = [
  "string",
  "int32",
  "int64",
  "double",
  "decimal",
  "boolean",
  "date",
  "dateTime",
  "dateTimeOffset",
  "guid",
] as const;

export const ENTITY_ENGINES = ["runner", "synapse", "auto"] as const;

/** Who may use a connection when the spec does not say (the seed: "By default, it's only administrators"). */
export const USABLE_BY_DEFAULT = "administrators";

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
  typeName: "PrincipalType",
  enum: ["User", "Group", "ServicePrincipal"],
  description: "The kind of Entra ID principal (set on every role assignment).",
};

/** Readers and contributors: named, because serverless SQL creates their logins by name. */
const namedPrincipal: SchemaNode = {
  kind: "object",
  typeName: "ReaderPrincipal",
  description:
    "An Entra ID principal who queries the export: its object id, its kind and the name of its serverless SQL login.",
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
};

export const FIREWALL_RULE_SCHEMA: ObjectNode = {
  kind: "object",
  typeName: "FirewallRule",
  description: "An IP firewall rule of the workspace: the addresses from start to end may connect.",
  properties: {
    name: {
      node: { kind: "string", minLength: 1, description: "The rule's name." },
      required: true,
    },
    startIpAddress: {
      node: { kind: "string", minLength: 7, description: "The first IPv4 address allowed." },
      required: true,
    },
    endIpAddress: {
      node: { kind: "string", minLength: 7, description: "The last IPv4 address allowed." },
      required: true,
    },
  },
};

const column: SchemaNode = {
  kind: "object",
  typeName: "ColumnSpec",
  description: "A declared column: its name and type, and how the source spells and writes it.",
  properties: {
    name: { node: sqlName("The column name."), required: true },
    type: {
      node: {
        kind: "string",
        typeName: "ColumnType",
        enum: COLUMN_TYPES,
        description: "The column's type (the type table in README says what each becomes in SQL).",
      },
      required: true,
    },
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
    typeName: "SourceSpec",
    description:
      "Where an entity's data is read from and how (a path alone is written out to this form by normaliseSpec).",
    properties: {
      path: {
        node: {
          kind: "string",
          minLength: 1,
          description:
            "A file or a glob, relative to the spec's folder, or a lake location: abfss://<container>@<account>.dfs.core.windows.net/<path or glob> or https://<account>.dfs.core.windows.net/<container>/<path or glob> (exported by Synapse itself).",
        },
        required: true,
      },
      format: {
        node: {
          kind: "string",
          typeName: "SourceFormat",
          enum: ["csv", "jsonl", "json", "parquet", "cdm"],
          description:
            "The source's format; cdm is a Customer Insights export folder described by its model.json (not the commonDataModelFolder data source).",
        },
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
      delimiter: {
        node: oneCharacter(
          "CSV only: the field delimiter (default ',', or a tab for a .tsv file).",
        ),
      },
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

export const WORKSPACE_CREATE_SCHEMA: ObjectNode = {
  kind: "object",
  typeName: "WorkspaceCreate",
  description: "Create a new workspace instead of using an existing one.",
  properties: {
    location: {
      required: true,
      node: { kind: "string", minLength: 1, description: "Azure region, e.g. westeurope." },
    },
    sqlAdministratorLogin: {
      node: {
        kind: "string",
        minLength: 1,
        description:
          "The SQL administrator login of the new workspace (its password is a Pulumi secret, never in the spec). Absent: Entra ID only.",
      },
    },
    firewallRules: {
      node: {
        kind: "array",
        items: FIREWALL_RULE_SCHEMA,
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
};

export const WORKSPACE_SCHEMA: ObjectNode = {
  kind: "object",
  typeName: "WorkspaceSpec",
  description: "The Synapse workspace the export lands in.",
  properties: {
    name: {
      required: true,
      node: {
        kind: "string",
        description: "The workspace name.",
        pattern: /^(?!.*-ondemand)[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/,
        patternHelp:
          "1-50 lowercase letters, digits or hyphens, starting and ending with a letter or digit, without '-ondemand'",
      },
    },
    resourceGroupName: {
      required: true,
      node: resourceGroupName("The workspace's resource group."),
    },
    create: { node: WORKSPACE_CREATE_SCHEMA },
  },
};

export const STORAGE_CREATE_SCHEMA: ObjectNode = {
  kind: "object",
  typeName: "StorageCreate",
  description:
    "Create a new ADLS Gen2 account (hierarchical namespace on; it cannot be turned on later).",
  properties: {
    location: {
      required: true,
      node: { kind: "string", minLength: 1, description: "Azure region, e.g. westeurope." },
    },
    sku: {
      node: {
        kind: "string",
        typeName: "StorageSku",
        description:
          "The storage SKU (default Standard_LRS). A Premium_* SKU makes a premium block blob account (BlockBlobStorage), the only premium kind with Data Lake Storage.",
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
};

export const STORAGE_SCHEMA: ObjectNode = {
  kind: "object",
  typeName: "StorageSpec",
  description: "The Azure Data Lake Storage Gen2 account and container the export writes to.",
  properties: {
    accountName: {
      required: true,
      node: {
        kind: "string",
        description: "The storage account name.",
        pattern: /^[a-z0-9]{3,24}$/,
        patternHelp: "3-24 lowercase letters and digits",
      },
    },
    container: {
      required: true,
      node: {
        kind: "string",
        description: "The container (file system) the export writes to.",
        pattern: /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/,
        patternHelp:
          "3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
      },
    },
    resourceGroupName: {
      required: true,
      node: resourceGroupName("The storage account's resource group."),
    },
    create: { node: STORAGE_CREATE_SCHEMA },
  },
};

export const SPEC_SCHEMA: SchemaNode = {
  kind: "object",
  typeName: "SpecDocument",
  description: "One Customer Insights export to Azure Synapse Analytics.",
  properties: {
    connection: {
      required: true,
      node: {
        kind: "object",
        typeName: "ConnectionSpec",
        description: "The Azure Synapse Analytics connection (Admin > Connections).",
        properties: {
          displayName: {
            required: true,
            node: { kind: "string", minLength: 1, description: "The connection's display name." },
          },
          usableBy: {
            default: USABLE_BY_DEFAULT,
            node: {
              kind: "string",
              typeName: "UsableBy",
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
              typeName: "DataRoleScope",
              enum: ["storageAccount", "container"],
              description:
                "Where the storage data roles are granted: the account (as the seed says) or only the export's container (least privilege).",
            },
          },
          workspace: { required: true, node: WORKSPACE_SCHEMA },
          storage: { required: true, node: STORAGE_SCHEMA },
        },
      },
    },
    principals: {
      required: true,
      node: {
        kind: "object",
        typeName: "PrincipalsSpec",
        description: "Who gets which permission (the seed's prerequisites).",
        properties: {
          customerInsights: {
            default: {},
            node: {
              kind: "object",
              typeName: "CustomerInsightsPrincipal",
              description: "The service principal for Customer Insights.",
              properties: {
                appId: {
                  node: guid(
                    "The Customer Insights application id. Default: the first-party application 0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff.",
                  ),
                },
                objectId: {
                  node: guid(
                    "The service principal's object id, when already known (no look-up at deploy time).",
                  ),
                },
                createIfMissing: {
                  node: {
                    kind: "boolean",
                    description:
                      "Create the service principal in the tenant when it is missing (as the seed's service-principal page does).",
                  },
                },
              },
            },
          },
          administrator: {
            required: true,
            node: {
              kind: "object",
              typeName: "AdministratorPrincipal",
              description:
                "The Azure AD user with admin permissions in Customer Insights (give userPrincipalName or objectId).",
              properties: {
                userPrincipalName: {
                  node: {
                    kind: "string",
                    description:
                      "The user's principal name, e.g. admin@contoso.com (looked up at deploy time when objectId is absent).",
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
                typeName: "DeployerPrincipal",
                description: "The identity that deploys and runs the export, named in the spec.",
                properties: {
                  objectId: { node: guid("The deploying identity's object id."), required: true },
                  type: { node: principalType, required: true },
                },
              },
            },
          },
          readers: {
            default: [],
            node: {
              kind: "array",
              items: namedPrincipal,
              description: "Who queries the exported data.",
            },
          },
          contributors: {
            default: [],
            node: {
              kind: "array",
              items: namedPrincipal,
              description:
                "Contributors who use a shared connection (usableBy: administrators-and-contributors); they query the export too.",
            },
          },
        },
      },
    },
    export: {
      required: true,
      node: {
        kind: "object",
        typeName: "ExportSpec",
        description: "The export (Data > Exports).",
        properties: {
          displayName: {
            required: true,
            node: { kind: "string", minLength: 1, description: "The export's display name." },
          },
          databaseName: { required: true, node: sqlName("The Synapse database name.") },
          format: {
            default: "parquet",
            node: {
              kind: "string",
              typeName: "ExportFormat",
              enum: ["parquet", "csv"],
              description: "The format of the files written to the lake.",
            },
          },
          runOnDeploy: {
            default: true,
            node: {
              kind: "boolean",
              description:
                "Export the entities during pulumi up; false: only point the views at what the lake already holds.",
            },
          },
          onEntityRemoved: {
            default: "retain",
            node: {
              kind: "string",
              typeName: "OnEntityRemoved",
              enum: ["retain", "drop"],
              description:
                "What happens to an entity removed from the selection: retain (the seed's rule: its table and data stay, no longer refreshed) or drop.",
            },
          },
          retainSnapshots: {
            default: 2,
            node: {
              kind: "integer",
              minimum: 1,
              maximum: 100,
              description:
                "How many complete snapshots of each entity are kept (the newest first).",
            },
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
              description: "The entities to export (the seed's selection).",
              items: {
                kind: "object",
                typeName: "EntitySpec",
                description:
                  "One exported entity: its name, where its data comes from and its columns.",
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
                      typeName: "EntityEngine",
                      enum: ENTITY_ENGINES,
                      description:
                        "Which engine exports the entity: runner (DuckDB on this machine), synapse (serverless SQL's CETAS, where a lake source lies) or auto (the default: lake sources on synapse, files on the runner).",
                    },
                  },
                  dataSourceType: {
                    node: {
                      kind: "string",
                      typeName: "DataSourceType",
                      description:
                        "The Customer Insights data source behind the entity; commonDataModelFolder is refused, as the seed says.",
                      enum: [
                        "powerQuery",
                        "azureDataLake",
                        "dataverse",
                        "deltaLake",
                        "commonDataModelFolder",
                      ],
                    },
                  },
                  columns: {
                    node: {
                      kind: "array",
                      minItems: 1,
                      items: column,
                      description:
                        "The columns, declared; absent: read from the source (required when a CSV file has no header).",
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
};

/**
 * Azure's rule for Microsoft.Resources/resourcegroups (Learn, "Naming rules and restrictions for Azure
 * resources", https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules):
 * 1-90 characters; alphanumerics, underscores, parentheses, hyphens, periods and Unicode letters and
 * digits (`rg-données`, `rg-日本`); it cannot end in a period.
 */
function resourceGroupName(description: string): SchemaNode {
  return {
    kind: "string",
    description,
    pattern: /^[-\p{L}\p{N}_.()]{0,89}[-\p{L}\p{N}_()]$/u,
    patternHelp:
      "1-90 letters (any script), digits, underscores, hyphens, periods or parentheses, not ending with a period",
  };
}
