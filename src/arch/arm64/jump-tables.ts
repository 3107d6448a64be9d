/**
 * AArch64 instructions as the switch-table recogniser sees them (slow path): registers and frame
 * slots written (conservatively: an instruction class not modelled writes its destination field),
 * address constants (adrp/add through relocations in relocatable files, adr anchors), copies and
 * extensions, adds with extended/shifted registers, register-offset table loads, `cmp #imm` + `b.cond`.
 */
import { InsnFlag } from '../arch.js';
import { R_AARCH64_ABS64, R_AARCH64_ADD_ABS_LO12_NC, R_AARCH64_ADR_PREL_PG_HI21, R_AARCH64_PREL32 } from '../../elf/constants.js';
import { relocDest, type RelocDest } from '../../elf/reloc-target.js';
import type { Program } from '../../program/program.js';
import type { Addr, InsnSem, MemCells, Rhs, SwitchArch, SwitchDescriber, Term } from '../../cfg/switch-tables.js';
import { FRAME_ANY, MEM_ANY, slotChunks, slotLoc } from '../../cfg/switch-tables.js';
import { bitmaskValid, bitmaskValue } from './bitmask.js';
import { Extend, OperandForm, decodeOperands, type Operands } from './operands.js';

const SP = 31;
const FP = 29;
const R_AARCH64_ADR_PREL_LO21 = 274;
const R_AARCH64_TSTBR14 = 279;
const R_AARCH64_CONDBR19 = 280;
const R_AARCH64_JUMP26 = 282;
/** x0-x18 and x30: what a call may change */
const CALL_CLOBBERS = [...Array.from({ length: 19 }, (_, i) => i), 30];

export const arm64SwitchArch: SwitchArch = {
  open: (p, cells) => new Arm64Describer(p, cells),
  absRelocs: [R_AARCH64_ABS64],
  pcrelRelocs: [R_AARCH64_PREL32],
  callClobbers: CALL_CLOBBERS,
  // bl writes x30; a linker veneer between caller and callee may use x16/x17
  callAlways: [16, 17, 30],
};

/** adr/adrp: the only words whose description depends on where they are (in a linked file). */
function placeDependent(w: number): boolean {
  return ((w >>> 24) & 0x1f) === 0x10;
}

/**
 * Descriptions by instruction word, in an open-addressing table (a Map keyed by words above 2^30 would
 * hash boxed numbers, and cost more than describing the word again).
 */
class SemsByWord {
  private words = new Int32Array(1 << 12);
  private sems: (InsnSem | undefined)[] = new Array<InsnSem | undefined>(1 << 12).fill(undefined);
  private size = 0;

