/**
 * x86-64 instructions as the switch-table recogniser sees them (slow path: only rows on the backward
 * paths from dynamic jumps are described): which registers and stack slots they write, the value they
 * give their destination (address constants from rip-relative operands or their relocations, copies and
 * zero/sign extensions, adds, scaled-index loads), unsigned compares with an immediate and the
 * conditional jumps that test them.
 */
import type { Decoder, Instruction, InstructionInfoFactory } from 'iced-x86';
import { InsnFlag } from '../arch.js';
import { R_X86_64_32, R_X86_64_32S, R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32 } from '../../elf/constants.js';
import { relocDest, type RelocDest } from '../../elf/reloc-target.js';
import type { Program } from '../../program/program.js';
import type { Addr, InsnSem, MemCells, Rhs, SwitchArch, SwitchDescriber, Term } from '../../cfg/switch-tables.js';
import { FRAME_ANY, MEM_ANY, slotChunks, slotLoc } from '../../cfg/switch-tables.js';
import { iced, type Iced } from './iced.js';
import { describePlainMove, newMemOperand, newPlainMove, NOT_GPR64, readPlainMove, type MemOperand, type MemOperandValues } from './fast-describe.js';

const RSP = 4;
const RBP = 5;
/** registers a call may change (SysV): rax, rcx, rdx, rsi, rdi, r8-r11 */
const CALL_CLOBBERS = [0, 1, 2, 6, 7, 8, 9, 10, 11];

export const x86SwitchArch: SwitchArch = {
  open: (p, cells) => new X86Describer(p, cells),
  absRelocs: [R_X86_64_64, R_X86_64_32S, R_X86_64_32],
  pcrelRelocs: [R_X86_64_PC32],
  callClobbers: CALL_CLOBBERS,
};

function empty(): InsnSem {
  return { writes: [], writesFlags: true, dst: -1, rhs: undefined, also: undefined, zx32: undefined, alias: undefined, cmp: undefined, cond: undefined, listed: -1 };
}

/** Bytes [from, to) of an instruction packed into one number (at most 6 bytes). */
function packBytes(bytes: Uint8Array, from: number, to: number): number {
  let k = 0;
  for (let i = from; i < to; i++) k = k * 256 + bytes[i];
  return k;
}

/** `SemsByBytes` rest of a direct branch keyed by its opcode alone (other rests are -1 or a byte string). */
const REL_BRANCH = -2;

/**
 * Opcode bytes of a direct call or jump without prefixes, whose displacement is all that follows
 * (call/jmp rel32, jmp rel8, jcc rel8/rel32), or 0 for any other instruction.
 */
function relBranchOpcodeBytes(bytes: Uint8Array, off: number, len: number): number {
  const b = bytes[off];
  if ((b === 0xe8 || b === 0xe9) && len === 5) return 1;
  if ((b === 0xeb || (b >= 0x70 && b <= 0x7f)) && len === 2) return 1;
  if (b === 0x0f && len === 6 && bytes[off + 1] >= 0x80 && bytes[off + 1] <= 0x8f) return 2;
  return 0;
}

/** A call's writes: the callee returns with rsp as it was and its return address below it (frame slots survive). */
function callWrites(sem: InsnSem): void {
  sem.writes = sem.writes.filter((r) => r !== RSP && r < 64 || r === MEM_ANY);
  for (const r of CALL_CLOBBERS) if (!sem.writes.includes(r)) sem.writes.push(r);
  if (!sem.writes.includes(MEM_ANY)) sem.writes.push(MEM_ANY);
}

function term(loc: number): Term {
  return { loc, shift: 0, bits: 64, signed: false };
}

function immediate(insn: Instruction, op: number, kind: number, OK: Iced['OpKind']): number {
  const v = insn.immediate(op);
  const bits = kind === OK.Immediate8 ? 8 : kind === OK.Immediate16 ? 16 : kind === OK.Immediate32 ? 32 : 64;
  return Number(BigInt.asIntN(bits, v));
}

function isImmediate(kind: number, OK: Iced['OpKind']): boolean {
  return kind >= OK.Immediate8 && kind <= OK.Immediate32to64;
}

/** A sign-extended immediate read as the unsigned value the compare uses at `bits` width. */
function unsignedAt(v: number, bits: number): number {
  if (v >= 0) return v;
  return bits >= 53 ? -1 : v + 2 ** bits;
}

