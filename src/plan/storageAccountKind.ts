// The kind of a new ADLS Gen2 account, from its SKU. Data Lake Storage (a hierarchical namespace) is
// supported on "Standard general-purpose v2" and "Premium block blob" accounts only
// (https://learn.microsoft.com/azure/storage/blobs/create-data-lake-storage-account); a premium SKU
// on a general-purpose v2 account is a premium page-blob account, "page blobs only"
// (https://learn.microsoft.com/azure/storage/common/storage-account-overview), which cannot hold the
// export's files. So a Premium_* SKU makes a BlockBlobStorage account.

export type StorageAccountKind = "StorageV2" | "BlockBlobStorage";

export function storageAccountKind(sku: string | undefined): StorageAccountKind {
  return sku?.startsWith("Premium_") ? "BlockBlobStorage" : "StorageV2";
}
