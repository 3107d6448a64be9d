/**
 * Writes what a check collected into the object, in objtool's order: static call sites, retpoline
 * sites, kCFI preambles, return sites, direct call sites, mcount locations, prefix symbols, IBT seal list, ORC. Section and symbol
 * creation order decides indices, so the order here is part of the output format.
 *
 * Two steps: `collectObjtoolOutput` takes from the analysis only what is written (positions, names,
 * the ORC table), so that the caller can let the analysis go before the new file is built;
 * `writeObjtoolOutput` makes the changes.
 */
import { SHF_WRITE, STT_FUNC } from '../elf/constants.js';
import type { ElfFile } from '../elf/reader.js';
import { ElfEditor } from '../elf/writer.js';
import type { Context } from '../cfg/context.js';
import { callDest, isSiblingCall } from '../cfg/destinations.js';
import { objtoolSymbolOrder } from '../frame/functions.js';
import { ORC_ENTRY_SIZE } from '../unwind/orc-format.js';
import type { OrcTable } from '../unwind/orc-gen.js';
import type { CheckResult } from '../pipeline.js';

const STATIC_CALL_TRAMP_PREFIX = '__SCT__';
const STATIC_CALL_KEY_PREFIX = '__SCK__';
const STATIC_CALL_SITE_TAIL = 1;

/**
 * The warnings objtool prints while it writes its sections, in its order, up to the ORC table:
 * whether a section is already there and whether every static-call key exists depend only on the
 * input, so the analysis prints them before anything is written (stdout and stderr then come out
 * in objtool's order). Returns false where objtool stops: a static call without its key.
 */
export function sectionWarnings(ctx: Context): boolean {
  const o = ctx.opts;
  if (o.staticCall) {
    if (hasSection(ctx, '.static_call_sites')) ctx.diag.warn('file already has .static_call_sites section, skipping');
    else if (!staticCallKeysFound(ctx)) return false;
  }
  if (o.retpoline && hasSection(ctx, '.retpoline_sites')) ctx.diag.warn('file already has .retpoline_sites, skipping');
  if (o.cfi && hasSection(ctx, '.cfi_sites')) ctx.diag.warn('file already has .cfi_sites section, skipping');
  if (o.rethunk) {
    if (hasSection(ctx, '.return_sites')) ctx.diag.warn('file already has .return_sites, skipping');
    if (o.hackSkylake && hasSection(ctx, '.call_sites')) ctx.diag.warn('file already has .call_sites section, skipping');
  }
  if (o.mcount && hasSection(ctx, '__mcount_loc')) ctx.diag.warn('file already has __mcount_loc section, skipping');
  if (o.ibt) {
    if (hasSection(ctx, '.ibt_endbr_seal')) {
      ctx.diag.warn('file already has .ibt_endbr_seal, skipping');
    } else {
      const seal = endbrSeal(ctx);
      if (o.stats) {
        ctx.stdout.push(`ibt: ENDBR at function start: ${ctx.nrEndbr}`);
        ctx.stdout.push(`ibt: ENDBR inside functions:  ${ctx.nrEndbrInt}`);
        ctx.stdout.push(`ibt: superfluous ENDBR:       ${seal.length}`);
      }
      // a module's init and exit functions are called through pointers: their ENDBR must stay
      if (o.module) {
        const p = ctx.prog;
        for (const i of seal) {
          const f = p.sym[i];
          if (f < 0 || p.syms.type[f] !== STT_FUNC || p.off[i] !== p.syms.offset[f]) continue;
          const name = p.syms.name(f);
          if (name === 'init_module' || name === 'cleanup_module') ctx.diag.warn(`${name}(): not an indirect call target`);
        }
      }
    }
  }
  return true;
}

/** ENDBRs at function starts whose address nothing takes (left after validateIbt), in objtool's list order. */
function endbrSeal(ctx: Context): number[] {
  return ctx.endbrList.filter((i) => ctx.endbrInList.has(i));
}

/** objtool's last write: an ORC table is refused (and the check ends) when the input has one. */
export function orcSectionWarning(ctx: Context, rows: number): boolean {
  if (!rows || !ctx.prog.elf.sections.some((sec) => sec.name === '.orc_unwind')) return true;
  ctx.diag.warn('file already has .orc_unwind section, skipping');
  return false;
}

