/**
 * The x86-64 decoder against `objdump -d` on real code: C fixtures compiled with gcc and
 * clang-19 in several modes, the text of the system libc, and the kernel corpus object when it
 * exists. For every instruction: same start offset and length; for every branch, call, return
 * and system instruction: the same class and, for direct ones, the same target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSN_KIND_NAMES } from '../src/arch/arch.js';
import { x86_64, x86Operands } from '../src/arch/x86/index.js';
import { SHF_EXECINSTR, SHT_PROGBITS } from '../src/elf/constants.js';
import { ElfFile } from '../src/elf/reader.js';
import { InsnTableBuilder, NO_TARGET, type InsnTable } from '../src/program/insns.js';
import { haveCommand } from './helpers/objtool-tools.js';

const FIXTURES = fileURLToPath(new URL('../../test-corpus/fixtures/x86/', import.meta.url));
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const KERNEL_CORPORA = ['x86-gcc', 'x86-clang'].map((c) => `/root/.cache/objcorpus/corpus/${c}`);

const BUILDS: { cc: string; flags: string[] }[] = [
  { cc: 'gcc', flags: ['-O2'] },
  { cc: 'gcc', flags: ['-O2', '-fno-omit-frame-pointer', '-mavx2', '-fcf-protection=full'] },
  { cc: 'gcc', flags: ['-Os', '-mavx512f'] },
  { cc: 'clang-19', flags: ['-O2'] },
  { cc: 'clang-19', flags: ['-O2', '-fno-omit-frame-pointer', '-mavx2', '-fcf-protection=full'] },
  { cc: 'clang-19', flags: ['-Oz', '-mavx512f'] },
];

test('x86 decode matches objdump on gcc and clang-19 output', (t) => {
  if (!haveCommand('objdump')) return t.skip('objdump not installed');
  const dir = mkdtempSync(join(tmpdir(), 'objflow-x86-'));
  try {
    let compiled = 0;
    for (const { cc, flags } of BUILDS) {
      if (!haveCommand(cc)) { t.diagnostic(`${cc} not installed: skipped`); continue; }
      for (const src of ['frames.c', 'simd.c']) {
        const obj = join(dir, `${src}.${compiled}.o`);
        execFileSync(cc, [...flags, '-c', join(FIXTURES, src), '-o', obj]);
        const r = compareWithObjdump(obj);
        t.diagnostic(`${cc} ${flags.join(' ')} ${src}: ${r.insns} insns, ${r.branches} branches`);
        assert.deepEqual(r.mismatches, [], `${cc} ${flags.join(' ')} ${src}`);
        assert.ok(r.insns > 50 && r.branches > 10, 'the fixture produced real code');
        compiled++;
      }
    }
    if (compiled === 0) t.skip('no compiler');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('x86 decode matches objdump on the libc text', (t) => {
  if (!haveCommand('objdump') || !existsSync(LIBC)) return t.skip('objdump or libc missing');
  const r = compareWithObjdump(LIBC, ['.text']);
  t.diagnostic(`libc: ${r.insns} insns, ${r.branches} branches, decode ${r.rate.toFixed(2)} M insns/s`);
  assert.deepEqual(r.mismatches.slice(0, 20), []);
  assert.ok(r.insns > 100000);
});

for (const dir of KERNEL_CORPORA) {
  test(`x86 decode matches objdump on the kernel corpus ${dir}`, (t) => {
    if (!haveCommand('objdump') || !existsSync(dir)) return t.skip('kernel corpus not built');
    // the whole corpus linked into one object when it exists, else a sample of its objects
    const big = join(dir, 'big.o');
    const paths = existsSync(big) ? [big] : listObjects(dir).slice(0, 40);
    if (paths.length === 0) return t.skip('kernel corpus empty');
    let insns = 0;
    for (const path of paths) {
      const r = compareWithObjdump(path);
      insns += r.insns;
      if (path === big) {
        t.diagnostic(`${r.insns} insns, ${r.branches} branches, decode ${r.rate.toFixed(2)} M insns/s`);
      }
      if (r.gaps.length > 0) t.diagnostic(`instructions objdump 2.40 cannot decode: ${r.gaps.join(', ')}`);
      assert.deepEqual(r.mismatches.slice(0, 20), [], path);
    }
    t.diagnostic(`${paths.length} object(s), ${insns} instructions`);
    assert.ok(insns > 10000);
  });
}

/** Relocatable objects under `dir`, sorted by path. */
function listObjects(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.o')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

interface Comparison {
  insns: number;
  branches: number;
  mismatches: string[];
  /** places where objdump does not know the instruction (see OBJDUMP_UNKNOWN) */
  gaps: string[];
  /** decode throughput, million instructions per second */
  rate: number;
}

/** One objdump line: address, byte count, mnemonic and operand text. */
interface DumpRow { addr: number; len: number; mnemonic: string; operands: string }

function compareWithObjdump(path: string, only?: string[]): Comparison {
  const elf = new ElfFile(new Uint8Array(readFileSync(path)));
  const sections = elf.sections.filter((s) => s.type === SHT_PROGBITS && (s.flags & SHF_EXECINSTR) !== 0
    && s.size > 0 && (only === undefined || only.includes(s.name)));
  const dump = objdump(path, only);
  const mismatches: string[] = [];
  const gaps: string[] = [];
  let insns = 0;
  let branches = 0;
  let decodeMs = 0;
  for (const sec of sections) {
    const bytes = elf.sectionData(sec);
    const b = new InsnTableBuilder(elf.sections.length, bytes.length >> 2);
    const t0 = performance.now();
    x86_64.decodeSection(bytes, sec.index, sec.addr, b);
    decodeMs += performance.now() - t0;
    const table = b.finish();
    const rows = dump.get(sec.name) ?? [];
    const r = compareSection(table, bytes, sec.addr, rows, sec.name);
    insns += table.count;
    branches += r.branches;
    mismatches.push(...r.mismatches);
    gaps.push(...r.gaps);
  }
  return { insns, branches, mismatches, gaps, rate: insns / decodeMs / 1000 };
}

function compareSection(t: InsnTable, bytes: Uint8Array, addr: number, rows: DumpRow[], name: string):
  { branches: number; mismatches: string[]; gaps: string[] } {
  const mismatches: string[] = [];
  const gaps: string[] = [];
  let branches = 0;
  let i = 0;
  let j = 0;
  const ourOff = (): number => (i < t.count ? t.off[i] : Infinity);
  const theirOff = (): number => (j < rows.length ? rows[j].addr - addr : Infinity);
  while (i < t.count || j < rows.length) {
    const off = ourOff();
    if (off < theirOff()) {
      mismatches.push(`${name}+0x${off.toString(16)}: we start an instruction objdump does not`);
      i++;
      continue;
    }
    if (theirOff() < off) {
      mismatches.push(`${name}+0x${theirOff().toString(16)}: objdump starts an instruction we do not`);
      j++;
      continue;
    }
    const row = rows[j];
    const where = `${name}+0x${off.toString(16)} ${row.mnemonic} ${row.operands}`;
    if (row.mnemonic === '(bad)' && ourClass(t.kind[i]) !== 'bad') {
      const mnemonic = x86Operands(bytes, off, addr)?.mnemonic ?? '';
      if (OBJDUMP_UNKNOWN.has(mnemonic)) {
        // an instruction newer than this binutils: skip to where both listings meet again
        gaps.push(`${name}+0x${off.toString(16)} ${mnemonic}`);
        const stop = off + t.len[i];
        while (ourOff() < stop) i++;
        while (theirOff() < stop) j++;
        while (ourOff() !== theirOff()) if (ourOff() < theirOff()) i++; else j++;
        continue;
      }
    }
    if (row.len !== t.len[i]) mismatches.push(`${where}: length ${t.len[i]}, objdump ${row.len}`);
    const ours = ourClass(t.kind[i]);
    const theirs = objdumpClass(row.mnemonic, row.operands);
    if (ours !== theirs) mismatches.push(`${where}: class ${ours}, objdump ${theirs}`);
    if (theirs === 'jcc' || theirs === 'jmp' || theirs === 'call') {
      branches++;
      const target = parseInt(row.operands, 16);
      if (t.target[i] === NO_TARGET || t.target[i] !== target) {
        mismatches.push(`${where}: target ${t.target[i].toString(16)}, objdump ${target.toString(16)}`);
      }
    } else if (theirs !== 'other') {
      branches++;
    }
    i++;
    j++;
  }
  return { branches, mismatches, gaps };
}

/**
 * Instructions GNU objdump 2.40 prints as "(bad)" although they exist (checked in the Intel
 * SDM): LKGS (F2 0F 00 /6, used by the kernel's FRED support).
 */
const OBJDUMP_UNKNOWN = new Set(['lkgs']);

/** Our kind folded into the classes objdump's text shows. */
function ourClass(kind: number): string {
  const k = INSN_KIND_NAMES[kind];
  switch (k) {
    case 'jcc': case 'jmp': case 'jmp*': case 'call': case 'call*': case 'ret':
    case 'ctxsw': case 'syscall': case 'bug': case 'trap':
      return k;
    case 'invalid':
      return 'bad';
    default:
      return 'other';
  }
}

/** The class of an objdump line, from its mnemonic (prefix words removed) and operands. */
function objdumpClass(mnemonic: string, operands: string): string {
  const m = mnemonic;
  if (m === '(bad)') return 'bad';
  if (m === 'jmp') return operands.startsWith('*') ? 'jmp*' : 'jmp';
  if (m === 'call') return operands.startsWith('*') ? 'call*' : 'call';
  if (m === 'lcall') return 'call*';
  if (m === 'ljmp') return 'ctxsw';
  if (/^j[a-z]+$/.test(m) || /^loop(n?e)?$/.test(m)) return 'jcc';
  if (m === 'ret' || m === 'retq') return 'ret';
  if (/^(lret|iret|sysret|sysexit)[lqw]?$/.test(m) || m === 'sysenter' || m === 'eretu' || m === 'erets') {
    return 'ctxsw';
  }
  if (m === 'syscall') return 'syscall';
  if (m === 'ud2' || m.startsWith('ud1')) return 'bug';
  if (m === 'int3') return 'trap';
  return 'other';
}

const PREFIX_WORDS = new Set(['bnd', 'notrack', 'cs', 'ds', 'es', 'ss', 'fs', 'gs', 'lock', 'rep', 'repz',
  'repnz', 'repe', 'repne', 'data16', 'addr32', 'xacquire', 'xrelease', 'rex', 'rex.W', 'rex.B', 'rex.X',
  'rex.R', 'rex.WB', 'rex.WR', 'rex.WX', 'rex.RB', 'rex.XB', 'rex.RX', 'rex.WRB', 'rex.WXB', 'rex.WRX',
  'rex.RXB', 'rex.WRXB']);

/** `objdump -d -z -w`, one entry per instruction, by section name. */
function objdump(path: string, only?: string[]): Map<string, DumpRow[]> {
  const args = ['-d', '-z', '-w', '--insn-width=16'];
  for (const s of only ?? []) args.push('-j', s);
  const text = execFileSync('objdump', [...args, path], { encoding: 'latin1', maxBuffer: 1 << 30 });
  const out = new Map<string, DumpRow[]>();
  let rows: DumpRow[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('Disassembly of section ')) {
      const name = line.slice('Disassembly of section '.length, -1);
      rows = [];
      out.set(name, rows);
      continue;
    }
    // instruction lines: "  addr:\tbytes\tmnemonic operands"; symbol headers and blanks skipped
    if (!line.startsWith(' ') || line.indexOf(':\t') < 0) continue;
    const parts = line.split('\t');
    const addr = parseInt(parts[0], 16);
    const len = parts[1].trim().split(/\s+/).filter(Boolean).length;
    const words = (parts[2] ?? '').trim().split(/\s+/);
    while (words.length > 1 && PREFIX_WORDS.has(words[0])) words.shift();
    const mnemonic = words[0] ?? '';
    const operands = words.slice(1).join(' ');
    rows.push({ addr, len, mnemonic, operands });
  }
  return out;
}

