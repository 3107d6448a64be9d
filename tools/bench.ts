/**
 * `npm run bench`: objflow against the real objtool on the same inputs, plus objflow's userspace
 * throughput. Prints a table; writes nothing into the repository (work copies live in a temp dir).
 *
 *   OBJCORPUS      corpus root (default /root/.cache/objcorpus)
 *   OBJTOOL        objtool binary (default: the Debian linux-kbuild 6.12 objtool under OBJCORPUS)
 *   BENCH_RUNS     runs per tool for the whole-build object (default 5, alternating objflow/objtool)
 *   BENCH_OBJECTS  per-object sample size, or `all` (default 120, spread evenly over the build)
 *   BENCH_CONFIGS  comma list of kernel corpus configs (default x86-gcc,x86-clang)
 *   BENCH_ONLY     `verify`: only the whole-library verify section (FDEs per CPU-second);
 *                  `userspace`: only the per-architecture analysis throughput section;
 *                  `whole`: only the whole-build objects (big.o, and big-post.o with the vmlinux.o checks)
 *
 * Parts whose inputs are missing are skipped with a note.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, median, sum } from './bench-measure.js';
import type { Sample } from './bench-measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const OBJFLOW = join(repo, 'bin', 'objflow.js');
/** the fast start-up path: bundle + code cache (bin/objflow-fast.cjs), and its objtool drop-in for kbuild */
const FAST = join(repo, 'bin', 'objflow-fast.cjs');
const FAST_OBJTOOL = join(repo, 'bin', 'objflow-objtool');
const CORPUS = process.env.OBJCORPUS ?? '/root/.cache/objcorpus';
const OBJTOOL = process.env.OBJTOOL ?? join(CORPUS, 'objtool-deb/usr/lib/linux-kbuild-6.12.117+deb12/tools/objtool/objtool.real-x86');
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const STARTUP_RUNS = Math.max(1, Number(process.env.BENCH_STARTUP_RUNS ?? 15));
const OBJECTS = process.env.BENCH_OBJECTS ?? '120';
const CONFIGS = (process.env.BENCH_CONFIGS ?? 'x86-gcc,x86-clang').split(',').filter((s) => s !== '');
const NODE = process.execPath;
/** BENCH_ONLY=verify: only the whole-library verify section */
const ONLY = process.env.BENCH_ONLY ?? '';

const work = mkdtempSync(join(tmpdir(), 'objflow-bench-'));
process.on('exit', () => { rmSync(work, { recursive: true, force: true }); });

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});

