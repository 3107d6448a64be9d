import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfFile } from '../../src/elf/reader.js';
import { OrcReg, readUnwindHints, UNWIND_HINT_TYPE_NAMES, UnwindHintType, x86HintCfaBase } from '../../src/kernel/unwind-hints.js';
import { Bytes, KernelElfBuilder, R_X86_64_PC32, SHF_ALLOC, SHF_EXECINSTR, STB_GLOBAL, STT_FUNC } from '../helpers/kernel-elf-builder.js';

/** struct unwind_hint: u32 ip, s16 sp_offset, u8 sp_reg, u8 type, u8 signal, 3 bytes padding */
function hint(b: Bytes, spOffset: number, spReg: number, type: number, signal: number): void {
  b.u32(0).i16(spOffset).u8(spReg).u8(type).u8(signal).zeros(3);
}

function builder(hints: Bytes): KernelElfBuilder {
  const b = new KernelElfBuilder();
  b.section('.entry.text', new Uint8Array(0x100), { flags: SHF_ALLOC | SHF_EXECINSTR });
  b.section('.discard.unwind_hints', hints.bytes(), { flags: 0 });
  return b;
}

test('hints: fields, targets through section symbols and .L labels, register mapping', () => {
  const h = new Bytes();
  hint(h, -8, OrcReg.Sp, UnwindHintType.Regs, 1);
  hint(h, 0xa0, OrcReg.SpIndirect, UnwindHintType.RegsPartial, 0);
  hint(h, 0, 0, UnwindHintType.Save, 0);
  hint(h, 16, OrcReg.PrevSp, UnwindHintType.Call, 0);
  const b = builder(h);
  const s = b.sectionSym('.entry.text');
  const l = b.symbol('.Lhere_7', '.entry.text', 0x48);
  b.rela('.discard.unwind_hints', [
    { offset: 0, type: R_X86_64_PC32, sym: s, addend: 0x10 },
    { offset: 12, type: R_X86_64_PC32, sym: l, addend: 99 },
    { offset: 24, type: R_X86_64_PC32, sym: s, addend: 0x50 },
    { offset: 36, type: R_X86_64_PC32, sym: s, addend: 0x58 },
  ]);
  const elf = new ElfFile(b.build());
  const sec = elf.section('.entry.text')!.index;
  const r = readUnwindHints(elf);
  assert.equal(r.error, undefined);
  assert.equal(r.section, elf.section('.discard.unwind_hints')!.index);
  assert.deepEqual(r.hints.map((x) => [x.index, x.sec, x.off, x.spOffset, x.spReg, x.type, x.signal, x.cfaBase]), [
    [0, sec, 0x10, -8, 5, 3, 1, 4],
    [1, sec, 0x48, 0xa0, 9, 4, 0, -3],
    [2, sec, 0x50, 0, 0, 6, 0, -1],
    [3, sec, 0x58, 16, 1, 2, 0, undefined],
  ]);
  assert.equal(UNWIND_HINT_TYPE_NAMES[r.hints[1].type], 'UNWIND_HINT_TYPE_REGS_PARTIAL');
  assert.equal(x86HintCfaBase(OrcReg.BpIndirect), undefined);
  assert.equal(x86HintCfaBase(OrcReg.R13), 13);
});

test('hint errors: missing relocation section, size, missing relocation, bad symbol type', () => {
  const h = new Bytes();
  hint(h, 0, 5, 2, 0);
  let r = readUnwindHints(new ElfFile(builder(h).build()));
  assert.deepEqual(r.error, { kind: 'plain', text: 'missing .rela.discard.unwind_hints section', sec: -1, off: -1, fatal: true });

  const odd = new Bytes();
  hint(odd, 0, 5, 2, 0);
  odd.u32(0);
  const b1 = builder(odd);
  b1.rela('.discard.unwind_hints', [{ offset: 0, type: R_X86_64_PC32, sym: b1.sectionSym('.entry.text'), addend: 0 }]);
  r = readUnwindHints(new ElfFile(b1.build()));
  assert.equal(r.error?.text, 'struct unwind_hint size mismatch');

  const two = new Bytes();
  hint(two, 0, 5, 2, 0);
  hint(two, 0, 5, 2, 0);
  const b2 = builder(two);
  b2.rela('.discard.unwind_hints', [{ offset: 0, type: R_X86_64_PC32, sym: b2.sectionSym('.entry.text'), addend: 0 }]);
  r = readUnwindHints(new ElfFile(b2.build()));
  assert.equal(r.hints.length, 1);
  assert.equal(r.error?.text, 'can\'t find reloc for unwind_hints[1]');

  const b3 = builder(two);
  const f = b3.symbol('func', '.entry.text', 0, { size: 8, type: STT_FUNC, bind: STB_GLOBAL });
  b3.rela('.discard.unwind_hints', [
    { offset: 0, type: R_X86_64_PC32, sym: b3.sectionSym('.entry.text'), addend: 0 },
    { offset: 12, type: R_X86_64_PC32, sym: f, addend: 0 },
  ]);
  r = readUnwindHints(new ElfFile(b3.build()));
  assert.equal(r.hints.length, 1);
  assert.equal(r.error?.text, 'unexpected relocation symbol type in .rela.discard.unwind_hints');
});

test('big-endian files: sp_offset read in file byte order', () => {
  const h = new Bytes(false);
  hint(h, -0x1234, 5, 2, 0);
  const b = new KernelElfBuilder(62, true);
  b.section('.text', new Uint8Array(0x10), { flags: SHF_ALLOC | SHF_EXECINSTR });
  b.section('.discard.unwind_hints', h.bytes(), { flags: 0 });
  b.rela('.discard.unwind_hints', [{ offset: 0, type: R_X86_64_PC32, sym: b.sectionSym('.text'), addend: 4 }]);
  const r = readUnwindHints(new ElfFile(b.build()));
  assert.deepEqual([r.hints[0].spOffset, r.hints[0].off], [-0x1234, 4]);
});
