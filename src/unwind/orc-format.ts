/**
 * The kernel's ORC unwind entry (`struct orc_entry`, arch/x86/include/asm/orc_types.h): 6 bytes,
 *   s16 sp_offset, s16 bp_offset (in the file's byte order), then two bitfield bytes.
 * The bitfield declarations differ between little- and big-endian compilers, but they are arranged
 * so the bytes come out the same: byte 4 = sp_reg (bits 0-3) | bp_reg (bits 4-7),
 * byte 5 = type (bits 0-2) | signal (bit 3); the top nibble of byte 5 is unused.
 */

export const ORC_ENTRY_SIZE = 6;

export const ORC_REG_UNDEFINED = 0;
export const ORC_REG_PREV_SP = 1;
export const ORC_REG_DX = 2;
export const ORC_REG_DI = 3;
export const ORC_REG_BP = 4;
export const ORC_REG_SP = 5;
export const ORC_REG_R10 = 6;
export const ORC_REG_R13 = 7;
export const ORC_REG_BP_INDIRECT = 8;
export const ORC_REG_SP_INDIRECT = 9;
export const ORC_REG_MAX = 15;

export const ORC_TYPE_UNDEFINED = 0;
export const ORC_TYPE_END_OF_STACK = 1;
export const ORC_TYPE_CALL = 2;
export const ORC_TYPE_REGS = 3;
export const ORC_TYPE_REGS_PARTIAL = 4;

/** ORC_REG_* names as `objtool --dump=orc` prints them ("?" for values without a name). */
export const ORC_REG_NAMES: readonly string[] = [
  '?', 'prevsp', 'dx', 'di', 'bp', 'sp', 'r10', 'r13', 'bp(ind)', 'sp(ind)', '?', '?', '?', '?', '?', '?',
];

/** ORC_TYPE_* names as `objtool --dump=orc` prints them. */
export const ORC_TYPE_NAMES: readonly string[] = ['(und)', 'end', 'call', 'regs', 'regs (partial)', '?', '?', '?'];

export interface OrcEntry {
  /** signed 16-bit offset of the previous SP from sp_reg */
  spOffset: number;
  /** signed 16-bit offset where the previous BP is saved, from bp_reg */
  bpOffset: number;
  /** ORC_REG_* (4 bits) */
  spReg: number;
  /** ORC_REG_* (4 bits) */
  bpReg: number;
  /** ORC_TYPE_* (3 bits) */
  type: number;
  /** 0 or 1 */
  signal: number;
}

/** Decodes the entry at `off` in `bytes` (the caller checks `off + 6 <= bytes.length`). */
export function decodeOrcEntry(bytes: Uint8Array, off: number, le: boolean, out?: OrcEntry): OrcEntry {
  const e = out ?? { spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: 0, signal: 0 };
  e.spOffset = s16(bytes, off, le);
  e.bpOffset = s16(bytes, off + 2, le);
  const regs = bytes[off + 4];
  const flags = bytes[off + 5];
  e.spReg = regs & 0xf;
  e.bpReg = regs >> 4;
  e.type = flags & 7;
  e.signal = (flags >> 3) & 1;
  return e;
}

/** Encodes `e` at `off` in `bytes`; fields are truncated to their widths like C bitfields. */
export function encodeOrcEntry(e: OrcEntry, bytes: Uint8Array, off: number, le: boolean): void {
  encodeOrcFields(bytes, off, e.spOffset, e.bpOffset, e.spReg, e.bpReg, e.type, e.signal, le);
}

/** encodeOrcEntry from the fields themselves (tables kept as columns). */
export function encodeOrcFields(
  bytes: Uint8Array, off: number, spOffset: number, bpOffset: number, spReg: number, bpReg: number, type: number, signal: number, le: boolean,
): void {
  putS16(bytes, off, spOffset, le);
  putS16(bytes, off + 2, bpOffset, le);
  bytes[off + 4] = (spReg & 0xf) | ((bpReg & 0xf) << 4);
  bytes[off + 5] = (type & 7) | ((signal & 1) << 3);
}

/** The 6 bytes of one entry. */
export function orcEntryBytes(e: OrcEntry, le: boolean): Uint8Array {
  const b = new Uint8Array(ORC_ENTRY_SIZE);
  encodeOrcEntry(e, b, 0, le);
  return b;
}

/** One entry in objtool's dump text: `type:call sp:sp+8 bp:(und) signal:0` (no newline). */
export function formatOrcEntry(e: OrcEntry): string {
  return `type:${ORC_TYPE_NAMES[e.type & 7]} sp:${formatReg(e.spReg, e.spOffset)} bp:${formatReg(e.bpReg, e.bpOffset)} signal:${e.signal}`;
}

/** A base register plus offset the way objtool prints it (`sp+8`, `(bp-16)`, `(sp)+0`, `(und)`). */
export function formatReg(reg: number, offset: number): string {
  const off = offset < 0 ? `${offset}` : `+${offset}`;
  if (reg === ORC_REG_BP_INDIRECT) return `(bp${off})`;
  if (reg === ORC_REG_SP_INDIRECT) return `(sp)${off}`;
  if (reg === ORC_REG_UNDEFINED) return '(und)';
  return `${ORC_REG_NAMES[reg & 0xf]}${off}`;
}

function s16(b: Uint8Array, off: number, le: boolean): number {
  const v = le ? b[off] | (b[off + 1] << 8) : (b[off] << 8) | b[off + 1];
  return (v << 16) >> 16;
}

function putS16(b: Uint8Array, off: number, v: number, le: boolean): void {
  const u = v & 0xffff;
  if (le) { b[off] = u & 0xff; b[off + 1] = u >> 8; } else { b[off] = u >> 8; b[off + 1] = u & 0xff; }
}
