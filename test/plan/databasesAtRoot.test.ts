// Which export databases a container holds, from its root's entries (plan/lakeLayout.ts): what the
// run's check for a databaseName changed only by case compares against.

import { expect } from "chai";
import { databasesAtRoot } from "../../src/plan/lakeLayout";

const file = (path: string) => ({ path, isDirectory: false });
const folder = (path: string) => ({ path, isDirectory: true });

describe("the export databases at a container's root", () => {
  it("are its folders and the owner markers beside them", () => {
    expect(
      databasesAtRoot([
        folder("ci_export"),
        file("sales.database.json"),
        folder("ci_export/Customer"),
      ]),
    ).to.deep.equal(["ci_export", "sales"]);
  });

  it("are not the export locks, which outlive a dropped database", () => {
    // After `onEntityRemoved: drop` removed the database, its folder and its marker, on Azure the lock's
    // lease blob stays: a database made again under another spelling is a new one.
    expect(databasesAtRoot([file("ci_export.export.lock"), file(".database.json")])).to.deep.equal(
      [],
    );
  });
});
