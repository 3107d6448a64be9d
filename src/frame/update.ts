/**
 * The stack-op interpreter: applies one stack op to a frame state. This is where the frame model
 * lives — pushes and pops, frame-pointer setup and teardown, register saves and restores, stack
 * realignment through a DRAP register, and the odd shapes compilers emit (sp copied through another
 * register, stack swizzles). Registers are the arch's slots; only their roles (sp, fp) are known here.
 */
import { CfiBase, OpDest, OpSrc } from '../arch/arch.js';
import type { Arch } from '../arch/arch.js';
import { StateType } from './state.js';
import type { StateLayout } from './state.js';
import type { OpFields } from '../program/insns.js';

const UNDEF = CfiBase.Undefined;
const CFA = CfiBase.Cfa;
const SP_IND = CfiBase.SpIndirect;
const BP_IND = CfiBase.FpIndirect;

/**
 * Userspace: the stack size after sp moved by an amount the analysis does not know (`sub %rax,%rsp`
 * with the CFA moved to the frame pointer). Far above any real frame, so that pushes and pops keep it
 * recognisable (`stackSizeKnown`) and an sp-based description of the CFA never matches it.
 */
export const STACK_SIZE_UNKNOWN = 1 << 28;

/** False for a stack size derived from STACK_SIZE_UNKNOWN. */
export function stackSizeKnown(size: number): boolean {
  return size < STACK_SIZE_UNKNOWN / 2;
}

/** Outcome of applying one op: 0 fine, else the index of a message in UPDATE_MESSAGES. */
export const UpdateError = {
  None: 0,
  UndefinedState: 1,
  UnsupportedStackRegModification: 2,
  UnsupportedRealignment: 3,
  UnknownStackInsn: 4,
  UnknownStackMemOp: 5,
} as const;

export const UPDATE_MESSAGES: readonly string[] = [
  '',
  'undefined stack state',
  'unsupported stack register modification',
  'unsupported stack pointer realignment',
  'unknown stack-related instruction',
  'unknown stack-related memory operation',
];

/** The op being applied (unpacked from the instruction table's words by `loadOp`). */
export type Op = OpFields;

export interface UpdateEnv {
  readonly arch: Arch;
  readonly L: StateLayout;
  /** --stackval: track rbp used as a scratch register */
  readonly stackval: boolean;
  /** the instruction belongs to a function */
  inFunc: boolean;
  /** the next instruction carries an unwind hint */
  nextIsHint: boolean;
  /** the function has a frame-pointer annotation (LoongArch-only in objtool; always false here) */
  framePointerSym: boolean;
  /** remember which stack slot a restored register came from (see StateLayout.restored) */
  trackRestores: boolean;
  /**
   * Set when an op changed a word of the state (the caller clears it): whether ops left a state as it
   * was is then known without comparing all its words with a copy taken before.
   */
  changed: boolean;
}

/** Word k of state s becomes v; every write of the interpreter goes through here, to keep `changed` exact. */
function put(env: UpdateEnv, s: Int32Array, k: number, v: number): void {
  if (s[k] !== v) {
    s[k] = v;
    env.changed = true;
  }
}

/**
 * Applies `op` to state `s` (in place). Returns an UpdateError; for UndefinedState outside a
 * function the caller treats it as no error (UpdateError.None is returned instead).
 */
