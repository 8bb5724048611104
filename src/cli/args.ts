// A small argument parser: positional words and `--flag value` / `--flag=value` / `--switch`.
// The commands are few, so a dependency would be more to review than this.

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

export function parseArgs(
  argv: readonly string[],
  switches: readonly string[],
  valued: readonly string[],
): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (switches.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options.set(name, true);
    } else if (valued.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith("--"))) {
        throw new UsageError(`--${name} needs a value`);
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
      throw new UsageError(`unknown option --${name}${known ? ` (known here: ${known})` : ""}`);
    }
  }
  return { positional, options };
}

export function optionString(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === "string" ? v : undefined;
}
