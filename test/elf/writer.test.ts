/**
 * ElfEditor on small synthetic objects. Expected values come from objtool 6.12's elf.c rules
 * (see the comments) and the ELF format, worked out by hand for each tiny input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfFile, cstring } from '../../src/elf/reader.js';
import { ElfEditor } from '../../src/elf/writer.js';
import {
  ET_EXEC, ET_REL, R_X86_64_64, R_X86_64_NONE, R_X86_64_PC32, R_X86_64_PLT32, SHF_ALLOC, SHF_EXECINSTR, SHF_INFO_LINK,
  SHF_WRITE, SHT_NOBITS, SHT_PROGBITS, SHT_RELA, STB_GLOBAL, STB_LOCAL, STT_FUNC, STT_NOTYPE, STT_SECTION, STV_HIDDEN,
} from '../../src/elf/constants.js';
import { buildElf, type BuildOptions } from '../helpers/elf-builder.js';

const TEXT = Uint8Array.from([0x55, 0x48, 0x89, 0xe5, 0xe8, 0, 0, 0, 0, 0x5d, 0xc3, 0xcc, 0x90, 0x90, 0x90, 0x90, 0xc3]);

/** .text (17 bytes) with funcs: local `loc` at 0, global `foo` at 12 (hidden), undefined `ext`; one call reloc to ext. */
function sample(extra: Partial<BuildOptions> = {}): { elf: ElfFile; bytes: Uint8Array; idx: Map<string, number>; sym: Map<string, number> } {
  const b = buildElf({
    sections: [
      { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: TEXT, addralign: 16 },
      { name: '.data', flags: SHF_ALLOC | SHF_WRITE, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), addralign: 8 },
    ],
    symbols: [
      { name: 'loc', bind: STB_LOCAL, type: STT_FUNC, section: '.text', value: 0, size: 12 },
      { name: 'foo', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: 12, size: 5, other: STV_HIDDEN },
      { name: 'ext', bind: STB_GLOBAL, type: STT_NOTYPE, section: 0 },
    ],
    relocs: [
      { section: '.text', offset: 5, sym: 'ext', type: R_X86_64_PLT32, addend: -4 },
      { section: '.data', offset: 0, sym: 'foo', type: R_X86_64_64, addend: 0 },
    ],
    ...extra,
  });
  return { elf: new ElfFile(b.bytes), bytes: b.bytes, idx: b.index, sym: b.symIndex };
}

function reread(ed: ElfEditor): ElfFile {
  return new ElfFile(ed.serialize());
}

test('createSectionPair: PROGBITS/ALLOC/align 1 section and its SHT_RELA twin, names appended to .shstrtab', () => {
  const { elf } = sample();
  const shstr = elf.section('.shstrtab')!;
  const ed = new ElfEditor(elf);
  const sec = ed.createSectionPair('.retpoline_sites', 4, 3, 3);
  assert.equal(sec, elf.sections.length);
  const out = reread(ed);
  const s = out.sections[sec];
  const r = out.sections[sec + 1];
  assert.deepEqual([s.name, s.type, s.flags, s.size, s.entsize, s.addralign, s.link, s.info],
    ['.retpoline_sites', SHT_PROGBITS, SHF_ALLOC, 12, 4, 1, 0, 0]);
  assert.deepEqual([r.name, r.type, r.flags, r.size, r.entsize, r.addralign, r.link, r.info],
    ['.rela.retpoline_sites', SHT_RELA, SHF_INFO_LINK, 72, 24, 8, out.section('.symtab')!.index, sec]);
  // objtool appends every name, never sharing a suffix: old size, then old size + 17
  assert.equal(s.nameOff, shstr.size);
  assert.equal(r.nameOff, shstr.size + '.retpoline_sites'.length + 1);
  assert.equal(out.section('.shstrtab')!.size, shstr.size + 17 + 22);
  assert.deepEqual([...out.sectionData(s)], new Array(12).fill(0));
  // the relocations nobody filled in stay all zero
  assert.deepEqual([...out.sectionData(r)], new Array(72).fill(0));
});

