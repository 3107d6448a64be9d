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
import type { Addr, InsnSem, Rhs, SwitchArch, Term } from '../../cfg/switch-tables.js';
import { FRAME_ANY, MEM_ANY, memCellLoc, slotChunks, slotLoc } from '../../cfg/switch-tables.js';
import { iced } from './iced.js';

const RSP = 4;
const RBP = 5;
/** registers a call may change (SysV): rax, rcx, rdx, rsi, rdi, r8-r11 */
const CALL_CLOBBERS = [0, 1, 2, 6, 7, 8, 9, 10, 11];

export const x86SwitchArch: SwitchArch = {
  describe: describeX86,
  release: releaseDecoders,
  jumpTarget: jumpTargetX86,
  branchDest: branchDestX86,
  absRelocs: [R_X86_64_64, R_X86_64_32S, R_X86_64_32],
  pcrelRelocs: [R_X86_64_PC32],
  callClobbers: CALL_CLOBBERS,
};

function empty(): InsnSem {
  return { writes: [], writesFlags: true, dst: -1, rhs: undefined, cmp: undefined, cond: undefined };
}

/**
 * Descriptions by instruction bytes, for the instructions of a linked file whose description does
 * not depend on where they are (no rip-relative operand; no relocations in a linked file): code
 * repeats the same register moves, compares and spills everywhere. Cleared with the recogniser's
 * memory cells (`release`).
 */
const semByBytes = new Map<number, InsnSem | Map<number, InsnSem>>();

/** The section's bytes (the last section asked for is kept: rows come in runs from one section). */
let lastElf: object | undefined;
let lastSec = -1;
let lastBytes: Uint8Array = new Uint8Array(0);

function sectionBytes(p: Program, sec: number): Uint8Array {
  if (p.elf !== lastElf || sec !== lastSec) {
    lastBytes = p.elf.sectionData(p.elf.sections[sec]);
    lastElf = p.elf;
    lastSec = sec;
  }
  return lastBytes;
}

/** Bytes [from, to) of an instruction packed into one number (at most 6 bytes). */
function packBytes(bytes: Uint8Array, from: number, to: number): number {
  let k = 0;
  for (let i = from; i < to; i++) k = k * 256 + bytes[i];
  return k;
}

/**
 * The description cached for these bytes (`key` their first 6 bytes and length, `rest` the others,
 * -1 when none), or undefined.
 */
function knownSem(key: number, rest: number): InsnSem | undefined {
  const e = semByBytes.get(key);
  if (e === undefined) return undefined;
  if (e instanceof Map) return e.get(rest);
  return rest < 0 ? e : undefined;
}

function rememberSem(key: number, rest: number, sem: InsnSem): void {
  if (rest < 0) { semByBytes.set(key, sem); return; }
  let m = semByBytes.get(key);
  if (!(m instanceof Map)) { m = new Map(); semByBytes.set(key, m); }
  m.set(rest, sem);
}

