/**
 * x86-64 decoder vectors. Each line: `hex bytes | kind | target | stack ops | flags`.
 * Expectations are read off objtool 6.12's tools/objtool/arch/x86/decode.c
 * (arch_decode_instruction), case by case; the instruction is decoded alone in a section whose
 * address is 0x1000, so targets are 0x1000 + length + displacement.
 *
 * Ops: `dest<-src`, several separated by `;`. dest: reg:R, ind:R:off, mem, push, pushf.
 * src: reg:R, ind:R:off, const, pop, popf, add:R:off, and:R:off.
 * Deliberate departure from objtool: `syscall` (0f 05) is our `syscall` kind; objtool files it
 * under CONTEXT_SWITCH with sysret/sysenter/sysexit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CfiBase, INSN_KIND_NAMES, InsnFlag, OpDest, OpSrc } from '../../src/arch/arch.js';
import { x86_64 } from '../../src/arch/x86/index.js';
import { InsnTableBuilder, NO_TARGET, OP_WORDS, opFields, opStartOf, type InsnTable } from '../../src/program/insns.js';

const VECTORS = `
# 0x01 / 0x29: add/sub reg,%rsp only with REX.W and r/m = %rsp (register form); recorded as ADD of the reg
01 c4                         | other | - |                      |
48 01 c4                      | other | - | reg:sp<-add:ax:0     |
48 29 c4                      | other | - | reg:sp<-add:ax:0     |
4c 01 e4                      | other | - | reg:sp<-add:r12:0    |
49 01 c4                      | other | - |                      |
48 01 04 24                   | other | - |                      |
# 0x50..0x5f push/pop reg (REX.B extends)
55                            | other | - | push<-reg:bp         |
41 57                         | other | - | push<-reg:r15        |
5d                            | other | - | reg:bp<-pop          |
41 5c                         | other | - | reg:r12<-pop         |
# push imm
6a 00                         | other | - | push<-const          |
68 00 01 00 00                | other | - | push<-const          |
# jcc rel8
74 05                         | jcc | 1007 |                      |
7f fe                         | jcc | 1000 |                      |
# 0x80..0x83: REX.W, r/m register %rsp, /0 add, /5 sub (negated), /4 and; others ignored
48 83 ec 18                   | other | - | reg:sp<-add:sp:-24   |
48 83 c4 18                   | other | - | reg:sp<-add:sp:24    |
48 83 c4 80                   | other | - | reg:sp<-add:sp:-128  |
48 81 ec 00 01 00 00          | other | - | reg:sp<-add:sp:-256  |
48 81 c4 80 00 00 00          | other | - | reg:sp<-add:sp:128   |
48 81 ec 00 00 00 80          | other | - | reg:sp<-add:sp:-2147483648 |
48 83 e4 f0                   | other | - | reg:sp<-and:sp:-16   |
48 81 e4 00 f0 ff ff          | other | - | reg:sp<-and:sp:-4096 |
83 ec 10                      | other | - |                      |
48 83 ed 10                   | other | - |                      |
48 83 fc 10                   | other | - |                      |
48 83 cc 01                   | other | - |                      |
49 83 ec 08                   | other | - |                      |
f0 48 83 04 24 00             | other | - |                      |
# 0x89 mov reg,r/m (REX.W only)
48 89 e5                      | other | - | reg:bp<-reg:sp       |
48 89 ec                      | other | - | reg:sp<-reg:bp       |
4c 89 e7                      | other | - | reg:di<-reg:r12      |
89 e5                         | other | - |                      |
48 89 65 f0                   | other | - | ind:bp:-16<-reg:sp   |
48 89 63 08                   | other | - | ind:bx:8<-reg:sp     |
48 89 64 24 08                | other | - | ind:sp:8<-reg:sp     |
48 89 5d f8                   | other | - | ind:bp:-8<-reg:bx    |
48 89 5c 24 08                | other | - | ind:sp:8<-reg:bx     |
48 89 1c 24                   | other | - | ind:sp:0<-reg:bx     |
4c 89 64 24 f0                | other | - | ind:sp:-16<-reg:r12  |
48 89 1d 00 00 00 00          | other | - |                      | pcrel
48 89 5c 04 08                | other | - |                      |
48 89 43 08                   | other | - |                      |
49 89 44 24 08                | other | - |                      |
89 5d f8                      | other | - |                      |
# 0x88 mov reg8,r/m8: objtool still records it as a store when REX.W is set
48 88 5d f8                   | other | - | ind:bp:-8<-reg:bx    |
88 5d f8                      | other | - |                      |
# 0x8b mov r/m,reg: only loads relative to %rbp/%rsp; the register form is ignored
48 8b 5d f8                   | other | - | reg:bx<-ind:bp:-8    |
48 8b 44 24 10                | other | - | reg:ax<-ind:sp:16    |
48 8b 04 24                   | other | - | reg:ax<-ind:sp:0     |
4c 8b 65 f8                   | other | - | reg:r12<-ind:bp:-8   |
48 8b ec                      | other | - |                      |
8b 45 f8                      | other | - |                      |
48 8b 05 00 00 00 00          | other | - |                      | pcrel
48 8b 44 04 08                | other | - |                      |
49 8b 45 f8                   | other | - |                      |
# 0x8d lea: REX.W, not rip-relative, no real index; zero displacement is a plain copy
48 8d 65 f0                   | other | - | reg:sp<-add:bp:-16   |
48 8d 6c 24 10                | other | - | reg:bp<-add:sp:16    | spsrc
48 8d 2c 24                   | other | - | reg:bp<-reg:sp       | spsrc
4c 8d 54 24 08                | other | - | reg:r10<-add:sp:8    | spsrc
48 8d 43 08                   | other | - | reg:ax<-add:bx:8     |
49 8d 64 24 08                | other | - | reg:sp<-add:r12:8    |
48 8d 05 00 00 00 00          | other | - |                      | pcrel
8d 44 24 08                   | other | - |                      |
48 8d 04 c5 00 00 00 00       | other | - |                      |
# 0x8f pop r/m
8f 45 f8                      | other | - | mem<-pop             |
8f 04 24                      | other | - | mem<-pop             |
# 0x90 is a NOP whatever the prefixes (objtool ignores REX: xchg %eax,%r8d too)
90                            | nop | - |                      |
f3 90                         | nop | - |                      |
66 90                         | nop | - |                      |
41 90                         | nop | - |                      |
# pushf / popf
9c                            | other | - | pushf<-const         |
9d                            | other | - | mem<-popf            |
# 0f 01: clac/stac; with a rep prefix, ca is eretu/erets
0f 01 ca                      | clac | - |                      |
0f 01 cb                      | stac | - |                      |
f3 0f 01 ca                   | ctxsw | - |                      |
f2 0f 01 ca                   | ctxsw | - |                      |
0f 01 d0                      | other | - |                      |
0f 01 f8                      | other | - |                      |
# jcc rel32
0f 84 00 01 00 00             | jcc | 1106 |                      |
0f 85 fa ff ff ff             | jcc | 1000 |                      |
# system calls and returns
0f 05                         | syscall | - |                      |
0f 07                         | ctxsw | - |                      |
48 0f 07                      | ctxsw | - |                      |
0f 34                         | ctxsw | - |                      |
0f 35                         | ctxsw | - |                      |
# ud2 / ud1
0f 0b                         | bug | - |                      |
0f b9 c8                      | bug | - |                      |
67 48 0f b9 3a                | bug | - |                      |
# 0f 0d and 0f 1f are NOPs
0f 1f 00                      | nop | - |                      |
0f 1f 44 00 00                | nop | - |                      |
66 0f 1f 84 00 00 00 00 00    | nop | - |                      |
66 2e 0f 1f 84 00 00 00 00 00 | nop | - |                      |
0f 0d 08                      | nop | - |                      |
# endbr: the first prefix must be f3 and ModRM fa/fb
f3 0f 1e fa                   | endbr | - |                      | landing
f3 0f 1e fb                   | endbr | - |                      | landing
66 f3 0f 1e fa                | other | - |                      |
f3 48 0f 1e c8                | other | - |                      |
# push/pop %fs, %gs
0f a0                         | other | - | push<-const          |
0f a8                         | other | - | push<-const          |
0f a1                         | other | - | mem<-pop             |
0f a9                         | other | - | mem<-pop             |
# leave
c9                            | other | - | reg:sp<-reg:bp;reg:bp<-pop |
# int3 is a trap; int $n, int1, hlt are not classified
cc                            | trap | - |                      |
cd 03                         | other | - |                      |
f1                            | other | - |                      |
f4                            | other | - |                      |
# jrcxz / jecxz / loop*
e3 fe                         | jcc | 1000 |                      |
67 e3 fe                      | jcc | 1001 |                      |
e0 fe                         | jcc | 1000 |                      |
e1 fe                         | jcc | 1000 |                      |
e2 fe                         | jcc | 1000 |                      |
# jmp
e9 00 00 00 00                | jmp | 1005 |                      |
e9 fb ff ff ff                | jmp | 1000 |                      |
eb fe                         | jmp | 1000 |                      |
# returns
c3                            | ret | - |                      |
c2 08 00                      | ret | - |                      |
f3 c3                         | ret | - |                      |
# mov imm,r/m: only looked at for noinstr pv_ops
c7 45 fc 00 00 00 00          | other | - |                      |
# iret: a context switch carrying objtool's in-function "add $40,%rsp"
48 cf                         | ctxsw | - | reg:sp<-add:sp:40    |
cf                            | ctxsw | - | reg:sp<-add:sp:40    |
# lret
ca 08 00                      | ctxsw | - |                      |
cb                            | ctxsw | - |                      |
48 cb                         | ctxsw | - |                      |
# call pushes the return address, also a call to the next instruction
e8 00 00 00 00                | call | 1005 | push<-const          |
e8 fb ff ff ff                | call | 1000 | push<-const          |
# cld / std
fc                            | cld | - |                      |
fd                            | std | - |                      |
# 0xff group: /2 /3 call*, /4 jmp*, /5 ljmp (context switch), /6 push mem
ff d0                         | call* | - |                      |
41 ff d3                      | call* | - |                      |
ff 15 00 00 00 00             | call* | - |                      | pcrel
ff 1c 24                      | call* | - |                      |
ff e0                         | jmp* | - |                      |
3e ff e0                      | jmp* | - |                      |
ff 24 c5 00 00 00 00          | jmp* | - |                      |
ff 2c 24                      | ctxsw | - |                      |
ff 34 24                      | other | - | push<-const          |
ff 75 f8                      | other | - | push<-const          |
ff c0                         | other | - |                      |
# objtool compares ModRM.reg with REX.R included: a REX.R jmp* is not recognised
4c ff e0                      | other | - |                      |
# VEX / EVEX: objtool returns before looking at the opcode
c5 f8 77                      | other | - |                      |
c4 e2 79 18 05 00 00 00 00    | other | - |                      | pcrel
# a REX byte before a legacy prefix is not a REX prefix: the opcode objtool sees is 0x66
48 66 83 ec 08                | other | - |                      |
`;

interface Vector { line: string; hex: string; kind: string; target: string; ops: string; flags: string }

function parseVectors(text: string): Vector[] {
  const out: Vector[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [hex, kind, target, ops, flags] = line.split('|').map((s) => s.trim());
    out.push({ line, hex, kind, target, ops: ops.replace(/\s+/g, ''), flags: flags ?? '' });
  }
  return out;
}

const SLOT_NAMES = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'ra'];

function formatOps(t: InsnTable, row: number): string {
  const parts: string[] = [];
  for (let k = 0; k < t.opCount[row]; k++) {
    const w = (opStartOf(t, row) + k) * OP_WORDS;
    const [dt, dr, doff, st, sr, soff] = opFields(t.ops, w);
    parts.push(`${formatDest(dt, dr, doff)}<-${formatSrc(st, sr, soff)}`);
  }
  return parts.join(';');
}

function formatDest(type: number, reg: number, off: number): string {
  switch (type) {
    case OpDest.Reg: return `reg:${SLOT_NAMES[reg]}`;
    case OpDest.RegIndirect: return `ind:${SLOT_NAMES[reg]}:${off}`;
    case OpDest.Mem: return 'mem';
    case OpDest.Push: return 'push';
    case OpDest.PushF: return 'pushf';
    default: return `?${type}`;
  }
}

function formatSrc(type: number, reg: number, off: number): string {
  switch (type) {
    case OpSrc.Reg: return `reg:${SLOT_NAMES[reg]}`;
    case OpSrc.RegIndirect: return `ind:${SLOT_NAMES[reg]}:${off}`;
    case OpSrc.Const: return 'const';
    case OpSrc.Pop: return 'pop';
    case OpSrc.PopF: return 'popf';
    case OpSrc.Add: return `add:${SLOT_NAMES[reg]}:${off}`;
    case OpSrc.And: return `and:${SLOT_NAMES[reg]}:${off}`;
    default: return `?${type}`;
  }
}

function decodeHex(hex: string, addr = 0x1000): InsnTable {
  const bytes = Uint8Array.from(hex.split(/\s+/).filter(Boolean).map((h) => parseInt(h, 16)));
  const b = new InsnTableBuilder(3, 4);
  x86_64.decodeSection(bytes, 2, addr, b);
  return b.finish();
}

test('x86 decoder vectors (objtool 6.12 decode.c cases)', () => {
  const vectors = parseVectors(VECTORS);
  assert.ok(vectors.length > 140, `${vectors.length} vectors`);
  for (const v of vectors) {
    const t = decodeHex(v.hex);
    const len = v.hex.split(/\s+/).length;
    assert.equal(t.count, 1, `${v.line}: one instruction`);
    assert.equal(t.len[0], len, `${v.line}: length`);
    assert.equal(INSN_KIND_NAMES[t.kind[0]], v.kind, `${v.line}: kind`);
    const target = t.target[0] === NO_TARGET ? '-' : t.target[0].toString(16);
    assert.equal(target, v.target, `${v.line}: target`);
    assert.equal((t.flags[0] & InsnFlag.HasTarget) !== 0, v.target !== '-', `${v.line}: HasTarget`);
    assert.equal(formatOps(t, 0), v.ops, `${v.line}: stack ops`);
    const flags = v.flags.split(/\s+/).filter(Boolean);
    assert.equal((t.flags[0] & InsnFlag.PcRel) !== 0, flags.includes('pcrel'), `${v.line}: PcRel`);
    assert.equal((t.flags[0] & InsnFlag.Landing) !== 0, flags.includes('landing'), `${v.line}: Landing`);
    if (flags.includes('spsrc')) assert.ok(t.flags[0] & InsnFlag.SpSource, `${v.line}: SpSource`);
  }
});

test('userspace decoding: 64-bit loads through any base register are ops (objtool: none)', () => {
  const decodeUser = (hex: string): InsnTable => {
    const bytes = Uint8Array.from(hex.split(/\s+/).map((h) => parseInt(h, 16)));
    const b = new InsnTableBuilder(3, 4);
    x86_64.decodeSection(bytes, 2, 0x1000, b, undefined, true);
    return b.finish();
  };
  // mov -0x10(%rax),%rbp; mov 0x8(%r9),%rbx; mov (%r11),%r12 (SIB, no index)
  assert.equal(formatOps(decodeUser('48 8b 68 f0'), 0), 'reg:bp<-ind:ax:-16');
  assert.equal(formatOps(decodeUser('49 8b 59 08'), 0), 'reg:bx<-ind:r9:8');
  assert.equal(formatOps(decodeUser('4d 8b 23'), 0), 'reg:r12<-ind:r11:0');
  assert.equal(formatOps(decodeHex('48 8b 68 f0'), 0), '');
  // 32-bit, indexed and rip-relative loads only overwrite the register (no CFA-relative value)
  assert.equal(formatOps(decodeUser('8b 68 f0'), 0), 'reg:bp<-const');
  assert.equal(formatOps(decodeUser('48 8b 04 c8'), 0), 'reg:ax<-const');
  assert.equal(formatOps(decodeUser('48 8b 05 00 00 00 00'), 0), 'reg:ax<-const');
  assert.equal(formatOps(decodeHex('8b 68 f0'), 0), '');
  // not: loads into %rsp, register moves
  for (const hex of ['48 8b 60 08', '8b 60 08', '48 8b ec']) {
    assert.equal(formatOps(decodeUser(hex), 0), '', hex);
  }
});

test('fields objtool leaves zero stay zero', () => {
  const t = decodeHex('55 e8 00 00 00 00');
  assert.equal(t.ops.length, 2 * OP_WORDS);
  assert.deepEqual([opFields(t.ops, 0), opFields(t.ops, OP_WORDS)], [
    [OpDest.Push, 0, 0, OpSrc.Reg, 5, 0],
    [OpDest.Push, 0, 0, OpSrc.Const, 0, 0],
  ]);
});

test('a function prologue and epilogue decode in sequence with offsets', () => {
  // endbr64; push %rbp; mov %rsp,%rbp; sub $0x10,%rsp; call .+5; leave; ret
  const t = decodeHex('f3 0f 1e fa 55 48 89 e5 48 83 ec 10 e8 00 00 00 00 c9 c3', 0);
  assert.deepEqual(Array.from(t.off), [0, 4, 5, 8, 12, 17, 18]);
  assert.deepEqual(Array.from(t.len), [4, 1, 3, 4, 5, 1, 1]);
  assert.deepEqual(Array.from(t.kind, (k) => INSN_KIND_NAMES[k]),
    ['endbr', 'other', 'other', 'other', 'call', 'other', 'ret']);
  assert.equal(t.target[4], 17);
  assert.equal(t.secFirst[2], 0);
  assert.equal(t.secRows[2], 7);
  assert.ok(Array.from(t.sec).every((s) => s === 2));
});

test('a target an Int32 cannot hold widens the target column; earlier targets keep their values', () => {
  // jmp .+2 (target below 2 GiB), then call .+0x15 (target above): the column starts 32-bit
  const t = decodeHex('eb 00 e8 10 00 00 00', 0x7ffffff0);
  assert.ok(t.target instanceof Float64Array);
  assert.deepEqual(Array.from(t.target), [0x7ffffff2, 0x80000007]);
  // the builder's own rows (the AArch64 decoder's path) follow the same rule
  const b = new InsnTableBuilder(3, 4);
  b.beginSection(2);
  b.add(0, 4, 0, 0x1000, 0);
  assert.ok(b.target instanceof Int32Array);
  b.add(4, 4, 0, 2 ** 32 + 8, 0);
  b.add(8, 4, 0, NO_TARGET, 0);
  assert.deepEqual(Array.from(b.finish().target), [0x1000, 2 ** 32 + 8, NO_TARGET]);
});

test('undecodable bytes become one-byte invalid rows and decoding resumes', () => {
  // 06 (push %es) does not exist in 64-bit mode; e8 00 is a truncated call
  const t = decodeHex('06 90 e8 00');
  assert.deepEqual(Array.from(t.kind, (k) => INSN_KIND_NAMES[k]), ['invalid', 'nop', 'invalid', 'invalid']);
  assert.deepEqual(Array.from(t.off), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(t.len), [1, 1, 1, 1]);
});

test('Xen/KVM emulate prefix joins the next instruction, as the kernel decoder reads it', () => {
  for (const sig of ['78 65 6e', '6b 76 6d']) {
    const t = decodeHex(`0f 0b ${sig} 0f a2 c3`);
    assert.deepEqual(Array.from(t.len), [7, 1]);
    assert.deepEqual(Array.from(t.kind, (k) => INSN_KIND_NAMES[k]), ['other', 'ret']);
  }
  const plain = decodeHex('0f 0b 78 90');
  assert.equal(INSN_KIND_NAMES[plain.kind[0]], 'bug');
  assert.equal(plain.len[0], 2);
});

test('empty section: no rows, section still registered', () => {
  const t = decodeHex('');
  assert.equal(t.count, 0);
  assert.equal(t.secFirst[2], 0);
  assert.equal(t.secRows[2], 0);
});

test('register description follows objtool and the x86-64 psABI', () => {
  const r = x86_64.regs;
  assert.equal(r.count, 17);
  assert.equal(r.sp, 4);
  assert.equal(r.fp, 5);
  assert.equal(r.ra, 16);
  assert.deepEqual(r.dwarf, [0, 2, 1, 3, 7, 6, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  assert.deepEqual(r.names.slice(0, 8), ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi']);
  assert.equal(r.names[16], 'rip');
  const saved = r.calleeSaved.flatMap((s, i) => (s ? [r.names[i]] : []));
  assert.deepEqual(saved, ['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15']);
  assert.deepEqual(x86_64.entryCfa, { base: 4, offset: 8 });
  assert.equal(x86_64.entryRegs.length, 17);
  x86_64.entryRegs.forEach((reg, i) => assert.deepEqual(reg,
    i === 16 ? { base: CfiBase.Cfa, offset: -8 } : { base: CfiBase.Undefined, offset: 0 }));
  assert.equal(x86_64.slot, 8);
  assert.equal(x86_64.callPushesRa, true);
  assert.equal(x86_64.machine, 62);
});
