import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfFile } from '../../src/elf/reader.js';
import { readAnnotation, readAnnotations } from '../../src/kernel/annotations.js';
import {
  KernelElfBuilder, R_X86_64_64, R_X86_64_PC32, SHF_ALLOC, SHF_EXECINSTR, STB_GLOBAL, STT_FUNC, STT_OBJECT,
} from '../helpers/kernel-elf-builder.js';

function base(): KernelElfBuilder {
  const b = new KernelElfBuilder();
  b.section('.text', new Uint8Array(0x100), { flags: SHF_ALLOC | SHF_EXECINSTR });
  b.section('.noinstr.text', new Uint8Array(0x40), { flags: SHF_ALLOC | SHF_EXECINSTR });
  return b;
}

function discard(b: KernelElfBuilder, kind: string, n: number): void {
  b.section(`.discard.${kind}`, new Uint8Array(4 * n), { flags: 0 });
}

test('section-symbol tables: offset is the addend; other symbol types are fatal', () => {
  const b = base();
  discard(b, 'retpoline_safe', 3);
  const text = b.sectionSym('.text');
  const noinstr = b.sectionSym('.noinstr.text');
  const f = b.symbol('f', '.text', 0x30, { size: 0x10, type: STT_FUNC, bind: STB_GLOBAL });
  b.rela('.discard.retpoline_safe', [
    { offset: 0, type: R_X86_64_PC32, sym: text, addend: 0x44 },
    { offset: 4, type: R_X86_64_PC32, sym: noinstr, addend: 0x8 },
    { offset: 8, type: R_X86_64_PC32, sym: f, addend: 0 },
  ]);
  const elf = new ElfFile(b.build());
  const t = readAnnotation(elf, 'retpoline_safe');
  assert.equal(t.relocSection, elf.section('.rela.discard.retpoline_safe')!.index);
  assert.deepEqual(t.entries.map((e) => [e.sec, e.off, e.noInsnText]), [
    [elf.section('.text')!.index, 0x44, 'bad .discard.retpoline_safe entry'],
    [elf.section('.noinstr.text')!.index, 0x8, 'bad .discard.retpoline_safe entry'],
  ]);
  assert.deepEqual(t.error, { kind: 'plain', text: 'unexpected relocation symbol type in .rela.discard.retpoline_safe', sec: -1, off: -1, fatal: true });
});

test('absent tables read as empty; texts of the copy-pasted messages are kept', () => {
  const b = base();
  discard(b, 'validate_unret', 1);
  discard(b, 'intra_function_calls', 1);
  const text = b.sectionSym('.text');
  b.rela('.discard.validate_unret', [{ offset: 0, type: R_X86_64_PC32, sym: text, addend: 4 }]);
  b.rela('.discard.intra_function_calls', [{ offset: 0, type: R_X86_64_PC32, sym: text, addend: 8 }]);
  const elf = new ElfFile(b.build());
  assert.equal(readAnnotation(elf, 'ignore_alts').relocSection, -1);
  assert.equal(readAnnotation(elf, 'ignore_alts').entries.length, 0);
  assert.equal(readAnnotation(elf, 'validate_unret').entries[0].noInsnText, 'bad .discard.instr_end entry');
  assert.equal(readAnnotation(elf, 'intra_function_calls').entries[0].noInsnText, 'bad .discard.intra_function_call entry');
  assert.equal(readAnnotation(elf, 'intra_function_calls').entries[0].off, 8);
});

test('reachable: section symbols use the addend, .L labels their value; end-of-section flag', () => {
  const b = base();
  discard(b, 'reachable', 4);
  const text = b.sectionSym('.text');
  const label = b.symbol('.Lreach1', '.text', 0x30);
  const plain = b.symbol('not_a_label', '.text', 0x40);
  b.rela('.discard.reachable', [
    { offset: 0, type: R_X86_64_PC32, sym: text, addend: 0x20 },
    { offset: 4, type: R_X86_64_PC32, sym: label, addend: 5 }, // addend ignored for labels
    { offset: 8, type: R_X86_64_PC32, sym: text, addend: 0x100 }, // == section size
    { offset: 12, type: R_X86_64_PC32, sym: plain, addend: 0 },
  ]);
  const elf = new ElfFile(b.build());
  const t = readAnnotation(elf, 'reachable');
  assert.deepEqual(t.entries.map((e) => [e.off, e.atEnd]), [[0x20, false], [0x30, false], [0x100, true]]);
  assert.equal(t.entries[0].noInsnText, 'can\'t find reachable insn at .text+0x20');
  assert.equal(t.error?.text, 'unexpected relocation symbol type in .rela.discard.reachable');
});