/**
 * Decoders over 64 KiB chunks of a section (plus the 15 bytes an instruction at the chunk's end may
 * take), the few last used kept: the rows the recogniser describes cluster in the functions it
 * searches, and a decoder made per instruction costs more than decoding it.
 */
const CHUNK = 1 << 16;
const CHUNKS_KEPT = 4;
interface ChunkDecoder { sec: number; base: number; decoder: Decoder }

/**
 * Descriptions by instruction bytes (`key`: the first 6 bytes and the length, `rest`: the others, -1 when
 * none), in an open-addressing table: the keys pass 2^31, and a Map keyed by such numbers hashes
 * boxed numbers.
 */
class SemsByBytes {
  /** slot i: key at [2i] (-1: empty) and rest at [2i + 1], side by side (a probe reads one cache line) */
  private keyRest = new Float64Array(2 << 12).fill(-1);
  private sems: (InsnSem | undefined)[] = new Array<InsnSem | undefined>(1 << 12).fill(undefined);
  private size = 0;

  private slot(key: number, rest: number): number {
    const kr = this.keyRest;
    const mask = this.sems.length - 1;
    let h = Math.imul((key >>> 0) ^ Math.imul((key / 0x100000000) | 0, 0x9e3779b1), 0x85ebca6b);
    h = Math.imul(h ^ (rest >>> 0) ^ ((rest / 0x100000000) | 0), 0xc2b2ae35);
    let i = (h ^ (h >>> 15)) & mask;
    while (kr[2 * i] !== -1 && (kr[2 * i] !== key || kr[2 * i + 1] !== rest)) i = (i + 1) & mask;
    return i;
  }

  get(key: number, rest: number): InsnSem | undefined {
    return this.sems[this.slot(key, rest)];
  }

  set(key: number, rest: number, sem: InsnSem): void {
    if (2 * (this.size + 1) > this.sems.length) this.grow();
    const i = this.slot(key, rest);
    if (this.keyRest[2 * i] === -1) this.size++;
    this.keyRest[2 * i] = key;
    this.keyRest[2 * i + 1] = rest;
    this.sems[i] = sem;
  }

  private grow(): void {
    const { keyRest, sems } = this;
    const cap = sems.length * 2;
    this.keyRest = new Float64Array(2 * cap).fill(-1);
    this.sems = new Array<InsnSem | undefined>(cap).fill(undefined);
    this.size = 0;
    for (let i = 0; i < sems.length; i++) if (keyRest[2 * i] !== -1) this.set(keyRest[2 * i], keyRest[2 * i + 1], sems[i]!);
  }
}

/** iced's answers that the describer asks for per register or memory operand, as tables, with the module. */
interface IcedTables {
  I: Iced;
  factory: InstructionInfoFactory;
  /** full general-purpose register number (rax=0 ... r15=15) of any-width register, -1 otherwise */
  gprOf: Int8Array;
  /** register size in bytes */
  regBytes: Int32Array;
  /** memory operand size in bytes */
  memBytes: Int32Array;
}

/**
 * Per-register facts as tables (iced answers each through a call into its wasm module, and the
 * recogniser asks for every register of every instruction it describes).
 */
function icedTables(): IcedTables {
  const I = iced();
  const nreg = 256;
  const gprOf = new Int8Array(nreg).fill(-1);
  const regBytes = new Int32Array(nreg);
  for (let r = 0; r < nreg; r++) {
    if (I.Register[r] === undefined) continue;
    regBytes[r] = I.RegisterExt.size(r);
    if (r !== I.Register.None && I.RegisterExt.isGPR(r)) gprOf[r] = I.RegisterExt.number(I.RegisterExt.fullRegister(r));
  }
  const nmem = 256;
  const memBytes = new Int32Array(nmem);
  for (let m = 0; m < nmem; m++) if (I.MemorySize[m] !== undefined) memBytes[m] = I.MemorySizeExt.size(m);
  return { I, factory: new I.InstructionInfoFactory(), gprOf, regBytes, memBytes };
}

/**
 * One recovery's view of the x86-64 code of a program: decoders, descriptions shared by identical
 * bytes, iced's tables (made on first use: a file without dynamic jumps never loads iced). Wasm
 * memory is not garbage collected: `close` frees it.
 */
