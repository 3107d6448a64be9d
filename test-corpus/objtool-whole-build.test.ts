/**
 * objflow's objtool mode against the real objtool 6.12 on whole builds, as kbuild runs it on vmlinux:
 * - `big.o` (ld -r of every built-in object of the corpus, before objtool) with the per-object
 *   arguments: the same warnings, exit status and resulting file as objtool's (ref/big.o);
 * - `big-post.o` (ld -r of the same objects after objtool) with the arguments kbuild passes for
 *   vmlinux.o (`--noinstr --unret --link` in this configuration): the same warnings and exit status,
 *   and the file left as objtool left it;
 * - `big-post.o` with every vmlinux.o check this objtool has, IBT included (`--noinstr --unret --ibt
 *   --link --stats`), against the real objtool run here: this build has no ENDBRs, so IBT reports tens
 *   of thousands of references, each of which must match, and the written file too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { objtoolCommand } from '../src/cli/objtool.js';
import { CORPUS, OBJTOOL, haveObjtool, run, scratchDir } from './helpers/objtool-tools.js';

interface WholeBuildRun {
  /** the input, from corpus/BUILD or ref/BUILD */
  input: string;
  /** the file name objtool was given (ran in ref/BUILD), as its warnings print it */
  name: string;
  /** ref/BUILD files: arguments, warnings, exit status, and objtool's resulting file */
  args: string;
  warn: string;
  rc: string;
  result: string;
}

for (const build of ['x86-gcc', 'x86-clang']) {
  const C = join(CORPUS, 'corpus', build);
  const R = join(CORPUS, 'ref', build);
  const runs: [string, WholeBuildRun][] = [
    ['per-object arguments on big.o', { input: join(C, 'big.o'), name: 'big.o', args: 'big.args', warn: 'big.warn', rc: 'big.rc', result: 'big.o' }],
    ['vmlinux.o arguments on big-post.o', { input: join(R, 'big-post.o'), name: 'big-post.o', args: 'big-link.args', warn: 'big-link.warn', rc: 'big-link.rc', result: 'big-post.o' }],
  ];
  for (const [title, r] of runs) {
    const have = existsSync(r.input) && existsSync(join(R, r.args)) && existsSync(join(R, r.rc));
    test(`${build}: ${title}`, { skip: have ? false : `corpus ${build} has no ${r.name} reference` }, async () => {
      const dir = scratchDir(`whole-${build}`);
      const work = join(dir, r.name);
      copyFileSync(r.input, work);
      let err = '';
      const args = readFileSync(join(R, r.args), 'utf8').trim().split(/\s+/);
      const rc = await objtoolCommand([...args, work], { out: () => {}, err: (s) => { err += s; } });
      const refWarn = readFileSync(join(R, r.warn), 'latin1');
      assert.equal(err.split(work).join(r.name), refWarn);
      assert.equal(rc, Number(readFileSync(join(R, r.rc), 'utf8').trim()));
      assert.ok(Buffer.compare(readFileSync(work), readFileSync(join(R, r.result))) === 0, 'resulting file differs from objtool\'s');
      console.log(`# ${build} ${r.name} ${args.join(' ')}: ${refWarn.split('\n').filter((l) => l.includes('warning:')).length} warnings, exit ${rc}, file identical`);
      rmSync(dir, { recursive: true, force: true });
    });
  }
}

for (const build of ['x86-gcc', 'x86-clang']) {
  const input = join(CORPUS, 'ref', build, 'big-post.o');
  const have = existsSync(input) && haveObjtool();
  test(`${build}: every vmlinux.o check (IBT included) on big-post.o, against objtool run now`,
    { skip: have ? false : `needs ${input} and ${OBJTOOL}` }, async () => {
      const args = ['--noinstr', '--unret', '--ibt', '--link', '--stats'];
      const dir = scratchDir(`whole-ibt-${build}`);
      const theirs = join(dir, 'theirs.o');
      const ours = join(dir, 'ours.o');
      copyFileSync(input, theirs);
      copyFileSync(input, ours);
      const ref = run(OBJTOOL, [...args, theirs]);
      let out = '';
      let err = '';
      const rc = await objtoolCommand([...args, ours], { out: (t) => { out += t; }, err: (t) => { err += t; } });
      assert.equal(err.split(ours).join('X'), ref.stderr.split(theirs).join('X'));
      assert.equal(out, ref.stdout);
      assert.equal(rc, ref.status);
      assert.ok(Buffer.compare(readFileSync(ours), readFileSync(theirs)) === 0, 'resulting file differs from objtool\'s');
      console.log(`# ${build} big-post.o ${args.join(' ')}: ${ref.stderr.split('\n').filter((l) => l.includes('warning:')).length} warnings, exit ${rc}, file identical`);
      rmSync(dir, { recursive: true, force: true });
    });
}