/** Walks the static-call sites as the writer will; warns at the first one objtool stops at. */
function staticCallKeysFound(ctx: Context): boolean {
  const { tramp, key } = staticCallKeys(ctx);
  for (let k = 0; k < tramp.length; k++) {
    if (!tramp[k].startsWith(STATIC_CALL_TRAMP_PREFIX)) {
      ctx.diag.warn(`static_call: trampoline name malformed: ${tramp[k]}`);
      return false;
    }
    if (key[k] < 0 && !ctx.opts.module) {
      ctx.diag.warn(`static_call: can't find static_call_key symbol: ${staticCallKeyName(tramp[k])}`);
      return false;
    }
  }
  return true;
}

/**
 * Each static-call site's trampoline name and key symbol (`__SCK__` + the trampoline's suffix, found
 * by the analysis' name index: the last original symbol so named), for the warnings and the writer.
 */
function staticCallKeys(ctx: Context): NonNullable<Context['staticCallKeys']> {
  if (ctx.staticCallKeys) return ctx.staticCallKeys;
  const p = ctx.prog;
  const n = ctx.staticCallList.length;
  const tramp: string[] = new Array<string>(n);
  const key = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    tramp[k] = p.syms.name(callDest(ctx, ctx.staticCallList[k]));
    key[k] = tramp[k].startsWith(STATIC_CALL_TRAMP_PREFIX) ? p.syms.byNameLookup(staticCallKeyName(tramp[k])) : -1;
  }
  ctx.staticCallKeys = { tramp, key };
  return ctx.staticCallKeys;
}

/** The static-call key symbol's name for a trampoline named `__SCT__` + suffix. */
function staticCallKeyName(tramp: string): string {
  return STATIC_CALL_KEY_PREFIX + tramp.slice(STATIC_CALL_TRAMP_PREFIX.length);
}

/** What objtool writes, without the analysis it came from. */
export interface ObjtoolOutput {
  readonly opts: Readonly<Pick<Context['opts'], 'staticCall' | 'retpoline' | 'cfi' | 'rethunk' | 'hackSkylake' | 'mcount' | 'ibt' | 'orc' | 'prefix' | 'module'>>;
  readonly stopped: boolean;
  readonly patches: ReadonlyArray<{ sec: number; off: number; bytes: Uint8Array }>;
  /** relocation section, entry, new type */
  readonly relocTypes: ReadonlyArray<{ rsec: number; reloc: number; type: number }>;
  readonly staticCalls: StaticCallSites;
  readonly retpolineSites: Sites;
  /** kCFI preambles (`__cfi_` functions), for `.cfi_sites` (--cfi) */
  readonly cfiSites: Sites;
  readonly returnSites: Sites;
  readonly callSites: Sites;
  readonly mcountSites: Sites;
  /** unused ENDBRs at function starts (--ibt), for `.ibt_endbr_seal` */
  readonly endbrSeal: Sites;
  /** functions that get a `__pfx_` symbol (symbol indices), in order */
  readonly prefixFuncs: readonly number[];
  readonly orc: OrcTable | undefined;
}

/** Instruction positions, struct of arrays. */
export interface Sites {
  readonly count: number;
  readonly sec: Uint32Array;
  readonly off: Uint32Array;
}

/** Static call sites: the call's position, its trampoline's name, destination symbol and whether it is a tail call. */
export interface StaticCallSites extends Sites {
  readonly tramp: readonly string[];
  readonly dest: Int32Array;
  readonly tail: Uint8Array;
  /** the key symbol objtool looks up by name (`__SCK__` + the trampoline's suffix): the last original symbol so named, -1 for none */
  readonly key: Int32Array;
}

/**
 * Applies the result to a new editor; returns it, or undefined when nothing changed. The warnings
 * of this stage were printed by `sectionWarnings` and `orcSectionWarning` during the analysis.
 */
export function applyObjtoolOutput(r: CheckResult): ElfEditor | undefined {
  return writeObjtoolOutput(r.ctx.prog.elf, collectObjtoolOutput(r));
}

