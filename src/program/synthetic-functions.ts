/**
 * Functions the symbol table does not name, for analysing linked userspace files: PLT stubs (named
 * `NAME@plt` after the dynamic relocation of the GOT slot each stub jumps through, as objdump names
 * them) and code an FDE covers where no function symbol starts (stripped binaries, hand-written
 * assembly without `.type`), when the FDE starts the way a called function does.
 */
import { SHF_EXECINSTR, SHT_RELA } from '../elf/constants.js';
import type { ElfFile } from '../elf/reader.js';
import { readCfi } from '../dwarf/cfi.js';
import type { CfiSection, Fde } from '../dwarf/cfi.js';
import { CfaEvaluator, CfaKind, RuleKind } from '../dwarf/eval.js';
import { dwarfCallCfaOffset, dwarfStackPointer } from '../dwarf/format.js';
import { FormatError } from '../elf/errors.js';

export interface SyntheticFunction {
  name: string;
  sec: number;
  /** section offset */
  offset: number;
  len: number;
}

/** A PLT stub and the function it reaches: the symbol of its GOT slot's relocation. */
export interface PltStub extends SyntheticFunction {
  /** GOT slot the stub jumps through (an address), -1 when the stub's code is not the usual one */
  slot: number;
  /** dynamic symbol of the slot's JUMP_SLOT/GLOB_DAT relocation; null for PLT0, lazy halves, ifuncs, unknown slots */
  callee: string | null;
}

const EM_X86_64 = 62;
const R_X86_64_GLOB_DAT = 6;
const R_X86_64_JUMP_SLOT = 7;
const R_X86_64_IRELATIVE = 37;
const R_AARCH64_GLOB_DAT = 1025;
const R_AARCH64_JUMP_SLOT = 1026;
const R_AARCH64_IRELATIVE = 1032;

/**
 * PLT stubs and FDE-covered code without a function symbol; `covered(sec, off)` says where one starts.
 * `fdeStarts`, when given, receives per executable section the offsets where FDEs start, except those
 * of signal frames (an unwinder looks one byte before a return address, so a signal trampoline's FDE
 * starts one byte early, often inside the padding before it): every other FDE starts at an
 * instruction, a decoder anchor even where the code is no function entry (`_start`, `.cold` parts).
 */
export function syntheticFunctions(elf: ElfFile, covered: (sec: number, off: number) => boolean, fdeStarts?: Map<number, number[]>): SyntheticFunction[] {
  if (elf.type === 1) return [];
  const out: SyntheticFunction[] = pltStubs(elf).slice();
  // (section, offset) as one number: offsets are below 2^32
  const taken = new Set(out.map((f) => f.sec * 2 ** 32 + f.offset));
  let cfi;
  try {
    cfi = readCfi(elf, 'eh_frame');
  } catch {
    cfi = undefined; // a broken .eh_frame only costs the FDE-derived functions
  }
  if (cfi) {
    const ev = new CfaEvaluator(cfi);
    for (const fde of cfi.fdes) {
      const sec = sectionAt(elf, fde.pcBegin);
      if (sec < 0) continue;
      const off = fde.pcBegin - elf.sections[sec].addr;
      if (fdeStarts && !fde.cie.signalFrame) {
        let list = fdeStarts.get(sec);
        if (!list) fdeStarts.set(sec, (list = []));
        list.push(off);
      }
      if (covered(sec, off) || taken.has(sec * 2 ** 32 + off)) continue;
      if (!fdeStartsAsEntry(ev, fde)) continue;
      out.push({ name: `fde_${fde.pcBegin.toString(16)}`, sec, offset: off, len: fde.pcRange });
    }
  }
  return out;
}

/**
 * Does `fde` describe code entered by a call? The rule: its first row (at its first address) must
 * be the CIE's initial row (the state a call leaves, which the CIE describes once for all its FDEs),
 * with the CFA on the stack pointer at the offset a call leaves. A `.cold` part of a split function starts inside its parent's
 * frame (GCC emits the parent's CFA before its first advance), a signal trampoline's FDE starts
 * with a CFA expression, x86 PLT0 starts after a push: none is a function entry; the analysis
 * reaches them from their parent's jump, or not at all. One more case looks like an entry but is
 * not: an FDE with an LSDA whose first row covers a single nop, after which the CFA changes (GCC
 * opens a `.cold` part with a nop so that its landing pad gets a non-zero offset; the nop leaves
 * no frame to change). `ev` is reused between calls; false when the FDE cannot be read.
 */
