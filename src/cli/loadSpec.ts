// Reads a spec for the CLI: a YAML/JSON file, or a stack's spec (`--stack dev` reads
// stacks/Pulumi.dev.yaml: `synapse-export:specFile` or an inline `synapse-export:spec`).

import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { unresolvedAliasIssues, validateSpec, type ValidationResult } from "../spec/validate";
import {
  loadSpecFile as loadSpec,
  readSpecFile,
  refusingAliasBombs,
  SpecFileError,
} from "../spec/specFile";
import { UsageError } from "./args";
import { withLakeSourceIssues } from "../plan/exportableSpec";

export interface LoadedSpec extends ValidationResult {
  source: string;
}

export function loadSpecFile(file: string): LoadedSpec {
  // The spec layer's loader, the component's too: the same refusals (not a regular file, over 10 MB,
  // not UTF-8, YAML alias bombs), which the command reports as a usage error.
  return withLakeSourceIssues({ ...asUsageError(() => loadSpec(file)), source: file });
}

/** The spec of a Pulumi stack, from its stack config file in `stacksDir`. */
export function loadStackSpec(stack: string, stacksDir: string): LoadedSpec {
  const configFile = path.join(stacksDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(configFile)) {
    throw new UsageError(
      `no stack config ${configFile}; create it with 'pulumi stack init ${stack}' or copy Pulumi.dev.yaml`,
    );
  }
  // The same checks as a spec file: a regular file of at most 10 MB, UTF-8.
  const text = asUsageError(() => readSpecFile(configFile));
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0)
    throw new UsageError(`${configFile} is not valid YAML: ${doc.errors[0].message}`);
  const [unresolved] = unresolvedAliasIssues(doc, lineCounter, configFile);
  if (unresolved) throw new UsageError(unresolved.message);
  const values = asUsageError(() => refusingAliasBombs(configFile, () => doc.toJS()));
  const config = ((values ?? {}) as { config?: Record<string, unknown> }).config ?? {};
  const specFile = config["synapse-export:specFile"];
  const inline = config["synapse-export:spec"];
  if (typeof specFile === "string") {
    // Paths in stack config are relative to the project root (the folder of Pulumi.yaml).
    return loadSpecFile(path.resolve(path.dirname(stacksDir), specFile));
  }
  if (inline !== undefined)
    return withLakeSourceIssues({
      ...validateSpec(inline, path.dirname(stacksDir)),
      source: configFile,
    });
  throw new UsageError(`${configFile} has neither synapse-export:specFile nor synapse-export:spec`);
}

/**
 * A spec file the command cannot use exits as a usage error (exit 1, `code: "usage"`), keeping the
 * file's own kind ("spec": UTF-16, an alias bomb) for `--json` consumers.
 */
function asUsageError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SpecFileError)
      throw new UsageError(error.message, { kind: error.kind, cause: error });
    throw error;
  }
}
