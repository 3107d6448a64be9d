/**
 * Linked files: function starts re-synchronise the x86 decoder. Zero fill between functions
 * (libLLVM-14's .text has it) decodes as `add %al,(%rax)` pairs; an odd number of zero bytes
 * swallows the next function's first byte, and the decoder would never again see that function's
 * instructions. Relocatable objects keep objtool's plain linear decode.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InsnFlag, InsnKind } from '../../src/arch/arch.js';
import { x86_64 } from '../../src/arch/x86/index.js';
import { ElfFile } from '../../src/elf/reader.js';
import { Program } from '../../src/program/program.js';
import { buildElf } from '../helpers/elf-builder.js';

const SHF_ALLOC = 2, SHF_EXECINSTR = 4, STT_FUNC = 2, STB_GLOBAL = 1;
// f1: ret; three zero bytes of fill; f2 at +4: push %rbp; mov %rsp,%rbp; pop %rbp; ret
const TEXT = Uint8Array.from([0xc3, 0x00, 0x00, 0x00, 0x55, 0x48, 0x89, 0xe5, 0x5d, 0xc3]);

function program(type: number): { p: Program; sec: number } {
  const addr = type === 1 ? 0 : 0x1000;
  const built = buildElf({
    machine: 62, type,
    sections: [{ name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: TEXT, addr, addralign: 16 }],
    symbols: [
      { name: 'f1', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: addr, size: 1 },
      { name: 'f2', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: addr + 4, size: 6 },
    ],
  });
  const elf = new ElfFile(built.bytes, 'anchors.so');
  return { p: new Program(elf, x86_64, false, type !== 1), sec: built.index.get('.text')! };
}

test('shared library: the function after odd zero fill decodes from its first byte', () => {
  const { p, sec } = program(3);
  const fill = p.find(sec, 3);
  assert.ok(fill >= 0, 'a row for the fill byte before f2');
  assert.equal(p.kind[fill], InsnKind.Invalid);
  assert.ok((p.flags[fill] & InsnFlag.Padding) !== 0, 'the cut instruction is padding');
  assert.equal(p.len[fill], 1);
  const f2 = p.find(sec, 4);
  assert.ok(f2 >= 0, 'f2 starts a row');
  assert.deepEqual([4, 5, 8, 9].map((o) => p.find(sec, o) >= 0), [true, true, true, true]);
  assert.equal(p.kind[p.find(sec, 9)], InsnKind.Return);
});

test('relocatable object: linear decode as objtool does it (the fill swallows f2\'s first byte)', () => {
  const { p, sec } = program(1);
  assert.equal(p.find(sec, 4), -1);
  assert.ok(p.find(sec, 3) >= 0);
  assert.notEqual(p.kind[p.find(sec, 3)], InsnKind.Invalid);
});
