/**
 * --cfi (kCFI): objtool lists every `__cfi_` function (a type-hash preamble) in `.cfi_sites`. Real
 * objtool's output on assembled sources is compared in test-corpus/fixtures/objtool-warnings/cfi*.s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textObject, analyze } from '../fixtures/core/x86-object.js';
import { collectObjtoolOutput } from '../../src/kernel/objtool-output.js';

const RET = 0xc3;

test('--cfi: every __cfi_ function is a kCFI preamble site, in symbol order; none without the option', async () => {
  const t = textObject([
    { name: '__cfi_f', code: [0xb8, 0x78, 0x56, 0x34, 0x12] },
    { name: 'f', code: [RET] },
    { name: '__cfi_g', code: [0xb8, 0x21, 0x43, 0x65, 0x87] },
    { name: 'g', code: [RET] },
  ]);
  const r = await analyze(t.b.build(), { cfi: true, orc: true }, 'c.o');
  const out = collectObjtoolOutput(r);
  assert.deepEqual([...out.cfiSites.off], [0, 6]);
  const plain = collectObjtoolOutput(await analyze(t.b.build(), { orc: true }, 'c.o'));
  assert.equal(plain.cfiSites.count, 0);
});
