/**
 * Makes dist/objflow.cjs.cache (run by tools/bundle.ts in a child process whose output is discarded):
 * loads the bundle the way bin/objflow-fast.cjs does, runs the commands a kbuild-style run and the
 * other commands need on the committed example objects, then asks V8 for the code cache, which then
 * holds every function those runs compiled.
 */
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Script } from 'node:vm';

interface Launcher {
  load(): { exports: { run(argv: readonly string[]): Promise<number> }; script: Script; cacheRejected: boolean };
  CACHE: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
/** kbuild's objtool arguments for an x86-64 defconfig-like kernel (as in the corpus' objtool-args.log) */
const KBUILD_ARGS = ['--hacks=jump_label', '--hacks=noinstr', '--hacks=skylake', '--orc', '--retpoline', '--rethunk',
  '--static-call', '--uaccess', '--prefix=16'];

await warmUp();

async function warmUp(): Promise<void> {
  const require = createRequire(import.meta.url);
  const launcher = require(join(repo, 'bin', 'objflow-fast.cjs')) as Launcher;
  // V8 stamps the cache with a hash of its flags and ignores a cache whose stamp differs from the
  // loading process's flags; a run may tune the heap with v8.setFlagsFromString, so the warm-up runs
  // with flag changes ignored and the stamp stays that of a plain `node` (the launcher's)
  (require('node:v8') as { setFlagsFromString(flags: string): void }).setFlagsFromString = (): void => {};
  const { exports: cli, script } = launcher.load();
  const work = mkdtempSync(join(tmpdir(), 'objflow-warmup-'));
  try {
    const good = join(repo, 'examples', 'bin', 'good.o');
    const bad = join(repo, 'examples', 'bin', 'bad.o');
    // a kernel-flavoured object (retpolines, return thunks, fentry) where the repository has one
    const kernelish = join(repo, 'test', 'fixtures', 'elf', 'sample-gcc.o');
    for (const src of [kernelish, good]) {
      if (!existsSync(src)) continue;
      const copy = join(work, 'obj.o');
      copyFileSync(src, copy);
      await cli.run(['objtool', ...KBUILD_ARGS, copy]);
    }
    await cli.run(['--help']);
    await cli.run(['check', good, bad]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const tmp = `${launcher.CACHE}.${process.pid}.tmp`;
  writeFileSync(tmp, script.createCachedData());
  renameSync(tmp, launcher.CACHE);
}
