// A Customer Insights export folder as the product writes it ("Export data to an Azure Blob Storage",
// learn.microsoft.com/dynamics365/customer-insights/data/export-azure-blob-storage):
// <export>/model.json and <export>/<Entity>/yyyy/MM/dd/HHmm/<Entity>_<n>.csv, headerless CSV
// partitions whose model.json locations are absolute https:// URLs.

export const ACCOUNT = "cistore";
export const CONTAINER = "ci-data";
/** The export folder inside the container: CustomerInsights_<instance>/<export name>. */
export const EXPORT = "CustomerInsights_abcd1234/LakeExport";

export const CUSTOMER_ATTRIBUTES = [
  { name: "CustomerId", dataType: "int64" },
  { name: "FullName", dataType: "string" },
  { name: "Balance", dataType: "decimal" },
  { name: "IsVip", dataType: "boolean" },
  { name: "SignedUp", dataType: "dateTime" },
  { name: "LastSeen", dataType: "dateTimeOffset" },
  { name: "ProfileId", dataType: "GUID" },
  { name: "Score", dataType: "double" },
  { name: "Extra", dataType: "JSON" },
];

// Headerless, RFC 4180 quoting: a delimiter, a doubled quote and a line break inside fields.
export const PARTITION_1 =
  '1,"Ada, Countess",12.5,True,2024-01-31T13:45:00Z,2024-01-31T13:45:00+01:00,0BFC4568-A4BA-4C58-BD3E-5D3E76BD7FFF,1.25,"{""tier"":""gold""}"\n' +
  '2,"Grace ""Amazing"" Hopper",-0.000000000000000001,False,1906-12-09T00:00:00Z,2024-06-30T23:30:00-05:00,1c6f5e3a-8d2b-4a1e-9f0c-2b3d4e5f6a7b,-3.5,\n';
export const PARTITION_2 =
  '3,"two\nlines",99999999999999999999.999999999999999999,True,2000-02-29T23:59:59.123456Z,2000-02-29T23:59:59Z,00000000-0000-0000-0000-000000000000,0,"[]"\n' +
  "4,,,,,,,,\n";

export function partitionUrl(folder: string, file: string, entity = "Customer"): string {
  return `https://${ACCOUNT}.dfs.core.windows.net/${CONTAINER}/${EXPORT}/${entity}/${folder}/${file}`;
}

export function modelJson(
  options: {
    folder?: string;
    attributes?: { name: string; dataType: string }[];
    partitions?: string[];
    fileFormatSettings?: Record<string, unknown>;
  } = {},
): string {
  const folder = options.folder ?? "2024/05/01/0930";
  const files = options.partitions ?? ["Customer_1.csv", "Customer_2.csv"];
  return JSON.stringify(
    {
      name: "LakeExport",
      description: "Customer Insights export",
      version: "1.0",
      culture: "en-US",
      modifiedTime: "2024-05-01T09:31:00Z",
      entities: [
        {
          $type: "LocalEntity",
          name: "Segment",
          attributes: [{ name: "SegmentName", dataType: "string" }],
          partitions: [],
        },
        {
          $type: "LocalEntity",
          name: "Customer",
          attributes: options.attributes ?? CUSTOMER_ATTRIBUTES,
          partitions: files.map((f, i) => ({
            name: `Customer_${i + 1}`,
            location: partitionUrl(folder, f),
            fileFormatSettings: options.fileFormatSettings ?? {
              $type: "CsvFormatSettings",
              columnHeaders: false,
              delimiter: ",",
              quoteStyle: "QuoteStyle.Csv",
              csvStyle: "CsvStyle.QuoteAlways",
            },
          })),
        },
      ],
    },
    null,
    2,
  );
}
