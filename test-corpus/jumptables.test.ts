/**
 * Jump-table recovery against compiler ground truth (jumptables.py over the compiler's assembly):
 * 1. sw.c compiled in every configuration by fixtures/jumptables/matrix.sh (gcc, clang-19, AArch64
 *    GCC and Clang; -O0..-O3, -Os; PIC and non-PIC; objects and linked files);
 * 2. the userspace corpus ($CORPUS_DIR/us/<arch>-<cc>-<opt>/<codebase>): SQLite and the code bases of
 *    corpus/extra-codebases.sh (expat, tree-sitter-javascript, dtc), every finished build, every
 *    object and linked file with a *.jt.json.
 * Every truth table must be recovered with exactly its targets, and nothing else reported.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareFile } from './jumptables-compare.js';
import { EXTRA_CODEBASES, jumpTablePairs, usBuilds, whyMissing } from './helpers/us-corpus.js';
import { haveCommand } from './helpers/objtool-tools.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, '../../test-corpus/fixtures/jumptables');
const CORPUS = process.env.CORPUS_DIR ?? join(process.env.HOME ?? '/root', '.cache/objcorpus');
const usRoot = join(CORPUS, 'us');
const ORACLE = process.env.JUMPTABLES_PY ?? '/work/shared/corpus/jumptables.py';


async function assertExact(file: string, truth: string, log?: (s: string) => void): Promise<void> {
  const c = await compareFile(file, truth);
  log?.(`${file}: truth ${c.truth} exact ${c.exact} wrong ${c.wrong} missed ${c.missed} extra ${c.extra} unresolved ${c.unresolved}`);
  assert.deepEqual({ wrong: c.wrong, missed: c.missed, extra: c.extra, exact: c.exact },
    { wrong: 0, missed: 0, extra: 0, exact: c.truth }, `${file}\n${c.details.join('\n')}`);
}

const tools = ['gcc', 'clang-19', 'aarch64-linux-gnu-gcc', 'aarch64-linux-gnu-as', 'python3'];
test('sw.c in every compiler / arch / optimisation / PIC configuration', { skip: !tools.every(haveCommand) || !existsSync(ORACLE) }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'objflow-jt-'));
  try {
    execFileSync('bash', [join(FIX, 'matrix.sh'), join(here, '../../test/fixtures/jumptables/sw.c')], { cwd: dir, stdio: 'ignore', env: { ...process.env, JUMPTABLES_PY: ORACLE } });
    let builds = 0;
    for (const b of readdirSync(join(dir, 'out')).sort()) {
      const d = join(dir, 'out', b);
      await assertExact(join(d, 'sw.o'), join(d, 'sw.jt.json'));
      if (existsSync(join(d, 'libsw.so'))) await assertExact(join(d, 'libsw.so'), join(d, 'libsw.so.jt.json'));
      else await assertExact(join(d, 'sw-nopie'), join(d, 'sw-nopie.jt.json'));
      builds++;
    }
    assert.equal(builds, 40);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const usAll = usBuilds(usRoot);
test('the SQLite corpus checked spans both arches and both compilers', { skip: !usAll.some((b) => b.codebase === 'sqlite') }, () => {
  const names = usAll.filter((b) => b.codebase === 'sqlite').map((b) => b.build);
  for (const want of ['x86_64-gcc', 'x86_64-clang', 'aarch64-gcc', 'aarch64-clang']) {
    assert.ok(names.some((n) => n.startsWith(want)), `no finished ${want} build in ${usRoot}`);
  }
});

// code bases beyond SQLite (corpus/extra-codebases.sh): said visibly when one could not be built
for (const name of EXTRA_CODEBASES) {
  const why = whyMissing(name, usAll, usRoot);
  if (why) test(`code base ${name}`, { skip: why }, () => {});
}

for (const b of usAll) {
  test(`${b.codebase} ${b.build}`, async (t) => {
    const log = (s: string): void => t.diagnostic(s);
    const pairs = jumpTablePairs(b.dir);
    assert.ok(pairs.length > 0, `${b.dir}: no *.jt.json`);
    for (const { file, truth } of pairs) await assertExact(file, truth, log);
  });
}
