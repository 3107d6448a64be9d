/**
 * Synchronous unwind tables (Clang, -fno-asynchronous-unwind-tables -funwind-tables, AArch64): the
 * compiler puts the prologue's CFI after the whole prologue and writes none for the epilogue, so the
 * table is exact at calls only. Expected instructions come from the assembler listing committed
 * beside the object (test/fixtures/verify/make.sh): the table is stale from the `sub sp` to the
 * `.cfi_def_cfa` directive, and again once `ldp x29, x30` has reloaded the caller's frame pointer
 * that the table's CFA is still based on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyFile } from '../../src/verify/verify.js';
import { textReport } from '../../src/verify/report.js';
import { listingLines } from './listing.js';
import type { ListingLine } from './listing.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));
const obj = `${dir}synchronous-aarch64.o`;

/** Instructions (offset, text) and directives (offset -1) of function `name`, from the listing. */
function listing(name: string): ListingLine[] {
  const lines = listingLines(readFileSync(`${dir}synchronous-aarch64.lst`, 'utf8'));
  const start = lines.findIndex((l) => l.text === `${name}:`);
  const end = lines.findIndex((l, k) => k > start && l.text === '.cfi_endproc');
  return lines.slice(start + 1, end);
}

test('verify: a synchronous table differs only between calls; --synchronous agrees', async () => {
  const lines = listing('f');
  const insns = lines.filter((l) => l.off >= 0);
  const calls = insns.filter((l) => /^bl\s/.test(l.text)).map((l) => l.off);
  assert.ok(calls.length >= 1, 'the listing has calls');
  const cfi = lines.findIndex((l) => l.text.startsWith('.cfi_def_cfa'));
  const sub = lines.findIndex((l) => /^sub\s+sp, sp/.test(l.text));
  const reload = lines.findIndex((l) => /^ldp\s+x29, x30/.test(l.text));
  assert.ok(sub >= 0 && cfi > sub && reload > cfi, 'prologue, CFI directive, frame-pointer reload');
  const expected = [
    ...lines.slice(sub + 1, cfi).filter((l) => l.off >= 0),
    ...lines.slice(reload + 1).filter((l) => l.off >= 0),
  ].map((l) => l.off);

  const r = await verifyFile(obj);
  const f = r.verdicts.find((v) => v.func === 'f');
  assert.equal(f?.status, 'mismatch');
  assert.deepEqual(f?.addrs, expected);
  assert.equal(f?.betweenCalls, true);
  assert.equal(f?.synchronousShape, true, 'the first difference is in the prologue, before the calls');
  for (const c of calls) assert.ok(!f?.addrs.includes(c), `call at 0x${c.toString(16)} agrees`);
  assert.match(textReport(r, false), /differ only in their prologue, between calls.*--synchronous/);

  const s = await verifyFile(obj, true, { synchronous: true });
  assert.deepEqual(s.verdicts.map((v) => [v.func, v.status]), [['f', 'agrees'], ['leaf', 'agrees']]);
  assert.doesNotMatch(textReport(s, false, true), /--synchronous/);
});
