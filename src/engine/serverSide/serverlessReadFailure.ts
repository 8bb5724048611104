// A failure of serverless SQL's read of a lake-resident source (the check query or the CETAS) as the
// entity's error: when serverless's text says a file's content is at fault (sql/serverlessFileErrors.ts),
// kind `data`, naming the file and what is wrong with it, and how to find the row; else the error as
// it came. Azure reads no byte of the source but its header rows, so it cannot name the line itself:
// the local target, over a copy of the file, can.

import { ExportError } from "../../errors";
import type { EntitySpec } from "../../spec/types";
import { serverlessFileProblem, type ServerlessFileProblem } from "../sql/serverlessFileErrors";
import type { ListedLakeFile } from "./lakeSourceListing";

/** What the engine itself said (a SynapseSqlError's serverMessage, read without importing the driver). */
export function serverMessageOf(error: unknown): string | undefined {
  const said = (error as { serverMessage?: unknown } | null)?.serverMessage;
  return typeof said === "string" ? said : undefined;
}

/** The error of a failed serverless read, in the entity's words when it is about a file. */
export function serverlessReadFailure(
  entity: EntitySpec,
  files: readonly ListedLakeFile[],
  error: unknown,
): unknown {
  const serverMessage = serverMessageOf(error);
  if (serverMessage === undefined) return error;
  const number = (error as { number?: unknown }).number;
  const found = serverlessFileProblem(
    typeof number === "number" ? number : undefined,
    serverMessage,
  );
  if (!found) return error;
  // The file as the run listed it: serverless quotes the name between apostrophes, and a name may
  // hold one (O'Brien.csv), so the longest listed URL the message holds is the file it means.
  const listed = files
    .filter((f) => serverMessage.includes(f.url))
    .sort((a, b) => b.url.length - a.url.length)[0];
  const next = nextStep(entity, found, listed);
  return new ExportError(
    "data",
    `serverless SQL could not read ${listed?.url ?? found.file} of the lake source: ${found.problem}. Nothing was published: the view serves what it served before.${next ? ` ${next}` : ""} (serverless SQL error ${String(number)}: ${found.said})`,
    { cause: error },
  );
}

function nextStep(
  entity: EntitySpec,
  found: ServerlessFileProblem,
  listed: ListedLakeFile | undefined,
): string | undefined {
  switch (found.next) {
    case "run-again":
      return "Run the export again once the source is written.";
    case "rehydrate":
      return "Move the blob to the Hot or Cool tier (rehydrate it), then run the export again.";
    case "find-row": {
      // `run --local` reads a CSV lake source at DIR/<container>/<path> (the decoded path) and names
      // the line; a Parquet source has no lines, and a model.json entity needs its model.json too.
      if (entity.source.format === "parquet") return undefined;
      const at = listed
        ? `DIR/${listed.location.container}/${listed.location.path}`
        : "DIR/<container>/<path>";
      const also =
        entity.source.format === "cdm" ? " (and its model.json to its own path under DIR)" : "";
      return `To find the row: copy the file to ${at}${also} and run \`synapse-export run <spec> --local DIR --entities ${entity.name}\`, which names its line or column.`;
    }
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
