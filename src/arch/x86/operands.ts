/**
 * Slow-path views of one x86-64 instruction, for the jump-table recogniser and diagnostics:
 * its operands (registers as frame-analysis slots, memory operand parts, immediate and where
 * the displacement and immediate sit in the bytes, for matching relocations), and AT&T text
 * close to `objdump -d`.
 *
 * Conventions for both: `bytes` is the whole section, `off` the instruction's offset in it and
 * `addr` the section's address, so the instruction's address is `addr + off`.
 */
import type { Formatter, Instruction } from 'iced-x86';
import { NO_TARGET } from '../../program/insns.js';
import { iced, type Iced } from './iced.js';

export type X86OperandKind = 'reg' | 'mem' | 'imm' | 'branch' | 'other';

export interface X86MemOperand {
  /** base register slot, -1 for none (or rip: see `ripRel`) */
  readonly base: number;
  /** index register slot, -1 for none */
  readonly index: number;
  readonly scale: number;
  /** signed displacement as encoded (for rip-relative: relative to the next instruction) */
  readonly disp: number;
  readonly ripRel: boolean;
  /** address a rip-relative operand designates (addr + off + length + disp), else NO_TARGET */
  readonly target: number;
  /** byte offset of the displacement within the instruction, -1 when none is encoded */
  readonly dispOffset: number;
  readonly dispSize: number;
  /** operand size in bytes (0 when not meaningful, e.g. lea) */
  readonly size: number;
}

export interface X86Operands {
  readonly length: number;
  /** lower-case mnemonic as iced names it (e.g. "mov", "movsxd", "jmp", "call") */
  readonly mnemonic: string;
  /** operands in Intel order (destination first) */
  readonly kinds: readonly X86OperandKind[];
  /** for 'reg' operands: the general-purpose register's slot, else -1 */
  readonly regs: readonly number[];
  /** for 'reg' operands: the register's size in bytes, else 0 */
  readonly regSizes: readonly number[];
  readonly mem: X86MemOperand | undefined;
  /** the (first) immediate as a signed number of its operand's width (cmpb $0xff -> -1) */
  readonly imm: number | undefined;
  readonly immOffset: number;
  readonly immSize: number;
  /** immediate branch target (addr + off + length + rel), NO_TARGET when none */
  readonly branchTarget: number;
}

/** Operands of the instruction at `off`, or undefined when its bytes do not decode. */
export function x86Operands(bytes: Uint8Array, off: number, addr: number): X86Operands | undefined {
  return withInstruction(bytes, off, (insn, decoder) => {
    const I = iced();
    const OK = I.OpKind;
    const kinds: X86OperandKind[] = [];
    const regs: number[] = [];
    const regSizes: number[] = [];
    let imm: number | undefined;
    let branchTarget = NO_TARGET;
    let mem: X86MemOperand | undefined;
    const length = insn.length;
    const co = decoder.getConstantOffsets(insn);
    const dispOffset = co.hasDisplacement ? co.displacementOffset : -1;
    const dispSize = co.hasDisplacement ? co.displacementSize : 0;
    const immOffset = co.hasImmediate ? co.immediateOffset : -1;
    const immSize = co.hasImmediate ? co.immediateSize : 0;
    co.free();
    for (let i = 0; i < insn.opCount; i++) {
      const k = insn.opKind(i);
      if (k === OK.Register) {
        const r = insn.opRegister(i);
        kinds.push('reg');
        regs.push(gprSlot(r));
        regSizes.push(I.RegisterExt.size(r));
        continue;
      }
      regs.push(-1);
      regSizes.push(0);
      if (k === OK.NearBranch16 || k === OK.NearBranch32 || k === OK.NearBranch64) {
        kinds.push('branch');
        branchTarget = addr + off + signed(insn.nearBranch64);
      } else if (k === OK.Memory) {
        kinds.push('mem');
        const ripRel = insn.isIpRelMemoryOperand;
        // with ip 0, a rip-relative displacement reads as (length + disp)
        const value = signed(insn.memoryDisplacement);
        mem = {
          base: ripRel ? -1 : gprSlot(insn.memoryBase),
          index: gprSlot(insn.memoryIndex),
          scale: insn.memoryIndexScale,
          disp: ripRel ? value - length : value,
          ripRel,
          target: ripRel ? addr + off + value : NO_TARGET,
          dispOffset,
          dispSize,
          size: I.MemorySizeExt.size(insn.memorySize),
        };
      } else if (k >= OK.Immediate8 && k <= OK.Immediate32to64) {
        kinds.push('imm');
        if (imm === undefined) imm = signedImmediate(insn.immediate(i), k, OK);
      } else {
        kinds.push('other');
      }
    }
    const mnemonic = (I.Mnemonic[insn.mnemonic] ?? 'invalid').toLowerCase();
    return { length, mnemonic, kinds, regs, regSizes, mem, imm, immOffset, immSize, branchTarget };
  });
}

/**
 * AT&T text of the instruction at `off`, laid out like `objdump -d` (mnemonic padded to six
 * columns, no space after commas, bare hex branch targets, `# addr` after rip-relative
 * operands). "(bad)" when the bytes do not decode.
 */
