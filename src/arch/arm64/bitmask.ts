/**
 * AArch64 logical-immediate ("bitmask immediate") fields: validity and value.
 *
 * The N:immr:imms triple names a pattern of `imms+1` ones, rotated right by `immr`, in an element
 * of 2..64 bits replicated across the register (Arm ARM, DecodeBitMasks).
 */

/** True when N:immr:imms encodes a valid bitmask for a register of 64 (`sf` 1) or 32 bits. */
export function bitmaskValid(sf: number, n: number, imms: number): boolean {
  if (sf === 0 && n === 1) return false;
  const combined = (n << 6) | (~imms & 0x3f);
  if (combined < 2) return false;
  const len = 31 - Math.clz32(combined);
  const levels = (1 << len) - 1;
  return (imms & levels) !== levels;
}

/** The bitmask value as an unsigned 64-bit BigInt (slow path: disassembly and rare sp realignment). */
export function bitmaskValue(sf: number, n: number, immr: number, imms: number): bigint {
  const combined = (n << 6) | (~imms & 0x3f);
  const len = 31 - Math.clz32(combined);
  const esize = 1 << len;
  const levels = esize - 1;
  const s = imms & levels;
  const r = immr & levels;
  const emask = (1n << BigInt(esize)) - 1n;
  const ones = (1n << BigInt(s + 1)) - 1n;
  const rot = r === 0 ? ones : ((ones >> BigInt(r)) | (ones << BigInt(esize - r))) & emask;
  const width = sf ? 64 : 32;
  let v = 0n;
  for (let i = 0; i < width; i += esize) v |= rot << BigInt(i);
  return v;
}

/** The bitmask as a signed 32-bit number when its 64-bit value is the sign extension of one, else undefined. */
export function bitmaskAsInt32(sf: number, n: number, immr: number, imms: number): number | undefined {
  const v = bitmaskValue(sf, n, immr, imms);
  const s = BigInt.asIntN(64, v);
  if (sf === 0) return undefined; // a 32-bit mask zero-extends: not an sp realignment
  if (s < -0x80000000n || s > 0x7fffffffn) return undefined;
  return Number(s);
}