/** The parts of a check's result that objtool writes (holding nothing of the analysis itself). */
export function collectObjtoolOutput(r: CheckResult): ObjtoolOutput {
  const ctx = r.ctx;
  const p = ctx.prog;
  const o = ctx.opts;
  const wanted = (on: boolean, list: readonly number[]): Sites => sites(ctx, on && !r.stopped ? list : []);
  const statics = wanted(o.staticCall, ctx.staticCallList);
  const n = statics.count;
  const found = staticCallKeys(ctx);
  const tramp = found.tramp.slice(0, n);
  const key = found.key.slice(0, n);
  const dest = new Int32Array(n);
  const tail = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = ctx.staticCallList[k];
    dest[k] = callDest(ctx, i);
    tail[k] = isSiblingCall(ctx, i) ? 1 : 0;
  }
  return {
    opts: {
      staticCall: o.staticCall, retpoline: o.retpoline, cfi: o.cfi, rethunk: o.rethunk, hackSkylake: o.hackSkylake, mcount: o.mcount,
      ibt: o.ibt, orc: o.orc, prefix: o.prefix, module: o.module,
    },
    stopped: r.stopped,
    patches: ctx.patches.map((x) => ({ sec: x.sec, off: x.off, bytes: x.bytes })),
    relocTypes: ctx.relocTypeChanges.map((c) => ({ rsec: p.relocs.of(c.sec)!.table.section, reloc: c.reloc, type: c.type })),
    staticCalls: { ...statics, tramp, dest, tail, key },
    retpolineSites: wanted(o.retpoline, ctx.retpolineCallList),
    cfiSites: o.cfi && !r.stopped ? cfiPreambles(ctx) : { count: 0, sec: new Uint32Array(0), off: new Uint32Array(0) },
    returnSites: wanted(o.rethunk, ctx.returnThunkList),
    // objtool empties its list of direct calls when it finds .cfi_sites already there
    callSites: wanted(o.rethunk && o.hackSkylake && !(o.cfi && hasSection(ctx, '.cfi_sites')), ctx.callList),
    mcountSites: wanted(o.mcount, ctx.mcountLocList),
    endbrSeal: wanted(o.ibt, endbrSeal(ctx)),
    prefixFuncs: r.stopped ? [] : r.prefixFuncs.slice(),
    orc: r.stopped ? undefined : r.orc,
  };
}

/** Makes the changes in a new editor over `elf`; returns it, or undefined when nothing changed. */
export function writeObjtoolOutput(elf: ElfFile, out: ObjtoolOutput): ElfEditor | undefined {
  const ed = new ElfEditor(elf);
  let changed = false;
  for (const patch of out.patches) { ed.writeInsn(patch.sec, patch.off, patch.bytes); changed = true; }
  for (const c of out.relocTypes) {
    ed.setRelocType(c.rsec, c.reloc, c.type);
    changed = true;
  }
  if (!out.stopped) changed = createSections(out, ed) || changed;
  return changed ? ed : undefined;
}

function hasSection(ctx: Context, name: string): boolean {
  return ctx.prog.elf.sections.some((sec) => sec.name === name);
}

/** Every `__cfi_` function (a kCFI preamble), in objtool's symbol order: sections in order, each section's list. */
function cfiPreambles(ctx: Context): Sites {
  const { syms, elf } = ctx.prog;
  const sec: number[] = [];
  const off: number[] = [];
  for (const s of elf.sections) {
    for (const f of objtoolSymbolOrder(ctx, syms.list(s.index))) {
      if (syms.type[f] !== STT_FUNC || !syms.name(f).startsWith(CFI_PREAMBLE_PREFIX)) continue;
      sec.push(s.index);
      off.push(syms.offset[f]);
    }
  }
  return { count: sec.length, sec: Uint32Array.from(sec), off: Uint32Array.from(off) };
}

const CFI_PREAMBLE_PREFIX = '__cfi_';

