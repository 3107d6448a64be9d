/**
 * objtool's view of one x86-64 instruction: its kind and its stack ops.
 *
 * The length decoder (length.ts) finds where instructions start and end; this file then reads the raw bytes the way
 * objtool 6.12's x86 decoder does (legacy prefixes, REX, opcode, ModRM, SIB, displacement,
 * immediate) and applies the same case analysis, so the frame analysis sees exactly the stack
 * effects objtool sees, including the forms objtool deliberately ignores. Known objtool
 * behaviours reproduced on purpose are listed at the cases that cause them.
 *
 * Hot path: no allocation; results go to the module-level `classified` scratch array.
 */
import { InsnKind, OpDest, OpSrc } from '../arch.js';
import { OP_FIELDS } from '../../program/insns.js';
import { X86_BP, X86_SP } from './regs.js';

/** Maximum number of stack ops objtool emits for one x86 instruction (`leave` has two). */
export const MAX_OPS = 2;

/**
 * Output of `classify`: [0] number of stack ops, [1] branch displacement (for jcc/jmp/call with
 * an immediate target), then MAX_OPS ops of OP_FIELDS words (destType, destReg, destOff,
 * srcType, srcReg, srcOff), in the order objtool lists them.
 */
export const classified = new Int32Array(2 + MAX_OPS * OP_FIELDS);

/**
 * Classifies the instruction occupying `b[start, end)` (its length as decoded by iced).
 * `start` is past any Xen/KVM emulate prefix, which objtool's decoder skips as a prefix.
 * `userspace` (no kernel conventions): loads through any base register are ops too (see 0x8b).
 */
