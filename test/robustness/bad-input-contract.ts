/**
 * The CLI's promise on bad input, checked on every command: exit status 0 or 2 (`objtool` keeps
 * objtool's 0/1; `check` and `verify` may also say 1 for findings); when it fails, one line
 * `objflow: FILE: reason` on stderr, never a stack trace or an "internal error"; done within a time
 * bound; the input untouched when it fails (and always, for the read-only commands).
 *
 * Two ways to run: `runSpawned` starts `bin/objflow.js` once per input (the real process: exit
 * status, stderr, signals, memory limit); `runBatch` hands many inputs to one child process
 * (bad-input-driver.js) that calls the CLI's `main` for each, so hundreds of inputs cost one Node
 * startup. Both return problems as strings so a test reports every failure with its reproducer.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** the repository root, from dist/test/robustness/ */
export const REPO = resolve(here, '..', '..', '..');
export const OBJFLOW = join(REPO, 'bin', 'objflow.js');
const DRIVER = join(here, 'bad-input-driver.js');
/** a heap bound well above what a small bad input needs: unbounded growth dies instead of swapping */
const HEAP_MB = 1024;

export interface Command {
  name: string;
  argv(file: string): string[];
  /** writes FILE when it succeeds (objtool); runs on its own copy */
  writes: boolean;
  /** exit statuses allowed besides 0 and the failure status */
  findings: boolean;
  failStatus: number;
}

export const KBUILD_ARGS = ['--hacks=jump_label', '--hacks=noinstr', '--hacks=skylake', '--orc', '--retpoline', '--rethunk', '--static-call', '--uaccess', '--prefix=16'];

/** The commands that exist in this build of objflow (jumptables and verify may not yet). */
export function commands(): Command[] {
  const list: Command[] = [
    { name: 'check', argv: (f) => ['check', f], writes: false, findings: true, failStatus: 2 },
    { name: 'unwind', argv: (f) => ['unwind', '--format', 'json', f], writes: false, findings: false, failStatus: 2 },
    { name: 'orc-dump', argv: (f) => ['orc', 'dump', f], writes: false, findings: false, failStatus: 2 },
    { name: 'objtool-orc', argv: (f) => ['objtool', '--orc', f], writes: true, findings: false, failStatus: 1 },
    { name: 'objtool-kbuild', argv: (f) => ['objtool', ...KBUILD_ARGS, f], writes: true, findings: false, failStatus: 1 },
  ];
  if (commandExists('jumptables')) {
    list.push({ name: 'jumptables', argv: (f) => ['jumptables', '--format', 'json', f], writes: false, findings: false, failStatus: 2 });
  }
  if (commandExists('verify')) {
    list.push({ name: 'verify', argv: (f) => ['verify', f], writes: false, findings: true, failStatus: 2 });
  }
  return list;
}

function commandExists(name: string): boolean {
  const r = spawnSync(process.execPath, [OBJFLOW, name], { encoding: 'latin1', timeout: 60_000 });
  return !/unknown command/.test(r.stderr ?? '');
}

export interface Outcome {
  status: number | null;
  signal: string | null;
  stderr: string;
  ms: number;
}

/** What is wrong with one run, or [] when it kept the promise. */
export function judge(cmd: Command, o: Outcome, limitMs: number): string[] {
  const bad: string[] = [];
  if (o.signal) bad.push(`killed by ${o.signal}${o.ms >= limitMs ? ` after ${Math.round(o.ms)} ms (time bound ${limitMs} ms)` : ''}`);
  else if (o.ms > limitMs) bad.push(`took ${Math.round(o.ms)} ms (bound ${limitMs} ms)`);
  const allowed = [0, cmd.failStatus, ...(cmd.findings ? [1] : [])];
  if (o.status !== null && !allowed.includes(o.status)) bad.push(`exit status ${o.status} (allowed ${allowed.join('/')})`);
  if (/internal error/.test(o.stderr)) bad.push(`internal error: ${firstLine(o.stderr.slice(o.stderr.indexOf('internal error')))}`);
  if (/^\s+at .+\(.*:\d+:\d+\)$/m.test(o.stderr) || /^\S*Error: /m.test(o.stderr)) bad.push('stack trace or raw exception on stderr');
  if (o.status === cmd.failStatus) {
    const lines = o.stderr.split('\n').filter((l) => l !== '');
    const own = lines.filter((l) => /^objflow: .*: .+$/.test(l));
    // objtool's own warnings (and its "forcing --link" note) may come before the failure line
    const others = lines.filter((l) => !/^objflow: .*: .+$/.test(l) && !(cmd.writes && / objtool: /.test(l)));
    // or, for objtool, only objtool's own lines: its fatal errors (a `.cold` part without its parent
    // function, say) print one objtool warning and exit 1, and objflow prints them as objtool does
    const objtoolFatal = cmd.writes && own.length === 0 && lines.length > 0 && others.length === 0;
    if (!objtoolFatal && (own.length !== 1 || others.length > 0 || lines[lines.length - 1] !== own[0])) {
      bad.push(`stderr is not one 'objflow: FILE: reason' line: ${JSON.stringify(o.stderr.slice(0, 300))}`);
    }
  }
  return bad;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

export interface Input {
  name: string;
  path: string;
}

export interface Finding {
  input: string;
  command: string;
  problem: string;
  argv: string[];
}

/** Runs each command on each input as its own `node bin/objflow.js` process. */
export function runSpawned(inputs: readonly Input[], cmds: readonly Command[], limitMs: number, scratch: string): Finding[] {
  const jobs: { inp: Input; cmd: Command; file: string }[] = [];
  for (const inp of inputs) {
    for (const cmd of cmds) jobs.push({ inp, cmd, file: cmd.writes ? copyFor(inp.path, scratch, cmd.name) : inp.path });
  }
  const dirs = listings(jobs.map((j) => j.file));
  const found: Finding[] = [];
  for (const { inp, cmd, file } of jobs) {
    const before = snapshot(file);
    const argv = cmd.argv(file);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, OBJFLOW, ...argv], {
      encoding: 'latin1', timeout: limitMs * 3, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, OBJTOOL_ARGS: '', OBJFLOW_DEBUG: '' },
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const o: Outcome = { status: r.status, signal: r.signal, stderr: r.stderr ?? '', ms };
    const problems = judge(cmd, o, limitMs);
    if (!cmd.writes || o.status !== 0) problems.push(...changed(file, before));
    for (const p of problems) found.push({ input: inp.name, command: cmd.name, problem: p, argv });
  }
  for (const p of leftovers(dirs)) found.push({ input: '(all)', command: '(all)', problem: p, argv: [] });
  return found;
}

