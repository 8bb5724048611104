// Where a lake-resident entity may run in this version: on the local target (DIR/<container>/<path>
// stands for the lake, read by the runner's path) but not yet against Azure, where its server-side
// (CETAS) run is planned and not built; there it is refused before anything is written.

import { expect } from "chai";
import { refuseServerSideEntities } from "../../src/engine/run/runExport";
import type { EntitySpec } from "../../src/spec/types";

const lakeEntity = {
  name: "Orders",
  source: { path: "abfss://raw@otherlake.dfs.core.windows.net/orders/*.csv", format: "csv" },
  columns: [{ name: "Id", type: "int64" }],
} as unknown as EntitySpec;
const fileEntity = {
  name: "Local",
  source: { path: "data/local.csv", format: "csv" },
  columns: [{ name: "A", type: "string" }],
} as unknown as EntitySpec;
const spec = { export: { format: "parquet" as const, entities: [lakeEntity, fileEntity] } };

describe("lake-resident entities and the target", () => {
  it("are refused against Azure, naming the entity and that nothing was written", () => {
    expect(() => refuseServerSideEntities(spec, [lakeEntity, fileEntity], "azure")).to.throw(
      /^Orders: a lake-resident source is exported by Synapse serverless \(CETAS\).*Nothing was written/,
    );
  });

  it("run on the local target, and a file entity runs anywhere", () => {
    expect(() => refuseServerSideEntities(spec, [lakeEntity], "local")).to.not.throw();
    expect(() => refuseServerSideEntities(spec, [fileEntity], "azure")).to.not.throw();
  });
});
