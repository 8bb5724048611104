// Column inference for entities without declared columns, as `plan` shows it and the run writes it.

import { expect } from "chai";
import { inferColumns } from "../../src/engine";
import type { ColumnSpec, EntitySpec } from "../../src/spec/types";
import { makeSpec, removeTempDirs, tempDir, writeFiles } from "./support/fixtures";

async function infer(files: Record<string, string>, entity: EntitySpec): Promise<ColumnSpec[]> {
  const dir = await tempDir("infer");
  await writeFiles(dir, files);
  return inferColumns(makeSpec(dir, [entity]), entity);
}

describe("inferColumns", function () {
  this.timeout(20_000);
  after(removeTempDirs);

  it("gives CSV columns the narrowest type every sampled value fits, as the writer reads it", async () => {
    const csv =
      "flag,n,x,zip,day,at,atz,id,text,empty,dmy\n" +
      "true,1,1.5,01234,2024-01-31,2024-01-31 13:45:00,2024-01-31T13:45:00Z,0bfc4568-a4ba-4c58-bd3e-5d3e76bd7fff,a,,31/01/2024\n" +
      "FALSE,-20,2,10001,2024-02-29,2024-01-31T13:45:00.5,2024-01-31T13:45:00,{0BFC4568-A4BA-4C58-BD3E-5D3E76BD7FFF},b,,01/02/2024\n" +
      ",,,,,,,,,,\n";
    const columns = await infer(
      { "e.csv": csv },
      { name: "E", source: { path: "e.csv", format: "csv" } },
    );
    expect(columns).to.deep.equal([
      { name: "flag", type: "boolean" },
      { name: "n", type: "int64" },
      { name: "x", type: "double" },
      { name: "zip", type: "string" },
      { name: "day", type: "date" },
      { name: "at", type: "dateTime" },
      { name: "atz", type: "dateTimeOffset" },
      { name: "id", type: "guid" },
      { name: "text", type: "string" },
      { name: "empty", type: "string" },
      { name: "dmy", type: "string" },
    ]);
  });

  it("infers JSON Lines types, nested values as strings", async () => {
    const jsonl =
      '{"a": 1, "b": "x", "c": {"k": [1]}, "d": 2.5, "e": "2024-01-31"}\n{"a": 2, "b": null, "c": null, "d": 3}\n';
    const columns = await infer(
      { "e.jsonl": jsonl },
      { name: "E", source: { path: "e.jsonl", format: "jsonl" } },
    );
    expect(columns).to.deep.equal([
      { name: "a", type: "int64" },
      { name: "b", type: "string" },
      { name: "c", type: "string" },
      { name: "d", type: "double" },
      { name: "e", type: "date" },
    ]);
  });

  it("returns the declared columns when the entity has them, without reading", async () => {
    const declared: ColumnSpec[] = [{ name: "id", type: "int32" }];
    const spec = makeSpec("/nonexistent", []);
    const entity: EntitySpec = {
      name: "E",
      source: { path: "missing.csv", format: "csv" },
      columns: declared,
    };
    expect(await inferColumns(spec, entity)).to.deep.equal(declared);
  });

  it("refuses a source it cannot resolve, with the entity's name", async () => {
    const dir = await tempDir("infer");
    const entity: EntitySpec = { name: "E", source: { path: "none/*.csv", format: "csv" } };
    const err = await inferColumns(makeSpec(dir, [entity]), entity).then(
      () => expect.fail("resolved"),
      (e: Error) => e,
    );
    expect(err.message).to.match(/entity "E": source.path "none\/\*.csv" matches no files/);
  });
});