async function main(): Promise<void> {
  const [l1, l5, l15] = loadavg();
  out(`# objflow bench  ${new Date().toISOString()}`);
  out(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${gb(totalmem())} GB RAM (${gb(freemem())} GB free), load ${l1.toFixed(2)} ${l5.toFixed(2)} ${l15.toFixed(2)}, node ${process.version}`);
  out(`objtool: ${OBJTOOL}${existsSync(OBJTOOL) ? '' : ' (missing)'}`);
  out(`corpus:  ${CORPUS}\n`);
  if (ONLY === 'verify') { await verifyLibraries(); return; }
  if (ONLY === 'userspace') { await userspace(); return; }
  if (ONLY === 'whole') { for (const cfg of CONFIGS) wholeBuild(cfg); return; }
  startup();
  for (const cfg of CONFIGS) wholeBuild(cfg);
  for (const cfg of CONFIGS) perObject(cfg);
  await userspace();
  await verifyLibraries();
}

/**
 * Fixed cost per process: what every kbuild object pays before any analysis, and one small kernel
 * object (kbuild's arguments) through each entry point. All commands take turns in every round, so
 * that they see the same load; the minimum is the figure to compare on a loaded machine.
 */
function startup(): void {
  const small = join(CORPUS, 'corpus', 'x86-gcc', 'kernel', 'acct.o');
  const argsLog = join(CORPUS, 'corpus', 'x86-gcc', 'objtool-args.log');
  const line = existsSync(argsLog) ? readFileSync(argsLog, 'latin1').split('\n').find((l) => l.trim().endsWith(' kernel/acct.o')) : undefined;
  const smallArgs = line?.trim().split(/\s+/).slice(0, -1);
  const copy = join(work, 'small.o');
  const noCa = { ...process.env };
  delete noCa.NODE_EXTRA_CA_CERTS;
  const rows: Array<{ what: string; run: () => Sample; samples: Sample[] }> = [];
  const add = (what: string, run: () => Sample): void => { rows.push({ what, run, samples: [] }); };
  add('node -e 0', () => measure(NODE, ['-e', '0']));
  if (process.env.NODE_EXTRA_CA_CERTS) add('node -e 0, NODE_EXTRA_CA_CERTS unset', () => measure(NODE, ['-e', '0'], noCa));
  add('objflow --help', () => measure(NODE, [OBJFLOW, '--help']));
  add('objflow-fast.cjs --help', () => measure(NODE, [FAST, '--help']));
  if (existsSync(OBJTOOL)) add('objtool --help', () => measure(OBJTOOL, ['--help']));
  if (smallArgs && existsSync(small)) {
    const fresh = (): string => { copyFileSync(small, copy); return copy; };
    add('objflow objtool acct.o', () => measure(NODE, [OBJFLOW, 'objtool', ...smallArgs, fresh()]));
    add('objflow-objtool acct.o', () => measure(FAST_OBJTOOL, [...smallArgs, fresh()]));
    if (existsSync(OBJTOOL)) add('objtool acct.o', () => measure(OBJTOOL, [...smallArgs, fresh()]));
  }
  for (let i = 0; i < STARTUP_RUNS; i++) for (const r of rows) r.samples.push(r.run());
  out(`## startup and one small object (x86-gcc kernel/acct.o, kbuild arguments): ${STARTUP_RUNS} rounds`);
  if (process.env.NODE_EXTRA_CA_CERTS) out('note: NODE_EXTRA_CA_CERTS is set: every node start-up reads it (bin/objflow-objtool unsets it)');
  table(['what', 'min wall ms', 'median wall ms', 'median cpu ms', 'peak RSS MB'], rows.map((r) => [r.what,
    ms(Math.min(...r.samples.map((s) => s.wall))), ms(median(r.samples.map((s) => s.wall))),
    ms(median(r.samples.map((s) => s.cpu))), mb(median(r.samples.map((s) => s.rssKb)))]));
  out('');
}

/**
 * (a) one `ld -r` of every object of the build, both tools on fresh copies, alternating: big.o with
 * the per-object arguments, then big-post.o (the objects after objtool) with kbuild's vmlinux.o
 * arguments (`--noinstr --unret --link` here).
 */
function wholeBuild(cfg: string): void {
  const R = join(CORPUS, 'ref', cfg);
  wholeBuildRun(cfg, 'big.o', join(CORPUS, 'corpus', cfg, 'big.o'), join(R, 'big.args'));
  wholeBuildRun(cfg, 'big-post.o, vmlinux.o checks', join(R, 'big-post.o'), join(R, 'big-link.args'));
}

function wholeBuildRun(cfg: string, what: string, input: string, argsFile: string): void {
  out(`## ${cfg}: whole build in one object (${what})`);
  if (!existsSync(input) || !existsSync(argsFile) || !existsSync(OBJTOOL)) {
    out(`skipped: needs ${input}, ${argsFile} and ${OBJTOOL}\n`);
    return;
  }
  const args = readFileSync(argsFile, 'latin1').trim().split(/\s+/);
  const copy = join(work, 'whole.o');
  const a: Sample[] = [];
  const f: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    copyFileSync(input, copy);
    a.push(measure(NODE, [OBJFLOW, 'objtool', ...args, copy]));
    copyFileSync(input, copy);
    f.push(measure(FAST_OBJTOOL, [...args, copy]));
    copyFileSync(input, copy);
    b.push(measure(OBJTOOL, [...args, copy]));
  }
  const size = readFileSync(input).length;
  out(`${(size / 1e6).toFixed(1)} MB, args: ${args.join(' ')}; ${RUNS} runs each, in turn; objflow = node bin/objflow.js objtool,`);
  out('objflow-objtool = bin/objflow-objtool (kbuild\'s entry: the bundle, huge pages for glibc\'s large blocks)');
  ratioTable(a, b);
  ratioTable(f, b, false, 'objflow-objtool');
  const bad = [...a, ...b].filter((s) => s.status !== 0).length;
  if (bad) out(`note: ${bad} run(s) exited non-zero`);
  out('');
}

