/**
 * AArch64 section decoder: a hand-written classifier over 32-bit little-endian words.
 *
 * Each word gets one table row: its control-flow kind, branch target, flags, and the stack ops the
 * frame analysis needs. The decoding follows the Arm ARM top-level encoding table (op0 = bits 28:25)
 * down to the instruction classes that matter here; everything else is `Other`. Two promises:
 *  - every write to sp, x29, x30 and the callee-saved x19..x28 produces an op (a tracked effect, or
 *    `OpSrc.Const` = clobbered),
 *    except calls (the core knows they write x30) and pointer-authentication of x30, which keeps
 *    the return address (flagged PacSign/PacAuth instead);
 *  - unallocated encodings of the classes decoded are `Invalid`.
 * Instructions are always little-endian on AArch64 (also in big-endian ELF files).
 *
 * Choices: FP/SIMD stores to the stack get no store op (only their sp write-back); stores of xzr or
 * of W registers get no store op; loads of W registers into x29/x30 are clobbers, not restores.
 */
import { InsnFlag, InsnKind, OpDest, OpSrc } from '../arch.js';
import { NO_TARGET, type InsnTableBuilder } from '../../program/insns.js';
import { bitmaskAsInt32, bitmaskValid } from './bitmask.js';
import { mayWriteGpr } from './writes.js';

const SP = 31;
const FP = 29;
const LR = 30;

const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Decodes a whole executable section into `out` (see `Arch.decodeSection`). */
export function decodeArm64Section(bytes: Uint8Array, secIndex: number, addr: number, out: InsnTableBuilder): void {
  out.beginSection(secIndex);
  const n = bytes.length >>> 2;
  const words = wordsOf(bytes, n);
  for (let i = 0; i < n; i++) {
    decodeWord(words[i], i * 4, addr, out);
    if (isSpAdjustByRegister(words[i])) spAdjustByConstant(words, i, out);
  }
  const tail = bytes.length & 3;
  if (tail !== 0) out.add(n * 4, tail, InsnKind.Invalid, NO_TARGET, 0);
}

/**
 * Decodes one word (as a signed 32-bit value) at offset `off` of a section at `addr` into one row.
 * Words stay int32 (small integers to V8) and the address is only formed for branches, so the hot
 * path never boxes a number.
 */
export function decodeWord(w: number, off: number, addr: number, out: InsnTableBuilder): void {
  switch ((w >>> 25) & 15) {
    case 0: reservedOrSme(w, off, out); return;
    case 2: sve(w, off, out); return;
    case 8: case 9: dataImm(w, off, out); return;
    case 10: case 11: branchSystem(w, off, addr, out); return;
    case 4: case 6: case 12: case 14: loadStore(w, off, out); return;
    case 5: case 13: dataReg(w, off, out); return;
    case 7: case 15: dataSimd(w, off, out); return;
    default: invalid(off, out);
  }
}

function wordsOf(bytes: Uint8Array, n: number): Int32Array {
  if (HOST_LE && (bytes.byteOffset & 3) === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, n);
  const words = new Int32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) words[i] = dv.getInt32(i * 4, true);
  return words;
}

// ---- large stack adjustments -----------------------------------------------------------------------

/** `add sp, sp, xM` / `sub sp, sp, xM` (extended register, 64-bit, no extension, shift 0..4). */
function isSpAdjustByRegister(w: number): boolean {
  return (w & (0xbfe003ff | 0)) === (0x8b2003ff | 0) && ((w >>> 13) & 3) === 3 && ((w >>> 10) & 7) <= 4;
}

/**
 * Words searched back for the constant a large stack adjustment uses. GCC schedules the `mov` to the
 * top of the prologue, above the register pair stores: 14 words before the `sub` in Debian's arm64
 * libicutu (`writeAssemblyCode`). Nothing between may branch or write the register.
 */
const CONST_WINDOW = 32;

/**
 * Frames of 4 KiB and more are allocated and freed through a scratch register (`mov x12, #0x10d0;
 * sub sp, sp, x12`). When the register's value is a constant built by movz/movn/movk within the
 * last few words, with nothing in between that may write it or branch, the adjustment is an
 * ordinary `sp = sp ± imm` (the clobber decodeWord recorded is replaced).
 */
