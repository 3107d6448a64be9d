/**
 * The frame walk end to end on tiny hand-assembled objects (test/fixtures/core/objects.ts), with
 * objtool --stackval semantics. Each expected line is derived by hand from objtool 6.12's rules
 * (check.c: validate_branch, insn_cfi_match, validate_return, validate_sibling_call,
 * validate_call, validate_reachable_instructions) and was confirmed against the real objtool 6.12
 * binary on the same bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as O from '../fixtures/core/objects.js';
import { STACKVAL, analyze, warnings } from '../fixtures/core/x86-object.js';

const W = (line: string): string => `test.o: warning: objtool: ${line}`;

test('a frame-pointer function, with or without a call, gives no warning', async () => {
  assert.deepEqual(await warnings(O.cleanFrame()), []);
  assert.deepEqual(await warnings(O.cleanCall()), []);
  assert.deepEqual(await warnings(O.siblingClean()), []);
});

test('return with a register still pushed', async () => {
  // push %rbx leaves CFA rsp+16 and rbx saved at cfa-16: not the entry frame at the ret (+0x1)
  assert.deepEqual(await warnings(O.modifiedReturn()), [W('modret+0x1: return with modified stack frame')]);
});

test('stack state mismatch, CFA form: objtool prints base and signed offset of both states', async () => {
  // the taken branch reaches +5 first with CFA = rsp(4)+8; the fall-through brings rsp+16
  assert.deepEqual(await warnings(O.cfaMismatch()), [W('cfamis+0x5: stack state mismatch: cfa1=4+8 cfa2=4+16')]);
});

test('stack state mismatch, register form: first differing slot, CFI_UNDEFINED=-1, CFI_CFA=-2', async () => {
  // taken path: push %rax (not tracked); fall-through: push %rbx, saved at cfa-16 (reg 3)
  assert.deepEqual(await warnings(O.regMismatch()), [W('regmis+0x8: stack state mismatch: reg1[3]=-1+0 reg2[3]=-2-16')]);
});

test('a function that runs into the next one', async () => {
  assert.deepEqual(await warnings(O.fallsThrough()), [W('first() falls through to next function second()')]);
});

test('code after a return is unreachable', async () => {
  assert.deepEqual(await warnings(O.unreachable()), [W('deadcode+0x1: unreachable instruction')]);
});

test('tail call with a modified frame', async () => {
  assert.deepEqual(await warnings(O.siblingModified()),
    [W('tail+0x1: sibling call from callable instruction with modified stack frame')]);
});

test('call without a frame pointer (stackval only)', async () => {
  assert.deepEqual(await warnings(O.callNoFrame()), [W('noframe+0x0: call without frame pointer save/setup')]);
  // --orc alone has no frame-pointer rule
  assert.deepEqual(await warnings(O.callNoFrame(), { orc: true }), []);
});

test('jump table found through relocations: its cases are reachable, listed newest first', async () => {
  assert.deepEqual(await warnings(O.jumpTable(true)), []);
  const r = await analyze(O.jumpTable(true));
  const p = r.ctx.prog;
  const sec = p.elf.section('.text')!.index;
  const jmp = p.find(sec, 2);
  assert.ok(p.hasJumpTable(jmp), 'the jmp* has a table');
  assert.equal(p.elf.sections[p.jumpTables.get(jmp)!.sec].name, '.rodata');
  // objtool prepends each entry's alternative: the last entry comes first
  assert.deepEqual(p.alts.get(jmp)!.map((a) => p.off[a.insn]), [0xf, 9]);
  // without the jmp's relocation there is no table: the jmp* is a tail call and the cases dead
  assert.deepEqual(await warnings(O.jumpTable(false)), [W('sw+0x9: unreachable instruction')]);
});

test('alternatives are walked: a replacement that pushes makes the following ret wrong', async () => {
  assert.deepEqual(await warnings(O.altPush()), [W('altret+0x1: return with modified stack frame')]);
  // without --stackval/--orc/--uaccess nothing is validated
  assert.deepEqual(await warnings(O.altPush(), { retpoline: true }), []);
});

test('alternatives sharing a byte offset with different states conflict', async () => {
  // the replacement (walked first) is at CFA rsp+16 at group offset 1, the original at rsp+8;
  // objtool names the original group's first insn, then the place of the conflicting insn
  assert.deepEqual(await warnings(O.altConflict()),
    [W('altconf+0x0: stack layout conflict in alternatives: altconf+0x1')]);
});

test('a jump label makes its target reachable', async () => {
  assert.deepEqual(await warnings(O.jumpLabel(true)), []);
  assert.deepEqual(await warnings(O.jumpLabel(false)), [W('jl+0x6: unreachable instruction')]);
});

test('unwind hints: FUNC restores the entry frame, CALL starts code outside functions', async () => {
  assert.deepEqual(await warnings(O.hintFunc()), []);
  assert.deepEqual(await warnings(O.hintEntry(true)), []);
  // no hint: the unsymbolised code is unreachable, one line per instruction (no function to warn once for)
  assert.deepEqual(await warnings(O.hintEntry(false)),
    [W('.text+0x1: unreachable instruction'), W('.text+0x3: unreachable instruction')]);
});

test('objtool warns once per function', async () => {
  // --sls: both rets of tworets lack an int3; only the first is reported; oneret gets its own
  assert.deepEqual(await warnings(O.slsRets(), { sls: true }),
    [W('tworets+0x4: missing int3 after ret'), W('oneret+0x0: missing int3 after ret')]);
});

test('--sec-address adds the section place after the symbol place', async () => {
  assert.deepEqual(await warnings(O.modifiedReturn(), { ...STACKVAL, secAddress: true }),
    [W('modret+0x1 (.text+0x1): return with modified stack frame')]);
});

test('the object name is the one given', async () => {
  assert.deepEqual(await warnings(O.modifiedReturn(), STACKVAL, 'dir/x.o'),
    ['dir/x.o: warning: objtool: modret+0x1: return with modified stack frame']);
});

test('every instruction of a validated function gets a state; identical states are shared', async () => {
  const r = await analyze(O.cleanFrame());
  const p = r.ctx.prog;
  const ids = Array.from(p.cfi.subarray(0, p.count));
  assert.ok(ids.every((id) => id >= 0));
  // push %rbp (+0) and ret (+5) both run in the entry frame: same interned state
  assert.equal(ids[0], ids[3]);
  assert.equal(ids[0], r.ctx.funcStateId);
  assert.notEqual(ids[1], ids[2]);
});
