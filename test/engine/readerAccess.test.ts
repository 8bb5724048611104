// Readers query the export, end to end: a run against the strict TDS test server (serverlessModel.ts)
// creates the readers' logins, users and role, and then each reader's own token signs in and selects
// from every view, while anyone the spec does not name is refused with the number serverless sends.

import { expect } from "chai";
import { errorText } from "../helpers/errorText";
import { SynapseSqlError } from "../../src/engine/sql/synapseSql";
import { AzureWorld, credentialOf, DB, ENTITIES, FAST, PRINCIPALS } from "./support/azureWorld";

const NAMES = ENTITIES.map((e) => e.name);

async function refusal(promise: Promise<unknown>): Promise<SynapseSqlError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(SynapseSqlError);
    return error as SynapseSqlError;
  }
  throw new Error("expected the query to be refused");
}

/** A run that must fail: its error, whether the run threw it or recorded it. */
function failure(run: Promise<{ error?: unknown; entities?: unknown }>): Promise<Error> {
  return run.then(
    (record) => new Error(errorText(record) || JSON.stringify(record.entities)),
    (e: Error) => e,
  );
}

/** The claim's first line: the spelling check before the ownership check. */
const CLAIM_FIRST_LINE = `IF EXISTS (SELECT * FROM sys.databases WHERE name = N'${DB}' AND name COLLATE Latin1_General_100_BIN2 <> N'${DB}')`;