  private slot(w: number): number {
    const mask = this.words.length - 1;
    let h = Math.imul(w ^ (w >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    let i = (h ^ (h >>> 16)) & mask;
    while (this.sems[i] !== undefined && this.words[i] !== (w | 0)) i = (i + 1) & mask;
    return i;
  }

  get(w: number): InsnSem | undefined {
    return this.sems[this.slot(w)];
  }

  set(w: number, sem: InsnSem): void {
    if (2 * (this.size + 1) > this.words.length) this.grow();
    const i = this.slot(w);
    if (this.sems[i] === undefined) this.size++;
    this.words[i] = w | 0;
    this.sems[i] = sem;
  }

  private grow(): void {
    const { words, sems } = this;
    this.words = new Int32Array(words.length * 2);
    this.sems = new Array<InsnSem | undefined>(words.length * 2).fill(undefined);
    this.size = 0;
    for (let i = 0; i < words.length; i++) if (sems[i] !== undefined) this.set(words[i], sems[i]!);
  }
}

/**
 * One recovery's view of the AArch64 code of a program: the section last read (rows come in runs from
 * one section) and, in linked files, descriptions shared by identical words (code repeats the same
 * moves, compares and spills everywhere; only adr/adrp depend on their place there).
 */
class Arm64Describer implements SwitchDescriber {
  private lastSec = -1;
  private lastBytes: Uint8Array = new Uint8Array(0);
  private readonly linked: boolean;
  private readonly semByWord = new SemsByWord();
  private readonly rd: RelocDest = { sec: -1, off: 0, sym: 0 };

  constructor(private readonly p: Program, private readonly cells: MemCells) {
    this.linked = p.elf.type !== 1;
  }

  private wordAt(row: number): number {
    const p = this.p;
    const sec = p.sec[row];
    if (sec !== this.lastSec) {
      this.lastBytes = p.elf.sectionData(p.elf.sections[sec]);
      this.lastSec = sec;
    }
    const d = this.lastBytes;
    const o = p.off[row];
    if (o + 4 > d.length) return 0;
    return (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0;
  }

  private addrOf(row: number): number {
    return (this.linked ? this.p.elf.sections[this.p.sec[row]].addr : 0) + this.p.off[row];
  }

  /** The relocation applying to this instruction's word: its type and destination, or undefined. */
  private relocAt(row: number): { type: number; dest: Addr } | undefined {
    const p = this.p;
    if (this.linked || !p.elf.symtab) return undefined;
    const rel = p.relocs.of(p.sec[row]);
    const ri = p.insnReloc(row);
    if (ri < 0) return undefined;
    const d = relocDest(p.elf.symtab, rel!.table, ri, this.rd);
    return { type: rel!.table.type[ri], dest: { sec: d.sec, off: d.off } };
  }

  describe(row: number): InsnSem {
    const w = this.wordAt(row);
    const shared = this.linked && !placeDependent(w);
    if (shared) {
      const known = this.semByWord.get(w);
      if (known !== undefined) return known;
    }
    const o = decodeOperands(w, this.addrOf(row));
    const sem: InsnSem = {
      writes: writesOf(w), writesFlags: setsFlags(w), dst: -1, rhs: undefined, also: undefined, zx32: undefined, alias: undefined,
      cmp: undefined, cond: undefined, listed: -1,
    };
    frameWrites(w, sem);
    this.model(row, w, o, sem);
    if (writesW(w, o) && sem.writes.includes(w & 31)) sem.zx32 = [w & 31];
    else if (isLoadPairW(w)) sem.zx32 = [w & 31, (w >>> 10) & 31].filter((r) => sem.writes.includes(r));
    if (shared) this.semByWord.set(w, sem);
    return sem;
  }

  jumpTarget(row: number): Rhs | undefined {
    const o = decodeOperands(this.wordAt(row), this.addrOf(row));
    if (o.form !== OperandForm.BranchReg) return undefined;
    return { op: 'copy', src: o.rn, bits: 64, signed: false };
  }

  branchDest(row: number): number {
    const p = this.p;
    const r = this.relocAt(row);
    if (r) {
      if ((r.type === R_AARCH64_JUMP26 || r.type === R_AARCH64_CONDBR19 || r.type === R_AARCH64_TSTBR14) && r.dest.sec >= 0) {
        return p.find(r.dest.sec, r.dest.off);
      }
      return -1;
    }
    if (!(p.flags[row] & InsnFlag.HasTarget) && p.target[row] < 0) return -1;
    const base = this.linked ? p.elf.sections[p.sec[row]].addr : 0;
    return p.find(p.sec[row], p.target[row] - base);
  }

  private model(row: number, w: number, o: Operands, sem: InsnSem): void {
      const p = this.p;
    switch (o.form) {
      case OperandForm.Adrp: {
        sem.dst = o.rd;
        const r = this.relocAt(row);
        if (p.elf.type === 1) {
          if (r && r.type === R_AARCH64_ADR_PREL_PG_HI21 && r.dest.sec >= 0) sem.rhs = { op: 'const', c: r.dest, page: true };
        } else {
          sem.rhs = { op: 'const', c: { sec: -1, off: o.imm }, page: true };
        }
        return;
      }
      case OperandForm.Adr: {
        sem.dst = o.rd;
        const r = this.relocAt(row);
        if (r) {
          if (r.type === R_AARCH64_ADR_PREL_LO21 && r.dest.sec >= 0) sem.rhs = { op: 'const', c: r.dest, page: false };
        } else {
          sem.rhs = { op: 'const', c: p.elf.type === 1 ? { sec: p.sec[row], off: o.imm } : { sec: -1, off: o.imm }, page: false };
        }
        return;
      }
      case OperandForm.AddImm: {
        if (o.setsFlags) {
          if (o.sub) sem.cmp = { loc: o.rn, imm: o.imm, width: o.width };
          if (o.rd !== 31 && o.width === 64) { sem.dst = o.rd; sem.rhs = { op: 'add', c: { sec: -1, off: o.sub ? -o.imm : o.imm }, terms: [full(o.rn)] }; }
          return;
        }
        sem.dst = o.rd;
        const r = this.relocAt(row);
        if (r) {
          if (r.type === R_AARCH64_ADD_ABS_LO12_NC && !o.sub && o.width === 64 && r.dest.sec >= 0) sem.rhs = { op: 'pagelo', src: o.rn, c: r.dest };
          return;
        }
        if (o.imm === 0) { sem.rhs = { op: 'copy', src: o.rn, bits: o.width, signed: false }; return; }
        if (o.width === 64) sem.rhs = { op: 'add', c: { sec: -1, off: o.sub ? -o.imm : o.imm }, terms: [full(o.rn)] };
        return;
      }
      case OperandForm.AddExtReg:
      case OperandForm.AddShiftReg: {
        if (o.setsFlags || o.sub || o.width !== 64 || o.rd === 31 && o.form === OperandForm.AddShiftReg) return;
        sem.dst = o.rd;
        const t = extTerm(o.rm, o.extend, o.amount);
        if (!t || (o.form === OperandForm.AddShiftReg && o.rn === 31)) return;
        sem.rhs = { op: 'add', c: null, terms: [full(o.rn), t] };
        return;
      }
      case OperandForm.LoadRegOffset: {
        if (o.rd === 31) return;
        sem.dst = o.rd;
        const t = extTerm(o.rm, o.extend, o.amount);
        if (!t) return;
        sem.rhs = { op: 'load', c: null, terms: [full(o.rn), t], size: o.accessSize, signed: o.signExtend, width: o.width };
        return;
      }
      case OperandForm.LoadImm: {
        if (o.rd === 31 || this.relocAt(row)) return;
        if (o.writeBack) {
          // `ldrb w0, [x19, #8]!`: a load from rn as it was (its cell moves with rn, so no alias)
          if (o.rn === SP || o.rn === FP || o.rn === o.rd) return;
          sem.dst = o.rd;
          sem.rhs = { op: 'load', c: { sec: -1, off: o.imm }, terms: [full(o.rn)], size: o.accessSize, signed: o.signExtend, width: o.width };
          return;
        }
        sem.dst = o.rd;
        if (o.rn === SP || o.rn === FP) {
          const s = slotLoc(o.rn, o.imm);
          if (s >= 0) sem.rhs = { op: 'copy', src: s, bits: Math.min(o.accessSize * 8, o.width), signed: o.signExtend && o.width === 64 };
          return;
        }
        sem.rhs = { op: 'load', c: { sec: -1, off: o.imm }, terms: [full(o.rn)], size: o.accessSize, signed: o.signExtend, width: o.width };
        if (!o.signExtend) sem.alias = this.cells.loc(o.rn, `-1:${o.imm}`);
        return;
      }
      case OperandForm.BCond: {
        switch (o.cond) {
          case 8: sem.cond = { taken: null, fall: 0 }; break; // hi
          case 9: sem.cond = { taken: 0, fall: null }; break; // ls
          case 2: sem.cond = { taken: null, fall: -1 }; break; // hs
          case 3: sem.cond = { taken: -1, fall: null }; break; // lo
        }
        return;
      }
      default:
        break;
    }
    // mov xd, xm (orr xd, xzr, xm) / mov wd, wm
    if ((w & 0x7fe0ffe0) >>> 0 === 0x2a0003e0) {
      const rd = w & 31;
      if (rd !== 31) { sem.dst = rd; sem.rhs = { op: 'copy', src: (w >>> 16) & 31, bits: w >>> 31 ? 64 : 32, signed: false }; }
      return;
    }
    // sxtw / sxth / sxtb into x; uxtb / uxth into w
    const ext = EXTENDS.get((w & 0xfffffc00) >>> 0);
    if (ext) {
      const rd = w & 31;
      if (rd !== 31) { sem.dst = rd; sem.rhs = { op: 'copy', src: (w >>> 5) & 31, bits: ext.bits, signed: ext.signed }; }
      return;
    }
    // and (immediate)
    if (((w >>> 23) & 0x3f) === 0x24 && ((w >>> 29) & 3) === 0) {
      const sf = w >>> 31;
      const n = (w >>> 22) & 1;
      const imms = (w >>> 10) & 0x3f;
      const rd = w & 31;
      if (rd === 31 || !bitmaskValid(sf, n, imms)) return;
      const v = bitmaskValue(sf, n, (w >>> 16) & 0x3f, imms);
      if (v < 0x100000000n) { sem.dst = rd; sem.rhs = { op: 'and', src: (w >>> 5) & 31, mask: Number(v) }; }
      return;
    }
    // str/strb/strh (unsigned offset) and stur* of a general register into a frame slot
    const store = frameStore(w);
    if (store) {
      const [base, disp, size, rt] = store;
      const s = slotLoc(base, disp);
      const chunks = slotChunks(base, disp, size);
      if (s >= 0 && chunks) { sem.dst = s; sem.rhs = rt === 31 ? undefined : { op: 'copy', src: rt, bits: size * 8, signed: false }; sem.writes.push(...chunks); }
      return;
    }
    framePair(w, sem);
  }
}

/** Data processing on W registers (sf = 0) and loads into W registers: rd's bits 32-63 become zero. */
function writesW(w: number, o: Operands): boolean {
  const op0 = (w >>> 25) & 15;
  // adr/adrp: bit 31 selects the page form, both write all 64 bits
  if ((op0 === 8 || op0 === 9) && ((w >>> 24) & 0x1f) === 0x10) return false;
  if (op0 === 8 || op0 === 9 || op0 === 5 || op0 === 13) return (w >>> 31) === 0;
  if (o.form === OperandForm.LoadImm || o.form === OperandForm.LoadRegOffset) return o.width === 32;
  return false;
}

/** `ldp`/`ldnp wt, wt2, ...` (any indexing; not ldpsw): both registers' bits 32-63 become zero. */
function isLoadPairW(w: number): boolean {
  return ((w >>> 22) & 0x3f9) === 0x0a1;
}

/**
 * Stores through sp/x29 name the frame slots they write (one per 8-byte chunk, `slotChunks`); a store
 * through them the recogniser cannot place kills every slot.
 */
function frameWrites(w: number, sem: InsnSem): void {
  const op0 = (w >>> 25) & 15;
  if ((op0 & 5) !== 4 || isPlainLoad(w)) return;
  const rn = (w >>> 5) & 31;
  if (rn !== SP && rn !== FP) return;
  const st = frameStoreSpan(w);
  if (st && st[1] === 0) return; // indexed: an array element, not a spill slot
  const chunks = st && slotChunks(rn, st[0], st[1]);
  if (chunks) sem.writes.push(...chunks);
  else sem.writes.push(FRAME_ANY);
}

/**
 * [disp, bytes] a register store with an immediate offset writes at rn; [0, 0] for a register-offset
 * store (an array element: spill slots sit at fixed offsets); undefined for other stores.
 */
function frameStoreSpan(w: number): [number, number] | undefined {
  const b2927 = (w >>> 27) & 7;
  const v = (w >>> 26) & 1;
  if (b2927 === 7) {
    const opc = (w >>> 22) & 3;
    if (opc !== 0 && !(v && opc === 2)) return undefined; // loads, prefetch
    const size = v && opc === 2 ? 16 : 1 << (w >>> 30);
    if ((w >>> 24) & 1) return [((w >>> 10) & 0xfff) * size, size];
    if ((w >>> 21) & 1) return ((w >>> 10) & 3) === 2 ? [0, 0] : undefined; // register offset (an array element), atomics
    const mode = (w >>> 10) & 3;
    return [mode === 1 ? 0 : (w << 11) >> 23, size]; // post-index writes at rn
  }
  if (b2927 === 5 && !((w >>> 22) & 1)) {
    const opc = w >>> 30;
    if (!v && opc === 1) return undefined; // stgp
    const size = v ? 4 << opc : opc === 2 ? 8 : 4;
    return [((w >>> 23) & 3) === 1 ? 0 : ((w << 10) >> 25) * size, 2 * size];
  }
  return undefined;
}

/** stp / ldp of two general registers at [sp/x29, #imm] (signed offset, no writeback): spills and reloads. */
function framePair(w: number, sem: InsnSem): void {
  const top = w >>> 22;
  if (top !== 0x2a4 && top !== 0x2a5 && top !== 0x0a4 && top !== 0x0a5) return;
  const bits = w >>> 31 ? 64 : 32;
  const load = ((w >>> 22) & 1) === 1;
  const rn = (w >>> 5) & 31;
  if (rn !== SP && rn !== FP) return;
  const size = bits / 8;
  const disp = ((w << 10) >> 25) * size;
  const rt = w & 31;
  const rt2 = (w >>> 10) & 31;
  const s1 = slotLoc(rn, disp);
  const s2 = slotLoc(rn, disp + size);
  if (s1 < 0 || s2 < 0) return;
  if (load) {
    if (rt === rt2) return;
    if (rt !== 31) { sem.dst = rt; sem.rhs = { op: 'copy', src: s1, bits, signed: false }; }
    if (rt2 !== 31) sem.also = [{ dst: rt2, rhs: { op: 'copy', src: s2, bits, signed: false } }];
  } else {
    sem.dst = s1;
    sem.rhs = rt === 31 ? undefined : { op: 'copy', src: rt, bits, signed: false };
    sem.also = [{ dst: s2, rhs: rt2 === 31 ? undefined : { op: 'copy', src: rt2, bits, signed: false } }];
  }
}

const EXTENDS = new Map<number, { bits: number; signed: boolean }>([
  [0x93407c00, { bits: 32, signed: true }], // sxtw x, w
  [0x93403c00, { bits: 16, signed: true }], // sxth x, w
  [0x93401c00, { bits: 8, signed: true }], // sxtb x, w
  [0x53003c00, { bits: 16, signed: false }], // uxth w, w
  [0x53001c00, { bits: 8, signed: false }], // uxtb w, w
]);

function full(loc: number): Term {
  return { loc, shift: 0, bits: 64, signed: false };
}

function extTerm(rm: number, e: Extend, amount: number): Term | undefined {
  switch (e) {
    case Extend.Uxtb: return { loc: rm, shift: amount, bits: 8, signed: false };
    case Extend.Uxth: return { loc: rm, shift: amount, bits: 16, signed: false };
    case Extend.Uxtw: return { loc: rm, shift: amount, bits: 32, signed: false };
    case Extend.Uxtx: case Extend.Lsl: case Extend.Sxtx: return { loc: rm, shift: amount, bits: 64, signed: false };
    case Extend.Sxtb: return { loc: rm, shift: amount, bits: 8, signed: true };
    case Extend.Sxth: return { loc: rm, shift: amount, bits: 16, signed: true };
    case Extend.Sxtw: return { loc: rm, shift: amount, bits: 32, signed: true };
    default: return undefined;
  }
}

/** [base, disp, size, rt] of a non-writeback general-register store to [sp/x29, #disp], or undefined. */
function frameStore(w: number): [number, number, number, number] | undefined {
  const size = 1 << (w >>> 30);
  const rn = (w >>> 5) & 31;
  if (rn !== SP && rn !== FP) return undefined;
  if ((w & 0x3fc00000) >>> 0 === 0x39000000) return [rn, ((w >>> 10) & 0xfff) * size, size, w & 31];
  if ((w & 0x3fe00c00) >>> 0 === 0x38000000) return [rn, (w << 11) >> 23, size, w & 31];
  return undefined;
}

/** General registers an instruction may write (31 = sp where the encoding means sp); over-approximated. */
function writesOf(w: number): number[] {
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  const out: number[] = [];
  const put = (r: number): void => { if (!out.includes(r)) out.push(r); };
  const op0 = (w >>> 25) & 15;
  switch (op0) {
    case 8: case 9: { // data processing, immediate
      const op = (w >>> 23) & 7;
      const s = ((w >>> 29) & 1) === 1;
      if (op === 2 || op === 3) { if (!(s && rd === 31)) put(rd); } // add/sub (sp when not S)
      else if (op === 4) { if (!(((w >>> 29) & 3) === 3 && rd === 31)) put(rd); } // logical (sp when not ands)
      else if (rd !== 31) put(rd);
      return out;
    }
    case 10: case 11: { // branches, exceptions, system
      if ((w >>> 26) === 0x25 || ((w & 0xfffffc1f) >>> 0) === 0xd63f0000 || ((w & 0xfefff800) >>> 0) === 0xd63f0800) {
        for (const r of CALL_CLOBBERS) put(r);
        put(MEM_ANY);
        return out;
      }
      if ((w >>> 22) === 0x354) { // system
        if (((w & 0xfffff01f) >>> 0) === 0xd503201f) return out; // hints
        if (((w >>> 21) & 1) === 1 && rd !== 31) put(rd); // mrs, sysl
      }
      return out;
    }
    case 4: case 6: case 12: case 14: { // loads and stores
      const v = (w >>> 26) & 1;
      const b2927 = (w >>> 27) & 7;
      if (!isPlainLoad(w)) put(MEM_ANY);
      if (b2927 === 7) {
        const opc = (w >>> 22) & 3;
        const size = w >>> 30;
        const isLoad = v ? (opc & 1) === 1 : opc !== 0 && !(size === 3 && opc === 2);
        if ((w >>> 24) & 1) { if (isLoad && !v && rd !== 31) put(rd); return out; }
        const b21 = (w >>> 21) & 1;
        const b1110 = (w >>> 10) & 3;
        if (!b21) {
          if (isLoad && !v && rd !== 31) put(rd);
          if (b1110 === 1 || b1110 === 3) put(rn);
          return out;
        }
        if (b1110 === 2) { if (isLoad && !v && rd !== 31) put(rd); return out; } // register offset
        if (rd !== 31) put(rd); // atomics, pac loads
        if (b1110 & 1) put(rn);
        return out;
      }
      if (b2927 === 5) { // pairs
        const l = (w >>> 22) & 1;
        const idx = (w >>> 23) & 3;
        if (l && !v) { if (rd !== 31) put(rd); if (((w >>> 10) & 31) !== 31) put((w >>> 10) & 31); }
        if (idx === 1 || idx === 3) put(rn);
        return out;
      }
      if (b2927 === 3 && !((w >>> 24) & 1)) { if (!v && ((w >>> 30) & 3) !== 3 && rd !== 31) put(rd); return out; } // literal
      // exclusives, ordered, SIMD structures, tags: everything named may change
      if (rd !== 31) put(rd);
      if (((w >>> 16) & 31) !== 31) put((w >>> 16) & 31);
      if (((w >>> 10) & 31) !== 31) put((w >>> 10) & 31);
      put(rn);
      return out;
    }
    case 5: case 13: { // data processing, register
      const s = ((w >>> 29) & 1) === 1;
      if ((w & 0x1fe00000) >>> 0 === 0x1a400000) return out; // ccmp/ccmn
      if (rd === 31) {
        if (!s && ((w >>> 24) & 0x1f) === 0x0b && ((w >>> 21) & 1)) put(31); // add/sub extended: sp
        return out;
      }
      put(rd);
      return out;
    }
    case 7: case 15: { // SIMD and FP: only moves and conversions to general registers
      if (((w >>> 24) & 0x5f) === 0x1e && ((w >>> 21) & 1) && ((w >>> 10) & 0x3f) === 0) {
        const opcode = (w >>> 16) & 7;
        if (opcode !== 2 && opcode !== 3 && opcode !== 7 && rd !== 31) put(rd);
        return out;
      }
      if (((w & 0xbfe0fc00) >>> 0) === 0x0e003c00 || ((w & 0xbfe0fc00) >>> 0) === 0x0e002c00) { if (rd !== 31) put(rd); }
      return out;
    }
    default:
      if (rd !== 31) put(rd); // SVE and the rest: assume the destination field is written
      return out;
  }
}

/** Loads that write no memory: register loads (any addressing), pairs and literals with L set. */
function isPlainLoad(w: number): boolean {
  const b2927 = (w >>> 27) & 7;
  const v = (w >>> 26) & 1;
  if (b2927 === 7) {
    const opc = (w >>> 22) & 3;
    const isLoad = v ? (opc & 1) === 1 : opc !== 0;
    if (((w >>> 24) & 1) === 0 && ((w >>> 21) & 1) === 1 && ((w >>> 10) & 3) === 0) return false; // atomics
    return isLoad;
  }
  if (b2927 === 5) return ((w >>> 22) & 1) === 1;
  if (b2927 === 3) return ((w >>> 24) & 1) === 0;
  return false;
}

/** Instructions that may set NZCV (over-approximated). */
function setsFlags(w: number): boolean {
  const op0 = (w >>> 25) & 15;
  switch (op0) {
    case 8: case 9: {
      const op = (w >>> 23) & 7;
      if (op === 2 || op === 3) return ((w >>> 29) & 1) === 1;
      if (op === 4) return ((w >>> 29) & 3) === 3;
      return false;
    }
    case 10: case 11:
      return (w >>> 22) === 0x354 && ((w & 0xfffff01f) >>> 0) !== 0xd503201f;
    case 4: case 6: case 12: case 14:
      return false;
    case 5: case 13: {
      const b2824 = (w >>> 24) & 0x1f;
      if (b2824 === 0x0a) return ((w >>> 29) & 3) === 3; // logical (shifted register): ands/bics
      if (b2824 === 0x0b) return ((w >>> 29) & 1) === 1; // add/sub: S
      if (((w >>> 21) & 0xff) === 0xd0) return ((w >>> 29) & 1) === 1; // adc/sbc, rmif, setf
      return (w & 0x1fe00000) >>> 0 === 0x1a400000; // ccmp/ccmn
    }
    case 7: case 15:
      return ((w >>> 24) & 0x5f) === 0x1e;
    default:
      return true;
  }
}
