/**
 * Unwind rows of small functions, derived by hand from the x86-64 SysV frame model: at entry the
 * CFA is rsp+8 and the return address at cfa-8; `push %rbp` makes it rsp+16 with rbp saved at
 * cfa-16; `mov %rsp,%rbp` moves the CFA to rbp+16; `pop %rbp` brings back rsp+8 with rbp the
 * caller's. A row is printed at the function start and wherever the rule changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rowJson, unwindRows } from '../../src/unwind/table.js';
import type { UnwindRow } from '../../src/unwind/table.js';
import { analyze } from '../fixtures/core/x86-object.js';
import { cleanFrame, fallsThrough, modifiedReturn } from '../fixtures/core/objects.js';
import { textObject } from '../fixtures/core/x86-object.js';

async function rows(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const r = await analyze(bytes, { kernel: false });
  const out: UnwindRow[] = [];
  unwindRows(r.ctx, (row) => out.push(row));
  return out.map((row) => JSON.parse(rowJson(row)) as Record<string, unknown>);
}

const row = (addr: number, func: string, cfa: string, sp: number, fpv: number | null, ra: string, fp: string): Record<string, unknown> =>
  ({ sec: '.text', addr, func, cfa, sp, fpv, ra, fp });

test('frame-pointer function: push, mov, pop each start a row', async () => {
  // 0: push %rbp; 1: mov %rsp,%rbp; 4: pop %rbp; 5: ret
  assert.deepEqual(await rows(cleanFrame()), [
    row(0, 'clean', 'rsp+8', 8, null, 'cfa-8', 'same'),
    row(1, 'clean', 'rsp+16', 16, null, 'cfa-8', 'cfa-16'),
    row(4, 'clean', 'rbp+16', 16, 16, 'cfa-8', 'cfa-16'),
    row(5, 'clean', 'rsp+8', 8, null, 'cfa-8', 'same'),
  ]);
});

test('frameless function: push and pop of a callee-saved register', async () => {
  // 0: push %rbx; 1: sub $0x10,%rsp; 5: add $0x10,%rsp; 9: pop %rbx; a: ret
  const code = [0x53, 0x48, 0x83, 0xec, 0x10, 0x48, 0x83, 0xc4, 0x10, 0x5b, 0xc3];
  assert.deepEqual(await rows(textObject([{ name: 'fl', code }]).b.build()), [
    row(0, 'fl', 'rsp+8', 8, null, 'cfa-8', 'same'),
    row(1, 'fl', 'rsp+16', 16, null, 'cfa-8', 'same'),
    row(5, 'fl', 'rsp+32', 32, null, 'cfa-8', 'same'),
    row(9, 'fl', 'rsp+16', 16, null, 'cfa-8', 'same'),
    row(0xa, 'fl', 'rsp+8', 8, null, 'cfa-8', 'same'),
  ]);
});

test('every function starts a row even when its state equals the previous one', async () => {
  // first: xor %eax,%eax (falls through into second); second: ret — same entry state at both
  const r = await rows(fallsThrough());
  assert.deepEqual(r.map((x) => [x.addr, x.func, x.cfa]), [[0, 'first', 'rsp+8'], [2, 'second', 'rsp+8']]);
});

test('rows follow the walked states even where a check failed', async () => {
  // push %rbx; ret — the ret runs with CFA rsp+16 (the finding is reported by check, not here)
  assert.deepEqual((await rows(modifiedReturn())).map((x) => [x.addr, x.cfa, x.sp]), [[0, 'rsp+8', 8], [1, 'rsp+16', 16]]);
});
