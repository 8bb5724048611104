// The server-to-client tokens the test server sends, laid out as [MS-TDS] 2.2.7 defines them and as
// tedious's lib/token/*-parser.js reads them:
//   2.2.7.4  COLMETADATA (0x81)   2.2.7.6  DONE (0xFD)          2.2.7.9  ENVCHANGE (0xE3)
//   2.2.7.10 ERROR (0xAA)         2.2.7.11 FEATUREEXTACK (0xAE) 2.2.7.12 FEDAUTHINFO (0xEE)
//   2.2.7.13 INFO (0xAB)          2.2.7.14 LOGINACK (0xAD)      2.2.7.20 ROW (0xD1)
// Data types from 2.2.5.4 (INTNTYPE 0x26 with length 4 or 8 for int and bigint, NVARCHARTYPE 0xE7, SSVARIANTTYPE 0x62) and 2.2.5.5.4
// (sql_variant: BaseType, PropBytes, value), which is what SERVERPROPERTY() returns. The collation
// bytes are those of the spec's example 4.7 (SQL Batch Server Response).

/** US_VARCHAR: USHORT character count, then UCS-2. */
function usVarChar(text: string): Buffer {
  const chars = Buffer.from(text, "ucs2");
  const length = Buffer.alloc(2);
  length.writeUInt16LE(text.length);
  return Buffer.concat([length, chars]);
}

/** B_VARCHAR: BYTE character count, then UCS-2. */
function bVarChar(text: string): Buffer {
  return Buffer.concat([Buffer.from([text.length]), Buffer.from(text, "ucs2")]);
}

/** Tokens with a USHORT length after the token type. */
function withUShortLength(tokenType: number, body: Buffer): Buffer {
  const head = Buffer.alloc(3);
  head.writeUInt8(tokenType, 0);
  head.writeUInt16LE(body.length, 1);
  return Buffer.concat([head, body]);
}

const TDS_7_4 = 0x74000004;

export function loginAck(progName: string, version: [number, number, number, number]): Buffer {
  const tdsVersion = Buffer.alloc(4);
  tdsVersion.writeUInt32BE(TDS_7_4);
  // Interface 1 = SQL_TSQL.
  return withUShortLength(
    0xad,
    Buffer.concat([Buffer.from([1]), tdsVersion, bVarChar(progName), Buffer.from(version)]),
  );
}

export const EnvChangeType = { DATABASE: 1, PACKET_SIZE: 4 } as const;

export function envChange(type: number, newValue: string, oldValue: string): Buffer {
  return withUShortLength(
    0xe3,
    Buffer.concat([Buffer.from([type]), bVarChar(newValue), bVarChar(oldValue)]),
  );
}

export interface ServerMessage {
  number: number;
  message: string;
  state?: number;
  /** Severity; 11-16 are errors the user can correct, below 10 are informational. */
  class?: number;
}

function infoOrError(tokenType: number, m: ServerMessage, serverName: string): Buffer {
  const fixed = Buffer.alloc(6);
  fixed.writeInt32LE(m.number, 0);
  fixed.writeUInt8(m.state ?? 1, 4);
  fixed.writeUInt8(m.class ?? (tokenType === 0xaa ? 16 : 0), 5);
  const line = Buffer.alloc(4);
  line.writeInt32LE(1);
  return withUShortLength(
    tokenType,
    Buffer.concat([fixed, usVarChar(m.message), bVarChar(serverName), bVarChar(""), line]),
  );
}

export function error(m: ServerMessage, serverName: string): Buffer {
  return infoOrError(0xaa, m, serverName);
}

export function info(m: ServerMessage, serverName: string): Buffer {
  return infoOrError(0xab, m, serverName);
}

export const DoneStatus = {
  FINAL: 0x00,
  MORE: 0x01,
  ERROR: 0x02,
  COUNT: 0x10,
  ATTN: 0x20,
} as const;

export function done(status: number, rowCount = 0): Buffer {
  const token = Buffer.alloc(13);
  token.writeUInt8(0xfd, 0);
  token.writeUInt16LE(status, 1);
  token.writeUInt16LE(0, 3);
  token.writeBigUInt64LE(BigInt(rowCount), 5);
  return token;
}

export const FeatureId = { FEDAUTH: 0x02 } as const;

