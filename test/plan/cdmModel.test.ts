// model.json read from its text (plan/cdmModel.ts): what each part of the format becomes, and the
// refusals, each naming the file and the JSON path. The format: learn.microsoft.com/common-data-model/model-json.

import { expect } from "chai";
import {
  CdmModelError,
  exportFolderOf,
  newerExportFolderNames,
  parseCdmEntity,
  partitionOutsideExport,
} from "../../src/plan/cdmModel";

const FILE = "abfss://ci-data@cistore.dfs.core.windows.net/x/model.json";
const URL = (file: string, container = "ci-data") =>
  `https://cistore.dfs.core.windows.net/${container}/x/Customer/2024/05/01/0930/${file}`;

function model(entity: Record<string, unknown>, others: unknown[] = []): string {
  return JSON.stringify({
    name: "x",
    version: "1.0",
    entities: [
      ...others,
      {
        $type: "LocalEntity",
        name: "Customer",
        attributes: [{ name: "CustomerId", dataType: "int64" }],
        partitions: [{ name: "p1", location: URL("Customer_1.csv") }],
        ...entity,
      },
    ],
  });
}

function refusal(text: string, entity = "Customer"): string {
  try {
    parseCdmEntity(text, FILE, entity);
  } catch (e) {
    expect(e).to.be.instanceOf(CdmModelError);
    expect((e as Error).message.startsWith(`${FILE}: `), (e as Error).message).to.equal(true);
    return (e as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("plan/cdmModel: one entity of a model.json", () => {
  it("maps every dataType model.json allows, in any case, to a column type", () => {
    const types = [
      "string",
      "int64",
      "double",
      "dateTime",
      "dateTimeOffset",
      "decimal",
      "boolean",
      "GUID",
      "JSON",
    ];
    const e = parseCdmEntity(
      model({
        attributes: types.map((t, i) => ({ name: `c${i}`, dataType: i % 2 ? t.toUpperCase() : t })),
      }),
      FILE,
      "customer",
    );
    expect(e.columns).to.deep.equal([
      { name: "c0", type: "string" },
      { name: "c1", type: "int64" },
      { name: "c2", type: "double" },
      { name: "c3", type: "dateTime" },
      { name: "c4", type: "dateTimeOffset" },
      { name: "c5", type: "decimal", precision: 38, scale: 18 },
      { name: "c6", type: "boolean" },
      { name: "c7", type: "guid" },
      { name: "c8", type: "string" },
    ]);
    expect(e.name).to.equal("Customer");
    expect(e.at).to.equal("$.entities[0]");
  });

  it("gives the partitions as lake locations and the CSV dialect, defaults as the format says", () => {
    const e = parseCdmEntity(
      model({
        partitions: [
          { name: "p1", location: URL("Customer_1.csv") },
          { name: "p2", location: URL("Customer%202.csv") },
          { name: "schema only", location: null },
        ],
      }),
      FILE,
      "Customer",
    );
    expect(e.partitions.map((p) => [p.name, p.location.container, p.location.path])).to.deep.equal([
      ["p1", "ci-data", "x/Customer/2024/05/01/0930/Customer_1.csv"],
      ["p2", "ci-data", "x/Customer/2024/05/01/0930/Customer 2.csv"],
    ]);
    expect(e.csv).to.deep.equal({ delimiter: ",", quote: '"', header: false });
    expect(exportFolderOf(e.partitions)).to.equal("x/Customer/2024/05/01/0930");
  });

  it("honours columnHeaders and a delimiter", () => {
    const e = parseCdmEntity(
      model({
        partitions: [
          {
            name: "p1",
            location: URL("Customer_1.csv"),
            fileFormatSettings: {
              $type: "CsvFormatSettings",
              columnHeaders: true,
              delimiter: ";",
              encoding: "UTF-8",
            },
          },
        ],
      }),
      FILE,
      "Customer",
    );
    expect(e.csv).to.deep.equal({ delimiter: ";", quote: '"', header: true });
  });

  it("takes the entity spelt as asked over one that differs by case, and refuses two that differ only by case", () => {
    const lower = {
      $type: "LocalEntity",
      name: "customer",
      attributes: [{ name: "Lower", dataType: "string" }],
      partitions: [{ name: "p1", location: URL("customer_1.csv") }],
    };
    const text = model({}, [lower]);
    // Asked as written: each gets its own, whichever comes first.
    expect(parseCdmEntity(text, FILE, "Customer").columns.map((c) => c.name)).to.deep.equal([
      "CustomerId",
    ]);
    expect(parseCdmEntity(text, FILE, "customer").columns.map((c) => c.name)).to.deep.equal([
      "Lower",
    ]);
    // One in another case is still found.
    expect(parseCdmEntity(model({}), FILE, "CUSTOMER").name).to.equal("Customer");
    expect(refusal(text, "CUSTOMER")).to.contain(
      '$.entities has "customer" ($.entities[0]) and "Customer" ($.entities[1]), which differ from "CUSTOMER" only by case',
    );
  });

  it("refuses what it cannot read exactly, naming the JSON path", () => {
    expect(refusal(model({ attributes: [{ name: "a", dataType: "unclassified" }] }))).to.contain(
      '$.entities[0].attributes[0].dataType is "unclassified" (attribute "a")',
    );
    expect(refusal(model({}, [{ $type: "LocalEntity", name: "Segment" }]), "Contact")).to.contain(
      '$.entities has no entity "Contact"; it has "Segment", "Customer"',
    );
    expect(
      refusal(model({ $type: "ReferenceEntity", source: "Customer", modelId: "m" })),
    ).to.contain("$.entities[0].$type");
    expect(refusal(model({ partitions: [{ name: "p", location: null }] }))).to.contain(
      "for schema purposes only",
    );
    expect(refusal(model({ attributes: [] }))).to.contain(
      "$.entities[0].attributes is missing or empty",
    );
    expect(
      refusal(
        model({
          partitions: [
            { name: "p1", location: URL("a.csv") },
            { name: "p2", location: URL("b.csv", "other-data") },
          ],
        }),
      ),
    ).to.contain(
      "$.entities[0].partitions[1].location is in cistore.dfs.core.windows.net/other-data, outside the container",
    );
    const settings = (s: Record<string, unknown>) =>
      model({ partitions: [{ name: "p", location: URL("a.csv"), fileFormatSettings: s }] });
    expect(refusal(settings({ quoteStyle: "QuoteStyle.None" }))).to.contain(
      "$.entities[0].partitions[0].fileFormatSettings.quoteStyle",
    );
    expect(refusal(settings({ encoding: "UTF-16" }))).to.contain(
      "$.entities[0].partitions[0].fileFormatSettings.encoding",
    );
    expect(refusal(settings({ delimiter: "||" }))).to.contain("fileFormatSettings.delimiter");
    expect(
      refusal(
        model({
          partitions: [{ name: "p", location: "http://cistore.dfs.core.windows.net/c/a.csv" }],
        }),
      ),
    ).to.contain("$.entities[0].partitions[0].location");
    expect(refusal("{ not json")).to.contain("not JSON");
    expect(
      refusal(
        model({
          attributes: [
            { name: "Id", dataType: "string" },
            { name: "id", dataType: "string" },
          ],
        }),
      ),
    ).to.contain("$.entities[0].attributes[1].name");
    // A partition is one file: a wildcard would read files model.json does not name.
    expect(refusal(model({ partitions: [{ name: "p", location: URL("*.csv") }] }))).to.contain(
      "$.entities[0].partitions[0].location holds a wildcard (*); a partition is one file",
    );
    expect(
      refusal(model({ partitions: [{ name: "p", location: URL("Customer_%2A.csv") }] })),
    ).to.contain("holds a wildcard");
  });

  it("finds a partition outside the model.json's own folder (another export's or someone's)", () => {
    const e = parseCdmEntity(
      model({
        partitions: [
          { name: "p1", location: URL("Customer_1.csv") },
          {
            name: "p2",
            location:
              "https://cistore.dfs.core.windows.net/ci-data/Secret/2024/05/01/0930/Customer_2.csv",
          },
          {
            name: "p3",
            location: "https://cistore.dfs.core.windows.net/ci-data/xy/Customer_3.csv",
          },
        ],
      }),
      FILE,
      "Customer",
    );
    expect(partitionOutsideExport("x/model.json", e.partitions)?.name).to.equal("p2");
    expect(partitionOutsideExport("x/model.json", e.partitions.slice(0, 1))).to.equal(undefined);
    // "xy/" is not below "x/": the folder is compared whole, not as a string prefix.
    expect(
      partitionOutsideExport("x/model.json", [e.partitions[0], e.partitions[2]])?.name,
    ).to.equal("p3");
    // A model.json at the container's root holds every path of its container.
    expect(partitionOutsideExport("model.json", e.partitions)).to.equal(undefined);
  });

  it("has no export folder when the partitions are not in one yyyy/MM/dd/HHmm folder", () => {
    const e = parseCdmEntity(
      model({
        partitions: [
          { name: "p", location: "https://cistore.dfs.core.windows.net/ci-data/flat/a.csv" },
        ],
      }),
      FILE,
      "Customer",
    );
    expect(exportFolderOf(e.partitions)).to.equal(undefined);
  });
});

describe("plan/cdmModel: export folders newer than the one model.json names", () => {
  it("names each newer yyyy/MM/dd/HHmm folder once, sorted, and nothing older, equal or malformed", () => {
    const below = [
      "2024/05/01/0930/Customer_1.csv", // the one model.json names
      "2024/04/30/2300/Customer_1.csv", // older
      "2024/05/02/0800/Customer_1.csv", // newer, two files
      "2024/05/02/0800/Customer_2.csv",
      "2024/05/01/0931", // newer by a minute, a folder with nothing in it yet
      "2025/1/2/0800/x.csv", // not a Customer Insights folder name
      "_temp/2099/01/01/0000/x.csv", // not at the entity folder's depth
    ];
    expect(newerExportFolderNames(below, "export/Customer/2024/05/01/0930")).to.deep.equal([
      "2024/05/01/0931",
      "2024/05/02/0800",
    ]);
    expect(
      newerExportFolderNames(below.slice(0, 2), "export/Customer/2024/05/01/0930"),
    ).to.deep.equal([]);
  });
});
