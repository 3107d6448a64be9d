/**
 * verify on two shapes a sweep of Debian 12 binaries (x86-64 and arm64) reported as `unknown` by
 * objflow's fault, each in its minimal form (test-corpus/fixtures/verify/*.s, built by
 * test/fixtures/verify/make.sh):
 *
 * - entry points that share a tail (GMP's `__gmpn_modexact_1_odd` runs into `..._1c_odd`, AArch64
 *   `__gmpn_sub_nc` jumps into the middle of `__gmpn_sub_n`) were taken for functions that never
 *   return, so the code after every call to them was unreached (libgmp: 29 FDEs x86-64, 18 arm64);
 * - code after an odd run of zero fill that no symbol and no function-entry FDE anchors (a stripped
 *   executable's `.cold` parts and `_start`: every llvm-14 tool) was decoded out of step;
 * - calls through the PLT to systemd's `log_assert_failed` and Perl's croak family, which never return,
 *   fell through into another path's code (libsystemd-core-252: 6 mismatches, Perl's Opcode.so: 1);
 * - a label without a type on data in `.text` at no instruction boundary stopped the whole analysis
 *   (`can't find starting instruction`, objtool's fatal error): /usr/bin/node, 62,969 of 75,922 FDEs unreached.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { verifyFile } from '../../src/verify/verify.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));

test('verify: calls to entry points that run into or jump into a returning function return', async () => {
  const r = await verifyFile(`${dir}x86-64-shared-tail.so`);
  const v = r.verdicts.find((x) => x.func === 'use_c');
  assert.ok(v, 'FDE of use_c');
  // before: add_c and add_j were dead ends, the rest of use_c after `call add_c@plt` unreached
  assert.equal(v.status, 'agrees', v.reason ?? JSON.stringify(v.first));
  assert.equal(r.summary.mismatch, 0);
  // .plt (a CFA expression) is the one unknown
  assert.equal(r.summary.unknown, 1);
});

test('verify: FDE starts anchor the decoder in a stripped executable, entries or not', async () => {
  const r = await verifyFile(`${dir}x86-64-cold-after-zero-fill`);
  assert.equal(r.summary.fdes, 3);
  // before: 0 agree (the .cold part's FDE started inside `add %dh,(%rcx)`, its parent's branch there was lost)
  assert.equal(r.summary.agrees, 2);
  assert.equal(r.summary.mismatch, 0);
  for (const v of r.verdicts) {
    if (v.status === 'unknown') assert.match(v.reason ?? '', /^outermost frame/);
  }
});

test('verify: PLT calls to systemd\'s and Perl\'s noreturn functions end their paths', async () => {
  const r = await verifyFile(`${dir}x86-64-named-noreturn-plt.so`);
  for (const name of ['check_arg', 'xs_entry']) {
    const v = r.verdicts.find((x) => x.func === name);
    assert.ok(v, `FDE of ${name}`);
    // before: the call's fall-through reached the other path's `mov $-1,%eax` with the call's frame (rsp+16)
    assert.equal(v.status, 'agrees', v.reason ?? JSON.stringify(v.first));
  }
  assert.equal(r.summary.mismatch, 0);
});

test('verify: a typeless label on data inside .text does not stop the analysis', async () => {
  const r = await verifyFile(`${dir}x86-64-label-in-text-data.so`);
  // before: the label stopped the analysis and the one FDE was "code not reached by analysis"
  assert.deepEqual(r.summary, { fdes: 1, agrees: 1, mismatch: 0, unknown: 0 });
});