// The sample as elf-builder lays it out (in index order, each section at the end rounded up to its
// alignment, which is also libelf's rule): [1] .text 0x40 (17 bytes, align 16), [2] .data 0x58
// (8, align 8), [3] .rela.text 0x60 (24), [4] .rela.data 0x78 (24), [5] .symtab 0x90 (4 symbols,
// 96 bytes), [6] .strtab 0xf0 ("\0loc\0foo\0ext\0", 13 bytes), [7] .shstrtab 0xfd.
const SAMPLE_OFFSETS = [0, 0x40, 0x58, 0x60, 0x78, 0x90, 0xf0, 0xfd];

test('serialize lays the file out again as libelf does: index order, aligned, header table last (aligned to 8)', () => {
  const { elf, bytes } = sample();
  assert.deepEqual(elf.sections.map((s) => s.offset), SAMPLE_OFFSETS);
  const shstrSize = elf.section('.shstrtab')!.size;
  const ed = new ElfEditor(elf);
  const sec = ed.createSection('.orc_unwind', 6, 2);
  const outBytes = ed.serialize();
  const out = new ElfFile(outBytes);
  // nothing in front of .shstrtab changed size, so those sections stay; .shstrtab grew by 12
  assert.deepEqual(out.sections.slice(0, 8).map((s) => s.offset), SAMPLE_OFFSETS);
  assert.equal(out.sections[7].size, shstrSize + 12);
  // the new section (align 1) right after it, then the header table at the next multiple of 8
  const newOff = 0xfd + shstrSize + 12;
  assert.equal(out.sections[sec].offset, newOff);
  const shoff = Math.ceil((newOff + 12) / 8) * 8;
  assert.equal(out.shoff, shoff);
  assert.equal(outBytes.length, shoff + 9 * 64);
  for (const s of elf.sections) {
    if (s.name === '.shstrtab') continue;
    assert.deepEqual(out.sectionData(out.sections[s.index]), elf.sectionData(s), s.name);
  }
  // the padding is zero
  assert.deepEqual([...outBytes.subarray(0x51, 0x58)], [0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...outBytes.subarray(newOff + 12, shoff)], new Array(shoff - newOff - 12).fill(0));
  // and the input is left alone
  assert.deepEqual(bytes, sample().bytes);
});

