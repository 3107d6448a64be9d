/**
 * The arch contract: the only interface between an instruction set and the arch-neutral core.
 *
 * An arch decodes an executable section into the instruction table (kind, length, immediate
 * target, stack ops) and describes its registers by role. The core never names a real register;
 * it asks the arch for the stack pointer, the frame pointer, the return-address slot and the
 * callee-saved set, and interprets stack ops over abstract register numbers.
 */
import type { InsnTableBuilder } from '../program/insns.js';

/** What an instruction does to control flow. Values index `INSN_KIND_NAMES`. */
export const InsnKind = {
  Other: 0,
  JumpCond: 1,
  JumpUncond: 2,
  JumpDynamic: 3,
  JumpDynamicCond: 4,
  Call: 5,
  CallDynamic: 6,
  Return: 7,
  /** sysret/iret/eret/sysexit: leaves the kernel, ends the path like a return */
  ContextSwitch: 8,
  /** ud2 / brk #0x800: a BUG() site; ends the path */
  Bug: 9,
  Nop: 10,
  Stac: 11,
  Clac: 12,
  Std: 13,
  Cld: 14,
  /** int3 / brk / hlt that is not a BUG: ends the path */
  Trap: 15,
  Endbr: 16,
  /** Bytes that do not decode */
  Invalid: 17,
  /** syscall/svc: returns to the next instruction, clobbers registers */
  Syscall: 18,
} as const;
export type InsnKind = (typeof InsnKind)[keyof typeof InsnKind];

/** Can execution go on to the next instruction after one of this kind (calls: when they return)? */
export function fallsThrough(k: number): boolean {
  return k !== InsnKind.JumpUncond && k !== InsnKind.JumpDynamic && k !== InsnKind.Return &&
    k !== InsnKind.ContextSwitch && k !== InsnKind.Bug && k !== InsnKind.Trap && k !== InsnKind.Invalid;
}

/** A direct or indirect call. */
export function isCall(k: number): boolean {
  return k === InsnKind.Call || k === InsnKind.CallDynamic;
}

export const INSN_KIND_NAMES: readonly string[] = [
  'other', 'jcc', 'jmp', 'jmp*', 'jcc*', 'call', 'call*', 'ret', 'ctxsw', 'bug', 'nop',
  'stac', 'clac', 'std', 'cld', 'trap', 'endbr', 'invalid', 'syscall',
];

/**
 * Stack ops: the effect of one instruction on the registers the frame analysis tracks,
 * as `dest <- src`. Same vocabulary as objtool's so that the validator behaves like it.
 */
export const OpDest = {
  /** dest.reg = value */
  Reg: 0,
  /** [dest.reg + dest.off] = value */
  RegIndirect: 1,
  /** a store the analysis does not follow (memory other than the stack) */
  Mem: 2,
  /** sp -= slot; [sp] = value */
  Push: 3,
  /** pushf */
  PushF: 4,
} as const;
export type OpDest = (typeof OpDest)[keyof typeof OpDest];

export const OpSrc = {
  /** value = src.reg */
  Reg: 0,
  /** value = [src.reg + src.off] */
  RegIndirect: 1,
  /** value = an immediate or otherwise untracked constant */
  Const: 2,
  /** value = [sp]; sp += slot */
  Pop: 3,
  /** popf */
  PopF: 4,
  /** value = src.reg + src.off (add/sub/lea) */
  Add: 5,
  /** value = src.reg & src.off (realignment) */
  And: 6,
} as const;
export type OpSrc = (typeof OpSrc)[keyof typeof OpSrc];

/** Per-instruction flags (bit set in the table's `flags`). */
export const InsnFlag = {
  /** the immediate target is valid */
  HasTarget: 1 << 0,
  /** the instruction reads or writes memory through a pc-relative operand (rip-relative) */
  PcRel: 1 << 1,
  /** x86 `lock`/`rep` etc. are irrelevant; this marks a retpoline-style indirect thunk call site later */
  Reserved2: 1 << 2,
  /** instruction writes a register the arch marks as tracked (sp/fp/ra) in a way no stack op describes */
  ClobbersTracked: 1 << 3,
  /** an x86 `int3`-padding byte or an AArch64 padding word (not reachable by design) */
  Padding: 1 << 4,
  /** the instruction is a "mov %rsp-relative lea" / other op whose src is sp (used for DRAP detection) */
  SpSource: 1 << 5,
  /** AArch64: pointer-authentication sign of the return address (paciasp/pacibsp) */
  PacSign: 1 << 6,
  /** AArch64: pointer-authentication authenticate of the return address (autiasp/autibsp, retaa/retab) */
  PacAuth: 1 << 7,
  /** Branch-target landing pad (endbr64 / bti) */
  Landing: 1 << 8,
} as const;

/** A register rule as the frame analysis keeps it: `base` is a register number or a CfiBase. */
export const CfiBase = {
  Undefined: -1,
  Cfa: -2,
  SpIndirect: -3,
  FpIndirect: -4,
} as const;

