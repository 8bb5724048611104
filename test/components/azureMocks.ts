// A small Azure (and Entra ID) behind Pulumi's mock monitor: what the components send to the engine is
// recorded exactly as the engine would receive it (secrets still wrapped), and the look-ups they make
// are answered from a declared world, as ARM and Microsoft Graph would answer them. Ids follow ARM's
// formats: https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules and
// the Microsoft.Authorization / Microsoft.Storage / Microsoft.Synapse REST references.

import * as pulumi from "@pulumi/pulumi";

export const SUBSCRIPTION_ID = "11111111-2222-3333-4444-555555555555";
export const TENANT_ID = "99999999-8888-7777-6666-555555555555";
export const CI_APP_ID = "0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff";

export interface World {
  subscriptionId: string;
  /** appId -> service principal object id */
  servicePrincipals: Record<string, string>;
  /** user principal name -> object id */
  users: Record<string, string>;
  /** `<rg>/<account>` -> the account's hierarchical namespace setting */
  storageAccounts: Record<string, { isHnsEnabled: boolean }>;
  /** `<rg>/<account>/<container>` */
  containers: string[];
  /** `<rg>/<workspace>` -> its managed identity */
  workspaces: Record<string, { principalId: string }>;
  /** object id given to a service principal created in the tenant */
  createdServicePrincipalObjectId: string;
  /** object id of a new workspace's managed identity */
  newWorkspacePrincipalId: string;
  /**
   * The claims of the ARM token azure-native's getClientToken returns (the signed-in client's own).
   * Default: a user signed in with the Azure CLI, whose token carries delegated scopes (`scp`).
   */
  clientTokenClaims: Record<string, unknown>;
  /**
   * Role assignments that exist before the stack runs (Azure's own for a new workspace's identity, say),
   * by `<scope>|<principalId>`; the value is the existing assignment's id. The mock answers as
   * src/providers/armRoleAssignment.ts does: preview shows `adoptsExisting`, up records the adoption
   * with its notice.
   */
  existingArmAssignments?: Record<string, string>;
  /** When set, Microsoft Graph refuses service principal look-ups with this message (a pipeline without Graph rights). */
  graphRefuses?: string;
}

export function defaultWorld(): World {
  return {
    subscriptionId: SUBSCRIPTION_ID,
    servicePrincipals: { [CI_APP_ID]: "c1c1c1c1-0000-4000-8000-000000000001" },
    users: { "admin@contoso.com": "adadadad-0000-4000-8000-000000000002" },
    storageAccounts: { "rg-data/stciexport": { isHnsEnabled: true } },
    containers: ["rg-data/stciexport/ci-export"],
    workspaces: { "rg-analytics/ws-ci": { principalId: "3e3e3e3e-0000-4000-8000-000000000003" } },
    createdServicePrincipalObjectId: "c2c2c2c2-0000-4000-8000-000000000004",
    newWorkspacePrincipalId: "4f4f4f4f-0000-4000-8000-000000000005",
    clientTokenClaims: {
      aud: "https://management.azure.com/",
      oid: "deadbeef-0000-4000-8000-000000000001",
      sub: "pairwise-subject-of-the-user-for-the-cli",
      scp: "user_impersonation",
      tid: TENANT_ID,
    },
  };
}

/** The reference stack's spec (stacks/), which the component and stack tests deploy. */
export const EXAMPLE_SPEC = require("node:path").resolve(
  __dirname,
  "../../../stacks/customer-insights.spec.yaml",
) as string;

/** The default world with the storage account and container EXAMPLE_SPEC names (in rg-analytics). */
export function exampleSpecWorld(): World {
  const world = defaultWorld();
  world.storageAccounts = { "rg-analytics/stciexport": { isHnsEnabled: true } };
  world.containers = ["rg-analytics/stciexport/ci-export"];
  return world;
}

export interface Registered {
  type: string;
  name: string;
  /** What the engine received, secrets still wrapped as `{ <sig>: <secret sig>, value }`. */
  inputs: Record<string, any>;
  id: string;
  state: Record<string, any>;
  /** The resource options as the engine received them. */
  options: RegisteredOptions;
}

export interface RegisteredOptions {
  deleteBeforeReplace: boolean;
  protect: boolean;
  retainOnDelete: boolean;
  additionalSecretOutputs: string[];
  /** URNs of explicit and implicit dependencies. */
  dependencies: string[];
  parent: string;
}