export function fdeStartsAsEntry(ev: CfaEvaluator, fde: Fde): boolean {
  const cfi: CfiSection = ev.cfi;
  const machine = cfi.machine;
  try {
    ev.begin(fde);
    const kind = ev.cfaKind;
    const reg = ev.cfaReg;
    const offset = ev.cfaOffset;
    if (kind !== CfaKind.RegOffset || reg !== dwarfStackPointer(machine)) return false;
    // what a call leaves: the return address just pushed (x86-64), nothing (AArch64). A CIE may carry
    // another frame as its initial row: GCC gives a split function's `.cold` parts a CIE of their own
    // holding the parent's frame at the split (`patch`: `call abort` blocks at CFA rsp+48)
    if (offset !== dwarfCallCfaOffset(machine)) return false;
    // and the return address where the call put it: at CFA-8 (x86-64), still in x30 (AArch64). glibc's
    // AArch64 `_dl_runtime_resolve` starts with x30 saved by PLT0 (`cfa+8`): a trampoline, no entry
    const raCol = ev.cie?.raColumn ?? -1;
    const ra = raCol >= 0 ? ev.rule(raCol) : RuleKind.Unspecified;
    if (machine === EM_X86_64 ? ra !== RuleKind.Offset || ev.value[raCol] !== -8
      : ra !== RuleKind.Unspecified && ra !== RuleKind.SameValue && ra !== RuleKind.Undefined) return false;
    if (!ev.next()) return false;
    if (ev.cfaKind !== kind || ev.cfaReg !== reg || ev.cfaOffset !== offset) return false;
    if (fde.lsda && isLoneNop(cfi.elf, machine, fde, ev.rowEnd)) return false;
  } catch (e) {
    if (e instanceof FormatError) return false;
    throw e;
  }
  return true;
}

/** Is [start, end) of the FDE's code exactly one nop (x86 `nop`, AArch64 `nop`)? */
function isLoneNop(elf: ElfFile, machine: number, fde: Fde, end: number): boolean {
  const start = fde.pcBegin;
  // relocatable objects name the section and give offsets; linked files give addresses
  const sec = fde.pcSec >= 0 ? fde.pcSec : sectionAt(elf, start);
  if (sec < 0 || sec >= elf.sections.length) return false;
  const b = elf.sectionData(elf.sections[sec]);
  const o = fde.pcSec >= 0 ? start : start - elf.sections[sec].addr;
  if (machine === EM_X86_64) return end - start === 1 && o < b.length && b[o] === 0x90;
  return end - start === 4 && o + 4 <= b.length && readU32(b, o, elf.le) === 0xd503201f;
}

/** The executable section holding address `addr` of a linked file, or -1 (asked once per FDE). */
function sectionAt(elf: ElfFile, addr: number): number {
  let r = execRangesByFile.get(elf);
  if (!r) {
    const index: number[] = [];
    for (const s of elf.sections) if (Number(s.flags) & SHF_EXECINSTR) index.push(s.index);
    r = {
      index,
      lo: Float64Array.from(index, (k) => elf.sections[k].addr),
      hi: Float64Array.from(index, (k) => elf.sections[k].addr + elf.sections[k].size),
    };
    execRangesByFile.set(elf, r);
  }
  for (let k = 0; k < r.index.length; k++) if (addr >= r.lo[k] && addr < r.hi[k]) return r.index[k];
  return -1;
}

/** The executable sections' address ranges per file, in section order (`sectionAt`). */
const execRangesByFile = new WeakMap<ElfFile, { index: number[]; lo: Float64Array; hi: Float64Array }>();

/**
 * `.plt` (PLT0 plus 16-byte stubs), `.plt.sec` and `.plt.got` stubs, each named by the GOT slot its
 * code jumps through. Stubs are not in relocation order: IRELATIVE slots have stubs too, and
 * linkers put their relocations at the end of `.rela.plt`.
 */
export function pltStubs(elf: ElfFile): readonly PltStub[] {
  let stubs = stubsByFile.get(elf);
  if (!stubs) {
    stubs = readPltStubs(elf);
    stubsByFile.set(elf, stubs);
  }
  return stubs;
}

/** `pltStubs` per file: the userspace symbol set and verify's noreturn calls both ask. */
const stubsByFile = new WeakMap<ElfFile, readonly PltStub[]>();