export class X86Describer implements SwitchDescriber, MemOperandValues {
  private ice: IcedTables | undefined;
  private readonly chunkDecoders: ChunkDecoder[] = [];
  /** instructions by nesting depth of decoding (a describe decodes again for constant offsets) */
  private readonly insnPool: Instruction[] = [];
  /**
   * Descriptions by instruction bytes, for the instructions of a linked file whose description does
   * not depend on where they are (no rip-relative operand; no relocations in a linked file): code
   * repeats the same register moves, compares and spills everywhere. Direct calls and jumps are kept
   * by opcode alone (their displacement changes nothing the recogniser reads).
   */
  private readonly semByBytes = new SemsByBytes();
  /** the section's bytes (the last section asked for is kept: rows come in runs from one section) */
  private lastSec = -1;
  private lastBytes: Uint8Array = new Uint8Array(0);
  private readonly linked: boolean;
  private readonly rd: RelocDest = { sec: -1, off: 0, sym: 0 };
  /** the memory operand of the instruction being described, as iced decoded it */
  private readonly icedMem: MemOperand = newMemOperand();
  /** the plain move being described on the fast path */
  private readonly plainMove = newPlainMove();
  /** rows the fast path described (tests check it is taken) */
  fastDescribed = 0;

  /** `fastPath` false: every row through iced (tests compare the two) */
  constructor(private readonly p: Program, private readonly cells: MemCells, private readonly fastPath = true) {
    this.linked = p.elf.type !== 1;
  }

  private sectionBytes(sec: number): Uint8Array {
    if (sec !== this.lastSec) {
      this.lastBytes = this.p.elf.sectionData(this.p.elf.sections[sec]);
      this.lastSec = sec;
    }
    return this.lastBytes;
  }

  /** What the instruction at `row` does, for the recogniser. */
  describe(row: number): InsnSem {
    const p = this.p;
    // linked files: up to 12 bytes as two numbers (the first 6 with the length, then the rest)
    let key = -1;
    let rest = -1;
    const len = p.len[row];
    if (this.linked && len >= 1 && len <= 12) {
      const bytes = this.sectionBytes(p.sec[row]);
      const off = p.off[row];
      if (off + len <= bytes.length) {
        const ops = relBranchOpcodeBytes(bytes, off, len);
        if (ops > 0) {
          // a direct call or jump means the same whatever its displacement: keyed by its opcode
          key = packBytes(bytes, off, off + ops) * 16 + len;
          rest = REL_BRANCH;
        } else {
          key = packBytes(bytes, off, off + Math.min(len, 6)) * 16 + len;
          if (len > 6) rest = packBytes(bytes, off + 6, off + len);
        }
        const known = this.semByBytes.get(key, rest);
        if (known) return known;
        // plain lea/mov from their bytes; only in linked files (no relocations in displacements)
        const mv = this.plainMove;
        if (this.fastPath && readPlainMove(bytes, off, len, mv)) {
          const sem = empty();
          describePlainMove(row, mv, sem, this);
          this.fastDescribed++;
          if (!mv.ripRel) this.semByBytes.set(key, rest, sem);
          return sem;
        }
      }
    }
    const sem = empty();
    const insn = this.decode(row, 0);
    if (insn === undefined) return sem;
    // the same bytes decode the same wherever they are, unless an operand is relative to rip
    const placeFree = !insn.isIpRelMemoryOperand && insn.length === p.len[row];
    this.model(row, insn, sem);
    if (key >= 0 && placeFree) this.semByBytes.set(key, rest, sem);
    return sem;
  }

  /**
   * The instruction's meaning in three parts, each its own compiled function (what it writes, by iced's
   * register and memory use; a call's writes; the value it gives its destination): V8 recompiles a part
   * that meets a new kind of instruction, not all of them.
   */
  private model(row: number, insn: Instruction, sem: InsnSem): void {
    this.usedWrites(insn, sem);
    const I = this.ice!.I;
    const fc = insn.flowControl;
    if (fc === I.FlowControl.Call || fc === I.FlowControl.IndirectCall) callWrites(sem);
    else this.value(row, insn, fc, sem);
  }

