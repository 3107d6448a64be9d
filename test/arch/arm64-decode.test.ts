/**
 * AArch64 decoder against hand-derived vectors (test/fixtures/arm64/vectors.txt: the words come
 * from an assembler, the expected kind/target/flags/ops from the Arm ARM; see vectors.s).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { INSN_KIND_NAMES, InsnFlag, InsnKind, OpDest, OpSrc } from '../../src/arch/arch.js';
import { aarch64, decodeOperands, disassembleWord, Extend, OperandForm } from '../../src/arch/arm64/index.js';
import { InsnTableBuilder, NO_TARGET, OP_WORDS, opFields, opStartOf, type InsnTable } from '../../src/program/insns.js';

const BASE = 0x10000;
const vectorsUrl = new URL('../../../test/fixtures/arm64/vectors.txt', import.meta.url);

function decodeWords(words: readonly number[], addr = BASE): InsnTable {
  const bytes = new Uint8Array(words.length * 4);
  const dv = new DataView(bytes.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  const b = new InsnTableBuilder(4, 16);
  aarch64.decodeSection(bytes, 1, addr, b);
  return b.finish();
}

function reg(r: number): string {
  return r === 31 ? 'sp' : `x${r}`;
}

function mem(r: number, off: number): string {
  return `[${reg(r)}${off < 0 ? '-' + -off : '+' + off}]`;
}

function formatOps(t: InsnTable, row: number): string {
  const parts: string[] = [];
  for (let k = 0; k < t.opCount[row]; k++) {
    const o = (opStartOf(t, row) + k) * OP_WORDS;
    const [dt, dr, doff, st, sr, soff] = opFields(t.ops, o);
    let dest: string;
    if (dt === OpDest.Reg) dest = reg(dr);
    else if (dt === OpDest.RegIndirect) dest = mem(dr, doff);
    else dest = `dest${dt}`;
    let src: string;
    if (st === OpSrc.Reg) src = reg(sr);
    else if (st === OpSrc.Const) src = '?';
    else if (st === OpSrc.RegIndirect) src = mem(sr, soff);
    else if (st === OpSrc.Add) src = `${reg(sr)}${soff < 0 ? '-' + -soff : '+' + soff}`;
    else if (st === OpSrc.And) src = `${reg(sr)}&${soff}`;
    else src = `src${st}`;
    parts.push(`${dest}=${src}`);
  }
  return parts.length ? parts.join('; ') : '-';
}

const FLAG_NAMES: [number, string][] = [
  [InsnFlag.PcRel, 'pcrel'], [InsnFlag.SpSource, 'spsrc'], [InsnFlag.PacSign, 'pacsign'],
  [InsnFlag.PacAuth, 'pacauth'], [InsnFlag.Landing, 'landing'], [InsnFlag.ClobbersTracked, 'clobbers'],
  [InsnFlag.Padding, 'padding'],
];

function formatRow(t: InsnTable, row: number): string {
  const kind = INSN_KIND_NAMES[t.kind[row]];
  let target = '-';
  if (t.flags[row] & InsnFlag.HasTarget) {
    const rel = t.target[row] - BASE;
    target = rel < 0 ? `.-0x${(-rel).toString(16)}` : `.+0x${rel.toString(16)}`;
  } else {
    assert.equal(t.target[row], NO_TARGET);
  }
  const flags = FLAG_NAMES.filter(([f]) => t.flags[row] & f).map(([, n]) => n).join(',') || '-';
  return [kind, target, flags, formatOps(t, row)].join(' | ');
}

const vectors = readFileSync(vectorsUrl, 'utf8').split('\n').filter((l) => l.trim() !== '').map((line) => {
  const cols = line.split(' | ');
  return { word: parseInt(cols[0], 16), expected: cols.slice(1, 5).join(' | '), asm: cols[5] };
});

test('vectors file is present and covers the classes', () => {
  assert.ok(vectors.length > 200);
});

for (const v of vectors) {
  test(`${v.word.toString(16).padStart(8, '0')} ${v.asm}`, () => {
    const t = decodeWords([v.word]);
    assert.equal(t.count, 1);
    assert.equal(t.len[0], 4);
    assert.equal(t.off[0], 0);
    assert.equal(formatRow(t, 0), v.expected);
  });
}

test('rows follow the words; targets are relative to each word; a ragged tail is one invalid row', () => {
  // b .+8 ; nop ; bl .-8 ; then 2 stray bytes
  const bytes = new Uint8Array([0x02, 0, 0, 0x14, 0x1f, 0x20, 0x03, 0xd5, 0xfe, 0xff, 0xff, 0x97, 0xaa, 0xbb]);
  const b = new InsnTableBuilder(8, 4);
  aarch64.decodeSection(bytes, 5, 0x400000, b);
  const t = b.finish();
  assert.equal(t.count, 4);
  assert.deepEqual(Array.from(t.off), [0, 4, 8, 12]);
  assert.deepEqual(Array.from(t.len), [4, 4, 4, 2]);
  assert.deepEqual(Array.from(t.kind), [InsnKind.JumpUncond, InsnKind.Nop, InsnKind.Call, InsnKind.Invalid]);
  assert.equal(t.target[0], 0x400008);
  assert.equal(t.target[2], 0x400000);
  assert.equal(t.secFirst[5], 0);
  assert.equal(t.secRows[5], 4);
  assert.deepEqual(Array.from(t.sec), [5, 5, 5, 5]);
});

test('an unaligned view of the section decodes the same words', () => {
  const raw = new Uint8Array([0, 0xfd, 0x7b, 0xbf, 0xa9, 0xc0, 0x03, 0x5f, 0xd6]); // stp x29, x30, [sp, #-16]!; ret
  const b = new InsnTableBuilder(2, 4);
  aarch64.decodeSection(raw.subarray(1), 1, 0, b);
  const t = b.finish();
  assert.equal(t.count, 2);
  assert.equal(t.opCount[0], 3);
  assert.equal(t.kind[1], InsnKind.Return);
});

test('registers by role and entry state', () => {
  const r = aarch64.regs;
  assert.equal(r.count, 32);
  assert.equal(r.sp, 31);
  assert.equal(r.fp, 29);
  assert.equal(r.ra, 30);
  assert.equal(r.names[31], 'sp');
  assert.equal(r.names[29], 'x29');
  assert.equal(r.dwarf[31], 31);
  assert.equal(r.dwarf[30], 30);
  assert.deepEqual(r.calleeSaved.map((s, i) => (s ? i : -1)).filter((i) => i >= 0), [19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
  assert.deepEqual(aarch64.entryCfa, { base: 31, offset: 0 });
  assert.equal(aarch64.entryRegs.length, 32);
  assert.ok(aarch64.entryRegs.every((e) => e.base === -1 && e.offset === 0));
  assert.equal(aarch64.callPushesRa, false);
  assert.equal(aarch64.machine, 183);
});

test('disassembly reads like objdump for branch and stack instructions', () => {
  // texts as aarch64-linux-gnu-objdump prints these words (targets without the <symbol> suffix)
  const cases: [number, number, string][] = [
    [0xa9bf7bfd, 0, 'stp\tx29, x30, [sp, #-16]!'],
    [0xa8c17bfd, 0, 'ldp\tx29, x30, [sp], #16'],
    [0xa9015ff6, 0, 'stp\tx22, x23, [sp, #16]'],
    [0x910003fd, 0, 'mov\tx29, sp'],
    [0xd10083ff, 0, 'sub\tsp, sp, #0x20'],
    [0xf81f0ffe, 0, 'str\tx30, [sp, #-16]!'],
    [0xf85f83bd, 0, 'ldur\tx29, [x29, #-8]'],
    [0xd65f03c0, 0, 'ret'],
    [0xd65f0bff, 0, 'retaa'],
    [0xd503233f, 0, 'paciasp'],
    [0xd503245f, 0, 'bti\tc'],
    [0x94000010, 0x1000, 'bl\t1040'],
    [0x54ffff81, 0x1000, 'b.ne\tff0'],
    [0xb4000060, 0x2000, 'cbz\tx0, 200c'],
    [0x37080041, 0x0, 'tbnz\tw1, #1, 8'],
    [0xd61f0200, 0, 'br\tx16'],
    [0xd4210000, 0, 'brk\t#0x800'],
    [0xd4000001, 0, 'svc\t#0x0'],
  ];
  for (const [w, addr, text] of cases) assert.equal(disassembleWord(w, addr), text, w.toString(16));
  const bytes = new Uint8Array([0xfd, 0x7b, 0xbf, 0xa9]);
  assert.equal(aarch64.disassemble?.(bytes, 0, 0), 'stp\tx29, x30, [sp, #-16]!');
});

test('operand fields for jump-table idioms', () => {
  // adrp x1, <page + 3 pages> at 0x10ffc
  let o = decodeOperands(0xf0000001, 0x10ffc); // adrp x1, immlo=3: objdump at 0xffc shows page 0x3000
  assert.equal(o.form, OperandForm.Adrp);
  assert.equal(o.rd, 1);
  assert.equal(o.imm, 0x10000 + 3 * 4096);
  // add x1, x1, #0x230
  o = decodeOperands(0x9108c021, 0);
  assert.equal(o.form, OperandForm.AddImm);
  assert.deepEqual([o.rd, o.rn, o.imm, o.sub, o.setsFlags], [1, 1, 0x230, false, false]);
  // ldrb w0, [x1, w0, uxtw]
  o = decodeOperands(0x38604820, 0);
  assert.equal(o.form, OperandForm.LoadRegOffset);
  assert.deepEqual([o.rd, o.rn, o.rm, o.extend, o.amount, o.accessSize, o.signExtend, o.width], [0, 1, 0, Extend.Uxtw, 0, 1, false, 32]);
  // ldrsw x0, [x1, w0, uxtw #2]
  o = decodeOperands(0xb8a05820, 0);
  assert.equal(o.form, OperandForm.LoadRegOffset);
  assert.deepEqual([o.extend, o.amount, o.accessSize, o.signExtend, o.width], [Extend.Uxtw, 2, 4, true, 64]);
  // ldrh w0, [x1, x0, lsl #1]
  o = decodeOperands(0x78607820, 0);
  assert.deepEqual([o.form, o.extend, o.amount, o.accessSize], [OperandForm.LoadRegOffset, Extend.Lsl, 1, 2]);
  // add x0, x1, w0, sxtb #2
  o = decodeOperands(0x8b208820, 0);
  assert.deepEqual([o.form, o.rd, o.rn, o.rm, o.extend, o.amount], [OperandForm.AddExtReg, 0, 1, 0, Extend.Sxtb, 2]);
  // add x0, x1, x0, lsl #2
  o = decodeOperands(0x8b000820, 0);
  assert.deepEqual([o.form, o.extend, o.amount], [OperandForm.AddShiftReg, Extend.Lsl, 2]);
  // cmp w0, #0x9 (subs wzr, w0, #9)
  o = decodeOperands(0x7100241f, 0);
  assert.deepEqual([o.form, o.rd, o.rn, o.imm, o.sub, o.setsFlags, o.width], [OperandForm.AddImm, 31, 0, 9, true, true, 32]);
  // b.hi .+0x20 at 0x100
  o = decodeOperands(0x54000108, 0x100);
  assert.deepEqual([o.form, o.cond, o.target], [OperandForm.BCond, 8, 0x120]);
  // cbnz x3, .-8 at 0x100
  o = decodeOperands(0xb5ffffc3, 0x100);
  assert.deepEqual([o.form, o.rd, o.nonZero, o.target, o.width], [OperandForm.CompareBranch, 3, true, 0xf8, 64]);
  // tbz w2, #5, .+0x10
  o = decodeOperands(0x36280082, 0);
  assert.deepEqual([o.form, o.rd, o.bit, o.nonZero, o.target], [OperandForm.TestBranch, 2, 5, false, 0x10]);
  // br x1, braaz x1
  assert.deepEqual([decodeOperands(0xd61f0020, 0).form, decodeOperands(0xd61f0020, 0).rn], [OperandForm.BranchReg, 1]);
  assert.equal(decodeOperands(0xd61f083f, 0).form, OperandForm.BranchReg);
  // ldr x2, [x1, #16]; ldr w0, [x1], #4 (post-index reads at x1)
  o = decodeOperands(0xf9400822, 0);
  assert.deepEqual([o.form, o.rd, o.rn, o.imm, o.accessSize, o.writeBack], [OperandForm.LoadImm, 2, 1, 16, 8, false]);
  o = decodeOperands(0xb8404420, 0);
  assert.deepEqual([o.form, o.imm, o.writeBack, o.accessSize], [OperandForm.LoadImm, 0, true, 4]);
  // str x0, [x1] is not a load
  assert.equal(decodeOperands(0xf9000020, 0).form, OperandForm.Unknown);
});