export function updateState(env: UpdateEnv, s: Int32Array, op: Op): number {
  const L = env.L;
  const SP = env.arch.regs.sp;
  const BP = env.arch.regs.fp;
  const slot = env.arch.slot;
  const CB = L.cfaBase;
  const CO = L.cfaOff;
  const SS = L.stackSize;
  if (s[L.forceUndefined]) return UpdateError.None;
  if (s[CB] === UNDEF) return env.inFunc ? UpdateError.UndefinedState : UpdateError.None;
  const type = s[L.type];
  if (type === StateType.Regs || type === StateType.RegsPartial) {
    if (s[CB] !== SP && s[CB] !== SP_IND) return UpdateError.None;
    if (op.destType === OpDest.Push || op.destType === OpDest.PushF) put(env, s, CO, s[CO] + slot);
    if (op.srcType === OpSrc.Pop || op.srcType === OpSrc.PopF) put(env, s, CO, s[CO] - slot);
    if (op.destType === OpDest.Reg && op.srcType === OpSrc.Add && op.destReg === SP && op.srcReg === SP) put(env, s, CO, s[CO] - op.srcOff);
    return UpdateError.None;
  }
  const V = L.vals;
  // register r's rule is the words s[2r] (base) and s[2r + 1] (offset); written out below, not as
  // closures, which V8 allocated on every call
  switch (op.destType) {
    case OpDest.Reg:
      // whatever the register held is gone (a reload below records its slot again)
      if (env.trackRestores) put(env, s, L.restored + op.destReg, 0);
      switch (op.srcType) {
        case OpSrc.Reg:
          if (env.trackRestores && s[L.drap] && op.destReg === SP && op.srcReg === s[CB] && op.srcReg === s[L.drapReg]) {
            // `mov %r9,%rsp` back from a DRAP register the CFA is still based on (see OpSrc.And)
            put(env, s, CB, SP);
            put(env, s, SS, s[CO]);
            put(env, s, L.drapReg, UNDEF);
            put(env, s, L.drap, 0);
            return UpdateError.None;
          }
          if (op.srcReg === SP && op.destReg === BP && s[CB] === SP && (s[2 * BP] === CFA && s[2 * BP + 1] === -s[CO])) {
            put(env, s, CB, op.destReg); // mov sp -> fp: the frame pointer now holds the CFA base
            put(env, s, L.bpScratch, 0);
          } else if (op.srcReg === SP && op.destReg === BP && s[L.drap]) {
            put(env, s, 2 * BP, BP);
            put(env, s, 2 * BP + 1, -s[SS]);
            put(env, s, L.bpScratch, 0);
          } else if (op.srcReg === SP && s[CB] === SP) {
            // sp copied to another register, to be copied back later
            put(env, s, V + 2 * op.destReg, CFA);
            put(env, s, V + 2 * op.destReg + 1, -s[SS]);
          } else if (op.srcReg === BP && op.destReg === SP && (s[CB] === BP || s[CB] === s[L.drapReg])) {
            // mov fp -> sp: the frame's stack size is known again (objtool: from the frame record; userspace:
            // from the frame pointer's own value when it is known, `mov %rsp,%rbp` without a record)
            put(env, s, SS, env.trackRestores && s[V + 2 * BP] === CFA ? -s[V + 2 * BP + 1] : -s[2 * BP + 1]);
          } else if (op.destReg === s[CB]) {
            if (s[CB] === SP && s[V + 2 * op.srcReg] === CFA) {
              put(env, s, CO, -s[V + 2 * op.srcReg + 1]);
              put(env, s, SS, s[CO]);
            } else if (s[CB] === SP && s[V + 2 * op.srcReg] === SP_IND && s[V + 2 * op.srcReg + 1] === s[CO]) {
              put(env, s, CB, SP_IND); // stack swizzle: the old sp is stored at the top of the new stack
            } else {
              put(env, s, CB, UNDEF);
              put(env, s, CO, 0);
            }
          } else if (op.destReg === SP && s[V + 2 * op.srcReg] === SP_IND && s[V + 2 * op.srcReg + 1] === s[CO]) {
            put(env, s, SS, s[SS] + slot); // swizzle seen from a frame-pointer CFA: balance the later pop
          } else if (s[V + 2 * op.srcReg] === CFA) {
            put(env, s, V + 2 * op.destReg, CFA);
            put(env, s, V + 2 * op.destReg + 1, s[V + 2 * op.srcReg + 1]);
          } else if (env.trackRestores) {
            copyReg(env, s, op.destReg, op.srcReg);
          }
          return UpdateError.None;
        case OpSrc.Add:
          if (op.destReg === SP && op.srcReg === SP) {
            put(env, s, SS, s[SS] - op.srcOff);
            if (s[CB] === SP) put(env, s, CO, s[CO] - op.srcOff);
            return UpdateError.None;
          }
          if (op.destReg === BP && op.srcReg === SP && env.framePointerSym) {
            if (s[CB] === SP && s[CO] === op.srcOff) { put(env, s, CB, BP); put(env, s, CO, 0); }
            return UpdateError.None;
          }
          if (op.destReg === SP && op.srcReg === BP) {
            if (s[CB] === BP && s[CO] === 0) {
              if (env.framePointerSym) { put(env, s, CB, SP); put(env, s, CO, -op.srcOff); }
            } else {
              put(env, s, SS, -(op.srcOff + s[2 * BP + 1])); // sp = fp + disp
              // a CFA still on sp moves with it (AArch64 `sub sp, x29, #n` after an alloca); objtool
              // leaves the offset, which kernel output must match
              if (env.trackRestores && s[CB] === SP && s[2 * BP] === CFA) put(env, s, CO, s[SS]);
            }
            return UpdateError.None;
          }
          if (op.srcReg === SP && s[CB] === SP) {
            put(env, s, L.drapReg, op.destReg); // candidate DRAP register: reg = sp + disp
            put(env, s, V + 2 * op.destReg, CFA);
            put(env, s, V + 2 * op.destReg + 1, -s[SS] + op.srcOff);
            return UpdateError.None;
          }
          if (s[L.drap] && op.destReg === SP && op.srcReg === s[L.drapReg]) {
            // sp = drap + disp. objtool takes the DRAP register to hold the CFA (GCC's `lea 8(%rsp),%r10`);
            // userspace keeps the offset it had (OpenSSL's `lea -8(%rsp),%r11` holds CFA-16)
            const drapAt = env.trackRestores && s[CB] === op.srcReg ? s[CO] : 0;
            put(env, s, CB, SP);
            put(env, s, SS, drapAt - op.srcOff);
            put(env, s, CO, s[SS]);
            put(env, s, L.drapReg, UNDEF);
            put(env, s, L.drap, 0);
            return UpdateError.None;
          }
          if (env.trackRestores && op.destReg === SP && s[CB] === SP && op.srcOff === 0 && op.srcReg !== SP && s[V + 2 * BP] === CFA) {
            // `sub %rax,%rsp` (an amount the analysis does not know) under a frame pointer holding CFA+k
            // (OpenSSL's `mov %rsp,%rbp` after its pushes): the CFA goes on the frame pointer
            put(env, s, CB, BP);
            put(env, s, CO, -s[V + 2 * BP + 1]);
            put(env, s, SS, STACK_SIZE_UNKNOWN);
            return UpdateError.None;
          }
          if (env.trackRestores && op.destReg === SP && s[CB] === SP && op.srcOff !== 0 && s[V + 2 * op.srcReg] === CFA) {
            // sp = reg + disp, reg holding CFA+k (OpenSSL's `lea 8(%r11),%rsp` after `mov %rsp,%r11`);
            // offset 0 is x86 `add/sub %reg,%rsp`, whose amount is not known
            put(env, s, SS, -(s[V + 2 * op.srcReg + 1] + op.srcOff));
            put(env, s, CO, s[SS]);
            return UpdateError.None;
          }
          if (op.destReg === s[CB] && !env.nextIsHint) return UpdateError.UnsupportedStackRegModification;
          if (env.trackRestores) addToReg(env, s, op.destReg, op.srcReg, op.srcOff);
          return UpdateError.None;
        case OpSrc.And:
          if (env.trackRestores && op.destReg === SP && s[CB] === SP && !s[L.drap] && s[V + 2 * BP] === CFA) {
            // realigned under a frame pointer that already holds CFA+k (AArch64 Clang and rustc set x29
            // before `and sp, x9, #-32`): the CFA goes on the frame pointer, as the table puts it
            put(env, s, CB, BP);
            put(env, s, CO, -s[V + 2 * BP + 1]);
            return UpdateError.None;
          }
          if (env.trackRestores && op.destReg === SP && s[CB] === SP && !s[L.drap] && s[L.drapReg] === UNDEF) {
            // realigned after copying sp with `mov %rsp,%reg` (OpenSSL: `mov %rsp,%r9` ... `and $-32,%rsp`,
            // CFA r9+8): that register serves as the DRAP register
            put(env, s, L.drapReg, spCopy(env, s));
          }
          if (op.destReg !== SP || (s[L.drapReg] !== UNDEF && s[CB] !== SP) || (s[L.drapReg] === UNDEF && s[CB] !== BP)) {
            return UpdateError.UnsupportedRealignment;
          }
          if (s[L.drapReg] !== UNDEF) {
            // objtool: the DRAP register holds the CFA; userspace: what it holds, CFA+k (OpenSSL's
            // poly1305 AVX2 code realigns after `lea -8(%rsp),%r11`: CFA = r11+16, as its table says)
            const k = env.trackRestores && s[V + 2 * s[L.drapReg]] === CFA ? s[V + 2 * s[L.drapReg] + 1] : 0;
            put(env, s, CB, s[L.drapReg]);
            put(env, s, CO, -k);
            put(env, s, SS, 0);
            put(env, s, L.drap, 1);
          }
          return UpdateError.None;
        case OpSrc.Pop:
        case OpSrc.PopF:
          if (env.trackRestores) forgetValue(env, s, op.destReg);
          if (op.destReg === SP && s[CB] === SP_IND) {
            put(env, s, CB, SP);
            return UpdateError.None;
          }
          if (!s[L.drap] && op.destReg === s[CB]) put(env, s, CB, SP);
          if (s[L.drap] && s[CB] === BP_IND && op.destReg === s[L.drapReg] && s[L.drapOff] === -s[SS]) {
            put(env, s, CB, s[L.drapReg]);
            put(env, s, CO, 0);
            put(env, s, L.drapOff, -1);
          } else if (s[SS] === -s[2 * op.destReg + 1]) {
            restoreReg(env, s, op.destReg);
          }
          put(env, s, SS, s[SS] - slot);
          if (s[CB] === SP) put(env, s, CO, s[CO] - slot);
          return UpdateError.None;
        case OpSrc.RegIndirect:
          if (env.trackRestores) forgetValue(env, s, op.destReg);
          if (!s[L.drap] && op.destReg === s[CB] && op.destReg === BP) {
            put(env, s, CB, SP);
            put(env, s, CO, s[SS]);
          }
          if (s[L.drap] && op.srcReg === BP && op.srcOff === s[L.drapOff]) {
            put(env, s, CB, s[L.drapReg]);
            put(env, s, CO, 0);
            put(env, s, L.drapOff, -1);
          }
          if (s[L.drap] && op.srcReg === BP && op.srcOff === s[2 * op.destReg + 1]) {
            restoreReg(env, s, op.destReg);
          } else if (op.srcReg === s[CB] && op.srcOff === s[2 * op.destReg + 1] + s[CO]) {
            restoreReg(env, s, op.destReg);
          } else if (op.srcReg === SP && op.srcOff === s[2 * op.destReg + 1] + s[SS]) {
            restoreReg(env, s, op.destReg);
          } else if (env.trackRestores && op.srcReg !== op.destReg && s[V + 2 * op.srcReg] === CFA && s[2 * op.destReg] === CFA &&
            op.srcOff + s[V + 2 * op.srcReg + 1] === s[2 * op.destReg + 1]) {
            // through another register that holds CFA+k (AArch64 `ldr x30, [x29, #n]` with the CFA on sp)
            restoreReg(env, s, op.destReg);
          }
          return UpdateError.None;
        case OpSrc.Const:
          return clobberReg(env, s, op.destReg);
        default:
          return UpdateError.UnknownStackInsn;
      }
    case OpDest.Push:
    case OpDest.PushF:
      put(env, s, SS, s[SS] + slot);
      if (s[CB] === SP) put(env, s, CO, s[CO] + slot);
      if (env.trackRestores) forgetSlot(env, s, -s[SS]);
      if (op.srcType !== OpSrc.Reg) return UpdateError.None;
      if (s[L.drap]) {
        if (op.srcReg === s[CB] && op.srcReg === s[L.drapReg]) {
          put(env, s, CB, BP_IND); // the DRAP register is saved: the CFA is found through it
          put(env, s, CO, -s[SS]);
          put(env, s, L.drapOff, -s[SS]);
        } else if (op.srcReg === BP && s[CB] === s[L.drapReg]) {
          put(env, s, SS, 0);
        } else {
          saveReg(env, s, op.srcReg, BP, -s[SS]);
        }
      } else {
        saveReg(env, s, op.srcReg, CFA, -s[SS]);
      }
      if (env.stackval && env.inFunc && op.srcReg === BP && s[CB] !== BP) put(env, s, L.bpScratch, 1);
      return UpdateError.None;
    case OpDest.RegIndirect:
      if (s[L.drap]) {
        if (op.srcReg === s[CB] && op.srcReg === s[L.drapReg]) {
          put(env, s, CB, BP_IND);
          put(env, s, CO, op.destOff);
          put(env, s, L.drapOff, op.destOff);
        } else {
          saveReg(env, s, op.srcReg, BP, op.destOff);
        }
      } else if (op.destReg === s[CB]) {
        saveReg(env, s, op.srcReg, CFA, op.destOff - s[CO]);
      } else if (op.destReg === SP) {
        saveReg(env, s, op.srcReg, CFA, op.destOff - s[SS]);
      } else if (op.srcReg === SP && op.destOff === 0) {
        put(env, s, V + 2 * op.destReg, SP_IND); // swizzle set-up: the old sp is stored at (reg)
        put(env, s, V + 2 * op.destReg + 1, s[CO]);
      }
      return UpdateError.None;
    case OpDest.Mem:
      if (op.srcType !== OpSrc.Pop && op.srcType !== OpSrc.PopF) return UpdateError.UnknownStackMemOp;
      put(env, s, SS, s[SS] - slot);
      if (s[CB] === SP) put(env, s, CO, s[CO] - slot);
      return UpdateError.None;
    default:
      return UpdateError.UnknownStackInsn;
  }
}

