// The `synapse-export` command.

import * as path from "node:path";
import { PreviewDocumentError } from "../plan/permissionDiff";
import { SpecError } from "../spec/specError";
import { parseArgs, optionString, UsageError } from "./args";
import { explainError } from "./errors";
import { loadSpecFile, loadStackSpec, type LoadedSpec } from "./loadSpec";
import { processOutput, type Output } from "./output";
import { reportValidation, validateCommand } from "./commands/validate";
import { planCommand } from "./commands/plan";
import { runCommand } from "./commands/run";
import {
  permissionsDiffCommand,
  permissionsPlanCommand,
  readPreviewDocument,
} from "./commands/permissions";

export const HELP = `synapse-export: export Customer Insights entity data to Azure Synapse Analytics

Usage:
  synapse-export validate <spec>                      check a spec; every error with its field path
  synapse-export plan <spec> [--json]                 grants, lake layout and SQL; touches nothing
  synapse-export run <spec> [--local <dir>] [--entities A,B] [--lock-wait <seconds>] [--rehash] [--json]
                                                      run the export now (Azure, or a local directory);
                                                      waits up to 30 s (--lock-wait) for another export
                                                      of the same target
  synapse-export permissions plan <spec> [--format table|json|mermaid]
  synapse-export permissions diff [preview.json]      permission changes in \`pulumi preview --json\` (stdin if no file)

Instead of <spec>, --stack <name> reads the spec of stacks/Pulumi.<name>.yaml.

Options:
  --json        one JSON document on stdout, nothing else
  --verbose     show the stack of an unexpected error
  --help        this text

Exit codes:
  0  success
  1  invalid spec or usage
  2  the run failed for at least one entity (the others still ran), or could not start
`;

const SWITCHES = ["json", "verbose", "help", "rehash"];
const VALUED = ["local", "entities", "stack", "format", "stacks-dir", "lock-wait"];

export async function main(
  argv: readonly string[],
  output: Output = processOutput,
): Promise<number> {
  let verbose = argv.includes("--verbose");
  try {
    const args = parseArgs(argv, SWITCHES, VALUED);
    verbose = args.options.has("verbose");
    const [command, ...rest] = args.positional;
    if (args.options.has("help") || command === "help" || command === undefined) {
      output.out(HELP);
      return command === undefined && !args.options.has("help") ? 1 : 0;
    }
    const asJson = args.options.has("json");
    const spec = () =>
      loadSpec(rest[0] === "plan" && command === "permissions" ? rest[1] : rest[0], args);
    switch (command) {
      case "validate":
        return validateCommand(spec(), output);
      case "plan": {
        const loaded = spec();
        if (!reportValidation(loaded, output)) return 1;
        return await planCommand(loaded.spec!, asJson, output);
      }
      case "run": {
        const loaded = spec();
        if (!reportValidation(loaded, output)) return 1;
        const entities = optionString(args, "entities")
          ?.split(",")
          .map((e) => e.trim())
          .filter(Boolean);
        return await runCommand(
          loaded.spec!,
          {
            local: optionString(args, "local"),
            entities,
            json: asJson,
            lockWaitMs: lockWait(args),
            rehash: args.options.has("rehash"),
          },
          output,
        );
      }
      case "permissions": {
        if (rest[0] === "plan") {
          const loaded = spec();
          if (!reportValidation(loaded, output)) return 1;
          return permissionsPlanCommand(
            loaded.spec!,
            optionString(args, "format") ?? (asJson ? "json" : "table"),
            output,
          );
        }
        if (rest[0] === "diff")
          return permissionsDiffCommand(await readPreviewDocument(rest[1]), asJson, output);
        throw new UsageError("use `permissions plan <spec>` or `permissions diff [preview.json]`");
      }
      default:
        throw new UsageError(
          `unknown command '${command}'; use validate, plan, run or permissions`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`synapse-export: ${error.message}\nRun 'synapse-export --help' for usage.`);
      return 1;
    }
    if (error instanceof SpecError || error instanceof PreviewDocumentError) {
      output.err(error.message);
      return 1;
    }
    output.err(`synapse-export: ${explainError(error)}`);
    if (verbose && error instanceof Error && error.stack) output.err(error.stack);
    else output.err("(run with --verbose for details)");
    return 2;
  }
}

/** `--lock-wait <seconds>`: how long `run` waits for another export of the same target. */
function lockWait(args: ReturnType<typeof parseArgs>): number | undefined {
  const text = optionString(args, "lock-wait");
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--lock-wait takes a number of seconds (0 or more), got '${text}'`);
  }
  return seconds * 1000;
}

function loadSpec(file: string | undefined, args: ReturnType<typeof parseArgs>): LoadedSpec {
  const stack = optionString(args, "stack");
  if (stack) {
    const stacksDir = optionString(args, "stacks-dir") ?? path.resolve("stacks");
    return loadStackSpec(stack, stacksDir);
  }
  if (!file)
    throw new UsageError(
      "give the spec file (e.g. stacks/customer-insights.spec.yaml) or --stack <name>",
    );
  return loadSpecFile(file);
}
