// Reads a spec for the CLI: a YAML/JSON file, or a stack's spec (`--stack dev` reads
// stacks/Pulumi.dev.yaml: `synapse-export:specFile` or an inline `synapse-export:spec`).

import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { parseSpecText, validateSpec, type ValidationResult } from "../spec/validate";
import { UsageError } from "./args";

export interface LoadedSpec extends ValidationResult {
  source: string;
}

export function loadSpecFile(file: string): LoadedSpec {
  const resolved = path.resolve(file);
  let bytes: Buffer;
  try {
    const stat = fs.statSync(resolved);
    if (stat.isDirectory())
      throw new UsageError(`${file} is a folder; give the spec file (a .yaml file)`);
    bytes = fs.readFileSync(resolved);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot read the spec ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const text = utf8Text(bytes, file);
  try {
    return { ...parseSpecText(text, path.dirname(resolved), file), source: file };
  } catch (error) {
    // The YAML library refuses aliases that expand without bound ("billion laughs") by throwing.
    if (!/alias/i.test((error as Error).message)) throw error;
    throw new UsageError(
      `${file} is not a usable spec: ${(error as Error).message}. Write the values out instead of nesting YAML aliases.`,
    );
  }
}

/**
 * Read as UTF-8 (a BOM is dropped), a spec saved otherwise would be parsed as garbage and reported as
 * one long unreadable value; PowerShell 5's `>` writes UTF-16, so say so.
 */
function utf8Text(bytes: Buffer, file: string): string {
  const utf16 =
    (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff) ||
    bytes.includes(0);
  if (utf16) {
    throw new UsageError(`${file} is not UTF-8 text (UTF-16, or a binary file); save it as UTF-8`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(
      `${file} is not UTF-8 text (another encoding, or a binary file); save it as UTF-8`,
    );
  }
}

/** The spec of a Pulumi stack, from its stack config file in `stacksDir`. */
export function loadStackSpec(stack: string, stacksDir: string): LoadedSpec {
  const configFile = path.join(stacksDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(configFile)) {
    throw new UsageError(
      `no stack config ${configFile}; create it with 'pulumi stack init ${stack}' or copy Pulumi.dev.yaml`,
    );
  }
  const doc = parseDocument(fs.readFileSync(configFile, "utf8"));
  if (doc.errors.length > 0)
    throw new UsageError(`${configFile} is not valid YAML: ${doc.errors[0].message}`);
  const config = ((doc.toJS() ?? {}) as { config?: Record<string, unknown> }).config ?? {};
  const specFile = config["synapse-export:specFile"];
  const inline = config["synapse-export:spec"];
  if (typeof specFile === "string") {
    // Paths in stack config are relative to the project root (the folder of Pulumi.yaml).
    return loadSpecFile(path.resolve(path.dirname(stacksDir), specFile));
  }
  if (inline !== undefined)
    return { ...validateSpec(inline, path.dirname(stacksDir)), source: configFile };
  throw new UsageError(`${configFile} has neither synapse-export:specFile nor synapse-export:spec`);
}
