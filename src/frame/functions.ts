/**
 * Validation entry points: every function symbol of every executable section (in symbol order),
 * then every unwind hint no function path reached.
 */
import { SHF_EXECINSTR, STT_FUNC } from '../elf/constants.js';
import { B, VISITED_MASK } from '../program/program.js';
import type { Context } from '../cfg/context.js';
import { SF } from '../cfg/context.js';
import { Validator } from './validate.js';

export function validateFunctions(ctx: Context, v: Validator): number {
  const p = ctx.prog;
  let warnings = 0;
  for (const s of p.elf.sections) {
    if (!(Number(s.flags) & SHF_EXECINSTR)) continue;
    for (const f of p.syms.list(s.index)) {
      if (p.syms.type[f] !== STT_FUNC) continue;
      warnings += validateSymbol(ctx, v, s.index, f);
    }
  }
  return warnings;
}

function validateSymbol(ctx: Context, v: Validator, sec: number, f: number): number {
  const p = ctx.prog;
  const { syms } = p;
  if (!syms.len[f]) {
    ctx.diag.warn(`${syms.name(f)}() is missing an ELF size annotation`);
    return 1;
  }
  if (syms.pfunc[f] !== f || syms.alias[f] !== f) return 0;
  const i = p.find(sec, syms.offset[f]);
  if (i < 0 || (p.bits[i] & B.Ignore) || (p.bits[i] & VISITED_MASK)) return 0;
  const state = v.newState(true, ctx.opts.uaccess && (ctx.symFlags[f] & SF.UaccessSafe) !== 0);
  const ret = v.validateBranch(p.func(i), i, state);
  if (ret) ctx.backtrace(i, '<=== (sym)');
  return ret;
}

export function validateUnwindHints(ctx: Context, v: Validator): number {
  if (!ctx.hints) return 0;
  const p = ctx.prog;
  let warnings = 0;
  const state = v.newState(false, false);
  for (let i = 0; i < p.count; i++) {
    if ((p.bits[i] & B.Hint) && !(p.bits[i] & VISITED_MASK) && !(p.bits[i] & B.Ignore)) {
      const ret = v.validateBranch(p.func(i), i, state);
      if (ret) ctx.backtrace(i, '<=== (hint)');
      warnings += ret;
    }
  }
  return warnings;
}
