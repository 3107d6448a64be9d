/** The instruction table builder and its lookups, and per-section relocation order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InsnKind, OpDest, OpSrc } from '../../src/arch/arch.js';
import { ElfFile } from '../../src/elf/reader.js';
import { InsnTableBuilder, NO_TARGET, OP_WORDS, findInsn, findInsnContaining, opFields, opStartOf } from '../../src/program/insns.js';
import { SectionRelocs } from '../../src/program/relocs.js';
import { KernelElfBuilder, R_X86_64_PC32, SHF_ALLOC, SHF_EXECINSTR } from '../helpers/kernel-elf-builder.js';

test('rows, ops and section ranges survive growth', () => {
  const b = new InsnTableBuilder(4, 1); // starts at the minimum capacity: grows several times
  b.beginSection(1);
  for (let k = 0; k < 100; k++) {
    b.add(k * 2, 2, k % 3 === 0 ? InsnKind.Call : InsnKind.Other, k % 3 === 0 ? k * 2 + 10 : NO_TARGET, k & 0xff);
    if (k % 5 === 0) {
      b.addOp(OpDest.Push, 0, 0, OpSrc.Reg, k & 15, 0);
      b.addOp(OpDest.Reg, 4, 0, OpSrc.Add, 4, -k);
    }
  }
  b.beginSection(3);
  b.add(0, 1, InsnKind.Return, NO_TARGET, 0);
  const t = b.finish();
  assert.equal(t.count, 101);
  assert.deepEqual([t.secFirst[1], t.secRows[1], t.secFirst[3], t.secRows[3], t.secFirst[2]], [0, 100, 100, 1, -1]);
  assert.equal(t.ops.length, 20 * 2 * OP_WORDS);
  for (let k = 0; k < 100; k++) {
    assert.equal(t.off[k], k * 2);
    assert.equal(t.sec[k], 1);
    assert.equal(t.flags[k], k & 0xff);
    assert.equal(t.target[k], k % 3 === 0 ? k * 2 + 10 : NO_TARGET);
    assert.equal(t.opCount[k], k % 5 === 0 ? 2 : 0);
    if (k % 5 === 0) {
      const w = opStartOf(t, k) * OP_WORDS;
      assert.deepEqual([...opFields(t.ops, w), ...opFields(t.ops, w + OP_WORDS)],
        [OpDest.Push, 0, 0, OpSrc.Reg, k & 15, 0, OpDest.Reg, 4, 0, OpSrc.Add, 4, -k | 0]);
    }
  }
  assert.equal(t.kind[100], InsnKind.Return);
  assert.equal(t.sec[100], 3);
});

test('clearOps drops only the last row\'s ops', () => {
  const b = new InsnTableBuilder(2);
  b.beginSection(1);
  b.add(0, 1, InsnKind.Other, NO_TARGET, 0);
  b.addOp(OpDest.Push, 0, 0, OpSrc.Reg, 3, 0);
  b.add(1, 1, InsnKind.Other, NO_TARGET, 0);
  b.addOp(OpDest.Push, 0, 0, OpSrc.Reg, 5, 0);
  b.clearOps();
  b.add(2, 1, InsnKind.Other, NO_TARGET, 0);
  b.addOp(OpDest.Reg, 6, 0, OpSrc.Pop, 0, 0);
  const t = b.finish();
  assert.deepEqual(Array.from(t.opCount), [1, 0, 1]);
  assert.equal(opFields(t.ops, opStartOf(t, 0) * OP_WORDS)[4], 3);
  assert.equal(opFields(t.ops, opStartOf(t, 2) * OP_WORDS)[1], 6);
  assert.equal(t.ops.length, 2 * OP_WORDS);
});

test('findInsn / findInsnContaining within one section', () => {
  const b = new InsnTableBuilder(4);
  b.beginSection(1);
  b.add(0, 1, InsnKind.Other, NO_TARGET, 0);
  b.add(1, 3, InsnKind.Other, NO_TARGET, 0);
  b.add(4, 5, InsnKind.Call, 9, 0);
  b.beginSection(2);
  b.add(0, 2, InsnKind.Other, NO_TARGET, 0);
  const t = b.finish();
  assert.equal(findInsn(t, 1, 4), 2);
  assert.equal(findInsn(t, 1, 2), -1); // inside an instruction, not its start
  assert.equal(findInsn(t, 2, 0), 3);
  assert.equal(findInsn(t, 3, 0), -1); // section not decoded
  assert.equal(findInsnContaining(t, 1, 2), 1);
  assert.equal(findInsnContaining(t, 1, 8), 2);
  assert.equal(findInsnContaining(t, 1, 9), -1); // past the last instruction's bytes
  assert.equal(findInsnContaining(t, 2, 1), 3);
  assert.equal(findInsnContaining(t, 0, 0), -1);
});

test('relocations by offset: sorted, the later one of a shared offset first, range queries', () => {
  const b = new KernelElfBuilder();
  b.section('.text', new Uint8Array(0x40), { flags: SHF_ALLOC | SHF_EXECINSTR });
  const s = b.sectionSym('.text');
  b.rela('.text', [
    { offset: 0x20, type: R_X86_64_PC32, sym: s, addend: 0 }, // 0
    { offset: 0x08, type: R_X86_64_PC32, sym: s, addend: 1 }, // 1
    { offset: 0x20, type: R_X86_64_PC32, sym: s, addend: 2 }, // 2: same offset as 0, later in the file
    { offset: 0x10, type: R_X86_64_PC32, sym: s, addend: 3 }, // 3
  ]);
  const elf = new ElfFile(b.build());
  const r = new SectionRelocs(elf.relocsOf(elf.section('.text')!.index)!);
  assert.deepEqual(Array.from(r.order), [1, 3, 2, 0]);
  assert.deepEqual(Array.from(r.offsets), [0x08, 0x10, 0x20, 0x20]);
  assert.equal(r.inRange(0x1c, 5), 2);
  assert.equal(r.inRange(0x00, 8), -1); // [0, 8) ends before 8
  assert.equal(r.inRange(0x00, 9), 1);
  assert.equal(r.inRange(0x11, 0x0f), -1);
  assert.equal(r.inRange(0x21, 4), -1);
  assert.equal(r.lowerBound(0x09), 1);
});

test('a cleared builder starts rows without the ops of earlier ones', () => {
  const b = new InsnTableBuilder(3);
  b.beginSection(1);
  b.add(0, 1, InsnKind.Other, NO_TARGET, 0);
  b.addOp(OpDest.Push, 0, 0, OpSrc.Reg, 3, 0);
  b.add(1, 1, InsnKind.Other, NO_TARGET, 0);
  b.addOp(OpDest.Push, 0, 0, OpSrc.Reg, 5, 0);
  b.clear();
  b.beginSection(2);
  b.add(0, 2, InsnKind.Other, NO_TARGET, 0);
  b.add(2, 2, InsnKind.Other, NO_TARGET, 0);
  b.addOp(OpDest.Reg, 6, 0, OpSrc.Pop, 0, 0);
  const t = b.finish();
  assert.deepEqual(Array.from(t.opCount), [0, 1]);
  assert.deepEqual(Array.from(t.sec), [2, 2]);
  assert.deepEqual([t.secFirst[2], t.secRows[2]], [0, 2]);
});