/** (b) every object of the build, one process each, as kbuild runs objtool. */
function perObject(cfg: string): void {
  const dir = join(CORPUS, 'corpus', cfg);
  const log = join(dir, 'objtool-args.log');
  out(`## ${cfg}: one process per object (kbuild)`);
  if (!existsSync(log) || !existsSync(OBJTOOL)) {
    out(`skipped: needs ${log} and ${OBJTOOL}\n`);
    return;
  }
  const jobs = readFileSync(log, 'latin1').split('\n').filter((l) => l.trim() !== '').map((l) => {
    const words = l.trim().split(/\s+/);
    return { file: join(dir, words[words.length - 1]), args: words.slice(0, -1) };
  }).filter((j) => existsSync(j.file));
  const pick = OBJECTS === 'all' ? jobs : spread(jobs, Number(OBJECTS));
  const copy = join(work, 'obj.o');
  const a: Sample[] = [];
  const b: Sample[] = [];
  const f: Sample[] = [];
  let bytes = 0;
  for (const j of pick) {
    copyFileSync(j.file, copy);
    a.push(measure(NODE, [OBJFLOW, 'objtool', ...j.args, copy]));
    copyFileSync(j.file, copy);
    f.push(measure(FAST_OBJTOOL, [...j.args, copy]));
    copyFileSync(j.file, copy);
    b.push(measure(OBJTOOL, [...j.args, copy]));
    bytes += readFileSync(j.file).length;
  }
  out(`${pick.length} of ${jobs.length} objects (${(bytes / 1e6).toFixed(1)} MB); objflow = node bin/objflow.js objtool, fast = bin/objflow-objtool`);
  ratioTable(a, b, true);
  ratioTable(f, b, true, 'objflow-objtool');
  const fastDiff = pick.filter((_, i) => f[i].status !== a[i].status).length;
  if (fastDiff) out(`note: ${fastDiff} object(s) exited differently under bin/objflow-objtool and bin/objflow.js`);
  const slow = a.map((s, i) => ({ s, name: basename(pick[i].file) })).sort((x, y) => y.s.wall - x.s.wall).slice(0, 3);
  out(`slowest for objflow: ${slow.map((x) => `${x.name} ${ms(x.s.wall)} ms`).join(', ')}`);
  const diff = pick.map((j, i) => ({ j, i })).filter(({ i }) => a[i].status !== b[i].status);
  if (diff.length) out(`note: exit statuses differ (objflow/objtool): ${diff.slice(0, 5).map(({ j, i }) => `${j.file.slice(dir.length + 1)} ${a[i].status}/${b[i].status}`).join(', ')}`);
  out('');
}

