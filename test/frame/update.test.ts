/**
 * The stack-op interpreter, op by op: state before → op → state after (or the error objtool
 * prints). Expected states are derived by hand from objtool 6.12's update_cfi_state and
 * update_cfi_state_regs (tools/objtool/check.c), with x86-64 register numbers (ax=0, cx=1, dx=2,
 * bx=3, sp=4, bp=5, r10=10, ra=16) and objtool's CFI bases (undefined -1, cfa -2, sp-indirect -3,
 * bp-indirect -4). Each vector lists only the fields the op changes; every other field must stay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpDest, OpSrc } from '../../src/arch/arch.js';
import { x86_64 } from '../../src/arch/x86/index.js';
import { StateType, initState, setFuncState, stateLayout } from '../../src/frame/state.js';
import { UPDATE_MESSAGES, UpdateError, hasModifiedStackFrame, hasValidStackFrame, stackSizeKnown, updateState } from '../../src/frame/update.js';
import type { Op, UpdateEnv } from '../../src/frame/update.js';

const L = stateLayout(17);
const AX = 0, CX = 1, DX = 2, BX = 3, SP = 4, BP = 5, R10 = 10;
const U = -1, CFA = -2, SPI = -3, BPI = -4;

/** A state as a test names it: only fields that differ from the function-entry state. */
interface S {
  cfa?: [number, number];
  ss?: number;
  regs?: Record<number, [number, number]>;
  vals?: Record<number, [number, number]>;
  drapReg?: number;
  drapOff?: number;
  drap?: boolean;
  type?: number;
  bpScratch?: boolean;
  forceUndefined?: boolean;
  restored?: Record<number, number>;
}

function entry(): Int32Array {
  const s = new Int32Array(L.size);
  initState(L, s);
  return setFuncState(x86_64, L, s);
}

function apply(s: Int32Array, d: S): Int32Array {
  if (d.cfa) { s[L.cfaBase] = d.cfa[0]; s[L.cfaOff] = d.cfa[1]; }
  if (d.ss !== undefined) s[L.stackSize] = d.ss;
  for (const [r, [b, o]] of Object.entries(d.regs ?? {})) { s[2 * +r] = b; s[2 * +r + 1] = o; }
  for (const [r, [b, o]] of Object.entries(d.vals ?? {})) { s[L.vals + 2 * +r] = b; s[L.vals + 2 * +r + 1] = o; }
  if (d.drapReg !== undefined) s[L.drapReg] = d.drapReg;
  if (d.drapOff !== undefined) s[L.drapOff] = d.drapOff;
  if (d.drap !== undefined) s[L.drap] = d.drap ? 1 : 0;
  if (d.type !== undefined) s[L.type] = d.type;
  if (d.bpScratch !== undefined) s[L.bpScratch] = d.bpScratch ? 1 : 0;
  if (d.forceUndefined !== undefined) s[L.forceUndefined] = d.forceUndefined ? 1 : 0;
  for (const [r, o] of Object.entries(d.restored ?? {})) s[L.restored + +r] = o;
  return s;
}

const op = (destType: number, destReg: number, destOff: number, srcType: number, srcReg: number, srcOff: number): Op =>
  ({ destType, destReg, destOff, srcType, srcReg, srcOff });
const push = (r: number): Op => op(OpDest.Push, 0, 0, OpSrc.Reg, r, 0);
const pushConst = (): Op => op(OpDest.Push, 0, 0, OpSrc.Const, 0, 0);
const pop = (r: number): Op => op(OpDest.Reg, r, 0, OpSrc.Pop, 0, 0);
const mov = (src: number, dst: number): Op => op(OpDest.Reg, dst, 0, OpSrc.Reg, src, 0);
/** dst = src + off (add/sub/lea) */
const add = (dst: number, src: number, off: number): Op => op(OpDest.Reg, dst, 0, OpSrc.Add, src, off);
const and = (dst: number, imm: number): Op => op(OpDest.Reg, dst, 0, OpSrc.And, dst, imm);
/** dst = [base + disp] */
const load = (dst: number, base: number, disp: number): Op => op(OpDest.Reg, dst, 0, OpSrc.RegIndirect, base, disp);
/** [base + disp] = src */
const store = (src: number, base: number, disp: number): Op => op(OpDest.RegIndirect, base, disp, OpSrc.Reg, src, 0);

interface Vector {
  name: string;
  before: S;
  op: Op;
  env?: Partial<UpdateEnv>;
  /** fields changed by the op; absent with `err`: the state must be unchanged */
  after?: S;
  err?: number;
}

