/** The rule speller numbers each spelling once, whether a value goes through its small-value table or its map. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuleSpeller } from '../../src/dwarf/format.js';
import { EM_X86_64 } from '../../src/elf/constants.js';

test('rule numbers are the same through the small-value table and the map', () => {
  const a = new RuleSpeller(EM_X86_64);
  const b = new RuleSpeller(EM_X86_64);
  // b meets the values in another order; each spelling has one number per speller either way
  const values = [-8, -16, 0, 2047, -2048, 2048, -2049, 100000, -0];
  const ids = values.map((v) => a.savedAtId(v));
  for (const v of [...values].reverse()) b.savedAtId(v);
  values.forEach((v, k) => {
    assert.equal(a.text(ids[k]), v < 0 ? `cfa${v}` : `cfa+${v}`);
    assert.equal(a.savedAtId(v), ids[k]);
    assert.equal(b.text(b.savedAtId(v)), a.text(ids[k]));
  });
  assert.equal(a.savedAtId(0), a.savedAtId(-0));
});
