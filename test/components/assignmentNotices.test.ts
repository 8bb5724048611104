// The adoption of an existing role assignment is told through Pulumi's own log (pulumi.log on the
// resource), in preview and in update, not only on the provider's stderr: a dynamic provider cannot
// log through the engine (pulumi/pulumi#6065, #18249), so the component logs the provider's outputs.

import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import type * as Components from "../../src/components";
import { validRawSpec } from "../helpers/specs";
import { AzureMocks, defaultWorld, deploy, ROLE_ASSIGNMENT, SUBSCRIPTION_ID } from "./azureMocks";

const ACCOUNT = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stciexport`;
// Azure's own assignment for the workspace identity (its creator owns the lake), under Azure's name.
const AZURES = `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/7d1e2f3a-0000-4000-8000-00000000a2e5`;

let components: typeof Components;
before(async () => {
  await pulumi.runtime.setMocks(new AzureMocks(), "synapse-export", "test", false);
  components = require("../../src/components");
});

interface Logged {
  level: string;
  message: string;
  urn?: Promise<string>;
}

async function deployLogging(preview: boolean) {
  const world = defaultWorld();
  const wsMi = world.workspaces["rg-analytics/ws-ci"].principalId;
  world.existingArmAssignments = { [`${ACCOUNT}|${wsMi}`]: AZURES };
  const logged: Logged[] = [];
  const original = { info: pulumi.log.info, warn: pulumi.log.warn };
  const capture =
    (level: string) =>
    async (message: string, resource?: pulumi.Resource): Promise<void> => {
      logged.push({
        level,
        message,
        urn: resource?.urn && new Promise((r) => resource.urn.apply(r)),
      });
    };
  (pulumi.log as { info: unknown }).info = capture("info");
  (pulumi.log as { warn: unknown }).warn = capture("warn");
  try {
    const { mocks } = await deploy(
      () => new components.ExportConnection("ci", { spec: validRawSpec(), baseDir: "/specs" }),
      { preview, world },
    );
    return { logged, mocks };
  } finally {
    (pulumi.log as { info: unknown }).info = original.info;
    (pulumi.log as { warn: unknown }).warn = original.warn;
  }
}

describe("adopted role assignments in Pulumi's log", () => {
  it("preview says which existing assignment up will adopt, on that resource", async () => {
    const { logged } = await deployLogging(true);
    const adoption = logged.filter((l) => l.message.includes(AZURES));
    expect(adoption.map((l) => [l.level, l.message])).to.deep.equal([
      [
        "info",
        `workspace-identity-storage-blob-data-contributor-on-storage-account: up will adopt the existing role assignment ${AZURES} (same role, principal and scope) instead of creating one; pulumi destroy will leave it`,
      ],
    ]);
    const urn = await adoption[0].urn;
    expect(urn).to.contain("ArmRoleAssignment");
    expect(urn).to.match(/-workspace-identity-storage-blob-data-contributor-on-storage-account$/);
  });

  it("up logs the adoption it made, and nothing for the assignments it created", async () => {
    const { logged, mocks } = await deployLogging(false);
    expect(logged.map((l) => l.message)).to.deep.equal([
      `workspace-identity-storage-blob-data-contributor-on-storage-account: adopted the existing role assignment ${AZURES} (same role, principal and scope): it was not made by this stack, so pulumi destroy leaves it`,
    ]);
    // Adopted, not duplicated: one resource for the grant, under Azure's id.
    const ws = mocks
      .ofType(ROLE_ASSIGNMENT)
      .filter((r) =>
        r.name.endsWith("workspace-identity-storage-blob-data-contributor-on-storage-account"),
      );
    expect(ws.map((r) => r.id)).to.deep.equal([AZURES]);
  });
});
