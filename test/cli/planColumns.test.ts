// `synapse-export plan` shows the columns that will be created: full types (`decimal(38,0)`, not
// `decimal`), which entity's types were inferred and from which source, and the source column each
// renamed column is read from. Through the real command, as a reviewer runs it.

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";
import { blockSpecYaml } from "../helpers/specs";

const SPEC = blockSpecYaml(`    - name: Airports
      source: data/airports.csv
    - name: Prices
      source: { path: data/prices.csv, format: csv, delimiter: ";" }
      columns:
        - { name: Day, type: date, format: "%b %d %Y", sourceColumn: "Trade Date" }
        - { name: Close, type: decimal, precision: 18, scale: 2 }
        - { name: Ticker, type: string, maxLength: 8 }
`);

describe("synapse-export plan: the columns that will be created", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-plan-columns-"));
    fs.mkdirSync(path.join(dir, "data"));
    fs.writeFileSync(path.join(dir, "spec.yaml"), SPEC);
    fs.writeFileSync(
      path.join(dir, "data/airports.csv"),
      "Airport Name,Passengers 2024,Id\nSchiphol,12345678901234567890,1\n",
    );
    fs.writeFileSync(
      path.join(dir, "data/prices.csv"),
      "Trade Date;Close;Ticker\nJan 1 2000;1.50;MSFT\n",
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints full types, the inferred entity's source and the renamed columns' source names", async () => {
    // Wide enough that no column line wraps: the width rules are tested in commands.test.ts.
    const r = await runCli(["plan", path.join(dir, "spec.yaml")], { env: { COLUMNS: "400" } });
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.split("\n");
    expect(lines).to.include(
      '  Airports (inferred from data/airports.csv): Airport_Name string (from "Airport Name"), ' +
        'Passengers_2024 decimal(38,0) (from "Passengers 2024"), Id int64',
    );
    expect(lines).to.include(
      '  Prices: Day date format "%b %d %Y" (from "Trade Date"), Close decimal(18,2), Ticker string(8)',
    );
  });

  it("gives the mapping in --json too", async () => {
    const r = await runCli(["plan", path.join(dir, "spec.yaml"), "--json"]);
    expect(r.code, r.stderr).to.equal(0);
    const plan = JSON.parse(r.stdout) as { columns: { entity: string; columns: unknown[] }[] };
    expect(plan.columns.find((c) => c.entity === "Airports")!.columns).to.deep.equal([
      { name: "Airport_Name", type: "string", sourceColumn: "Airport Name" },
      {
        name: "Passengers_2024",
        type: "decimal",
        precision: 38,
        scale: 0,
        sourceColumn: "Passengers 2024",
      },
      { name: "Id", type: "int64" },
    ]);
  });
});
