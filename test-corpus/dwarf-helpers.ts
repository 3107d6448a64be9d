/**
 * Oracles for the DWARF CFI corpus tests: `cfa_table.py` (per-instruction rules, JSON lines) and
 * `readelf --debug-dump=frames-interp` (per-FDE ranges and rows), each compared with objflow's
 * reader and evaluator on the same file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ET_REL, EM_X86_64 } from '../src/elf/constants.js';
import { ElfFile } from '../src/elf/reader.js';
import { readCfi, type CfiKind, type CfiSection, type Fde } from '../src/dwarf/cfi.js';
import { CfaEvaluator, CfaKind, RuleKind } from '../src/dwarf/eval.js';
import { dwarfRegName, formatOracleRules } from '../src/dwarf/format.js';

const here = dirname(fileURLToPath(import.meta.url));
/** repository root (this file runs from dist/test-corpus/) */
export const repoRoot = resolve(here, '..', '..');
export const fixtureDir = join(repoRoot, 'test-corpus', 'fixtures', 'dwarf');

/** cfa_table.py: $OBJFLOW_SHARED/corpus, shared/ beside the clone (CI), or the workplace copy. */
export function oracleScript(): string | undefined {
  const candidates = [
    process.env.OBJFLOW_SHARED ? join(process.env.OBJFLOW_SHARED, 'corpus', 'cfa_table.py') : '',
    join(repoRoot, '..', 'shared', 'corpus', 'cfa_table.py'),
    '/work/shared/corpus/cfa_table.py',
  ];
  return candidates.find((p) => p !== '' && existsSync(p));
}

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

export function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface Comparison {
  compared: number;
  covered: number;
  mismatches: number;
  examples: string[];
}

function newComparison(): Comparison {
  return { compared: 0, covered: 0, mismatches: 0, examples: [] };
}

function miss(c: Comparison, text: string): void {
  c.mismatches++;
  if (c.examples.length < 10) c.examples.push(text);
}

/** FDEs by code section name (objects) or '' (linked files), sorted by start, for "which FDE covers addr". */
class FdeIndex {
  private readonly byKey = new Map<string, Fde[]>();

  constructor(elf: ElfFile, cfi: CfiSection | undefined) {
    if (!cfi) return;
    const rel = elf.type === ET_REL;
    for (const f of cfi.fdes) {
      if (rel && f.pcSec < 0) continue;
      const key = rel ? elf.sections[f.pcSec].name : '';
      const list = this.byKey.get(key);
      if (list) list.push(f); else this.byKey.set(key, [f]);
    }
    for (const l of this.byKey.values()) l.sort((a, b) => a.pcBegin - b.pcBegin);
  }

  /** the FDE with the last start <= addr, when it covers addr (the oracle's rule) */
  find(key: string, addr: number): Fde | undefined {
    const l = this.byKey.get(key);
    if (!l) return undefined;
    let lo = 0;
    let hi = l.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (l[mid].pcBegin <= addr) lo = mid + 1; else hi = mid;
    }
    const f = l[lo - 1];
    return f && addr < f.pcBegin + f.pcRange ? f : undefined;
  }
}

interface OracleLine {
  sec?: string;
  addr: number;
  cfa: string | null;
  ra: string | null;
  fp: string | null;
  pac?: number;
}