// state after `push %rbp; mov %rsp,%rbp`
const FRAME: S = { cfa: [BP, 16], ss: 16, regs: { [BP]: [CFA, -16] } };
// GCC's DRAP prologue after `lea 0x8(%rsp),%r10; and $-64,%rsp`
const DRAP: S = { drap: true, drapReg: R10, cfa: [R10, 0], ss: 0, vals: { [R10]: [CFA, 0] } };
// ... and after `push %r10` (CFA found through the saved DRAP register at rbp-8)
const DRAP_SAVED: S = { ...DRAP, cfa: [BPI, -8], drapOff: -8, ss: 8, regs: { [BP]: [BP, 0] } };

const VECTORS: Vector[] = [
  // push
  { name: 'push %rbp at entry saves rbp at cfa-16', before: {}, op: push(BP), after: { cfa: [SP, 16], ss: 16, regs: { [BP]: [CFA, -16] } } },
  { name: 'push %rax: not callee-saved, only the stack grows', before: {}, op: push(AX), after: { cfa: [SP, 16], ss: 16 } },
  { name: 'push %rbx again: the first save stays', before: { cfa: [SP, 16], ss: 16, regs: { [BX]: [CFA, -16] } }, op: push(BX), after: { cfa: [SP, 24], ss: 24 } },
  { name: 'push $imm', before: {}, op: pushConst(), after: { cfa: [SP, 16], ss: 16 } },
  { name: 'pushf', before: {}, op: op(OpDest.PushF, 0, 0, OpSrc.Const, 0, 0), after: { cfa: [SP, 16], ss: 16 } },
  { name: 'push with the CFA on rbp: stack size only, save at cfa-ss', before: FRAME, op: push(BX), after: { ss: 24, regs: { [BX]: [CFA, -24] } } },
  { name: '--stackval: push %rbp without a frame marks rbp as scratch', before: {}, op: push(BP), env: { stackval: true }, after: { cfa: [SP, 16], ss: 16, regs: { [BP]: [CFA, -16] }, bpScratch: true } },
  { name: '--stackval outside a function: no scratch mark', before: {}, op: push(BP), env: { stackval: true, inFunc: false }, after: { cfa: [SP, 16], ss: 16, regs: { [BP]: [CFA, -16] } } },
  { name: '--stackval: push %rbp with the CFA on rbp is no scratch use', before: FRAME, op: push(BP), env: { stackval: true }, after: { ss: 24 } },
  // mov reg, reg
  { name: 'mov %rsp,%rbp after push %rbp: CFA moves to rbp, scratch cleared', before: { cfa: [SP, 16], ss: 16, regs: { [BP]: [CFA, -16] }, bpScratch: true }, op: mov(SP, BP), after: { cfa: [BP, 16], bpScratch: false } },
  { name: 'mov %rsp,%rbp with rbp not saved at the frame slot: rbp only holds a copy of sp', before: {}, op: mov(SP, BP), after: { vals: { [BP]: [CFA, -8] } } },
  { name: 'mov %rsp,%rax: rax = cfa - stack size', before: { cfa: [SP, 24], ss: 24 }, op: mov(SP, AX), after: { vals: { [AX]: [CFA, -24] } } },
  { name: 'drap: mov %rsp,%rbp records rbp relative to itself', before: { ...DRAP, ss: 8, bpScratch: true }, op: mov(SP, BP), after: { regs: { [BP]: [BP, -8] }, bpScratch: false } },
  { name: 'mov %rbp,%rsp with the CFA on rbp: stack size from the saved rbp', before: { ...FRAME, ss: 48 }, op: mov(BP, SP), after: { ss: 16 } },
  { name: 'mov %rbp,%rsp with the CFA on the DRAP register', before: { ...DRAP, ss: 40, regs: { [BP]: [BP, -8] } }, op: mov(BP, SP), after: { ss: 8 } },
  { name: 'mov %rax,%rsp from a remembered copy of sp', before: { cfa: [SP, 40], ss: 40, vals: { [AX]: [CFA, -16] } }, op: mov(AX, SP), after: { cfa: [SP, 16], ss: 16 } },
  { name: 'stack swizzle: mov %rax,%rsp where (%rax) holds the old sp', before: { cfa: [SP, 16], ss: 16, vals: { [AX]: [SPI, 16] } }, op: mov(AX, SP), after: { cfa: [SPI, 16] } },
  { name: 'mov %rcx,%rsp from an unknown value: the CFA is lost', before: { cfa: [SP, 16], ss: 16 }, op: mov(CX, SP), after: { cfa: [U, 0] } },
  { name: 'swizzle with the CFA on rbp: counted as a push', before: { ...FRAME, vals: { [AX]: [SPI, 16] } }, op: mov(AX, SP), after: { ss: 24 } },
  { name: 'mov %rdx,%rbx passes on a copy of sp (Clang)', before: { cfa: [SP, 24], ss: 24, vals: { [DX]: [CFA, -24] } }, op: mov(DX, BX), after: { vals: { [BX]: [CFA, -24] } } },
  { name: 'mov between untracked registers', before: {}, op: mov(BX, AX), after: {} },
  // add / sub / lea
  { name: 'sub $0x20,%rsp', before: { cfa: [SP, 16], ss: 16 }, op: add(SP, SP, -32), after: { cfa: [SP, 48], ss: 48 } },
  { name: 'add $0x20,%rsp with the CFA on rbp: stack size only', before: { ...FRAME, ss: 48 }, op: add(SP, SP, 32), after: { ss: 16 } },
  { name: 'fp = sp + imm with a frame-pointer symbol (LoongArch)', before: { cfa: [SP, 16], ss: 16 }, op: add(BP, SP, 16), env: { framePointerSym: true }, after: { cfa: [BP, 0] } },
  { name: 'fp = sp + imm, imm not the CFA offset', before: { cfa: [SP, 16], ss: 16 }, op: add(BP, SP, 8), env: { framePointerSym: true }, after: {} },
  { name: 'lea 0x10(%rsp),%rbp without a frame-pointer symbol: a DRAP candidate', before: { cfa: [SP, 16], ss: 16 }, op: add(BP, SP, 16), after: { drapReg: BP, vals: { [BP]: [CFA, 0] } } },
  { name: 'lea -0x8(%rbp),%rsp: stack size = -(disp + saved rbp offset)', before: { ...FRAME, ss: 48 }, op: add(SP, BP, -8), after: { ss: 24 } },
  { name: 'sp = fp + imm with the CFA at fp+0 (LoongArch)', before: { cfa: [BP, 0], ss: 16 }, op: add(SP, BP, -16), env: { framePointerSym: true }, after: { cfa: [SP, 16] } },
  { name: 'sp = fp + imm with the CFA at fp+0, no frame-pointer symbol', before: { cfa: [BP, 0], ss: 16 }, op: add(SP, BP, -16), after: {} },
  { name: 'lea 0x8(%rsp),%r10: DRAP candidate holding cfa+0', before: {}, op: add(R10, SP, 8), after: { drapReg: R10, vals: { [R10]: [CFA, 0] } } },
  { name: 'drap: lea -0x8(%r10),%rsp ends the realignment', before: { ...DRAP, ss: 24 }, op: add(SP, R10, -8), after: { cfa: [SP, 8], ss: 8, drapReg: U, drap: false } },
  { name: 'add to the CFA base register', before: FRAME, op: add(BP, BP, 8), err: UpdateError.UnsupportedStackRegModification },
  { name: 'add to the CFA base register before a hint', before: FRAME, op: add(BP, BP, 8), env: { nextIsHint: true }, after: {} },
  { name: 'add between other registers', before: {}, op: add(AX, BX, 8), after: {} },
  // and (realignment)
  { name: 'and $-16,%rsp with the CFA on rsp and no DRAP', before: {}, op: and(SP, -16), err: UpdateError.UnsupportedRealignment },
  { name: 'and $-16,%rsp with a frame pointer (old GCC): accepted as is', before: FRAME, op: and(SP, -16), after: {} },
  { name: 'drap: and $-64,%rsp moves the CFA to the DRAP register', before: { drapReg: R10, vals: { [R10]: [CFA, 0] } }, op: and(SP, -64), after: { cfa: [R10, 0], ss: 0, drap: true } },
  { name: 'and with a DRAP candidate but the CFA not on rsp', before: { ...FRAME, drapReg: R10 }, op: and(SP, -16), err: UpdateError.UnsupportedRealignment },
  { name: 'and on a register other than rsp', before: FRAME, op: and(AX, -16), err: UpdateError.UnsupportedRealignment },
  // pop
  { name: 'pop %rbx from its save slot restores it', before: { cfa: [SP, 16], ss: 16, regs: { [BX]: [CFA, -16] } }, op: pop(BX), after: { cfa: [SP, 8], ss: 8, regs: { [BX]: [U, 0] } } },
  { name: 'pop %rax elsewhere: stack only', before: { cfa: [SP, 24], ss: 24, regs: { [BX]: [CFA, -16] } }, op: pop(AX), after: { cfa: [SP, 16], ss: 16 } },
  { name: 'pop %rbp with the CFA on rbp', before: FRAME, op: pop(BP), after: { cfa: [SP, 8], ss: 8, regs: { [BP]: [U, 0] } } },
  { name: 'pop %rsp ends a stack swizzle (no stack size change)', before: { cfa: [SPI, 16], ss: 16 }, op: pop(SP), after: { cfa: [SP, 16] } },
  { name: 'drap: pop %r10 from where it was pushed', before: DRAP_SAVED, op: pop(R10), after: { cfa: [R10, 0], drapOff: -1, ss: 0 } },
  { name: 'popf into a register slot behaves as pop', before: { cfa: [SP, 16], ss: 16 }, op: op(OpDest.Reg, AX, 0, OpSrc.PopF, 0, 0), after: { cfa: [SP, 8], ss: 8 } },
  { name: 'pop to memory', before: { cfa: [SP, 16], ss: 16 }, op: op(OpDest.Mem, 0, 0, OpSrc.Pop, 0, 0), after: { cfa: [SP, 8], ss: 8 } },
  { name: 'popf to memory with the CFA on rbp', before: { ...FRAME, ss: 24 }, op: op(OpDest.Mem, 0, 0, OpSrc.PopF, 0, 0), after: { ss: 16 } },
  { name: 'memory store that is not a pop', before: {}, op: op(OpDest.Mem, 0, 0, OpSrc.Reg, AX, 0), err: UpdateError.UnknownStackMemOp },
  // loads
  { name: 'mov 0x0(%rsp),%rbp with the CFA on rbp: CFA back on rsp, rbp restored', before: FRAME, op: load(BP, SP, 0), after: { cfa: [SP, 16], regs: { [BP]: [U, 0] } } },
  { name: 'mov -0x8(%rbp),%rbx restores rbx saved at cfa-24', before: { ...FRAME, ss: 32, regs: { [BP]: [CFA, -16], [BX]: [CFA, -24] } }, op: load(BX, BP, -8), after: { regs: { [BX]: [U, 0] } } },
  { name: 'mov 0x8(%rsp),%rbx with the CFA on rbp: found through the stack size', before: { ...FRAME, ss: 32, regs: { [BP]: [CFA, -16], [BX]: [CFA, -24] } }, op: load(BX, SP, 8), after: { regs: { [BX]: [U, 0] } } },
  { name: 'a load from another slot restores nothing', before: { ...FRAME, ss: 32, regs: { [BP]: [CFA, -16], [BX]: [CFA, -24] } }, op: load(BX, SP, 0), after: {} },
  { name: 'drap: mov -0x8(%rbp),%r10 reloads the DRAP register', before: DRAP_SAVED, op: load(R10, BP, -8), after: { cfa: [R10, 0], drapOff: -1 } },
  { name: 'drap: mov -0x20(%rbp),%rbx restores rbx saved relative to rbp', before: { ...DRAP_SAVED, regs: { [BP]: [BP, 0], [BX]: [BP, -32] } }, op: load(BX, BP, -32), after: { regs: { [BX]: [U, 0] } } },
  // drap pushes
  { name: 'drap: push %r10 makes the CFA rbp-indirect', before: DRAP, op: push(R10), after: { ss: 8, cfa: [BPI, -8], drapOff: -8 } },
  { name: 'drap: push %rbp resets the stack size', before: { ...DRAP, ss: 8 }, op: push(BP), after: { ss: 0 } },
  { name: 'drap: push %rbx saves it relative to rbp', before: DRAP_SAVED, op: push(BX), after: { ss: 16, regs: { [BX]: [BP, -16] } } },
  // stores
  { name: 'drap: mov %r10,-0x8(%rbp)', before: DRAP, op: store(R10, BP, -8), after: { cfa: [BPI, -8], drapOff: -8 } },
  { name: 'drap: mov %rbx,-0x10(%rbp)', before: DRAP, op: store(BX, BP, -16), after: { regs: { [BX]: [BP, -16] } } },
  { name: 'mov %rbx,-0x10(%rbp) with the CFA on rbp: cfa-32', before: FRAME, op: store(BX, BP, -16), after: { regs: { [BX]: [CFA, -32] } } },
  { name: 'mov %rbx,0x8(%rsp) with the CFA on rbp: cfa-(ss-8)', before: { ...FRAME, ss: 32 }, op: store(BX, SP, 8), after: { regs: { [BX]: [CFA, -24] } } },
  { name: 'mov %rbx,0x8(%rsp) with the CFA on rsp', before: { cfa: [SP, 32], ss: 32 }, op: store(BX, SP, 8), after: { regs: { [BX]: [CFA, -24] } } },
  { name: 'mov %rax,0x8(%rsp): rax is not callee-saved', before: { cfa: [SP, 32], ss: 32 }, op: store(AX, SP, 8), after: {} },
  { name: 'mov %rsp,(%rax) sets up a stack swizzle', before: { cfa: [SP, 16], ss: 16 }, op: store(SP, AX, 0), after: { vals: { [AX]: [SPI, 16] } } },
  { name: 'mov %rsp,0x8(%rax) is no swizzle', before: { cfa: [SP, 16], ss: 16 }, op: store(SP, AX, 8), after: {} },
  // unknown ops, undefined states
  { name: 'register destination with an unknown source type', before: {}, op: op(OpDest.Reg, AX, 0, 9, 0, 0), err: UpdateError.UnknownStackInsn },
  // reg <- const: not an objtool case (x86 never emits it); link-register ISAs decode untracked writes so
  { name: 'reg <- const forgets a copy of sp', before: { cfa: [SP, 24], ss: 24, vals: { [AX]: [CFA, -24] } }, op: op(OpDest.Reg, AX, 0, OpSrc.Const, 0, 0), after: { vals: { [AX]: [U, 0] } } },
  { name: 'reg <- const on the CFA base register', before: FRAME, op: op(OpDest.Reg, BP, 0, OpSrc.Const, 0, 0), err: UpdateError.UnsupportedStackRegModification },
  { name: 'reg <- const on the CFA base register before a hint', before: FRAME, op: op(OpDest.Reg, BP, 0, OpSrc.Const, 0, 0), env: { nextIsHint: true }, after: {} },
  { name: 'reg <- const drops a DRAP candidate', before: { drapReg: R10, vals: { [R10]: [CFA, 0] } }, op: op(OpDest.Reg, R10, 0, OpSrc.Const, 0, 0), after: { drapReg: U, vals: { [R10]: [U, 0] } } },
  { name: 'sp <- const with the CFA on rbp: the frame survives', before: FRAME, op: op(OpDest.Reg, SP, 0, OpSrc.Const, 0, 0), after: {} },
  { name: 'unknown destination type', before: {}, op: op(9, 0, 0, OpSrc.Reg, AX, 0), err: UpdateError.UnknownStackInsn },
  { name: 'undefined CFA in a function', before: { cfa: [U, 0] }, op: push(BX), err: UpdateError.UndefinedState },
  { name: 'undefined CFA outside a function: ignored', before: { cfa: [U, 0] }, op: push(BX), env: { inFunc: false }, after: {} },
  { name: 'forced undefined (UNWIND_HINT_UNDEFINED) ignores even unknown ops', before: { cfa: [U, 0], forceUndefined: true }, op: op(9, 0, 0, 0, 0, 0), after: {} },
  { name: 'forced undefined ignores a push', before: { forceUndefined: true }, op: push(BX), after: {} },
  // REGS hints: only the CFA offset follows pushes, pops and sp adjustments
  { name: 'REGS hint: push moves the CFA offset only', before: { type: StateType.Regs, cfa: [SP, 160] }, op: push(BX), after: { cfa: [SP, 168] } },
  { name: 'REGS hint: pop', before: { type: StateType.Regs, cfa: [SP, 160] }, op: pop(BX), after: { cfa: [SP, 152] } },
  { name: 'REGS hint: sub $0x20,%rsp', before: { type: StateType.Regs, cfa: [SP, 160] }, op: add(SP, SP, -32), after: { cfa: [SP, 192] } },
  { name: 'REGS hint: popf to memory', before: { type: StateType.Regs, cfa: [SP, 160] }, op: op(OpDest.Mem, 0, 0, OpSrc.PopF, 0, 0), after: { cfa: [SP, 152] } },
  { name: 'REGS_PARTIAL hint on an sp-indirect CFA', before: { type: StateType.RegsPartial, cfa: [SPI, 8] }, op: push(AX), after: { cfa: [SPI, 16] } },
  { name: 'REGS hint with the CFA on rbp: nothing', before: { type: StateType.Regs, cfa: [BP, 16] }, op: push(BX), after: {} },
  { name: 'REGS hint: other ops ignored', before: { type: StateType.Regs, cfa: [SP, 16] }, op: mov(AX, SP), after: {} },
  { name: 'REGS hint: an unknown op is no error', before: { type: StateType.Regs, cfa: [SP, 16] }, op: op(9, 0, 0, 0, 0, 0), after: {} },
];

