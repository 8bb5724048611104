// `permissions diff` as a reviewer and a pipeline use it, through the real CLI: broad grants are
// flagged and exit 3, `--spec` compares with the spec's plan, unknowns read as unknown, any input
// exits 1 with what was expected, and every line fits the terminal.
// The previews are hand-made in Pulumi's `preview --json` shape (see test/fixtures/preview/), and the
// expected values are read from them and from the example spec, not from the code under test.

import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { runCli, REPO_ROOT } from "../helpers/cli";

const FIXTURES = path.join(REPO_ROOT, "test/fixtures/preview");
const CHANGED = path.join(FIXTURES, "grants-changed.json");
const BROAD = path.join(FIXTURES, "broad-grant.json");
const EXAMPLE = "stacks/customer-insights.spec.yaml";
const PLACEHOLDER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const ARM = "azure-native:authorization:RoleAssignment";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
// The example spec's reader group and its account (stacks/customer-insights.spec.yaml).
const ANALYSTS = "6a3c1d2e-0f4b-4c8d-9e7a-2b1c3d4e5f60";
const ACCOUNT = `${SUB}/resourceGroups/rg-analytics/providers/Microsoft.Storage/storageAccounts/stciexport`;

function armCreate(name: string, inputs: Record<string, unknown>) {
  const urn = `urn:pulumi:dev::synapse-export::synapse-export:index:CustomerInsightsSynapseExport$${ARM}::${name}`;
  return { op: "create", urn, newState: { type: ARM, urn, custom: true, inputs } };
}

