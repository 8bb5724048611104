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
    // Each statement's lines without the refusal messages (their text is tested in sqlPlan.test.ts).
    const access = planExport(spec(), [])
      .sql.filter((s) => /LOGIN|USER|ROLE|GRANT/.test(s.statement))
      .map((s) => [
        s.database,
        ...s.statement
          .split("\n")
          .filter((l) => !/THROW|^\s*(BEGIN|END)$/.test(l))
          .map((l) => l.trim()),
      ]);
    const sid = (guid: string) => `CAST(CAST(N'${guid}' AS uniqueidentifier) AS varbinary(16))`;
    const analysts = sid("6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60");
    const ada = sid("0d9f8e7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f");
    const login = (name: string, guid: string) => [
      "master",
      `IF EXISTS (SELECT * FROM sys.server_principals WHERE name = N'${name}' AND sid <> ${guid})`,
      `IF SUSER_ID(N'${name}') IS NULL`,
      `EXEC (N'CREATE LOGIN [${name}] FROM EXTERNAL PROVIDER');`,
      `IF EXISTS (SELECT * FROM sys.server_principals WHERE name = N'${name}' AND sid <> ${guid})`,
      `EXEC (N'DROP LOGIN [${name}]');`,
    ];
    const user = (name: string, guid: string) => [
      "ci_export",
      `IF EXISTS (SELECT * FROM sys.database_principals WHERE name = N'${name}' AND sid <> ${guid})`,
      `IF DATABASE_PRINCIPAL_ID(N'${name}') IS NULL`,
      `CREATE USER [${name}] FROM LOGIN [${name}] WITH DEFAULT_SCHEMA = [synapse_export]`,
    ];
    expect(access).to.deep.equal([
      [
        "ci_export",
        "IF DATABASE_PRINCIPAL_ID(N'synapse_export_readers') IS NULL",
        "CREATE ROLE [synapse_export_readers]",
      ],
      ["ci_export", "GRANT SELECT ON SCHEMA::[dbo] TO [synapse_export_readers]"],
      login("analysts", analysts),
      user("analysts", analysts),
      ["ci_export", "ALTER ROLE [synapse_export_readers] ADD MEMBER [analysts]"],
      login("ada@contoso.com", ada),
      user("ada@contoso.com", ada),
      ["ci_export", "ALTER ROLE [synapse_export_readers] ADD MEMBER [ada@contoso.com]"],
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
