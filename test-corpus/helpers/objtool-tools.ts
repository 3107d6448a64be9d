/** Finding the real objtool and compilers for corpus tests, and running them. */
import { existsSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OBJTOOL = process.env.OBJTOOL ??
  '/root/.cache/objcorpus/objtool-deb/usr/lib/linux-kbuild-6.12.117+deb12/tools/objtool/objtool.real-x86';
export const CORPUS = process.env.OBJCORPUS ?? '/root/.cache/objcorpus';

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
