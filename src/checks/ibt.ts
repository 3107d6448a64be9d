/**
 * --ibt (Indirect Branch Tracking, vmlinux.o): every address of code taken by an instruction or
 * stored in data must point at an ENDBR, or be annotated as not needing one (ANNOTATE_NOENDBR), or be
 * the end of a symbol whose code starts with one (a code range). ENDBRs at function starts whose
 * address no instruction or data takes are left in `Context.endbrInList`: objtool lists them in
 * `.ibt_endbr_seal`, for the kernel to turn into NOPs.
 */
import { InsnKind } from '../arch/arch.js';
import type { Context } from '../cfg/context.js';
import { SF } from '../cfg/context.js';
import { R_X86_64_PC32, R_X86_64_PLT32, SHF_EXECINSTR } from '../elf/constants.js';
import { isIbtSkippedSection } from '../kernel/names.js';
import { B } from '../program/program.js';
import { placeText } from '../report/diag.js';

/** Branches and NOPs: their relocations are no taken addresses. */
const BRANCH_KINDS = (1 << InsnKind.Call) | (1 << InsnKind.CallDynamic) | (1 << InsnKind.JumpCond) |
  (1 << InsnKind.JumpUncond) | (1 << InsnKind.JumpDynamic) | (1 << InsnKind.JumpDynamicCond) |
  (1 << InsnKind.Return) | (1 << InsnKind.Nop);

export function validateIbt(ctx: Context): number {
  const p = ctx.prog;
  let warnings = 0;
  for (let i = 0; i < p.count; i++) {
    if (p.bits[i] & B.Synthetic) continue;
    if ((1 << p.kind[i]) & BRANCH_KINDS) continue;
    warnings += codeReferences(ctx, i);
  }
  for (const sec of p.elf.sections) {
    if (Number(sec.flags) & SHF_EXECINSTR) continue;
    if (isIbtSkippedSection(sec.name)) continue;
    warnings += dataReferences(ctx, sec.index);
  }
  return warnings;
}

/** The relocations inside instruction i (one per offset, in offset order) that take a code address. */
function codeReferences(ctx: Context, i: number): number {
  const p = ctx.prog;
  // most instructions have none (and the row remembers it)
  if (p.insnReloc(i) < 0) return 0;
  const relocs = p.relocs.of(p.sec[i])!;
  const { sym, addend, type } = relocs.table;
  const end = p.off[i] + p.len[i];
  let warnings = 0;
  for (let k = relocs.lowerBound(p.off[i]); k < relocs.order.length && relocs.offsets[k] < end; k = relocs.nextOffset(k)) {
    const r = relocs.order[k];
    const s = sym[r];
    // static_call_update() takes the trampoline's address, which needs no ENDBR
    if (ctx.symFlags[s] & SF.StaticCallTramp) continue;
    const t = type[r];
    // a pc-relative field's addend counts from the end of the 4-byte field
    const off = p.syms.offset[s] + (t === R_X86_64_PC32 || t === R_X86_64_PLT32 ? addend[r] + 4 : addend[r]);
    const dest = p.find(p.syms.sec[s], off);
    if (dest < 0) continue;
    if (p.kind[dest] === InsnKind.Endbr) { ctx.endbrInList.delete(dest); continue; }
    // an address of the function's own code: _THIS_IP_, or an IRET to itself
    const fd = p.func(dest);
    const fi = p.func(i);
    if (fd >= 0 && fi >= 0 && p.syms.pfunc[fd] === p.syms.pfunc[fi]) continue;
    if (p.bits[dest] & B.NoEndbr) continue;
    if (endsMarkedRange(ctx, dest)) continue;
    ctx.warnInsn(i, `relocation to !ENDBR: ${placeText(p.placeOf(dest), ctx.opts.secAddress)}`);
    warnings++;
  }
  return warnings;
}

/** Every relocation of a data section, in table order, whose target is code. */
function dataReferences(ctx: Context, sec: number): number {
  const p = ctx.prog;
  const relocs = p.relocs.of(sec);
  if (!relocs) return 0;
  const { sym, addend, offset, count } = relocs.table;
  let warnings = 0;
  for (let r = 0; r < count; r++) {
    const s = sym[r];
    const dest = p.find(p.syms.sec[s], p.syms.offset[s] + addend[r]);
    if (dest < 0) continue;
    if (p.kind[dest] === InsnKind.Endbr) { ctx.endbrInList.delete(dest); continue; }
    if (p.bits[dest] & B.NoEndbr) continue;
    ctx.warnAt(sec, offset[r], `data relocation to !ENDBR: ${placeText(p.placeOf(dest), ctx.opts.secAddress)}`);
    warnings++;
  }
  return warnings;
}

/** Is `dest` just past the end of a symbol that starts with an ENDBR or is annotated NOENDBR (a code range's end)? */
function endsMarkedRange(ctx: Context, dest: number): boolean {
  const p = ctx.prog;
  const { syms } = p;
  const s = syms.symbolContaining(p.sec[dest], p.off[dest] - 1);
  if (s < 0) return false;
  const first = p.find(syms.sec[s], syms.offset[s]);
  if (first < 0) return false;
  if (p.kind[first] !== InsnKind.Endbr && !(p.bits[first] & B.NoEndbr)) return false;
  return p.off[dest] === syms.offset[s] + syms.len[s];
}
