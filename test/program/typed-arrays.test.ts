import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doubledUntil, grown } from '../../src/typed-arrays.js';

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
