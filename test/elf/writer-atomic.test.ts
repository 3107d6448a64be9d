import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/elf/atomic-write.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'objflow-atomic-'));
  try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('replaces the contents and keeps the file mode', () => {
  withDir((dir) => {
    const p = join(dir, 'a.o');
    writeFileSync(p, 'old');
    chmodSync(p, 0o751);
    writeFileAtomic(p, Uint8Array.from([1, 2, 3]));
    assert.deepEqual([...readFileSync(p)], [1, 2, 3]);
    assert.equal(statSync(p).mode & 0o7777, 0o751);
    assert.deepEqual(readdirSync(dir), ['a.o'], 'no temporary file left');
  });
});

test('contents given in pieces are written one after the other', () => {
  withDir((dir) => {
    const p = join(dir, 'a.o');
    writeFileSync(p, 'old contents');
    function* pieces(): Generator<Uint8Array> {
      yield Uint8Array.from([1, 2]);
      yield new Uint8Array(0);
      yield new Uint8Array(100000).fill(9).subarray(99998);
      yield Uint8Array.from([3]);
    }
    writeFileAtomic(p, pieces());
    assert.deepEqual([...readFileSync(p)], [1, 2, 9, 9, 3]);
    assert.deepEqual(readdirSync(dir), ['a.o']);
  });
});

test('a failure while the pieces are made leaves the target as it was', () => {
  withDir((dir) => {
    const p = join(dir, 'a.o');
    writeFileSync(p, 'old');
    function* failing(): Generator<Uint8Array> {
      yield Uint8Array.from([1]);
      throw new Error('no more');
    }
    assert.throws(() => writeFileAtomic(p, failing()), /no more/);
    assert.equal(readFileSync(p, 'latin1'), 'old');
    assert.deepEqual(readdirSync(dir), ['a.o']);
  });
});

test('creates a missing file', () => {
  withDir((dir) => {
    const p = join(dir, 'new.o');
    writeFileAtomic(p, new Uint8Array(70000).fill(7));
    assert.equal(readFileSync(p).length, 70000);
  });
});

test('on failure the original stays and no temporary file is left', () => {
  withDir((dir) => {
    // the target is a non-empty directory: the rename must fail
    const p = join(dir, 'target');
    mkdirSync(p);
    writeFileSync(join(p, 'inside'), 'x');
    assert.throws(() => writeFileAtomic(p, Uint8Array.from([1])));
    assert.deepEqual(readdirSync(dir), ['target']);
    assert.equal(readFileSync(join(p, 'inside'), 'latin1'), 'x');
  });
  withDir((dir) => {
    // a directory that does not exist: nothing is created anywhere
    assert.throws(() => writeFileAtomic(join(dir, 'nope', 'a.o'), Uint8Array.from([1])), /ENOENT/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