function env(over: Partial<UpdateEnv> = {}): UpdateEnv {
  return { arch: x86_64, L, stackval: false, inFunc: true, nextIsHint: false, framePointerSym: false, trackRestores: false, changed: false, ...over };
}

/** Field names for a readable diff when a vector fails. */
function describe(s: Int32Array): Record<string, unknown> {
  const regs: Record<string, string> = {};
  const vals: Record<string, string> = {};
  for (let r = 0; r < L.n; r++) {
    if (s[2 * r] !== U || s[2 * r + 1] !== 0) regs[r] = `${s[2 * r]},${s[2 * r + 1]}`;
    if (s[L.vals + 2 * r] !== U || s[L.vals + 2 * r + 1] !== 0) vals[r] = `${s[L.vals + 2 * r]},${s[L.vals + 2 * r + 1]}`;
  }
  return {
    cfa: `${s[L.cfaBase]},${s[L.cfaOff]}`, ss: s[L.stackSize], regs, vals, drapReg: s[L.drapReg], drapOff: s[L.drapOff],
    drap: s[L.drap], type: s[L.type], bpScratch: s[L.bpScratch], forceUndefined: s[L.forceUndefined],
    restored: Array.from(s.subarray(L.restored, L.restored + L.n)).join(','),
  };
}

