/** Finding the real objtool and compilers for corpus tests, and running them. */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CORPUS = process.env.OBJCORPUS ?? process.env.CORPUS_DIR ?? '/root/.cache/objcorpus';
export const OBJTOOL = process.env.OBJTOOL ?? findObjtool();

/** Debian's objtool, unpacked by the corpus script (the linux-kbuild-6.12 version varies). */
function findObjtool(): string {
  const lib = join(CORPUS, 'objtool-deb/usr/lib');
  let dirs: string[] = [];
  try { dirs = readdirSync(lib).filter((d) => d.startsWith('linux-kbuild-6.12')).sort(); } catch { /* not built */ }
  const d = dirs[dirs.length - 1] ?? 'linux-kbuild-6.12';
  return join(lib, d, 'tools/objtool/objtool.real-x86');
}

export function haveObjtool(): boolean {
  return existsSync(OBJTOOL);
}

export function haveCommand(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface RunResult { stdout: string; stderr: string; status: number }

export function run(cmd: string, args: string[]): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'latin1', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

export function scratchDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `objflow-${tag}-`));
}
