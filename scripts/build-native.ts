// `npm ci` (prepare) and `npm run build:native`: builds native/sx_shapes.c into the DuckDB extension
// the writer loads (src/engine/writer/nativeShapes.ts), for this machine. It needs a C compiler (`cc`,
// or $CC) and DuckDB's two C API headers, taken from the duckdb package on the npm registry (the only
// registry it asks; pinned by version and integrity) and cached under node_modules/.cache. Without a
// compiler the export still works, with the slower regular-expression checks, so a failure here is a
// warning unless SYNAPSE_EXPORT_REQUIRE_NATIVE=1 (the tests check that the extension is there).

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  checksumFile,
  NATIVE_SHAPES_NAME,
  nativeShapesFile,
  sha256Of,
} from "../src/engine/writer/nativeShapes";
import { quoteDuckdbLiteral } from "../src/plan/sqlQuote";
import { extensionFooter } from "./lib/duckdbExtensionFooter";

const ROOT = path.resolve(__dirname, "..", "..");
const SOURCE = path.join(ROOT, "native", `${NATIVE_SHAPES_NAME}.c`);

/**
 * duckdb 1.4.4 (the old Node binding) ships the headers of DuckDB's stable C extension API; built
 * against its v1.2.0 struct, an extension loads in every later DuckDB, @duckdb/node-api's 1.5 included.
 */
const HEADERS_PACKAGE = "duckdb@1.4.4";
const HEADERS_INTEGRITY =
  "sha512-hEJJ5hyVF0VLj3dmOLpsWrQR0b3d4Ykqtygm6iUXjHJDDnSqg/USKxcb5qvNrOhFYPgktayU6dXCtgPqcmmpog==";
/** The headers' own SHA-256, checked on every build, so a cached copy cut short is fetched again. */
const HEADERS: Record<string, string> = {
  "duckdb.h": "cbe6a827284375c5a646b8f27dbd3a00808ce8738b5bbb49c190cb1e08540281",
  "duckdb_extension.h": "514a5b639cd800e90f1556e8e039cff7f0b4a256e461754dd55caf79dc16db00",
};
const CAPI_VERSION = "v1.2.0";

function headersDir(): string {
  const dir = path.join(ROOT, "node_modules", ".cache", "synapse-export", HEADERS_PACKAGE);
  const intact = (h: string) => {
    const file = path.join(dir, h);
    return fs.existsSync(file) && sha256Of(fs.readFileSync(file)) === HEADERS[h];
  };
  if (Object.keys(HEADERS).every(intact)) return dir;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sx-capi-"));
  try {
    const packed = JSON.parse(
      execFileSync("npm", ["pack", HEADERS_PACKAGE, "--pack-destination", tmp, "--json"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as { filename: string }[];
    const tarball = path.join(tmp, packed[0].filename);
    const integrity = `sha512-${createHash("sha512").update(fs.readFileSync(tarball)).digest("base64")}`;
    if (integrity !== HEADERS_INTEGRITY) {
      throw new Error(
        `${HEADERS_PACKAGE} from the registry has integrity ${integrity}, not the pinned one`,
      );
    }
    const names = Object.keys(HEADERS);
    const inside = names.map((h) => `package/src/duckdb/src/include/${h}`);
    execFileSync("tar", ["-xzf", tarball, "-C", tmp, ...inside], { stdio: "pipe" });
    fs.mkdirSync(dir, { recursive: true });
    for (const [i, h] of names.entries()) {
      fs.copyFileSync(path.join(tmp, inside[i]), path.join(dir, h));
    }
    const broken = names.filter((h) => !intact(h));
    if (broken.length > 0) {
      throw new Error(`${broken.join(", ")} of ${HEADERS_PACKAGE} differ from the pinned ones`);
    }
    return dir;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function duckdbPlatform(): Promise<string> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const [[platform]] = (await connection.runAndReadAll("PRAGMA platform")).getRows();
  connection.closeSync();
  instance.closeSync();
  return String(platform);
}

/** Loads the built file in a fresh DuckDB and asks one question of each kind. */
async function check(file: string): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { allow_unsigned_extensions: "true" });
  const connection = await instance.connect();
  try {
    await connection.run(`LOAD ${quoteDuckdbLiteral(file)}`);
    const [row] = (
      await connection.runAndReadAll(
        "SELECT sx_fast_date('2024-01-31'), sx_plain_decimal('1.5', 0), sx_canonical_guid(NULL)",
      )
    ).getRows();
    if (row[0] !== true || row[1] !== false || row[2] !== null) {
      throw new Error(`it answered ${JSON.stringify(row)} to the build's check`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const out = nativeShapesFile();
  const include = headersDir();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "sx-build-"));
  try {
    const library = path.join(work, `${NATIVE_SHAPES_NAME}.so`);
    const cc = process.env.CC ?? "cc";
    execFileSync(
      cc,
      [
        "-O2",
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-shared",
        "-fPIC",
        "-fvisibility=hidden",
        `-DDUCKDB_EXTENSION_NAME=${NATIVE_SHAPES_NAME}`,
        "-I",
        include,
        SOURCE,
        "-o",
        library,
      ],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    const version = (
      JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }
    ).version;
    const footer = extensionFooter({
      platform: await duckdbPlatform(),
      capiVersion: CAPI_VERSION,
      extensionVersion: `v${version}`,
    });
    const built = path.join(work, path.basename(out));
    fs.writeFileSync(built, Buffer.concat([fs.readFileSync(library), footer]));
    await check(built);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.copyFileSync(built, `${out}.tmp`);
    fs.renameSync(`${out}.tmp`, out);
    // What the session checks before it loads the file (nativeShapes.ts): exactly these bytes.
    fs.writeFileSync(checksumFile(out), `${sha256Of(fs.readFileSync(out))}\n`);
    console.log(`synapse-export: built ${path.relative(ROOT, out)}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  fs.rmSync(nativeShapesFile(), { force: true });
  fs.rmSync(checksumFile(nativeShapesFile()), { force: true });
  console.warn(
    `synapse-export: the native shape checks were not built (${reason}). Exports run the same ` +
      "checks as regular expressions: the same values land, more slowly (BENCHMARKS.md).",
  );
  process.exitCode = process.env.SYNAPSE_EXPORT_REQUIRE_NATIVE === "1" ? 1 : 0;
});
