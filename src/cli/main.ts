// The `synapse-export` command.

import * as fs from "node:fs";
import * as path from "node:path";
import { errorKind, messageOf, type ErrorKind } from "../errors";
import { PreviewDocumentError } from "../plan/permissionDiff";
import { SpecError } from "../spec/specError";
import { parseArgs, optionString, UsageError } from "./args";
import { explainError } from "./errors";
import { COMMAND_HELP, HELP } from "./help";
import { loadSpecFile, loadStackSpec, type LoadedSpec } from "./loadSpec";
import { json, processOutput, terminalWidth, type Output } from "./output";
import { reportValidation, validateCommand } from "./commands/validate";
import { planCommand } from "./commands/plan";
import { runCommand } from "./commands/run";
import {
  permissionsDiffCommand,
  permissionsPlanCommand,
  readPreviewDocument,
} from "./commands/permissions";

export { HELP } from "./help";

export async function main(
  argv: readonly string[],
  output: Output = processOutput,
): Promise<number> {
  let verbose = argv.includes("--verbose");
  // Known before parsing, so that even a usage error is one JSON document when --json was asked for.
  const asJson = argv.includes("--json");
  try {
    // Parsed first: `--local -V` is a value, and `-- --version` a word, not a request for the version.
    const args = parseArgs(argv);
    if (args.options.has("version")) {
      output.out(asJson ? json({ ok: true, version: VERSION() }) : `synapse-export ${VERSION()}`);
      return 0;
    }
    verbose = args.options.has("verbose");
    const [command, ...rest] = args.positional;
    if (command === undefined && asJson && !args.options.has("help")) {
      throw new UsageError("give a command: validate, plan, run or permissions");
    }
    if (args.options.has("help") || command === "help" || command === undefined) {
      const topic = command === "help" ? rest[0] : command;
      output.out((topic && COMMAND_HELP[topic]) || HELP);
      return command === undefined && !args.options.has("help") ? 1 : 0;
    }
    const spec = () => loadSpec(command === "permissions" ? rest.slice(1) : rest, command, args);
    const valid = (loaded: LoadedSpec) => reportValidation(loaded, output, asJson);
    switch (command) {
      case "validate":
        return validateCommand(spec(), output, asJson);
      case "plan": {
        const loaded = spec();
        if (!valid(loaded)) return 1;
        return await planCommand(
          loaded.spec!,
          { json: asJson, local: optionString(args, "local") },
          output,
        );
      }
      case "run": {
        const loaded = spec();
        if (!valid(loaded)) return 1;
        return await runCommand(
          loaded.spec!,
          {
            local: optionString(args, "local"),
            entities: selectedEntities(args, loaded),
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
          if (!valid(loaded)) return 1;
          // Offline unless asked: --signed-in reads the deployer from this machine's Azure sign-in.
          const signedIn = args.options.has("signed-in")
            ? await (
                require("../engine/azureCredential") as typeof import("../engine/azureCredential")
              ).signedInIdentity()
            : undefined;
          return permissionsPlanCommand(
            loaded.spec!,
            optionString(args, "format") ?? (asJson ? "json" : "table"),
            output,
            signedIn,
          );
        }
        if (rest[0] === "diff") {
          const specFile = optionString(args, "spec");
          let planned: LoadedSpec | undefined;
          if (rest.length > 2)
            throw extraWords("permissions diff", rest.slice(2), "one preview file");
          if (specFile !== undefined || optionString(args, "stack") !== undefined) {
            planned = loadSpec(specFile === undefined ? [] : [specFile], "permissions diff", args);
            if (!valid(planned)) return 1;
          }
          return permissionsDiffCommand(
            await readPreviewDocument(rest[1]),
            {
              json: asJson,
              wide: args.options.has("wide"),
              width: terminalWidth(),
              spec: planned?.spec,
            },
            output,
          );
        }
        throw new UsageError("use `permissions plan <spec>` or `permissions diff [preview.json]`");
      }
      default:
        throw new UsageError(
          `unknown command '${command}'; use validate, plan, run or permissions`,
        );
    }
  } catch (error) {
    if (error instanceof PreviewDocumentError) {
      if (asJson) output.out(failure("invalid-preview", "usage", error.message));
      else output.err(`synapse-export: ${error.message}`);
      return 1;
    }
    // The command line's own refusals, and the engine's of what it was given (a --local folder
    // DuckDB cannot read, an entity the spec does not have): exit 1, as README's exit codes say.
    if (error instanceof UsageError || errorKind(error) === "usage") {
      const message = messageOf(error);
      if (asJson) output.out(failure("usage", errorKind(error), message));
      else output.err(`synapse-export: ${message}\nRun 'synapse-export --help' for usage.`);
      return 1;
    }
    if (error instanceof SpecError) {
      if (asJson) output.out(failure("invalid-spec", "spec", error.message, error.issues[0]?.path));
      else output.err(error.message);
      return 1;
    }
    if (asJson) {
      const { failureKind } =
        require("../engine/azureCredential") as typeof import("../engine/azureCredential");
      output.out(failure("failed", failureKind(error), explainError(error)));
      if (verbose && error instanceof Error && error.stack) output.err(error.stack);
      return 2;
    }
    output.err(`synapse-export: ${explainError(error)}`);
    if (verbose && error instanceof Error && error.stack) output.err(error.stack);
    else output.err("(run with --verbose for details)");
    return 2;
  }
}

/**
 * The one shape of every failure under --json: `{ ok: false, error: { code, kind, message, field? } }`.
 * `kind` is the run record's (src/errors.ts: which part of the world refused); `code` says what the
 * command could not do.
 */
export function failure(code: string, kind: ErrorKind, message: string, field?: string): string {
  return json({ ok: false, error: { code, kind, message, ...(field ? { field } : {}) } });
}

/** `--entities A,B`: names of the spec's entities; any other name is a usage error that lists them. */
function selectedEntities(
  args: ReturnType<typeof parseArgs>,
  loaded: LoadedSpec,
): string[] | undefined {
  const text = optionString(args, "entities");
  if (text === undefined) return undefined;
  const names = text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const known = loaded.spec!.export.entities.map((e) => e.name);
  // Compared ignoring case, as the run itself selects them.
  const unknown = names.filter((n) => !known.some((k) => k.toLowerCase() === n.toLowerCase()));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `${names.length === 0 ? "--entities names no entity" : `--entities: no entity ${unknown.map((n) => `'${n}'`).join(", ")} in the spec`}; ` +
        `the spec's entities are ${known.join(", ")}`,
    );
  }
  return names;
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

/** More words than the command takes: refused, rather than reading the first and ignoring the rest. */
function extraWords(command: string, extra: readonly string[], takes: string): UsageError {
  return new UsageError(
    `'${command}' takes ${takes}; it was also given ${extra.map((w) => `'${w}'`).join(", ")}`,
  );
}

function loadSpec(
  words: readonly string[],
  command: string,
  args: ReturnType<typeof parseArgs>,
): LoadedSpec {
  const name = command === "permissions" ? "permissions plan" : command;
  const [file, ...extra] = words;
  if (extra.length > 0) throw extraWords(name, extra, "one spec file");
  const stack = optionString(args, "stack");
  if (stack === undefined && optionString(args, "stacks-dir") !== undefined) {
    throw new UsageError(
      "--stacks-dir says where --stack looks; give --stack <name> with it, or leave it out",
    );
  }
  if (stack !== undefined && file !== undefined) {
    throw new UsageError(
      `give the spec file '${file}' or --stack ${stack}, not both (--stack reads stacks/Pulumi.${stack}.yaml's spec)`,
    );
  }
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

/** This package's version, from the package.json above the compiled (dist/src/cli) or source file. */
function VERSION(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "synapse-export" && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return "unknown";
  }
}