/**
 * A tracked register gets a value the analysis does not follow (link-register ISAs decode such
 * writes as `reg <- Const`; x86 never does). Losing the CFA base is an error; a register used as a
 * scratch after its save (AArch64 compilers reuse x30) only forgets what was known about its value.
 */
function clobberReg(env: UpdateEnv, s: Int32Array, reg: number): number {
  const L = env.L;
  if (reg === s[L.cfaBase]) return env.nextIsHint ? UpdateError.None : UpdateError.UnsupportedStackRegModification;
  if (reg === env.arch.regs.sp) return UpdateError.None; // CFA not sp-based: the frame survives
  put(env, s, L.vals + 2 * reg, UNDEF);
  put(env, s, L.vals + 2 * reg + 1, 0);
  if (!s[L.drap] && s[L.drapReg] === reg) put(env, s, L.drapReg, UNDEF);
  if (env.trackRestores) put(env, s, L.restored + reg, 0);
  return UpdateError.None;
}

/**
 * Userspace: `mov %src, %dest` not covered by objtool's cases. dest takes src's CFA-relative value
 * when src is the CFA base (`mov %rbp,%rax` under a frame-pointer CFA), and otherwise holds nothing
 * the analysis follows. (A callee-saved register copied to another register is not taken for a
 * save: the x86 decoder does not see every write to it, so its value may already be another.)
 */