export function classify(b: Uint8Array, start: number, end: number, userspace = false): InsnKind {
  const out = classified;
  out[0] = 0;
  out[1] = 0;
  if (isPlainOther(b, start, end)) return InsnKind.Other;
  let p = start;

  // Legacy prefixes, kept as the kernel's instruction decoder keeps them: up to four distinct
  // bytes, repeats counted once, the last prefix read moved into slot 3.
  pfx[0] = 0; pfx[1] = 0; pfx[2] = 0; pfx[3] = 0;
  let distinct = 0;
  let last = 0;
  while (p < end) {
    const c = b[p];
    if (LEGACY_PREFIX[c] === 0) break;
    let seen = false;
    for (let i = 0; i < distinct; i++) if (pfx[i] === c) seen = true;
    if (!seen) {
      if (distinct === 4) break;
      pfx[distinct++] = c;
    }
    last = c;
    p++;
  }
  if (last !== 0 && last !== pfx[3]) {
    if (pfx[3] !== 0) {
      const displaced = pfx[3];
      for (let i = 0; i < distinct; i++) if (pfx[i] === last) pfx[i] = displaced;
    }
    pfx[3] = last;
  }

  let rex = 0;
  if (p < end && (b[p] & 0xf0) === 0x40) rex = b[p++];
  if (p >= end) return InsnKind.Other;
  const op1 = b[p];
  // VEX/EVEX-encoded instructions: objtool stops here (no kind, no stack op).
  if (op1 === 0xc4 || op1 === 0xc5 || op1 === 0x62) return InsnKind.Other;
  const rexW = (rex >> 3) & 1;
  const op2 = p + 1 < end ? b[p + 1] : 0;
  const opLen = op1 !== 0x0f ? 1 : op2 === 0x38 || op2 === 0x3a ? 3 : 2;
  const m = p + opLen;

  switch (op1) {
    case 0x01: // add reg, r/m
    case 0x29: // sub reg, r/m
      readModrm(b, m, end, rex);
      // objtool records both as "sp = sp + reg" (src.type ADD, offset 0): it follows
      // neither value, the frame just becomes untrackable from here.
      if (rexW && rmIsReg(X86_SP)) addOp(OpDest.Reg, X86_SP, 0, OpSrc.Add, modrmReg, 0);
      return InsnKind.Other;

    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
      addOp(OpDest.Push, 0, 0, OpSrc.Reg, (op1 & 7) + 8 * (rex & 1), 0);
      return InsnKind.Other;

    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
      addOp(OpDest.Reg, (op1 & 7) + 8 * (rex & 1), 0, OpSrc.Pop, 0, 0);
      return InsnKind.Other;

    case 0x68: // push imm32
    case 0x6a: // push imm8
      addOp(OpDest.Push, 0, 0, OpSrc.Const, 0, 0);
      return InsnKind.Other;

    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f:
      out[1] = rel8(b, end);
      return InsnKind.JumpCond;

    case 0x80: case 0x81: case 0x82: case 0x83: {
      // Group-1 arithmetic with an immediate: only 64-bit forms whose r/m is %rsp itself.
      if (!rexW) return InsnKind.Other;
      readModrm(b, m, end, rex);
      if (!rmIsReg(X86_SP)) return InsnKind.Other;
      // The immediate is the instruction's last field: 4 bytes for 0x81 (REX.W set), else 1;
      // both are sign-extended as objtool does.
      const imm = op1 === 0x81 ? i32(b, end - 4) : i8(b, end - 1);
      const sub = modrmReg & 7;
      if (sub === 0) addOp(OpDest.Reg, X86_SP, 0, OpSrc.Add, X86_SP, imm);
      else if (sub === 5) addOp(OpDest.Reg, X86_SP, 0, OpSrc.Add, X86_SP, -imm | 0);
      else if (sub === 4) addOp(OpDest.Reg, X86_SP, 0, OpSrc.And, X86_SP, imm);
      return InsnKind.Other;
    }

    case 0x89: // mov reg, r/m
      if (!rexW) return InsnKind.Other;
      readModrm(b, m, end, rex);
      if (mod === 3) {
        addOp(OpDest.Reg, modrmRm, 0, OpSrc.Reg, modrmReg, 0);
        return InsnKind.Other;
      }
      if (isRip()) return InsnKind.Other;
      if (haveSib()) {
        // objtool replaces r/m by the SIB base for the rest of this case (the 0x88 checks
        // below then run on the replaced value) and gives up on any real index.
        modrmRm = sibBase;
        if (sibIndex !== X86_SP) return InsnKind.Other;
      }
      if (modrmReg === X86_SP) {
        addOp(OpDest.RegIndirect, modrmRm, disp, OpSrc.Reg, X86_SP, 0);
        return InsnKind.Other;
      }
      storeToFrame();
      return InsnKind.Other;

    case 0x88: // mov reg8, r/m8: objtool still treats it as a 64-bit store when REX.W is set
      if (!rexW) return InsnKind.Other;
      readModrm(b, m, end, rex);
      storeToFrame();
      return InsnKind.Other;

    case 0x8b: // mov r/m, reg: only loads from the stack or frame; register forms are ignored
      if (!rexW) {
        if (userspace) loadClobbers(b, m, end, rex);
        return InsnKind.Other;
      }
      readModrm(b, m, end, rex);
      if (rmIsMem(X86_BP)) addOp(OpDest.Reg, modrmReg, 0, OpSrc.RegIndirect, X86_BP, disp);
      else if (rmIsMem(X86_SP)) addOp(OpDest.Reg, modrmReg, 0, OpSrc.RegIndirect, X86_SP, disp);
      else if (userspace && modrmReg !== X86_SP && mod !== 3) {
        // userspace only (objtool ignores these): a load through another base register. OpenSSL's
        // perlasm epilogues reload callee-saved registers through a copy of the old sp
        // (`lea 0xc8(%rsp),%rax; mov -0x10(%rax),%rbp`), and the load overwrites the register.
        // Through an index or rip: only the overwrite (the value is no CFA-relative one).
        if (!isRip() && (!haveSib() || (sibIndex === X86_SP && !((sibBase & 7) === X86_BP && mod === 0)))) {
          addOp(OpDest.Reg, modrmReg, 0, OpSrc.RegIndirect, haveSib() ? sibBase : modrmRm, disp);
        } else {
          addOp(OpDest.Reg, modrmReg, 0, OpSrc.Const, 0, 0);
        }
      }
      return InsnKind.Other;

    case 0x8d: // lea
      readModrm(b, m, end, rex);
      if (mod === 3 || !rexW || isRip()) return InsnKind.Other;
      if (haveSib()) {
        modrmRm = sibBase;
        if (sibIndex !== X86_SP) return InsnKind.Other;
      }
      addOp(OpDest.Reg, modrmReg, 0, disp === 0 ? OpSrc.Reg : OpSrc.Add, modrmRm, disp);
      return InsnKind.Other;

    case 0x8f: // pop r/m
      addOp(OpDest.Mem, 0, 0, OpSrc.Pop, 0, 0);
      return InsnKind.Other;

    case 0x90: // nop, pause, and (objtool does not look at REX) xchg %r8,%rax
      return InsnKind.Nop;

    case 0x9c:
      addOp(OpDest.PushF, 0, 0, OpSrc.Const, 0, 0);
      return InsnKind.Other;

    case 0x9d:
      addOp(OpDest.Mem, 0, 0, OpSrc.PopF, 0, 0);
      return InsnKind.Other;

    case 0x0f:
      return classify0f(b, m, end, op2);

    case 0xc9: // leave = mov %rbp,%rsp; pop %rbp
      addOp(OpDest.Reg, X86_SP, 0, OpSrc.Reg, X86_BP, 0);
      addOp(OpDest.Reg, X86_BP, 0, OpSrc.Pop, 0, 0);
      return InsnKind.Other;

    case 0xcc:
      return InsnKind.Trap;

    case 0xf4:
      // hlt is privileged: in user mode it faults, and compilers and libc put it where execution must
      // not go on (after `call __libc_start_main` in `_start`); objtool's kernel reading is no kind
      return userspace ? InsnKind.Trap : InsnKind.Other;

    case 0xe0: case 0xe1: case 0xe2: // loopne, loope, loop
    case 0xe3: // jrcxz
      out[1] = rel8(b, end);
      return InsnKind.JumpCond;

    case 0xe9:
      out[1] = i32(b, end - 4);
      return InsnKind.JumpUncond;

    case 0xeb:
      out[1] = rel8(b, end);
      return InsnKind.JumpUncond;

    case 0xc2: case 0xc3:
      return InsnKind.Return;

    case 0xcf:
      // iret. objtool makes it OTHER + "add $40,%rsp" when it lies inside an STT_FUNC symbol
      // (sync_core's IRET-to-self) and CONTEXT_SWITCH elsewhere. Symbols are not known here:
      // the row is a context switch carrying that op, and the core picks by symbol.
      addOp(OpDest.Reg, X86_SP, 0, OpSrc.Add, X86_SP, 5 * 8);
      return InsnKind.ContextSwitch;

    case 0xca: case 0xcb: // lret
      return InsnKind.ContextSwitch;

    case 0xe8:
      out[1] = i32(b, end - 4);
      // the pushed return address, as objtool models it
      addOp(OpDest.Push, 0, 0, OpSrc.Const, 0, 0);
      return InsnKind.Call;

    case 0xfc:
      return InsnKind.Cld;

    case 0xfd:
      return InsnKind.Std;

    case 0xff: {
      readModrm(b, m, end, rex);
      // objtool compares ModRM.reg including REX.R, so a (meaningless) REX.R hides the group
      // member: 4c ff e0 stays OTHER. Reproduced.
      const r = modrmReg;
      if (r === 2 || r === 3) return InsnKind.CallDynamic; // call *, lcall *
      if (r === 4) return InsnKind.JumpDynamic;
      if (r === 5) return InsnKind.ContextSwitch; // ljmp *
      if (r === 6) addOp(OpDest.Push, 0, 0, OpSrc.Const, 0, 0); // push r/m
      return InsnKind.Other;
    }

    default:
      return InsnKind.Other;
  }
}