describe("readers query the export through serverless SQL (strict TDS test server)", function () {
  this.timeout(30_000);
  let world: AzureWorld;

  beforeEach(async () => {
    world = await AzureWorld.start(FAST);
  });
  afterEach(async () => {
    await world.close();
  });

  it("lets each reader (a user, and a group's member through the group) and the contributor select from every view", async () => {
    const record = await world.run();
    expect(record.ok, JSON.stringify(record.entities)).to.equal(true);
    expect(world.model.loginNames()).to.deep.equal(["ada@contoso.com", "analysts", "marketing"]);

    for (const who of [PRINCIPALS.ada, PRINCIPALS.carol]) {
      for (const name of NAMES) {
        // No rows: the test server answers with the view's columns and leaves the data to the lake tests.
        const rows = await world.queryAs(who, `SELECT TOP 10 * FROM [dbo].[${name}]`);
        expect(rows, `${who.name} reads ${name}`).to.deep.equal([]);
      }
    }
    // Object names are not case-sensitive in the export database (its collation is _CI_).
    expect(await world.queryAs(PRINCIPALS.ada, "SELECT * FROM dbo.customer")).to.deep.equal([]);
  });

  it("refuses a principal the spec does not name with 18456, even one with a storage role", async () => {
    expect((await world.run()).ok).to.equal(true);
    const error = await refusal(
      world.queryAs(PRINCIPALS.mallory, "SELECT * FROM [dbo].[Customer]"),
    );
    expect(error.number).to.equal(18456);
    expect(error.message).to.contain("Login failed for user '<token-identified principal>'");
  });

  it("denies SELECT (229) to a database user outside the reader role", async () => {
    expect((await world.run()).ok).to.equal(true);
    // An administrator gives mallory a login and a user by hand, but no role: serverless lets her in
    // and refuses the view.
    const { mallory, deployer } = PRINCIPALS;
    await world.queryAs(
      deployer,
      `IF NOT EXISTS (SELECT * FROM sys.server_principals WHERE name = N'${mallory.name}')\n    CREATE LOGIN [${mallory.name}] FROM EXTERNAL PROVIDER`,
    );
    await world.queryAs(
      deployer,
      `IF DATABASE_PRINCIPAL_ID(N'${mallory.name}') IS NULL\n    CREATE USER [${mallory.name}] FROM LOGIN [${mallory.name}]`,
    );

    const error = await refusal(world.queryAs(mallory, "SELECT * FROM [dbo].[Orders]"));
    expect(error.number).to.equal(229);
    expect(error.message).to.contain(
      `The SELECT permission was denied on the object 'Orders', database '${DB}', schema 'dbo'`,
    );
  });

  it("refuses an expired token and a token for another resource at login (18456)", async () => {
    expect((await world.run()).ok).to.equal(true);
    const expired = credentialOf(PRINCIPALS.ada, -60_000);
    const late = await refusal(
      world.queryAs(PRINCIPALS.ada, "SELECT * FROM [dbo].[Customer]", expired),
    );
    expect(late.number).to.equal(18456);
    expect(world.tds.logins.at(-1)?.failedBecause).to.equal("The access token has expired.");

    const storageToken = credentialOf(PRINCIPALS.ada);
    const forStorage = {
      getToken: () => storageToken.getToken("https://storage.azure.com/.default"),
    };
    const wrong = await refusal(world.queryAs(PRINCIPALS.ada, "SELECT 1", forStorage));
    expect(wrong.number).to.equal(18456);
    expect(world.tds.logins.at(-1)?.failedBecause).to.match(
      /audience 'https:\/\/storage\.azure\.com'/,
    );
  });

  it("refuses a login to a database that was never created with 4060", async () => {
    // Before any run there is no export database; the deployer is an administrator, so only the
    // database is missing.
    const error = await refusal(
      world.queryAs(PRINCIPALS.deployer, "SELECT * FROM [dbo].[Customer]"),
    );
    expect(error.number).to.equal(4060);
    expect(error.message).to.contain(`Cannot open database "${DB}" requested by the login`);
  });

  it("removes a reader dropped from the spec: its user goes (916 afterwards), its login stays", async () => {
    expect((await world.run()).ok).to.equal(true);
    world.spec.principals.readers = world.spec.principals.readers.filter(
      (r) => r.objectId !== PRINCIPALS.ada.objectId,
    );
    const before = world.tds.statements().length;
    expect((await world.run()).ok).to.equal(true);

    const sent = world.tds
      .statements()
      .slice(before)
      .map((s) => s.text);
    expect(sent).to.include("DROP USER IF EXISTS [ada@contoso.com]");
    expect(sent.filter((t) => /^DROP /.test(t))).to.deep.equal([
      "DROP USER IF EXISTS [ada@contoso.com]",
    ]);
    expect(world.model.userNames(DB)).to.deep.equal(["analysts", "marketing"]);
    expect(world.model.loginNames()).to.include("ada@contoso.com");
    const error = await refusal(world.queryAs(PRINCIPALS.ada, "SELECT * FROM [dbo].[Customer]"));
    expect(error.number).to.equal(916);
    // The group's member still reads.
    expect(await world.queryAs(PRINCIPALS.carol, "SELECT * FROM [dbo].[Customer]")).to.deep.equal(
      [],
    );
  });

  it("reads the lake as the reader (pass-through): a reader without a storage role fails with the storage error", async () => {
    const { erin } = { erin: PRINCIPALS.erin };
    world.spec.principals.readers.push({ objectId: erin.objectId, type: "User", name: erin.name });
    expect((await world.run()).ok).to.equal(true);
    const error = await refusal(world.queryAs(erin, "SELECT * FROM [dbo].[Segment]"));
    expect(error.number).to.equal(13807);
    expect(error.message).to.match(
      /Content of directory on path 'https:\/\/acct\.dfs\.core\.windows\.net\/ci-export\/ci_export\/Segment\/v=\w+\/' cannot be listed/,
    );
  });

  it("refuses a database of the same name it did not create, at the first statement, changing nothing", async () => {
    // Customer Insights' own export makes a lake database, which T-SQL may read but not change.
    world.model.addLakeDatabase(DB, ["Customer"]);

    const error = await world.run().then(
      (record) => new Error(errorText(record) || JSON.stringify(record.entities)),
      (e: Error) => e,
    );

    expect(error.message).to.contain(
      `Database ${DB} exists but was not created by synapse-export (it has no synapse_export schema)`,
    );
    expect(error.message).to.contain("Choose another export.databaseName");
    const sent = world.tds.statements();
    expect(sent.map((s) => s.text.split("\n")[0])).to.deep.equal([
      "SELECT SERVERPROPERTY('EngineEdition') AS EngineEdition",
      CLAIM_FIRST_LINE,
    ]);
    expect(world.tds.batches.at(-1)?.errorNumber).to.equal(50001);
  });

  it("drops the database only once connected readers are gone: 3702 is waited out, then explained", async () => {
    world.spec.export.onEntityRemoved = "drop";
    expect((await world.run()).ok).to.equal(true);
    const reader = world.sqlClientOf(PRINCIPALS.ada);
    await reader.query(DB, "SELECT * FROM [dbo].[Customer]");

    const target = world.target({ sqlRetry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    const error = await refusal(target.dropDatabase());
    expect(error.number).to.equal(3702);
    expect(error.attempts).to.equal(3);
    expect(error.message).to.contain(`Sessions are still connected to database ${DB}`);
    expect(world.model.hasDatabase(DB)).to.equal(true);

    await reader.close();
    // Until the server has seen the reader's socket close (an event, not a clock): only the target's
    // own master connection is left.
    while (world.tds.openConnections > 1) await new Promise((resolve) => setImmediate(resolve));
    await target.dropDatabase();
    await target.views.close();
    expect(world.model.hasDatabase(DB)).to.equal(false);
  });

  it("refuses to create a database in a pool that already holds 100, before any change", async () => {
    // Renamed exports leave their old databases behind (the seed's default): here, a hundred of them.
    for (let i = 0; i < 100; i++) world.model.addDatabase(`old_export_${i}`);

    const error = await world.run().then(
      (record) => new Error(errorText(record) || JSON.stringify(record.entities)),
      (e: Error) => e,
    );

    expect(error.message).to.contain(
      `The serverless SQL pool already holds 100 databases besides master, its limit, so ${DB} cannot be created. Nothing was changed.`,
    );
    // It names the databases the pool holds, the left-behind ones among them.
    expect(error.message).to.contain("The pool holds: old_export_0, old_export_1, ");
    expect(error.message).to.contain("old_export_99.");
    expect(world.tds.batches.at(-1)?.errorNumber).to.equal(50002);
    expect(world.tds.statements().map((s) => s.text.split("\n")[0])).to.deep.equal([
      "SELECT SERVERPROPERTY('EngineEdition') AS EngineEdition",
      CLAIM_FIRST_LINE,
      `IF DB_ID(N'${DB}') IS NULL`,
    ]);
    expect(world.model.hasDatabase(DB)).to.equal(false);
  });

  it("refuses a login of a reader's name that belongs to another principal (another SID), before its user exists", async () => {
    // ada@contoso.com was deleted and re-created in Entra: the old login keeps the old object id.
    const stale = "99999999-0000-4000-8000-000000000009";
    world.model.addLogin(PRINCIPALS.ada.name, stale);

    const error = await failure(world.run());
    expect(error.message).to.contain(
      `The login ada@contoso.com belongs to another Entra principal than reader ${PRINCIPALS.ada.objectId} (its SID is not the object id ${PRINCIPALS.ada.objectId})`,
    );
    expect(world.tds.batches.at(-1)?.errorNumber).to.equal(50003);
    // Nothing of ada's was made in the database, and nothing ran after the refusal.
    expect(world.model.userNames(DB)).to.deep.equal(["analysts"]);
    expect(world.tds.statements().at(-1)?.text).to.match(
      /^IF EXISTS \(SELECT \* FROM sys\.server_principals WHERE name = N'ada@contoso\.com'/,
    );
  });

  it("drops again a login that CREATE LOGIN made for another principal of the name, and refuses it", async () => {
    // The spec's object id is not the one Entra has for that UPN: serverless resolves the name alone.
    const otherId = "88888888-0000-4000-8000-000000000008";
    world.spec.principals.readers = world.spec.principals.readers.map((r) =>
      r.objectId === PRINCIPALS.ada.objectId ? { ...r, objectId: otherId } : r,
    );

    const error = await failure(world.run());
    expect(error.message).to.contain(
      `The login ada@contoso.com belongs to another Entra principal than reader ${otherId}`,
    );
    expect(world.model.loginNames()).to.deep.equal(["analysts"]);
    expect(world.model.userNames(DB)).to.deep.equal(["analysts"]);
  });

  it("only takes a user it did not create out of the role when that user is not in the spec, never drops it", async () => {
    expect((await world.run()).ok).to.equal(true);
    // An administrator adds mallory by hand (default schema dbo) to our role.
    const { mallory, deployer } = PRINCIPALS;
    await world.queryAs(
      deployer,
      `IF NOT EXISTS (SELECT * FROM sys.server_principals WHERE name = N'${mallory.name}')\n    CREATE LOGIN [${mallory.name}] FROM EXTERNAL PROVIDER`,
    );
    await world.queryAs(
      deployer,
      `IF DATABASE_PRINCIPAL_ID(N'${mallory.name}') IS NULL\n    CREATE USER [${mallory.name}] FROM LOGIN [${mallory.name}]`,
    );
    await world.queryAs(
      deployer,
      `ALTER ROLE [synapse_export_readers] ADD MEMBER [${mallory.name}]`,
    );
    expect(await world.queryAs(mallory, "SELECT * FROM [dbo].[Customer]")).to.deep.equal([]);

    const before = world.tds.statements().length;
    expect((await world.run()).ok).to.equal(true);
    const sent = world.tds
      .statements()
      .slice(before)
      .map((s) => s.text);
    expect(sent).to.include(`ALTER ROLE [synapse_export_readers] DROP MEMBER [${mallory.name}]`);
    expect(sent.filter((t) => /^DROP USER/.test(t))).to.deep.equal([]);
    expect(world.model.userNames(DB)).to.include(mallory.name);
    const error = await refusal(world.queryAs(mallory, "SELECT * FROM [dbo].[Customer]"));
    expect(error.number).to.equal(229);
  });

  it("answers a statement shape that the golden files do not allow with 102, as serverless answers bad syntax", async () => {
    expect((await world.run()).ok).to.equal(true);
    const error = await refusal(
      world.queryAs(
        PRINCIPALS.deployer,
        "CREATE DATABASE SCOPED CREDENTIAL [x] WITH IDENTITY = 'Managed Identity'",
      ),
    );
    expect(error.number).to.equal(102);
  });
});