function copyReg(env: UpdateEnv, s: Int32Array, dest: number, src: number): void {
  const L = env.L;
  const V = L.vals;
  if (src === s[L.cfaBase] && src !== env.arch.regs.sp) {
    put(env, s, V + 2 * dest, CFA);
    put(env, s, V + 2 * dest + 1, -s[L.cfaOff]);
  } else {
    forgetValue(env, s, dest);
  }
}

/**
 * Userspace: `lea disp(%src), %dest` not covered by objtool's cases: dest holds CFA+k when src is
 * the CFA base or holds CFA+j itself (`lea 0x78(%rbp),%rax` before an epilogue that reloads through
 * rax and ends `lea (%rax),%rsp`), else nothing the analysis follows.
 */
function addToReg(env: UpdateEnv, s: Int32Array, dest: number, src: number, disp: number): void {
  const L = env.L;
  const V = L.vals;
  if (src === s[L.cfaBase] && src !== dest) {
    put(env, s, V + 2 * dest, CFA);
    put(env, s, V + 2 * dest + 1, disp - s[L.cfaOff]);
  } else if (s[V + 2 * src] === CFA) {
    put(env, s, V + 2 * dest + 1, s[V + 2 * src + 1] + disp);
    put(env, s, V + 2 * dest, CFA);
  } else {
    forgetValue(env, s, dest);
  }
}

