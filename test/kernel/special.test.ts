import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfFile } from '../../src/elf/reader.js';
import { readSpecialAlts, X86_FEATURE_POPCNT, X86_FEATURE_SMAP } from '../../src/kernel/special.js';
import {
  Bytes, EM_AARCH64, KernelElfBuilder, R_X86_64_PC32, R_X86_64_PC64, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, STB_GLOBAL, STT_FUNC,
} from '../helpers/kernel-elf-builder.js';

const R_AARCH64_PREL32 = 261;
const R_AARCH64_PREL64 = 260;

/** struct alt_instr (x86, 14 bytes): instr_offset, repl_offset, cpuid u16, flags u16, instrlen, replacementlen */
function altEntry(b: Bytes, feature: number, flags: number, origLen: number, newLen: number): void {
  b.u32(0).u32(0).u16(feature).u16(flags).u8(origLen).u8(newLen);
}

function textSections(b: KernelElfBuilder): void {
  b.section('.text', new Uint8Array(0x100), { flags: SHF_ALLOC | SHF_EXECINSTR });
  b.section('.altinstr_replacement', new Uint8Array(0x40), { flags: SHF_ALLOC | SHF_EXECINSTR });
  b.section('.data', new Uint8Array(0x80), { flags: SHF_ALLOC | SHF_WRITE });
}

test('x86 .altinstructions: sites, lengths, feature cases and nested groups', () => {
  const b = new KernelElfBuilder();
  textSections(b);
  const tab = new Bytes();
  altEntry(tab, 3 * 32 + 1, 0, 3, 2); // 0: group A first
  altEntry(tab, 5, 1, 5, 5); //           1: same site as 0 (nested), ALT_FLAG_NOT
  altEntry(tab, X86_FEATURE_SMAP, 0, 3, 3); // 2: new group
  altEntry(tab, X86_FEATURE_POPCNT, 2, 4, 0); // 3: new_len 0: no new reloc needed
  b.section('.altinstructions', tab.bytes());
  const text = b.sectionSym('.text');
  const repl = b.sectionSym('.altinstr_replacement');
  const foo = b.symbol('foo', '.text', 0x20, { size: 0x30, type: STT_FUNC, bind: STB_GLOBAL });
  b.rela('.altinstructions', [
    { offset: 0, type: R_X86_64_PC32, sym: text, addend: 0x10 },
    { offset: 4, type: R_X86_64_PC32, sym: repl, addend: 0 },
    { offset: 14, type: R_X86_64_PC32, sym: text, addend: 0x10 },
    { offset: 18, type: R_X86_64_PC32, sym: repl, addend: 2 },
    { offset: 28, type: R_X86_64_PC32, sym: foo, addend: 4 }, // function symbol: value + addend
    { offset: 32, type: R_X86_64_PC32, sym: repl, addend: 7 },
    { offset: 42, type: R_X86_64_PC32, sym: text, addend: 0x50 },
  ]);
  const elf = new ElfFile(b.build());
  const textIdx = elf.section('.text')!.index;
  const replIdx = elf.section('.altinstr_replacement')!.index;
  const tabIdx = elf.section('.altinstructions')!.index;

  const r = readSpecialAlts(elf, { uaccess: true });
  assert.equal(r.error, undefined);
  assert.equal(r.alts.length, 4);
  const [a0, a1, a2, a3] = r.alts;
  for (const a of r.alts) {
    assert.equal(a.kind, 'alternative');
    assert.equal(a.group, true);
    assert.equal(a.jumpOrNop, false);
    assert.equal(a.table, tabIdx);
  }
  assert.deepEqual([a0.origSec, a0.origOff, a0.newSec, a0.newOff, a0.newLen], [textIdx, 0x10, replIdx, 0, 2]);
  // nested: both entries of the group get the larger orig_len
  assert.equal(a0.origLen, 5);
  assert.equal(a1.origLen, 5);
  assert.deepEqual([a1.feature, a1.featureFlags, a1.newOff], [5, 1, 2]);
  assert.deepEqual([a2.origSec, a2.origOff, a2.origLen, a2.newOff], [textIdx, 0x24, 3, 7]);
  assert.deepEqual([a2.skipOrig, a2.skipAlt], [true, false]); // SMAP under --uaccess
  assert.deepEqual([a3.origOff, a3.origLen, a3.hasNew, a3.newSec, a3.newOff, a3.newLen], [0x50, 4, false, -1, -1, 0]);
  assert.deepEqual([a3.skipOrig, a3.skipAlt, a3.featureFlags], [true, false, 2]); // POPCNT
  assert.deepEqual([a0.skipOrig, a0.skipAlt, a1.skipOrig, a1.skipAlt], [false, false, false, false]);

  const noUaccess = readSpecialAlts(elf, { uaccess: false });
  assert.deepEqual([noUaccess.alts[2].skipOrig, noUaccess.alts[2].skipAlt], [false, true]);
});

