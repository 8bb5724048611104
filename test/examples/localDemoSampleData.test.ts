// The demo's sample data generator: deterministic (the second export of the demo finds every entity
// unchanged only because the same seed gives the same bytes), Customer Insights-shaped and consistent.

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSampleData, writeSampleData } from "../../examples/local-demo/sampleData";
import { seededRandom } from "../../scripts/lib/seededRandom";

describe("the local demo's sample data", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-sample-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes the same bytes for the same seed, and other bytes for another seed", () => {
    writeSampleData(path.join(dir, "a"), generateSampleData({ seed: 7, customers: 500 }));
    writeSampleData(path.join(dir, "b"), generateSampleData({ seed: 7, customers: 500 }));
    writeSampleData(path.join(dir, "c"), generateSampleData({ seed: 8, customers: 500 }));
    const names = fs.readdirSync(path.join(dir, "a")).sort();
    expect(names).to.deep.equal([
      "Customer.csv",
      "CustomerMeasure.csv",
      "Segments.csv",
      "UnifiedActivity.jsonl",
    ]);
    for (const name of names) {
      const a = fs.readFileSync(path.join(dir, "a", name));
      expect(a.equals(fs.readFileSync(path.join(dir, "b", name))), name).to.equal(true);
      expect(a.equals(fs.readFileSync(path.join(dir, "c", name))), name).to.equal(false);
    }
  });

  it("has about 100,000 rows by default, every one about a customer that exists", () => {
    const files = generateSampleData();
    const total = files.reduce((n, f) => n + f.rows, 0);
    expect(total).to.be.within(90_000, 110_000);
    const lines = (entity: string) =>
      files
        .find((f) => f.entity === entity)!
        .content.trimEnd()
        .split("\n");
    const customerIds = new Set(
      lines("Customer")
        .slice(1)
        .map((l) => l.split(",")[0]),
    );
    expect(customerIds.size).to.equal(lines("Customer").length - 1);
    const activities = lines("UnifiedActivity").map((l) => JSON.parse(l) as { CustomerId: string });
    expect(activities.length).to.equal(files.find((f) => f.entity === "UnifiedActivity")!.rows);
    expect(activities.every((a) => customerIds.has(a.CustomerId))).to.equal(true);
    expect(
      lines("CustomerMeasure")
        .slice(1)
        .map((l) => l.split(",")[0]),
    ).to.have.members([...customerIds]);
    expect(
      lines("Segments")
        .slice(1)
        .every((l) => customerIds.has(l.split(",")[1])),
    ).to.equal(true);
  });

  it("leaves a file holding the same bytes untouched, so its modification time (and hash) stays", () => {
    const files = generateSampleData({ customers: 200 });
    writeSampleData(dir, files);
    const file = path.join(dir, "Customer.csv");
    const old = new Date("2024-01-01T00:00:00Z");
    fs.utimesSync(file, old, old);
    writeSampleData(dir, files);
    expect(fs.statSync(file).mtimeMs).to.equal(old.getTime());
    writeSampleData(dir, generateSampleData({ customers: 201 }));
    expect(fs.statSync(file).mtimeMs).to.be.greaterThan(old.getTime());
  });

  it("draws the same sequence from the same seed, spread over [0, 1)", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draws = Array.from({ length: 10_000 }, () => a());
    expect(draws).to.deep.equal(Array.from({ length: 10_000 }, () => b()));
    expect(draws.every((x) => x >= 0 && x < 1)).to.equal(true);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(mean).to.be.closeTo(0.5, 0.02);
    // mulberry32's first draws, from a separate implementation in Python (unsigned 32-bit integers,
    // python3: s=(s+0x6d2b79f5)&M; t=imul(s^(s>>15),s|1); t^=(t+imul(t^(t>>7),t|61))&M; (t^(t>>14))/2**32).
    const fresh = seededRandom(42);
    expect([fresh(), fresh(), fresh()]).to.deep.equal([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099,
    ]);
    const one = seededRandom(1);
    expect([one(), one(), one()]).to.deep.equal([
      0.6270739405881613, 0.002735721180215478, 0.5274470399599522,
    ]);
  });
});
