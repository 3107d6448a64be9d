/**
 * FilePieces: a file image as a base with pieces laid over it, handed out front to back. Expected
 * images are written out by hand from the rules (later pieces win, the base shows through
 * elsewhere, zeros past its end).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHUNK_BYTES, FilePieces, concatSource, wholeSource } from '../../src/elf/file-pieces.js';
import type { ByteSource } from '../../src/elf/file-pieces.js';

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);

function joined(p: FilePieces): number[] {
  const out: number[] = [];
  for (const c of p.chunks()) out.push(...c);
  return out;
}

test('the base shows where nothing was put; past its end the file is zeros', () => {
  const p = new FilePieces(bytes(1, 2, 3, 4), 7);
  p.put(1, bytes(9, 9));
  assert.deepEqual(joined(p), [1, 9, 9, 4, 0, 0, 0]);
  assert.deepEqual([...p.toBytes()], [1, 9, 9, 4, 0, 0, 0]);
});

test('a later piece wins where it overlaps earlier ones, which keep their other bytes', () => {
  const p = new FilePieces(new Uint8Array(10), 10);
  p.put(2, bytes(1, 2, 3, 4, 5, 6));
  p.put(4, bytes(7, 8));
  p.zero(7, 9);
  assert.deepEqual(joined(p), [0, 0, 1, 2, 7, 8, 5, 0, 0, 0]);
  // a piece laid over several
  p.put(1, bytes(5, 5, 5, 5, 5, 5, 5, 5, 5));
  assert.deepEqual(joined(p), [0, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
});

test('the file is cut at its size; a file smaller than the base ends there', () => {
  const p = new FilePieces(bytes(1, 2, 3, 4, 5), 3);
  p.put(2, bytes(8, 8, 8));
  assert.deepEqual(joined(p), [1, 2, 8]);
});

test('views of the base and of byte pieces are handed out without copying', () => {
  const base = bytes(1, 2, 3, 4, 5, 6);
  const piece = bytes(7, 7);
  const p = new FilePieces(base, 6);
  p.put(2, piece);
  const chunks = [...p.chunks()];
  assert.equal(chunks.length, 3);
  assert.equal(chunks[0].buffer, base.buffer);
  assert.equal(chunks[1].buffer, piece.buffer);
  assert.equal(chunks[2].buffer, base.buffer);
});

test('a computed source is read in blocks of at most CHUNK_BYTES, in order, each range once', () => {
  const length = 2 * CHUNK_BYTES + 5;
  const reads: [number, number][] = [];
  const src: ByteSource = {
    length,
    read(from: number, to: number): Uint8Array {
      reads.push([from, to]);
      const b = new Uint8Array(to - from);
      for (let i = 0; i < b.length; i++) b[i] = (from + i) & 0xff;
      return b;
    },
  };
  const p = new FilePieces(new Uint8Array(0), length + 3);
  p.put(3, src);
  assert.deepEqual(reads, []);
  let at = 0;
  for (const c of p.chunks()) {
    for (let i = 0; i < c.length; i++, at++) assert.equal(c[i], at < 3 ? 0 : (at - 3) & 0xff);
  }
  assert.equal(at, length + 3);
  assert.deepEqual(reads, [[0, CHUNK_BYTES], [CHUNK_BYTES, 2 * CHUNK_BYTES], [2 * CHUNK_BYTES, length]]);
});

test('a source cut by a later piece is read only for the bytes that stay', () => {
  const reads: [number, number][] = [];
  const src: ByteSource = { length: 6, read: (f, t) => { reads.push([f, t]); return new Uint8Array(t - f).fill(3); } };
  const p = new FilePieces(new Uint8Array(8), 8);
  p.put(1, src);
  p.put(3, bytes(4, 4));
  assert.deepEqual(joined(p), [0, 3, 3, 4, 4, 3, 3, 0]);
  assert.deepEqual(reads, [[0, 2], [4, 6]]);
});

test('concatSource reads across its parts; wholeSource builds once', () => {
  const c = concatSource([bytes(1, 2), bytes(), bytes(3, 4, 5)]);
  assert.equal(c.length, 5);
  assert.deepEqual([...c.read(0, 5)], [1, 2, 3, 4, 5]);
  assert.deepEqual([...c.read(1, 3)], [2, 3]);
  assert.deepEqual([...c.read(2, 4)], [3, 4]);
  let builds = 0;
  const w = wholeSource(4, () => { builds++; return bytes(6, 7, 8, 9); });
  assert.deepEqual([...w.read(0, 2)], [6, 7]);
  assert.deepEqual([...w.read(2, 4)], [8, 9]);
  assert.equal(builds, 1);
});

test('random layers agree with painting them one after the other into a plain array', () => {
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (let round = 0; round < 200; round++) {
    const base = new Uint8Array(rnd(40)).map(() => 1 + rnd(200));
    const size = rnd(60);
    const want = new Uint8Array(size);
    want.set(base.subarray(0, Math.min(base.length, size)));
    const p = new FilePieces(base, size);
    const layers = rnd(12);
    for (let k = 0; k < layers; k++) {
      const at = rnd(70);
      const len = rnd(20);
      if (rnd(4) === 0) {
        p.zero(at, at + len);
        if (at < size) want.fill(0, at, Math.min(size, at + len));
      } else {
        const b = new Uint8Array(len).map(() => 1 + rnd(250));
        p.put(at, rnd(2) ? b : { length: len, read: (f, t) => b.slice(f, t) });
        if (at < size) want.set(b.subarray(0, Math.min(len, size - at)), at);
      }
    }
    assert.deepEqual([...p.toBytes()], [...want], `round ${round}`);
  }
});

test('thousands of sections laid front to back: each one is appended, not merged in', () => {
  const n = 20000;
  const p = new FilePieces(new Uint8Array(0), n * 2);
  for (let k = 0; k < n; k++) p.put(k * 2, Uint8Array.of(k & 0xff, 1));
  p.put(1, Uint8Array.of(7));
  const out = p.toBytes();
  assert.equal(out[1], 7);
  assert.equal(out[2 * 777], 777 & 0xff);
  assert.equal(out[2 * 777 + 1], 1);
});
