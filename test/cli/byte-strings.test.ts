/**
 * Names and paths as bytes (src/byte-strings.ts): a symbol named in UTF-8 or with a byte that is no
 * UTF-8, in a file under a non-ASCII path, printed by the real process the way objtool prints it
 * (raw bytes; test-corpus/fixtures/objtool-warnings/non-ascii-names.s compares with objtool itself),
 * and as valid UTF-8 in JSON.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { argBytes, fsPath, utf8Only } from '../../src/byte-strings.js';
import { textObject } from '../fixtures/core/x86-object.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const OBJFLOW = join(repo, 'bin', 'objflow.js');
const work = mkdtempSync(join(tmpdir(), 'objflow-bytes-'));
after(() => rmSync(work, { recursive: true, force: true }));

const PUSH_RBX = [0x53];
const RET = [0xc3];
/** "café" in UTF-8, and a name with byte 0xff, as the byte strings ELF names are read into */
const CAFE = 'caf\xc3\xa9';
const BAD = 'bad\xffname';

test('byte strings: arguments become their UTF-8 bytes; ASCII stays as it is', () => {
  assert.equal(argBytes('caf\u00e9'), CAFE);
  assert.equal(argBytes('plain/path.o'), 'plain/path.o');
  assert.equal(fsPath('plain/path.o'), 'plain/path.o');
  assert.deepEqual(fsPath(CAFE), Buffer.from([0x63, 0x61, 0x66, 0xc3, 0xa9]));
});

test('byte strings: JSON text keeps UTF-8 and replaces what is not', () => {
  assert.equal(utf8Only(CAFE), CAFE);
  assert.equal(utf8Only(BAD), 'bad\xef\xbf\xbdname');
});

function objectUnder(dirName: string, fileName: string): string {
  const d = join(work, dirName);
  mkdirSync(d, { recursive: true });
  const p = join(d, fileName);
  writeFileSync(p, textObject([{ name: CAFE, code: [...PUSH_RBX, ...RET] }, { name: BAD, code: [...PUSH_RBX, ...RET] }]).b.build());
  return p;
}

test('byte strings: objtool warnings print names and the path as raw bytes; the file is rewritten in place', () => {
  const path = objectUnder('d\u00e9', '\u00fc.o');
  const r = spawnSync(process.execPath, [OBJFLOW, 'objtool', '--orc', '--backup', path]);
  assert.equal(r.status, 0, r.stderr.toString('latin1'));
  const pathBytes = Buffer.from(path, 'utf8').toString('latin1');
  assert.equal(r.stderr.toString('latin1'),
    `${pathBytes}: warning: objtool: ${CAFE}+0x1: return with modified stack frame\n` +
    `${pathBytes}: warning: objtool: ${BAD}+0x1: return with modified stack frame\n`);
  assert.ok(existsSync(`${path}.orig`), 'backup next to the input');
  assert.ok(readFileSync(path).includes(Buffer.from('.orc_unwind')), 'ORC written to the non-ASCII path');
});

test('byte strings: JSON output is UTF-8 with the names as text', () => {
  const path = objectUnder('j\u00e9', 'x.o');
  const r = spawnSync(process.execPath, [OBJFLOW, 'check', '--format', 'json', path]);
  assert.equal(r.status, 1, r.stderr.toString('latin1'));
  const text = new TextDecoder('utf-8', { fatal: true }).decode(r.stdout);
  const funcs = text.trim().split('\n').map((l) => (JSON.parse(l) as { func?: string }).func).filter((f) => f !== undefined);
  assert.deepEqual(funcs, ['caf\u00e9', 'bad\ufffdname']);
});

test('byte strings: a path that is not UTF-8 is opened and printed with its own bytes (read back from /proc)', { skip: process.platform !== 'linux' }, () => {
  // Node decodes its arguments as UTF-8 (0xff becomes U+FFFD); the shell passes the raw byte
  const dir = join(work, 'raw');
  mkdirSync(dir, { recursive: true });
  const name = Buffer.concat([Buffer.from(dir + '/x'), Buffer.from([0xff]), Buffer.from('y.o')]);
  writeFileSync(name, textObject([{ name: 'f', code: [...PUSH_RBX, ...RET] }]).b.build());
  for (const entry of [[OBJFLOW], [join(repo, 'bin', 'objflow-fast.cjs')]]) {
    const r = spawnSync('sh', ['-c', `exec "$0" "$@" "$(printf '${dir}/x\\377y.o')"`, process.execPath, ...entry, 'check'], { encoding: 'latin1' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `${dir}/x\xffy.o: warning: objtool: f+0x1: return with modified stack frame\n`, entry.join(' '));
  }
});
