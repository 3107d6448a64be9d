/**
 * objflow's objtool mode against the real objtool 6.12 on every object of the kernel corpus
 * (Linux 6.12 kernel/, mm/, lib/ for x86-64, GCC 12 and Clang 19): the same warnings (text, order,
 * number), the same exit status, and the same resulting file, byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { objtoolCommand } from '../src/cli/objtool.js';
import { CORPUS, scratchDir } from './helpers/objtool-tools.js';

for (const build of ['x86-gcc', 'x86-clang']) {
  const C = join(CORPUS, 'corpus', build);
  const R = join(CORPUS, 'ref', build);
  const have = existsSync(join(C, 'objtool-args.tsv')) && existsSync(join(R, '.stamp-ref-done'));
  test(`objtool parity on every ${build} object`, { skip: have ? false : `corpus ${build} not built` }, async () => {
    const lines = readFileSync(join(C, 'objtool-args.tsv'), 'utf8').split('\n').filter((l) => l);
    const dir = scratchDir(`parity-${build}`);
    const bad: string[] = [];
    let identical = 0;
    let warnings = 0;
    for (const line of lines) {
      const [obj, args] = line.split('\t');
      const work = join(dir, obj);
      mkdirSync(dirname(work), { recursive: true });
      copyFileSync(join(C, obj), work);
      let err = '';
      const rc = await objtoolCommand([...args.split(' ').filter((a) => a), work], {
        out: () => {},
        err: (s) => { err += s; },
      });
      const refWarn = readFileSync(join(R, `${obj}.warn`), 'latin1');
      const refRc = Number(readFileSync(join(R, `${obj}.rc`), 'utf8').trim());
      const ours = err.split(work).join(obj);
      const sameFile = Buffer.compare(readFileSync(work), readFileSync(join(R, obj))) === 0;
      warnings += refWarn.split('\n').filter((l) => l.includes('warning:')).length;
      if (ours === refWarn && rc === refRc && sameFile) identical++;
      else bad.push(`${obj}: ${ours !== refWarn ? 'warnings ' : ''}${rc !== refRc ? `rc ${rc}/${refRc} ` : ''}${sameFile ? '' : 'file'}`);
      rmSync(work);
    }
    rmSync(dir, { recursive: true, force: true });
    console.log(`# ${build}: ${identical}/${lines.length} objects identical to objtool (warnings, exit status, file bytes); ${warnings} reference warning lines`);
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} objects differ`);
  });
}
