/**
 * Validation entry points: every function symbol of every executable section (in symbol order),
 * then every unwind hint no function path reached.
 */
import { SHF_EXECINSTR, STT_FUNC } from '../elf/constants.js';
import { B, SecRole, VISITED_MASK } from '../program/program.js';
import { findSectionByName } from '../kernel/reloc-lookup.js';
import type { Context } from '../cfg/context.js';
import { SF } from '../cfg/context.js';
import { Validator } from './validate.js';

export function validateFunctions(ctx: Context, v: Validator): number {
  const p = ctx.prog;
  let warnings = 0;
  for (const s of p.elf.sections) {
    if (!(Number(s.flags) & SHF_EXECINSTR)) continue;
    warnings += validateSection(ctx, v, s.index);
  }
  return warnings;
}

/**
 * --noinstr without a frame check (vmlinux.o): only the functions and unwind hints of the noinstr
 * sections are walked, for their calls and returns.
 */
export function validateNoinstrSections(ctx: Context, v: Validator): number {
  let warnings = 0;
  for (const name of NOINSTR_WALKED) {
    const sec = findSectionByName(ctx.prog.elf, name);
    if (sec < 0) continue;
    warnings += validateSection(ctx, v, sec);
    warnings += validateUnwindHints(ctx, v, sec);
  }
  return warnings;
}

/** The noinstr sections objtool walks under --noinstr alone, in its order. */
const NOINSTR_WALKED = ['.noinstr.text', '.entry.text', '.cpuidle.text'];

function validateSection(ctx: Context, v: Validator, sec: number): number {
  const p = ctx.prog;
  let warnings = 0;
  const noinstr = noinstrPaths(ctx, sec);
  for (const f of objtoolSymbolOrder(ctx, p.syms.list(sec))) {
    if (p.syms.type[f] !== STT_FUNC) continue;
    warnings += validateSymbol(ctx, v, sec, f, noinstr);
  }
  return warnings;
}

/** Do paths starting in section `sec` check noinstr rules? Only with --link (vmlinux.o): a single object cannot tell where a called symbol lives. */
function noinstrPaths(ctx: Context, sec: number): boolean {
  return ctx.opts.link && ctx.opts.noinstr && (ctx.prog.secRole[sec] & SecRole.Noinstr) !== 0;
}

/**
 * A section's symbols in objtool's list order. objtool links each symbol into the list right after
 * its predecessor in an offset-sorted tree, then takes zero-size symbols out of the tree again. So
 * sized symbols stay in offset order, and a zero-size one lands just before the first sized symbol
 * that was already in the tree (lower symbol index) with a greater offset, or at the end; several
 * landing at one place come in reverse index order. Only zero-size functions matter here (their
 * "missing an ELF size annotation" warnings), so the list is reordered only when it has any.
 */
export function objtoolSymbolOrder(ctx: Context, list: Int32Array): Iterable<number> {
  const { syms } = ctx.prog;
  const empty: number[] = [];
  for (const f of list) if (!syms.len[f] && syms.type[f] === STT_FUNC) empty.push(f);
  if (!empty.length) return list;
  const sized: number[] = [];
  for (const f of list) if (syms.len[f]) sized.push(f);
  // before[k]: zero-size functions placed just before sized[k] (k = sized.length: at the end)
  const before: number[][] = sized.map(() => []);
  before.push([]);
  for (const e of empty) {
    let k = 0;
    while (k < sized.length && !(sized[k] < e && syms.offset[sized[k]] > syms.offset[e])) k++;
    before[k].push(e);
  }
  const out: number[] = [];
  for (let k = 0; k <= sized.length; k++) {
    out.push(...before[k].sort((a, b) => b - a));
    if (k < sized.length) out.push(sized[k]);
  }
  return out;
}

function validateSymbol(ctx: Context, v: Validator, sec: number, f: number, noinstr: boolean): number {
  const p = ctx.prog;
  const { syms } = p;
  if (!syms.len[f]) {
    ctx.diag.warn(`${syms.name(f)}() is missing an ELF size annotation`);
    return 1;
  }
  if (syms.pfunc[f] !== f || syms.alias[f] !== f) return 0;
  const i = p.find(sec, syms.offset[f]);
  if (i < 0 || (p.bits[i] & B.Ignore) || (p.bits[i] & VISITED_MASK)) return 0;
  // verify: code whose unwind rules were proven to hold needs no walk
  if (ctx.tableProof && ctx.tableProof.skipWalk[i]) return 0;
  const state = v.entryState(true, ctx.opts.uaccess && (ctx.symFlags[f] & SF.UaccessSafe) !== 0, noinstr);
  const ret = v.validateBranch(p.func(i), i, state, ctx.funcStateId);
  if (ret) ctx.backtrace(i, '<=== (sym)');
  return ret;
}

/** Unwind hints no path reached: all of them, or those of section `sec`. */
export function validateUnwindHints(ctx: Context, v: Validator, sec = -1): number {
  if (!ctx.hints) return 0;
  const p = ctx.prog;
  let warnings = 0;
  const state = v.newState(false, false, sec >= 0 && noinstrPaths(ctx, sec));
  const [from, to] = sec >= 0 ? p.secRange(sec) : [0, p.count];
  for (let i = from; i < to; i++) {
    if ((p.bits[i] & B.Hint) && !(p.bits[i] & VISITED_MASK) && !(p.bits[i] & B.Ignore)) {
      const ret = v.validateBranch(p.func(i), i, state, ctx.initStateId);
      if (ret) ctx.backtrace(i, '<=== (hint)');
      warnings += ret;
    }
  }
  return warnings;
}