function spAdjustByConstant(words: Int32Array, i: number, out: InsnTableBuilder): void {
  const w = words[i];
  const rm = (w >>> 16) & 31;
  const v = constantBefore(words, i, rm);
  if (v === undefined) return;
  const amount = v * 2 ** ((w >>> 10) & 7);
  if (amount <= 0 || amount >= 0x40000000) return;
  out.clearOps();
  writeBack(out, SP, (w >>> 30) & 1 ? -amount : amount);
}

/** The value of `reg` before word `i`, when movz/movn (+ movk) set it within CONST_WINDOW words. */
function constantBefore(words: Int32Array, i: number, reg: number): number | undefined {
  let known = 0; // 16-bit fields already given by a later movk
  let fields = 0n;
  for (let k = i - 1; k >= 0 && k >= i - CONST_WINDOW; k--) {
    const u = words[k];
    if ((u & (0x1f80001f | 0)) === (0x12800000 | reg)) { // movn/movz/movk rd = reg
      const opc = (u >>> 29) & 3;
      const sf = u >>> 31;
      const hw = (u >>> 21) & 3;
      if (opc === 1 || (!sf && hw > 1)) return undefined;
      const imm = BigInt((u >>> 5) & 0xffff) << BigInt(16 * hw);
      const width = sf ? 64n : 32n;
      const mask = (1n << width) - 1n;
      if (opc === 3) {
        if (!(known & (1 << hw))) { fields |= imm; known |= 1 << hw; }
        continue;
      }
      let base = opc === 2 ? imm : ~imm & mask;
      for (let f = 0; f < 4; f++) {
        if (!(known & (1 << f))) continue;
        const m = 0xffffn << BigInt(16 * f);
        base = (base & ~m) | (fields & m);
      }
      base &= mask;
      return base < 0x40000000n ? Number(base) : undefined;
    }
    if (mayWriteGpr(u, reg) || isControlFlow(u)) return undefined;
  }
  return undefined;
}

/** Branches, calls, returns and exception generation (not hints and other system instructions). */
function isControlFlow(u: number): boolean {
  return ((u >>> 26) & 7) === 5 && (u >>> 24) !== 0xd5;
}

// ---- row helpers -------------------------------------------------------------------------------

function invalid(off: number, out: InsnTableBuilder): void {
  out.add(off, 4, InsnKind.Invalid, NO_TARGET, 0);
}

function other(off: number, out: InsnTableBuilder): void {
  out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
}

function clobber(out: InsnTableBuilder, reg: number): void {
  out.addOp(OpDest.Reg, reg, 0, OpSrc.Const, 0, 0);
}

/**
 * Registers whose writes become ops: x29, x30 (tracked), and the other callee-saved x19..x28, so that
 * "saved and not written since" (a register still equal to its save slot) is known per path.
 */
function tracksWrites(reg: number): boolean {
  return reg >= 19 && reg <= LR;
}

/** An `Other` row for an instruction writing general register `rd` where 31 is xzr. */
function writesXd(off: number, out: InsnTableBuilder, rd: number): void {
  out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
  if (tracksWrites(rd)) clobber(out, rd);
}

/** An `Other` row for an instruction writing general register `rd` where 31 is sp. */
function writesXdSp(off: number, out: InsnTableBuilder, rd: number): void {
  out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
  if (rd === SP || tracksWrites(rd)) clobber(out, rd);
}

function clobberIfTracked(out: InsnTableBuilder, reg: number): void {
  if (tracksWrites(reg)) clobber(out, reg);
}

/** `reg = reg + imm` for a base-register write-back (post/pre-index). */
function writeBack(out: InsnTableBuilder, rn: number, imm: number): void {
  out.addOp(OpDest.Reg, rn, 0, OpSrc.Add, rn, imm);
}

function storeOp(out: InsnTableBuilder, base: number, disp: number, rt: number): void {
  if (rt !== 31) out.addOp(OpDest.RegIndirect, base, disp, OpSrc.Reg, rt, 0);
}

function loadOp(out: InsnTableBuilder, rt: number, base: number, disp: number): void {
  if (rt !== 31) out.addOp(OpDest.Reg, rt, 0, OpSrc.RegIndirect, base, disp);
}

// ---- op0 = 0000: udf, SME ----------------------------------------------------------------------

function reservedOrSme(w: number, off: number, out: InsnTableBuilder): void {
  if (w >>> 31) { other(off, out); return; } // SME: writes no general register we track
  if ((w >>> 16) === 0) out.add(off, 4, InsnKind.Trap, NO_TARGET, 0); // udf #imm16
  else invalid(off, out);
}

// ---- op0 = 0010: SVE (only the forms that write a general register) ------------------------------