/** A register other than sp holding CFA+k (sp copied to it), preferring the entry sp (CFA-8); else UNDEF. */
function spCopy(env: UpdateEnv, s: Int32Array): number {
  const V = env.L.vals;
  let found: number = UNDEF;
  for (let r = 0; r < env.L.n; r++) {
    if (r === env.arch.regs.sp || s[V + 2 * r] !== CFA) continue;
    if (s[V + 2 * r + 1] === -env.arch.slot) return r;
    if (found === UNDEF) found = r;
  }
  return found;
}

/**
 * Userspace, at a call: the callee may overwrite every register it need not preserve, so none of
 * them holds a CFA-relative value the analysis can trust after it (a stale `lea 0x80(%rsp),%rdi`
 * would otherwise make a later load through %rdi look like a reload from a save slot). The CFA base
 * and the DRAP register stay as they are.
 */
export function forgetCallClobbered(env: UpdateEnv, s: Int32Array): void {
  const V = env.L.vals;
  for (let r = 0; r < env.L.n; r++) if (callClobbered(env, r) && s[V + 2 * r] !== UNDEF) forgetValue(env, s, r);
}

/**
 * Would `forgetCallClobbered` change the state whose words start at `words[at]`? (The walk asks
 * before copying a stored state it has not materialised.)
 */