/** (c) userspace: analysis throughput in instructions per second, and verify's FDEs per CPU-second. */
async function userspace(): Promise<void> {
  out('## userspace (objflow only)');
  const root = join(CORPUS, 'us');
  const inputs = existsSync(root)
    ? readdirSync(root).sort().map((d) => join(root, d, 'sqlite', 'sqlite3.o')).filter((f) => existsSync(f))
    : [];
  if (inputs.length === 0) { out(`skipped: no ${root}/*/sqlite/sqlite3.o\n`); return; }
  // the command must exist in the CLI, not only as a module
  const verifyAvailable = existsSync(join(repo, 'dist', 'src', 'cli', 'verify.js')) &&
    !/unknown command/.test(spawnSync(NODE, [OBJFLOW, 'verify'], { encoding: 'latin1' }).stderr ?? '');
  const rows: string[][] = [];
  for (const f of inputs) {
    const info = await describe(f);
    const runs: Sample[] = [];
    for (let i = 0; i < 3; i++) runs.push(measure(NODE, [OBJFLOW, 'unwind', '--format', 'json', f]));
    const wall = median(runs.map((s) => s.wall));
    const cpu = median(runs.map((s) => s.cpu));
    let fdeRate = 'n/a';
    if (verifyAvailable && info.fdes > 0) {
      const v = measure(NODE, [OBJFLOW, 'verify', f]);
      fdeRate = v.status === 0 || v.status === 1 ? `${Math.round(info.fdes / v.cpu)}` : `exit ${v.status}`;
    }
    rows.push([basename(dirname(dirname(f))), info.arch, `${info.insns}`, ms(wall), ms(cpu),
      mb(median(runs.map((s) => s.rssKb))), `${Math.round(info.insns / cpu)}`, fdeRate]);
  }
  table(['build', 'arch', 'insns', 'wall ms', 'cpu ms', 'peak MB', 'insns/cpu-s', 'FDEs/cpu-s'], rows);
  if (!rows.some((r) => r[1] === 'aarch64')) out('note: no AArch64 sqlite3.o in the corpus yet; AArch64 throughput not measured');
  if (!verifyAvailable) out('note: `objflow verify` is not a command yet (no src/cli/verify.ts, or not wired into main.ts); FDEs per CPU-second not measured');
  out('');
}

/**
 * (d) `objflow verify` on whole shared libraries, x86-64 and AArch64: FDEs per CPU-second (user +
 * system of the process, start-up included, median of 3). Distribution libraries from this machine
 * and from Debian packages unpacked under OBJCORPUS/dl (the larger the better: libLLVM, libicu).
 */
async function verifyLibraries(): Promise<void> {
  out('## verify: whole libraries (objflow only, median of 3; text report, then JSON Lines)');
  const dl = join(CORPUS, 'dl');
  const candidates = [
    '/usr/lib/x86_64-linux-gnu/libstdc++.so.6',
    '/usr/aarch64-linux-gnu/lib/libstdc++.so.6',
    '/usr/lib/x86_64-linux-gnu/libc.so.6',
    '/usr/aarch64-linux-gnu/lib/libc.so.6',
    ...findLibraries(dl, /^lib(LLVM-[0-9]+|icui18n|icuuc)\.so/),
  ];
  const rows: string[][] = [];
  for (const f of candidates) {
    if (!existsSync(f)) continue;
    const info = await describe(f);
    if (info.fdes === 0) continue;
    // the text report (each mismatch with the path to it) and the JSON Lines one (no paths), in turn
    const runs: Sample[] = [];
    const jsonRuns: Sample[] = [];
    for (let i = 0; i < 3; i++) {
      runs.push(measure(NODE, [OBJFLOW, 'verify', f]));
      jsonRuns.push(measure(NODE, [OBJFLOW, 'verify', '--format', 'json', f]));
    }
    const bad = [...runs, ...jsonRuns].find((r) => r.status !== 0 && r.status !== 1);
    const cpu = median(runs.map((r) => r.cpu));
    const jsonCpu = median(jsonRuns.map((r) => r.cpu));
    rows.push([f.startsWith(dl) ? `dl/${f.slice(dl.length + 1)}` : f, info.arch, `${info.fdes}`, ms(median(runs.map((r) => r.wall))), ms(cpu),
      mb(median(runs.map((r) => r.rssKb))), bad ? `exit ${bad.status}` : `${Math.round(info.fdes / cpu)}`,
      ms(jsonCpu), bad ? `exit ${bad.status}` : `${Math.round(info.fdes / jsonCpu)}`]);
  }
  if (rows.length === 0) { out('skipped: no libraries found\n'); return; }
  table(['library', 'arch', 'FDEs', 'wall ms', 'cpu ms', 'peak MB', 'FDEs/cpu-s', 'json cpu ms', 'json FDEs/cpu-s'], rows);
  if (!rows.some((r) => r[1] === 'aarch64')) out('note: no AArch64 library found (apt-get install libstdc++6-arm64-cross)');
  out('');
}

