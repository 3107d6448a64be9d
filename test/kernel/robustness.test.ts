import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfFile } from '../../src/elf/reader.js';
import { isFormatError } from '../../src/elf/errors.js';
import { readKernelInputs } from '../../src/kernel/inputs.js';
import { Bytes, KernelElfBuilder, R_X86_64_PC32, SHF_ALLOC, SHF_EXECINSTR } from '../helpers/kernel-elf-builder.js';

function sample(): Uint8Array {
  const b = new KernelElfBuilder();
  b.section('.text', new Uint8Array(0x40), { flags: SHF_ALLOC | SHF_EXECINSTR });
  const alt = new Bytes();
  alt.u32(0).u32(0).u16(308).u16(0).u8(3).u8(3);
  b.section('.altinstructions', alt.bytes());
  b.section('__jump_table', new Uint8Array(16));
  b.section('.discard.unwind_hints', new Uint8Array(12));
  b.section('.discard.reachable', new Uint8Array(4));
  const t = b.sectionSym('.text');
  const l = b.symbol('.Lx', '.text', 8);
  b.rela('.altinstructions', [{ offset: 0, type: R_X86_64_PC32, sym: t, addend: 1 }, { offset: 4, type: R_X86_64_PC32, sym: t, addend: 2 }]);
  b.rela('__jump_table', [{ offset: 0, type: R_X86_64_PC32, sym: t, addend: 1 }, { offset: 4, type: R_X86_64_PC32, sym: t, addend: 2 }, { offset: 8, type: 24, sym: t, addend: 3 }]);
  b.rela('.discard.unwind_hints', [{ offset: 0, type: R_X86_64_PC32, sym: l, addend: 0 }]);
  b.rela('.discard.reachable', [{ offset: 0, type: R_X86_64_PC32, sym: t, addend: 4 }]);
  return b.build();
}

test('mutated files: readers return or throw FormatError, nothing else', () => {
  const good = sample();
  const ok = readKernelInputs(new ElfFile(good), { uaccess: true });
  assert.equal(ok.special.alts.length, 2);
  assert.equal(ok.hints.hints.length, 1);
  let seed = 12345;
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  let formatErrors = 0;
  for (let iter = 0; iter < 400; iter++) {
    const bytes = good.slice();
    const flips = 1 + rand(8);
    for (let k = 0; k < flips; k++) bytes[64 + rand(bytes.length - 64)] = rand(256);
    try {
      readKernelInputs(new ElfFile(bytes), { uaccess: iter % 2 === 0 });
    } catch (e) {
      if (!isFormatError(e)) throw e;
      formatErrors++;
    }
  }
  assert.ok(formatErrors < 400);
});