for (const v of VECTORS) {
  test(`updateState: ${v.name}`, () => {
    const s = apply(entry(), v.before);
    const before = s.slice();
    const e = updateState(env(v.env), s, v.op);
    if (v.err !== undefined) {
      assert.equal(e, v.err);
      assert.ok(UPDATE_MESSAGES[e].length > 0);
      assert.deepEqual(describe(s), describe(before), 'an error leaves the state as it was');
      return;
    }
    assert.equal(e, UpdateError.None, UPDATE_MESSAGES[e]);
    assert.deepEqual(describe(s), describe(apply(before.slice(), v.after ?? {})));
  });
}

test('updateState: `changed` is set whenever the state changed (the walk keeps an id by it)', () => {
  for (const v of VECTORS) {
    for (const trackRestores of [false, true]) {
      const s = apply(entry(), v.before);
      const before = s.slice();
      const E = env({ ...v.env, trackRestores });
      updateState(E, s, v.op);
      const differs = s.some((x, k) => x !== before[k]);
      assert.equal(E.changed, differs, `${v.name} (trackRestores ${trackRestores})`);
    }
  }
});

test('error messages are objtool\'s texts', () => {
  assert.equal(UPDATE_MESSAGES[UpdateError.UndefinedState], 'undefined stack state');
  assert.equal(UPDATE_MESSAGES[UpdateError.UnsupportedStackRegModification], 'unsupported stack register modification');
  assert.equal(UPDATE_MESSAGES[UpdateError.UnsupportedRealignment], 'unsupported stack pointer realignment');
  assert.equal(UPDATE_MESSAGES[UpdateError.UnknownStackInsn], 'unknown stack-related instruction');
  assert.equal(UPDATE_MESSAGES[UpdateError.UnknownStackMemOp], 'unknown stack-related memory operation');
});