  /** The registers and stack slots the instruction writes, and whether it writes flags. */
  private usedWrites(insn: Instruction, sem: InsnSem): void {
    const { I, factory } = this.ice!;
    const A = I.OpAccess;
    sem.writesFlags = insn.rflagsModified !== 0;
    const ii = factory.info(insn);
    try {
      for (const u of ii.usedRegisters()) {
        const acc = u.access;
        if (acc === A.Write || acc === A.CondWrite || acc === A.ReadWrite || acc === A.ReadCondWrite) {
          const r = this.gpr(u.register);
          if (r >= 0 && !sem.writes.includes(r)) sem.writes.push(r);
          // a 32-bit destination written zeroes the upper half of its full register (cmovcc even when
          // the condition is false)
          const always = acc === A.Write || acc === A.ReadWrite || insn.conditionCode !== I.ConditionCode.None;
          if (r >= 0 && always && insn.opCount > 0 && insn.op0Kind === I.OpKind.Register &&
            this.regSize(insn.op0Register) === 4 && this.gpr(insn.op0Register) === r) (sem.zx32 ??= []).push(r);
        }
        u.free();
      }
      for (const m of ii.usedMemory()) {
        const acc = m.access;
        if (acc === A.Write || acc === A.CondWrite || acc === A.ReadWrite || acc === A.ReadCondWrite) {
          const b = this.gpr(m.base);
          const frame = b === RSP || b === RBP;
          const size = this.memSize(m.memorySize);
          const chunks = frame && m.index === I.Register.None && size > 0
            ? slotChunks(b, Number(BigInt.asIntN(64, m.displacement)), size) : undefined;
          if (chunks) sem.writes.push(...chunks);
          else {
            if (!sem.writes.includes(MEM_ANY)) sem.writes.push(MEM_ANY);
            // an indexed store is an array element (spill slots sit at fixed offsets); any other frame
            // store without a size kills every slot
            if (frame && m.index === I.Register.None && !sem.writes.includes(FRAME_ANY)) sem.writes.push(FRAME_ANY);
          }
        }
        m.free();
      }
    } finally {
      ii.free();
    }
  }

