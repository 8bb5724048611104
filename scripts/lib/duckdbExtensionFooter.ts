// The metadata DuckDB reads from the last 512 bytes of a loadable extension before it loads it: the
// layout of duckdb/extension-ci-tools' scripts/append_extension_metadata.py (a WebAssembly custom
// section header, eight 32-byte fields from the last to the first, then 256 bytes of signature,
// zeros for an unsigned extension). DuckDB compares the platform field with its own and, for the
// C_STRUCT ABI, the version field with the C API versions it serves.

export interface ExtensionMetadata {
  /** DuckDB's name of the platform (PRAGMA platform), e.g. linux_amd64. */
  platform: string;
  /** For the C_STRUCT ABI, the C extension API version the extension was built against, e.g. v1.2.0. */
  capiVersion: string;
  extensionVersion: string;
}

const FIELD_BYTES = 32;

function field(text: string): Buffer {
  const bytes = Buffer.from(text, "ascii");
  if (bytes.length > FIELD_BYTES) throw new Error(`extension metadata field too long: ${text}`);
  return Buffer.concat([bytes, Buffer.alloc(FIELD_BYTES - bytes.length)]);
}

/** The 534 bytes to append to the shared library. */
export function extensionFooter(m: ExtensionMetadata): Buffer {
  // Custom section 0, LEB128 length 531 (1 + 16 + 2 + 8 * 32 + 256), the 16-byte name, LEB128 512.
  const header = Buffer.concat([
    Buffer.from([0, 0x93, 0x04, 16]),
    Buffer.from("duckdb_signature", "ascii"),
    Buffer.from([0x80, 0x04]),
  ]);
  return Buffer.concat([
    header,
    field(""), // FIELD8 unused
    field(""), // FIELD7 unused
    field(""), // FIELD6 unused
    field("C_STRUCT"), // FIELD5 the ABI type
    field(m.extensionVersion), // FIELD4
    field(m.capiVersion), // FIELD3
    field(m.platform), // FIELD2
    field("4"), // FIELD1 the value that marks a DuckDB extension
    Buffer.alloc(256), // no signature
  ]);
}
