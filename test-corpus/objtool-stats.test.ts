/**
 * `--stats` against the real objtool on real kernel objects: the counters objtool prints (instructions
 * visited, states allocated, reused and found in its hash) follow its walk step by step, so they catch a
 * shortcut in objflow's walk that skips a lookup objtool makes. Every 8th object of each x86 build, with
 * kbuild's arguments and --dry-run, stdout, stderr and exit status compared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { objtoolCommand } from '../src/cli/objtool.js';
import { CORPUS, OBJTOOL, haveObjtool, run, scratchDir } from './helpers/objtool-tools.js';

for (const build of ['x86-gcc', 'x86-clang']) {
  const C = join(CORPUS, 'corpus', build);
  const have = existsSync(join(C, 'objtool-args.tsv')) && haveObjtool();
  test(`objtool --stats counters on ${build} objects`, { skip: have ? false : `corpus ${build} or objtool missing` }, async () => {
    const lines = readFileSync(join(C, 'objtool-args.tsv'), 'utf8').split('\n').filter((l) => l);
    const dir = scratchDir(`stats-${build}`);
    const bad: string[] = [];
    let compared = 0;
    try {
      for (let k = 0; k < lines.length; k += 8) {
        const [obj, args] = lines[k].split('\t');
        const argv = ['--stats', '--dry-run', ...args.split(' ').filter((a) => a)];
        const work = join(dir, 'obj.o');
        copyFileSync(join(C, obj), work);
        const ref = run(OBJTOOL, [...argv, work]);
        let out = '';
        let err = '';
        const rc = await objtoolCommand([...argv, work], { out: (s) => { out += s; }, err: (s) => { err += s; } });
        compared++;
        if (out !== ref.stdout || err !== ref.stderr || rc !== ref.status) {
          const a = out.split('\n');
          const b = ref.stdout.split('\n');
          const first = a.findIndex((l, i) => l !== b[i]);
          bad.push(`${obj}: ${first >= 0 ? `objflow "${a[first]}" objtool "${b[first]}"` : 'stderr/status'}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(`# ${build}: --stats identical on ${compared - bad.length}/${compared} objects`);
    assert.ok(compared > 40, 'too few objects compared');
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} objects differ`);
  });
}
