/**
 * Branch and call destinations through relocations, sibling calls and calls that never return
 * (objtool 6.12: add_jump_destinations, add_call_destinations, is_sibling_call, dead_end_function
 * with its global noreturn list). Expected lines confirmed against the real objtool on the bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { B } from '../../src/program/program.js';
import { isSiblingCall } from '../../src/cfg/destinations.js';
import * as O from '../fixtures/core/objects.js';
import { analyze, warnings } from '../fixtures/core/x86-object.js';

const W = (line: string): string => `test.o: warning: objtool: ${line}`;

test('a call to a global noreturn function ends the path; any other call returns', async () => {
  assert.deepEqual(await warnings(O.callThenEnd('panic')), []);
  assert.deepEqual(await warnings(O.callThenEnd('other')), [W('f() falls through to next function next()')]);
  const r = await analyze(O.callThenEnd('panic'));
  const p = r.ctx.prog;
  const call = p.find(p.elf.section('.text')!.index, 4);
  assert.ok(p.bits[call] & B.DeadEnd);
  assert.equal(p.syms.name(p.callDestOf(call)), 'panic');
  assert.equal(p.opCount[call], 0, 'a call with a destination loses its push op');
});

test('a local function with no return makes its callers dead ends: __noreturn missing', async () => {
  assert.deepEqual(await warnings(O.localNoreturn()), [W('caller+0x9: dead() is missing a __noreturn annotation')]);
});

test('jumps to other functions through relocations are sibling calls; jumps inside are not', async () => {
  const r = await analyze(O.siblingClean());
  const p = r.ctx.prog;
  const text = p.elf.section('.text')!.index;
  const jmp = p.find(text, 2);
  assert.ok(isSiblingCall(r.ctx, jmp));
  assert.equal(p.syms.name(p.callDestOf(jmp)), 'ext');
  assert.equal(p.jumpDestOf(jmp), -1);
  const m = await analyze(O.cfaMismatch());
  const q = m.ctx.prog;
  const je = q.find(q.elf.section('.text')!.index, 2);
  assert.ok(!isSiblingCall(m.ctx, je));
  assert.equal(q.off[q.jumpDestOf(je)], 5);
});

test('a dynamic jump with no table is a sibling call; with its table it is not', async () => {
  for (const [withTable, sibling] of [[true, false], [false, true]] as const) {
    const r = await analyze(O.jumpTable(withTable));
    const p = r.ctx.prog;
    assert.equal(isSiblingCall(r.ctx, p.find(p.elf.section('.text')!.index, 2)), sibling);
  }
});