function sve(w: number, off: number, out: InsnTableBuilder): void {
  const rd = w & 31;
  if ((w & (0xffa0f000 | 0)) === 0x04205000) { writesXdSp(off, out, rd); return; } // addvl/addpl/addsvl/addspl
  if (
    (w & (0xfffff000 | 0)) === 0x04bf5000 || // rdvl/rdsvl
    (w & (0xff20e000 | 0)) === 0x0420e000 || // cnt[bhwd], inc/dec/sqinc.. scalar
    (w & (0xff3fc000 | 0)) === 0x25208000 || // cntp
    (w & (0xff38f800 | 0)) === 0x25288800 || // incp/decp/sqincp.. scalar
    (w & (0xff3ee000 | 0)) === 0x0520a000 || // lasta/lastb scalar
    (w & (0xff3ee000 | 0)) === 0x0530a000 // clasta/clastb scalar
  ) {
    writesXd(off, out, rd);
    return;
  }
  other(off, out);
}

// ---- op0 = 100x: data processing (immediate) ----------------------------------------------------

function dataImm(w: number, off: number, out: InsnTableBuilder): void {
  const rd = w & 31;
  const sf = w >>> 31;
  switch ((w >>> 23) & 7) {
    case 0: case 1: // adr, adrp
      out.add(off, 4, InsnKind.Other, NO_TARGET, InsnFlag.PcRel);
      clobberIfTracked(out, rd);
      return;
    case 2: addSubImm(w, off, out); return;
    case 3:
      if ((w >>> 22) & 1) { // smax/umax/smin/umin (immediate)
        if ((w >>> 29) & 3 || ((w >>> 18) & 15) > 3) invalid(off, out); else writesXd(off, out, rd);
      } else { // addg/subg
        if (!sf || (w >>> 29) & 1 || (w >>> 14) & 3) invalid(off, out); else writesXdSp(off, out, rd);
      }
      return;
    case 4: logicalImm(w, off, out); return;
    case 5: { // movn/movz/movk
      const opc = (w >>> 29) & 3;
      if (opc === 1 || (!sf && (w >>> 22) & 1)) invalid(off, out); else writesXd(off, out, rd); // hw 2/3 needs 64 bits
      return;
    }
    case 6: { // sbfm/bfm/ubfm
      const n = (w >>> 22) & 1;
      if (((w >>> 29) & 3) === 3 || sf !== n || (!sf && ((w >>> 21) & 1 || (w >>> 15) & 1))) invalid(off, out);
      else writesXd(off, out, rd);
      return;
    }
    default: { // extr
      const n = (w >>> 22) & 1;
      if ((w >>> 29) & 3 || (w >>> 21) & 1 || sf !== n || (!sf && (w >>> 15) & 1)) invalid(off, out);
      else writesXd(off, out, rd);
    }
  }
}

function addSubImm(w: number, off: number, out: InsnTableBuilder): void {
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  if ((w >>> 29) & 1) { writesXd(off, out, rd); return; } // adds/subs: rd 31 is xzr (cmp/cmn)
  if (!(w >>> 31)) { writesXdSp(off, out, rd); return; } // 32-bit: a write to w29/w30/wsp clobbers
  if (rd < FP && rn !== SP) { writesXd(off, out, rd); return; }
  let imm = (w >>> 10) & 0xfff;
  if ((w >>> 22) & 1) imm *= 4096;
  if ((w >>> 30) & 1) imm = -imm;
  out.add(off, 4, InsnKind.Other, NO_TARGET, rn === SP && rd !== SP ? InsnFlag.SpSource : 0);
  if (imm === 0) out.addOp(OpDest.Reg, rd, 0, OpSrc.Reg, rn, 0);
  else out.addOp(OpDest.Reg, rd, 0, OpSrc.Add, rn, imm);
}

function logicalImm(w: number, off: number, out: InsnTableBuilder): void {
  const sf = w >>> 31;
  const opc = (w >>> 29) & 3;
  const n = (w >>> 22) & 1;
  const imms = (w >>> 10) & 63;
  const rd = w & 31;
  if (!bitmaskValid(sf, n, imms)) { invalid(off, out); return; }
  if (rd !== SP || opc === 3) { writesXd(off, out, rd); return; } // ands: rd 31 is xzr
  out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
  const rn = (w >>> 5) & 31; // xzr when 31, never sp
  const mask = opc === 0 && rn !== 31 ? bitmaskAsInt32(sf, n, (w >>> 16) & 63, imms) : undefined;
  if (mask === undefined) clobber(out, SP);
  else out.addOp(OpDest.Reg, SP, 0, OpSrc.And, rn, mask);
}