test('GCC DRAP prologue and epilogue (r10 shape from objtool\'s comment) end in the entry frame', () => {
  // lea 0x8(%rsp),%r10; and $-64,%rsp; pushq -0x8(%r10); push %rbp; mov %rsp,%rbp; push %r10;
  // ...; pop %r10; pop %rbp; lea -0x8(%r10),%rsp; ret
  const s = entry();
  const E = env();
  const run = (o: Op): void => assert.equal(updateState(E, s, o), UpdateError.None);
  run(add(R10, SP, 8));
  run(and(SP, -64));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.drap]], [R10, 0, 1]);
  run(pushConst()); // pushq -0x8(%r10): a push of memory
  run(push(BP));
  assert.equal(s[L.stackSize], 0);
  run(mov(SP, BP));
  assert.deepEqual([s[2 * BP], s[2 * BP + 1]], [BP, 0]);
  assert.ok(hasValidStackFrame(x86_64, L, s), 'drap with rbp set up is a valid frame');
  run(push(R10));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.drapOff]], [BPI, -8, -8]);
  run(pop(R10));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.drapOff]], [R10, 0, -1]);
  run(pop(BP));
  run(add(SP, R10, -8));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.stackSize], s[L.drap], s[L.drapReg]], [SP, 8, 8, 0, U]);
});

