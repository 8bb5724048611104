import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  parseSpecText,
  validateSpec,
  assertValidSpec,
  SpecError,
  toJsonSchema,
} from "../../src/spec";
import { validRawSpec } from "../helpers/specs";

function issuesOf(raw: unknown): { path: string; message: string }[] {
  return validateSpec(raw, "/base").issues;
}

function only(raw: unknown): { path: string; message: string } {
  const issues = issuesOf(raw);
  expect(issues, JSON.stringify(issues)).to.have.length(1);
  return issues[0];
}

describe("spec validation", () => {
  it("accepts a valid spec and fills the defaults the seed gives", () => {
    const result = validateSpec(validRawSpec(), "/base");
    expect(result.issues).to.deep.equal([]);
    const spec = result.spec!;
    expect(spec.connection.usableBy).to.equal("administrators");
    expect(spec.connection.dataRoleScope).to.equal("storageAccount");
    expect(spec.export.format).to.equal("parquet");
    expect(spec.export.onEntityRemoved).to.equal("retain");
    expect(spec.export.runOnDeploy).to.equal(true);
    expect(spec.export.retainSnapshots).to.equal(2);
    expect(spec.principals.customerInsights).to.deep.equal({});
    expect(spec.principals.contributors).to.deep.equal([]);
    expect(spec.export.entities[0].source).to.deep.equal({
      path: "data/Customer.csv",
      format: "csv",
    });
    expect(spec.baseDir).to.equal("/base");
  });

  it("refuses a spec without the data privacy consent, in the seed's words", () => {
    const raw = validRawSpec();
    raw.connection.dataPrivacyConsent = false;
    const issue = only(raw);
    expect(issue.path).to.equal("connection.dataPrivacyConsent");
    expect(issue.message).to.match(/I agree to confirm the data privacy and compliance/);
  });

  it("requires the consent to be given at all, and to be a boolean", () => {
    const raw = validRawSpec();
    delete raw.connection.dataPrivacyConsent;
    expect(only(raw)).to.deep.include({
      path: "connection.dataPrivacyConsent",
      message: "is required",
    });
    raw.connection.dataPrivacyConsent = "yes";
    // It must be true: "true or false" would invite the false that is refused next.
    expect(only(raw).message).to.equal(
      "must be true, got the text 'yes' (write true without quotes: YAML reads 'yes' as text)",
    );
    raw.connection.dataPrivacyConsent = "I agree";
    expect(only(raw).message).to.equal("must be true, got the text 'I agree'");
  });

  it("refuses a gzip or zstd compressed Parquet file, as a path alone or with format parquet", () => {
    for (const [source, field] of [
      ["data/Customer.parquet.gz", "export.entities[0].source"],
      [{ path: "data/Customer.PARQUET.zst", format: "parquet" }, "export.entities[0].source.path"],
      [{ path: "data/Customer.gz", format: "parquet" }, "export.entities[0].source.path"],
    ] as const) {
      const raw = validRawSpec();
      raw.export.entities[0].source = source;
      const issue = only(raw);
      expect(issue.path, JSON.stringify(source)).to.equal(field);
      expect(issue.message).to.contain("is a compressed Parquet file, which is not read");
    }
    // Compressed text stays allowed.
    const raw = validRawSpec();
    raw.export.entities[0].source = "data/Customer.csv.gz";
    expect(issuesOf(raw)).to.deep.equal([]);
  });

  it("refuses empty display names", () => {
    const raw = validRawSpec();
    raw.connection.displayName = "  ";
    raw.export.displayName = "";
    const paths = issuesOf(raw).map((i) => i.path);
    expect(paths).to.have.members(["connection.displayName", "export.displayName"]);
  });

  it("refuses a Common Data Model folder data source, in the seed's words", () => {
    const raw = validRawSpec();
    raw.export.entities[1].dataSourceType = "commonDataModelFolder";
    const issue = only(raw);
    expect(issue.path).to.equal("export.entities[1].dataSourceType");
    expect(issue.message).to.match(/Common Data Model folder aren't supported/);
  });

  for (const bad of [
    "",
    "1abc",
    "has space",
    "semi;colon",
    "x".repeat(129),
    "bad]name",
    "o'brien",
  ]) {
    it(`refuses the database name ${JSON.stringify(bad.slice(0, 20))}`, () => {
      const raw = validRawSpec();
      raw.export.databaseName = bad;
      const issue = only(raw);
      expect(issue.path).to.equal("export.databaseName");
    });
  }

  it("says what a database name may be", () => {
    const raw = validRawSpec();
    raw.export.databaseName = "9lives";
    expect(only(raw).message).to.match(
      /letter or underscore first, then letters, digits or underscores/,
    );
  });

  it("accepts names with underscores, digits and non-ASCII letters, up to 128 characters", () => {
    const raw = validRawSpec();
    raw.export.databaseName = "_" + "a".repeat(127);
    raw.export.entities[0].name = "Kunde_Übersicht2";
    expect(issuesOf(raw)).to.deep.equal([]);
  });

  for (const reserved of ["master", "TempDB", "model", "msdb"]) {
    it(`refuses the system database name ${reserved}`, () => {
      const raw = validRawSpec();
      raw.export.databaseName = reserved;
      const issue = only(raw);
      expect(issue.path).to.equal("export.databaseName");
      expect(issue.message).to.match(/system database/);
    });
  }

  it("refuses duplicate entity names ignoring case, naming both places", () => {
    const raw = validRawSpec();
    raw.export.entities[1].name = "CUSTOMER";
    const issue = only(raw);
    expect(issue.path).to.equal("export.entities[1].name");
    expect(issue.message).to.match(/already export\.entities\[0\]/);
  });

  it("refuses duplicate column names within an entity ignoring case", () => {
    const raw = validRawSpec();
    raw.export.entities[0].columns.push({ name: "customerid", type: "string" });
    expect(only(raw).path).to.equal("export.entities[0].columns[2].name");
  });

  it("needs at least one entity", () => {
    const raw = validRawSpec();
    raw.export.entities = [];
    expect(only(raw)).to.deep.include({ path: "export.entities" });
  });

  it("checks storage account and container names as Azure does", () => {
    for (const [account, ok] of [
      ["ab", false],
      ["UPPER", false],
      ["with-hyphen", false],
      ["a".repeat(25), false],
      ["abc", true],
      ["a1b2c3", true],
    ] as const) {
      const raw = validRawSpec();
      raw.connection.storage.accountName = account;
      expect(issuesOf(raw).length === 0, account).to.equal(ok);
    }
    for (const [container, ok] of [
      ["ab", false],
      ["double--hyphen", false],
      ["-lead", false],
      ["trail-", false],
      ["Upper", false],
      ["a".repeat(64), false],
      ["ci-export-2", true],
    ] as const) {
      const raw = validRawSpec();
      raw.connection.storage.container = container;
      const issues = issuesOf(raw);
      expect(issues.length === 0, container).to.equal(ok);
      if (!ok) expect(issues[0].path).to.equal("connection.storage.container");
    }
  });

  it("requires GUIDs where GUIDs are required", () => {
    const raw = validRawSpec();
    raw.connection.subscriptionId = "not-a-guid";
    raw.principals.readers[0].objectId = "1234";
    const issues = issuesOf(raw);
    expect(issues.map((i) => i.path)).to.have.members([
      "connection.subscriptionId",
      "principals.readers[0].objectId",
    ]);
    expect(issues[0].message).to.match(/GUID/);
  });

  it("names an unknown key and suggests the likely one", () => {
    const raw = validRawSpec();
    raw.export.databseName = "x";
    const issues = issuesOf(raw);
    const typo = issues.find((i) => i.path === "export.databseName")!;
    expect(typo.message).to.match(/unknown key \(did you mean 'databaseName'\?\)/);
  });

  it("says which values an enumeration allows", () => {
    const raw = validRawSpec();
    raw.connection.usableBy = "everyone";
    raw.export.format = "xlsx";
    const issues = issuesOf(raw);
    expect(issues.find((i) => i.path === "connection.usableBy")!.message).to.match(
      /use one of administrators, administrators-and-contributors/,
    );
    expect(issues.find((i) => i.path === "export.format")!.message).to.match(/parquet, csv/);
  });

  it("reports wrong types with the field path", () => {
    const raw = validRawSpec();
    raw.export.entities = "Customer";
    raw.export.runOnDeploy = "yes";
    raw.export.retainSnapshots = 1.5;
    const byPath = Object.fromEntries(issuesOf(raw).map((i) => [i.path, i.message]));
    expect(byPath["export.entities"]).to.match(/must be a list/);
    expect(byPath["export.runOnDeploy"]).to.match(/true or false/);
    expect(byPath["export.retainSnapshots"]).to.match(/whole number/);
  });

  it("checks what each column type allows", () => {
    const raw = validRawSpec();
    raw.export.entities[0].columns = [
      { name: "A", type: "decimal" },
      { name: "B", type: "decimal", precision: 5, scale: 6 },
      { name: "C", type: "int64", maxLength: 3 },
      { name: "D", type: "string", precision: 3 },
      { name: "E", type: "money" },
    ];
    const paths = issuesOf(raw).map((i) => i.path);
    expect(paths).to.have.members([
      "export.entities[0].columns[0].precision",
      "export.entities[0].columns[0].scale",
      "export.entities[0].columns[1].scale",
      "export.entities[0].columns[2].maxLength",
      "export.entities[0].columns[3].precision",
      "export.entities[0].columns[4].type",
    ]);
  });

  it("refuses a source whose format cannot be told from its name", () => {
    const raw = validRawSpec();
    raw.export.entities[0].source = "data/customers.xlsx";
    expect(only(raw).message).to.match(/\.csv, \.jsonl or \.parquet/);
  });

  it("requires the administrator to be named", () => {
    const raw = validRawSpec();
    raw.principals.administrator = {};
    expect(only(raw).path).to.equal("principals.administrator");
  });

  it("warns that contributors are ignored on an administrators-only connection", () => {
    const raw = validRawSpec();
    raw.principals.contributors = [
      { objectId: "0f0e0d0c-0b0a-0908-0706-050403020100", type: "User" },
    ];
    const result = validateSpec(raw, "/base");
    expect(result.issues).to.deep.equal([]);
    expect(result.warnings[0].path).to.equal("principals.contributors");
  });

  it("reports all errors at once", () => {
    const raw = validRawSpec();
    raw.connection.dataPrivacyConsent = false;
    raw.export.databaseName = "master";
    raw.export.entities[1].name = "customer";
    raw.connection.storage.accountName = "X";
    expect(issuesOf(raw)).to.have.length(4);
  });

  it("refuses a system database's name in any case or width, as the pool compares names", () => {
    for (const name of ["Master", "TEMPDB", "ｍａｓｔｅｒ"]) {
      const raw = validRawSpec();
      raw.export.databaseName = name;
      expect(
        issuesOf(raw).map((i: any) => i.path),
        name,
      ).to.include("export.databaseName");
    }
  });

  it("throws a SpecError whose message lists every field", () => {
    const raw = validRawSpec();
    raw.export.databaseName = "tempdb";
    raw.connection.dataPrivacyConsent = false;
    expect(() => assertValidSpec(raw, "/b", "spec.yaml"))
      .to.throw(SpecError)
      .with.property("message")
      .that.matches(
        /spec\.yaml: the spec has 2 errors:\n {2}- connection\.dataPrivacyConsent: .*\n {2}- export\.databaseName/,
      );
  });

  it("reports malformed YAML with its line, never a stack trace", () => {
    const result = parseSpecText("connection:\n  displayName: [unclosed\n", "/b", "spec.yaml");
    expect(result.issues).to.have.length(1);
    expect(result.issues[0].message).to.match(/not valid YAML in spec\.yaml at line \d+/);
  });

  it("reports duplicate YAML keys and an empty file", () => {
    expect(parseSpecText("a: 1\na: 2\n", "/b").issues[0].message).to.match(/not valid YAML/);
    expect(parseSpecText("\n", "/b", "s.yaml").issues[0].message).to.match(/s\.yaml is empty/);
  });

  it("parses the example stack spec", () => {
    const file = path.join(__dirname, "../../../stacks/customer-insights.spec.yaml");
    const result = parseSpecText(readFileSync(file, "utf8"), path.dirname(file));
    expect(result.issues).to.deep.equal([]);
    expect(result.spec!.export.entities.map((e) => e.name)).to.deep.equal(["Customer", "Segments"]);
  });
});

describe("JSON Schema for editors", () => {
  it("is the committed schema file, generated from the same declaration as the validator", () => {
    const committed = JSON.parse(
      readFileSync(path.join(__dirname, "../../../schema/synapse-export.schema.json"), "utf8"),
    );
    expect(committed).to.deep.equal(toJsonSchema());
  });

  it("forbids unknown keys and requires consent to be true", () => {
    const schema = toJsonSchema() as any;
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.properties.connection.properties.dataPrivacyConsent.const).to.equal(true);
    expect(schema.required).to.have.members(["connection", "principals", "export"]);
  });
});