/**
 * True when `classify` would answer OTHER without stack ops from the first byte or two alone: no
 * prefix, no REX (or REX and then such an opcode: REX comes last, so the next byte is the opcode),
 * and an opcode objtool has no case for. Small, so the decoder's loop asks it inline.
 */
export function isPlainOther(b: Uint8Array, start: number, end: number): boolean {
  const b0 = b[start];
  if (PLAIN_OTHER[b0] === 1) return true;
  return (b0 & 0xf0) === 0x40 && start + 1 < end && PLAIN_OTHER[b[start + 1]] === 1;
}

/** Two- and three-byte opcodes (0x0f escape). `m` is the ModRM position. */
function classify0f(b: Uint8Array, m: number, end: number, op2: number): InsnKind {
  if (op2 === 0x01) {
    const modrm = m < end ? b[m] : 0;
    const lastPrefix = pfx[3];
    if (lastPrefix === 0xf3 || lastPrefix === 0xf2) {
      return modrm === 0xca ? InsnKind.ContextSwitch : InsnKind.Other; // eretu / erets
    }
    if (modrm === 0xca) return InsnKind.Clac;
    if (modrm === 0xcb) return InsnKind.Stac;
    return InsnKind.Other;
  }
  if (op2 >= 0x80 && op2 <= 0x8f) {
    classified[1] = i32(b, end - 4);
    return InsnKind.JumpCond;
  }
  switch (op2) {
    case 0x05:
      // syscall. objtool 6.12 files it with sysret/sysenter/sysexit as CONTEXT_SWITCH; our
      // contract has a dedicated kind because in userspace it returns to the next instruction.
      return InsnKind.Syscall;
    case 0x07: case 0x34: case 0x35: // sysret, sysenter, sysexit
      return InsnKind.ContextSwitch;
    case 0x0b: case 0xb9: // ud2, ud1
      return InsnKind.Bug;
    case 0x0d: case 0x1f: // prefetch group / nopl, nopw
      return InsnKind.Nop;
    case 0x1e: {
      const modrm = m < end ? b[m] : 0;
      return pfx[0] === 0xf3 && (modrm === 0xfa || modrm === 0xfb) ? InsnKind.Endbr : InsnKind.Other;
    }
    case 0xa0: case 0xa8: // push %fs / %gs
      addOp(OpDest.Push, 0, 0, OpSrc.Const, 0, 0);
      return InsnKind.Other;
    case 0xa1: case 0xa9: // pop %fs / %gs
      addOp(OpDest.Mem, 0, 0, OpSrc.Pop, 0, 0);
      return InsnKind.Other;
    default:
      return InsnKind.Other;
  }
}