const rg = (sub: string, group: string) => `/subscriptions/${sub}/resourceGroups/${group}`;
const accountId = (sub: string, group: string, account: string) =>
  `${rg(sub, group)}/providers/Microsoft.Storage/storageAccounts/${account}`;
const workspaceId = (sub: string, group: string, ws: string) =>
  `${rg(sub, group)}/providers/Microsoft.Synapse/workspaces/${ws}`;
const endpoints = (account: string) => ({
  blob: `https://${account}.blob.core.windows.net/`,
  dfs: `https://${account}.dfs.core.windows.net/`,
});
const connectivity = (ws: string) => ({
  web: `https://web.azuresynapse.net?workspace=%2fsubscriptions%2f...%2f${ws}`,
  dev: `https://${ws}.dev.azuresynapse.net`,
  sql: `${ws}.sql.azuresynapse.net`,
  sqlOnDemand: `${ws}-ondemand.sql.azuresynapse.net`,
});

/** Unwraps a value that may be a deserialized secret, for computing ids. */
function plain(v: any): any {
  return v && typeof v === "object" && pulumi.runtime.specialSigKey in v ? v.value : v;
}

export class AzureMocks implements pulumi.runtime.Mocks {
  readonly resources: Registered[] = [];
  readonly invokes: { token: string; inputs: Record<string, any> }[] = [];
  /** What ARM would have refused; `deploy` throws when any is recorded, so the test sees it. */
  readonly failures: string[] = [];
  /** Keyed by `<type>::<name>`, filled from the registration request before newResource runs. */
  private readonly pendingOptions = new Map<string, RegisteredOptions>();
  /** Assignments made so far: each one's `madeAt` is a second after the one before. */
  private assignmentsMade = 0;

