// record.ts - TFRecord framing, the container of TensorBoard's event files. Each record is
//   uint64 length (little endian) | uint32 masked CRC-32C of those 8 length bytes | data | uint32 masked CRC-32C of data
import { maskedCrc32c } from './crc32c';

/** One framed record around `data`. */
export function encodeRecord(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length + 16);
  out.writeUInt32LE(data.length >>> 0, 0);
  out.writeUInt32LE(Math.floor(data.length / 0x100000000), 4);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}
