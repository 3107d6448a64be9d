/**
 * Slow-path x86 helpers: operand breakdown (expected values derived by hand from the encodings:
 * ModRM/SIB fields, displacement and immediate positions) and AT&T text (expected strings are
 * GNU objdump 2.40's `-d` output for the same bytes, symbol annotations removed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { x86_64, x86Operands } from '../../src/arch/x86/index.js';
import { NO_TARGET } from '../../src/program/insns.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/).filter(Boolean).map((h) => parseInt(h, 16)));

test('jump-table jmp: index, scale, absolute displacement and where it sits', () => {
  const o = x86Operands(hex('ff 24 c5 00 00 00 00'), 0, 0);
  assert.ok(o);
  assert.equal(o.mnemonic, 'jmp');
  assert.equal(o.length, 7);
  assert.deepEqual(o.kinds, ['mem']);
  assert.deepEqual(o.mem, {
    base: -1, index: 0, scale: 8, disp: 0, ripRel: false, target: NO_TARGET,
    dispOffset: 3, dispSize: 4, size: 8,
  });
});

test('movslq (%rdx,%rax,4),%rax: base and index slots, no displacement', () => {
  const o = x86Operands(hex('48 63 04 82'), 0, 0);
  assert.ok(o);
  assert.equal(o.mnemonic, 'movsxd');
  assert.deepEqual(o.kinds, ['reg', 'mem']);
  assert.deepEqual(o.regs, [0, -1]);
  assert.deepEqual(o.regSizes, [8, 0]);
  assert.equal(o.mem?.base, 2);
  assert.equal(o.mem?.index, 0);
  assert.equal(o.mem?.scale, 4);
  assert.equal(o.mem?.dispOffset, -1);
  assert.equal(o.mem?.size, 4);
});

test('rip-relative lea: displacement, its offset and the address it designates', () => {
  // at offset 0x10 of a section at 0x1000: next instruction at 0x1017, minus 7
  const bytes = new Uint8Array(0x17);
  bytes.set(hex('48 8d 05 f9 ff ff ff'), 0x10);
  const o = x86Operands(bytes, 0x10, 0x1000);
  assert.ok(o);
  assert.equal(o.mnemonic, 'lea');
  assert.equal(o.mem?.ripRel, true);
  assert.equal(o.mem?.base, -1);
  assert.equal(o.mem?.disp, -7);
  assert.equal(o.mem?.target, 0x1010);
  assert.equal(o.mem?.dispOffset, 3);
  assert.equal(o.mem?.dispSize, 4);
});

test('immediates: value, offset and size; register sizes', () => {
  const cmp = x86Operands(hex('83 f8 0c'), 0, 0);
  assert.deepEqual([cmp?.mnemonic, cmp?.kinds, cmp?.regs, cmp?.regSizes, cmp?.imm, cmp?.immOffset, cmp?.immSize],
    ['cmp', ['reg', 'imm'], [0, -1], [4, 0], 12, 2, 1]);
  const and = x86Operands(hex('48 83 e4 f0'), 0, 0);
  assert.equal(and?.imm, -16);
  assert.deepEqual(and?.regs, [4, -1]);
  const cmpb = x86Operands(hex('41 80 7c 24 08 ff'), 0, 0); // cmpb $0xff,0x8(%r12)
  assert.equal(cmpb?.mem?.base, 12);
  assert.equal(cmpb?.mem?.disp, 8);
  assert.equal(cmpb?.mem?.dispOffset, 4);
  assert.equal(cmpb?.immOffset, 5);
  assert.equal(cmpb?.imm, -1);
});

test('branches: target in the section address space; register operands of jmp*', () => {
  const bytes = hex('90 90 90 90 e8 00 00 00 00 41 ff e5 74 fe');
  assert.equal(x86Operands(bytes, 4, 0x1000)?.branchTarget, 0x1009);
  assert.deepEqual(x86Operands(bytes, 4, 0x1000)?.kinds, ['branch']);
  assert.deepEqual(x86Operands(bytes, 9, 0x1000)?.regs, [13]);
  assert.equal(x86Operands(bytes, 9, 0x1000)?.branchTarget, NO_TARGET);
  assert.equal(x86Operands(bytes, 12, 0x1000)?.branchTarget, 0x100c);
});

test('undecodable bytes and out-of-range offsets', () => {
  assert.equal(x86Operands(hex('06'), 0, 0), undefined);
  assert.equal(x86Operands(hex('90'), 1, 0), undefined);
  assert.equal(x86_64.disassemble?.(hex('06'), 0, 0), '(bad)');
});

test('disassembly text is laid out like objdump -d', () => {
  const cases: [string, string][] = [
    ['55', 'push   %rbp'],
    ['48 89 e5', 'mov    %rsp,%rbp'],
    ['48 83 ec 10', 'sub    $0x10,%rsp'],
    ['66 0f 1f 44 00 00', 'nopw   0x0(%rax,%rax,1)'],
    ['ff 24 c5 00 00 00 00', 'jmp    *0x0(,%rax,8)'],
    ['c7 45 fc 00 00 00 00', 'movl   $0x0,-0x4(%rbp)'],
    ['48 63 c8', 'movslq %eax,%rcx'],
    ['c3', 'ret'],
    ['48 63 04 82', 'movslq (%rdx,%rax,4),%rax'],
    ['41 ff e5', 'jmp    *%r13'],
    ['f3 0f 1e fa', 'endbr64'],
    ['48 83 e4 f0', 'and    $0xfffffffffffffff0,%rsp'],
    ['0f b6 c0', 'movzbl %al,%eax'],
    ['48 8b 44 24 08', 'mov    0x8(%rsp),%rax'],
  ];
  for (const [bytes, text] of cases) assert.equal(x86_64.disassemble?.(hex(bytes), 0, 0), text, bytes);
  // call at 0x101f, je at 0x1025, lea at 0x1020 (objdump: "call 1024 <..>", "je 1025 <..>", "# 1027 <..>")
  const code = new Uint8Array(0x30);
  code.set(hex('e8 00 00 00 00'), 0x1f);
  code.set(hex('74 fe'), 0x25);
  assert.equal(x86_64.disassemble?.(code, 0x1f, 0x1000), 'call   1024');
  assert.equal(x86_64.disassemble?.(code, 0x25, 0x1000), 'je     1025');
  code.set(hex('48 8d 05 f9 ff ff ff'), 0x20);
  assert.equal(x86_64.disassemble?.(code, 0x20, 0x1000), 'lea    -0x7(%rip),%rax        # 1020');
});
