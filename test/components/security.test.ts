// Security, proven under Pulumi's mocks in update and preview mode: a SQL administrator password never
// reaches the engine (inputs, outputs, state, look-ups) except wrapped as a secret, and no grant is
// broader than the permission plan's roles.

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import { FORBIDDEN_ROLE_IDS, ROLES } from "../../src/plan/roles";
import { errorKind } from "../../src/errors";
import { validateSpec } from "../../src/spec/validate";
import { planGrants, type Grant } from "../../src/plan/grants";
import { VALID_SPEC_BASE_DIR, newStorageAndWorkspaceRawSpec, validRawSpec } from "../helpers/specs";
import {
  AzureMocks,
  CI_APP_ID,
  defaultWorld,
  deploy,
  ROLE_ASSIGNMENT,
  SYNAPSE_ROLE_ASSIGNMENT,
} from "./azureMocks";

const PASSWORD = "Sup3r-S3cret-Pa55word!";
const SECRET_SIG = pulumi.runtime.specialSecretSig;
const SIG_KEY = pulumi.runtime.specialSigKey;

let components: typeof Components;

before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
});

interface Finding {
  where: string;
  wrapped: boolean;
}

/**
 * Every place `needle` occurs in `value`, and whether it sits inside a secret (the wire form
 * `{ <sig>: <secret sig>, value }`). Walks objects, arrays and protobuf Structs.
 */
export function findSecret(
  value: unknown,
  needle: string,
  where: string,
  inSecret = false,
): Finding[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string")
    return value.includes(needle) ? [{ where, wrapped: inSecret }] : [];
  if (typeof value !== "object") return [];
  const v = value as any;
  if (typeof v.toJavaScript === "function")
    return findSecret(v.toJavaScript(), needle, where, inSecret);
  if (Array.isArray(v))
    return v.flatMap((item, i) => findSecret(item, needle, `${where}[${i}]`, inSecret));
  const isSecret = v[SIG_KEY] === SECRET_SIG;
  return Object.entries(v).flatMap(([k, item]) =>
    findSecret(item, needle, `${where}.${k}`, inSecret || isSecret),
  );
}

/** Everything the program told the engine: inputs, returned state, component outputs, look-up args. */
function everythingSent(mocks: AzureMocks): Finding[] {
  const monitor = pulumi.runtime.getMonitor() as any;
  const findings: Finding[] = [];
  for (const r of mocks.resources) {
    findings.push(...findSecret(r.inputs, PASSWORD, `${r.type} ${r.name} inputs`));
    findings.push(...findSecret(r.state, PASSWORD, `${r.type} ${r.name} state`));
  }
  for (const [urn, registered] of monitor.getRegisteredResources() as Map<string, any>) {
    findings.push(...findSecret(registered.state, PASSWORD, `${urn} outputs`));
  }
  for (const call of mocks.invokes)
    findings.push(...findSecret(call.inputs, PASSWORD, `invoke ${call.token}`));
  return findings;
}

function newWorkspaceSpec(withLogin: boolean): Record<string, any> {
  return newStorageAndWorkspaceRawSpec(withLogin ? { sqlAdministratorLogin: "sqladmin" } : {});
}

describe("the secrets walk itself", () => {
  it("finds a value outside a secret, and tells one inside a secret apart", () => {
    const found = findSecret(
      { a: [{ b: `x${PASSWORD}x` }], c: { [SIG_KEY]: SECRET_SIG, value: { d: PASSWORD } } },
      PASSWORD,
      "root",
    );
    expect(found).to.deep.equal([
      { where: "root.a[0].b", wrapped: false },
      { where: "root.c.value.d", wrapped: true },
    ]);
  });
});

