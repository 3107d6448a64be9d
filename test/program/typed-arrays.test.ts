import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doubledUntil, grown, sparseColumns, lowerBound } from '../../src/typed-arrays.js';

test('grown: same kind, old contents first, new elements zero or the fill value, never shorter', () => {
  const a = Int32Array.from([5, -6, 7]);
  const b = grown(a, 6, -1);
  assert.ok(b instanceof Int32Array);
  assert.deepEqual(Array.from(b), [5, -6, 7, -1, -1, -1]);
  const f = grown(Float64Array.from([1.5]), 3);
  assert.ok(f instanceof Float64Array);
  assert.deepEqual(Array.from(f), [1.5, 0, 0]);
  const u = grown(Uint8Array.from([1, 2, 3, 4]), 2);
  assert.deepEqual(Array.from(u), [1, 2, 3, 4]);
  assert.notEqual(u.buffer, Uint8Array.from([1, 2, 3, 4]).buffer);
});

test('doubledUntil: doubles at least once, then until the need is met', () => {
  assert.equal(doubledUntil(16, 1), 32);
  assert.equal(doubledUntil(16, 33), 64);
  assert.equal(doubledUntil(16, 64), 64);
});

test('sparseColumns: zeroed columns of the asked kinds and length that share no byte', () => {
  const n = 70001;
  const cols = sparseColumns([Int32Array, Uint8Array, Uint32Array, Int32Array], n);
  assert.deepEqual(cols.map((c) => c.constructor), [Int32Array, Uint8Array, Uint32Array, Int32Array]);
  for (const c of cols) {
    assert.equal(c.length, n);
    assert.ok(c.every((v) => v === 0));
  }
  // every element of every column written with its own value and read back: no two overlap
  cols.forEach((c, k) => { for (let i = 0; i < n; i++) c[i] = (i * 7 + k) & 0x7f; });
  cols.forEach((c, k) => { for (let i = 0; i < n; i++) assert.equal(c[i], (i * 7 + k) & 0x7f); });
  // one memory, not glibc's: the columns are views of the same buffer
  assert.equal(cols[0].buffer, cols[3].buffer);
});

test('lowerBound: the first index holding a value >= v, within the first `end` elements', () => {
  const a = Int32Array.from([2, 4, 4, 7, 9]);
  assert.deepEqual([0, 2, 3, 4, 5, 7, 8, 9, 10].map((v) => lowerBound(a, v)), [0, 0, 1, 1, 3, 3, 4, 4, 5]);
  // only the first 3 elements count: past them is `end`
  assert.equal(lowerBound(a, 9, 3), 3);
  assert.equal(lowerBound(new Float64Array(0), 1), 0);
  assert.equal(lowerBound(Float64Array.from([2 ** 40, 2 ** 41]), 2 ** 40 + 1), 1);
});
