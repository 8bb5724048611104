// The Azure Data Lake Storage Gen2 account and container the export writes to: a new account with
// secure defaults, or an existing one that is checked for the hierarchical namespace the seed requires.

import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/azure-native/storage";
import { exportStorageArgsIssues } from "../spec/componentArgs";
import { knownArguments, refuseBadArguments, resourceError } from "./componentErrors";
import { storageAccountKind } from "../plan/storageAccountKind";

export const EXPORT_STORAGE_TYPE = "synapse-export:index:ExportStorage";

export const HNS_OFF_MESSAGE =
  "has hierarchical namespace turned off, and Azure Synapse Analytics exports need an Azure Data Lake Storage Gen2 account: hierarchical namespace cannot be turned on later: create a new account (set connection.storage.create)";

export interface ExportStorageCreateArgs {
  /** Azure region, e.g. westeurope. */
  location: pulumi.Input<string>;
  /** Default Standard_LRS. */
  sku?: pulumi.Input<string>;
  /** Default false: Entra ID only, no account keys or SAS signed with them. */
  allowSharedKeyAccess?: boolean;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface ExportStorageArgs {
  accountName: string;
  resourceGroupName: string;
  /** The container (file system) the export writes to. */
  container: string;
  /** Present: a new ADLS Gen2 account is created; absent: the existing account is read and checked. */
  create?: ExportStorageCreateArgs;
  /**
   * Create the container in an existing account. Default: false, the container is read and must exist
   * (as in the seed, where the administrator selects an existing container).
   */
  createContainer?: boolean;
  /** Pulumi `protect` on the new account and container: a destroy then refuses to delete the data. */
  protect?: boolean;
}

export class ExportStorage extends pulumi.ComponentResource {
  /** The storage account name. */
  readonly name: pulumi.Output<string>;
  /** The storage account's ARM resource id. */
  readonly resourceId: pulumi.Output<string>;
  readonly resourceGroupName: pulumi.Output<string>;
  readonly containerName: pulumi.Output<string>;
  /** The container's ARM resource id (`.../blobServices/default/containers/<name>`). */
  readonly containerResourceId: pulumi.Output<string>;
  /** e.g. `https://<account>.dfs.core.windows.net/` */
  readonly dfsEndpoint: pulumi.Output<string>;
  /** Whether this component created the account (false: an existing account is used). */
  readonly isNew: boolean;
  /** The resources that must exist before anything is written to the container. */
  readonly resources: pulumi.Resource[];

  constructor(name: string, args: ExportStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    // The spec's own rules for connection.storage, before anything is registered: a program that
    // builds the component itself gets the same refusal, naming the argument, as a spec would.
    refuseBadArguments("ExportStorage", name, exportStorageArgsIssues(declaredArguments(args)));
    super(EXPORT_STORAGE_TYPE, name, {}, opts);
    const { accountName, resourceGroupName, container } = args;
    this.isNew = args.create !== undefined;
    this.resourceGroupName = pulumi.output(resourceGroupName);

    if (args.create) {
      const account = new storage.StorageAccount(
        `${name}-account`,
        {
          accountName,
          resourceGroupName,
          location: args.create.location,
          // Premium SKUs: a premium block blob account, the only premium kind with Data Lake Storage.
          kind: pulumi.output(args.create.sku).apply(storageAccountKind),
          sku: { name: args.create.sku ?? "Standard_LRS" },
          // ADLS Gen2: the hierarchical namespace can only be chosen when the account is created.
          isHnsEnabled: true,
          minimumTlsVersion: "TLS1_2",
          enableHttpsTrafficOnly: true,
          allowBlobPublicAccess: false,
          allowSharedKeyAccess: args.create.allowSharedKeyAccess ?? false,
          // With shared keys off, the portal must use Entra ID too, or it shows nothing.
          defaultToOAuthAuthentication: true,
          tags: args.create.tags,
        },
        { parent: this, protect: args.protect },
      );
      const blobContainer = new storage.BlobContainer(
        `${name}-container`,
        {
          accountName: account.name,
          resourceGroupName,
          containerName: container,
          publicAccess: "None",
        },
        { parent: this, protect: args.protect },
      );
      this.name = account.name;
      this.resourceId = account.id;
      this.containerName = blobContainer.name;
      this.containerResourceId = blobContainer.id;
      this.dfsEndpoint = account.primaryEndpoints.apply(
        (e) => e?.dfs ?? `https://${accountName}.dfs.core.windows.net/`,
      );
      this.resources = [account, blobContainer];
    } else {
      const existing = storage.getStorageAccountOutput(
        { accountName, resourceGroupName },
        { parent: this },
      );
      // Everything downstream (role assignment scopes, the workspace link) reads through this check,
      // so an account without hierarchical namespace stops the deployment before any grant is made.
      const checked = existing.apply((a) => {
        if (a.isHnsEnabled !== true) {
          throw resourceError(
            "lake",
            `Storage account '${accountName}' (resource group '${resourceGroupName}', connection.storage) ${HNS_OFF_MESSAGE}.`,
            this,
          );
        }
        return a;
      });
      this.name = checked.name;
      this.resourceId = checked.id;
      this.dfsEndpoint = checked.apply(
        (a) => a.primaryEndpoints?.dfs ?? `https://${accountName}.dfs.core.windows.net/`,
      );
      if (args.createContainer) {
        const blobContainer = new storage.BlobContainer(
          `${name}-container`,
          {
            accountName: checked.name,
            resourceGroupName,
            containerName: container,
            publicAccess: "None",
          },
          { parent: this, protect: args.protect },
        );
        this.containerName = blobContainer.name;
        this.containerResourceId = blobContainer.id;
        this.resources = [blobContainer];
      } else {
        const found = checked.apply(() =>
          storage.getBlobContainerOutput(
            { accountName, resourceGroupName, containerName: container },
            { parent: this },
          ),
        );
        this.containerName = found.name;
        this.containerResourceId = found.id;
        this.resources = [];
      }
    }

    this.registerOutputs({
      name: this.name,
      resourceId: this.resourceId,
      resourceGroupName: this.resourceGroupName,
      containerName: this.containerName,
      containerResourceId: this.containerResourceId,
      dfsEndpoint: this.dfsEndpoint,
    });
  }
}

/** The arguments the spec also declares (connection.storage), as the spec names them. */
function declaredArguments(args: ExportStorageArgs | undefined): unknown {
  return knownArguments({
    accountName: args?.accountName,
    resourceGroupName: args?.resourceGroupName,
    container: args?.container,
    create: args?.create && { location: args.create.location, sku: args.create.sku },
  });
}