test('GCC DRAP with r13 saved first (second shape from objtool\'s comment)', () => {
  // push %r13; lea 0x10(%rsp),%r13; and $-16,%rsp; ...; lea -0x10(%r13),%rsp; pop %r13; ret
  const R13 = 13;
  const s = entry();
  const E = env();
  const run = (o: Op): void => assert.equal(updateState(E, s, o), UpdateError.None);
  run(push(R13));
  assert.deepEqual([s[2 * R13], s[2 * R13 + 1]], [CFA, -16]);
  run(add(R13, SP, 16));
  assert.deepEqual([s[L.drapReg], s[L.vals + 2 * R13], s[L.vals + 2 * R13 + 1]], [R13, CFA, 0]);
  run(and(SP, -16));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.stackSize], s[L.drap]], [R13, 0, 0, 1]);
  run(add(SP, R13, -16));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.stackSize], s[L.drap]], [SP, 16, 16, 0]);
  run(pop(R13));
  assert.equal(hasModifiedStackFrame(x86_64, L, s), false);
});

test('restore tracking (no kernel conventions): a popped register remembers its slot until it is overwritten', () => {
  const E = env({ trackRestores: true });
  const s = apply(entry(), { cfa: [SP, 16], ss: 16, regs: { [BP]: [CFA, -16] } });
  assert.equal(updateState(E, s, pop(BP)), UpdateError.None);
  assert.equal(s[L.restored + BP], -16);
  assert.deepEqual([s[2 * BP], s[2 * BP + 1]], [U, 0]);
  assert.equal(updateState(E, s, pushConst()), UpdateError.None); // writes cfa-16 again
  assert.equal(s[L.restored + BP], 0);
});

