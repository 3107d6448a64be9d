/** Frame states: layout, objtool's initial and function-entry states, and interning in a StatePool. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { x86_64 } from '../../src/arch/x86/index.js';
import { StatePool, StateType, initState, setFuncState, stateLayout, statesEqual } from '../../src/frame/state.js';

const L = stateLayout(17);

test('layout: every field has its own word, and the words are exactly 0..size-1', () => {
  const words: number[] = [];
  for (const [k, v] of Object.entries(L)) {
    if (k === 'n' || k === 'size') continue;
    // per-register arrays: regs and vals hold (base, offset) pairs, restored one word per register
    const width = k === 'regs' || k === 'vals' ? 2 * L.n : k === 'restored' ? L.n : 1;
    for (let w = 0; w < width; w++) words.push((v as number) + w);
  }
  words.sort((a, b) => a - b);
  assert.deepEqual(words, Array.from({ length: L.size }, (_, k) => k));
});

test('init_cfi_state: everything undefined, drap offset -1', () => {
  const s = initState(L, new Int32Array(L.size).fill(7));
  assert.equal(s[L.cfaBase], -1);
  assert.equal(s[L.cfaOff], 0);
  assert.equal(s[L.drapReg], -1);
  assert.equal(s[L.drapOff], -1);
  assert.equal(s[L.type], StateType.Undefined);
  for (let r = 0; r < L.n; r++) {
    assert.deepEqual([s[2 * r], s[2 * r + 1], s[L.vals + 2 * r]], [-1, 0, -1]);
  }
});

test('set_func_state (x86-64): CFA rsp+8, return address at cfa-8, stack size 8, type CALL', () => {
  const s = setFuncState(x86_64, L, initState(L, new Int32Array(L.size)));
  assert.deepEqual([s[L.cfaBase], s[L.cfaOff], s[L.stackSize], s[L.type]], [4, 8, 8, StateType.Call]);
  assert.deepEqual([s[2 * 16], s[2 * 16 + 1]], [-2, -8]);
  for (let r = 0; r < 16; r++) assert.equal(s[2 * r], -1);
});

function distinct(k: number): Int32Array {
  const s = initState(L, new Int32Array(L.size));
  s[L.cfaBase] = 4;
  s[L.cfaOff] = 8 * (k + 1);
  s[L.stackSize] = k;
  return s;
}

test('intern: equal contents get one id, different contents new ids in order', () => {
  const pool = new StatePool(L);
  const a = distinct(0);
  const b = distinct(1);
  assert.equal(pool.intern(a), 0);
  assert.equal(pool.intern(b), 1);
  assert.equal(pool.intern(a.slice()), 0);
  assert.equal(pool.intern(distinct(1)), 1);
  assert.equal(pool.count, 2);
  assert.equal(pool.hits, 2);
  // a difference in any single word is a different state
  for (const w of [L.type, L.signal, L.end, L.forceUndefined, L.restored + 3, L.vals + 1, L.size - 1]) {
    const c = a.slice();
    c[w] ^= 1;
    assert.notEqual(pool.intern(c), 0, `word ${w}`);
  }
});

test('intern copies: changing the caller\'s array afterwards does not change the stored state', () => {
  const pool = new StatePool(L);
  const a = distinct(3);
  const id = pool.intern(a);
  a[L.cfaOff] = 999;
  assert.equal(pool.get(id, L.cfaOff), 32);
  const out = pool.load(id, new Int32Array(L.size));
  assert.ok(statesEqual(out, distinct(3)));
  assert.ok(pool.equals(id, distinct(3)));
  assert.ok(!pool.equals(id, a));
  assert.equal(pool.view(id).length, L.size);
});

test('growth: thousands of states survive data growth and rehashing, each found again', () => {
  const pool = new StatePool(L, 4);
  const n = 5000; // > 1024-slot table: several rehashes; > 4 states: several data doublings
  for (let k = 0; k < n; k++) assert.equal(pool.intern(distinct(k)), k);
  assert.equal(pool.count, n);
  for (let k = 0; k < n; k += 97) {
    assert.equal(pool.intern(distinct(k)), k);
    assert.ok(statesEqual(pool.load(k, new Int32Array(L.size)), distinct(k)));
  }
  assert.equal(pool.hits, Math.ceil(n / 97));
});

test('statesEqual compares every word', () => {
  const a = distinct(1);
  const b = a.slice();
  assert.ok(statesEqual(a, b));
  b[L.size - 1] = 5;
  assert.ok(!statesEqual(a, b));
});

test('stored as differences: every word reads back, in any mask word and at bit 31, on both arches\' sizes', () => {
  for (const n of [17, 32]) {
    const La = stateLayout(n);
    const pool = new StatePool(La, 2);
    // pseudo-random states differing from the initial one in a varying set of words
    let seed = 12345;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
    const states: Int32Array[] = [];
    for (let k = 0; k < 300; k++) {
      const s = initState(La, new Int32Array(La.size));
      const changes = k % 7 === 0 ? La.size : rand() % 24;
      for (let c = 0; c < changes; c++) s[k % 7 === 0 ? c : rand() % La.size] = (rand() % 2001) - 1000;
      // words 31, 32 and 63 sit at a mask word's edges
      if (k % 3 === 0) s[31] = k + 1;
      if (k % 5 === 0 && La.size > 63) s[63] = -k - 2;
      states.push(s);
    }
    const ids = states.map((s) => pool.intern(s));
    const out = new Int32Array(La.size);
    states.forEach((s, k) => {
      const id = ids[k];
      assert.ok(statesEqual(pool.load(id, out), s), `load ${k}`);
      assert.ok(pool.equals(id, s), `equals ${k}`);
      for (let w = 0; w < La.size; w++) assert.equal(pool.get(id, w), s[w], `get ${k} word ${w}`);
      assert.equal(pool.intern(s.slice()), id);
    });
    // the initial state itself is an empty difference
    const init = initState(La, new Int32Array(La.size));
    const initId = pool.intern(init);
    assert.ok(statesEqual(pool.view(initId), init));
  }
});

test('differsIn: true exactly when one of the named words differs from the initial state', () => {
  const pool = new StatePool(L);
  const words = [L.vals + 2 * 3, L.vals + 2 * 9, L.restored + 16];
  const set = pool.wordSet(words);
  const base = distinct(2);
  assert.equal(pool.differsIn(pool.intern(base), set), false);
  for (const w of words) {
    const s = base.slice();
    s[w] = 40;
    assert.equal(pool.differsIn(pool.intern(s), set), true, `word ${w}`);
  }
  const other = base.slice();
  other[L.vals + 2 * 4] = 40;
  assert.equal(pool.differsIn(pool.intern(other), set), false);
});
