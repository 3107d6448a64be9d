/**
 * The x86-64 jump-table describer's fast path: `lea reg, mem`, `mov reg, mem`, `mov mem, reg` and the
 * extending loads (`movzx`, `movsx`, `movsxd`) with 32- or 64-bit registers, the instructions it meets
 * most in linked files, described straight from their bytes (iced's decoder and instruction info
 * cost microseconds per instruction, through wasm).
 * Only the plainest encodings are read here (at most one REX prefix and no other prefix, so 64-bit
 * addressing and no segment override); everything else stays with iced. The descriptions must equal
 * iced's exactly: test/arch/x86-fast-describe.test.ts and test-corpus/x86-fast-describe.test.ts
 * compare the two on every row of real binaries.
 */
import type { InsnSem, Rhs } from '../../cfg/switch-tables.js';
import { FRAME_ANY, MEM_ANY, slotChunks, slotLoc } from '../../cfg/switch-tables.js';

const RSP = 4;
const RBP = 5;

/** `MemOperand.base` / `index`: a register that is not a 64-bit general-purpose one */
export const NOT_GPR64 = -2;

/** A memory operand as the describer reads it, whether from iced or from the bytes. */
export interface MemOperand {
  /** full number of the base register (rax=0 ... r15=15, any width), -1 when none or rip, NOT_GPR64 when not a gpr */
  base: number;
  /** the base register is 64 bits wide */
  base64: boolean;
  /** relative to rip: `disp` counts from the instruction's start */
  ripRel: boolean;
  /** number of the index register when a 64-bit gpr, -1 when none, NOT_GPR64 otherwise */
  index: number;
  /** the SIB scale (iced keeps it even without an index register), 1 without SIB */
  scale: number;
  /** displacement, sign-extended; rip-relative: the instruction's length plus disp32 */
  disp: number;
  /** no segment prefix, or ds */
  segmentOk: boolean;
}

export function newMemOperand(): MemOperand {
  return { base: -1, base64: true, ripRel: false, index: -1, scale: 1, disp: 0, segmentOk: true };
}

/** The operand values the describer gives for a memory operand (shared by the iced path and this one). */
export interface MemOperandValues {
  /** the operand as an address sum (`add`) or a load of it (`load`) */
  memValue(row: number, m: MemOperand, op: 'add' | 'load', size: number, signed: boolean, width: number): Rhs | undefined;
  /** the memory cell of the operand, or -1 */
  cellOf(row: number, m: MemOperand): number;
}

/** `PlainMove.kind`: lea, a load into the register (mov or an extension), a store of the register */
export const LEA = 1;
export const LOAD = 2;
export const STORE = 3;

/** A plain lea, mov or extending load between a register and memory, as read from its bytes. */
export interface PlainMove extends MemOperand {
  /** LEA, LOAD or STORE */
  kind: number;
  /** the register operand (rax=0 ... r15=15) */
  reg: number;
  /** width of the register operand in bytes: 4 or 8 */
  size: number;
  /** bytes the memory access reads or writes (0 for lea) */
  memSize: number;
  /** a sign-extending load (movsx, movsxd) */
  signed: boolean;
}

export function newPlainMove(): PlainMove {
  return { ...newMemOperand(), kind: 0, reg: 0, size: 8, memSize: 8, signed: false };
}

function int32At(bytes: Uint8Array, at: number): number {
  return bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | bytes[at + 3] << 24;
}

/**
 * Reads the instruction of `len` bytes at `off` into `mv` when it is a plain lea/mov the fast path
 * describes; false (mv undefined) for anything else, or when its encoding is not `len` bytes long.
 */
