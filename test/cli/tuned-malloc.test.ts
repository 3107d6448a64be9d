/**
 * bin/objflow.js runs a userspace command on a large input again in a child process with glibc's
 * tunables set (huge pages, memory kept for reuse; docs/ARCHITECTURE.md, "Memory"). The child must
 * be invisible: the same stdout, stderr and exit status as a run with glibc's defaults
 * (OBJFLOW_MALLOC=default), and the child sees the tunables. The input is a fixture padded past
 * 4 MiB (bytes after the section headers belong to no section).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const OBJFLOW = join(repo, 'bin', 'objflow.js');
const work = mkdtempSync(join(tmpdir(), 'objflow-malloc-'));
after(() => rmSync(work, { recursive: true, force: true }));

function padded(name: string): string {
  const out = join(work, name.replace(/\//g, '-'));
  copyFileSync(join(repo, 'test', 'fixtures', name), out);
  appendFileSync(out, new Uint8Array(5 << 20));
  return out;
}

function run(args: string[], env: Record<string, string | undefined>): { status: number | null; out: string; err: string } {
  const e: Record<string, string | undefined> = { ...process.env, ...env };
  delete e.GLIBC_TUNABLES;
  const r = spawnSync(process.execPath, [OBJFLOW, ...args], { env: e, encoding: 'latin1' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

test('tuned malloc: verify on a large input gives what the defaults give', { skip: process.platform !== 'linux' }, () => {
  const file = padded('verify/landing-pads-x86-64.o');
  for (const format of ['json', 'text']) {
    const tuned = run(['verify', '--format', format, file], {});
    const plain = run(['verify', '--format', format, file], { OBJFLOW_MALLOC: 'default' });
    assert.deepEqual(tuned, plain, format);
    assert.ok(plain.out.length > 0);
  }
});

test('tuned malloc: a finding\'s exit status and stderr come through the child', { skip: process.platform !== 'linux' }, () => {
  const file = padded('check/startup-x86-64');
  const tuned = run(['check', '--format', 'json', file, join(work, 'missing.o')], {});
  const plain = run(['check', '--format', 'json', file, join(work, 'missing.o')], { OBJFLOW_MALLOC: 'default' });
  assert.deepEqual(tuned, plain);
  assert.equal(plain.status, 2);
  assert.match(plain.err, /missing\.o/);
});

test('tuned malloc: the child runs with the tunables, small inputs run in place', { skip: process.platform !== 'linux' }, () => {
  // the rerun keeps node's own options: a preloaded script prints the environment of the process it runs in
  const preload = `data:text/javascript,${encodeURIComponent('if (process.env.GLIBC_TUNABLES) process.stderr.write("tunables: " + process.env.GLIBC_TUNABLES + "\\n")')}`;
  const e: Record<string, string | undefined> = { ...process.env };
  delete e.GLIBC_TUNABLES;
  const large = spawnSync(process.execPath, ['--import', preload, OBJFLOW, 'check', padded('check/startup-x86-64')], { env: e, encoding: 'latin1' });
  assert.match(large.stderr, /tunables: glibc\.malloc\.hugetlb=1/);
  const small = spawnSync(process.execPath, ['--import', preload, OBJFLOW, 'check', join(repo, 'test', 'fixtures', 'check', 'startup-x86-64')], { env: e, encoding: 'latin1' });
  assert.doesNotMatch(small.stderr, /tunables:/);
  assert.equal(small.status, large.status);
});
