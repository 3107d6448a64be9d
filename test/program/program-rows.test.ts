/**
 * The program's row arrays: synthetic rows past the room the analysis arrays start with grow every
 * column alike (values kept, new rows initialised), and the direct-branch row list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InsnKind } from '../../src/arch/arch.js';
import { x86_64 } from '../../src/arch/x86/index.js';
import { ElfFile } from '../../src/elf/reader.js';
import { B, Program } from '../../src/program/program.js';
import { buildElf } from '../helpers/elf-builder.js';

const SHF_ALLOC = 2, SHF_EXECINSTR = 4, STT_FUNC = 2, STB_GLOBAL = 1;
// f: call f+5 (next insn); jne f; jmp f; ud2; ret
const TEXT = Uint8Array.from([0xe8, 0, 0, 0, 0, 0x75, 0xf9, 0xeb, 0xf7, 0x0f, 0x0b, 0xc3]);

function program(): { p: Program; sec: number } {
  const built = buildElf({
    machine: 62, type: 1,
    sections: [{ name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: TEXT, addr: 0, addralign: 16 }],
    symbols: [{ name: 'f', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: 0, size: TEXT.length }],
  });
  return { p: new Program(new ElfFile(built.bytes, 'rows.o'), x86_64), sec: built.index.get('.text')! };
}

test('direct branches are listed; ud2 is a dead end', () => {
  const { p } = program();
  assert.equal(p.count, 5);
  assert.deepEqual(Array.from(p.branchRows), [0, 1, 2]);
  assert.deepEqual([p.kind[0], p.kind[1], p.kind[2]], [InsnKind.Call, InsnKind.JumpCond, InsnKind.JumpUncond]);
  assert.ok((p.bits[3] & B.DeadEnd) !== 0);
});

test('thousands of synthetic rows: every column grows, real rows keep their values', () => {
  const { p, sec } = program();
  p.sym[4] = 7;
  p.cfi[4] = 3;
  p.setJumpTable(4, sec, 0);
  const rows: number[] = [];
  for (let k = 0; k < 5000; k++) {
    const i = p.addSynthetic(sec, 100 + k, 1, InsnKind.Nop);
    p.bits[i] |= B.Ignore;
    rows.push(i);
  }
  assert.equal(p.rows, p.count + 5000);
  assert.deepEqual([p.sym[4], p.cfi[4], p.hasJumpTable(4), p.off[4], p.kind[4]], [7, 3, true, 11, InsnKind.Return]);
  for (const i of rows) {
    assert.equal(p.off[i], 100 + i - p.count);
    assert.equal(p.kind[i], InsnKind.Nop);
    assert.equal(p.bits[i], B.Synthetic | B.Ignore);
    assert.deepEqual([p.sym[i], p.jumpDestOf(i), p.callDestOf(i), p.hasJumpTable(i), p.cfi[i], p.altGroupOf(i), p.instr[i]], [-1, -1, -1, false, -1, -1, 0]);
  }
  // synthetic rows are never found by offset, and real rows still are
  assert.equal(p.find(sec, 100), -1);
  assert.equal(p.find(sec, 11), 4);
  for (const a of [p.sym, p.dest, p.cfi, p.altTag, p.bits, p.instr, p.sec, p.off, p.len, p.kind, p.opPre, p.opCount]) {
    assert.ok(a.length >= p.rows);
  }
});
