// Issue 11's "clear errors" for names, through the real `synapse-export validate`: a database name
// that is one of the export's own schemas, a name longer in bytes than a folder may be, names the
// same after NFKC and case, and a Latin name with a Cyrillic letter. Without these rules each
// passed validate and failed later (Ambiguous reference, ENAMETOOLONG) or served two views a reader
// cannot tell apart.

import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";
import { cliSpecYaml } from "../helpers/specs";
import { SNAPSHOT_SCHEMA } from "../../src/plan/sqlPlan";

const spec = (databaseName: string, entities: string[]) =>
  cliSpecYaml(
    entities.map((e) => `    - { name: ${JSON.stringify(e)}, source: data/C.csv }`).join("\n"),
    { databaseName },
  );

describe("synapse-export validate: names the lake and the database can hold (issue 11)", function () {
  this.timeout(30_000);
  let dir: string;
  const validate = async (text: string) => {
    const file = path.join(dir, "spec.yaml");
    fs.writeFileSync(file, text);
    return runCli(["validate", file]);
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synapse-export-names-"));
    fs.mkdirSync(path.join(dir, "data"));
    fs.writeFileSync(path.join(dir, "data/C.csv"), "a\n1\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const name of [SNAPSHOT_SCHEMA, SNAPSHOT_SCHEMA.toUpperCase()]) {
    it(`refuses databaseName ${name}, the schema of the snapshot tables`, async () => {
      const r = await validate(spec(name, ["Customer"]));
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include(`export.databaseName: '${name}' is the schema`);
    });
  }

  it("counts a name's length in UTF-8 bytes, the unit of a folder name", async () => {
    const long = "é".repeat(128); // 128 characters pass the SQL name rule
    const bytes = new TextEncoder().encode(long).length;
    const r = await validate(spec("ci_export", [long, "é".repeat(116)]));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(`export.entities[0].name: is ${bytes} bytes in UTF-8`);
    expect(r.stderr, "116 x 2 bytes fit").to.not.include("export.entities[1].name");
  });

  it("refuses names that are the same after NFKC and case folding, naming both", async () => {
    const r = await validate(spec("ci_export", ["Customer", "\uFF23ustomer"]));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(
      "export.entities[1].name: entity '\uFF23ustomer' is already export.entities[0]",
    );
    expect(r.stderr).to.include("'Customer' after NFKC");
  });

  it("refuses a Latin name with a Cyrillic letter in it, naming the letter", async () => {
    const r = await validate(spec("ci_export", ["Customer", "\u0421ustomer"]));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(
      "export.entities[1].name: mixes Latin and Cyrillic letters ('\u0421' is Cyrillic U+0421)",
    );
  });

  const renamed = (name: string, from: string) =>
    spec("ci_export", ["Orders"]).replace(
      '    - { name: "Orders", source: data/C.csv }',
      `    - { name: ${name}, renamedFrom: ${from}, source: data/C.csv }`,
    );

  it("accepts renamedFrom for a rename only case or Unicode width tells apart", async () => {
    for (const from of ["Customer", "\uFF23ustomer"]) {
      const r = await validate(renamed("customer", from));
      expect(r.code, r.stderr).to.equal(0);
    }
  });

  it("refuses renamedFrom for a rename the target tells apart, saying no opt-in is needed", async () => {
    const r = await validate(renamed("Client", "Customer"));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(
      "export.entities[0].renamedFrom: 'Customer' differs from 'Client' by more than case or Unicode width",
    );
  });

  it("refuses renamedFrom that is the entity's own name, and one that is no entity name", async () => {
    const same = await validate(renamed("Customer", "Customer"));
    expect(same.code).to.equal(1);
    expect(same.stderr).to.include(
      "export.entities[0].renamedFrom: is the entity's own name 'Customer'",
    );
    const bad = await validate(renamed("Customer", "'Cust omer'"));
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.include("export.entities[0].renamedFrom");
  });

  it("accepts a name wholly in another script", async () => {
    const r = await validate(spec("ci_export", ["Клиент", "Πελάτης", "顧客"]));
    expect(r.code, r.stderr).to.equal(0);
  });
});