// ---- op0 = 101x: branches, exception generation, system ------------------------------------------

function branchSystem(w: number, off: number, addr: number, out: InsnTableBuilder): void {
  const top = w >>> 24;
  const pc = addr + off;
  if ((top & 0x7c) === 0x14) { // b, bl
    const target = pc + ((w << 6) >> 6) * 4;
    out.add(off, 4, top & 0x80 ? InsnKind.Call : InsnKind.JumpUncond, target, InsnFlag.HasTarget);
    return;
  }
  switch (top) {
    case 0x54: // b.cond, bc.cond
    case 0x34: case 0x35: case 0xb4: case 0xb5: // cbz, cbnz
      out.add(off, 4, InsnKind.JumpCond, pc + ((w << 8) >> 13) * 4, InsnFlag.HasTarget);
      return;
    case 0x36: case 0x37: case 0xb6: case 0xb7: // tbz, tbnz
      out.add(off, 4, InsnKind.JumpCond, pc + ((w << 13) >> 18) * 4, InsnFlag.HasTarget);
      return;
    case 0xd4: exception(w, off, out); return;
    case 0xd5: system(w, off, out); return;
    case 0xd6: case 0xd7: branchReg(w, off, out); return;
    default: invalid(off, out);
  }
}

function exception(w: number, off: number, out: InsnTableBuilder): void {
  const ll = w & 3;
  if ((w >>> 2) & 7) { invalid(off, out); return; }
  let kind: InsnKind = InsnKind.Invalid;
  switch ((w >>> 21) & 7) {
    case 0: if (ll !== 0) kind = InsnKind.Syscall; break; // svc, hvc, smc
    case 1: if (ll === 0) kind = ((w >>> 5) & 0xffff) === 0x800 ? InsnKind.Bug : InsnKind.Trap; break; // brk
    case 2: if (ll === 0) kind = InsnKind.Trap; break; // hlt
    case 3: if (ll === 0) kind = InsnKind.Other; break; // tcancel
    case 5: if (ll !== 0) kind = InsnKind.Other; break; // dcps1..3
    default: break;
  }
  out.add(off, 4, kind, NO_TARGET, 0);
}

function system(w: number, off: number, out: InsnTableBuilder): void {
  const rt = w & 31;
  const l = (w >>> 21) & 1;
  switch ((w >>> 22) & 3) {
    case 0:
      if ((w & (0xfffff01f | 0)) === (0xd503201f | 0)) { hint((w >>> 5) & 127, off, out); return; }
      if (l) writesXd(off, out, rt); // mrs, sysl, tstart, ttest
      else other(off, out);
      return;
    case 1: // sysp, msrr, mrrs (128-bit system registers)
      out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
      if (l) { clobberIfTracked(out, rt); if (rt < 31) clobberIfTracked(out, rt + 1); }
      return;
    default: invalid(off, out);
  }
}

function hint(imm: number, off: number, out: InsnTableBuilder): void {
  let kind: InsnKind = InsnKind.Nop;
  let flags = 0;
  if (imm >= 24 && imm <= 27) { kind = InsnKind.Other; flags = InsnFlag.PacSign; } // paciaz/paciasp/pacibz/pacibsp
  else if (imm >= 28 && imm <= 31) { kind = InsnKind.Other; flags = InsnFlag.PacAuth; } // autiaz/autiasp/autibz/autibsp
  else if (imm >= 32 && imm <= 38 && (imm & 1) === 0) { kind = InsnKind.Endbr; flags = InsnFlag.Landing; } // bti
  else if (imm === 7 || (imm >= 8 && imm <= 14 && (imm & 1) === 0) || imm === 40) kind = InsnKind.Other; // xpaclri, pac*1716, chkfeat
  out.add(off, 4, kind, NO_TARGET, flags);
}