/**
 * Userspace: a 32-bit load (`mov 0x8(%rcx),%eax`) overwrites the whole register (zero-extended): it
 * holds no CFA-relative value afterwards. Recorded as a write of an unknown value.
 */
function loadClobbers(b: Uint8Array, m: number, end: number, rex: number): void {
  readModrm(b, m, end, rex);
  if (mod !== 3 && modrmReg !== X86_SP) addOp(OpDest.Reg, modrmReg, 0, OpSrc.Const, 0, 0);
}

/** Body shared by 0x89 (after its own checks) and 0x88: a register stored in the frame. */
function storeToFrame(): void {
  if (rmIsMem(X86_BP)) addOp(OpDest.RegIndirect, X86_BP, disp, OpSrc.Reg, modrmReg, 0);
  else if (rmIsMem(X86_SP)) addOp(OpDest.RegIndirect, X86_SP, disp, OpSrc.Reg, modrmReg, 0);
}

// Decoded ModRM/SIB fields of the current instruction (module state: no allocation).
let mod = 0;
let modrmReg = 0;
let modrmRm = 0;
let sibIndex = 0;
let sibBase = 0;
let disp = 0;

/** Reads ModRM (and SIB and displacement) at `m`, extending fields with REX.R/X/B. */
function readModrm(b: Uint8Array, m: number, end: number, rex: number): void {
  const modrm = m < end ? b[m] : 0;
  mod = modrm >> 6;
  modrmReg = ((modrm >> 3) & 7) + 8 * ((rex >> 2) & 1);
  modrmRm = (modrm & 7) + 8 * (rex & 1);
  sibIndex = 0;
  sibBase = 0;
  disp = 0;
  if (mod === 3) return;
  let d = m + 1;
  let baseless = false;
  if ((modrm & 7) === 4) {
    const sib = d < end ? b[d] : 0;
    d++;
    sibIndex = ((sib >> 3) & 7) + 8 * ((rex >> 1) & 1);
    sibBase = (sib & 7) + 8 * (rex & 1);
    baseless = mod === 0 && (sib & 7) === 5;
  }
  if (mod === 1) disp = d < end ? i8(b, d) : 0;
  else if (mod === 2 || baseless || (mod === 0 && (modrm & 7) === 5)) disp = d + 4 <= end ? i32(b, d) : 0;
}

