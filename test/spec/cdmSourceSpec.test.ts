// `source: { path, format: cdm, entity }` in the spec: what it accepts and, for what it does not,
// which field the message names.

import { expect } from "chai";
import { validateSpec } from "../../src/spec";
import { CDM_FOLDER_MESSAGE } from "../../src/spec/rules";
import { validRawSpec } from "../helpers/specs";

function withCustomer(customer: Record<string, unknown>) {
  const raw = validRawSpec();
  raw.export.entities[0] = { name: "Customer", ...customer };
  return validateSpec(raw, "/base");
}

describe("spec: cdm sources (a Customer Insights export folder)", () => {
  it("accepts a local folder or a lake location, with or without the model.json's entity name", () => {
    for (const source of [
      { path: "ci/LakeExport", format: "cdm" },
      { path: "ci/LakeExport/model.json", format: "cdm", entity: "Customer" },
      {
        path: "abfss://ci-data@cistore.dfs.core.windows.net/CustomerInsights_1/LakeExport",
        format: "cdm",
        entity: "customer",
      },
    ]) {
      const r = withCustomer({ source });
      expect(r.issues, JSON.stringify(source)).to.deep.equal([]);
      expect(r.spec!.export.entities[0].source).to.deep.equal(source);
    }
  });

  it("refuses CSV options, declared columns and entity on another format, naming each field", () => {
    const r = withCustomer({
      source: { path: "ci/LakeExport", format: "cdm", delimiter: ";", header: false },
      columns: [{ name: "CustomerId", type: "int64" }],
    });
    expect(r.issues.map((i) => i.path)).to.have.members([
      "export.entities[0].source.delimiter",
      "export.entities[0].source.header",
      "export.entities[0].columns",
    ]);
    expect(r.issues.find((i) => i.path.endsWith("delimiter"))!.message).to.contain(
      "fileFormatSettings",
    );
    const other = withCustomer({
      source: { path: "data/c.csv", format: "csv", entity: "Customer" },
    });
    expect(other.issues).to.deep.equal([
      {
        path: "export.entities[0].source.entity",
        message: "applies to format cdm only (this source is csv)",
      },
    ]);
  });

  it("does not read a model.json shorthand as a JSON source", () => {
    const r = withCustomer({ source: "ci/LakeExport/model.json" });
    expect(r.issues).to.have.length(1);
    expect(r.issues[0].path).to.equal("export.entities[0].source");
    expect(r.issues[0].message).to.contain("format: cdm");
  });

  it("keeps refusing the commonDataModelFolder data source type, with a cdm source too", () => {
    const r = withCustomer({
      source: { path: "ci/LakeExport", format: "cdm" },
      dataSourceType: "commonDataModelFolder",
    });
    expect(r.issues).to.deep.equal([
      { path: "export.entities[0].dataSourceType", message: CDM_FOLDER_MESSAGE },
    ]);
  });
});