  constructor(readonly world: World = defaultWorld()) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
    const { id, state } = this.answer(args);
    const options = this.pendingOptions.get(`${args.type}::${args.name}`)!;
    this.resources.push({
      type: args.type,
      name: args.name,
      inputs: args.inputs,
      id,
      state,
      options,
    });
    return { id, state };
  }

  private answer(args: pulumi.runtime.MockResourceArgs): {
    id: string;
    state: Record<string, any>;
  } {
    const sub = this.world.subscriptionId;
    const i = args.inputs;
    switch (args.type) {
      case "azure-native:storage:StorageAccount": {
        const id = accountId(sub, i.resourceGroupName, i.accountName);
        return {
          id,
          state: { ...i, id, name: i.accountName, primaryEndpoints: endpoints(i.accountName) },
        };
      }
      case "azure-native:storage:BlobContainer": {
        const id = `${accountId(sub, i.resourceGroupName, i.accountName)}/blobServices/default/containers/${i.containerName}`;
        return { id, state: { ...i, id, name: i.containerName } };
      }
      case "azure-native:synapse:Workspace": {
        const id = workspaceId(sub, i.resourceGroupName, i.workspaceName);
        return {
          id,
          state: {
            ...i,
            id,
            name: i.workspaceName,
            identity: {
              type: "SystemAssigned",
              principalId: this.world.newWorkspacePrincipalId,
              tenantId: TENANT_ID,
            },
            connectivityEndpoints: connectivity(i.workspaceName),
          },
        };
      }
      case "azure-native:synapse:IpFirewallRule": {
        const id = `${workspaceId(sub, i.resourceGroupName, i.workspaceName)}/firewallRules/${i.ruleName}`;
        return { id, state: { ...i, id, name: i.ruleName } };
      }
      case ROLE_ASSIGNMENT: {
        this.checkRoleAssignment(args.name, i);
        const id = `${plain(i.scope)}/providers/Microsoft.Authorization/roleAssignments/${plain(i.roleAssignmentName)}`;
        const existing =
          this.world.existingArmAssignments?.[`${plain(i.scope)}|${plain(i.principalId)}`];
        if (existing && pulumi.runtime.isDryRun()) {
          return { id, state: { ...i, id, adoptsExisting: existing } };
        }
        if (existing) {
          return {
            id: existing,
            state: {
              ...i,
              id: existing,
              assignmentId: existing,
              adopted: true,
              owned: false,
              idKnown: true,
              notice: `adopted the existing role assignment ${existing} (same role, principal and scope): it was not made by this stack, so pulumi destroy leaves it`,
            },
          };
        }
        return {
          id,
          state: {
            ...i,
            id,
            assignmentId: id,
            adopted: false,
            owned: true,
            idKnown: true,
            notice: "",
            madeAt: this.nextMadeAt(),
          },
        };
      }
      case SYNAPSE_ROLE_ASSIGNMENT: {
        // As the provider's create answers (synapseRoleAssignment.ts); in preview its outputs are
        // not known, so the mock gives none.
        const id = `${args.name}-id`;
        if (pulumi.runtime.isDryRun()) return { id, state: { ...i } };
        return {
          id,
          state: { ...i, assignmentId: id, adopted: false, owned: true, madeAt: this.nextMadeAt() },
        };
      }
      case "azuread:index/servicePrincipal:ServicePrincipal": {
        const objectId =
          this.world.servicePrincipals[i.clientId] ?? this.world.createdServicePrincipalObjectId;
        return { id: objectId, state: { ...i, objectId } };
      }
      default:
        return { id: `${args.name}-id`, state: { ...i } };
    }
  }

  /** When the next assignment is made: the provider's own clock, a second after the last. */
  private nextMadeAt(): string {
    return new Date(Date.UTC(2026, 11, 4, 3, 0, this.assignmentsMade++)).toISOString();
  }

  /**
   * ARM's checks on a role assignment PUT (Microsoft.Authorization 2022-04-01 RoleAssignments_Create):
   * the name is a GUID, the scope an ARM resource id, roleDefinitionId the full resource id of a role
   * definition, principalId a GUID and principalType one of the enum's values. Values unknown in preview
   * arrive as undefined and are not checked.
   */
  private checkRoleAssignment(name: string, i: Record<string, any>): void {
    const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const checks: [string, unknown, (v: string) => boolean][] = [
      ["roleAssignmentName", plain(i.roleAssignmentName), (v) => GUID.test(v)],
      ["scope", plain(i.scope), (v) => /^\/subscriptions\/[0-9a-f-]{36}(\/|$)/i.test(v)],
      [
        "roleDefinitionId",
        plain(i.roleDefinitionId),
        (v) =>
          /^\/subscriptions\/[0-9a-f-]{36}\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i.test(
            v,
          ),
      ],
      ["principalId", plain(i.principalId), (v) => GUID.test(v)],
      [
        "principalType",
        plain(i.principalType),
        (v) => ["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"].includes(v),
      ],
    ];
    for (const [field, value, ok] of checks) {
      if (value === undefined) continue;
      if (typeof value !== "string" || !ok(value))
        this.failures.push(`${name}: ARM would refuse ${field} ${JSON.stringify(value)}`);
    }
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
    const i = args.inputs;
    this.invokes.push({ token: args.token, inputs: i });
    const sub = this.world.subscriptionId;
    switch (args.token) {
      case "azure-native:authorization:getClientConfig":
        return {
          subscriptionId: sub,
          tenantId: TENANT_ID,
          clientId: "deadbeef-0000-4000-8000-000000000000",
          objectId: "deadbeef-0000-4000-8000-000000000001",
        };
      case "azuread:index/getServicePrincipal:getServicePrincipal": {
        const objectId = this.world.servicePrincipals[i.clientId];
        if (!objectId)
          throw new Error(`service principal with client ID "${i.clientId}" was not found`);
        return {
          objectId,
          clientId: i.clientId,
          displayName: "Dynamics 365 AI for Customer Insights",
        };
      }
      // An unsigned token of a real token's shape (header.payload.signature, base64url JSON).
      case "azure-native:authorization:getClientToken": {
        const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
        return {
          token: `${b64({ typ: "JWT", alg: "none" })}.${b64(this.world.clientTokenClaims)}.`,
        };
      }
      // Microsoft Graph answers with the service principals among the ids; ignoreMissing drops the rest.
      case "azuread:index/getServicePrincipals:getServicePrincipals": {
        // Graph answers 403 Authorization_RequestDenied to a caller without Application.Read.All.
        if (this.world.graphRefuses) throw new Error(this.world.graphRefuses);
        const known = new Set(Object.values(this.world.servicePrincipals));
        const objectIds = (i.objectIds as string[]).filter((id) => known.has(id));
        if (!i.ignoreMissing && objectIds.length !== i.objectIds.length)
          throw new Error(`service principal not found among ${i.objectIds.join(", ")}`);
        return { objectIds, clientIds: [], displayNames: [], servicePrincipals: [] };
      }
      case "azuread:index/getUser:getUser": {
        const objectId = this.world.users[i.userPrincipalName];
        if (!objectId) throw new Error(`user with UPN "${i.userPrincipalName}" was not found`);
        return { objectId, userPrincipalName: i.userPrincipalName };
      }
      case "azure-native:storage:getStorageAccount": {
        const account = this.world.storageAccounts[`${i.resourceGroupName}/${i.accountName}`];
        if (!account) throw new Error(`ResourceNotFound: storage account ${i.accountName}`);
        return {
          id: accountId(sub, i.resourceGroupName, i.accountName),
          name: i.accountName,
          kind: "StorageV2",
          isHnsEnabled: account.isHnsEnabled,
          primaryEndpoints: endpoints(i.accountName),
        };
      }
      case "azure-native:storage:getBlobContainer": {
        if (
          !this.world.containers.includes(
            `${i.resourceGroupName}/${i.accountName}/${i.containerName}`,
          )
        ) {
          throw new Error(`ContainerNotFound: ${i.containerName}`);
        }
        return {
          id: `${accountId(sub, i.resourceGroupName, i.accountName)}/blobServices/default/containers/${i.containerName}`,
          name: i.containerName,
        };
      }
      case "azure-native:synapse:getWorkspace": {
        const ws = this.world.workspaces[`${i.resourceGroupName}/${i.workspaceName}`];
        if (!ws) throw new Error(`ResourceNotFound: workspace ${i.workspaceName}`);
        return {
          id: workspaceId(sub, i.resourceGroupName, i.workspaceName),
          name: i.workspaceName,
          identity: { type: "SystemAssigned", principalId: ws.principalId, tenantId: TENANT_ID },
          connectivityEndpoints: connectivity(i.workspaceName),
        };
      }
      default:
        throw new Error(`unexpected invoke ${args.token}: the mocks do not answer it`);
    }
  }

  /**
   * The mock monitor hands newResource only type, name and inputs; the resource options travel in the
   * same registration request, so they are read from it on the way in.
   */
  listenToOptions(monitor: any): void {
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
      this.pendingOptions.set(`${req.getType()}::${req.getName()}`, {
        deleteBeforeReplace: req.getDeletebeforereplace(),
        protect: req.getProtect() === true,
        retainOnDelete: req.getRetainondelete() === true,
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        dependencies: req.getDependenciesList(),
        parent: req.getParent(),
      });
      return register(req, callback);
    };
  }

  ofType(type: string): Registered[] {
    return this.resources.filter((r) => r.type === type);
  }
}

