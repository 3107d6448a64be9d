/**
 * `objflow objtool [options] FILE`: objtool 6.12's command line, for kbuild. Same options (from the
 * command line and OBJTOOL_ARGS), same warnings on stderr, same changes to FILE, same exit codes
 * where objtool's are 0 or 1; its usage errors (129) and dump failures (255) exit 2 and 1 here, so
 * that no status is above 2. Every option of objtool 6.12's `check` is implemented (x86-64).
 */
import { copyFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defaultOptions } from '../cfg/context.js';
import type { CheckOptions } from '../cfg/context.js';
import type { Arch } from '../arch/arch.js';
import { archFor } from '../arch/registry.js';
import { STT_FILE } from '../elf/constants.js';
import type { ElfFile } from '../elf/reader.js';
import { isFormatError } from '../elf/errors.js';
import { writeFileAtomic } from '../elf/atomic-write.js';
import { Program } from '../program/program.js';
import { runChecks } from '../pipeline.js';
import { collectObjtoolOutput, writeObjtoolOutput } from '../kernel/objtool-output.js';
import type { ObjtoolOutput } from '../kernel/objtool-output.js';
import { dumpOrc } from '../unwind/orc-dump.js';
import { openElf } from './io.js';
import { fsPath } from '../byte-strings.js';

export interface Streams {
  out(s: string): void;
  err(s: string): void;
}

const USAGE = `
 Usage: objtool <actions> [<options>] file.o

Actions:
    -h, --hacks[=<jump_label,noinstr,skylake>]
                          patch toolchain bugs/limitations
    -i, --ibt             validate and annotate IBT
    -l, --sls             validate straight-line-speculation mitigations
    -m, --mcount          annotate mcount/fentry calls for ftrace
    -n, --noinstr         validate noinstr rules
    -o, --orc             generate ORC metadata
    -r, --retpoline       validate and annotate retpoline usage
    -s, --stackval        validate frame pointer rules
    -t, --static-call     annotate static calls
    -u, --uaccess         validate uaccess rules for SMAP
        --cfi             annotate kernel control flow integrity (kCFI) function preambles
        --dump[=<orc>]    dump metadata
        --prefix <n>      generate prefix symbols
        --rethunk         validate and annotate rethunk usage
        --unret           validate entry unret placement

Options:
    -v, --verbose         verbose warnings
        --backtrace       unwind on error
        --backup          create .orig files before modification
        --dry-run         don't write modifications
        --link            object is a linked object
        --mnop            nop out mcount call sites
        --module          object is part of a kernel module
        --no-unreachable  skip 'unreachable instruction' warnings
        --sec-address     print section addresses in warnings
        --stats           print statistics

`;

interface Parsed {
  opts: CheckOptions;
  dumpOrc: boolean;
  backup: boolean;
  dryRun: boolean;
  files: string[];
}

type Flag = keyof CheckOptions | 'dumpOrc' | 'backup' | 'dryRun';
const BOOL: Record<string, Flag> = {
  ibt: 'ibt', sls: 'sls', mcount: 'mcount', noinstr: 'noinstr', orc: 'orc', retpoline: 'retpoline', stackval: 'stackval',
  'static-call': 'staticCall', uaccess: 'uaccess', cfi: 'cfi', rethunk: 'rethunk', unret: 'unret', verbose: 'verbose',
  backtrace: 'backtrace', backup: 'backup', 'dry-run': 'dryRun', link: 'link', mnop: 'mnop', module: 'module',
  'no-unreachable': 'noUnreachable', 'sec-address': 'secAddress', stats: 'stats',
};
const SHORT: Record<string, string> = { i: 'ibt', l: 'sls', m: 'mcount', n: 'noinstr', o: 'orc', r: 'retpoline', s: 'stackval', t: 'static-call', u: 'uaccess', v: 'verbose' };


class ParseError extends Error {}

