// The command line: Node's own `util.parseArgs` splits it into words and options; this file says
// which options each command takes, so that one a command would ignore (`validate --entities A`)
// is a usage error rather than a silent no-op, and words its refusals the same way for every option.

import { parseArgs as splitArgs } from "node:util";
import { ExportError, type ErrorKind } from "../errors";

/**
 * The command cannot go on as asked: exit 1 with `code: "usage"`. Its kind is "usage" unless the
 * refusal is another part's (a spec file that is not UTF-8 is the spec's), which it keeps.
 */
export class UsageError extends ExportError {
  constructor(message: string, options?: { kind?: ErrorKind; cause?: unknown }) {
    super(options?.kind ?? "usage", message, { cause: options?.cause });
    this.name = "UsageError";
  }
}

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

/** What every command takes. */
const EVERYWHERE = { switches: ["json", "verbose", "help", "version"], valued: [] as string[] };
/** Where the spec comes from, for the commands that read one. */
const SPEC_SOURCE = ["stack", "stacks-dir"];

/** Each command's options beyond EVERYWHERE's, as its `--help` lists them. */
export const COMMAND_OPTIONS: Record<string, { switches: string[]; valued: string[] }> = {
  validate: { switches: [], valued: SPEC_SOURCE },
  plan: { switches: [], valued: [...SPEC_SOURCE, "local"] },
  run: { switches: ["rehash"], valued: [...SPEC_SOURCE, "local", "entities", "lock-wait"] },
  "permissions plan": { switches: ["signed-in"], valued: [...SPEC_SOURCE, "format"] },
  "permissions diff": { switches: ["wide"], valued: [...SPEC_SOURCE, "spec"] },
};

/** Every option some command takes: what the words are split by before the command is known. */
const ALL = {
  switches: [...new Set(Object.values(COMMAND_OPTIONS).flatMap((o) => o.switches))],
  valued: [...new Set(Object.values(COMMAND_OPTIONS).flatMap((o) => o.valued))],
};

/** The key of COMMAND_OPTIONS the words name (`permissions plan`), or undefined for none/unknown. */
function commandOf(positional: readonly string[]): string | undefined {
  const [command, sub] = positional;
  const key = command === "permissions" ? `permissions ${sub}` : command;
  return key !== undefined && key in COMMAND_OPTIONS ? key : undefined;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const { tokens } = splitArgs({
    args: [...argv],
    options: Object.fromEntries([
      ...[...EVERYWHERE.switches, ...ALL.switches].map((n) => [n, { type: "boolean" as const }]),
      ...ALL.valued.map((n) => [n, { type: "string" as const }]),
    ]),
    // Not strict: its refusals are worded here, naming the command's own options.
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positional: string[] = [];
  const given: { name: string; raw: string; value: string | undefined; inline: boolean }[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positional.push(token.value);
    else if (token.kind === "option") {
      // `-V` and `-h`, the two short forms people reach for, are --version and --help.
      const name =
        ({ V: "version", h: "help" } as Record<string, string>)[token.name] ?? token.name;
      given.push({
        name,
        raw: token.rawName,
        value: token.value,
        inline: token.inlineValue === true,
      });
    }
  }
  const command = commandOf(positional);
  const own = command ? COMMAND_OPTIONS[command] : { switches: ALL.switches, valued: ALL.valued };
  const switches = [...EVERYWHERE.switches, ...own.switches];
  const valued = own.valued;
  const options = new Map<string, string | true>();
  for (const { name, raw, value, inline } of given) {
    // `--entities A --entities B` ran B only, and `--local X --local Y` wrote to Y: refused.
    if (options.has(name) && valued.includes(name)) {
      throw new UsageError(
        `--${name} was given twice; give it once${name === "entities" ? " (--entities takes A,B)" : ""}`,
      );
    }
    if (switches.includes(name)) {
      if (value !== undefined) throw new UsageError(`--${name} takes no value`);
      options.set(name, true);
    } else if (valued.includes(name)) {
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      // `--local -V` once exported into a folder named -V: a value that looks like an option is
      // refused unless written inline (`--local=-V`), as Node's own strict parsing refuses it.
      if (!inline && value.startsWith("-") && value !== "-") {
        throw new UsageError(
          `--${name} needs a value; '${value}' looks like an option (write --${name}=${value} if it is the value)`,
        );
      }
      // `--local "$OUT"` with OUT unset must not quietly mean "no --local" (that is the Azure target).
      if (value.trim() === "") {
        throw new UsageError(
          `--${name} was given an empty value (an unset variable?); give a value or leave the option out`,
        );
      }
      options.set(name, value);
    } else {
      const known = [...switches, ...valued].map((o) => `--${o}`).join(", ");
      const elsewhere = Object.keys(COMMAND_OPTIONS).filter((c) =>
        [...COMMAND_OPTIONS[c].switches, ...COMMAND_OPTIONS[c].valued].includes(name),
      );
      throw new UsageError(
        command && elsewhere.length > 0
          ? `--${name} is not an option of '${command}' (it is one of ${elsewhere.map((c) => `'${c}'`).join(" and ")}'s); '${command}' takes ${known}`
          : `unknown option ${raw} (known here: ${known})`,
      );
    }
  }
  return { positional, options };
}

export function optionString(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === "string" ? v : undefined;
}