/** Runs cfa_table.py on `file` and compares every instruction line (sec/addr/cfa/ra/fp/pac) with objflow. */
export function compareWithCfaTable(script: string, file: string, objdump: string, outJsonl: string): Comparison {
  const r = spawnSync('python3', [script, '--objdump', objdump, '--no-check', file, '-o', outJsonl], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cfa_table.py failed on ${file}: ${r.stderr}`);
  const elf = new ElfFile(new Uint8Array(readFileSync(file)), file);
  const cfi = readCfi(elf, 'eh_frame');
  const index = new FdeIndex(elf, cfi);
  const ev = cfi ? new CfaEvaluator(cfi) : undefined;
  const rel = elf.type === ET_REL;
  const c = newComparison();
  for (const text of readFileSync(outJsonl, 'utf8').split('\n')) {
    if (text === '') continue;
    const want = JSON.parse(text) as OracleLine;
    c.compared++;
    const fde = index.find(rel ? want.sec ?? '' : '', want.addr);
    let got: OracleLine = { addr: want.addr, cfa: null, ra: null, fp: null };
    if (fde && ev) {
      if (ev.fde !== fde) ev.begin(fde);
      if (ev.seek(want.addr)) {
        const rules = formatOracleRules(ev, elf.machine);
        got = { addr: want.addr, cfa: rules.cfa, ra: rules.ra, fp: rules.fp, pac: rules.pac };
        c.covered++;
      }
    }
    const same = got.cfa === want.cfa && got.ra === want.ra && got.fp === want.fp && (got.pac ?? 0) === (want.pac ?? 0);
    if (!same) {
      miss(c, `${file} ${want.sec ?? ''}+0x${want.addr.toString(16)}: objflow ${JSON.stringify(got)} oracle ${JSON.stringify(want)}`);
    }
  }
  return c;
}

interface ReadelfFde {
  offset: number;
  pcBegin: number;
  pcEnd: number;
  rows: { loc: number; cfa: string; cols: Map<string, string> }[];
}

/** `readelf -wF` output, per section (.eh_frame / .debug_frame), FDEs by offset. */
export function parseReadelfFrames(text: string): Map<string, Map<number, ReadelfFde>> {
  const out = new Map<string, Map<number, ReadelfFde>>();
  const header = /^([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) FDE cie=([0-9a-f]+) pc=([0-9a-f]+)\.\.([0-9a-f]+)/;
  let fdes: Map<number, ReadelfFde> | undefined;
  let cur: ReadelfFde | undefined;
  let cols: string[] | undefined;
  for (const line of text.split('\n')) {
    const sec = /^Contents of the (\S+) section/.exec(line);
    if (sec) {
      fdes = new Map();
      out.set(sec[1], fdes);
      cur = undefined;
      continue;
    }
    const m = header.exec(line);
    if (m && fdes) {
      cur = { offset: parseInt(m[1], 16), pcBegin: parseInt(m[5], 16), pcEnd: parseInt(m[6], 16), rows: [] };
      fdes.set(cur.offset, cur);
      cols = undefined;
      continue;
    }
    if (/^[0-9a-f]+ [0-9a-f]+ [0-9a-f]+ CIE/.test(line) || line.trim() === '') {
      if (line.trim() === '' || / CIE/.test(line)) cur = undefined;
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('   LOC')) {
      cols = line.trim().split(/\s+/).slice(2);
      continue;
    }
    const toks = line.trim().split(/\s+/).filter((t) => !t.startsWith('('));
    if (cols && toks.length >= 2 && /^[0-9a-f]+$/.test(toks[0])) {
      const map = new Map<string, string>();
      cols.forEach((name, i) => map.set(name, toks[2 + i]));
      cur.rows.push({ loc: parseInt(toks[0], 16), cfa: toks[1], cols: map });
    }
  }
  return out;
}

/** objflow's rule in readelf's frames-interp notation (u, s, c-16, v+8, r9, exp, vexp). */
function readelfRule(ev: CfaEvaluator, col: number): string {
  switch (ev.rule(col)) {
    case RuleKind.Offset: return 'c' + signed(ev.value[col]);
    case RuleKind.ValOffset: return 'v' + signed(ev.value[col]);
    case RuleKind.Register: return 'r' + ev.value[col];
    case RuleKind.Expression: return 'exp';
    case RuleKind.ValExpression: return 'vexp';
    case RuleKind.SameValue: return 's';
    default: return 'u';
  }
}

function readelfCfa(ev: CfaEvaluator, machine: number): string {
  if (ev.cfaKind === CfaKind.Expression) return 'exp';
  return dwarfRegName(machine, ev.cfaReg) + signed(ev.cfaOffset);
}

function signed(n: number): string {
  return n < 0 ? String(n) : '+' + n;
}

/** DWARF column of a readelf column heading, or -1 for one this test does not map. */
function columnOf(machine: number, name: string, raColumn: number): number {
  if (name === 'ra') return raColumn;
  for (let r = 0; r < 128; r++) if (dwarfRegName(machine, r) === name) return r;
  if (machine === EM_X86_64) {
    const x = /^xmm(\d+)$/.exec(name);
    if (x && +x[1] < 16) return 17 + +x[1];
  }
  return -1;
}

/** `readelf -wF` text; readelf exits 1 on harmless warnings (no separate debug file), so only empty output fails. */
function readelfFrames(readelf: string, file: string): string {
  const r = spawnSync(readelf, ['-wF', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error || (r.status !== 0 && !r.stdout)) throw new Error(`${readelf} -wF ${file} failed: ${r.stderr.slice(0, 500)}`);
  return r.stdout;
}

export interface ReadelfComparison extends Comparison {
  fdes: number;
  rows: number;
}

/**
 * Compares objflow with `readelf -wF` for `kind`: the FDE list (offsets and pc ranges) and, for
 * every row readelf prints inside its FDE's range, the CFA and every register column.
 */
export function compareWithReadelf(readelf: string, file: string, kind: CfiKind): ReadelfComparison {
  const elf = new ElfFile(new Uint8Array(readFileSync(file)), file);
  const cfi = readCfi(elf, kind);
  const ref = parseReadelfFrames(readelfFrames(readelf, file)).get('.' + kind) ?? new Map<number, ReadelfFde>();
  const c: ReadelfComparison = { ...newComparison(), fdes: 0, rows: 0 };
  if (cfi && cfi.problems.length > 0) miss(c, `${file}: objflow problems: ${cfi.problems.map((p) => p.message).join('; ')}`);
  const mine = new Map<number, Fde>((cfi?.fdes ?? []).map((f) => [f.offset, f]));
  for (const off of ref.keys()) if (!mine.has(off)) miss(c, `${file} ${kind} FDE 0x${off.toString(16)}: missing in objflow`);
  for (const off of mine.keys()) if (!ref.has(off)) miss(c, `${file} ${kind} FDE 0x${off.toString(16)}: not in readelf`);
  if (!cfi) return c;
  const ev = new CfaEvaluator(cfi);
  for (const fde of cfi.fdes) {
    const r = ref.get(fde.offset);
    if (!r) continue;
    c.fdes++;
    c.compared++;
    if (r.pcBegin !== fde.pcBegin || r.pcEnd !== fde.pcBegin + fde.pcRange) {
      miss(c, `${file} ${kind} FDE 0x${fde.offset.toString(16)}: pc ${fde.pcBegin.toString(16)}..${(fde.pcBegin + fde.pcRange).toString(16)} vs readelf ${r.pcBegin.toString(16)}..${r.pcEnd.toString(16)}`);
    }
    ev.begin(fde);
    for (let i = 0; i < r.rows.length; i++) {
      const row = r.rows[i];
      if (i + 1 < r.rows.length && r.rows[i + 1].loc === row.loc) continue; // same location twice: the later row holds
      if (!ev.seek(row.loc)) continue; // rows readelf prints past the FDE's end
      c.rows++;
      c.covered++;
      c.compared++;
      const bad: string[] = [];
      const cfa = readelfCfa(ev, elf.machine);
      if (cfa !== row.cfa) bad.push(`cfa ${cfa} vs ${row.cfa}`);
      for (const [name, want] of row.cols) {
        const col = columnOf(elf.machine, name, fde.cie.raColumn);
        if (col < 0) continue;
        const got = readelfRule(ev, col);
        if (got !== want) bad.push(`${name} ${got} vs ${want}`);
      }
      if (bad.length > 0) miss(c, `${file} ${kind} FDE 0x${fde.offset.toString(16)} @0x${row.loc.toString(16)}: ${bad.join(', ')}`);
    }
  }
  return c;
}