  /** The value the instruction gives its destination, compares and conditional jumps (not calls). */
  private value(row: number, insn: Instruction, fc: number, sem: InsnSem): void {
    const I = this.ice!.I;
    const OK = I.OpKind;
    const M = I.Mnemonic;
    const mn = insn.mnemonic;
    const n = insn.opCount;
    const k0 = n > 0 ? insn.op0Kind : -1;
    const k1 = n > 1 ? insn.op1Kind : -1;
    // conditional jumps on unsigned compares
    if (fc === I.FlowControl.ConditionalBranch) {
      if (mn === M.Ja) sem.cond = { taken: null, fall: 0 };
      else if (mn === M.Jae) sem.cond = { taken: null, fall: -1 };
      else if (mn === M.Jbe) sem.cond = { taken: 0, fall: null };
      else if (mn === M.Jb) sem.cond = { taken: -1, fall: null };
      return;
    }
    if (mn === M.Cdqe) {
      sem.dst = 0;
      sem.rhs = { op: 'copy', src: 0, bits: 32, signed: true };
      return;
    }
    // compare of a frame slot with an immediate (unoptimised code)
    if (mn === M.Cmp && k0 === OK.Memory && isImmediate(k1, OK)) {
      const base = this.gpr(insn.memoryBase);
      if ((base === RSP || base === RBP) && insn.memoryIndex === I.Register.None) {
        const s = slotLoc(base, Number(BigInt.asIntN(64, insn.memoryDisplacement)));
        const width = this.memSize(insn.memorySize) * 8;
        if (s >= 0) sem.cmp = { loc: s, imm: unsignedAt(immediate(insn, 1, k1, OK), width), width };
      } else {
        const cell = this.cellOf(row, this.memOperand(insn));
        const width = this.memSize(insn.memorySize) * 8;
        if (cell >= 0) sem.cmp = { loc: cell, imm: unsignedAt(immediate(insn, 1, k1, OK), width), width };
      }
      return;
    }
    if (k0 === OK.Register) {
      const d = this.gpr(insn.op0Register);
      const dsz = this.regSize(insn.op0Register);
      if (d < 0) return;
      if ((mn === M.Cmp || mn === M.Sub) && isImmediate(k1, OK) && n === 2) {
        const imm = immediate(insn, 1, k1, OK);
        sem.cmp = { loc: d, imm: unsignedAt(imm, dsz * 8), width: dsz * 8 };
        if (mn === M.Sub && dsz === 8) sem.dst = d, sem.rhs = { op: 'add', c: { sec: -1, off: -imm }, terms: [term(d)] };
        return;
      }
      sem.dst = d;
      if (mn === M.Lea && k1 === OK.Memory && dsz === 8) {
        sem.rhs = this.memValue(row, this.memOperand(insn), 'add', 0, false, 64);
        return;
      }
      if ((mn === M.Mov || mn === M.Movzx || mn === M.Movsx || mn === M.Movsxd) && k1 === OK.Register && n === 2) {
        const s = this.gpr(insn.op1Register);
        const ssz = this.regSize(insn.op1Register);
        if (s < 0 || (dsz < 4)) return;
        const signed = mn === M.Movsx || mn === M.Movsxd;
        if (signed && dsz === 4) return; // sign-extended into 32 bits, then zero-extended: not a plain extension
        sem.rhs = { op: 'copy', src: s, bits: Math.min(ssz, dsz) * 8, signed };
        return;
      }
      if ((mn === M.Mov || mn === M.Movzx || mn === M.Movsx || mn === M.Movsxd) && k1 === OK.Memory && n === 2 && dsz >= 4) {
        const size = this.memSize(insn.memorySize);
        const signed = mn === M.Movsx || mn === M.Movsxd;
        if (signed && dsz === 4 && size < 4) return;
        const base = this.gpr(insn.memoryBase);
        if ((base === RSP || base === RBP) && insn.memoryIndex === I.Register.None && !this.hasReloc(row)) {
          const s = slotLoc(base, Number(BigInt.asIntN(64, insn.memoryDisplacement)));
          if (s >= 0) sem.rhs = { op: 'copy', src: s, bits: Math.min(size, dsz) * 8, signed };
          return;
        }
        const m = this.memOperand(insn);
        sem.rhs = this.memValue(row, m, 'load', size, signed, dsz * 8);
        if (!signed) sem.alias = this.cellOf(row, m);
        return;
      }
      if (dsz !== 8) {
        if (mn === M.And && isImmediate(k1, OK)) {
          const imm = immediate(insn, 1, k1, OK);
          if (imm >= 0) sem.rhs = { op: 'and', src: d, mask: imm };
        }
        return;
      }
      if (mn === M.Add && k1 === OK.Register && dsz === 8) {
        const s = this.gpr(insn.op1Register);
        if (s >= 0 && this.regSize(insn.op1Register) === 8) sem.rhs = { op: 'add', c: null, terms: [term(d), term(s)] };
        return;
      }
      if (mn === M.Add && isImmediate(k1, OK)) {
        sem.rhs = { op: 'add', c: { sec: -1, off: immediate(insn, 1, k1, OK) }, terms: [term(d)] };
        return;
      }
      if (mn === M.And && isImmediate(k1, OK)) {
        const imm = immediate(insn, 1, k1, OK);
        if (imm >= 0) sem.rhs = { op: 'and', src: d, mask: imm };
        return;
      }
      if (mn === M.Shl && isImmediate(k1, OK)) {
        const sh = immediate(insn, 1, k1, OK);
        if (sh >= 0 && sh < 8) sem.rhs = { op: 'add', c: null, terms: [{ loc: d, shift: sh, bits: 64, signed: false }] };
        return;
      }
      return;
    }
    // stores of a register into a frame slot
    if (k0 === OK.Memory && k1 === OK.Register && mn === M.Mov && n === 2) {
      const base = this.gpr(insn.memoryBase);
      const s = this.gpr(insn.op1Register);
      if ((base === RSP || base === RBP) && insn.memoryIndex === I.Register.None && s >= 0) {
        const slot = slotLoc(base, Number(BigInt.asIntN(64, insn.memoryDisplacement)));
        if (slot >= 0) {
          sem.dst = slot;
          sem.rhs = { op: 'copy', src: s, bits: this.regSize(insn.op1Register) * 8, signed: false };
        }
      }
    }
  }

