/**
 * Replays, with ElfEditor, what objtool added to an object: given the object before objtool and the
 * object objtool wrote, it derives objtool's operations (in objtool's order) from the difference and
 * applies them to the original. The result must match objtool's output in every readelf/objdump view.
 *
 * Derivation (from elf.c's rules, not from ElfEditor):
 * - patched bytes of existing sections -> writeInsn; changed relocation types -> setRelocType;
 * - symbols: objtool puts the k-th new LOCAL symbol at slot sh_info+k and moves that slot's global
 *   to the end, and appends new globals; so the new locals stand in creation order after the old
 *   ones, and the original globals are found again by their bytes. New globals (prefix symbols of
 *   global functions) go in among the new locals in the order objtool makes prefix symbols: code
 *   sections in index order, functions by address (check.c, add_prefix_symbols);
 * - sections past the original count, in index order; a section directly followed by
 *   `.rela<name>` pointing at it was made as a pair; relocations against executable sections'
 *   STT_SECTION symbols are text relocations, all others data relocations.
 */
import { ElfEditor } from '../../src/elf/writer.js';
import type { ElfFile } from '../../src/elf/reader.js';
import { ELF64_SYM_SIZE, SHF_EXECINSTR, SHT_NOBITS, SHT_PROGBITS, SHT_REL, SHT_RELA, STB_LOCAL, STT_SECTION } from '../../src/elf/constants.js';

export interface ReplayStats {
  insnPatches: number;
  relocTypeChanges: number;
  sections: number;
  relocs: number;
  localSymbols: number;
  globalSymbols: number;
}

export function replayObjtool(orig: ElfFile, ref: ElfFile): { editor: ElfEditor; stats: ReplayStats } {
  const ed = new ElfEditor(orig);
  const stats: ReplayStats = { insnPatches: 0, relocTypeChanges: 0, sections: 0, relocs: 0, localSymbols: 0, globalSymbols: 0 };
  const nSec = orig.sections.length;
  // 1. in-place rewrites of existing sections
  for (let i = 1; i < nSec; i++) {
    const a = orig.sections[i];
    const b = ref.sections[i];
    if (a.type === SHT_RELA || a.type === SHT_REL) {
      const ra = orig.relocs(i);
      const rb = ref.relocs(i);
      for (let j = 0; j < ra.count; j++) {
        if (ra.type[j] !== rb.type[j]) { ed.setRelocType(i, j, rb.type[j]); stats.relocTypeChanges++; }
      }
      continue;
    }
    if (a.type !== SHT_PROGBITS || a.size !== b.size) continue;
    const da = orig.sectionData(a);
    const db = ref.sectionData(b);
    for (let p = 0; p < da.length; p++) {
      if (da[p] === db[p]) continue;
      let e = p;
      while (e < da.length && da[e] !== db[e]) e++;
      ed.writeInsn(i, p, Uint8Array.from(db.subarray(p, e)));
      stats.insnPatches++;
      p = e;
    }
  }
  // 2. which ref symbols are original ones (by handle) and which objtool created, in creation order
  const os = orig.symtab;
  const rs = ref.symtab;
  const refToHandle = new Int32Array(rs ? rs.count : 0).fill(-1);
  const created: number[] = [];
  if (os && rs) {
    const n = os.count;
    const l0 = orig.sections[os.section].info;
    const l1 = ref.sections[rs.section].info;
    for (let i = 0; i < Math.min(l0, n); i++) refToHandle[i] = i;
    // the globals only ever move (to the end), whole: find each one by its bytes
    const byBytes = new Map<string, number[]>();
    for (let i = l0; i < n; i++) {
      const k = symbolKey(orig, os.section, i);
      const list = byBytes.get(k);
      if (list) list.push(i); else byBytes.set(k, [i]);
    }
    const createdGlobals: number[] = [];
    for (let t = l1; t < rs.count; t++) {
      const h = byBytes.get(symbolKey(ref, rs.section, t))?.shift();
      if (h !== undefined) refToHandle[t] = h;
      else createdGlobals.push(t);
    }
    for (const list of byBytes.values()) if (list.length > 0) throw new Error(`replay: original symbol ${list[0]} is gone`);
    // new locals sit at l0.. in creation order; prefix symbols, local or global, are made in one
    // pass over the code sections' functions by address, so the globals go in among the locals
    // by the address of the function they precede
    const key = (t: number): [number, number] => [rs.shndx[t], rs.value[t] + rs.size[t]];
    const before = (a: number, b: number): boolean => {
      const [sa, va] = key(a);
      const [sb, vb] = key(b);
      return sa !== sb ? sa < sb : va !== vb ? va < vb : a < b;
    };
    createdGlobals.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    let g = 0;
    for (let t = l0; t < l1; t++) {
      if ((rs.info[t] & 0xf) !== STT_SECTION) {
        while (g < createdGlobals.length && before(createdGlobals[g], t)) created.push(createdGlobals[g++]);
      }
      created.push(t);
    }
    while (g < createdGlobals.length) created.push(createdGlobals[g++]);
  }
  // 3. objtool's order: the site tables, then prefix symbols, then .ibt_endbr_seal and ORC;
  //    section symbols appear on their first use by a text relocation
  const firstNew = orig.sections.length;
  let i = firstNew;
  for (; i < ref.sections.length && BEFORE_PREFIX.has(ref.sections[i].name); i += 1) {
    i = replaySection(ed, ref, i, refToHandle, stats);
  }
  for (const at of created) {
    if ((rs!.info[at] & 0xf) === STT_SECTION) continue;
    refToHandle[at] = createLike(ed, orig, ref, at);
    if ((rs!.info[at] >> 4) === STB_LOCAL) stats.localSymbols++; else stats.globalSymbols++;
  }
  for (; i < ref.sections.length; i += 1) i = replaySection(ed, ref, i, refToHandle, stats);
  return { editor: ed, stats };
}

