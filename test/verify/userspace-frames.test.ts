/**
 * verify on frame shapes of hand-written userspace assembly that objtool's model does not follow
 * (test-corpus/fixtures/verify/x86-64-userspace-frames.s, built by test/fixtures/verify/make.sh),
 * each the minimal form of an FDE class a sweep of a Debian system reported as mismatching: OpenSSL's
 * perlasm epilogues reloading through a copy of the old sp (libcrypto, libgnutls), a CFA on such a
 * copy (by value), realignment through a register holding CFA-16, stores into the caller's frame,
 * libgcrypt's `.cfi_register %rbp, %r11`; and a call through the library's own PLT to a function it
 * defines that never returns (libpng, libperl, libevent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyFile } from '../../src/verify/verify.js';
import type { FdeVerdict } from '../../src/verify/verify.js';
import { readListing } from './listing.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));

function byName(verdicts: FdeVerdict[], name: string): FdeVerdict {
  const v = verdicts.find((x) => x.func === name);
  assert.ok(v, `FDE of ${name}`);
  return v;
}

test('verify x86-64-userspace-frames.o: perlasm and libgcrypt shapes agree, the planted error is found', async () => {
  const facts = readListing(readFileSync(`${dir}x86-64-userspace-frames.lst`, 'utf8'));
  const r = await verifyFile(`${dir}x86-64-userspace-frames.o`);
  assert.equal(r.summary.fdes, facts.funcs.length);
  for (const name of ['restore_via_copy', 'cfa_on_sp_copy', 'realign_minus16', 'store_in_caller_frame', 'sub_reg_under_fp']) {
    const v = byName(r.verdicts, name);
    assert.equal(v.status, 'agrees', `${name}: ${v.reason ?? JSON.stringify(v.first)}`);
  }
  const expected: Record<string, { table: string; code: string }> = {
    restore_via_copy_bad: { table: 'rsp+16', code: 'rsp+8' },
    // sp moved by %rax: the code knows the CFA only on %rbp, an sp-based rule cannot match
    sub_reg_table_on_sp: { table: 'rsp+88', code: 'rbp+88' },
  };
  for (const [name, first] of Object.entries(expected)) {
    const bad = byName(r.verdicts, name);
    const planted = facts.planted.filter((p) => p.func === name);
    assert.equal(bad.status, 'mismatch', name);
    assert.deepEqual(bad.addrs, planted.map((p) => p.off), name);
    assert.deepEqual(bad.first, { addr: planted[0].off, rule: 'cfa', ...first }, name);
  }
  assert.equal(r.summary.mismatch, 2);
});

test('verify: the frame pointer kept in another register is unknown with its reason, not a mismatch', async () => {
  const r = await verifyFile(`${dir}x86-64-userspace-frames.o`);
  const v = byName(r.verdicts, 'fp_in_register');
  assert.equal(v.status, 'unknown');
  assert.match(v.reason ?? '', /^frame pointer kept in another register, not tracked by the analysis \(reg:r11, at 0x/);
});

test('verify: a call through the own PLT to a local function that never returns ends its path', async () => {
  const r = await verifyFile(`${dir}x86-64-local-noreturn-plt.so`);
  const v = byName(r.verdicts, 'warn_or_die');
  // before: the call's fall-through reached `jmp ext@plt` first, with the call's frame (rsp+16)
  assert.equal(v.status, 'agrees', v.reason ?? JSON.stringify(v.first));
  assert.equal(r.summary.mismatch, 0);
});