function branchReg(w: number, off: number, out: InsnTableBuilder): void {
  const op3 = (w >>> 10) & 63;
  const rn = (w >>> 5) & 31;
  const op4 = w & 31;
  const plain = op3 === 0 && op4 === 0;
  const pacZero = (op3 & 62) === 2 && op4 === 31; // braaz/brabz/blraaz/blrabz/retaa/retab/eretaa/eretab
  let kind: InsnKind = InsnKind.Invalid;
  let flags = 0;
  if (((w >>> 16) & 31) === 31) {
    switch ((w >>> 21) & 15) {
      case 0: if (plain || pacZero) kind = InsnKind.JumpDynamic; break; // br, braaz, brabz
      case 1: if (plain || pacZero) kind = InsnKind.CallDynamic; break; // blr, blraaz, blrabz
      case 2: // ret, retaa, retab
        if (plain) kind = InsnKind.Return;
        else if (pacZero && rn === 31) { kind = InsnKind.Return; flags = InsnFlag.PacAuth; }
        break;
      case 4: if ((plain || pacZero) && rn === 31) kind = InsnKind.ContextSwitch; break; // eret, eretaa, eretab
      case 5: if (plain && rn === 31) kind = InsnKind.ContextSwitch; break; // drps
      case 8: if ((op3 & 62) === 2) kind = InsnKind.JumpDynamic; break; // braa, brab
      case 9: if ((op3 & 62) === 2) kind = InsnKind.CallDynamic; break; // blraa, blrab
      default: break;
    }
  }
  out.add(off, 4, kind, NO_TARGET, flags);
}

// ---- op0 = x1x0: loads and stores -----------------------------------------------------------------

function loadStore(w: number, off: number, out: InsnTableBuilder): void {
  switch ((w >>> 28) & 3) {
    case 0: if ((w >>> 26) & 1) simdStructures(w, off, out); else exclusive(w, off, out); return;
    case 1: if ((w >>> 24) & 1) loadStoreMisc(w, off, out); else loadLiteral(w, off, out); return;
    case 2: loadStorePair(w, off, out); return;
    default: loadStoreSingle(w, off, out);
  }
}

function exclusive(w: number, off: number, out: InsnTableBuilder): void {
  if ((w >>> 24) & 1) { invalid(off, out); return; }
  const rt = w & 31;
  const rs = (w >>> 16) & 31;
  const o2 = (w >>> 23) & 1;
  const l = (w >>> 22) & 1;
  const o1 = (w >>> 21) & 1;
  out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
  if (o1 && (o2 || !(w >>> 31))) { // cas, casp: the compare register(s) receive the old value
    clobberIfTracked(out, rs);
    if (!o2 && rs < 31) clobberIfTracked(out, rs + 1);
  } else if (l) { // ldxr, ldaxr, ldar, ldlar, ldxp, ldaxp
    clobberIfTracked(out, rt);
    if (o1) clobberIfTracked(out, (w >>> 10) & 31);
  } else if (!o2) { // stxr, stlxr, stxp, stlxp: status register
    clobberIfTracked(out, rs);
  }
}

function simdStructures(w: number, off: number, out: InsnTableBuilder): void {
  if (w >>> 31) { invalid(off, out); return; }
  const post = (w >>> 23) & 1;
  const rm = (w >>> 16) & 31;
  const rn = (w >>> 5) & 31;
  const size = (w >>> 10) & 3;
  let bytes = 0;
  if (!((w >>> 24) & 1)) { // multiple structures
    const opcode = (w >>> 12) & 15;
    const regs = MULTI_REGS[opcode];
    const ld1 = opcode === 2 || opcode === 6 || opcode === 7 || opcode === 10;
    if (regs === 0 || (w >>> 21) & 1 || (!post && rm !== 0) || (size === 3 && !((w >>> 30) & 1) && !ld1)) {
      invalid(off, out);
      return;
    }
    bytes = regs * ((w >>> 30) & 1 ? 16 : 8);
  } else { // single structure
    const opcode = (w >>> 13) & 7;
    const s = (w >>> 12) & 1;
    let esize = 1;
    switch (opcode >>> 1) {
      case 0: break;
      case 1: if (size & 1) { invalid(off, out); return; } esize = 2; break;
      case 2:
        if (size & 2 || (size & 1 && s)) { invalid(off, out); return; }
        esize = size & 1 ? 8 : 4;
        break;
      default:
        if (!((w >>> 22) & 1) || s) { invalid(off, out); return; }
        esize = 1 << size;
    }
    if (!post && rm !== 0) { invalid(off, out); return; }
    bytes = ((((opcode & 1) << 1) | ((w >>> 21) & 1)) + 1) * esize;
  }
  out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
  if (post && (rn === SP || tracksWrites(rn))) {
    if (rm === 31) writeBack(out, rn, bytes); else clobber(out, rn);
  }
}

/** Registers transferred by each "multiple structures" opcode (0: unallocated). */
const MULTI_REGS = new Uint8Array([4, 0, 4, 0, 3, 0, 3, 1, 2, 0, 2, 0, 0, 0, 0, 0]);