const BEFORE_PREFIX = new Set(['.static_call_sites', '.retpoline_sites', '.cfi_sites', '.return_sites', '.call_sites', '__mcount_loc']);

/** Creates ref section `i` (and its `.rela` twin) with its contents and relocations; returns the last index used. */
function replaySection(ed: ElfEditor, ref: ElfFile, i: number, refToHandle: Int32Array, stats: ReplayStats): number {
  const rs = ref.symtab;
  const s = ref.sections[i];
  const next = ref.sections[i + 1];
  const paired = next !== undefined && next.type === SHT_RELA && next.name === `.rela${s.name}` && next.info === i;
  const nr = s.entsize > 0 ? s.size / s.entsize : 0;
  const sec = paired
    ? ed.createSectionPair(s.name, s.entsize, nr, next.size / next.entsize)
    : ed.createSection(s.name, s.entsize, nr);
  if (sec !== i) throw new Error(`replay: section ${s.name} got index ${sec}, objtool's is ${i}`);
  stats.sections += paired ? 2 : 1;
  const h = ed.sectionHeader(sec);
  if (h.flags !== s.flags || h.addralign !== s.addralign) ed.updateSectionHeader(sec, { flags: s.flags, addralign: s.addralign });
  if (s.type !== SHT_NOBITS) {
    const data = ref.sectionData(s);
    if (data.some((b) => b !== 0)) ed.setSectionBytes(sec, 0, data);
  }
  if (!paired || !rs) return i;
  const r = ref.relocs(i + 1);
  for (let j = 0; j < r.count; j++) {
    const sym = r.sym[j];
    // objtool leaves relocations it never filled in all-zero
    if (sym === 0 && r.type[j] === 0 && r.offset[j] === 0 && r.addend[j] === 0) continue;
    const target = rs.shndx[sym];
    const isText = (rs.info[sym] & 0xf) === STT_SECTION && (ref.sections[target].flags & SHF_EXECINSTR) !== 0;
    if (isText) {
      ed.initRelocTextSym(sec, r.offset[j], j, target, r.addend[j]);
      if (r.type[j] !== ed.relocTypes.text) ed.setRelocType(i + 1, j, r.type[j]);
    } else {
      if (refToHandle[sym] < 0) throw new Error(`replay: data relocation names a symbol created later (${sym})`);
      ed.initRelocDataSym(sec, r.offset[j], j, refToHandle[sym], r.addend[j]);
      if (r.type[j] !== ed.relocTypes.data) ed.setRelocType(i + 1, j, r.type[j]);
    }
    stats.relocs++;
  }
  return i + 1;
}

/** Creates, through the editor, the symbol objtool created at ref index `at`. */
function createLike(ed: ElfEditor, orig: ElfFile, ref: ElfFile, at: number): number {
  const rs = ref.symtab!;
  const name = rs.name(at);
  if ((rs.info[at] & 0xf) === STT_SECTION) return ed.createSectionSymbol(rs.shndx[at]);
  if (name.startsWith('__pfx_')) {
    const size = rs.size[at];
    const func = findFunc(orig, name.slice(6), rs.shndx[at], rs.value[at] + size);
    if (func >= 0) return ed.createPrefixSymbol(func, size);
  }
  return ed.createSymbol({ name, info: rs.info[at], other: rs.other[at], shndx: rs.shndx[at], value: rs.value[at], size: rs.size[at] });
}

function findFunc(orig: ElfFile, name: string, shndx: number, value: number): number {
  const os = orig.symtab!;
  for (let i = 0; i < os.count; i++) if (os.shndx[i] === shndx && os.value[i] === value && os.name(i) === name) return i;
  return -1;
}

/** The 24 bytes of symbol `i` of `elf`'s table in section `sec`, as a map key. */
function symbolKey(elf: ElfFile, sec: number, i: number): string {
  const p = elf.sections[sec].offset + i * ELF64_SYM_SIZE;
  return Buffer.from(elf.bytes.subarray(p, p + ELF64_SYM_SIZE)).toString('latin1');
}
