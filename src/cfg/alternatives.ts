/**
 * Alternatives, jump labels and exception fixups as extra control-flow edges. An alternative is code
 * patched over the original at boot: its instructions are walked as if they stood at the original's
 * place (the end of a replacement continues after the original), and all variants share one
 * byte-addressed state array so that their stack layouts can be checked against each other.
 */
import { InsnKind } from '../arch/arch.js';
import type { SpecialAlt } from '../kernel/special.js';
import { B } from '../program/program.js';
import type { Context } from './context.js';
import { isStaticJump } from './destinations.js';

export function addSpecialSectionAlts(ctx: Context, alts: readonly SpecialAlt[]): void {
  const p = ctx.prog;
  for (const a of alts) {
    const orig = p.find(a.origSec, a.origOff);
    if (orig < 0) {
      ctx.warnAt(a.origSec, a.origOff, "special: can't find orig instruction");
      ctx.stop();
    }
    let newInsn = -1;
    if (!a.group || a.newLen) {
      newInsn = p.find(a.newSec, a.newOff);
      if (newInsn < 0) {
        ctx.warnAt(a.newSec, a.newOff, "special: can't find new instruction");
        ctx.stop();
      }
    }
    if (a.group) {
      if (!a.origLen) {
        ctx.warnInsn(orig, 'empty alternative entry');
        continue;
      }
      newInsn = handleGroupAlt(ctx, a, orig, newInsn);
    } else if (a.jumpOrNop) {
      newInsn = handleJumpAlt(ctx, a, orig, newInsn);
    }
    let list = p.alts.get(orig);
    if (!list) { list = []; p.alts.set(orig, list); p.bits[orig] |= B.HasAlts; }
    list.unshift({ insn: newInsn, skipOrig: a.skipOrig });
    if (a.skipAlt) p.bits[orig] |= B.IgnoreAlts;
  }
  if (ctx.opts.stats) {
    ctx.stdout.push('jl\\\tNOP\tJMP');
    ctx.stdout.push(`short:\t${ctx.jlNopShort}\t${ctx.jlShort}`);
    ctx.stdout.push(`long:\t${ctx.jlNopLong}\t${ctx.jlLong}`);
  }
}

function handleGroupAlt(ctx: Context, a: SpecialAlt, orig: number, newInsn: number): number {
  const p = ctx.prog;
  let og = p.altGroupOf(orig);
  if (og < 0) {
    og = p.altGroups.length;
    let last = -1;
    for (let i = orig; i >= 0; i = p.next(i)) {
      if (p.off[i] >= a.origOff + a.origLen) break;
      p.setAltGroup(i, og);
      last = i;
    }
    p.altGroups.push({ orig: -1, first: orig, last, nop: -1, cfi: new Int32Array(a.origLen).fill(-1) });
  } else {
    const g = p.altGroups[og];
    const len = p.off[g.last] + p.len[g.last] - p.off[g.first];
    if (len !== a.origLen) ctx.fatalInsn(orig, `weirdly overlapping alternative! ${len} != ${a.origLen}`);
  }
  const origGroup = p.altGroups[og];
  const ng = p.altGroups.length;
  const group = { orig: og, first: -1, last: -1, nop: -1, cfi: origGroup.cfi };
  p.altGroups.push(group);
  const ignore = (p.bits[orig] & B.IgnoreAlts) !== 0;
  if (a.newLen < a.origLen) {
    const sec = a.newSec >= 0 ? a.newSec : p.sec[orig];
    const nop = p.addSynthetic(sec, Math.max(0, a.newOff) + a.newLen, a.origLen - a.newLen, InsnKind.Nop);
    p.sym[nop] = p.sym[orig];
    p.setAltGroup(nop, ng);
    if (ignore) p.bits[nop] |= B.Ignore;
    group.nop = nop;
  }
  let first = newInsn;
  let lastNew = -1;
  if (!a.newLen) {
    first = group.nop;
  } else {
    for (let i = newInsn; i >= 0; i = p.next(i)) {
      if (p.off[i] >= a.newOff + a.newLen) break;
      lastNew = i;
      if (ignore) p.bits[i] |= B.Ignore; else p.bits[i] &= ~B.Ignore;
      p.sym[i] = p.sym[orig];
      p.setAltGroup(i, ng);
      if (!isStaticJump(p.kind[i])) continue;
      if (p.target[i] < 0) continue;
      const dest = p.target[i] - (p.elf.type === 1 ? 0 : p.elf.sections[p.sec[i]].addr);
      if (dest === p.off[i] + p.len[i]) continue; // a zero displacement: the relocation decides
      if (dest === a.newOff + a.newLen) {
        const after = p.next(origGroup.last);
        if (after < 0) ctx.fatalInsn(i, "can't find alternative jump destination");
        p.setJumpDest(i, after);
      }
    }
    if (lastNew < 0) {
      ctx.warnAt(a.newSec, a.newOff, "can't find last new alternative instruction");
      ctx.stop();
    }
  }
  group.first = first;
  group.last = lastNew;
  return first;
}

function handleJumpAlt(ctx: Context, a: SpecialAlt, orig: number, newInsn: number): number {
  const p = ctx.prog;
  if (p.kind[orig] !== InsnKind.JumpUncond && p.kind[orig] !== InsnKind.Nop) {
    ctx.fatalInsn(orig, 'unsupported instruction at jump label');
  }
  const k = p.arch.kernel;
  if (ctx.opts.hackJumpLabel && (a.keyAddend & 2) && k) {
    const r = p.insnReloc(orig);
    if (r >= 0) ctx.relocTypeChanges.push({ sec: p.sec[orig], reloc: r, type: 0 });
    const bytes = k.nopBytes(p.len[orig]);
    if (bytes) ctx.patches.push({ sec: p.sec[orig], off: p.off[orig], bytes });
    p.kind[orig] = InsnKind.Nop;
  }
  if (p.kind[orig] === InsnKind.Nop) {
    if (p.len[orig] === 2) ctx.jlNopShort++; else ctx.jlNopLong++;
    return newInsn;
  }
  if (p.len[orig] === 2) ctx.jlShort++; else ctx.jlLong++;
  return p.next(orig);
}