for (const preview of [false, true]) {
  const mode = preview ? "preview" : "update";

  describe(`no secret leaks (${mode})`, () => {
    it("keeps a SQL administrator password from secret stack config wrapped everywhere", async () => {
      const { mocks } = await deploy(
        () =>
          new components.CustomerInsightsSynapseExport("ci", {
            spec: newWorkspaceSpec(true),
            baseDir: VALID_SPEC_BASE_DIR,
          }),
        {
          preview,
          config: { "synapse-export:sqlAdministratorPassword": PASSWORD },
          secretKeys: ["synapse-export:sqlAdministratorPassword"],
        },
      );
      const findings = everythingSent(mocks);
      expect(
        findings.filter((f) => !f.wrapped),
        "the password in plain text",
      ).to.deep.equal([]);
      // Not vacuous: the workspace did receive it, as a secret, with the login.
      const [workspace] = mocks.ofType("azure-native:synapse:Workspace");
      expect(workspace.inputs.sqlAdministratorLogin).to.equal("sqladmin");
      expect(workspace.inputs.azureADOnlyAuthentication).to.equal(false);
      expect(workspace.inputs.sqlAdministratorLoginPassword).to.deep.equal({
        [SIG_KEY]: SECRET_SIG,
        value: PASSWORD,
      });
      expect(workspace.options.additionalSecretOutputs).to.include("sqlAdministratorLoginPassword");
      expect(findings.some((f) => f.wrapped)).to.equal(true);
    });

    it("wraps a password passed as a plain string argument as a secret too", async () => {
      const { mocks } = await deploy(
        () =>
          new components.CustomerInsightsSynapseExport("ci", {
            spec: newWorkspaceSpec(true),
            baseDir: VALID_SPEC_BASE_DIR,
            sqlAdministratorPassword: PASSWORD,
          }),
        { preview },
      );
      const findings = everythingSent(mocks);
      expect(
        findings.filter((f) => !f.wrapped),
        "the password in plain text",
      ).to.deep.equal([]);
      expect(findings.length).to.be.greaterThan(0);
    });

    it("sends no password at all when the workspace is Entra-only (the default)", async () => {
      const { mocks } = await deploy(
        () =>
          new components.CustomerInsightsSynapseExport("ci", {
            spec: newWorkspaceSpec(false),
            baseDir: VALID_SPEC_BASE_DIR,
          }),
        {
          preview,
          config: { "synapse-export:sqlAdministratorPassword": PASSWORD },
          secretKeys: ["synapse-export:sqlAdministratorPassword"],
        },
      );
      expect(everythingSent(mocks)).to.deep.equal([]);
      const [workspace] = mocks.ofType("azure-native:synapse:Workspace");
      expect(workspace.inputs.azureADOnlyAuthentication).to.equal(true);
    });

    it("writes no account keys or SAS anywhere: a new account has shared-key access off", async () => {
      const { mocks } = await deploy(
        () =>
          new components.CustomerInsightsSynapseExport("ci", {
            spec: newWorkspaceSpec(false),
            baseDir: VALID_SPEC_BASE_DIR,
          }),
        { preview },
      );
      const [account] = mocks.ofType("azure-native:storage:StorageAccount");
      expect(account.inputs.allowSharedKeyAccess).to.equal(false);
      expect(JSON.stringify(mocks.resources.map((r) => r.inputs))).to.not.match(
        /AccountKey=|[?&]sig=/,
      );
    });
  });

  describe(`no role broader than the plan's (${mode})`, () => {
    const world = defaultWorld();
    const variants: Record<
      string,
      { mutate: (raw: Record<string, any>) => void; workspaceIdentity: string }
    > = {
      "the default": {
        mutate: () => {},
        workspaceIdentity: world.workspaces["rg-analytics/ws-ci"].principalId,
      },
      "container-scoped data roles": {
        mutate: (raw) => (raw.connection.dataRoleScope = "container"),
        workspaceIdentity: world.workspaces["rg-analytics/ws-ci"].principalId,
      },
      "a shared connection": {
        mutate: (raw) => {
          raw.connection.usableBy = "administrators-and-contributors";
          raw.principals.contributors = [
            { objectId: "7b7b7b7b-0000-4000-8000-000000000007", type: "Group" },
          ];
        },
        workspaceIdentity: world.workspaces["rg-analytics/ws-ci"].principalId,
      },
      "new storage and workspace": {
        mutate: (raw) => Object.assign(raw, newWorkspaceSpec(false)),
        workspaceIdentity: world.newWorkspacePrincipalId,
      },
    };
    for (const [label, { mutate, workspaceIdentity }] of Object.entries(variants)) {
      it(`gives each principal exactly the plan's roles for that principal, none of Owner, Contributor, User Access Administrator, Storage Blob Data Owner: ${label}`, async () => {
        const raw = validRawSpec();
        mutate(raw);
        const { mocks } = await deploy(
          () => new components.ExportConnection("ci", { spec: raw, baseDir: VALID_SPEC_BASE_DIR }),
          { preview, world },
        );
        // What each principal may hold: the plan's own table, per principal. Principals the plan
        // leaves to deploy time resolve to the object ids the mocked tenant answers with.
        const objectIdOf: Record<string, string> = {
          customerInsights: world.servicePrincipals[CI_APP_ID],
          administrator: world.users["admin@contoso.com"],
          workspaceIdentity,
          // Azure's client configuration in the mocks: the deploying identity, a user of the tenant.
          deployer: "deadbeef-0000-4000-8000-000000000001",
        };
        const typeOf: Record<string, string> = { deployer: "User" };
        const planned = planGrants(validateSpec(raw, VALID_SPEC_BASE_DIR).spec!).map((g) => ({
          principalId: g.principalId ?? objectIdOf[g.principal],
          grant: `${g.roleDefinitionId} as ${g.principalType ?? typeOf[g.principal]}`,
        }));
        const assigned = [
          ...mocks.ofType(ROLE_ASSIGNMENT).map((r) => ({
            principalId: r.inputs.principalId,
            grant: `${r.inputs.roleDefinitionId.split("/").pop()} as ${r.inputs.principalType}`,
          })),
          ...mocks.ofType(SYNAPSE_ROLE_ASSIGNMENT).map((r) => ({
            principalId: r.inputs.principalId,
            grant: `${r.inputs.roleId} as ${r.inputs.principalType}`,
          })),
        ];
        const byPrincipal = (rows: { principalId: string; grant: string }[]) => {
          const table: Record<string, string[]> = {};
          for (const { principalId, grant } of rows) (table[principalId] ??= []).push(grant);
          for (const grants of Object.values(table)) grants.sort();
          return table;
        };
        expect(planned.length).to.be.greaterThan(5);
        expect(byPrincipal(assigned)).to.deep.equal(byPrincipal(planned));
        for (const { grant } of assigned) {
          const id = grant.split(" ")[0];
          expect(FORBIDDEN_ROLE_IDS, `role ${id}`).to.not.have.property(id);
        }
      });
    }

    const plan = (): Grant[] => planGrants(validateSpec(validRawSpec(), "/specs").spec!);
    const tampered = (change: Partial<Grant>): Grant[] => {
      const grants = plan();
      grants[0] = { ...grants[0], ...change };
      return grants;
    };
    const permissionsFor = async (grants: Grant[]) => {
      let thrown: Error | undefined;
      const { mocks } = await deploy(
        () => {
          try {
            new components.ExportPermissions("p", {
              grants,
              principalIds: { customerInsights: "c", administrator: "a", workspaceIdentity: "w" },
              scopes: {
                storageAccount: "/s",
                container: "/s/c",
                workspaceResourceGroup: "/rg",
                workspace: "workspaces/w",
              },
              subscriptionId: "11111111-2222-3333-4444-555555555555",
              workspaceName: "w",
            });
          } catch (err) {
            thrown = err as Error;
          }
        },
        { preview },
      );
      return { thrown, mocks };
    };

    for (const [id, role] of Object.entries(FORBIDDEN_ROLE_IDS)) {
      it(`refuses a grant of ${role} before anything is registered`, async () => {
        const { thrown, mocks } = await permissionsFor(tampered({ roleDefinitionId: id }));
        expect(thrown?.message).to.contain(`the role ${role} is broader than the export needs`);
        // The component's arguments are refused (kind spec), printed without a stack.
        expect(errorKind(thrown)).to.equal("spec");
        expect(pulumi.RunError.isInstance(thrown)).to.equal(true);
        expect(mocks.resources).to.deep.equal([]);
      });
    }

    it("names a role id such as __proto__ as not one of the plan's roles, never as Object's prototype", async () => {
      const { thrown, mocks } = await permissionsFor(tampered({ roleDefinitionId: "__proto__" }));
      expect(thrown?.message).to.contain(
        "role definition __proto__ is not one of the permission plan's roles",
      );
      expect(thrown?.message).not.to.contain("[object Object]");
      expect(mocks.resources).to.deep.equal([]);
    });

    it("refuses to send the Synapse Administrator role id to ARM", async () => {
      const { thrown, mocks } = await permissionsFor(
        tampered({ roleDefinitionId: ROLES["Synapse Administrator"].id, plane: "arm" }),
      );
      expect(thrown?.message).to.contain("Synapse Administrator is a Synapse RBAC role");
      expect(mocks.ofType(ROLE_ASSIGNMENT)).to.deep.equal([]);
    });
  });
}
