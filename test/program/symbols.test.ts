/**
 * Symbol lookups with objtool's rules (elf.c find_symbol_containing/find_func_containing/
 * find_symbol_by_offset/find_func_by_offset, and the `.cold` parent handling of read_symbols):
 * only sized symbols answer containing and at-offset queries, the first in (offset, table order)
 * wins, a parent that encloses its `.cold` child is shortened, aliases point at the last one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ElfFile } from '../../src/elf/reader.js';
import { Symbols } from '../../src/program/symbols.js';
import {
  KernelElfBuilder, SHF_ALLOC, SHF_EXECINSTR, STB_GLOBAL, STT_FUNC, STT_NOTYPE, STT_OBJECT, STT_SECTION,
} from '../helpers/kernel-elf-builder.js';

const G = STB_GLOBAL;

function build(): { syms: Symbols; text: number; unlikely: number; idx: (name: string) => number } {
  const b = new KernelElfBuilder();
  b.section('.text', new Uint8Array(0x100), { flags: SHF_ALLOC | SHF_EXECINSTR });
  b.section('.text.unlikely', new Uint8Array(0x40), { flags: SHF_ALLOC | SHF_EXECINSTR });
  b.sectionSym('.text');
  // all global: table order is the order written here
  b.symbol('obj2', '.text', 0x08, { size: 0x10, type: STT_OBJECT, bind: G }); // 0x08..0x18
  b.symbol('a', '.text', 0x10, { size: 0x20, type: STT_FUNC, bind: G }); //      0x10..0x30
  b.symbol('a_alias', '.text', 0x10, { size: 0x20, type: STT_FUNC, bind: G });
  b.symbol('a_other', '.text', 0x10, { size: 0x8, type: STT_FUNC, bind: G }); // same offset, other size: no alias
  b.symbol('obj', '.text', 0x14, { size: 0x4, type: STT_OBJECT, bind: G });
  b.symbol('lbl', '.text', 0x18, { size: 0, type: STT_NOTYPE, bind: G }); //  zero-size label inside a
  b.symbol('b', '.text', 0x40, { size: 0x30, type: STT_FUNC, bind: G }); //   encloses b.cold: shortened to 0x20
  b.symbol('b.cold', '.text', 0x60, { size: 0x10, type: STT_FUNC, bind: G });
  b.symbol('z', '.text', 0x80, { size: 0, type: STT_FUNC, bind: G });
  b.symbol('d', '.text', 0x90, { size: 0x10, type: STT_FUNC, bind: G });
  b.symbol('d.cold.2', '.text.unlikely', 0x0, { size: 0x10, type: STT_FUNC, bind: G });
  b.symbol('e.cold', '.text.unlikely', 0x10, { size: 0x8, type: STT_FUNC, bind: G }); // no parent e
  const elf = new ElfFile(b.build());
  const syms = new Symbols(elf, elf.symtab);
  const idx = (name: string): number => {
    for (let i = 0; i < syms.count; i++) if (syms.name(i) === name && syms.type[i] !== STT_SECTION) return i;
    throw new Error(name);
  };
  return { syms, text: elf.section('.text')!.index, unlikely: elf.section('.text.unlikely')!.index, idx };
}

test('containing: sized symbols only, the one starting first wins', () => {
  const { syms, text, idx } = build();
  assert.equal(syms.symbolContaining(text, 0x12), idx('obj2')); // obj2 starts before a
  assert.equal(syms.funcContaining(text, 0x12), idx('a')); //      the first function containing it
  assert.equal(syms.symbolContaining(text, 0x18), idx('a')); //    obj2 ends at 0x18; lbl has no size
  assert.equal(syms.symbolContaining(text, 0x2f), idx('a'));
  assert.equal(syms.symbolContaining(text, 0x30), -1); //          end is exclusive
  assert.equal(syms.symbolContaining(text, 0x04), -1);
  assert.equal(syms.funcContaining(text, 0x84), -1); //            z has no size
  assert.equal(syms.funcContaining(text, 0x95), idx('d'));
  assert.equal(syms.funcContaining(text, 0x100), -1);
});

test('at offset: sized symbols only, ties in table order, functions only for funcAt', () => {
  const { syms, text, idx } = build();
  assert.equal(syms.symbolAt(text, 0x10), idx('a'));
  assert.equal(syms.funcAt(text, 0x10), idx('a'));
  assert.equal(syms.symbolAt(text, 0x08), idx('obj2'));
  assert.equal(syms.funcAt(text, 0x08), -1); //   an object, not a function
  assert.equal(syms.symbolAt(text, 0x18), -1); // only the zero-size label starts there
  assert.equal(syms.funcAt(text, 0x80), -1); //   zero-size function
  assert.equal(syms.symbolAt(text, 0x14), idx('obj'));
  assert.equal(syms.funcAt(text, 0x00), -1); //   the section symbol does not count
});

test('list: every symbol of the section by offset, ties in table order, zero-size ones included', () => {
  const { syms, text, idx } = build();
  const names = Array.from(syms.list(text), (i) => (syms.type[i] === STT_SECTION ? '<sec>' : syms.name(i)));
  assert.deepEqual(names, ['<sec>', 'obj2', 'a', 'a_alias', 'a_other', 'obj', 'lbl', 'b', 'b.cold', 'z', 'd']);
  assert.equal(syms.name(syms.list(text)[0]), '.text'); // a section symbol is named by its section
});

test('aliases: same offset, type and size point at the last one in the table', () => {
  const { syms, idx } = build();
  assert.equal(syms.alias[idx('a')], idx('a_alias'));
  assert.equal(syms.alias[idx('a_alias')], idx('a_alias'));
  assert.equal(syms.alias[idx('a_other')], idx('a_other'));
  assert.equal(syms.alias[idx('obj')], idx('obj'));
});

test('.cold: parent and child linked, an enclosing parent shortened, a missing parent recorded', () => {
  const { syms, text, idx } = build();
  const b = idx('b');
  const cold = idx('b.cold');
  assert.equal(syms.pfunc[cold], b);
  assert.equal(syms.cfunc[b], cold);
  assert.equal(syms.len[b], 0x20);
  assert.equal(syms.len[cold], 0x10);
  assert.equal(syms.funcContaining(text, 0x65), cold);
  assert.equal(syms.funcContaining(text, 0x5f), b);
  // a child in another section (name up to ".cold"): linked, the parent keeps its size
  assert.equal(syms.pfunc[idx('d.cold.2')], idx('d'));
  assert.equal(syms.cfunc[idx('d')], idx('d.cold.2'));
  assert.equal(syms.len[idx('d')], 0x10);
  // functions without a .cold relation are their own parent and child
  assert.equal(syms.pfunc[idx('a')], idx('a'));
  assert.equal(syms.cfunc[idx('a')], idx('a'));
  assert.equal(syms.missingParent, idx('e.cold'));
});

test('holes between symbols', () => {
  const { syms, text } = build();
  assert.equal(syms.holeContaining(text, 0x12), 0); // inside a symbol
  assert.equal(syms.holeContaining(text, 0x04), 0); // nothing before it
  assert.equal(syms.holeContaining(text, 0x30), 0x10); // up to b at 0x40
  assert.equal(syms.holeContaining(text, 0x88), 8); // z has no size: up to d at 0x90
  assert.equal(syms.holeContaining(text, 0xa0), -1); // nothing follows
});

test('name lookup answers the last symbol of that name', () => {
  const b = new KernelElfBuilder();
  b.section('.text', new Uint8Array(0x10), { flags: SHF_ALLOC | SHF_EXECINSTR });
  b.symbol('dup', '.text', 0, { size: 4, type: STT_FUNC });
  b.symbol('dup', '.text', 8, { size: 4, type: STT_FUNC });
  const elf = new ElfFile(b.build());
  const syms = new Symbols(elf, elf.symtab);
  const i = syms.byNameLookup('dup');
  assert.equal(syms.offset[i], 8);
  assert.equal(syms.byNameLookup('none'), -1);
});

test('synthetic functions are appended after the table and found like the others', () => {
  const b = new KernelElfBuilder();
  b.section('.text', new Uint8Array(0x20), { flags: SHF_ALLOC | SHF_EXECINSTR });
  b.symbol('f', '.text', 0, { size: 0x10, type: STT_FUNC, bind: G });
  const elf = new ElfFile(b.build());
  const text = elf.section('.text')!.index;
  const syms = new Symbols(elf, elf.symtab, [{ name: 'stub@plt', sec: text, offset: 0x10, len: 0x10 }]);
  assert.equal(syms.tableCount, elf.symtab!.count);
  const stub = syms.funcAt(text, 0x10);
  assert.equal(stub, syms.tableCount);
  assert.equal(syms.name(stub), 'stub@plt');
  assert.equal(syms.funcContaining(text, 0x1f), stub);
});

test('sizeUnsized: a function without a size reaches the next symbol or the section end', () => {
  const b = new KernelElfBuilder();
  b.section('.text', new Uint8Array(0x30), { flags: SHF_ALLOC | SHF_EXECINSTR });
  b.symbol('u1', '.text', 0, { type: STT_FUNC, bind: G });
  b.symbol('u2', '.text', 0x10, { type: STT_FUNC, bind: G });
  b.symbol('n', '.text', 0x18, { type: STT_NOTYPE, bind: G });
  const elf = new ElfFile(b.build());
  const text = elf.section('.text')!.index;
  const plain = new Symbols(elf, elf.symtab);
  assert.equal(plain.funcContaining(text, 4), -1);
  const sized = new Symbols(elf, elf.symtab, [], true);
  const u1 = sized.funcContaining(text, 4);
  assert.equal(sized.name(u1), 'u1');
  assert.equal(sized.len[u1], 0x10);
  assert.equal(sized.len[sized.funcAt(text, 0x10)], 8); // up to the NOTYPE at 0x18
  assert.equal(sized.len[sized.byNameLookup('n')], 0); //  only functions are sized
});

test('list: by offset, ties in table order, whatever the table order (many symbols, shuffled)', () => {
  const b = new KernelElfBuilder();
  b.section('.text', new Uint8Array(0x1000), { flags: SHF_ALLOC | SHF_EXECINSTR });
  // 300 symbols on 100 offsets, written in a scrambled offset order: three per offset
  for (let k = 0; k < 300; k++) {
    const off = ((k * 37) % 100) * 0x10;
    b.symbol(`s${k}`, '.text', off, { size: 4, type: STT_FUNC, bind: G });
  }
  const elf = new ElfFile(b.build());
  const syms = new Symbols(elf, elf.symtab);
  const list = Array.from(syms.list(elf.section('.text')!.index));
  const expected = list.slice().sort((x, y) => syms.offset[x] - syms.offset[y] || x - y);
  assert.equal(list.length, 300);
  assert.deepEqual(list, expected);
  assert.ok(list.some((s, k) => k > 0 && s < list[k - 1])); // not simply table order
});
