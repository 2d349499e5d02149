// crc32c.ts - CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) in software, table-driven (slicing by 4), and
// the "masked" form TFRecord files store, so that a CRC over data that itself contains CRCs stays well distributed.

const POLY = 0x82f63b78;

// T[k][b]: the CRC of byte b followed by k zero bytes; slicing by 4 consumes a 32-bit word per step.
const T: Uint32Array[] = (() => {
  const t = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[0][b] = c >>> 0;
  }
  for (let b = 0; b < 256; b++) {
    for (let k = 1; k < 4; k++) t[k][b] = ((t[k - 1][b] >>> 8) ^ t[0][t[k - 1][b] & 0xff]) >>> 0;
  }
  return t;
})();

/** CRC-32C of `data` (continuing from `crc`, 0 for a fresh checksum). */
export function crc32c(data: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3] = T;
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length, n4 = n - (n % 4);
  for (; i < n4; i += 4) {
    c ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    c = t3[c & 0xff] ^ t2[(c >>> 8) & 0xff] ^ t1[(c >>> 16) & 0xff] ^ t0[c >>> 24];
  }
  for (; i < n; i++) c = t0[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 bits and add a constant (mod 2^32). */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

export const maskedCrc32c = (data: Uint8Array): number => maskCrc(crc32c(data));