export function holdsCallClobbered(env: UpdateEnv, words: Int32Array, at: number): boolean {
  const V = at + env.L.vals;
  for (let r = 0; r < env.L.n; r++) if (callClobbered(env, r) && words[V + 2 * r] !== UNDEF) return true;
  return false;
}

/** The words `holdsCallClobbered` reads: the values of the call-clobbered registers. */
export function callClobberedValueWords(env: UpdateEnv): number[] {
  const out: number[] = [];
  for (let r = 0; r < env.L.n; r++) if (callClobbered(env, r)) out.push(env.L.vals + 2 * r);
  return out;
}

/** A register a callee need not preserve, other than the stack and frame pointers. */
function callClobbered(env: UpdateEnv, r: number): boolean {
  const regs = env.arch.regs;
  return !regs.calleeSaved[r] && r !== regs.sp && r !== regs.fp;
}

/**
 * A load into `reg`: whatever CFA-relative value it held is gone (AArch64 `ldp x29, x30, [sp, #n]`
 * reloads the caller's frame pointer while the CFA is still described from sp). Userspace only:
 * objtool keeps such stale values, and kernel output must stay byte-identical to its own.
 */
function forgetValue(env: UpdateEnv, s: Int32Array, reg: number): void {
  const V = env.L.vals;
  put(env, s, V + 2 * reg, UNDEF);
  put(env, s, V + 2 * reg + 1, 0);
}

function saveReg(env: UpdateEnv, s: Int32Array, reg: number, base: number, offset: number): void {
  if (env.trackRestores && base === CFA) {
    forgetSlot(env, s, offset);
    // a store at or above the CFA writes the caller's frame (OpenSSL's internal subroutines keep
    // values in their caller's frame, `mov %rbp,0x10(%rsp)` at CFA = rsp+8): never a save
    if (offset >= 0) return;
    // the register and its save slot now hold the same value until either is written
    if (env.arch.regs.calleeSaved[reg]) put(env, s, env.L.restored + reg, offset);
  }
  if (env.arch.regs.calleeSaved[reg] && s[2 * reg] === UNDEF) {
    put(env, s, 2 * reg, base);
    put(env, s, 2 * reg + 1, offset);
  }
}

/** A store to CFA+offset: a register restored from that slot no longer matches it. */
function forgetSlot(env: UpdateEnv, s: Int32Array, offset: number): void {
  const R = env.L.restored;
  for (let r = 0; r < env.L.n; r++) if (s[R + r] === offset) put(env, s, R + r, 0);
}

function restoreReg(env: UpdateEnv, s: Int32Array, reg: number): void {
  if (env.trackRestores) put(env, s, env.L.restored + reg, s[2 * reg] === CFA ? s[2 * reg + 1] : 0);
  put(env, s, 2 * reg, env.arch.entryRegs[reg].base);
  put(env, s, 2 * reg + 1, env.arch.entryRegs[reg].offset);
}

/** objtool's has_modified_stack_frame: anything differs from the function-entry state. */
export function hasModifiedStackFrame(arch: Arch, L: StateLayout, s: Int32Array): boolean {
  if (s[L.cfaBase] !== arch.entryCfa.base || s[L.drap]) return true;
  if (s[L.cfaOff] !== arch.entryCfa.offset) return true;
  if (s[L.stackSize] !== arch.entryCfa.offset) return true;
  for (let i = 0; i < L.n; i++) {
    if (s[2 * i] !== arch.entryRegs[i].base || s[2 * i + 1] !== arch.entryRegs[i].offset) return true;
  }
  return false;
}

/** objtool's has_valid_stack_frame: a frame-pointer frame is set up (or DRAP with fp). */
export function hasValidStackFrame(arch: Arch, L: StateLayout, s: Int32Array): boolean {
  const BP = arch.regs.fp;
  const RA = arch.regs.ra;
  if (s[L.cfaBase] === BP && s[2 * BP] === CFA && s[2 * BP + 1] === -s[L.cfaOff] &&
      s[2 * RA] === CFA && s[2 * RA + 1] === -s[L.cfaOff] + 8) return true;
  if (s[L.drap] && s[2 * BP] === BP) return true;
  return false;
}