function role(id: string) {
  return `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
}

async function diff(document: unknown, ...args: string[]) {
  return runCli(["permissions", "diff", ...args], { stdin: JSON.stringify(document) });
}

/**
 * A preview creating two of the example spec's grants: Customer Insights' Reader on the workspace's
 * resource group (to `ciPrincipal`) and the analysts group's data reader role on the account.
 */
function exampleGrants(ciPrincipal: string) {
  return {
    steps: [
      armCreate("ci-customer-insights-reader-on-workspace-resource-group", {
        principalId: ciPrincipal,
        principalType: "ServicePrincipal",
        roleDefinitionId: role(READER),
        scope: `${SUB}/resourceGroups/rg-analytics`,
      }),
      armCreate(`ci-reader-${ANALYSTS}-storage-blob-data-reader-on-storage-account`, {
        principalId: ANALYSTS,
        principalType: "Group",
        roleDefinitionId: role(BLOB_READER),
        scope: ACCOUNT,
      }),
    ],
  };
}

describe("synapse-export permissions diff: a review that gates a pipeline", () => {
  it("flags Owner on a whole subscription, with the reasons, and exits 3", async () => {
    const r = await runCli(["permissions", "diff", BROAD], { env: { COLUMNS: "200" } });
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stdout.split("\n")[0]).to.equal(
      "2 permission changes: 2 added, 0 removed, 0 replaced, 0 updated; 1 broader than the export needs.",
    );
    expect(r.stdout).to.contain("Needs a second look (the exit code is 3):");
    expect(r.stdout).to.match(
      /- BROAD ROLE: added Owner on \/subscriptions\/11111111-…-555555555555/,
    );
    expect(r.stdout).to.match(/- BROAD SCOPE: added Owner .*is a whole\s+subscription/s);
    // Only the Owner grant is flagged: the workspace identity's data role is what the export needs.
    expect(r.stdout.match(/^ {2}- /gm)).to.have.length(2);
  });

  it("flags each broad role and a management-group scope, but not a removal", async () => {
    const roles: Record<string, string> = {
      Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
      Contributor: CONTRIBUTOR,
      "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
      "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    };
    for (const [name, id] of Object.entries(roles)) {
      const r = await diff(
        {
          steps: [
            armCreate("x", { principalId: ANALYSTS, roleDefinitionId: role(id), scope: ACCOUNT }),
          ],
        },
        "--json",
      );
      expect(r.code, name).to.equal(3);
      const change = JSON.parse(r.stdout).changes[0];
      expect(change.role).to.equal(name);
      expect(change.flags.map((f: any) => f.kind)).to.deep.equal(["broad-role"]);
    }
    const mg = "/providers/Microsoft.Management/managementGroups/contoso";
    const r = await diff(
      {
        steps: [
          armCreate("mg", {
            principalId: ANALYSTS,
            roleDefinitionId: role(BLOB_READER),
            scope: mg,
          }),
          {
            ...armCreate("gone", {
              principalId: ANALYSTS,
              roleDefinitionId: role(CONTRIBUTOR),
              scope: SUB,
            }),
            op: "delete",
            oldState: armCreate("gone", {
              principalId: ANALYSTS,
              roleDefinitionId: role(CONTRIBUTOR),
              scope: SUB,
            }).newState,
            newState: undefined,
          },
        ],
      },
      "--json",
    );
    expect(r.code).to.equal(3);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).to.equal(false);
    expect(doc.summary).to.deep.equal({
      added: 1,
      removed: 1,
      replaced: 0,
      updated: 0,
      broad: 1,
      differsFromPlan: 0,
      principalUnchecked: 0,
    });
    expect(doc.changes[0].flags[0]).to.include({ kind: "broad-scope" });
    expect(doc.changes[0].flags[0].reason).to.contain("management group");
    expect(doc.changes[1].flags).to.deep.equal([]);
  });

  it("exits 0 when nothing is broad", async () => {
    const r = await runCli(["permissions", "diff", CHANGED, "--json"]);
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout).ok).to.equal(true);
  });

  it("with --spec, flags what differs from the spec's plan and passes what matches it", async () => {
    const planned = exampleGrants(PLACEHOLDER);
    const ok = await runCli(["permissions", "diff", "--spec", EXAMPLE], {
      stdin: JSON.stringify(planned),
      env: { COLUMNS: "200" },
    });
    expect(ok.code, ok.stdout + ok.stderr).to.equal(0);
    // The spec names the reader group: the review says who the object id is.
    expect(ok.stdout).to.contain("6a3c1d2e-…-2b1c3d4e5f60, analysts (Group)");
    expect(ok.stdout.split("\n")[0]).to.match(/; 0 not as the spec's plan says\.$/);

    const widened = structuredClone(planned);
    widened.steps[1].newState.inputs.roleDefinitionId = role(CONTRIBUTOR);
    widened.steps[0].newState.inputs.scope = `${SUB}/resourceGroups/rg-other`;
    widened.steps.push(
      armCreate("ci-extra", { principalId: ANALYSTS, roleDefinitionId: role(READER), scope: SUB }),
    );
    const r = await diff(widened, "--spec", EXAMPLE, "--json");
    expect(r.code).to.equal(3);
    const flags = JSON.parse(r.stdout).changes.map((c: any) => c.flags.map((f: any) => f.kind));
    expect(flags).to.deep.equal([
      ["differs-from-plan"],
      ["broad-role", "differs-from-plan"],
      ["broad-scope", "not-in-plan"],
    ]);
    const reasons = JSON.parse(r.stdout).changes.map((c: any) => c.flags.at(-1).reason);
    expect(reasons[0]).to.contain(
      `scope ${SUB}/resourceGroups/rg-other, the plan says ${SUB}/resourceGroups/rg-analytics`,
    );
    expect(reasons[1]).to.contain("role Contributor, the plan says Storage Blob Data Reader");
    expect(reasons[2]).to.contain("the spec's plan has no grant of Reader");
  });

  it("with --spec, says which principals it could not check: the plan's is known only at deploy time", async () => {
    // The example spec names Customer Insights by appId and gives no deployer: a grant of their role
    // and scope to anyone matches, and once read as "0 not as the spec's plan says".
    const stranger = "99999999-0000-4000-8000-000000000001";
    const preview = exampleGrants(stranger);
    const r = await runCli(["permissions", "diff", "--spec", EXAMPLE], {
      stdin: JSON.stringify(preview),
      env: { COLUMNS: "200" },
    });
    expect(r.code, "not a flag: nothing says it is wrong").to.equal(0);
    expect(r.stdout.split("\n")[0]).to.match(
      /; 0 not as the spec's plan says, 1 whose principal it cannot check offline\.$/,
    );
    expect(r.stdout).to.match(/^added \?/m);
    expect(r.stdout).to.contain("Principal not checked against the plan");
    expect(r.stdout).to.contain("knows its principal only at deploy time");
    const j = await runCli(["permissions", "diff", "--spec", EXAMPLE, "--json"], {
      stdin: JSON.stringify(preview),
    });
    const doc = JSON.parse(j.stdout);
    expect(doc.summary.principalUnchecked).to.equal(1);
    expect(doc.changes[0].principalUnchecked).to.contain(`${stranger} was not compared`);
    // The reader group is in the spec by object id: it was compared.
    expect(doc.changes[1]).not.to.have.property("principalUnchecked");
  });

  it("shows Pulumi's unknown placeholder as (known after deploy), named from the workspace it belongs to", async () => {
    const r = await runCli(["permissions", "diff", BROAD], { env: { COLUMNS: "200" } });
    expect(r.stdout).not.to.contain(PLACEHOLDER);
    expect(r.stdout).to.contain(
      "workspace ws-new managed identity, id (known after deploy) (ServicePrincipal)",
    );
    const j = await runCli(["permissions", "diff", BROAD, "--json"]);
    expect(j.stdout).not.to.contain(PLACEHOLDER);
    const identity = JSON.parse(j.stdout).changes[1];
    expect(identity).to.include({
      principalId: "(known after deploy)",
      principalName: "workspace ws-new managed identity",
    });
  });

  it("exits 1 with what it expected on any odd input, never a TypeError", async () => {
    const odd: unknown[] = [
      null,
      [],
      "steps",
      42,
      {},
      { steps: null },
      { steps: "all" },
      { steps: [null] },
      { steps: [42] },
      { steps: [{}] },
      { steps: [{ op: "toString", urn: "u" }] },
      { steps: [{ op: "constructor", urn: "u" }] },
      { steps: [{ op: "__proto__", urn: "u" }] },
      { steps: [{ op: "create" }] },
      { steps: [{ op: 7, urn: "u" }] },
      { steps: [{ op: "create", urn: "u", newState: "x" }] },
      { steps: [{ op: "create", urn: "u", newState: { type: ARM, inputs: [] } }] },
      { steps: [{ op: "create", urn: "u", newState: { type: ARM, inputs: { principalId: 42 } } }] },
      { steps: [{ op: "create", urn: "u", newState: { type: ARM, inputs: { scope: { a: 1 } } } }] },
      // Another tool's JSON: a Terraform plan and a GitHub Actions run.
      { format_version: "1.2", resource_changes: [{ change: { actions: ["create"] } }] },
      { steps: [{ name: "Checkout", uses: "actions/checkout@v4" }] },
    ];
    for (const document of odd) {
      const r = await diff(document);
      const label = JSON.stringify(document);
      expect(r.code, label).to.equal(1);
      expect(r.stderr, label).to.match(/^synapse-export: /);
      expect(r.stderr, label).to.match(/expected|steps/);
      expect(r.stderr, label).not.to.match(/TypeError|\bat .*\.js:\d+/);
    }
  });

  it("with --json, refuses what is not a preview as one JSON document", async () => {
    const r = await diff({ steps: [{ op: "toString", urn: "u" }] }, "--json");
    expect(r.code).to.equal(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).to.equal(false);
    expect(doc.error.code).to.equal("invalid-preview");
    expect(doc.error.message).to.match(/^step 1 of the preview has op 'toString'/);
    // Text that is not JSON is not a preview either: the same code, not "usage".
    const text = await runCli(["permissions", "diff", "--json"], { stdin: "Previewing update..." });
    expect(text.code).to.equal(1);
    expect(JSON.parse(text.stdout).error).to.include({ code: "invalid-preview" });
    expect(JSON.parse(text.stdout).error.message).to.contain("the preview is not JSON");
  });

  it("reads missing fields as missing, not as a crash", async () => {
    const r = await diff({ steps: [armCreate("bare", {})] }, "--json");
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout).changes[0]).to.include({ principalId: "", scope: "" });
  });
});

describe("synapse-export permissions diff: output that fits", () => {
  const longest = (text: string) => Math.max(...text.split("\n").map((l) => l.length));

  for (const columns of [80, 200]) {
    it(`fits every line in COLUMNS=${columns}, with ids shortened`, async () => {
      for (const file of [CHANGED, BROAD]) {
        for (const extra of [[], ["--spec", EXAMPLE]]) {
          const r = await runCli(["permissions", "diff", file, ...extra], {
            env: { COLUMNS: String(columns) },
          });
          expect(longest(r.stdout), `${file} ${extra.join(" ")}`).to.be.at.most(columns);
          expect(r.stdout).not.to.contain("11111111-2222-3333-4444-555555555555");
        }
      }
    });
  }

  it("fits 100 columns when piped and COLUMNS is not set", async () => {
    const r = await runCli(["permissions", "diff", CHANGED], { env: { COLUMNS: "" } });
    expect(longest(r.stdout)).to.be.at.most(100);
  });

  it("shows full ids with --wide, and every full value with --json", async () => {
    const wide = await runCli(["permissions", "diff", CHANGED, "--wide"], {
      env: { COLUMNS: "80" },
    });
    expect(wide.stdout).to.contain("aaaaaaaa-0000-0000-0000-0000000000ff");
    expect(wide.stdout).to.contain(
      `${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stciexport`,
    );
    expect(wide.stdout).not.to.contain("…");
    const json = await runCli(["permissions", "diff", CHANGED, "--json"]);
    expect(json.stdout).not.to.contain("…");
    const fixture = JSON.parse(fs.readFileSync(CHANGED, "utf8"));
    const scopes = fixture.steps
      .map((s: any) => (s.newState ?? s.oldState).inputs.scope)
      .filter((s: unknown) => typeof s === "string" && s.startsWith("/"));
    for (const scope of scopes) expect(json.stdout).to.contain(scope);
  });
});