function loadLiteral(w: number, off: number, out: InsnTableBuilder): void {
  const opc = w >>> 30;
  if ((w >>> 26) & 1) {
    if (opc === 3) invalid(off, out); else out.add(off, 4, InsnKind.Other, NO_TARGET, InsnFlag.PcRel);
    return;
  }
  out.add(off, 4, InsnKind.Other, NO_TARGET, InsnFlag.PcRel);
  if (opc !== 3) clobberIfTracked(out, w & 31); // opc 3 is prfm
}

/** bits 29:24 = xx01 x 1: memory tags, RCpc unscaled, memory copy/set. */
function loadStoreMisc(w: number, off: number, out: InsnTableBuilder): void {
  const rt = w & 31;
  const rn = (w >>> 5) & 31;
  const op4 = (w >>> 10) & 3;
  const v = (w >>> 26) & 1;
  const bit21 = (w >>> 21) & 1;
  if ((w >>> 24) === 0xd9 && bit21) { // stg, stzg, st2g, stz2g, ldg, stgm, ldgm, stzgm
    out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
    if (op4 === 0) { if ((w >>> 22) & 1) clobberIfTracked(out, rt); }
    else if (op4 !== 2 && (rn === SP || tracksWrites(rn))) writeBack(out, rn, ((w << 11) >> 23) * 16);
    return;
  }
  if (!bit21 && op4 === 0 && !v) { // stlur*, ldapur*
    const size = w >>> 30;
    const opc = (w >>> 22) & 3;
    if ((size === 3 && opc >= 2) || (size === 2 && opc === 3)) { invalid(off, out); return; }
    out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
    if (opc !== 0) clobberIfTracked(out, rt);
    return;
  }
  if (!bit21 && op4 === 1) { // cpy*/set*: destination, count and (cpy) source address registers are updated
    out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
    clobberIfTracked(out, rt);
    clobberIfTracked(out, rn);
    if (((w >>> 22) & 3) !== 3) clobberIfTracked(out, (w >>> 16) & 31); // set*: rs is the value, only read
    return;
  }
  invalid(off, out);
}

function loadStorePair(w: number, off: number, out: InsnTableBuilder): void {
  const opc = w >>> 30;
  const v = (w >>> 26) & 1;
  const type = (w >>> 23) & 3;
  const l = (w >>> 22) & 1;
  if (opc === 3 || (!v && opc === 1 && type === 0)) { invalid(off, out); return; }
  const scale = v ? 4 << opc : opc === 2 ? 8 : opc === 1 && !l ? 16 : 4;
  const imm = ((w << 10) >> 25) * scale;
  const rt = w & 31;
  const rt2 = (w >>> 10) & 31;
  const rn = (w >>> 5) & 31;
  const pre = type === 3;
  const post = type === 1;
  const disp = pre || post ? 0 : imm;
  const x64 = !v && opc === 2;
  const stackBase = rn === SP || rn === FP;
  out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
  if (pre && (rn === SP || tracksWrites(rn))) writeBack(out, rn, imm);
  if (!v) {
    if (l) {
      if (x64 && stackBase) {
        if (rt === rn) { loadOp(out, rt2, rn, disp + 8); loadOp(out, rt, rn, disp); }
        else { loadOp(out, rt, rn, disp); loadOp(out, rt2, rn, disp + 8); }
      } else {
        clobberIfTracked(out, rt);
        clobberIfTracked(out, rt2);
      }
    } else if (x64 && stackBase) {
      storeOp(out, rn, disp, rt);
      storeOp(out, rn, disp + 8, rt2);
    }
  }
  if (post && (rn === SP || tracksWrites(rn))) writeBack(out, rn, imm);
}

const MODE_OFFSET = 0;
const MODE_POST = 1;
const MODE_UNPRIV = 2;
const MODE_PRE = 3;
const MODE_NONE = 4;

