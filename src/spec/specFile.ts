// The one spec-file loader, for the CLI and the component alike (the spec layer's only I/O). It
// refuses before reading anything that is not a regular file or is larger than any spec should be
// (`validate /dev/zero` would otherwise grow without bound, and a FIFO would block the process until
// someone writes to it), text that is not UTF-8, and YAML whose aliases expand without bound.

import * as fs from "node:fs";
import * as path from "node:path";
import { ExportError, messageOf } from "../errors";
import { parseSpecText, type ValidationResult } from "./validate";

/** A spec is a page of YAML; 10 MB is far beyond any real one and small enough to read at once. */
export const MAX_SPEC_BYTES = 10 * 1024 * 1024;

/** The spec file cannot be used as a spec at all (kind "spec": the user's input, not the world). */
export class SpecFileError extends ExportError {
  constructor(
    message: string,
    /** The path as it was tried (absolute). */
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super("spec", message, options);
    this.name = "SpecFileError";
  }
}

/**
 * The spec file, read and validated (source paths relative to its folder): the spec, or every issue
 * with its field path; a SpecFileError when the file cannot be a spec at all.
 */
export function loadSpecFile(file: string): ValidationResult {
  const text = readSpecFile(file);
  return refusingAliasBombs(file, () =>
    parseSpecText(text, path.dirname(path.resolve(file)), file),
  );
}

/**
 * Runs `read` (which turns a YAML file's text into values), refusing as a SpecFileError the aliases
 * that expand without bound ("billion laughs"), which the YAML library refuses by throwing.
 */
export function refusingAliasBombs<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    // Only the library's refusal of aliases that expand without bound (yaml's Alias.js); any other
    // error, an unresolved alias included, is not a bomb.
    if (!(error instanceof ReferenceError) || !/^Excessive alias count/.test(error.message))
      throw error;
    throw new SpecFileError(
      `${file} is not a usable spec: ${error.message}. Write the values out instead of nesting YAML aliases.`,
      path.resolve(file),
      { cause: error },
    );
  }
}

/** The spec file's text, decoded as UTF-8 (a BOM is dropped); a SpecFileError that says why not. */
export function readSpecFile(file: string): string {
  const resolved = path.resolve(file);
  const fail = (why: string): never => {
    throw new SpecFileError(`cannot read the spec file ${file}: ${why}`, resolved);
  };
  let fd: number | undefined;
  try {
    // stat does not open the file, so it never blocks on a FIFO or a device.
    checkKind(fs.statSync(resolved), fail);
    // O_NONBLOCK: should the path have been swapped for a FIFO since, opening it does not hang;
    // fstat of what was opened is the check that counts.
    fd = fs.openSync(resolved, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const stat = fs.fstatSync(fd);
    checkKind(stat, fail);
    const bytes = Buffer.alloc(stat.size);
    let read = 0;
    while (read < bytes.length) {
      const n = fs.readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return utf8Text(bytes.subarray(0, read), fail);
  } catch (error) {
    if (error instanceof SpecFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      return fail(`ENOENT, no such file${resolved === file ? "" : ` (tried ${resolved})`}`);
    if (code === "EACCES" || code === "EPERM")
      return fail(`${code}, permission denied; make it readable by this user`);
    return fail(code ?? messageOf(error));
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function checkKind(stat: fs.Stats, fail: (why: string) => never): void {
  if (stat.isDirectory()) fail("it is a folder; give the spec file (a .yaml file)");
  if (!stat.isFile()) {
    const kind = stat.isFIFO()
      ? "a named pipe"
      : stat.isCharacterDevice() || stat.isBlockDevice()
        ? "a device"
        : stat.isSocket()
          ? "a socket"
          : "not a regular file";
    fail(`it is ${kind}, not a regular file; give the spec file (a .yaml file)`);
  }
  if (stat.size > MAX_SPEC_BYTES) {
    fail(
      `it is ${stat.size.toLocaleString("en-US")} bytes, more than a spec may be (${MAX_SPEC_BYTES.toLocaleString("en-US")} bytes, 10 MB)`,
    );
  }
}

/**
 * Read as UTF-8 (a BOM is dropped): a spec saved otherwise would be parsed as garbage and reported as
 * one long unreadable value; PowerShell 5's `>` writes UTF-16, so say so.
 */
function utf8Text(bytes: Buffer, fail: (why: string) => never): string {
  const utf16 =
    (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff) ||
    bytes.includes(0);
  if (utf16) return fail("it is not UTF-8 text (UTF-16, or a binary file); save it as UTF-8");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail("it is not UTF-8 text (another encoding, or a binary file); save it as UTF-8");
  }
}
