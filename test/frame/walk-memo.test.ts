/** The walk's memo tables: the transition cache (by recorded state id) and the meet memo (by state-id pair). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeetMemo } from '../../src/frame/meet-memo.js';
import { TransitionCache } from '../../src/frame/transition-cache.js';
import { StatePool, initState, stateLayout } from '../../src/frame/state.js';

const ops = Int32Array.from([
  1, 2, 3, 4, 5, 6, // op 0
  7, 8, 9, 10, 11, 12, // op 1
]);

test('transition cache: a hit needs the same in-state, flags and op words; misses are -1', () => {
  const c = new TransitionCache();
  assert.equal(c.get(5, 1, ops, 0, 2), -1);
  c.set(5, 1, ops, 0, 2, 9);
  assert.equal(c.get(5, 1, ops, 0, 2), 9);
  assert.equal(c.hits, 1);
  assert.equal(c.get(5, 3, ops, 0, 2), -1, 'other flags');
  assert.equal(c.get(6, 1, ops, 0, 2), -1, 'other state');
  assert.equal(c.get(5, 1, ops, 6, 1), -1, 'other ops');
  assert.equal(c.get(-1, 1, ops, 0, 2), -1);
  // one op: its own entry
  c.set(2, 0, ops, 6, 1, 7);
  assert.equal(c.get(2, 0, ops, 6, 1), 7);
  // more than two ops are never cached
  const three = Int32Array.from([...ops, ...ops.subarray(0, 6)]);
  c.set(5, 1, three, 0, 3, 4);
  assert.equal(c.get(5, 1, three, 0, 3), -1);
});

test('meet memo: entries by (arriving, recorded) pair, replaced on collision', () => {
  const m = new MeetMemo();
  const slot = m.slot(3, 4);
  assert.ok(!m.has(slot, 3, 4));
  m.store(slot, 3, 4, true, -1);
  assert.ok(m.has(slot, 3, 4));
  assert.ok(m.weaker(slot));
  assert.equal(m.result(slot), -1);
  m.setResult(slot, 8);
  assert.equal(m.result(slot), 8);
  assert.ok(!m.has(m.slot(4, 3), 4, 3), 'the pair is ordered');
  m.store(slot, 10, 11, false, -1);
  assert.ok(!m.has(slot, 3, 4));
});

test('pool: hashes kept in the slot table survive many rehashes; loads copy into longer arrays', () => {
  const L = stateLayout(17);
  const pool = new StatePool(L, 2);
  const s = initState(L, new Int32Array(L.size + 5));
  for (let k = 0; k < 3000; k++) {
    s[L.cfaOff] = k;
    assert.equal(pool.intern(s), k);
  }
  for (let k = 2999; k >= 0; k -= 7) {
    s[L.cfaOff] = k;
    assert.equal(pool.intern(s), k);
  }
  const out = new Int32Array(L.size + 5).fill(77);
  pool.load(1234, out);
  assert.equal(out[L.cfaOff], 1234);
  assert.equal(out[L.size], 77, 'words after the state are left alone');
  assert.equal(pool.load(-1, out), out);
  assert.equal(out[L.cfaOff], 1234, 'id -1 copies nothing');
});
