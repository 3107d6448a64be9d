/**
 * Writes what a check collected into the object, in objtool's order: static call sites, retpoline
 * sites, return sites, direct call sites, mcount locations, prefix symbols, ORC. Section and symbol
 * creation order decides indices, so the order here is part of the output format.
 */
import { SHF_WRITE } from '../elf/constants.js';
import { ElfEditor } from '../elf/writer.js';
import type { Context } from '../cfg/context.js';
import { callDest, isSiblingCall } from '../cfg/destinations.js';
import { ORC_ENTRY_SIZE, encodeOrcEntry } from '../unwind/orc-format.js';
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
  const has = (name: string): boolean => ctx.prog.elf.sections.some((sec) => sec.name === name);
  if (o.staticCall) {
    if (has('.static_call_sites')) ctx.diag.warn('file already has .static_call_sites section, skipping');
    else if (!staticCallKeysFound(ctx)) return false;
  }
  if (o.retpoline && has('.retpoline_sites')) ctx.diag.warn('file already has .retpoline_sites, skipping');
  if (o.rethunk) {
    if (has('.return_sites')) ctx.diag.warn('file already has .return_sites, skipping');
    if (o.hackSkylake && has('.call_sites')) ctx.diag.warn('file already has .call_sites section, skipping');
  }
  if (o.mcount && has('__mcount_loc')) ctx.diag.warn('file already has __mcount_loc section, skipping');
  return true;
}

/** objtool's last write: an ORC table is refused (and the check ends) when the input has one. */
export function orcSectionWarning(ctx: Context, rows: number): boolean {
  if (!rows || !ctx.prog.elf.sections.some((sec) => sec.name === '.orc_unwind')) return true;
  ctx.diag.warn('file already has .orc_unwind section, skipping');
  return false;
}

/** Walks the static-call sites as the writer will; warns at the first one objtool stops at. */
function staticCallKeysFound(ctx: Context): boolean {
  const p = ctx.prog;
  for (const i of ctx.staticCallList) {
    const tramp = p.syms.name(callDest(ctx, i));
    if (!tramp.startsWith(STATIC_CALL_TRAMP_PREFIX)) {
      ctx.diag.warn(`static_call: trampoline name malformed: ${tramp}`);
      return false;
    }
    const keyName = STATIC_CALL_KEY_PREFIX + tramp.slice(STATIC_CALL_TRAMP_PREFIX.length);
    if (p.syms.byNameLookup(keyName) < 0 && !ctx.opts.module) {
      ctx.diag.warn(`static_call: can't find static_call_key symbol: ${keyName}`);
      return false;
    }
  }
  return true;
}

/**
 * Applies the result to a new editor; returns it, or undefined when nothing changed. The warnings
 * of this stage were printed by `sectionWarnings` and `orcSectionWarning` during the analysis.
 */
export function applyObjtoolOutput(r: CheckResult): ElfEditor | undefined {
  const ctx = r.ctx;
  const p = ctx.prog;
  const ed = new ElfEditor(p.elf);
  let changed = false;
  for (const patch of ctx.patches) { ed.writeInsn(patch.sec, patch.off, patch.bytes); changed = true; }
  for (const c of ctx.relocTypeChanges) {
    const rsec = p.relocs.of(c.sec)!.table.section;
    ed.setRelocType(rsec, c.reloc, c.type);
    changed = true;
  }
  if (!r.stopped) changed = createSections(ctx, r, ed) || changed;
  return changed ? ed : undefined;
}

function createSections(ctx: Context, r: CheckResult, ed: ElfEditor): boolean {
  const o = ctx.opts;
  let changed = false;
  const sitesPair = (name: string, rows: readonly number[]): boolean => {
    if (ed.findSection(name) >= 0) return false;
    if (rows.length === 0) return false;
    const sec = ed.createSectionPair(name, 4, rows.length, rows.length);
    rows.forEach((i, k) => ed.initRelocTextSym(sec, k * 4, k, ctx.prog.sec[i], ctx.prog.off[i]));
    return true;
  };
  if (o.staticCall) {
    const res = staticCallSites(ctx, ed);
    if (res === 'stop') return true;
    changed ||= res;
  }
  if (o.retpoline) changed = (sitesPair('.retpoline_sites', ctx.retpolineCallList)) || changed;
  if (o.rethunk) {
    changed = (sitesPair('.return_sites', ctx.returnThunkList)) || changed;
    if (o.hackSkylake) changed = (sitesPair('.call_sites', ctx.callList)) || changed;
  }
  if (o.mcount) {
    if (ed.findSection('__mcount_loc') < 0 && ctx.mcountLocList.length) {
      const list = ctx.mcountLocList;
      const sec = ed.createSectionPair('__mcount_loc', 8, list.length, list.length);
      ed.updateSectionHeader(sec, { addralign: 8 });
      list.forEach((i, k) => {
        ed.initRelocTextSym(sec, k * 8, k, ctx.prog.sec[i], ctx.prog.off[i]);
        ed.setRelocType(ed.relaSectionOf(sec), k, ed.relocTypes.abs64);
      });
      changed = true;
    }
  }
  for (const f of r.prefixFuncs) { ed.createPrefixSymbol(f, o.prefix); changed = true; }
  if (o.orc && r.orc && r.orc.length) {
    if (ed.findSection('.orc_unwind') >= 0) return changed;
    const n = r.orc.length;
    const orcSec = ed.createSection('.orc_unwind', ORC_ENTRY_SIZE, n);
    const ipSec = ed.createSectionPair('.orc_unwind_ip', 4, n, n);
    const bytes = new Uint8Array(n * ORC_ENTRY_SIZE);
    const e = { spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: 0, signal: 0 };
    for (let k = 0; k < n; k++) {
      encodeOrcEntry(r.orc.entry(k, e), bytes, k * ORC_ENTRY_SIZE, ed.le);
      ed.initRelocTextSym(ipSec, k * 4, k, r.orc.sec[k], r.orc.off[k]);
    }
    ed.setSectionBytes(orcSec, 0, bytes);
    changed = true;
  }
  return changed;
}

function staticCallSites(ctx: Context, ed: ElfEditor): boolean | 'stop' {
  const p = ctx.prog;
  if (ed.findSection('.static_call_sites') >= 0) return false;
  const list = ctx.staticCallList;
  if (list.length === 0) return false;
  const sec = ed.createSectionPair('.static_call_sites', 8, list.length, list.length * 2);
  ed.updateSectionHeader(sec, { flags: ed.sectionHeader(sec).flags | SHF_WRITE });
  for (let k = 0; k < list.length; k++) {
    const i = list[k];
    ed.initRelocTextSym(sec, k * 8, k * 2, p.sec[i], p.off[i]);
    const dest = callDest(ctx, i);
    const tramp = p.syms.name(dest);
    if (!tramp.startsWith(STATIC_CALL_TRAMP_PREFIX)) return 'stop';
    const keyName = STATIC_CALL_KEY_PREFIX + tramp.slice(STATIC_CALL_TRAMP_PREFIX.length);
    let key = ed.findSymbol(keyName);
    if (key < 0) {
      if (!ctx.opts.module) return 'stop';
      key = dest;
    }
    ed.initRelocDataSym(sec, k * 8 + 4, k * 2 + 1, key, isSiblingCall(ctx, i) ? STATIC_CALL_SITE_TAIL : 0);
  }
  return true;
}
