// normaliseSpec on its own: the step after validation that fills the schema's defaults and writes an
// entity's source shorthand out. Expected values are the README's spec reference (defaults) and the
// file names' own extensions, written out here.

import { expect } from "chai";
import { normaliseSpec, validateSpec } from "../../src/spec";
import { validRawSpec } from "../helpers/specs";

function entityWith(source: unknown): Record<string, any> {
  const raw = validRawSpec();
  raw.export.entities = [{ name: "Customer", source }];
  return raw;
}

describe("normaliseSpec", () => {
  it("fills every default the spec reference gives, and leaves given values as they are", () => {
    const spec = normaliseSpec(validRawSpec(), "/base");
    expect(spec.connection.usableBy).to.equal("administrators");
    expect(spec.connection.dataRoleScope).to.equal("storageAccount");
    expect(spec.principals.customerInsights).to.deep.equal({});
    expect(spec.principals.contributors).to.deep.equal([]);
    expect(spec.export).to.deep.include({
      format: "parquet",
      runOnDeploy: true,
      onEntityRemoved: "retain",
      retainSnapshots: 2,
    });
    expect(spec.baseDir).to.equal("/base");

    const raw = validRawSpec();
    raw.export.retainSnapshots = 7;
    raw.export.runOnDeploy = false;
    expect(normaliseSpec(raw, "/base").export).to.deep.include({
      retainSnapshots: 7,
      runOnDeploy: false,
    });
  });

  it("reads a key set to nothing (YAML `key:`) as absent: the default, or no key at all", () => {
    const raw = validRawSpec();
    raw.export.runOnDeploy = null;
    raw.connection.subscriptionId = null;
    const spec = normaliseSpec(raw, "/base");
    expect(spec.export.runOnDeploy).to.equal(true);
    expect(spec.connection).not.to.have.property("subscriptionId");
  });

  it("writes a source path out as { path, format }, the format from the extension", () => {
    const cases: [string, string][] = [
      ["data/Customer.csv", "csv"],
      ["data/Customer.csv.gz", "csv"],
      ["data/Customer.jsonl", "jsonl"],
      ["data/Customer.ndjson.zst", "jsonl"],
      ["data/Customer.json", "json"],
      ["data/part-*.parquet", "parquet"],
    ];
    for (const [path, format] of cases) {
      const source = normaliseSpec(entityWith(path), "/base").export.entities[0].source;
      expect(source, path).to.deep.equal({ path, format });
    }
  });

  it("gives a .tsv file a tab delimiter unless the spec names one, and adds none to other CSV files", () => {
    const tsv = normaliseSpec(entityWith("data/Customer.tsv.gz"), "/base");
    expect(tsv.export.entities[0].source).to.deep.equal({
      path: "data/Customer.tsv.gz",
      format: "csv",
      delimiter: "\t",
    });
    const named = normaliseSpec(
      entityWith({ path: "data/Customer.tsv", format: "csv", delimiter: ";" }),
      "/base",
    );
    expect(named.export.entities[0].source.delimiter).to.equal(";");
    // The delimiter is part of a snapshot's id: a CSV file's must stay absent, as before.
    const csv = normaliseSpec(entityWith({ path: "data/Customer.csv", format: "csv" }), "/base");
    expect(csv.export.entities[0].source).not.to.have.property("delimiter");
  });

  it("changes nothing of its input, and normalising twice is normalising once", () => {
    const raw = entityWith("data/Customer.tsv");
    const before = structuredClone(raw);
    const once = normaliseSpec(raw, "/base");
    expect(raw).to.deep.equal(before);
    const { baseDir, ...document } = once;
    expect(normaliseSpec(document, baseDir)).to.deep.equal(once);
  });

  it("is what validateSpec returns for a valid spec, whose checks change nothing either", () => {
    const raw = entityWith("data/Customer.tsv");
    const before = structuredClone(raw);
    const result = validateSpec(raw, "/base");
    expect(result.issues).to.deep.equal([]);
    expect(raw).to.deep.equal(before);
    expect(result.spec).to.deep.equal(normaliseSpec(before, "/base"));
  });
});
