/**
 * LSDA call-site tables (.gcc_except_table) of the committed C++ fixtures
 * (test/fixtures/verify/make-landing-pads.sh). Expected records were decoded by hand from
 * `readelf -x .gcc_except_table` (LPStart omitted, call-site encoding uleb128: start, length,
 * landing pad, action, relative to the FDE start) and checked against `objdump -d`: every range
 * covers one call (`call`/`bl`, 5 or 4 bytes) and every landing pad is the first instruction of a
 * cleanup or catch dispatch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ElfFile } from '../../src/elf/reader.js';
import { FormatError } from '../../src/elf/errors.js';
import { LsdaReader, readCfi } from '../../src/dwarf/index.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));

/** FDE (section, start) -> call sites with a landing pad: [range start, range end, landing pad]. */
const EXPECTED: Record<string, Record<string, [number, number, number][]>> = {
  'landing-pads-x86-64.o': {
    // cleanup_only: call may_throw at 0xa, pad 0x1b (mov %rax,%rdi; jmp to the .cold cleanup)
    '.text+0x0': [[0xa, 0xf, 0x1b]],
    '.text.unlikely+0x0': [], // the cold part's _Unwind_Resume call: no pad
    '.text+0x30': [[0x34, 0x39, 0x40]],
    '.text.unlikely+0xc': [],
    '.text+0x50': [[0xbb, 0xc0, 0xc9]],
    '.text.unlikely+0x1e': [],
    '.text+0xe0': [[0xef, 0xf4, 0x10c], [0xf7, 0xfc, 0x114]],
    // the cold part of nested(): a pad at +1 (GCC puts a nop first, 0 would mean "no pad")
    '.text.unlikely+0x6b': [[0x87, 0x91, 0xad], [0x9e, 0xa3, 0x6c]],
  },
  'landing-pads-aarch64.o': {
    '.text+0x0': [[0x24, 0x28, 0x44]],
    '.text+0x54': [[0x5c, 0x60, 0x6c]],
    '.text+0x80': [[0xc4, 0xc8, 0xd4]],
    // two-byte uleb128 landing pads (0x90, 0xb8)
    '.text+0x120': [[0x144, 0x148, 0x16c], [0x14c, 0x150, 0x18c], [0x184, 0x18c, 0x1b0], [0x19c, 0x1a0, 0x1d8]],
  },
};

for (const [file, want] of Object.entries(EXPECTED)) {
  test(`LSDA call sites of ${file}`, () => {
    const elf = new ElfFile(new Uint8Array(readFileSync(dir + file)));
    const cfi = readCfi(elf, 'eh_frame');
    assert.ok(cfi);
    const rd = new LsdaReader(elf);
    const got: Record<string, [number, number, number][]> = {};
    for (const fde of cfi.fdes) {
      assert.ok(fde.lsda, 'every FDE of the fixture has an LSDA');
      const n = rd.read(cfi, fde);
      const l: [number, number, number][] = [];
      for (let k = 0; k < n; k++) l.push([rd.csStart[k], rd.csEnd[k], rd.landingPad[k]]);
      got[`${elf.sections[fde.pcSec].name}+0x${fde.pcBegin.toString(16)}`] = l;
    }
    assert.deepEqual(got, want);
  });
}

test('LSDA reader: truncated or bad tables are FormatErrors, never reads past the section', () => {
  const elf = new ElfFile(new Uint8Array(readFileSync(dir + 'landing-pads-x86-64.o')));
  const cfi = readCfi(elf, 'eh_frame');
  assert.ok(cfi);
  const sec = elf.section('.gcc_except_table');
  assert.ok(sec);
  const bytes = elf.sectionData(sec);
  const saved = Uint8Array.from(bytes);
  const fde = cfi.fdes[0];
  const rd = new LsdaReader(elf);
  try {
    // call-site table length far past the section end
    bytes.set([0xff, 0xff, 0x01, 0xff, 0x7f], 0);
    assert.throws(() => rd.read(cfi, fde), FormatError);
    // a call-site encoding with an application (pcrel) is not a plain offset
    bytes.set([0xff, 0xff, 0x11, 0x04], 0);
    assert.throws(() => rd.read(cfi, fde), FormatError);
    // an unterminated uleb128 running to the section end
    bytes.set([0xff, 0xff, 0x01], 0);
    bytes.fill(0x80, 3);
    assert.throws(() => rd.read(cfi, fde), FormatError);
  } finally {
    bytes.set(saved);
  }
  assert.equal(rd.read(cfi, fde), 1);
});