export function disassemble(bytes: Uint8Array, off: number, addr: number): string {
  return withInstruction(bytes, off, (insn) => {
    const I = iced();
    const f = gasFormatter();
    const k0 = insn.opCount > 0 ? insn.opKind(0) : -1;
    if (k0 === I.OpKind.NearBranch16 || k0 === I.OpKind.NearBranch32 || k0 === I.OpKind.NearBranch64) {
      // objdump prints a branch target as bare hex
      const text = f.format(insn);
      const space = text.indexOf(' ');
      const mnemonic = space < 0 ? text : text.slice(0, space);
      const target = addr + off + signed(insn.nearBranch64);
      return `${pad(mnemonic)}${target.toString(16)}`;
    }
    // alwaysShowScale leaves "(%rbp,)" when there is no index: objdump writes "(%rbp)"
    // objdump 2.40 writes 64-bit indirect jmp/call without a size suffix
    let text = layout(f.format(insn).replaceAll(',)', ')').replace(/^(notrack |bnd )?(jmp|call)q /, '$1$2 '));
    if (insn.isIpRelMemoryOperand) {
      text += `        # ${(addr + off + signed(insn.memoryDisplacement)).toString(16)}`;
    }
    return text;
  }) ?? '(bad)';
}

/** Decodes the instruction at `off` (ip 0 = its first byte) and hands it to `use`. */
function withInstruction<T>(bytes: Uint8Array, off: number,
  use: (insn: Instruction, decoder: import('iced-x86').Decoder) => T): T | undefined {
  if (off < 0 || off >= bytes.length) return undefined;
  const I = iced();
  const window = bytes.subarray(off, Math.min(bytes.length, off + 15));
  const decoder = new I.Decoder(64, window, I.DecoderOptions.None);
  const insn = new I.Instruction();
  try {
    // ip 0: rip-relative and branch values come out relative to the instruction's first byte,
    // which keeps them in safe integers whatever `addr` is.
    decoder.ip = 0n;
    decoder.decodeOut(insn);
    if (insn.code === 0) return undefined;
    return use(insn, decoder);
  } finally {
    insn.free();
    decoder.free();
  }
}

/** A 64-bit value iced computed with ip 0, as a signed offset from the window start. */
function signed(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

/** An immediate read as a signed number of its operand's width. */
function signedImmediate(v: bigint, kind: number, OK: Iced['OpKind']): number {
  const bits = kind === OK.Immediate8 ? 8 : kind === OK.Immediate16 ? 16 : kind === OK.Immediate32 ? 32 : 64;
  return Number(BigInt.asIntN(bits, v));
}

/** Slot of a general-purpose register of any width (ax=0 ... r15=15), -1 otherwise. */
function gprSlot(reg: number): number {
  const I = iced();
  if (reg === I.Register.None || !I.RegisterExt.isGPR(reg)) return -1;
  return I.RegisterExt.number(I.RegisterExt.fullRegister(reg));
}

let formatter: Formatter | undefined;

/** One GNU-syntax formatter for the process (slow path; kept, not re-created per call). */
function gasFormatter(): Formatter {
  if (formatter === undefined) {
    const I = iced();
    const f = new I.Formatter(I.FormatterSyntax.Gas);
    f.uppercaseHex = false;
    f.spaceAfterOperandSeparator = false;
    f.showZeroDisplacements = true;
    f.branchLeadingZeros = false;
    f.usePseudoOps = false;
    f.ripRelativeAddresses = true;
    f.alwaysShowScale = true;
    f.smallHexNumbersInDecimal = false;
    f.showUselessPrefixes = true;
    formatter = f;
  }
  return formatter;
}

/** Pads the mnemonic (with its prefixes) the way objdump does: 6 columns then a space. */
function layout(text: string): string {
  const i = operandsStart(text);
  if (i < 0) return text;
  return pad(text.slice(0, i)) + text.slice(i + 1);
}

/** Index of the space between mnemonic and operands, skipping prefixes like "lock " / "rep ". */
function operandsStart(text: string): number {
  let from = 0;
  for (;;) {
    const i = text.indexOf(' ', from);
    if (i < 0) return -1;
    const word = text.slice(from, i);
    if (!PREFIX_WORDS.has(word)) return i;
    from = i + 1;
  }
}

const PREFIX_WORDS = new Set(['lock', 'rep', 'repe', 'repne', 'repz', 'repnz', 'xacquire', 'xrelease',
  'notrack', 'bnd', 'data16', 'addr32', 'cs', 'ds', 'es', 'ss', 'fs', 'gs']);

function pad(mnemonic: string): string {
  return mnemonic.length >= 6 ? `${mnemonic} ` : `${mnemonic.padEnd(6)} `;
}

const READ_ONLY_DEST = new Set(['cmp', 'test', 'push', 'bt', 'ptest', 'ucomiss', 'ucomisd', 'comiss', 'comisd']);
const WRITES_BOTH = new Set(['xchg', 'xadd', 'cmpxchg']);

/**
 * Does the instruction at `off` write general-purpose register `slot`? Explicit destinations,
 * exchanges, and the frame instructions that write rbp implicitly (leave, enter). Slow path: used
 * only to tell whether a saved register still holds its saved value.
 */
export function x86WritesGpr(bytes: Uint8Array, off: number, slot: number): boolean {
  const o = x86Operands(bytes, off, 0);
  if (!o) return true;
  if (o.mnemonic === 'leave' || o.mnemonic === 'enter') return slot === 5 || slot === 4;
  if (o.kinds[0] === 'reg' && o.regs[0] === slot && !READ_ONLY_DEST.has(o.mnemonic)) return true;
  if (WRITES_BOTH.has(o.mnemonic)) return o.regs.includes(slot);
  return false;
}
