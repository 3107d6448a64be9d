/**
 * Calls in userspace files, linked ones above all, read with the file's unwind tables and dynamic
 * relocations before the analysis runs (`prepareUserspaceCalls`; check, unwind and verify alike, so
 * that unwind prints the rows verify compares).
 *
 * `dropCallPushes`: calls whose destination has no function symbol (PLT stubs, functions of a
 * stripped binary) keep the return-address push the decoder gives every call, so the frame walk
 * would see the stack 8 bytes deeper after them (the userspace branch of addCallDestinations
 * removes the push only when it finds a symbol). The push of every direct call to a PLT section or
 * to the start of an FDE (a function entry by the compiler's own account) is removed. Intra-function
 * calls (`call 1f; 1: pop`) go to neither and keep their push.
 *
 * `markNoreturnCalls`: a call whose return address is (after padding) the start of another FDE
 * cannot return into its own function, so it ends its path. Without symbols (stripped binaries)
 * the noreturn list cannot say so, and the walk would fall into the next function with the
 * caller's frame.
 *
 * `markNoreturnPltCalls`: a direct call to the PLT stub of a function that never returns (`abort`,
 * `__cxa_throw`, ... by the name of its JUMP_SLOT relocation) ends its path too, wherever it lies in
 * the function (AArch64 GCC puts `bl abort` before other branches' code).
 *
 * `callLocalDefinitions`: a call through the PLT to a function the file itself defines (an exported
 * function called through its own PLT: libpng's `png_chunk_error`, libperl's `Perl_croak`, libevent's
 * `event_errx`) is analysed as a call to that definition, so that the analysis' noreturn inference
 * sees it: the compiler knew the callee never returns and put other code after the call.
 */
import { InsnFlag, InsnKind } from '../arch/arch.js';
import { NORETURN_NAMES, USERSPACE_NORETURNS, stripVersion } from '../cfg/noreturns.js';
import type { CfiSection } from '../dwarf/index.js';
import { B } from '../program/program.js';
import type { Program } from '../program/program.js';
import { pltStubs } from '../program/synthetic-functions.js';
import { CodeSections } from '../program/fde-code.js';

/** All four, in their order; `tables` may be empty (a file without unwind tables). */
export function prepareUserspaceCalls(p: Program, tables: readonly CfiSection[]): void {
  dropCallPushes(p, tables);
  markNoreturnCalls(p, tables);
  markNoreturnPltCalls(p);
  callLocalDefinitions(p);
}

/** Returns how many calls lost their push. */
export function dropCallPushes(p: Program, tables: readonly CfiSection[]): number {
  if (p.elf.type === 1) return 0; // relocatable: calls have relocations, the core handles them
  const starts = new Set<number>();
  for (const t of tables) for (const f of t.fdes) starts.add(f.pcBegin);
  const plt: [number, number][] = [];
  for (const s of p.elf.sections) {
    if (s.name === '.plt' || s.name === '.plt.sec' || s.name === '.plt.got' || s.name === '.iplt') plt.push([s.addr, s.addr + s.size]);
  }
  let n = 0;
  const { kind, flags, opCount, target } = p;
  const rows = p.branchRows;
  for (let b = 0; b < rows.length; b++) {
    const i = rows[b];
    if (kind[i] !== InsnKind.Call || !(flags[i] & InsnFlag.HasTarget) || opCount[i] === 0) continue;
    const t = target[i];
    let hit = starts.has(t);
    for (let k = 0; !hit && k < plt.length; k++) hit = t >= plt[k][0] && t < plt[k][1];
    if (hit) { opCount[i] = 0; n++; }
  }
  return n;
}

/** Marks calls (and traps) followed only by padding and then another FDE's start as dead ends; returns how many. */
export function markNoreturnCalls(p: Program, tables: readonly CfiSection[]): number {
  const code = new CodeSections(p);
  let n = 0;
  for (const t of tables) {
    for (const f of t.fdes) {
      const c = code.locate(f);
      if (!c || c.first < 0) continue;
      let q = p.prev(c.first);
      while (q >= 0 && (p.kind[q] === InsnKind.Nop || (p.kind[q] === InsnKind.Trap && (p.flags[q] & InsnFlag.Padding)))) q = p.prev(q);
      if (q < 0 || (p.bits[q] & B.DeadEnd)) continue;
      // a call, or a trap that is no padding (AArch64 `brk` of __builtin_trap)
      const k = p.kind[q];
      if (k !== InsnKind.Call && k !== InsnKind.CallDynamic && k !== InsnKind.Trap) continue;
      p.bits[q] |= B.DeadEnd;
      n++;
    }
  }
  return n;
}

/** Points direct calls to PLT stubs of functions defined in the file at the definitions; returns how many. */
export function callLocalDefinitions(p: Program): number {
  const elf = p.elf;
  const dyn = elf.dynsym;
  if (elf.type === 1 || !dyn) return 0;
  const defined = new Map<string, number>();
  for (let k = 1; k < dyn.count; k++) {
    // defined functions (STT_FUNC; not IFUNCs, whose PLT calls go to the resolver's choice)
    if ((dyn.info[k] & 0xf) !== 2 || dyn.shndx[k] === 0 || dyn.value[k] === 0) continue;
    defined.set(dyn.name(k), dyn.value[k]);
  }
  const local = new Map<number, number>();
  for (const s of pltStubs(elf)) {
    if (s.callee === null) continue;
    const def = defined.get(stripVersion(s.callee));
    if (def !== undefined && p.funcAtAddr(def) >= 0) local.set(elf.sections[s.sec].addr + s.offset, def);
  }
  if (local.size === 0) return 0;
  let n = 0;
  const rows = p.branchRows;
  for (let b = 0; b < rows.length; b++) {
    const i = rows[b];
    if (p.kind[i] !== InsnKind.Call || !(p.flags[i] & InsnFlag.HasTarget)) continue;
    const def = local.get(p.target[i]);
    if (def === undefined) continue;
    p.setTarget(i, def);
    n++;
  }
  return n;
}

/** Marks direct calls to PLT stubs of noreturn functions as dead ends; returns how many. */
export function markNoreturnPltCalls(p: Program): number {
  const stubs = noreturnPltStubs(p);
  if (stubs.size === 0) return 0;
  let n = 0;
  const { kind, flags, target, bits } = p;
  const rows = p.branchRows;
  for (let b = 0; b < rows.length; b++) {
    const i = rows[b];
    if (kind[i] !== InsnKind.Call || !(flags[i] & InsnFlag.HasTarget) || !stubs.has(target[i])) continue;
    bits[i] |= B.DeadEnd;
    n++;
  }
  return n;
}

/**
 * Addresses of the PLT stubs whose GOT slot's JUMP_SLOT (or GLOB_DAT) relocation names a noreturn
 * function; stubs are matched to relocations by the GOT slot their code jumps through
 * (`pltStubs`, the same naming the userspace symbol set uses).
 */
function noreturnPltStubs(p: Program): Set<number> {
  const stubs = new Set<number>();
  const elf = p.elf;
  if (elf.type === 1 || !elf.dynsym) return stubs;
  for (const s of pltStubs(elf)) {
    if (s.callee === null) continue;
    const name = stripVersion(s.callee);
    if (USERSPACE_NORETURNS.has(name) || NORETURN_NAMES.has(name)) stubs.add(elf.sections[s.sec].addr + s.offset);
  }
  return stubs;
}
