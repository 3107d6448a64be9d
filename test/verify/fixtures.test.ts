/**
 * verify on the committed hand-written fixtures (x86-64 and AArch64): every planted error is
 * reported at exactly its instructions, the first one with its rule, and nothing is reported for
 * the correct functions. Expected offsets come from the assembler listings committed beside the
 * objects (test/fixtures/verify/make.sh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyFile } from '../../src/verify/verify.js';
import { readListing } from './listing.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));

for (const name of ['x86-64-cfi', 'aarch64-cfi']) {
  test(`verify ${name}.o: planted errors exactly, correct functions clean`, async () => {
    const facts = readListing(readFileSync(`${dir}${name}.lst`, 'utf8'));
    assert.ok(facts.planted.length >= 5, 'listing has planted errors');
    const r = await verifyFile(`${dir}${name}.o`);
    assert.equal(r.summary.fdes, facts.funcs.length, 'one FDE per function');
    const byFunc = new Map<string, { off: number; rule: string }[]>();
    for (const p of facts.planted) {
      const l = byFunc.get(p.func) ?? [];
      l.push(p);
      byFunc.set(p.func, l);
    }
    for (const f of facts.funcs) {
      const v = r.verdicts.find((x) => x.start === f.off);
      assert.ok(v, `FDE of ${f.name}`);
      assert.equal(v.func, f.name);
      const planted = byFunc.get(f.name);
      if (!planted) {
        assert.equal(v.status, 'agrees', `${f.name}: ${v.reason ?? JSON.stringify(v.first)}`);
        continue;
      }
      assert.equal(v.status, 'mismatch', f.name);
      assert.deepEqual(v.addrs, planted.map((p) => p.off), `${f.name}: disagreeing instructions`);
      assert.equal(v.first?.addr, planted[0].off);
      assert.equal(v.first?.rule, planted[0].rule, `${f.name}: first rule`);
    }
    assert.equal(r.summary.mismatch, byFunc.size);
    assert.equal(r.summary.agrees, facts.funcs.length - byFunc.size);
  });
}

test('verify: the path to a difference on a branch names the branch, taken', async () => {
  const r = await verifyFile(`${dir}x86-64-cfi.o`);
  const v = r.verdicts.find((x) => x.func === 'bad_one_path');
  assert.ok(v);
  // push %rbx (1 byte), test %edi,%edi (2 bytes), then the jne at +3 (x86-64 encoding lengths)
  assert.deepEqual(v.path.map((s) => [s.where, s.taken]), [['bad_one_path+0x3', true]]);
  assert.equal(v.entry, 'bad_one_path+0x0');
});

test('verify: without paths (JSON), every verdict is the same but no path is worked out', async () => {
  const withPaths = await verifyFile(`${dir}x86-64-cfi.o`);
  const without = await verifyFile(`${dir}x86-64-cfi.o`, true, { paths: false });
  assert.ok(withPaths.verdicts.some((v) => v.status === 'mismatch' && v.path.length > 0));
  for (const v of without.verdicts) {
    assert.equal(v.entry, null, v.func);
    assert.deepEqual(v.path, [], v.func);
  }
  const strip = (vs: typeof without.verdicts): unknown[] => vs.map((v) => ({ ...v, entry: null, path: [] }));
  assert.deepEqual(strip(without.verdicts), strip(withPaths.verdicts));
  assert.deepEqual(without.summary, withPaths.summary);
});

test('verify: the first difference spells both rules (table and code)', async () => {
  const r = await verifyFile(`${dir}x86-64-cfi.o`);
  const v = r.verdicts.find((x) => x.func === 'bad_push_offset');
  // .cfi_def_cfa_offset 24 after one 8-byte push: the code has rsp+16
  assert.deepEqual(v?.first, { addr: v?.addrs[0], rule: 'cfa', table: 'rsp+24', code: 'rsp+16' });
  const pac = (await verifyFile(`${dir}aarch64-cfi.o`)).verdicts.find((x) => x.func === 'bad_pac_missing');
  assert.equal(pac?.first?.table, 'unsigned');
  assert.equal(pac?.first?.code, 'signed');
});
