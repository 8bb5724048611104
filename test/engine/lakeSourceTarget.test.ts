// Where a lake-resident entity may run: on the local target (DIR/<container>/<path> stands for the
// lake, read by the runner's path) and against Azure through the target's server-side export (CETAS,
// test/engine/serverSideRun.test.ts); a caller against Azure without it (one that reads sources as
// files here) is refused before anything is written.

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
  it("are refused against Azure without the server-side export, naming the entity and that nothing was written", () => {
    expect(() => refuseServerSideEntities(spec, [lakeEntity, fileEntity], "azure")).to.throw(
      /^Orders: a lake-resident source is exported by Synapse serverless \(CETAS\).*Nothing was written/,
    );
  });

  it("run on the local target and by the server-side export, and a file entity runs anywhere", () => {
    expect(() => refuseServerSideEntities(spec, [lakeEntity], "local")).to.not.throw();
    expect(() => refuseServerSideEntities(spec, [lakeEntity], "server-side")).to.not.throw();
    expect(() => refuseServerSideEntities(spec, [fileEntity], "azure")).to.not.throw();
  });
});