function isRip(): boolean {
  return (modrmRm & 7) === X86_BP && mod === 0;
}

function haveSib(): boolean {
  return (modrmRm & 7) === X86_SP && mod !== 3;
}

/** objtool's rm_is(): the register r/m names, through a trivial SIB when there is one. */
function rmIs(reg: number): boolean {
  if (haveSib()) return sibBase === reg && sibIndex === X86_SP && (sibBase !== X86_BP || mod !== 0);
  return modrmRm === reg;
}

function rmIsMem(reg: number): boolean {
  return mod !== 3 && !isRip() && rmIs(reg);
}

function rmIsReg(reg: number): boolean {
  return mod === 3 && modrmRm === reg;
}

function addOp(destType: number, destReg: number, destOff: number,
  srcType: number, srcReg: number, srcOff: number): void {
  const o = classified;
  let w = 2 + o[0] * OP_FIELDS;
  o[w++] = destType; o[w++] = destReg; o[w++] = destOff;
  o[w++] = srcType; o[w++] = srcReg; o[w] = srcOff;
  o[0]++;
}

function rel8(b: Uint8Array, end: number): number {
  return i8(b, end - 1);
}

function i8(b: Uint8Array, at: number): number {
  return (b[at] << 24) >> 24;
}

function i32(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
}

const pfx = new Uint8Array(4);

/**
 * First bytes that settle an instruction as OTHER without stack ops: not a legacy prefix, not
 * REX, not VEX/EVEX (those return OTHER anyway), and not an opcode `classify` has a case for.
 */
const PLAIN_OTHER = (() => {
  const t = new Uint8Array(256).fill(1);
  const handled = [0x01, 0x29, 0x68, 0x6a, 0x88, 0x89, 0x8b, 0x8d, 0x8f, 0x90, 0x9c, 0x9d, 0x0f,
    0xc2, 0xc3, 0xc9, 0xca, 0xcb, 0xcc, 0xcf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe8, 0xe9, 0xeb, 0xf4, 0xfc, 0xfd, 0xff,
    0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3];
  for (const c of handled) t[c] = 0;
  for (let c = 0x40; c <= 0x5f; c++) t[c] = 0; // REX, push, pop
  for (let c = 0x70; c <= 0x83; c++) t[c] = 0; // jcc rel8, group 1
  return t;
})();

/** Legacy prefix bytes: segment overrides, operand/address size, lock, rep/repne. */
const LEGACY_PREFIX = (() => {
  const t = new Uint8Array(256);
  for (const c of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) t[c] = 1;
  return t;
})();