function sites(ctx: Context, rows: readonly number[]): Sites {
  const n = rows.length;
  const sec = new Uint32Array(n);
  const off = new Uint32Array(n);
  for (let k = 0; k < n; k++) { sec[k] = ctx.prog.sec[rows[k]]; off[k] = ctx.prog.off[rows[k]]; }
  return { count: n, sec, off };
}

function createSections(out: ObjtoolOutput, ed: ElfEditor): boolean {
  const o = out.opts;
  let changed = false;
  const sitesPair = (name: string, list: Sites): boolean => {
    if (ed.findSection(name) >= 0) return false;
    if (list.count === 0) return false;
    const sec = ed.createSectionPair(name, 4, list.count, list.count);
    ed.initRelocsTextSym(sec, 4, list.count, list.sec, list.off);
    return true;
  };
  if (o.staticCall) {
    const res = staticCallSites(out, ed);
    if (res === 'stop') return true;
    changed ||= res;
  }
  if (o.retpoline) changed = (sitesPair('.retpoline_sites', out.retpolineSites)) || changed;
  // objtool makes .cfi_sites even when it has no entry
  if (o.cfi && ed.findSection('.cfi_sites') < 0) {
    const list = out.cfiSites;
    const sec = ed.createSectionPair('.cfi_sites', 4, list.count, list.count);
    ed.initRelocsTextSym(sec, 4, list.count, list.sec, list.off);
    changed = true;
  }
  if (o.rethunk) {
    changed = (sitesPair('.return_sites', out.returnSites)) || changed;
    if (o.hackSkylake) changed = (sitesPair('.call_sites', out.callSites)) || changed;
  }
  if (o.mcount) {
    const list = out.mcountSites;
    if (ed.findSection('__mcount_loc') < 0 && list.count) {
      const sec = ed.createSectionPair('__mcount_loc', 8, list.count, list.count);
      ed.updateSectionHeader(sec, { addralign: 8 });
      const rsec = ed.relaSectionOf(sec);
      ed.initRelocsTextSym(sec, 8, list.count, list.sec, list.off);
      for (let k = 0; k < list.count; k++) ed.setRelocType(rsec, k, ed.relocTypes.abs64);
      changed = true;
    }
  }
  if (out.prefixFuncs.length) {
    ed.createPrefixSymbols(out.prefixFuncs, o.prefix);
    changed = true;
  }
  if (o.ibt) changed = (sitesPair('.ibt_endbr_seal', out.endbrSeal)) || changed;
  const orc = out.orc;
  if (o.orc && orc && orc.length) {
    if (ed.findSection('.orc_unwind') >= 0) return changed;
    const n = orc.length;
    const orcSec = ed.createSection('.orc_unwind', ORC_ENTRY_SIZE, n);
    const ipSec = ed.createSectionPair('.orc_unwind_ip', 4, n, n);
    // the entries go straight into the section's own (zero-filled) bytes
    orc.encodeInto(ed.sectionBytes(orcSec), ed.le);
    ed.initRelocsTextSym(ipSec, 4, n, orc.sec, orc.off);
    changed = true;
  }
  return changed;
}

function staticCallSites(out: ObjtoolOutput, ed: ElfEditor): boolean | 'stop' {
  if (ed.findSection('.static_call_sites') >= 0) return false;
  const list = out.staticCalls;
  if (list.count === 0) return false;
  const sec = ed.createSectionPair('.static_call_sites', 8, list.count, list.count * 2);
  ed.updateSectionHeader(sec, { flags: ed.sectionHeader(sec).flags | SHF_WRITE });
  for (let k = 0; k < list.count; k++) {
    ed.initRelocTextSym(sec, k * 8, k * 2, list.sec[k], list.off[k]);
    const tramp = list.tramp[k];
    if (!tramp.startsWith(STATIC_CALL_TRAMP_PREFIX)) return 'stop';
    let key = ed.findSymbolKnown(staticCallKeyName(tramp), list.key[k]);
    if (key < 0) {
      if (!out.opts.module) return 'stop';
      key = list.dest[k];
    }
    ed.initRelocDataSym(sec, k * 8 + 4, k * 2 + 1, key, list.tail[k] ? STATIC_CALL_SITE_TAIL : 0);
  }
  return true;
}
