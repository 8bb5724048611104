// A failure of serverless SQL's read of a lake-resident source (the check query or the CETAS) as the
// entity's error: when serverless's text says a file's content is at fault (sql/serverlessFileErrors.ts),
// kind `data`, naming the file and what is wrong with it, and how to find the row; else the error as
// it came. Azure reads no byte of the source but its header rows, so it cannot name the line itself:
// the local target, over a copy of the file, can.

import { ExportError } from "../../errors";
import type { EntitySpec } from "../../spec/types";
import { serverlessFileProblem, type ServerlessFileProblem } from "../sql/serverlessFileErrors";

/** The error of a failed serverless read, in the entity's words when it is about a file. */
export function serverlessReadFailure(entity: EntitySpec, error: unknown): unknown {
  // SynapseSqlError's fields, read without importing the driver's module.
  const { number, serverMessage } = (error ?? {}) as { number?: unknown; serverMessage?: unknown };
  if (typeof serverMessage !== "string") return error;
  const found = serverlessFileProblem(
    typeof number === "number" ? number : undefined,
    serverMessage,
  );
  if (!found) return error;
  const next = nextStep(entity, found);
  return new ExportError(
    "data",
    `serverless SQL could not read ${found.file} of the lake source: ${found.problem}. Nothing was written; the snapshot served before stays served.${next ? ` ${next}` : ""} (serverless SQL error ${String(number)}: ${found.said})`,
    { cause: error },
  );
}

function nextStep(entity: EntitySpec, found: ServerlessFileProblem): string | undefined {
  switch (found.next) {
    case "run-again":
      return "Run the export again once the source is written.";
    case "find-row":
      return `To find the row: copy the file to DIR/${localCopyPath(found.file)} and run \`synapse-export run --local DIR\`, which names its line or column.`;
    case "declare-type": {
      // Serverless names the column as the WITH clause does: the entity's column name.
      const c = entity.columns?.find((x) => x.name.toLowerCase() === found.column?.toLowerCase());
      return c
        ? `Declare column ${c.name} (now type ${c.type}) with a type that holds the file's values.`
        : "Declare the column with a type that holds the file's values.";
    }
    default:
      return undefined;
  }
}

/** Where `run --local DIR` reads a lake file from: DIR/<container>/<path> (the URL after its host). */
function localCopyPath(url: string): string {
  return /^https?:\/\/[^/]+\/(.+)$/.exec(url)?.[1] ?? "<container>/<path>";
}
