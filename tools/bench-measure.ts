/**
 * Measuring one child process: wall time from Node's monotonic clock, peak RSS and CPU time from
 * GNU time (`/usr/bin/time -f ... -o FILE`), which reports the child's own getrusage figures.
 * Without GNU time the wall time is still measured and the rest is NaN.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sample {
  /** seconds, wall clock */
  wall: number;
  /** seconds of user + system CPU */
  cpu: number;
  /** peak resident set size, kilobytes */
  rssKb: number;
  status: number;
}

const GNU_TIME = '/usr/bin/time';
const haveGnuTime = existsSync(GNU_TIME);
const scratch = mkdtempSync(join(tmpdir(), 'objflow-bench-time-'));
process.on('exit', () => { rmSync(scratch, { recursive: true, force: true }); });

/** Runs `cmd args` with its output discarded and returns what it cost. */
export function measure(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Sample {
  const report = join(scratch, 'time.txt');
  const argv = haveGnuTime ? ['-f', '%U %S %M', '-o', report, cmd, ...args] : [...args];
  const prog = haveGnuTime ? GNU_TIME : cmd;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(prog, argv, { stdio: 'ignore', env: env ?? process.env, maxBuffer: 0 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw r.error;
  let cpu = NaN;
  let rssKb = NaN;
  if (haveGnuTime) {
    // a child killed by a signal makes GNU time write a "Command terminated" line first
    const last = readFileSync(report, 'latin1').trim().split('\n').pop() ?? '';
    const [u, s, m] = last.split(' ').map(Number);
    cpu = u + s;
    rssKb = m;
  }
  return { wall, cpu, rssKb, status: r.status ?? 128 };
}

export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