  /** The target of `jmp *%reg` / `jmp *mem` as a value. */
  jumpTarget(row: number): Rhs | undefined {
    const insn = this.decode(row, 0);
    if (insn === undefined) return undefined;
    const I = this.ice!.I;
    if (insn.flowControl !== I.FlowControl.IndirectBranch || insn.opCount !== 1) return undefined;
    const k = insn.op0Kind;
    if (k === I.OpKind.Register) {
      const r = this.gpr(insn.op0Register);
      if (r >= 0 && this.regSize(insn.op0Register) === 8) return { op: 'copy', src: r, bits: 64, signed: false };
    } else if (k === I.OpKind.Memory) {
      return this.memValue(row, this.memOperand(insn), 'load', 8, false, 64);
    }
    return undefined;
  }

  /** Row a direct jump goes to: its relocation's destination in relocatable files, else its immediate target. */
  branchDest(row: number): number {
    const p = this.p;
    const sec = p.sec[row];
    const rel = this.linked ? null : p.relocs.of(sec);
    const ri = rel ? p.insnReloc(row) : -1;
    if (ri >= 0 && p.elf.symtab) {
      const t = rel!.table;
      const type = t.type[ri];
      if (type !== R_X86_64_PC32 && type !== R_X86_64_PLT32) return -1;
      const d = relocDest(p.elf.symtab, t, ri, this.rd);
      if (d.sec < 0) return -1;
      // pc-relative to the end of the instruction: S + A - P + end
      return p.find(d.sec, d.off + (p.off[row] + p.len[row] - t.offset[ri]));
    }
    if (!(p.flags[row] & InsnFlag.HasTarget) && p.target[row] < 0) return -1;
    const base = this.linked ? p.elf.sections[sec].addr : 0;
    return p.find(sec, p.target[row] - base);
  }

  /** The decoded instruction's memory operand as the describer reads it (in one object, filled again per call). */
  private memOperand(insn: Instruction): MemOperand {
    const I = this.ice!.I;
    const m = this.icedMem;
    m.ripRel = insn.isIpRelMemoryOperand;
    const base = insn.memoryBase;
    if (m.ripRel || base === I.Register.None) m.base = -1;
    else {
      const b = this.gpr(base);
      m.base = b >= 0 ? b : NOT_GPR64;
    }
    m.base64 = m.base < 0 || this.regSize(base) === 8;
    const index = insn.memoryIndex;
    if (index === I.Register.None) m.index = -1;
    else {
      const x = this.gpr(index);
      m.index = x >= 0 && this.regSize(index) === 8 ? x : NOT_GPR64;
    }
    m.scale = insn.memoryIndexScale;
    m.disp = Number(BigInt.asIntN(64, insn.memoryDisplacement));
    const seg = insn.segmentPrefix;
    m.segmentOk = seg === I.Register.None || seg === I.Register.DS;
    return m;
  }

  /** The memory operand as an address sum (`add`) or a load of it (`load`). */
  memValue(row: number, m: MemOperand, op: 'add' | 'load', size: number, signed: boolean, width: number): Rhs | undefined {
    const c = this.dispAddr(row, m);
    if (c === undefined) return undefined;
    const terms: Term[] = [];
    if (!m.ripRel && m.base !== -1) {
      if (m.base < 0 || !m.base64) return undefined;
      terms.push(term(m.base));
    }
    if (m.index !== -1) {
      if (m.index < 0) return undefined;
      terms.push({ loc: m.index, shift: Math.log2(m.scale), bits: 64, signed: false });
    }
    if (!m.segmentOk) return undefined;
    if (op === 'add') return terms.length === 0 ? { op: 'const', c, page: false } : { op: 'add', c, terms };
    return { op: 'load', c, terms, size, signed, width };
  }

  /** The displacement as an address: from its relocation in relocatable files, else its value. */
  private dispAddr(row: number, m: MemOperand): Addr | undefined {
    const p = this.p;
    const off = p.off[row];
    const len = p.len[row];
    const ripRel = m.ripRel;
    const rel = this.linked ? null : p.relocs.of(p.sec[row]);
    const ri = rel ? rel.inRange(off, len) : -1;
    const disp = m.disp;
    if (ri >= 0) {
      const t = rel!.table;
      const place = t.offset[ri];
      // only a relocation of the displacement itself (not of an immediate after it)
      const dispOff = this.dispOffset(row);
      if (dispOff < 0 || place !== off + dispOff) return undefined;
      if (!p.elf.symtab) return undefined;
      const d = relocDest(p.elf.symtab, t, ri, this.rd);
      if (d.sec < 0) return undefined;
      const type = t.type[ri];
      if (ripRel) {
        if (type !== R_X86_64_PC32) return undefined;
        return { sec: d.sec, off: d.off + (off + len - place) };
      }
      if (type !== R_X86_64_32S && type !== R_X86_64_32) return undefined;
      return { sec: d.sec, off: d.off };
    }
    if (ripRel) {
      // with ip 0 at the instruction, the operand is (len + disp) past its start
      const addr = this.linked ? p.elf.sections[p.sec[row]].addr : 0;
      const target = addr + off + disp;
      return this.linked ? { sec: -1, off: target } : { sec: p.sec[row], off: target };
    }
    return { sec: -1, off: disp };
  }