/**
 * Runs every command on every input inside one child process (the driver calls `main(argv)` with
 * stdout discarded and stderr captured). A driver that dies or stops answering names the input it
 * was on.
 */
export function runBatch(inputs: readonly Input[], cmds: readonly Command[], limitMs: number, scratch: string, totalMs: number): Finding[] {
  interface Job { argv: string[]; input: string; command: string; file: string; writes: boolean }
  const jobs: Job[] = [];
  for (const inp of inputs) {
    for (const cmd of cmds) {
      const file = cmd.writes ? copyFor(inp.path, scratch, cmd.name) : inp.path;
      jobs.push({ argv: cmd.argv(file), input: inp.name, command: cmd.name, file, writes: cmd.writes });
    }
  }
  const before = jobs.map((j) => snapshot(j.file));
  const dirs = listings(jobs.map((j) => j.file));
  const jobFile = join(scratch, 'jobs.json');
  writeFileSync(jobFile, JSON.stringify(jobs.map((j) => j.argv)));
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--stack-size=984', DRIVER, '--run-bad-input-driver', jobFile], {
    encoding: 'latin1', timeout: totalMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, OBJTOOL_ARGS: '', OBJFLOW_DEBUG: '' },
  });
  const found: Finding[] = [];
  const done = new Set<number>();
  let started = -1;
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.startsWith('start ')) { started = Number(line.slice(6)); continue; }
    if (!line.startsWith('{')) continue;
    const res = JSON.parse(line) as { i: number; status: number; stderr: string; ms: number };
    done.add(res.i);
    const j = jobs[res.i];
    const cmd = cmds.find((c) => c.name === j.command) as Command;
    const problems = judge(cmd, { status: res.status, signal: null, stderr: res.stderr, ms: res.ms }, limitMs);
    if (!j.writes || res.status !== 0) problems.push(...changed(j.file, before[res.i]));
    for (const p of problems) found.push({ input: j.input, command: j.command, problem: p, argv: j.argv });
  }
  for (const p of leftovers(dirs)) found.push({ input: '(all)', command: '(all)', problem: p, argv: [] });
  if (done.size !== jobs.length) {
    const j = jobs[Math.max(0, started)];
    const why = r.signal ? `killed by ${r.signal} (whole batch bound ${totalMs} ms)` : `driver exited ${r.status}: ${(r.stderr ?? '').slice(0, 400)}`;
    found.push({ input: j.input, command: j.command, problem: `no answer for this input: ${why}`, argv: j.argv });
  }
  return found;
}

function copyFor(path: string, scratch: string, tag: string): string {
  const dir = join(scratch, tag);
  mkdirSync(dir, { recursive: true });
  const dest = join(dir, path.replace(/[^A-Za-z0-9._-]/g, '_'));
  copyFileSync(path, dest);
  return dest;
}

interface Snap { bytes: Buffer; mtimeMs: number }

function snapshot(file: string): Snap {
  return { bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs };
}

function changed(file: string, s: Snap): string[] {
  if (!existsSync(file)) return ['input file removed'];
  const bad: string[] = [];
  if (!readFileSync(file).equals(s.bytes)) bad.push('input bytes changed');
  if (statSync(file).mtimeMs !== s.mtimeMs) bad.push('input mtime changed');
  return bad;
}

/** Files a run left in the input directories (an atomic write's temp file, say). */
function leftovers(dirs: ReadonlyMap<string, readonly string[]>): string[] {
  const bad: string[] = [];
  for (const [dir, names] of dirs) {
    const extra = readdirSync(dir).filter((n) => !names.includes(n));
    if (extra.length) bad.push(`left files behind in ${dir}: ${extra.slice(0, 5).join(', ')}`);
  }
  return bad;
}

function listings(files: readonly string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const f of files) if (!m.has(dirname(f))) m.set(dirname(f), readdirSync(dirname(f)));
  return m;
}

/** One line per finding, grouped, for an assertion message. */
export function describeFindings(found: readonly Finding[], max = 40): string {
  const lines = found.slice(0, max).map((f) => `${f.command} on ${f.input}: ${f.problem}\n    objflow ${f.argv.join(' ')}`);
  if (found.length > max) lines.push(`... and ${found.length - max} more`);
  return lines.join('\n');
}