test('has_modified_stack_frame: any difference from the entry frame', () => {
  const m = (d: S): boolean => hasModifiedStackFrame(x86_64, L, apply(entry(), d));
  assert.equal(m({}), false);
  assert.equal(m({ cfa: [SP, 16] }), true);
  assert.equal(m({ cfa: [BP, 8] }), true);
  assert.equal(m({ ss: 16 }), true);
  assert.equal(m({ drap: true }), true);
  assert.equal(m({ regs: { [BX]: [CFA, -16] } }), true);
  assert.equal(m({ regs: { 16: [CFA, -16] } }), true);
  // scratch values are not part of the frame
  assert.equal(m({ vals: { [AX]: [CFA, -8] } }), false);
});

test('has_valid_stack_frame: rbp frame with rbp and the return address in place, or DRAP with rbp', () => {
  const v = (d: S): boolean => hasValidStackFrame(x86_64, L, apply(entry(), d));
  assert.equal(v({}), false);
  assert.equal(v(FRAME), true);
  assert.equal(v({ ...FRAME, regs: { [BP]: [CFA, -24] } }), false);
  assert.equal(v({ cfa: [BP, 24], regs: { [BP]: [CFA, -24], 16: [CFA, -16] } }), true);
  assert.equal(v({ cfa: [BP, 24], regs: { [BP]: [CFA, -24] } }), false); // ra still at cfa-8
  assert.equal(v({ drap: true, regs: { [BP]: [BP, 0] } }), true);
  assert.equal(v({ drap: false, regs: { [BP]: [BP, 0] } }), false);
});

test('userspace: reloads through a register holding CFA+k restore, and sp comes back from it (OpenSSL perlasm)', () => {
  // push rbx; push rbp; sub $0x20,%rsp; lea 0x30(%rsp),%rax; mov -0x10(%rax),%rbp; mov -0x8(%rax),%rbx; lea (%rax),%rsp
  const R9 = 9;
  const s = entry();
  const E = env({ trackRestores: true });
  const run = (o: Op): void => assert.equal(updateState(E, s, o), UpdateError.None);
  run(push(BX));
  run(push(BP));
  run(add(SP, SP, -0x20));
  run(add(AX, SP, 0x30));
  assert.deepEqual([s[L.vals + 2 * AX], s[L.vals + 2 * AX + 1]], [CFA, -8]);
  run(load(BP, AX, -0x10));
  run(load(BX, AX, -0x8));
  assert.deepEqual([s[2 * BP], s[2 * BX]], [U, U], 'both restored');
  assert.deepEqual([s[L.restored + BP], s[L.restored + BX]], [-24, -16]);
  run(mov(AX, SP));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.stackSize]], [SP, 8, 8]);
  // a copy made from an untracked register holds nothing: the stale value is forgotten
  run(mov(R9, AX));
  assert.equal(s[L.vals + 2 * AX], U);
  // the kernel model (objtool) ignores all of it: rbp stays saved
  const k = entry();
  const K = env();
  for (const o of [push(BX), push(BP), add(SP, SP, -0x20), add(AX, SP, 0x30), load(BP, AX, -0x10)]) updateState(K, k, o);
  assert.deepEqual([k[2 * BP], k[2 * BP + 1]], [CFA, -24]);
});