export function featureExtAck(features: { id: number; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0xae])];
  for (const f of features) {
    const head = Buffer.alloc(5);
    head.writeUInt8(f.id, 0);
    head.writeUInt32LE(f.data.length, 1);
    parts.push(head, f.data);
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

/** What the client needs to ask Entra ID for a token: the STS URL (id 0x01) and the SPN (id 0x02). */
export function fedAuthInfo(stsUrl: string, spn: string): Buffer {
  const options = [
    { id: 0x01, data: Buffer.from(stsUrl, "ucs2") },
    { id: 0x02, data: Buffer.from(spn, "ucs2") },
  ];
  // Offsets count from CountOfInfoIDs: the DWORD count, then 9 bytes per option, then the data.
  let dataOffset = 4 + 9 * options.length;
  const count = Buffer.alloc(4);
  count.writeUInt32LE(options.length);
  const heads: Buffer[] = [];
  for (const o of options) {
    const head = Buffer.alloc(9);
    head.writeUInt8(o.id, 0);
    head.writeUInt32LE(o.data.length, 1);
    head.writeUInt32LE(dataOffset, 5);
    dataOffset += o.data.length;
    heads.push(head);
  }
  const body = Buffer.concat([count, ...heads, ...options.map((o) => o.data)]);
  const head = Buffer.alloc(5);
  head.writeUInt8(0xee, 0);
  head.writeUInt32LE(body.length, 1);
  return Buffer.concat([head, body]);
}

export type ColumnType = "int" | "bigint" | "nvarchar" | "sql_variant";

export interface Column {
  name: string;
  type: ColumnType;
}

// Latin1_General_CI_AS: LCID 0x0409 with case/kana/width-insensitive flags, sort id 0x34.
const COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);
const NVARCHAR_MAX_BYTES = 8000;

function typeInfo(type: ColumnType): Buffer {
  switch (type) {
    case "int":
      return Buffer.from([0x26, 4]);
    case "bigint":
      return Buffer.from([0x26, 8]);
    case "nvarchar": {
      const t = Buffer.alloc(3);
      t.writeUInt8(0xe7, 0);
      t.writeUInt16LE(NVARCHAR_MAX_BYTES, 1);
      return Buffer.concat([t, COLLATION]);
    }
    case "sql_variant": {
      const t = Buffer.alloc(5);
      t.writeUInt8(0x62, 0);
      t.writeUInt32LE(8016, 1);
      return t;
    }
  }
}

export function colMetadata(columns: readonly Column[]): Buffer {
  const head = Buffer.alloc(3);
  head.writeUInt8(0x81, 0);
  head.writeUInt16LE(columns.length, 1);
  const parts = columns.map((c) => {
    // UserType (ULONG since TDS 7.2), then Flags: 0x0001 = nullable.
    const fixed = Buffer.alloc(6);
    fixed.writeUInt32LE(0, 0);
    fixed.writeUInt16LE(0x0001, 4);
    return Buffer.concat([fixed, typeInfo(c.type), bVarChar(c.name)]);
  });
  return Buffer.concat([head, ...parts]);
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return b;
}

function columnData(type: ColumnType, value: unknown): Buffer {
  switch (type) {
    case "int":
      return value == null
        ? Buffer.from([0])
        : Buffer.concat([Buffer.from([4]), int32(Number(value))]);
    case "bigint": {
      if (value == null) return Buffer.from([0]);
      const b = Buffer.alloc(9);
      b.writeUInt8(8, 0);
      b.writeBigInt64LE(BigInt(value as bigint | number | string), 1);
      return b;
    }
    case "nvarchar": {
      if (value == null) return Buffer.from([0xff, 0xff]);
      const chars = Buffer.from(String(value), "ucs2");
      const length = Buffer.alloc(2);
      length.writeUInt16LE(chars.length);
      return Buffer.concat([length, chars]);
    }
    case "sql_variant": {
      if (value == null) return int32(0);
      // BaseType INT4 (0x38), no PropBytes, then the int.
      const inner = Buffer.concat([Buffer.from([0x38, 0]), int32(Number(value))]);
      return Buffer.concat([int32(inner.length), inner]);
    }
  }
}

export function row(columns: readonly Column[], values: readonly unknown[]): Buffer {
  return Buffer.concat([
    Buffer.from([0xd1]),
    ...columns.map((c, i) => columnData(c.type, values[i])),
  ]);
}
