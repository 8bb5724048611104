// The export database's lake marker: what it says back (one reader of what databaseMarker writes),
// and whose removal policy a removed entity's delete follows.

import { expect } from "chai";
import {
  databaseMarker,
  entityDropsOnDelete,
  readDatabaseMarker,
} from "../../src/plan/resourceLifecycle";

const state = (onEntityRemoved: "retain" | "drop") => ({ export: { onEntityRemoved } });

describe("the database marker", () => {
  it("reads back what it wrote, and says why a text is not one", () => {
    expect(readDatabaseMarker(databaseMarker("id-1", state("drop")))).to.deep.equal({
      identity: "id-1",
      onEntityRemoved: "drop",
    });
    expect(readDatabaseMarker("{"))
      .to.have.property("problem")
      .that.match(/^it is not JSON: /);
    expect(readDatabaseMarker("null")).to.deep.equal({ problem: 'it has no string "identity"' });
    expect(readDatabaseMarker('{"identity": 5}')).to.deep.equal({
      problem: 'it has no string "identity"',
    });
  });

  it("decides a removed entity's delete by this deployment's newest policy, else the state's", () => {
    const ours = readDatabaseMarker(databaseMarker("id-1", state("retain")));
    expect(entityDropsOnDelete(state("drop"), ours, "id-1"), "newest says retain").to.equal(false);
    const dropNow = readDatabaseMarker(databaseMarker("id-1", state("drop")));
    expect(entityDropsOnDelete(state("retain"), dropNow, "id-1"), "newest says drop").to.equal(
      true,
    );
    // Another deployment's marker, an old one without a policy, none, or one not ours: the state's.
    expect(entityDropsOnDelete(state("retain"), dropNow, "id-2")).to.equal(false);
    expect(entityDropsOnDelete(state("drop"), { identity: "id-1" }, "id-1")).to.equal(true);
    expect(entityDropsOnDelete(state("retain"), undefined, "id-1")).to.equal(false);
    expect(entityDropsOnDelete(state("retain"), { problem: "x" }, "id-1")).to.equal(false);
  });
});