/** What the instruction at `row` does, for the recogniser. */
function describeX86(p: Program, row: number): InsnSem {
  // linked files: up to 12 bytes as two numbers (the first 6 with the length, then the rest)
  let key = -1;
  let rest = -1;
  const len = p.len[row];
  if (p.elf.type !== 1 && len >= 1 && len <= 12) {
    const bytes = sectionBytes(p, p.sec[row]);
    const off = p.off[row];
    if (off + len <= bytes.length) {
      key = packBytes(bytes, off, off + Math.min(len, 6)) * 16 + len;
      if (len > 6) rest = packBytes(bytes, off + 6, off + len);
      const known = knownSem(key, rest);
      if (known) return known;
    }
  }
  const sem = empty();
  let placeFree = false;
  withInsn(p, row, (insn, I, info) => {
    // the same bytes decode the same wherever they are, unless an operand is relative to rip
    placeFree = !insn.isIpRelMemoryOperand && insn.length === p.len[row];
    const OK = I.OpKind;
    const A = I.OpAccess;
    sem.writesFlags = insn.rflagsModified !== 0;
    const ii = info.info(insn);
    try {
      for (const u of ii.usedRegisters()) {
        const acc = u.access;
        if (acc === A.Write || acc === A.CondWrite || acc === A.ReadWrite || acc === A.ReadCondWrite) {
          const r = gpr(u.register);
          if (r >= 0 && !sem.writes.includes(r)) sem.writes.push(r);
          // a 32-bit destination written zeroes the upper half of its full register (cmovcc even when
          // the condition is false)
          const always = acc === A.Write || acc === A.ReadWrite || insn.conditionCode !== I.ConditionCode.None;
          if (r >= 0 && always && insn.opCount > 0 && insn.op0Kind === I.OpKind.Register &&
            regSize(insn.op0Register) === 4 && gpr(insn.op0Register) === r) (sem.zx32 ??= []).push(r);
        }
        u.free();
      }
      for (const m of ii.usedMemory()) {
        const acc = m.access;
        if (acc === A.Write || acc === A.CondWrite || acc === A.ReadWrite || acc === A.ReadCondWrite) {
          const b = gpr(m.base);
          const frame = b === RSP || b === RBP;
          const size = memSize(m.memorySize);
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
    const fc = insn.flowControl;
    if (fc === I.FlowControl.Call || fc === I.FlowControl.IndirectCall) {
      // the callee returns with rsp as it was and its return address lies below it: frame slots survive
      sem.writes = sem.writes.filter((r) => r !== RSP && r < 64 || r === MEM_ANY);
      for (const r of CALL_CLOBBERS) if (!sem.writes.includes(r)) sem.writes.push(r);
      if (!sem.writes.includes(MEM_ANY)) sem.writes.push(MEM_ANY);
      return;
    }
    const M = I.Mnemonic;
    const mn = insn.mnemonic;
    const n = insn.opCount;
    const k0 = n > 0 ? insn.op0Kind : -1;
    const k1 = n > 1 ? insn.op1Kind : -1;
    const isImm = (k: number): boolean => k >= OK.Immediate8 && k <= OK.Immediate32to64;
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
    if (mn === M.Cmp && k0 === OK.Memory && isImm(k1)) {
      const base = gpr(insn.memoryBase);
      if ((base === RSP || base === RBP) && insn.memoryIndex === I.Register.None) {
        const s = slotLoc(base, Number(BigInt.asIntN(64, insn.memoryDisplacement)));
        const width = memSize(insn.memorySize) * 8;
        if (s >= 0) sem.cmp = { loc: s, imm: unsignedAt(immediate(insn, 1, k1, OK), width), width };
      } else {
        const cell = cellOf(p, row, insn, I);
        const width = memSize(insn.memorySize) * 8;
        if (cell >= 0) sem.cmp = { loc: cell, imm: unsignedAt(immediate(insn, 1, k1, OK), width), width };
      }
      return;
    }
    if (k0 === OK.Register) {
      const d = gpr(insn.op0Register);
      const dsz = regSize(insn.op0Register);
      if (d < 0) return;
      if ((mn === M.Cmp || mn === M.Sub) && isImm(k1) && n === 2) {
        const imm = immediate(insn, 1, k1, OK);
        sem.cmp = { loc: d, imm: unsignedAt(imm, dsz * 8), width: dsz * 8 };
        if (mn === M.Sub && dsz === 8) sem.dst = d, sem.rhs = { op: 'add', c: { sec: -1, off: -imm }, terms: [term(d)] };
        return;
      }
      sem.dst = d;
      if (mn === M.Lea && k1 === OK.Memory && dsz === 8) {
        sem.rhs = memValue(p, row, insn, I, 'add', 0, false, 64);
        return;
      }
      if ((mn === M.Mov || mn === M.Movzx || mn === M.Movsx || mn === M.Movsxd) && k1 === OK.Register && n === 2) {
        const s = gpr(insn.op1Register);
        const ssz = regSize(insn.op1Register);
        if (s < 0 || (dsz < 4)) return;
        const signed = mn === M.Movsx || mn === M.Movsxd;
        if (signed && dsz === 4) return; // sign-extended into 32 bits, then zero-extended: not a plain extension
        sem.rhs = { op: 'copy', src: s, bits: Math.min(ssz, dsz) * 8, signed };
        return;
      }
      if ((mn === M.Mov || mn === M.Movzx || mn === M.Movsx || mn === M.Movsxd) && k1 === OK.Memory && n === 2 && dsz >= 4) {
        const size = memSize(insn.memorySize);
        const signed = mn === M.Movsx || mn === M.Movsxd;
        if (signed && dsz === 4 && size < 4) return;
        const base = gpr(insn.memoryBase);
        if ((base === RSP || base === RBP) && insn.memoryIndex === I.Register.None && !hasReloc(p, row)) {
          const s = slotLoc(base, Number(BigInt.asIntN(64, insn.memoryDisplacement)));
          if (s >= 0) sem.rhs = { op: 'copy', src: s, bits: Math.min(size, dsz) * 8, signed };
          return;
        }
        sem.rhs = memValue(p, row, insn, I, 'load', size, signed, dsz * 8);
        if (!signed) sem.alias = cellOf(p, row, insn, I);
        return;
      }
      if (dsz !== 8) {
        if (mn === M.And && isImm(k1)) {
          const imm = immediate(insn, 1, k1, OK);
          if (imm >= 0) sem.rhs = { op: 'and', src: d, mask: imm };
        }
        return;
      }
      if (mn === M.Add && k1 === OK.Register && dsz === 8) {
        const s = gpr(insn.op1Register);
        if (s >= 0 && regSize(insn.op1Register) === 8) sem.rhs = { op: 'add', c: null, terms: [term(d), term(s)] };
        return;
      }
      if (mn === M.Add && isImm(k1)) {
        sem.rhs = { op: 'add', c: { sec: -1, off: immediate(insn, 1, k1, OK) }, terms: [term(d)] };
        return;
      }
      if (mn === M.And && isImm(k1)) {
        const imm = immediate(insn, 1, k1, OK);
        if (imm >= 0) sem.rhs = { op: 'and', src: d, mask: imm };
        return;
      }
      if (mn === M.Shl && isImm(k1)) {
        const sh = immediate(insn, 1, k1, OK);
        if (sh >= 0 && sh < 8) sem.rhs = { op: 'add', c: null, terms: [{ loc: d, shift: sh, bits: 64, signed: false }] };
        return;
      }
      return;
    }
    // stores of a register into a frame slot
    if (k0 === OK.Memory && k1 === OK.Register && mn === M.Mov && n === 2) {
      const base = gpr(insn.memoryBase);
      const s = gpr(insn.op1Register);
      if ((base === RSP || base === RBP) && insn.memoryIndex === I.Register.None && s >= 0) {
        const slot = slotLoc(base, Number(BigInt.asIntN(64, insn.memoryDisplacement)));
        if (slot >= 0) {
          sem.dst = slot;
          sem.rhs = { op: 'copy', src: s, bits: regSize(insn.op1Register) * 8, signed: false };
        }
      }
    }
  });
  if (key >= 0 && placeFree) rememberSem(key, rest, sem);
  return sem;
}

/** The target of `jmp *%reg` / `jmp *mem` as a value. */
function jumpTargetX86(p: Program, row: number): Rhs | undefined {
  let out: Rhs | undefined;
  withInsn(p, row, (insn, I) => {
    if (insn.flowControl !== I.FlowControl.IndirectBranch || insn.opCount !== 1) return;
    const k = insn.op0Kind;
    if (k === I.OpKind.Register) {
      const r = gpr(insn.op0Register);
      if (r >= 0 && regSize(insn.op0Register) === 8) out = { op: 'copy', src: r, bits: 64, signed: false };
    } else if (k === I.OpKind.Memory) {
      out = memValue(p, row, insn, I, 'load', 8, false, 64);
    }
  });
  return out;
}

/** Row a direct jump goes to: its relocation's destination in relocatable files, else its immediate target. */
function branchDestX86(p: Program, row: number): number {
  const sec = p.sec[row];
  const rel = p.elf.type === 1 ? p.relocs.of(sec) : null;
  const ri = rel ? p.insnReloc(row) : -1;
  if (ri >= 0 && p.elf.symtab) {
    const t = rel!.table;
    const type = t.type[ri];
    if (type !== R_X86_64_PC32 && type !== R_X86_64_PLT32) return -1;
    const d = relocDest(p.elf.symtab, t, ri, scratch);
    if (d.sec < 0) return -1;
    // pc-relative to the end of the instruction: S + A - P + end
    return p.find(d.sec, d.off + (p.off[row] + p.len[row] - t.offset[ri]));
  }
  if (!(p.flags[row] & InsnFlag.HasTarget) && p.target[row] < 0) return -1;
  const base = p.elf.type === 1 ? 0 : p.elf.sections[sec].addr;
  return p.find(sec, p.target[row] - base);
}

const scratch: RelocDest = { sec: -1, off: 0, sym: 0 };

function term(loc: number): Term {
  return { loc, shift: 0, bits: 64, signed: false };
}

/** The memory operand as an address sum (`add`) or a load of it (`load`). */
function memValue(p: Program, row: number, insn: Instruction, I: ReturnType<typeof iced>,
  op: 'add' | 'load', size: number, signed: boolean, width: number): Rhs | undefined {
  const c = dispAddr(p, row, insn, I);
  if (c === undefined) return undefined;
  const terms: Term[] = [];
  if (!insn.isIpRelMemoryOperand && insn.memoryBase !== I.Register.None) {
    const b = gpr(insn.memoryBase);
    if (b < 0 || regSize(insn.memoryBase) !== 8) return undefined;
    terms.push(term(b));
  }
  if (insn.memoryIndex !== I.Register.None) {
    const x = gpr(insn.memoryIndex);
    if (x < 0 || regSize(insn.memoryIndex) !== 8) return undefined;
    terms.push({ loc: x, shift: Math.log2(insn.memoryIndexScale), bits: 64, signed: false });
  }
  if (insn.segmentPrefix !== I.Register.None && insn.segmentPrefix !== I.Register.DS) return undefined;
  if (op === 'add') return terms.length === 0 ? { op: 'const', c, page: false } : { op: 'add', c, terms };
  return { op: 'load', c, terms, size, signed, width };
}

/** The displacement as an address: from its relocation in relocatable files, else its value. */
function dispAddr(p: Program, row: number, insn: Instruction, I: ReturnType<typeof iced>): Addr | undefined {
  const off = p.off[row];
  const len = p.len[row];
  const ripRel = insn.isIpRelMemoryOperand;
  const rel = p.elf.type === 1 ? p.relocs.of(p.sec[row]) : null;
  const ri = rel ? rel.inRange(off, len) : -1;
  const disp = Number(BigInt.asIntN(64, insn.memoryDisplacement));
  if (ri >= 0) {
    const t = rel!.table;
    const place = t.offset[ri];
    // only a relocation of the displacement itself (not of an immediate after it)
    const dispOff = dispOffset(insn, I, p, row);
    if (dispOff < 0 || place !== off + dispOff) return undefined;
    if (!p.elf.symtab) return undefined;
    const d = relocDest(p.elf.symtab, t, ri, scratch);
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
    const addr = p.elf.type === 1 ? 0 : p.elf.sections[p.sec[row]].addr;
    const target = addr + off + disp;
    return p.elf.type === 1 ? { sec: p.sec[row], off: target } : { sec: -1, off: target };
  }
  return { sec: -1, off: disp };
}

function dispOffset(insn: Instruction, I: ReturnType<typeof iced>, p: Program, row: number): number {
  void insn; void I;
  // decode again for the constant offsets (slow path)
  let out = -1;
  withInsn(p, row, (i2, _I, _f, dec) => {
    const co = dec.getConstantOffsets(i2);
    out = co.hasDisplacement ? co.displacementOffset : -1;
    co.free();
  });
  return out;
}

/** The memory cell of an operand without index register (base register or rip, displacement), or -1. */
function cellOf(p: Program, row: number, insn: Instruction, I: ReturnType<typeof iced>): number {
  let index = -1;
  if (insn.memoryIndex !== I.Register.None) {
    index = gpr(insn.memoryIndex);
    if (index < 0 || regSize(insn.memoryIndex) !== 8) return -1;
  }
  if (insn.segmentPrefix !== I.Register.None && insn.segmentPrefix !== I.Register.DS) return -1;
  const c = dispAddr(p, row, insn, I);
  if (!c) return -1;
  const key = `${c.sec}:${c.off}*${insn.memoryIndexScale}`;
  if (insn.isIpRelMemoryOperand) return memCellLoc(-1, key, index);
  if (insn.memoryBase === I.Register.None) return index >= 0 ? memCellLoc(-1, key, index) : -1;
  const b = gpr(insn.memoryBase);
  if (b < 0 || regSize(insn.memoryBase) !== 8) return -1;
  return memCellLoc(b, key, index);
}

function hasReloc(p: Program, row: number): boolean {
  return p.elf.type === 1 && p.insnReloc(row) >= 0;
}

function immediate(insn: Instruction, op: number, kind: number, OK: ReturnType<typeof iced>['OpKind']): number {
  const v = insn.immediate(op);
  const bits = kind === OK.Immediate8 ? 8 : kind === OK.Immediate16 ? 16 : kind === OK.Immediate32 ? 32 : 64;
  return Number(BigInt.asIntN(bits, v));
}

/** A sign-extended immediate read as the unsigned value the compare uses at `bits` width. */
function unsignedAt(v: number, bits: number): number {
  if (v >= 0) return v;
  return bits >= 53 ? -1 : v + 2 ** bits;
}

/**
 * Per-register facts as tables (iced answers each through a call into its wasm module, and the
 * recogniser asks for every register of every instruction it describes): the full general-purpose
 * register number (rax=0 ... r15=15, -1 for any other register) and the size in bytes.
 */
let gprOf: Int8Array | undefined;
let regBytes: Int32Array | undefined;
let memBytes: Int32Array | undefined;

function tables(): void {
  const I = iced();
  const nreg = 256;
  gprOf = new Int8Array(nreg).fill(-1);
  regBytes = new Int32Array(nreg);
  for (let r = 0; r < nreg; r++) {
    if (I.Register[r] === undefined) continue;
    regBytes[r] = I.RegisterExt.size(r);
    if (r !== I.Register.None && I.RegisterExt.isGPR(r)) gprOf[r] = I.RegisterExt.number(I.RegisterExt.fullRegister(r));
  }
  const nmem = 256;
  memBytes = new Int32Array(nmem);
  for (let m = 0; m < nmem; m++) if (I.MemorySize[m] !== undefined) memBytes[m] = I.MemorySizeExt.size(m);
}

/** Full general-purpose register number (rax=0 ... r15=15) of any-width register, -1 otherwise. */
function gpr(reg: number): number {
  if (!gprOf) tables();
  return reg >= 0 && reg < gprOf!.length ? gprOf![reg] : -1;
}

function regSize(reg: number): number {
  if (!regBytes) tables();
  return regBytes![reg];
}

function memSize(m: number): number {
  if (!memBytes) tables();
  return memBytes![m];
}

let factory: InstructionInfoFactory | undefined;

/**
 * Decoders over 64 KiB chunks of a section (plus the 15 bytes an instruction at the chunk's end may
 * take), the few last used kept: the rows the recogniser describes cluster in the functions it
 * searches, and a decoder made per instruction costs more than decoding it.
 */
const CHUNK = 1 << 16;
const CHUNKS_KEPT = 4;
interface ChunkDecoder { elf: object; sec: number; base: number; decoder: Decoder }
const chunkDecoders: ChunkDecoder[] = [];
/** Instructions by nesting depth of `withInsn` (a describe decodes again for constant offsets). */
const insnPool: Instruction[] = [];
let depth = 0;

function chunkDecoder(p: Program, sec: number, bytes: Uint8Array, off: number): { decoder: Decoder; base: number } {
  const base = off - (off % CHUNK);
  for (let i = 0; i < chunkDecoders.length; i++) {
    const c = chunkDecoders[i];
    if (c.elf === p.elf && c.sec === sec && c.base === base) {
      if (i > 0) { chunkDecoders.splice(i, 1); chunkDecoders.unshift(c); }
      return c;
    }
  }
  const I = iced();
  const decoder = new I.Decoder(64, bytes.subarray(base, Math.min(bytes.length, base + CHUNK + 15)), I.DecoderOptions.None);
  const c: ChunkDecoder = { elf: p.elf, sec, base, decoder };
  chunkDecoders.unshift(c);
  if (chunkDecoders.length > CHUNKS_KEPT) chunkDecoders.pop()!.decoder.free();
  return c;
}

/** Frees the cached decoders and instructions (wasm memory is not garbage collected) and forgets descriptions. */
function releaseDecoders(): void {
  semByBytes.clear();
  lastElf = undefined;
  lastSec = -1;
  lastBytes = new Uint8Array(0);
  for (const c of chunkDecoders) c.decoder.free();
  chunkDecoders.length = 0;
  if (depth === 0) {
    for (const i of insnPool) i.free();
    insnPool.length = 0;
  }
}

function withInsn(p: Program, row: number,
  use: (insn: Instruction, I: ReturnType<typeof iced>, info: InstructionInfoFactory, dec: Decoder) => void): void {
  const I = iced();
  factory ??= new I.InstructionInfoFactory();
  const sec = p.sec[row];
  const bytes = sectionBytes(p, sec);
  const off = p.off[row];
  // nothing to decode past the section's end (an empty window decodes as invalid)
  if (off >= bytes.length) return;
  const { decoder, base } = chunkDecoder(p, sec, bytes, off);
  const insn = insnPool[depth] ??= new I.Instruction();
  depth++;
  try {
    decoder.position = off - base;
    // ip 0 at the instruction: rip-relative operands come out relative to its start
    decoder.ip = 0n;
    decoder.decodeOut(insn);
    if (insn.code === 0) return;
    use(insn, I, factory, decoder);
  } finally {
    depth--;
  }
}