export function readPlainMove(bytes: Uint8Array, off: number, len: number, mv: PlainMove): boolean {
  const end = off + len;
  if (len < 2 || end > bytes.length) return false;
  let at = off;
  let rex = 0;
  if ((bytes[at] & 0xf0) === 0x40) rex = bytes[at++];
  const size = rex & 8 ? 8 : 4;
  const opcode = bytes[at++];
  let kind = LOAD;
  let memSize = size;
  let signed = false;
  if (opcode === 0x8d) kind = LEA, memSize = 0;
  else if (opcode === 0x89) kind = STORE;
  else if (opcode === 0x63) signed = true, memSize = 4; // movsxd
  else if (opcode === 0x0f) {
    const op2 = at < end ? bytes[at++] : 0;
    // movzx (b6, b7) and movsx (be, bf) of a byte or a word
    if (op2 === 0xb6 || op2 === 0xb7 || op2 === 0xbe || op2 === 0xbf) signed = op2 >= 0xbe, memSize = op2 & 1 ? 2 : 1;
    else return false;
  } else if (opcode !== 0x8b) return false;
  if (at >= end) return false;
  const modrm = bytes[at++];
  const mod = modrm >> 6;
  // register-to-register forms (and lea's invalid one) are left to iced
  if (mod === 3) return false;
  const rm = modrm & 7;
  mv.kind = kind;
  mv.reg = ((modrm >> 3) & 7) | (rex & 4) << 1;
  mv.size = size;
  mv.memSize = memSize;
  mv.signed = signed;
  mv.base64 = true;
  mv.ripRel = false;
  mv.index = -1;
  mv.scale = 1;
  mv.segmentOk = true;
  let disp32Only = false;
  if (rm === 4) {
    if (at >= end) return false;
    const sib = bytes[at++];
    mv.scale = 1 << (sib >> 6);
    const index = ((sib >> 3) & 7) | (rex & 2) << 2;
    // index 100 names no index, unless REX.X makes it r12
    mv.index = index === 4 ? -1 : index;
    const baseLow = sib & 7;
    if (mod === 0 && baseLow === 5) { mv.base = -1; disp32Only = true; } else mv.base = baseLow | (rex & 1) << 3;
  } else if (mod === 0 && rm === 5) {
    mv.base = -1;
    mv.ripRel = true;
    disp32Only = true;
  } else mv.base = rm | (rex & 1) << 3;
  if (disp32Only || mod === 2) {
    if (at + 4 !== end) return false;
    mv.disp = int32At(bytes, at);
  } else if (mod === 1) {
    if (at + 1 !== end) return false;
    mv.disp = (bytes[at] << 24) >> 24;
  } else {
    if (at !== end) return false;
    mv.disp = 0;
  }
  // as iced gives it with ip 0 at the instruction: relative to the instruction's start
  if (mv.ripRel) mv.disp += len;
  return true;
}

/** Describes the plain move `mv` (read from `row`'s bytes by `readPlainMove`) into `sem`, as the iced path would. */
export function describePlainMove(row: number, mv: PlainMove, sem: InsnSem, values: MemOperandValues): void {
  sem.writesFlags = false;
  const frameNoIndex = (mv.base === RSP || mv.base === RBP) && mv.index === -1;
  if (mv.kind === STORE) {
    const chunks = frameNoIndex ? slotChunks(mv.base, mv.disp, mv.size) : undefined;
    if (chunks) sem.writes.push(...chunks);
    else {
      sem.writes.push(MEM_ANY);
      if (frameNoIndex) sem.writes.push(FRAME_ANY);
    }
    if (frameNoIndex) {
      const slot = slotLoc(mv.base, mv.disp);
      if (slot >= 0) {
        sem.dst = slot;
        sem.rhs = { op: 'copy', src: mv.reg, bits: mv.size * 8, signed: false };
      }
    }
    return;
  }
  const d = mv.reg;
  sem.writes.push(d);
  // a 32-bit destination zeroes the upper half of its register
  if (mv.size === 4) sem.zx32 = [d];
  sem.dst = d;
  if (mv.kind === LEA) {
    if (mv.size === 8) sem.rhs = values.memValue(row, mv, 'add', 0, false, 64);
    return;
  }
  // sign-extended into 32 bits, then zero-extended into 64: not a plain extension
  if (mv.signed && mv.size === 4 && mv.memSize < 4) return;
  if (frameNoIndex) {
    const s = slotLoc(mv.base, mv.disp);
    if (s >= 0) sem.rhs = { op: 'copy', src: s, bits: Math.min(mv.memSize, mv.size) * 8, signed: mv.signed };
    return;
  }
  sem.rhs = values.memValue(row, mv, 'load', mv.memSize, mv.signed, mv.size * 8);
  if (!mv.signed) sem.alias = values.cellOf(row, mv);
}
