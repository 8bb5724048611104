// The line a deploy prints per wait for a fresh storage grant: what it waits for, elapsed and limit.

import { expect } from "chai";
import { grantWaitLine } from "../../src/engine/progress/grantWaitLine";

describe("grantWaitLine", () => {
  it("names the statement, the database, the time waited, the limit and the next try", () => {
    expect(
      grantWaitLine(
        { purpose: "create external table Customer", database: "ci_export" },
        { attempt: 3, delayMs: 4_000 },
        45_400,
        600_000,
      ),
    ).to.equal(
      'synapse-export: "create external table Customer" in [ci_export]: waiting for a new storage role assignment to apply ' +
        "(Azure takes up to 10 minutes); waited 45 s of 600 s, next try in 4 s (attempt 3)",
    );
  });

  it("names the lake request that waits", () => {
    expect(
      grantWaitLine(
        { method: "PUT", path: "/stciexport/ci-export/ci_export/.database.json" },
        { attempt: 1, delayMs: 5_000 },
        0,
        600_000,
      ),
    ).to.equal(
      "synapse-export: the lake's PUT /stciexport/ci-export/ci_export/.database.json: waiting for a new storage role assignment to apply " +
        "(Azure takes up to 10 minutes); waited 0 s of 600 s, next try in 5 s (attempt 1)",
    );
  });

  it("says when it waits for a firewall rule instead", () => {
    expect(
      grantWaitLine(
        { purpose: "create the export database", database: "master" },
        { attempt: 2, delayMs: 2_000 },
        3_000,
        600_000,
        "firewall",
      ),
    ).to.equal(
      'synapse-export: "create the export database" in [master]: waiting for a new workspace firewall rule to apply ' +
        "(Azure takes up to five minutes); waited 3 s of 600 s, next try in 2 s (attempt 2)",
    );
  });
});