test('noendbr: any symbol, st_value + addend', () => {
  const b = base();
  discard(b, 'noendbr', 2);
  const f = b.symbol('entry_fn', '.noinstr.text', 0x10, { size: 0x20, type: STT_FUNC, bind: STB_GLOBAL });
  const text = b.sectionSym('.text');
  b.rela('.discard.noendbr', [
    { offset: 0, type: R_X86_64_64, sym: f, addend: 2 },
    { offset: 4, type: R_X86_64_64, sym: text, addend: 0x70 },
  ]);
  const elf = new ElfFile(b.build());
  const t = readAnnotation(elf, 'noendbr');
  assert.equal(t.error, undefined);
  assert.deepEqual(t.entries.map((e) => [e.sec, e.off]), [[elf.section('.noinstr.text')!.index, 0x12], [elf.section('.text')!.index, 0x70]]);
});

test('func_stack_frame_non_standard: functions by symbol or by section offset; other types warn and continue', () => {
  const b = base();
  discard(b, 'func_stack_frame_non_standard', 5);
  const text = b.sectionSym('.text');
  const f = b.symbol('f', '.text', 0x10, { size: 0x20, type: STT_FUNC });
  b.symbol('g', '.text', 0x40, { size: 0x10, type: STT_FUNC, bind: STB_GLOBAL });
  b.symbol('empty', '.text', 0x60, { size: 0, type: STT_FUNC, bind: STB_GLOBAL });
  const obj = b.symbol('obj', '.text', 0x80, { size: 8, type: STT_OBJECT });
  b.rela('.discard.func_stack_frame_non_standard', [
    { offset: 0, type: R_X86_64_64, sym: f, addend: 0 },
    { offset: 8, type: R_X86_64_64, sym: obj, addend: 0 },
    { offset: 16, type: R_X86_64_64, sym: text, addend: 0x40 },
    { offset: 24, type: R_X86_64_64, sym: text, addend: 0x44 }, // no function starts here: skipped
    { offset: 32, type: R_X86_64_64, sym: text, addend: 0x60 }, // zero-sized function: not found
  ]);
  const elf = new ElfFile(b.build());
  const t = readAnnotation(elf, 'func_stack_frame_non_standard');
  const name = (s: number): string => elf.symtab!.name(s);
  assert.deepEqual(t.entries.map((e) => name(e.func)), ['f', 'g']);
  assert.equal(t.error, undefined);
  assert.deepEqual(t.warnings, [{ kind: 'plain', text: 'unexpected relocation symbol type in .rela.discard.func_stack_frame_non_standard: 1', sec: -1, off: -1, fatal: false }]);
});

test('instr_begin is not read when there is no instr_end table (objtool returns early)', () => {
  const b = base();
  discard(b, 'instr_begin', 1);
  b.rela('.discard.instr_begin', [{ offset: 0, type: R_X86_64_PC32, sym: b.sectionSym('.noinstr.text'), addend: 4 }]);
  const elf = new ElfFile(b.build());
  assert.equal(readAnnotation(elf, 'instr_begin').entries.length, 1);
  const all = readAnnotations(elf);
  assert.equal(all.instr_begin.entries.length, 0);
  assert.equal(all.instr_begin.relocSection, -1);

  const c = base();
  discard(c, 'instr_begin', 1);
  discard(c, 'instr_end', 1);
  const s = c.sectionSym('.noinstr.text');
  c.rela('.discard.instr_begin', [{ offset: 0, type: R_X86_64_PC32, sym: s, addend: 4 }]);
  c.rela('.discard.instr_end', [{ offset: 0, type: R_X86_64_PC32, sym: s, addend: 9 }]);
  const all2 = readAnnotations(new ElfFile(c.build()));
  assert.deepEqual([all2.instr_begin.entries[0].off, all2.instr_end.entries[0].off], [4, 9]);
});