test('x86 __jump_table: code/target/key, key addend low byte and bits', () => {
  const b = new KernelElfBuilder();
  textSections(b);
  b.section('__jump_table', new Uint8Array(32), { flags: SHF_ALLOC | SHF_WRITE, align: 8 });
  const text = b.sectionSym('.text');
  const data = b.sectionSym('.data');
  const key = b.symbol('some_key', null, 0, { bind: STB_GLOBAL });
  b.rela('__jump_table', [
    { offset: 0, type: R_X86_64_PC32, sym: text, addend: 0x8 },
    { offset: 4, type: R_X86_64_PC32, sym: text, addend: 0x40 },
    { offset: 8, type: R_X86_64_PC64, sym: data, addend: 0x140 + 3 }, // key at .data+0x140, branch|hack
    { offset: 16, type: R_X86_64_PC32, sym: text, addend: 0x18 },
    { offset: 20, type: R_X86_64_PC32, sym: text, addend: 0x60 },
    { offset: 24, type: R_X86_64_PC64, sym: key, addend: 2 },
  ]);
  const elf = new ElfFile(b.build());
  const textIdx = elf.section('.text')!.index;
  const dataIdx = elf.section('.data')!.index;
  const r = readSpecialAlts(elf, { uaccess: true });
  assert.equal(r.error, undefined);
  assert.equal(r.alts.length, 2);
  const [j0, j1] = r.alts;
  assert.deepEqual([j0.kind, j0.group, j0.jumpOrNop, j0.hasNew], ['jump_label', false, true, true]);
  assert.deepEqual([j0.origSec, j0.origOff, j0.newSec, j0.newOff], [textIdx, 8, textIdx, 0x40]);
  assert.equal(j0.keyAddend, 0x43); // (0x140 + 3) & 0xff
  assert.deepEqual([j0.keySec, j0.keyOff], [dataIdx, 0x140]);
  assert.equal(j1.keyAddend, 2);
  assert.deepEqual([j1.keySec, j1.keyOff], [0, 0]); // undefined key symbol: no section
  assert.deepEqual([j1.origLen, j1.newLen, j1.feature], [0, 0, -1]);
});

test('x86 __ex_table: fixup as a non-group alternative, the 0x7ffffff0 adjustment, data word', () => {
  const b = new KernelElfBuilder();
  textSections(b);
  const tab = new Bytes();
  tab.u32(0).u32(0).u32(0xfff21111); // type 0x11, reg 1, imm -14
  tab.u32(0).u32(0).u32(3);
  b.section('__ex_table', tab.bytes(), { align: 4 });
  const text = b.sectionSym('.text');
  b.rela('__ex_table', [
    { offset: 0, type: R_X86_64_PC32, sym: text, addend: 0x9d },
    { offset: 4, type: R_X86_64_PC32, sym: text, addend: 0xa2 },
    { offset: 12, type: R_X86_64_PC32, sym: text, addend: 0x10d },
    { offset: 16, type: R_X86_64_PC32, sym: text, addend: 0x7ffffff0 + 0x30 },
  ]);
  const elf = new ElfFile(b.build());
  const r = readSpecialAlts(elf, { uaccess: true });
  assert.equal(r.error, undefined);
  assert.equal(r.alts.length, 2);
  assert.deepEqual([r.alts[0].kind, r.alts[0].group, r.alts[0].jumpOrNop, r.alts[0].origLen], ['ex_table', false, false, 0]);
  assert.deepEqual([r.alts[0].origOff, r.alts[0].newOff, r.alts[0].exData], [0x9d, 0xa2, 0xfff21111 | 0]);
  assert.deepEqual([r.alts[1].origOff, r.alts[1].newOff, r.alts[1].exData], [0x10d, 0x30, 3]);
});

test('tables are read in objtool order: .altinstructions, __jump_table, __ex_table', () => {
  const b = new KernelElfBuilder();
  textSections(b);
  b.section('__ex_table', new Uint8Array(12));
  b.section('__jump_table', new Uint8Array(16));
  const alt = new Bytes();
  altEntry(alt, 1, 0, 2, 0);
  b.section('.altinstructions', alt.bytes());
  const text = b.sectionSym('.text');
  b.rela('__ex_table', [{ offset: 0, type: R_X86_64_PC32, sym: text, addend: 1 }, { offset: 4, type: R_X86_64_PC32, sym: text, addend: 2 }]);
  b.rela('__jump_table', [
    { offset: 0, type: R_X86_64_PC32, sym: text, addend: 3 }, { offset: 4, type: R_X86_64_PC32, sym: text, addend: 4 },
    { offset: 8, type: R_X86_64_PC64, sym: text, addend: 0 },
  ]);
  b.rela('.altinstructions', [{ offset: 0, type: R_X86_64_PC32, sym: text, addend: 5 }]);
  const r = readSpecialAlts(new ElfFile(b.build()), { uaccess: true });
  assert.deepEqual(r.alts.map((a) => [a.kind, a.origOff]), [['alternative', 5], ['jump_label', 3], ['ex_table', 1]]);
});