/** One register's rule at function entry (base + offset, see CfiBase). */
export interface CfiReg {
  base: number;
  offset: number;
}

export interface ArchRegs {
  /** number of register slots the frame analysis tracks (including a pseudo return-address slot) */
  readonly count: number;
  readonly sp: number;
  readonly fp: number;
  /** slot of the return address (x86: a pseudo register; AArch64: x30) */
  readonly ra: number;
  /** DWARF register number of each slot, for unwind rows and CFI comparison (-1: none) */
  readonly dwarf: readonly number[];
  /** name of each slot, in DWARF spelling (rsp, rbp, ..., sp, x29) */
  readonly names: readonly string[];
  /** true for callee-saved slots, whose saves the analysis tracks */
  readonly calleeSaved: readonly boolean[];
}

export interface Arch {
  readonly name: 'x86_64' | 'aarch64';
  /** ELF e_machine */
  readonly machine: number;
  readonly regs: ArchRegs;
  /** size of one stack slot pushed/popped by push/pop and call (x86: 8) */
  readonly slot: number;
  /** The frame state at function entry: CFA and where each register's caller value lives. */
  readonly entryCfa: CfiReg;
  readonly entryRegs: readonly CfiReg[];
  /** typical bytes per instruction, to size the instruction table once (default 4) */
  readonly insnBytesHint?: number;
  /**
   * What code of this arch typically decodes to: bytes of code per row and op words per row (kernel
   * objects; `userspace` where linked userspace code differs). Sizes the memory committed ahead of the
   * decoder (program/commit-ahead.ts): a little below the real figures, as rows committed and never
   * written would only add to the peak.
   */
  readonly typicalRows?: TypicalRows & { readonly userspace?: TypicalRows };
  /** true when the call instruction itself pushes the return address (x86), false on link-register ISAs */
  readonly callPushesRa: boolean;
  /**
   * Decode `bytes` (the whole section) into `out`, one row per instruction, starting at offset 0.
   * `addr` is the section's address (0 in relocatable files): immediate targets are addresses in the
   * same space. Never throws on bad bytes: undecodable bytes become `InsnKind.Invalid` rows of the
   * arch's minimum instruction length.
   *
   * `anchors` (sorted section offsets, linked files): places where an instruction is known to begin
   * (function symbols, FDE starts). A variable-length decoder that reaches one inside an instruction
   * (zero fill between functions decodes as `add %al,(%rax)` and swallows the next function's first
   * byte) ends that instruction as an `Invalid` padding row and resumes at the anchor.
   *
   * `userspace` (no kernel conventions): the decoder may record more register writes as stack ops
   * than objtool does (x86: loads through any base register); kernel decoding must stay objtool's.
   */
  decodeSection(bytes: Uint8Array, secIndex: number, addr: number, out: InsnTableBuilder, anchors?: Uint32Array, userspace?: boolean): void;
  /** Human-readable disassembly of one instruction (slow path: diagnostics only). */
  disassemble?(bytes: Uint8Array, off: number, addr: number): string;
  /**
   * Does the instruction at `off` write register slot `reg`? Slow path, for telling whether a saved
   * register still holds its value (unwind-table comparison). Absent: assume it may.
   */
  writesRegister?(bytes: Uint8Array, off: number, reg: number): boolean;
  /** kernel conventions (objtool hooks), when the arch supports kernel objects */
  kernel?: KernelHooks;
}

/**
 * What kernel conventions need from an arch (objtool's arch_* hooks beyond decoding). Optional: an
 * arch without them is analysed without kernel conventions.
 */
export interface KernelHooks {
  /** target offset named by a pc-relative branch relocation's addend (x86: addend + 4) */
  destRelocOffset(addend: number): number;
  /** relocation types whose value depends on the place (pc-relative) */
  isPcRelativeReloc(type: number): boolean;
  /** register slot for an unwind hint's sp_reg (ORC register number), or undefined when unsupported */
  hintRegToSlot(spReg: number): number | undefined;
  /** NOP of `len` bytes, or undefined */
  nopBytes(len: number): Uint8Array | undefined;
  /** RET (+ padding) of `len` bytes, or undefined */
  retBytes(len: number): Uint8Array | undefined;
  isRetpolineThunk(name: string): boolean;
  isReturnThunk(name: string): boolean;
  isEmbeddedInsn(name: string): boolean;
  isFtraceCall(name: string): boolean;
  /** relocation type of an absolute address of the arch's pointer size */
  absReloc: number;
  /** relocation type for the 32-bit pc-relative references objtool's sections use */
  pcRel32Reloc: number;
  /** x86: the relocation type that makes a table offset +4 (R_X86_64_PC32) */
  pc32Reloc: number;
}

/** Code bytes and op words per decoded row (Arch.typicalRows). */
export interface TypicalRows {
  readonly bytesPerRow: number;
  /** counted at one word per op field (OP_FIELDS an op, as measured), not as packed in `ops` */
  readonly opWordsPerRow: number;
}
