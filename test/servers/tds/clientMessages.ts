// Reading what a TDS client sends, and the PRELOGIN answer, per [MS-TDS]:
//   2.2.6.5 PRELOGIN: option tokens (type, offset, length) ended by 0xFF; B_FENCRYPTION 0x02 is
//           ENCRYPT_NOT_SUP, so no TLS handshake follows; FEDAUTHREQUIRED (0x06) is echoed only when
//           the client sent it (3.3.5.1).
//   2.2.6.4 LOGIN7: the 94-byte fixed part of offsets/lengths (ib*/cch*), and with fExtension the
//           ibExtension DWORD pointing at FeatureExt; FEDAUTH (FeatureId 0x02) data byte 0 is
//           (bFedAuthLibrary << 1) | fFedAuthEcho, then for ADAL (0x02) the workflow byte, for
//           SECURITYTOKEN (0x01) an L_VARBYTE token.
//   2.2.6.3 Federated Authentication Token: DataLen DWORD, then FedAuthToken as L_VARBYTE.
//   2.2.6.7 SQLBatch: ALL_HEADERS (2.2.5.3, TotalLength DWORD counting itself), then UCS-2 text.
// Cross-checked with tedious 19: lib/prelogin-payload.js, lib/login7-payload.js,
// lib/sqlbatch-payload.js and Connection#sendFedAuthTokenMessage (token bytes are UCS-2).

const PreloginOption = {
  VERSION: 0x00,
  ENCRYPTION: 0x01,
  INSTOPT: 0x02,
  THREADID: 0x03,
  MARS: 0x04,
  FEDAUTHREQUIRED: 0x06,
  TERMINATOR: 0xff,
} as const;

const ENCRYPT_NOT_SUP = 0x02;

export function parsePrelogin(payload: Buffer): Map<number, Buffer> {
  const options = new Map<number, Buffer>();
  for (let at = 0; payload[at] !== PreloginOption.TERMINATOR; at += 5) {
    if (at + 5 > payload.length) throw new Error("PRELOGIN without a terminator");
    const offset = payload.readUInt16BE(at + 1);
    const length = payload.readUInt16BE(at + 3);
    options.set(payload[at], payload.subarray(offset, offset + length));
  }
  return options;
}

export function preloginResponse(options: { fedAuthRequired: boolean }): Buffer {
  const version = Buffer.alloc(6);
  version.writeUInt8(12, 0);
  version.writeUInt8(0, 1);
  version.writeUInt16BE(2000, 2);
  version.writeUInt16BE(0, 4);
  const entries: [number, Buffer][] = [
    [PreloginOption.VERSION, version],
    [PreloginOption.ENCRYPTION, Buffer.from([ENCRYPT_NOT_SUP])],
    [PreloginOption.INSTOPT, Buffer.from([0])],
    [PreloginOption.THREADID, Buffer.alloc(0)],
    [PreloginOption.MARS, Buffer.from([0])],
  ];
  if (options.fedAuthRequired) entries.push([PreloginOption.FEDAUTHREQUIRED, Buffer.from([1])]);
  const heads = Buffer.alloc(entries.length * 5 + 1);
  let dataOffset = heads.length;
  entries.forEach(([token, data], i) => {
    heads.writeUInt8(token, i * 5);
    heads.writeUInt16BE(dataOffset, i * 5 + 1);
    heads.writeUInt16BE(data.length, i * 5 + 3);
    dataOffset += data.length;
  });
  heads.writeUInt8(PreloginOption.TERMINATOR, heads.length - 1);
  return Buffer.concat([heads, ...entries.map(([, data]) => data)]);
}

export function clientAskedForFedAuth(prelogin: Map<number, Buffer>): boolean {
  return prelogin.get(PreloginOption.FEDAUTHREQUIRED)?.[0] === 1;
}

export const FedAuthLibrary = { SECURITYTOKEN: 0x01, ADAL: 0x02 } as const;

export interface FedAuthRequest {
  library: number;
  echo: boolean;
  /** ADAL only: 0x01 user/password, 0x02 integrated (what tedious sends for token credentials). */
  workflow?: number;
  /** SECURITYTOKEN only: the access token carried in LOGIN7 itself. */
  token?: string;
}

export interface Login7 {
  tdsVersion: number;
  packetSize: number;
  database: string;
  appName: string;
  serverName: string;
  fedAuth?: FedAuthRequest;
}

const FEATURE_FEDAUTH = 0x02;
const FEATURE_TERMINATOR = 0xff;
const OPTION_FLAGS3_EXTENSION = 0x10;

function ucs2Field(payload: Buffer, at: number): string {
  const offset = payload.readUInt16LE(at);
  const chars = payload.readUInt16LE(at + 2);
  return payload.toString("ucs2", offset, offset + chars * 2);
}

function parseFedAuth(data: Buffer): FedAuthRequest {
  const library = data[0] >> 1;
  const request: FedAuthRequest = { library, echo: (data[0] & 1) === 1 };
  if (library === FedAuthLibrary.ADAL) request.workflow = data[1];
  if (library === FedAuthLibrary.SECURITYTOKEN) {
    const length = data.readUInt32LE(1);
    request.token = data.toString("ucs2", 5, 5 + length);
  }
  return request;
}

export function parseLogin7(payload: Buffer): Login7 {
  const login: Login7 = {
    tdsVersion: payload.readUInt32LE(4),
    packetSize: payload.readUInt32LE(8),
    appName: ucs2Field(payload, 48),
    serverName: ucs2Field(payload, 52),
    database: ucs2Field(payload, 68),
  };
  if (payload[27] & OPTION_FLAGS3_EXTENSION) {
    const featureExt = payload.readUInt32LE(payload.readUInt16LE(56));
    for (let at = featureExt; payload[at] !== FEATURE_TERMINATOR;) {
      const id = payload[at];
      const length = payload.readUInt32LE(at + 1);
      const data = payload.subarray(at + 5, at + 5 + length);
      if (id === FEATURE_FEDAUTH) login.fedAuth = parseFedAuth(data);
      at += 5 + length;
    }
  }
  return login;
}

export function parseFedAuthToken(payload: Buffer): string {
  const tokenLength = payload.readUInt32LE(4);
  return payload.toString("ucs2", 8, 8 + tokenLength);
}

export function parseSqlBatch(payload: Buffer): string {
  const allHeadersLength = payload.readUInt32LE(0);
  return payload.toString("ucs2", allHeadersLength);
}