/** Shared libraries (regular files, not links) under `dir` whose name matches, searched two levels deep per package. */
function findLibraries(dir: string, name: RegExp): string[] {
  const found: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 6 || !existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.isFile() && name.test(e.name) && /\.so(\.|$)/.test(e.name)) found.push(p);
    }
  };
  walk(dir, 0);
  return found.sort();
}

/** Machine and instruction count of an input, read with objflow's own decoder (a count, not a result under test). */
async function describe(file: string): Promise<{ arch: string; insns: number; fdes: number }> {
  const { ElfFile } = await import('../src/elf/reader.js');
  const { archFor } = await import('../src/arch/registry.js');
  const { Program } = await import('../src/program/program.js');
  const elf = new ElfFile(readFileSync(file), file);
  const arch = await archFor(elf.machine);
  const name = elf.machine === 62 ? 'x86-64' : elf.machine === 183 ? 'aarch64' : `machine ${elf.machine}`;
  const insns = arch ? new Program(elf, arch).count : 0;
  return { arch: name, insns, fdes: countFdes(elf.section('.eh_frame') ? elf.sectionData(elf.section('.eh_frame')!) : new Uint8Array(0)) };
}

/** FDEs in an .eh_frame: entries whose CIE pointer is non-zero (32-bit DWARF lengths only, as compilers emit). */
function countFdes(b: Uint8Array): number {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let n = 0;
  for (let p = 0; p + 8 <= b.length;) {
    const len = dv.getUint32(p, true);
    if (len === 0 || len === 0xffffffff) break;
    if (dv.getUint32(p + 4, true) !== 0) n++;
    p += 4 + len;
  }
  return n;
}

function ratioTable(a: readonly Sample[], b: readonly Sample[], totals = false, label = 'objflow'): void {
  const wa = median(a.map((s) => s.wall));
  const wb = median(b.map((s) => s.wall));
  const ra = median(a.map((s) => s.rssKb));
  const rb = median(b.map((s) => s.rssKb));
  const rows = [
    ['median wall ms', ms(wa), ms(wb), ratio(wa, wb)],
    ['median peak RSS MB', mb(ra), mb(rb), ratio(ra, rb)],
  ];
  if (totals) {
    const ta = sum(a.map((s) => s.wall));
    const tb = sum(b.map((s) => s.wall));
    rows.push(['total wall s', (ta).toFixed(2), (tb).toFixed(2), ratio(ta, tb)]);
    rows.push(['max peak RSS MB', mb(Math.max(...a.map((s) => s.rssKb))), mb(Math.max(...b.map((s) => s.rssKb))), '']);
  } else {
    rows.push(['min wall ms', ms(Math.min(...a.map((s) => s.wall))), ms(Math.min(...b.map((s) => s.wall))), '']);
    rows.push(['median cpu ms', ms(median(a.map((s) => s.cpu))), ms(median(b.map((s) => s.cpu))),
      ratio(median(a.map((s) => s.cpu)), median(b.map((s) => s.cpu)))]);
  }
  table(['', label, 'objtool', `${label}/objtool`], rows);
}

function spread<T>(xs: readonly T[], n: number): T[] {
  if (!(n > 0) || n >= xs.length) return [...xs];
  const r: T[] = [];
  for (let i = 0; i < n; i++) r.push(xs[Math.floor((i * xs.length) / n)]);
  return r;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): void {
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string => `| ${r.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join(' | ')} |`;
  out(line(head));
  out(`|${w.map((n, c) => (c === 0 ? '-'.repeat(n + 2) : `${'-'.repeat(n + 1)}:`)).join('|')}|`);
  for (const r of rows) out(line(r));
}

function out(s: string): void { process.stdout.write(`${s}\n`); }
function ms(s: number): string { return Number.isNaN(s) ? 'n/a' : (s * 1000).toFixed(s < 0.1 ? 1 : 0); }
function mb(kb: number): string { return Number.isNaN(kb) ? 'n/a' : (kb / 1024).toFixed(1); }
function gb(b: number): string { return (b / 2 ** 30).toFixed(1); }
function ratio(x: number, y: number): string { return Number.isNaN(x) || Number.isNaN(y) || y === 0 ? 'n/a' : `${(x / y).toFixed(2)}x`; }
