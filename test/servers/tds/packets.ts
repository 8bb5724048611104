// TDS packet framing for the loopback test server: [MS-TDS] 2.2.3.1 (packet header: Type, Status,
// Length big-endian and counting the 8-byte header, SPID, PacketID, Window) and 2.2.3.1.2 (Status bit
// 0x01 = end of message). A message is the payloads of its packets concatenated, up to the packet
// with EOM set, which is how tedious's incoming-message-stream.js reads it too.

export const PacketType = {
  SQL_BATCH: 0x01,
  TABULAR_RESULT: 0x04,
  ATTENTION: 0x06,
  FEDAUTH_TOKEN: 0x08,
  LOGIN7: 0x10,
  PRELOGIN: 0x12,
} as const;

const HEADER_LENGTH = 8;
const STATUS_EOM = 0x01;

export interface TdsMessage {
  type: number;
  payload: Buffer;
}

/** Accumulates socket chunks and hands back each complete message. */
export class MessageReader {
  private pending = Buffer.alloc(0);
  private parts: Buffer[] = [];

  push(chunk: Buffer): TdsMessage[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const messages: TdsMessage[] = [];
    while (this.pending.length >= HEADER_LENGTH) {
      const length = this.pending.readUInt16BE(2);
      if (length < HEADER_LENGTH) throw new Error(`TDS packet with impossible length ${length}`);
      if (this.pending.length < length) break;
      const packet = this.pending.subarray(0, length);
      this.pending = this.pending.subarray(length);
      this.parts.push(packet.subarray(HEADER_LENGTH));
      if (packet[1] & STATUS_EOM) {
        messages.push({ type: packet[0], payload: Buffer.concat(this.parts) });
        this.parts = [];
      }
    }
    return messages;
  }
}

/** One message as packets of at most `packetSize` bytes (the size negotiated at login). */
export function encodeMessage(type: number, payload: Buffer, packetSize = 4096): Buffer {
  const room = packetSize - HEADER_LENGTH;
  const packets: Buffer[] = [];
  let packetId = 1;
  for (let offset = 0; offset < payload.length || packets.length === 0; offset += room) {
    const body = payload.subarray(offset, offset + room);
    const last = offset + room >= payload.length;
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt8(type, 0);
    header.writeUInt8(last ? STATUS_EOM : 0, 1);
    header.writeUInt16BE(HEADER_LENGTH + body.length, 2);
    header.writeUInt16BE(0, 4);
    header.writeUInt8(packetId++ % 256, 6);
    header.writeUInt8(0, 7);
    packets.push(header, body);
  }
  return Buffer.concat(packets);
}