test('serialize: a grown section moves every later one; padding is zero-filled whatever the old file had there', () => {
  const { bytes } = sample();
  const junk = Uint8Array.from(bytes);
  junk.fill(0xaa, 0x51, 0x58); // the gap between .text and .data
  const elf = new ElfFile(junk);
  const ed = new ElfEditor(elf);
  ed.createSectionSymbol(elf.section('.data')!.index);
  const outBytes = ed.serialize();
  const out = new ElfFile(outBytes);
  // .symtab grows by one entry (24 bytes): .strtab and .shstrtab move up by 24
  assert.deepEqual(out.sections.map((s) => s.offset), [0, 0x40, 0x58, 0x60, 0x78, 0x90, 0x108, 0x115]);
  assert.equal(out.sections[5].size, 120);
  assert.deepEqual([...outBytes.subarray(0x51, 0x58)], [0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(out.sectionData(out.sections[6]), elf.sectionData(elf.sections[6]));
});

test('serialize: a SHT_NOBITS section takes no room but keeps the padding up to its alignment', () => {
  const b = buildElf({
    sections: [
      { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: TEXT, addralign: 16 },
      { name: '.bss', type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, size: 32, addralign: 64 },
      { name: '.data', flags: SHF_ALLOC | SHF_WRITE, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), addralign: 8 },
    ],
    symbols: [{ name: 'x', bind: STB_GLOBAL, type: STT_NOTYPE, section: '.data' }],
  });
  const ed = new ElfEditor(new ElfFile(b.bytes));
  ed.createSection('.x', 1, 1);
  const out = new ElfFile(ed.serialize());
  // .text 0x40..0x51; .bss at 0x51 rounded up to 64 = 0x80; .data (align 8) at 0x80, not 0x58
  assert.deepEqual([out.sections[1].offset, out.sections[2].offset, out.sections[3].offset], [0x40, 0x80, 0x80]);
  assert.deepEqual([...out.sectionData(out.sections[3])], [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('serialize with nothing changed gives back the original bytes (objtool does not write then)', () => {
  const { bytes } = sample();
  const junk = Uint8Array.from(bytes);
  junk.fill(0xaa, 0x51, 0x58);
  const out = new ElfEditor(new ElfFile(junk)).serialize();
  assert.deepEqual(out, junk);
});

test('serialize: a linked file keeps its loaded sections where they are when libelf would move them', () => {
  for (const type of [ET_EXEC, ET_REL]) {
    const { bytes } = sample({ type });
    // move .text to file offset 0x1000 (page aligned, as a linker puts it); libelf's layout wants 0x40
    const moved = new Uint8Array(0x1000 + TEXT.length);
    moved.set(bytes);
    moved.set(TEXT, 0x1000);
    const elf0 = new ElfFile(bytes);
    const hdr = elf0.shoff + elf0.section('.text')!.index * 64;
    new DataView(moved.buffer).setUint32(hdr + 24, 0x1000, true);
    const elf = new ElfFile(moved);
    const ed = new ElfEditor(elf);
    ed.createSection('.orc_unwind', 6, 1);
    const out = new ElfFile(ed.serialize());
    const text = out.section('.text')!;
    assert.equal(text.offset, type === ET_EXEC ? 0x1000 : 0x40, `type ${type}`);
    assert.deepEqual([...out.sectionData(text)], [...TEXT]);
    assert.equal(out.section('.orc_unwind')!.size, 6);
  }
});

test('a new LOCAL symbol takes slot sh_info; the first global moves to the end and relocations follow it', () => {
  const { elf, sym } = sample();
  // symbols: 0 null, 1 loc (local), 2 foo, 3 ext: sh_info = 2
  assert.equal(elf.sections[elf.symtab!.section].info, 2);
  const ed = new ElfEditor(elf);
  const dataSec = elf.section('.data')!.index;
  const h = ed.createSectionSymbol(dataSec);
  assert.equal(ed.symbolIndex(h), 2);
  assert.equal(ed.symbolIndex(sym.get('foo')!), 4);
  const out = reread(ed);
  const st = out.symtab!;
  assert.equal(st.count, 5);
  assert.equal(out.sections[st.section].info, 3);
  assert.equal(out.sections[st.section].size, 5 * 24);
  // slot 2: the section symbol, no name, LOCAL SECTION, in .data, value 0 size 0
  assert.deepEqual([st.nameOff[2], st.info[2], st.other[2], st.shndx[2], st.value[2], st.size[2]],
    [0, (STB_LOCAL << 4) | STT_SECTION, 0, dataSec, 0, 0]);
  // slot 4: foo, byte for byte what slot 2 held (name, hidden visibility, value, size)
  assert.deepEqual([st.name(4), st.other[4], st.value[4], st.size[4], st.info[4]],
    ['foo', STV_HIDDEN, 12, 5, (STB_GLOBAL << 4) | STT_FUNC]);
  assert.equal(st.name(3), 'ext');
  // .rela.data named foo as 2: now 4. .rela.text named ext (3): unchanged
  const rd = out.relocsOf(dataSec)!;
  assert.equal(rd.sym[0], 4);
  assert.equal(rd.type[0], R_X86_64_64);
  const rt = out.relocsOf(out.section('.text')!.index)!;
  assert.deepEqual([rt.sym[0], rt.type[0], rt.addend[0]], [3, R_X86_64_PLT32, -4]);
});

test('two new locals move the first two globals in order', () => {
  const { elf, sym } = sample();
  const ed = new ElfEditor(elf);
  const a = ed.createSectionSymbol(elf.section('.data')!.index);
  const b = ed.createSectionSymbol(elf.section('.text')!.index);
  const out = reread(ed);
  const st = out.symtab!;
  assert.equal(out.sections[st.section].info, 4);
  assert.deepEqual([ed.symbolIndex(a), ed.symbolIndex(b), ed.symbolIndex(sym.get('foo')!), ed.symbolIndex(sym.get('ext')!)], [2, 3, 4, 5]);
  assert.deepEqual([st.name(4), st.name(5)], ['foo', 'ext']);
  assert.equal(out.relocsOf(out.section('.text')!.index)!.sym[0], 5);
});

test('initRelocTextSym: PC32 against the code section symbol, created once, addend = offset in the section', () => {
  const { elf } = sample();
  const ed = new ElfEditor(elf);
  const text = elf.section('.text')!.index;
  assert.equal(ed.sectionSymbol(text), -1);
  const sec = ed.createSectionPair('.return_sites', 4, 2, 2);
  ed.initRelocTextSym(sec, 0, 0, text, 10);
  ed.initRelocTextSym(sec, 4, 1, text, 16);
  const out = reread(ed);
  const st = out.symtab!;
  assert.equal(st.count, 5, 'one new symbol');
  const r = out.relocsOf(sec)!;
  assert.deepEqual([...r.offset], [0, 4]);
  assert.deepEqual([...r.type], [R_X86_64_PC32, R_X86_64_PC32]);
  assert.deepEqual([...r.sym], [2, 2]);
  assert.deepEqual([...r.addend], [10, 16]);
  assert.equal(st.info[2], (STB_LOCAL << 4) | STT_SECTION);
  assert.equal(st.shndx[2], text);
});

test('initRelocTextSym uses an existing section symbol; initRelocDataSym names the given symbol', () => {
  const b = buildElf({
    sections: [{ name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: TEXT }],
    symbols: [
      { name: '', bind: STB_LOCAL, type: STT_SECTION, section: '.text' },
      { name: '__SCK__x', bind: STB_GLOBAL, type: STT_NOTYPE, section: 0 },
    ],
  });
  const elf = new ElfFile(b.bytes);
  const ed = new ElfEditor(elf);
  const sec = ed.createSectionPair('.static_call_sites', 8, 1, 2);
  ed.updateSectionHeader(sec, { flags: ed.sectionHeader(sec).flags | SHF_WRITE });
  ed.initRelocTextSym(sec, 0, 0, 1, 4);
  ed.initRelocDataSym(sec, 4, 1, ed.findSymbol('__SCK__x'), 1);
  const out = reread(ed);
  assert.equal(out.symtab!.count, 3, 'no symbol created');
  assert.equal(out.sections[sec].flags, SHF_ALLOC | SHF_WRITE);
  const r = out.relocsOf(sec)!;
  assert.deepEqual([...r.sym], [1, 2]);
  assert.deepEqual([...r.addend], [4, 1]);
  assert.deepEqual([...r.offset], [0, 4]);
});

test('objtool errors: bad index, filling twice, text relocation into data, data relocation from code', () => {
  const { elf } = sample();
  const ed = new ElfEditor(elf);
  const sec = ed.createSectionPair('.call_sites', 4, 1, 1);
  const text = elf.section('.text')!.index;
  assert.throws(() => ed.initRelocTextSym(sec, 0, 1, text, 0), /bad reloc_idx 1 for \.rela\.call_sites with 1 relocs/);
  ed.initRelocTextSym(sec, 0, 0, text, 0);
  assert.throws(() => ed.initRelocTextSym(sec, 0, 0, text, 0), /reloc 0 already initialized/);
  assert.throws(() => ed.initRelocTextSym(sec, 0, 0, elf.section('.data')!.index, 0), /for data symbol \.data/);
  assert.throws(() => ed.initRelocDataSym(text, 0, 0, 1, 0), /for text symbol/);
  assert.throws(() => ed.initRelocTextSym(elf.section('.data')!.index + 100, 0, 0, text, 0), /no section/);
});

test('createPrefixSymbol: __pfx_ name appended to .strtab, value - size, same st_info, st_other 0', () => {
  const { elf, sym } = sample();
  const strtab = elf.section('.strtab')!;
  const ed = new ElfEditor(elf);
  const foo = sym.get('foo')!;
  const g = ed.createPrefixSymbol(foo, 12);
  const l = ed.createPrefixSymbol(sym.get('loc')!, 0);
  const out = reread(ed);
  const st = out.symtab!;
  // global: appended (index 4), then the local takes slot 2 and moves foo (index 2) to 5
  assert.equal(ed.symbolIndex(g), 4);
  assert.equal(ed.symbolIndex(l), 2);
  assert.equal(ed.symbolIndex(foo), 5);
  assert.deepEqual([st.name(4), st.nameOff[4], st.value[4], st.size[4], st.info[4], st.other[4], st.shndx[4]],
    ['__pfx_foo', strtab.size, 0, 12, (STB_GLOBAL << 4) | STT_FUNC, 0, 1]);
  assert.deepEqual([st.name(2), st.nameOff[2], st.value[2], st.size[2], st.info[2]],
    ['__pfx_loc', strtab.size + 10, 0, 0, (STB_LOCAL << 4) | STT_FUNC]);
  assert.equal(out.section('.strtab')!.size, strtab.size + 10 + 10);
  assert.equal(cstring(out.sectionData(out.section('.strtab')!), strtab.size), '__pfx_foo');
});

test('names are bytes: a prefix symbol copies every byte of its function\'s name, 0x80..0xff included', () => {
  // WHATWG windows-1252 (what TextDecoder("latin1") names) maps 0x80 to U+20AC and 0x9f to U+0178
  const name = 'f\x80\x9f\xc3\xa9';
  const { elf, sym } = sample({
    symbols: [
      { name: 'loc', bind: STB_LOCAL, type: STT_FUNC, section: '.text', value: 0, size: 12 },
      { name: 'foo', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: 12, size: 5, other: STV_HIDDEN },
      { name: 'ext', bind: STB_GLOBAL, type: STT_NOTYPE, section: 0 },
      { name, bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: 0, size: 1 },
    ],
  });
  const ed = new ElfEditor(elf);
  ed.createPrefixSymbol(sym.get(name)!, 16);
  const out = reread(ed);
  const st = out.symtab!;
  const strtab = out.sectionData(out.section('.strtab')!);
  const k = Array.from({ length: st.count }, (_, i) => i).find((i) => st.name(i).startsWith('__pfx_'))!;
  const bytes = Array.from(strtab.subarray(st.nameOff[k], st.nameOff[k] + 6 + name.length));
  assert.deepEqual(bytes, Array.from('__pfx_' + name, (c) => c.charCodeAt(0)));
  assert.equal(st.name(k), '__pfx_' + name);
});

test('writeInsn patches in place; setRelocType rewrites r_info only; the input bytes are not touched', () => {
  const { elf, bytes } = sample();
  const copy = Uint8Array.from(bytes);
  const ed = new ElfEditor(elf);
  const text = elf.section('.text')!.index;
  ed.writeInsn(text, 4, Uint8Array.from([0x0f, 0x1f, 0x44, 0x00, 0x00]));
  ed.setRelocType(elf.relocSectionsFor(text)[0], 0, R_X86_64_NONE);
  assert.throws(() => ed.writeInsn(text, 15, Uint8Array.from([1, 2, 3])), /outside the section/);
  const out = reread(ed);
  const d = out.sectionData(out.sections[text]);
  assert.deepEqual([...d.subarray(4, 9)], [0x0f, 0x1f, 0x44, 0, 0]);
  assert.deepEqual([...d.subarray(0, 4)], [...TEXT.subarray(0, 4)]);
  assert.equal(out.sections[text].offset, elf.sections[text].offset);
  const r = out.relocsOf(text)!;
  assert.deepEqual([r.type[0], r.sym[0], r.addend[0], r.offset[0]], [R_X86_64_NONE, 3, -4, 5]);
  assert.deepEqual(bytes, copy);
});

test('mcount-style table: R_X86_64_64 after initRelocTextSym, alignment 8', () => {
  const { elf } = sample();
  const ed = new ElfEditor(elf);
  const sec = ed.createSectionPair('__mcount_loc', 8, 1, 1);
  ed.updateSectionHeader(sec, { addralign: 8 });
  ed.initRelocTextSym(sec, 0, 0, elf.section('.text')!.index, 4);
  ed.setRelocType(sec + 1, 0, R_X86_64_64);
  const out = reread(ed);
  assert.equal(out.sections[sec + 1].name, '.rela__mcount_loc');
  assert.equal(out.sections[sec].addralign, 8);
  assert.equal(out.sections[sec].offset % 8, 0);
  assert.equal(out.relocsOf(sec)!.type[0], R_X86_64_64);
});

test('setSectionBytes fills a created section (ORC entries)', () => {
  const { elf } = sample();
  const ed = new ElfEditor(elf);
  const sec = ed.createSection('.orc_unwind', 6, 2);
  ed.setSectionBytes(sec, 6, Uint8Array.from([8, 0, 0, 0, 5, 2]));
  const out = reread(ed);
  assert.deepEqual([...out.sectionData(out.sections[sec])], [0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 5, 2]);
  assert.throws(() => ed.setSectionBytes(sec, 8, new Uint8Array(6)), /outside/);
});

test('without .shstrtab, section names go to .strtab (Clang layout)', () => {
  const { elf } = sample({ noShstrtab: true });
  const strtab = elf.section('.strtab')!;
  const ed = new ElfEditor(elf);
  const sec = ed.createSection('.orc_unwind', 6, 1);
  const p = ed.createPrefixSymbol(ed.findSymbol('foo'), 4);
  const out = reread(ed);
  assert.equal(out.sections[sec].name, '.orc_unwind');
  assert.equal(out.sections[sec].nameOff, strtab.size);
  assert.equal(out.symtab!.name(ed.symbolIndex(p)), '__pfx_foo');
  assert.equal(out.symtab!.nameOff[ed.symbolIndex(p)], strtab.size + 12);
});

test('.symtab_shndx grows with .symtab; entries written for new and moved symbols hold their section index', () => {
  const { elf } = sample({ symtabShndx: true });
  const x = elf.section('.symtab_shndx')!;
  const ed = new ElfEditor(elf);
  const data = elf.section('.data')!.index;
  ed.createSectionSymbol(data);
  const out = reread(ed);
  const nx = out.section('.symtab_shndx')!;
  assert.equal(nx.size, x.size + 4);
  const d = out.sectionData(nx);
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  // slot 2: the new .data section symbol; slot 4: foo (in .text = 1), moved
  assert.deepEqual([dv.getUint32(8, true), dv.getUint32(16, true), dv.getUint32(4, true)], [data, 1, 0]);
  assert.equal(out.symtab!.rawShndx[2], data);
});

test('big-endian objects: headers, symbols and relocations come out in big-endian', () => {
  const { elf } = sample({ le: false });
  assert.equal(elf.le, false);
  const ed = new ElfEditor(elf);
  const sec = ed.createSectionPair('.return_sites', 4, 1, 1);
  ed.initRelocTextSym(sec, 0, 0, elf.section('.text')!.index, 0x10);
  const out = reread(ed);
  assert.equal(out.le, false);
  assert.equal(out.sections[sec].name, '.return_sites');
  const r = out.relocsOf(sec)!;
  assert.deepEqual([r.sym[0], r.type[0], r.addend[0]], [2, R_X86_64_PC32, 16]);
  assert.equal(out.symtab!.name(4), 'foo');
  assert.equal(out.relocsOf(out.section('.data')!.index)!.sym[0], 4);
});

test('an object without globals gets new locals appended', () => {
  const b = buildElf({
    sections: [{ name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: TEXT }],
    symbols: [{ name: 'only', bind: STB_LOCAL, type: STT_FUNC, section: '.text', value: 0, size: 4 }],
  });
  const ed = new ElfEditor(new ElfFile(b.bytes));
  const h = ed.createSectionSymbol(1);
  const out = reread(ed);
  assert.equal(ed.symbolIndex(h), 2);
  assert.equal(out.sections[out.symtab!.section].info, 3);
  assert.equal(out.symtab!.name(1), 'only');
});

test('changed is false until something is changed', () => {
  const { elf } = sample();
  const ed = new ElfEditor(elf);
  assert.equal(ed.changed, false);
  ed.createSection('.x', 1, 1);
  assert.equal(ed.changed, true);
});
