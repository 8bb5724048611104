// `synapse-export permissions plan <spec> --format table|json|mermaid` and
// `synapse-export permissions diff [preview.json]` (stdin when no file is given).

import * as fs from "node:fs";
import type { Spec } from "../../spec/types";
import { planGrants } from "../../plan/grants";
import { planLakeSourceGrants } from "../../plan/lakeSourceGrants";
import { grantsToMermaid } from "../../plan/grantGraph";
import { withSignedInDeployer, type TokenIdentity } from "../../plan/tokenIdentity";
import { PreviewDocumentError, reviewPermissions } from "../../plan/permissionDiff";
import { renderReview } from "./renderReview";
import { UsageError } from "../args";
import { json, terminalWidth, type Output } from "../output";
import { grantsTable, lakeSourceGrantsText } from "./plan";
import { messageOf } from "../../errors";

export function permissionsPlanCommand(
  spec: Spec,
  format: string,
  output: Output,
  signedIn?: TokenIdentity,
): number {
  // --signed-in: the deployer's grant names the identity signed in here (its token's oid), not "deploy time".
  const grants = signedIn ? withSignedInDeployer(planGrants(spec), signedIn) : planGrants(spec);
  const lakeSourceGrants = planLakeSourceGrants(spec);
  if (format === "json") output.out(json({ grants, lakeSourceGrants }));
  else if (format === "mermaid") output.out(grantsToMermaid(grants));
  else if (format === "table") {
    output.out(grantsTable(grants, terminalWidth()));
    if (lakeSourceGrants.length > 0) output.out(lakeSourceGrantsText(lakeSourceGrants));
  } else throw new UsageError(`--format ${format} is not known; use table, json or mermaid`);
  return 0;
}

export async function readPreviewDocument(file: string | undefined): Promise<unknown> {
  let text: string;
  if (file && file !== "-") {
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`,
      );
    }
  } else {
    if (process.stdin.isTTY) {
      throw new UsageError(
        "pipe a preview into it: pulumi preview --json | synapse-export permissions diff",
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString("utf8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    // Not a preview document, like any other malformed one: `invalid-preview` under --json.
    throw new PreviewDocumentError(
      `the preview is not JSON (${messageOf(error)}); use 'pulumi preview --json'`,
    );
  }
}

export interface DiffOptions {
  json: boolean;
  /** Full ids and scopes, no width limit. */
  wide: boolean;
  /** The width lines must fit (terminalWidth()). */
  width: number;
  /** With a spec, a grant that is not what its plan says is flagged too. */
  spec?: Spec;
}

/** Exit 0 when nothing needs a second look, 3 when a grant is too broad or not what the plan says. */
export function permissionsDiffCommand(
  document: unknown,
  options: DiffOptions,
  output: Output,
): number {
  const review = reviewPermissions(document, options.spec);
  const flagged = review.changes.some((c) => c.flags.length > 0);
  if (options.json) {
    output.out(json({ ok: !flagged, ...review }));
  } else {
    output.out(renderReview(review, options));
  }
  return flagged ? 3 : 0;
}