function loadStoreSingle(w: number, off: number, out: InsnTableBuilder): void {
  const size = w >>> 30;
  const v = (w >>> 26) & 1;
  const opc = (w >>> 22) & 3;
  const rt = w & 31;
  const rn = (w >>> 5) & 31;
  if ((w >>> 21) & 1 && !((w >>> 24) & 1)) {
    const op4 = (w >>> 10) & 3;
    if (op4 === 0) { atomic(w, off, out); return; }
    if (op4 & 1) { // ldraa, ldrab
      if (size !== 3 || v) { invalid(off, out); return; }
      out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
      if ((w >>> 11) & 1 && (rn === SP || tracksWrites(rn))) writeBack(out, rn, ((((w >>> 22) & 1) << 9 | ((w >>> 12) & 0x1ff)) << 22 >> 22) * 8);
      clobberIfTracked(out, rt);
      return;
    }
  }
  // unallocated size/opc pairs, shared by the other addressing forms
  if (v ? (opc & 2) !== 0 && size !== 0 : opc === 3 && size >= 2) { invalid(off, out); return; }
  let mode = MODE_NONE;
  let disp = 0;
  let wb = 0;
  if ((w >>> 24) & 1) { // unsigned offset
    mode = MODE_OFFSET;
    disp = ((w >>> 10) & 0xfff) << (v ? size | ((opc & 2) << 1) : size);
  } else if (!((w >>> 21) & 1)) { // unscaled, post, unprivileged, pre
    mode = (w >>> 10) & 3;
    const imm9 = (w << 11) >> 23;
    if (mode !== MODE_OFFSET && (v ? mode === MODE_UNPRIV : size === 3 && opc === 2)) { invalid(off, out); return; }
    if (mode === MODE_OFFSET) disp = imm9; else wb = imm9;
  } else {
    // register offset (op4 2; atomics and ldraa/ldrab were handled above)
    if (!((w >>> 14) & 1)) { invalid(off, out); return; }
    out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
    if (!v && opc !== 0 && !(size === 3 && opc === 2)) clobberIfTracked(out, rt); // loads, not prfm
    return;
  }
  out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
  if (mode === MODE_PRE && (rn === SP || tracksWrites(rn))) writeBack(out, rn, wb);
  if (!v) {
    const stackOp = size === 3 && mode !== MODE_UNPRIV && (rn === SP || rn === FP);
    if (opc === 0) {
      if (stackOp) storeOp(out, rn, disp, rt);
    } else if (!(size === 3 && opc === 2)) { // not prfm
      if (stackOp && opc === 1) loadOp(out, rt, rn, disp);
      else clobberIfTracked(out, rt);
    }
  }
  if (mode === MODE_POST && (rn === SP || tracksWrites(rn))) writeBack(out, rn, wb);
}

/** Atomic memory operations (ldadd.., swp, ldapr) and the 64-byte loads/stores (ld64b, st64b*). */
function atomic(w: number, off: number, out: InsnTableBuilder): void {
  if ((w >>> 26) & 1) { invalid(off, out); return; }
  const rt = w & 31;
  out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
  if (!((w >>> 15) & 1)) { clobberIfTracked(out, rt); return; } // ld<op>: old value to rt
  switch ((w >>> 12) & 7) {
    case 1: return; // st64b
    case 2: case 3: clobberIfTracked(out, (w >>> 16) & 31); return; // st64bv0, st64bv: status to rs
    case 5: // ld64b: rt..rt+7
      for (let r = rt; r < rt + 8 && r < 31; r++) clobberIfTracked(out, r);
      return;
    default: clobberIfTracked(out, rt); // swp, ldapr
  }
}

// ---- op0 = x101: data processing (register) -------------------------------------------------------

function dataReg(w: number, off: number, out: InsnTableBuilder): void {
  const rd = w & 31;
  const sf = w >>> 31;
  const op2 = (w >>> 21) & 15;
  if (!((w >>> 28) & 1)) {
    if (!(op2 & 8)) { // logical (shifted register)
      if (!sf && (w >>> 15) & 1) invalid(off, out); else writesXd(off, out, rd);
    } else if (!(op2 & 1)) { // add/sub (shifted register)
      if (((w >>> 22) & 3) === 3 || (!sf && (w >>> 15) & 1)) invalid(off, out); else writesXd(off, out, rd);
    } else { // add/sub (extended register): rd is sp unless flags are set
      if ((w >>> 22) & 3 || ((w >>> 10) & 7) > 4) invalid(off, out);
      else if ((w >>> 29) & 1) writesXd(off, out, rd);
      else writesXdSp(off, out, rd);
    }
    return;
  }
  switch (op2) {
    case 0: { // adc/sbc, rmif, setf
      const op3 = (w >>> 10) & 63;
      if (op3 === 0) writesXd(off, out, rd);
      else if ((op3 & 31) === 1 || (op3 & 15) === 2) other(off, out);
      else invalid(off, out);
      return;
    }
    case 2: // ccmn, ccmp
      if (!((w >>> 29) & 1) || (w >>> 10) & 1 || (w >>> 4) & 1) invalid(off, out); else other(off, out);
      return;
    case 4: // csel, csinc, csinv, csneg
      if ((w >>> 29) & 1 || (w >>> 11) & 1) invalid(off, out); else writesXd(off, out, rd);
      return;
    case 6:
      if ((w >>> 30) & 1) dataOneSource(w, off, out); else dataTwoSource(w, off, out);
      return;
    default:
      if (op2 & 8) { // madd, msub, smaddl, smsubl, smulh, umaddl, umsubl, umulh
        const op31 = op2 & 7;
        const o0 = (w >>> 15) & 1;
        const ok = !((w >>> 29) & 3) && (op31 === 0 || (sf && (op31 === 1 || op31 === 5 || (!o0 && (op31 === 2 || op31 === 6)))));
        if (ok) writesXd(off, out, rd); else invalid(off, out);
      } else invalid(off, out);
  }
}

