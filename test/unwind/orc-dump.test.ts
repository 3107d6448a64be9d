/**
 * dumpOrc against the real objtool's `--dump=orc` output of the committed fixtures, and on
 * synthetic objects whose expected text follows from tools/objtool/orc_dump.c by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ElfFile } from '../../src/elf/reader.js';
import { dumpOrc } from '../../src/unwind/orc-dump.js';
import { R_X86_64_PC32, SHF_ALLOC, SHF_EXECINSTR, STB_GLOBAL, STB_LOCAL, STT_FUNC, STT_SECTION } from '../../src/elf/constants.js';
import { buildElf, type BuildOptions } from '../helpers/elf-builder.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/elf/', import.meta.url));

for (const name of ['sample-gcc', 'sample-clang', 'sample-gcc-ibt', 'sample-asm']) {
  test(`${name}: same text as objtool --dump=orc`, () => {
    const path = `${dir}${name}.objtool.o`;
    const r = dumpOrc(new ElfFile(readFileSync(path)), path);
    assert.equal(r.stdout, readFileSync(`${dir}${name}.orc`, 'latin1'));
    assert.deepEqual([r.stderr, r.status], ['', 0]);
  });
}

test('an object without ORC prints nothing', () => {
  const path = `${dir}sample-gcc.o`;
  assert.deepEqual(dumpOrc(new ElfFile(readFileSync(path)), path), { stdout: '', stderr: '', status: 0 });
});

const ORC = Uint8Array.from([
  0x08, 0x00, 0x00, 0x00, 0x05, 0x02, // call sp:sp+8 bp:(und)
  0x10, 0x00, 0xf0, 0xff, 0x15, 0x02, // call sp:sp+16 bp:prevsp-16
  0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // end
]);

function orcObject(extra: Partial<BuildOptions> = {}): Uint8Array {
  return buildElf({
    sections: [
      { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: new Uint8Array(0x40) },
      { name: '.orc_unwind', flags: SHF_ALLOC, data: ORC, entsize: 6 },
      { name: '.orc_unwind_ip', flags: SHF_ALLOC, data: new Uint8Array(12), entsize: 4 },
    ],
    symbols: [
      { name: '', bind: STB_LOCAL, type: STT_SECTION, section: '.text' },
      { name: 'fn', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: 0x20, size: 0x20 },
    ],
    relocs: [
      { section: '.orc_unwind_ip', offset: 0, sym: 1, type: R_X86_64_PC32, addend: 0 },
      { section: '.orc_unwind_ip', offset: 4, sym: 'fn', type: R_X86_64_PC32, addend: 0x1a },
      { section: '.orc_unwind_ip', offset: 8, sym: 1, type: R_X86_64_PC32, addend: -1 },
    ],
    ...extra,
  }).bytes;
}

test('relocatable: SECTION+ADDEND for section symbols, SYMBOL+ADDEND otherwise, %llx of the addend', () => {
  const r = dumpOrc(new ElfFile(orcObject()), 'x.o');
  assert.equal(r.stdout,
    '.text+0:type:call sp:sp+8 bp:(und) signal:0\n' +
    'fn+1a:type:call sp:sp+16 bp:prevsp-16 signal:0\n' +
    '.text+ffffffffffffffff:type:end sp:(und) bp:(und) signal:0\n');
  assert.equal(r.status, 0);
});

test('big-endian: offsets byte-swapped, names the same', () => {
  const be = orcObject({ le: false, sections: [
    { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: new Uint8Array(0x40) },
    { name: '.orc_unwind', flags: SHF_ALLOC, data: Uint8Array.from([0, 8, 0, 0, 5, 2, 0, 0x10, 0xff, 0xf0, 0x15, 2, 0, 0, 0, 0, 0, 1]), entsize: 6 },
    { name: '.orc_unwind_ip', flags: SHF_ALLOC, data: new Uint8Array(12), entsize: 4 },
  ] });
  assert.equal(dumpOrc(new ElfFile(be), 'x.o').stdout, dumpOrc(new ElfFile(orcObject()), 'x.o').stdout);
});

test('linked: address = sh_addr of .orc_unwind_ip + 4*i + the signed entry', () => {
  const ip = Uint8Array.from([0x00, 0xf0, 0xff, 0xff, 0x10, 0x00, 0x00, 0x00, 0xfc, 0xff, 0xff, 0xff]);
  const bytes = buildElf({
    type: 2,
    sections: [
      { name: '.orc_unwind', flags: SHF_ALLOC, data: ORC, entsize: 6 },
      { name: '.orc_unwind_ip', flags: SHF_ALLOC, data: ip, entsize: 4, addr: 0xffffffff81002000 },
    ],
    symbols: [{ name: 'x', bind: STB_GLOBAL, type: STT_FUNC, section: 1 }],
  }).bytes;
  const r = dumpOrc(new ElfFile(bytes), 'vmlinux');
  // 0x...2000 - 0x1000; 0x...2004 + 0x10; 0x...2008 - 4
  assert.equal(r.stdout,
    'ffffffff81001000:type:call sp:sp+8 bp:(und) signal:0\n' +
    'ffffffff81002014:type:call sp:sp+16 bp:prevsp-16 signal:0\n' +
    'ffffffff81002004:type:end sp:(und) bp:(und) signal:0\n');
});

test('a .orc_unwind size that is not a multiple of 6 is objtool\'s warning and status 255', () => {
  const bytes = buildElf({
    sections: [
      { name: '.orc_unwind', flags: SHF_ALLOC, data: new Uint8Array(7) },
      { name: '.orc_unwind_ip', flags: SHF_ALLOC, data: new Uint8Array(4) },
    ],
    symbols: [{ name: 'x', bind: STB_GLOBAL, type: STT_FUNC, section: 1 }],
  }).bytes;
  assert.deepEqual(dumpOrc(new ElfFile(bytes), 'f.o'),
    { stdout: '', stderr: 'f.o: warning: objtool: bad .orc_unwind section size\n', status: 255 });
});

test('fewer relocations than entries: the lines before, then the libelf error', () => {
  const bytes = orcObject({ relocs: [{ section: '.orc_unwind_ip', offset: 0, sym: 1, type: R_X86_64_PC32, addend: 4 }] });
  const r = dumpOrc(new ElfFile(bytes), 'f.o');
  assert.equal(r.stdout, '.text+4:type:call sp:sp+8 bp:(und) signal:0\n');
  assert.equal(r.stderr, 'f.o: warning: objtool: gelf_getrela: invalid section index\n');
  assert.equal(r.status, 255);
});