test('several relocations at one offset: the later one in the file wins', () => {
  const b = new KernelElfBuilder();
  textSections(b);
  b.section('__ex_table', new Uint8Array(12));
  const text = b.sectionSym('.text');
  b.rela('__ex_table', [
    { offset: 4, type: R_X86_64_PC32, sym: text, addend: 0x20 },
    { offset: 0, type: R_X86_64_PC32, sym: text, addend: 0x11 },
    { offset: 0, type: R_X86_64_PC32, sym: text, addend: 0x12 },
  ]);
  const r = readSpecialAlts(new ElfFile(b.build()), { uaccess: true });
  assert.equal(r.alts[0].origOff, 0x12);
  assert.equal(r.alts[0].newOff, 0x20);
});

test('bad tables: size, missing orig/new/key relocation stop reading with objtool\'s message', () => {
  const sized = new KernelElfBuilder();
  textSections(sized);
  sized.section('__jump_table', new Uint8Array(20));
  let r = readSpecialAlts(new ElfFile(sized.build()), { uaccess: true });
  assert.equal(r.alts.length, 0);
  assert.deepEqual(r.error, { kind: 'plain', text: '__jump_table size not a multiple of 16', sec: -1, off: -1, fatal: true });

  const b = new KernelElfBuilder();
  textSections(b);
  b.section('__jump_table', new Uint8Array(48));
  const text = b.sectionSym('.text');
  b.rela('__jump_table', [
    { offset: 0, type: R_X86_64_PC32, sym: text, addend: 1 }, { offset: 4, type: R_X86_64_PC32, sym: text, addend: 2 },
    { offset: 8, type: R_X86_64_PC64, sym: text, addend: 0 },
    { offset: 16, type: R_X86_64_PC32, sym: text, addend: 1 }, { offset: 20, type: R_X86_64_PC32, sym: text, addend: 2 },
    // entry 1 has no key relocation (offset 24)
    { offset: 32, type: R_X86_64_PC32, sym: text, addend: 1 },
  ]);
  const elf = new ElfFile(b.build());
  const jt = elf.section('__jump_table')!.index;
  r = readSpecialAlts(elf, { uaccess: true });
  assert.equal(r.alts.length, 1);
  assert.deepEqual(r.error, { kind: 'func', text: 'can\'t find key reloc', sec: jt, off: 24, fatal: true });

  const c = new KernelElfBuilder();
  textSections(c);
  const alt = new Bytes();
  altEntry(alt, 1, 0, 2, 2);
  c.section('.altinstructions', alt.bytes());
  c.rela('.altinstructions', [{ offset: 0, type: R_X86_64_PC32, sym: c.sectionSym('.text'), addend: 5 }]);
  const e2 = new ElfFile(c.build());
  r = readSpecialAlts(e2, { uaccess: true });
  assert.deepEqual(r.error, { kind: 'func', text: 'can\'t find new reloc', sec: e2.section('.altinstructions')!.index, off: 4, fatal: true });

  const d = new KernelElfBuilder();
  textSections(d);
  d.section('__ex_table', new Uint8Array(12));
  const e3 = new ElfFile(d.build());
  r = readSpecialAlts(e3, { uaccess: true });
  assert.deepEqual(r.error, { kind: 'func', text: 'can\'t find orig reloc', sec: e3.section('__ex_table')!.index, off: 0, fatal: true });
});

test('arm64 .altinstructions (12-byte alt_instr) and callback entries', () => {
  const b = new KernelElfBuilder(EM_AARCH64);
  b.section('.text', new Uint8Array(0x80), { flags: SHF_ALLOC | SHF_EXECINSTR });
  const tab = new Bytes();
  tab.u32(0).u32(0).u16(42).u8(8).u8(8);
  tab.u32(0).u32(0).u16(0x8000 | 7).u8(4).u8(0);
  b.section('.altinstructions', tab.bytes());
  const text = b.sectionSym('.text');
  const cb = b.symbol('patch_cb', '.text', 0x60, { size: 8, type: STT_FUNC, bind: STB_GLOBAL });
  b.rela('.altinstructions', [
    { offset: 0, type: R_AARCH64_PREL32, sym: text, addend: 0x10 },
    { offset: 4, type: R_AARCH64_PREL32, sym: text, addend: 0x40 },
    { offset: 12, type: R_AARCH64_PREL32, sym: text, addend: 0x20 },
    { offset: 16, type: R_AARCH64_PREL32, sym: cb, addend: 0 },
  ]);
  const elf = new ElfFile(b.build());
  const r = readSpecialAlts(elf, { uaccess: true });
  assert.equal(r.error, undefined);
  const [a, c] = r.alts;
  assert.deepEqual([a.origOff, a.newOff, a.feature, a.origLen, a.newLen, a.callback, a.hasNew], [0x10, 0x40, 42, 8, 8, false, true]);
  assert.deepEqual([c.origOff, c.feature, c.origLen, c.newLen, c.callback, c.hasNew], [0x20, 7, 4, 0, true, false]);
  void R_AARCH64_PREL64;
});
