/**
 * Which symbol each instruction belongs to, and what kind of symbol each is (thunks, trampolines,
 * ftrace, sanitizer hooks). Functions are walked in symbol-list order; a later symbol covering the
 * same bytes takes them over, as in objtool.
 */
import { InsnKind } from '../arch/arch.js';
import { STB_GLOBAL, STT_FUNC, STT_NOTYPE } from '../elf/constants.js';
import type { Context } from './context.js';
import { SF } from './context.js';

const STATIC_CALL_TRAMP_PREFIX = '__SCT__';

export function classifySymbols(ctx: Context): void {
  const { syms } = ctx.prog;
  const k = ctx.prog.arch.kernel;
  for (let s = 0; s < syms.count; s++) {
    const name = syms.name(s);
    if (syms.type[s] === STT_NOTYPE && name.startsWith('.L')) ctx.symFlags[s] |= SF.LocalLabel;
    if (syms.bind[s] !== STB_GLOBAL) continue;
    if (name.startsWith(STATIC_CALL_TRAMP_PREFIX)) ctx.symFlags[s] |= SF.StaticCallTramp;
    if (!k) continue;
    if (k.isRetpolineThunk(name)) ctx.symFlags[s] |= SF.RetpolineThunk;
    if (k.isReturnThunk(name)) ctx.symFlags[s] |= SF.ReturnThunk;
    if (k.isEmbeddedInsn(name)) ctx.symFlags[s] |= SF.EmbeddedInsn;
    if (k.isFtraceCall(name)) ctx.symFlags[s] |= SF.Fentry;
    if (isProfilingFunc(name)) ctx.symFlags[s] |= SF.ProfilingFunc;
  }
}

function isProfilingFunc(name: string): boolean {
  return name.startsWith('__sanitizer_cov_') || name.startsWith('__tsan_func_') || name === '__tsan_atomic_signal_fence';
}

/** Assigns `sym` to every instruction of each function/notype symbol; fatal on malformed symbols. */
export function assignSymbols(ctx: Context): void {
  const p = ctx.prog;
  const { syms } = p;
  const off = p.off;
  const sym = p.sym;
  const kind = p.kind;
  for (const s of p.elf.sections) {
    const [first, secEnd] = p.secRange(s.index);
    if (first < 0) continue;
    const list = syms.list(s.index);
    for (let k = 0; k < list.length; k++) {
      const f = list[k];
      const t = syms.type[f];
      if (t !== STT_NOTYPE && t !== STT_FUNC) continue;
      if (syms.offset[f] === s.size) {
        if (t === STT_NOTYPE) continue; // an "end" label
        ctx.fatal(`${syms.name(f)}(): STT_FUNC at end of section`);
      }
      if ((ctx.symFlags[f] & SF.EmbeddedInsn) || syms.alias[f] !== f) continue;
      const i = p.find(s.index, syms.offset[f]);
      // userspace: a label without a type inside code is often on data the code section holds
      // (OpenSSL's perlasm `K256_shaext` table in node's .text), decoded as instructions it is not
      // at a boundary of; it names no code, and nothing else is wrong with the file
      if (i < 0 && t === STT_NOTYPE && !ctx.opts.kernel) continue;
      if (i < 0) ctx.fatal(`${syms.name(f)}(): can't find starting instruction`);
      // the section's rows are contiguous and ascend: the symbol's are the next ones up to its end
      const end = rowsBefore(off, i, secEnd, syms.offset[f] + syms.len[f]);
      sym.fill(f, i, end);
      if (t !== STT_FUNC) continue;
      // ENDBRs are rare: the kind column is searched for them (a native scan)
      const kinds = kind.subarray(0, end);
      for (let e = kinds.indexOf(InsnKind.Endbr, i); e >= 0; e = kinds.indexOf(InsnKind.Endbr, e + 1)) {
        if (ctx.endbrInList.has(e)) continue;
        if (off[e] === syms.offset[f]) {
          ctx.endbrList.push(e);
          ctx.endbrInList.add(e);
          ctx.nrEndbr++;
        } else {
          ctx.nrEndbrInt++;
        }
      }
    }
  }
}

/** The first row in [from, to) whose offset is not below `end` (offsets ascend there), or `to`. */
function rowsBefore(off: Uint32Array, from: number, to: number, end: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (off[mid] < end) lo = mid + 1; else hi = mid;
  }
  return lo;
}
