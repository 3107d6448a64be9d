/**
 * AArch64 stack realignment under a frame pointer that is not at the bottom of the frame (Clang
 * saves d8-d10 below the frame record, so x29 = sp + 0x20, then `sub x9, sp, #n; and sp, x9,
 * #-64`): the compiler's table puts the CFA on x29 from there on, and so must the analysis. Before,
 * the `and` took the scratch x9 for a DRAP register and the epilogue no longer agreed. Oracle: the
 * compiler's own table, every instruction (Clang 19, asynchronous tables).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyFile } from '../src/verify/verify.js';
import { haveCommand } from './helpers/objtool-tools.js';

const src = fileURLToPath(new URL('../../test-corpus/fixtures/verify/aarch64-realign-under-fp.c', import.meta.url));

test('verify: AArch64 realignment under x29 = sp + k agrees with Clang\'s table', { skip: !haveCommand('clang-19') && 'needs clang-19' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'objflow-realign-'));
  const o = join(dir, 'f.o');
  execFileSync('clang-19', ['--target=aarch64-linux-gnu', '-O2', '-fasynchronous-unwind-tables', '-c', '-o', o, src]);
  const dis = execFileSync(haveCommand('llvm-objdump-19') ? 'llvm-objdump-19' : 'aarch64-linux-gnu-objdump', ['-d', o], { encoding: 'utf8' });
  assert.match(dis, /add\s+x29, sp, #0x[1-9a-f]/, 'the frame pointer is set above the bottom of the frame');
  assert.match(dis, /and\s+sp, x9/, 'the stack is realigned');
  const r = await verifyFile(o);
  assert.deepEqual(r.verdicts.map((v) => [v.func, v.status, v.first]), [['f', 'agrees', null]]);
});