function parse(argv: readonly string[], p: Parsed): void {
  const set = (name: string, value: boolean): void => {
    const f = BOOL[name];
    if (!f) throw new ParseError(`unknown option \`${name}'`);
    if (f === 'dumpOrc' || f === 'backup' || f === 'dryRun') p[f] = value;
    else (p.opts as unknown as Record<string, boolean>)[f] = value;
  };
  const hacks = (v: string | undefined): void => {
    let found = false;
    if (v === undefined || v.includes('jump_label')) { p.opts.hackJumpLabel = true; found = true; }
    if (v === undefined || v.includes('noinstr')) { p.opts.hackNoinstr = true; found = true; }
    if (v === undefined || v.includes('skylake')) { p.opts.hackSkylake = true; found = true; }
    if (!found) throw new ParseError('option `hacks\' expects jump_label,noinstr,skylake');
  };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--') { p.files.push(...argv.slice(k + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const val = eq < 0 ? undefined : a.slice(eq + 1);
      if (name === 'hacks') { hacks(val); continue; }
      if (name === 'dump') {
        if (val !== undefined && val !== 'orc') throw new ParseError('option `dump\' expects orc');
        p.dumpOrc = true;
        continue;
      }
      if (name === 'prefix') {
        const v = val ?? argv[++k];
        if (v === undefined || !/^-?\d+$/.test(v)) throw new ParseError('option `prefix\' expects a numerical value');
        p.opts.prefix = Number(v);
        continue;
      }
      if (name.startsWith('no-') && BOOL[name.slice(3)] && name !== 'no-unreachable') { set(name.slice(3), false); continue; }
      if (val !== undefined) throw new ParseError(`option \`${name}' takes no value`);
      set(name, true);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let c = 1; c < a.length; c++) {
        const ch = a[c];
        if (ch === 'h') { hacks(c + 1 < a.length ? a.slice(c + 1) : undefined); break; }
        const long = SHORT[ch];
        if (!long) throw new ParseError(`unknown switch \`${ch}'`);
        set(long, true);
      }
      continue;
    }
    p.files.push(a);
  }
}