function readPltStubs(elf: ElfFile): PltStub[] {
  const out: PltStub[] = [];
  if (elf.type === 1) return out;
  const names = gotSlotNames(elf);
  const x86 = elf.machine === EM_X86_64;
  const plt = elf.section('.plt');
  const pltSec = elf.section('.plt.sec');
  const stub = (sec: number, offset: number, len: number, lazyHalf: boolean): void => {
    const slot = stubSlot(elf, sec, offset, len);
    const n = slot >= 0 ? names.get(slot) : undefined;
    const name = n === undefined ? `${elf.sections[sec].name}+${offset.toString(16)}` : `${n.name}@plt`;
    out.push({ name: lazyHalf ? `${name}.lazy` : name, sec, offset, len, slot, callee: n?.callee ?? null });
  };
  if (plt && plt.size > 0) {
    const head = x86 ? 16 : 32;
    out.push({ name: '.plt', sec: plt.index, offset: 0, len: Math.min(head, plt.size), slot: -1, callee: null });
    for (let off = head; off + 16 <= plt.size; off += 16) {
      // with .plt.sec (IBT), the .plt entries are the lazy-binding halves; names go to .plt.sec
      if (pltSec) {
        out.push({ name: `.plt+${off.toString(16)}`, sec: plt.index, offset: off, len: 16, slot: -1, callee: null });
      } else if (!x86) {
        stub(plt.index, off, 16, false);
      } else {
        // x86 lazy binding: `jmp *GOT` (6 bytes), then `push $k; jmp PLT0`, entered through the GOT
        stub(plt.index, off, 6, false);
        const named = out[out.length - 1];
        out.push({ name: `${named.name}.lazy`, sec: plt.index, offset: off + 6, len: 10, slot: -1, callee: null });
      }
    }
  }
  if (pltSec && pltSec.size > 0) {
    for (let off = 0; off + 16 <= pltSec.size; off += 16) stub(pltSec.index, off, 16, false);
  }
  const got = elf.section('.plt.got');
  if (got && got.size > 0) {
    // 8-byte `jmp *GOT; xchg %ax,%ax` stubs, 16 bytes when they start with endbr64 (IBT)
    const b = elf.sectionData(got);
    const step = x86 && b[0] === 0xf3 && b[1] === 0x0f && b[2] === 0x1e && b[3] === 0xfa ? 16 : x86 ? 8 : 16;
    for (let off = 0; off + step <= got.size; off += step) stub(got.index, off, step, false);
  }
  return out;
}

/**
 * GOT slot address → objdump's stub name (`sym`, `*ABS*+0xADDR` for an ifunc) and callee symbol.
 * The entries are read in place, type first: most of `.rela.dyn` is RELATIVE relocations (about a
 * million in a large library), which decoding the whole table into columns would only copy.
 */
function gotSlotNames(elf: ElfFile): Map<number, { name: string; callee: string | null }> {
  const m = new Map<number, { name: string; callee: string | null }>();
  for (const secName of ['.rela.plt', '.rela.dyn']) {
    const rel = elf.section(secName);
    if (!rel || rel.type !== SHT_RELA) continue;
    const { entrySize, count, symCount } = elf.relocLayout(rel.index);
    for (let i = 0, p = rel.offset; i < count; i++, p += entrySize) {
      const ty = elf.relocInfoType(p);
      const sym = elf.relocInfoSym(p);
      // every entry is checked as decoding the table would (a corrupt one makes the file unusable)
      elf.checkRelocSym(rel, i, p, sym, symCount);
      const named = ty === R_X86_64_JUMP_SLOT || ty === R_AARCH64_JUMP_SLOT || ty === R_X86_64_GLOB_DAT || ty === R_AARCH64_GLOB_DAT;
      if (!named && ty !== R_X86_64_IRELATIVE && ty !== R_AARCH64_IRELATIVE) continue;
      const slot = elf.u64(p);
      if (m.has(slot)) continue;
      if (named) {
        if (!elf.dynsym || sym === 0) continue;
        const name = elf.dynsym.name(sym);
        m.set(slot, { name, callee: name });
      } else {
        m.set(slot, { name: `*ABS*+0x${elf.i64(p + 16).toString(16)}`, callee: null });
      }
    }
  }
  return m;
}

/**
 * The GOT slot a stub loads its destination from: x86-64 `[endbr64] [bnd] jmp *disp32(%rip)`,
 * AArch64 `[bti c] adrp x16, PAGE; ldr x17, [x16, #OFF]`. -1 for other code.
 */
function stubSlot(elf: ElfFile, sec: number, offset: number, len: number): number {
  const s = elf.sections[sec];
  const b = elf.sectionData(s);
  const end = Math.min(offset + len, b.length);
  if (elf.machine === EM_X86_64) {
    let o = offset;
    if (o + 4 <= end && b[o] === 0xf3 && b[o + 1] === 0x0f && b[o + 2] === 0x1e && b[o + 3] === 0xfa) o += 4;
    if (o < end && b[o] === 0xf2) o++;
    if (o + 6 > end || b[o] !== 0xff || b[o + 1] !== 0x25) return -1;
    const disp = b[o + 2] | (b[o + 3] << 8) | (b[o + 4] << 16) | (b[o + 5] << 24);
    return s.addr + o + 6 + disp;
  }
  let o = offset;
  if (o + 4 <= end && readU32(b, o, elf.le) === 0xd503245f) o += 4; // bti c
  if (o + 8 > end) return -1;
  const adrp = readU32(b, o, elf.le);
  const ldr = readU32(b, o + 4, elf.le);
  // adrp x16; ldr x17, [x16, #imm12*8]
  if (((adrp & 0x9f00001f) >>> 0) !== 0x90000010 || ((ldr & 0xffc003ff) >>> 0) !== 0xf9400211) return -1;
  const immlo = (adrp >>> 29) & 3;
  const immhi = (adrp >>> 5) & 0x7ffff;
  let pages = (immhi << 2) | immlo;
  if (pages & 0x100000) pages -= 0x200000; // 21-bit signed
  const pc = s.addr + o;
  return (pc - (pc % 4096)) + pages * 4096 + ((ldr >>> 10) & 0xfff) * 8;
}

function readU32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
    : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
