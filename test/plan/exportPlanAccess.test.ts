// What `synapse-export plan [--json]` shows for a spec with named readers: the logins in master, the
// users, the role and its SELECT grant in the export database, like every other statement. The
// expected statements are written out here, as serverless's docs give their shape.

import { expect } from "chai";
import { planExport } from "../../src/plan/exportPlan";
import { SpecError } from "../../src/spec/specError";
import { makeSpec } from "../engine/support/fixtures";

function spec() {
  const s = makeSpec("/specs", []);
  s.principals.readers = [
    { objectId: "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60", type: "Group", name: "analysts" },
    { objectId: "0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f", type: "User", name: "ada@contoso.com" },
  ];
  return s;
}

describe("the export plan's SQL for readers", () => {
  it("lists each reader's login in master, its user and the reader role's SELECT on dbo", () => {
    const access = planExport(spec(), [])
      .sql.filter((s) => /LOGIN|USER|ROLE|GRANT/.test(s.statement))
      .map((s) => `${s.database}: ${s.statement.replace(/\n\s*/g, " ")}`);
    expect(access).to.deep.equal([
      "ci_export: IF DATABASE_PRINCIPAL_ID(N'synapse_export_readers') IS NULL CREATE ROLE [synapse_export_readers]",
      "ci_export: GRANT SELECT ON SCHEMA::[dbo] TO [synapse_export_readers]",
      "master: IF NOT EXISTS (SELECT * FROM sys.server_principals WHERE name = N'analysts') CREATE LOGIN [analysts] FROM EXTERNAL PROVIDER",
      "ci_export: IF DATABASE_PRINCIPAL_ID(N'analysts') IS NULL CREATE USER [analysts] FROM LOGIN [analysts]",
      "ci_export: ALTER ROLE [synapse_export_readers] ADD MEMBER [analysts]",
      "master: IF NOT EXISTS (SELECT * FROM sys.server_principals WHERE name = N'ada@contoso.com') CREATE LOGIN [ada@contoso.com] FROM EXTERNAL PROVIDER",
      "ci_export: IF DATABASE_PRINCIPAL_ID(N'ada@contoso.com') IS NULL CREATE USER [ada@contoso.com] FROM LOGIN [ada@contoso.com]",
      "ci_export: ALTER ROLE [synapse_export_readers] ADD MEMBER [ada@contoso.com]",
    ]);
  });

  it("refuses a reader without a name, naming the field, before planning anything", () => {
    const s = spec();
    delete s.principals.readers[1].name;
    expect(() => planExport(s, []))
      .to.throw(SpecError)
      .with.property("message")
      .that.contains("principals.readers[1].name: is required");
  });
});