/** Runs objtool's command; returns the exit status. */
export async function objtoolCommand(argv: readonly string[], io: Streams): Promise<number> {
  const p: Parsed = { opts: defaultOptions(), dumpOrc: false, backup: false, dryRun: false, files: [] };
  try {
    const env = process.env.OBJTOOL_ARGS;
    if (env) parse(env.split(' ').filter((s) => s !== ''), p);
    if (process.env.OBJTOOL_VERBOSE === '1') p.opts.verbose = true;
    parse(argv, p);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    io.err(`  Error: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (p.files.length !== 1) { io.err(USAGE); return 2; }
  const o = p.opts;
  const anyAction = o.hackJumpLabel || o.hackNoinstr || o.ibt || o.mcount || o.noinstr || o.orc || o.retpoline ||
    o.rethunk || o.sls || o.stackval || o.staticCall || o.uaccess;
  if (anyAction && p.dumpOrc) { io.err("error: objtool: --dump can't be combined with other actions\n"); return 1; }
  if (!anyAction) {
    if (o.unret && !o.rethunk) { io.err('error: objtool: --unret requires --rethunk\n'); return 1; }
    if (!p.dumpOrc) { io.err('error: objtool: At least one action required\n'); return 1; }
  }
  const file = p.files[0];
  let elf;
  try {
    elf = openElf(file, !p.dumpOrc);
  } catch (e) {
    if (!isFormatError(e)) throw e;
    io.err(`objflow: ${file}: ${e.message}\n`);
    return 1;
  }
  if (p.dumpOrc) {
    const r = dumpOrc(elf, file);
    io.out(r.stdout);
    io.err(r.stderr);
    return r.status === 0 ? 0 : 1;
  }
  if (o.mnop && !o.mcount) { io.err('error: objtool: --mnop requires --mcount\n'); return 1; }
  if (!o.link && countFileSymbols(elf) > 1) {
    io.err('error: objtool: Linked object detected, forcing --link\n');
    o.link = true;
  }
  // the checks that need every function's section (vmlinux.o): objtool refuses them on a single object
  if (!o.link && o.noinstr) { io.err('error: objtool: --noinstr requires --link\n'); return 1; }
  if (!o.link && o.ibt) { io.err('error: objtool: --ibt requires --link\n'); return 1; }
  if (!o.link && o.unret) { io.err('error: objtool: --unret requires --link\n'); return 1; }
  const arch = await archFor(elf.machine);
  if (!arch || !arch.kernel || arch.name !== 'x86_64') {
    io.err(`objflow: ${file}: unsupported machine ${elf.machine} for objtool\n`);
    return 1;
  }
  try {
    if (p.backup) copyFileSync(fsPath(file), fsPath(`${file}.orig`));
    if (elf.bytes.length >= LARGE_FILE_BYTES) keepYoungGenerationSmall();
    const analysed = analyse(elf, arch, o, file, io);
    if (!analysed) return 1;
    // the analysis is garbage now; on a large file, reclaim it before the new file is built
    if (analysed.rows >= RELEASE_ROWS) collectGarbage();
    let t = timingMark('', 0);
    const ed = writeObjtoolOutput(elf, analysed.output);
    t = timingMark('output: edits', t);
    if (ed && !p.dryRun) writeFileAtomic(file, ed.chunks());
    timingMark('output: write', t);
    return 0;
  } catch (e) {
    if (!isFormatError(e)) throw e;
    io.err(`objflow: ${file}: ${e.message}\n`);
    return 1;
  }
}

/** OBJFLOW_TIMING=1: the output stages' CPU time on stderr, as the pipeline prints its stages' (development aid). */
const TIMING = process.env.OBJFLOW_TIMING === '1';
function timingMark(label: string, since: number): number {
  if (!TIMING) return 0;
  const u = process.cpuUsage();
  const now = (u.user + u.system) / 1000;
  if (label) process.stderr.write(`objflow: timing: ${label} ${(now - since).toFixed(1)} ms cpu, at ${performance.now().toFixed(0)} ms; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`);
  return now;
}

/**
 * A file from which keeping V8's young generation small pays. Below it the young generation never grows
 * anyway, and the flag would cost more than it saves: node:v8 pulls in Node's stream machinery (~10 ms
 * per process, a tenth of a small object's run).
 */
const LARGE_FILE_BYTES = 4 << 20;

/**
 * Rows from which the analysis' arrays (about 80 bytes a row) are worth a full collection before
 * the output is built: the output would otherwise come on top of them (big.o: ~70 MB).
 */
const RELEASE_ROWS = 200_000;

/**
 * Runs the checks and prints their messages; returns what is to be written (nothing of the analysis
 * stays reachable once this returns), or undefined when objtool fails without writing.
 */
function analyse(elf: ElfFile, arch: Arch, o: CheckOptions, file: string, io: Streams): { output: ObjtoolOutput; rows: number } | undefined {
  const t = timingMark('', 0);
  const prog = new Program(elf, arch, o.module);
  timingMark('decode', t);
  const result = runChecks(prog, o, file);
  for (const line of result.ctx.stdout) io.out(`${line}\n`);
  for (const d of result.ctx.diag.list) io.err(`${d.text}\n`);
  if (result.ctx.openFailed) return undefined;
  return { output: collectObjtoolOutput(result), rows: prog.rows };
}

/**
 * The analysis keeps its data in typed arrays and makes few short-lived objects, so V8's young
 * generation growing to its maximum (16 MB on big.o, all of it resident) buys no speed here; it
 * stays at its initial size instead (big.o: about 14 MB less peak memory, CPU unchanged).
 */
function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** A full garbage collection now (V8 would not start one for memory that is merely unreachable). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc === 'function') gc();
}

function countFileSymbols(elf: { symtab?: { count: number; info: Uint8Array } }): number {
  const t = elf.symtab;
  if (!t) return 0;
  let n = 0;
  for (let i = 0; i < t.count; i++) if ((t.info[i] & 0xf) === STT_FILE) n++;
  return n;
}