test('userspace: realignment through a register holding CFA-16 keeps the offset (OpenSSL poly1305 AVX2)', () => {
  // lea -8(%rsp),%r11; sub $0x128,%rsp; and $-512,%rsp; ...; lea 8(%r11),%rsp
  const R11 = 11;
  const s = entry();
  const E = env({ trackRestores: true });
  const run = (o: Op): void => assert.equal(updateState(E, s, o), UpdateError.None);
  run(add(R11, SP, -8));
  run(add(SP, SP, -0x128));
  run(and(SP, -512));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.drap]], [R11, 16, 1]);
  run(add(SP, R11, 8));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.stackSize], s[L.drap]], [SP, 8, 8, 0]);
  // objtool's DRAP model takes the register for the CFA itself
  const k = entry();
  for (const o of [add(R11, SP, -8), add(SP, SP, -0x128), and(SP, -512)]) updateState(env(), k, o);
  assert.deepEqual([k[L.cfaBase], k[L.cfaOff]], [R11, 0]);
});

test('userspace: realignment after `mov %rsp,%reg` uses that register as DRAP, `mov %reg,%rsp` ends it', () => {
  const R9 = 9;
  const s = entry();
  const E = env({ trackRestores: true });
  const run = (o: Op): void => assert.equal(updateState(E, s, o), UpdateError.None);
  run(mov(SP, R9));
  run(add(SP, SP, -0x288));
  run(and(SP, -32));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff]], [R9, 8]);
  run(mov(R9, SP));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.stackSize], s[L.drap], s[L.drapReg]], [SP, 8, 8, 0, U]);
  // objtool: unsupported
  const k = entry();
  for (const o of [mov(SP, R9), add(SP, SP, -0x288)]) updateState(env(), k, o);
  assert.equal(updateState(env(), k, and(SP, -32)), UpdateError.UnsupportedRealignment);
});

test('userspace: a store at or above the CFA is no save (the caller\'s frame)', () => {
  const s = entry();
  updateState(env({ trackRestores: true }), s, store(BP, SP, 0x10));
  assert.deepEqual([s[2 * BP], s[2 * BP + 1]], [U, 0]);
  const k = entry();
  updateState(env(), k, store(BP, SP, 0x10));
  assert.deepEqual([k[2 * BP], k[2 * BP + 1]], [CFA, 8]);
});

test('userspace: `sub %rax,%rsp` under an sp copy in %rbp moves the CFA to %rbp; sp comes back from %rbp', () => {
  // push %rbp; lea -0x48(%rsp),%rsp; mov %rsp,%rbp; sub %rax,%rsp; ...; lea (%rbp),%rsp
  const s = entry();
  const E = env({ trackRestores: true });
  const run = (o: Op): void => assert.equal(updateState(E, s, o), UpdateError.None);
  run(push(BP));
  run(add(SP, SP, -0x48));
  run(mov(SP, BP));
  assert.deepEqual([s[L.cfaBase], s[L.vals + 2 * BP], s[L.vals + 2 * BP + 1]], [SP, CFA, -0x58]);
  run(add(SP, AX, 0)); // sub %rax,%rsp: objtool's "sp = sp + reg"
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff]], [BP, 0x58]);
  assert.equal(stackSizeKnown(s[L.stackSize]), false);
  run(mov(BP, SP));
  // the stack size comes from %rbp's value (CFA-0x58), not from its save slot (objtool's frame record)
  assert.equal(s[L.stackSize], 0x58);
  // objtool: the frame cannot be followed past the sub
  const k = entry();
  for (const o of [push(BP), add(SP, SP, -0x48), mov(SP, BP)]) updateState(env(), k, o);
  assert.equal(updateState(env(), k, add(SP, AX, 0)), UpdateError.UnsupportedStackRegModification);
});