function dataTwoSource(w: number, off: number, out: InsnTableBuilder): void {
  const opcode = (w >>> 10) & 63;
  const sf = w >>> 31;
  const s = (w >>> 29) & 1;
  const rd = w & 31;
  let ok: boolean;
  if (opcode === 0) ok = sf === 1; // subp, subps
  else if (s) ok = false;
  else if (opcode === 2 || opcode === 3 || (opcode >= 8 && opcode <= 11) || (opcode >= 24 && opcode <= 27)) ok = true;
  else if (opcode === 4 || opcode === 5 || opcode === 12) ok = sf === 1; // irg, gmi, pacga
  else if (opcode >= 16 && opcode <= 23) ok = ((opcode & 3) === 3) === (sf === 1); // crc32
  else ok = false;
  if (!ok) invalid(off, out);
  else if (opcode === 4) writesXdSp(off, out, rd); // irg writes Xd|SP
  else writesXd(off, out, rd);
}

function dataOneSource(w: number, off: number, out: InsnTableBuilder): void {
  const sf = w >>> 31;
  const opcode2 = (w >>> 16) & 31;
  const opcode = (w >>> 10) & 63;
  const rn = (w >>> 5) & 31;
  const rd = w & 31;
  if ((w >>> 29) & 1) { invalid(off, out); return; }
  if (opcode2 === 0) { // rbit, rev16, rev32, rev, clz, cls, ctz, cnt, abs
    if (opcode > 8 || (!sf && opcode === 3)) invalid(off, out); else writesXd(off, out, rd);
    return;
  }
  if (opcode2 !== 1 || !sf || opcode > 17 || (opcode >= 8 && rn !== 31)) { invalid(off, out); return; }
  // pointer authentication: pac*, aut*, xpac*
  if (rd !== LR) { writesXd(off, out, rd); return; }
  const key = opcode & 7;
  if (opcode >= 16) { // xpaci/xpacd: strip the code, the return address stays
    other(off, out);
  } else if (key === 0 || key === 1) { // pacia/pacib/paciza/pacizb x30
    out.add(off, 4, InsnKind.Other, NO_TARGET, InsnFlag.PacSign);
  } else if (key === 4 || key === 5) { // autia/autib/autiza/autizb x30
    out.add(off, 4, InsnKind.Other, NO_TARGET, InsnFlag.PacAuth);
  } else { // data keys on x30: no longer a usable return address
    writesXd(off, out, rd);
  }
}

// ---- op0 = x111: SIMD and floating point (only moves into general registers) -----------------------

function dataSimd(w: number, off: number, out: InsnTableBuilder): void {
  const rd = w & 31;
  out.add(off, 4, InsnKind.Other, NO_TARGET, 0);
  if (!tracksWrites(rd)) return;
  if ((w & 0x5f200000) === 0x1e200000) { // conversion between FP and integer
    if ((w & 0xfc00) !== 0) return;
    const opcode = (w >>> 16) & 7;
    if (opcode <= 1 || (opcode >= 4 && opcode <= 6)) clobber(out, rd); // fcvt*, fmov to general
  } else if ((w & 0x5f200000) === 0x1e000000) { // conversion between FP and fixed-point
    if (!((w >>> 17) & 1)) clobber(out, rd); // fcvtzs/fcvtzu
  } else if ((w & (0xbfe08400 | 0)) === 0x0e000400) { // smov/umov
    const imm4 = (w >>> 11) & 15;
    if (imm4 === 5 || imm4 === 7) clobber(out, rd);
  }
}