  /** Offset of the displacement in the instruction's bytes, -1 when none (decodes the row again: slow path). */
  private dispOffset(row: number): number {
    const insn = this.decode(row, 1);
    if (insn === undefined) return -1;
    const co = this.lastDecoder!.getConstantOffsets(insn);
    const out = co.hasDisplacement ? co.displacementOffset : -1;
    co.free();
    return out;
  }

  /** The memory cell of an operand without index register (base register or rip, displacement), or -1. */
  cellOf(row: number, m: MemOperand): number {
    if (m.index === NOT_GPR64) return -1;
    if (!m.segmentOk) return -1;
    const c = this.dispAddr(row, m);
    if (!c) return -1;
    const key = `${c.sec}:${c.off}*${m.scale}`;
    if (m.ripRel) return this.cells.loc(-1, key, m.index);
    if (m.base === -1) return m.index >= 0 ? this.cells.loc(-1, key, m.index) : -1;
    if (m.base < 0 || !m.base64) return -1;
    return this.cells.loc(m.base, key, m.index);
  }

  private hasReloc(row: number): boolean {
    return !this.linked && this.p.insnReloc(row) >= 0;
  }

  /** Full general-purpose register number (rax=0 ... r15=15) of any-width register, -1 otherwise. */
  private gpr(reg: number): number {
    const g = this.ice!.gprOf;
    return reg >= 0 && reg < g.length ? g[reg] : -1;
  }

  private regSize(reg: number): number {
    return this.ice!.regBytes[reg];
  }

  private memSize(m: number): number {
    return this.ice!.memBytes[m];
  }

  /** the decoder of the last `decode` (its constant offsets describe that instruction) */
  private lastDecoder: Decoder | undefined;

  private chunkDecoder(sec: number, bytes: Uint8Array, off: number): ChunkDecoder {
    const base = off - (off % CHUNK);
    const list = this.chunkDecoders;
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (c.sec === sec && c.base === base) {
        if (i > 0) { list.splice(i, 1); list.unshift(c); }
        return c;
      }
    }
    const I = this.ice!.I;
    const decoder = new I.Decoder(64, bytes.subarray(base, Math.min(bytes.length, base + CHUNK + 15)), I.DecoderOptions.None);
    const c: ChunkDecoder = { sec, base, decoder };
    list.unshift(c);
    if (list.length > CHUNKS_KEPT) list.pop()!.decoder.free();
    return c;
  }

  /**
   * The instruction at `row` decoded into pool slot `slot` (0: the row being described, 1: decoded
   * again for its constant offsets), or undefined when the bytes do not decode.
   */
  private decode(row: number, slot: number): Instruction | undefined {
    const ice = this.ice ??= icedTables();
    const p = this.p;
    const sec = p.sec[row];
    const bytes = this.sectionBytes(sec);
    const off = p.off[row];
    // nothing to decode past the section's end (an empty window decodes as invalid)
    if (off >= bytes.length) return undefined;
    const { decoder, base } = this.chunkDecoder(sec, bytes, off);
    const insn = this.insnPool[slot] ??= new ice.I.Instruction();
    decoder.position = off - base;
    // ip 0 at the instruction: rip-relative operands come out relative to its start
    decoder.ip = 0n;
    decoder.decodeOut(insn);
    this.lastDecoder = decoder;
    return insn.code === 0 ? undefined : insn;
  }

  /** Frees the decoders, instructions and iced's info factory (wasm memory is not garbage collected). */
  close(): void {
    for (const c of this.chunkDecoders) c.decoder.free();
    this.chunkDecoders.length = 0;
    for (const i of this.insnPool) i.free();
    this.insnPool.length = 0;
    this.ice?.factory.free();
    this.ice = undefined;
  }
}