export const ROLE_ASSIGNMENT = "pulumi-nodejs:dynamic/synapse-export:ArmRoleAssignment";
export const SYNAPSE_ROLE_ASSIGNMENT = "pulumi-nodejs:dynamic/synapse-export:SynapseRoleAssignment";

/** Runs `program` against the mocks, in preview or update mode, and waits for every registration. */
export async function deploy<T>(
  program: () => T,
  options: {
    preview: boolean;
    world?: World;
    config?: Record<string, string>;
    secretKeys?: string[];
  },
): Promise<{ mocks: AzureMocks; result: T }> {
  const mocks = new AzureMocks(options.world ?? defaultWorld());
  await pulumi.runtime.setMocks(mocks, "synapse-export", "test", options.preview);
  mocks.listenToOptions(pulumi.runtime.getMonitor());
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys);
  const result = program();
  await settle();
  if (mocks.failures.length > 0) {
    throw new Error(
      `the mocked Azure refused what the program sent:\n${mocks.failures.join("\n")}`,
    );
  }
  return { mocks, result };
}

/** Waits until no registration or invoke is outstanding (the same wait Pulumi does before exiting). */
export async function settle(): Promise<void> {
  const settings = require("@pulumi/pulumi/runtime/settings");
  for (let i = 0; i < 3; i++) {
    await settings.waitForRPCs();
    await new Promise((r) => setImmediate(r));
  }
}

export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}
