/**
 * The table-driven x86-64 length decoder against `objdump -d` on whole real binaries: every
 * executable section is walked with `x86Length` alone (an invalid byte advances by one, as the
 * decode path does) and every instruction start and length must match objdump's listing.
 * Inputs: the system libc and libstdc++ text, the kernel corpus objects linked whole (big.o),
 * the SQLite userspace builds, and the C fixtures compiled with AVX2/AVX-512 options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { x86Length } from '../src/arch/x86/length.js';
import { x86Operands } from '../src/arch/x86/operands.js';
import { SHF_EXECINSTR, SHT_PROGBITS } from '../src/elf/constants.js';
import { ElfFile } from '../src/elf/reader.js';
import { haveCommand } from './helpers/objtool-tools.js';

const FIXTURES = fileURLToPath(new URL('../../test-corpus/fixtures/x86/', import.meta.url));
const SYSTEM_LIBS = ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libstdc++.so.6'];
const CORPUS = process.env.OBJCORPUS ?? '/root/.cache/objcorpus';
const KERNEL_BIG = ['x86-gcc', 'x86-clang'].map((c) => join(CORPUS, 'corpus', c, 'big.o'));

const BUILDS: { cc: string; flags: string[] }[] = [
  { cc: 'gcc', flags: ['-O2', '-mavx2', '-mfma', '-fcf-protection=full'] },
  { cc: 'gcc', flags: ['-O3', '-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512dq'] },
  { cc: 'gcc', flags: ['-O2', '-march=sapphirerapids'] },
  { cc: 'clang-19', flags: ['-O2', '-mavx512f', '-mavx512vl'] },
  { cc: 'clang-19', flags: ['-O3', '-march=znver4'] },
  { cc: 'gcc', flags: ['-Os', '-msse4a', '-mtbm', '-mxop'] },
];

/**
 * Instructions GNU objdump 2.40 prints as "(bad)" although they exist (Intel SDM): LKGS
 * (F2 0F 00 /6, the kernel's FRED support). Their bytes are skipped in both listings.
 */
const OBJDUMP_UNKNOWN = new Set(['lkgs']);

test('x86Length boundaries match objdump on the system libc and libstdc++ text', (t) => {
  if (!haveCommand('objdump')) return t.skip('objdump not installed');
  let checked = 0;
  for (const lib of SYSTEM_LIBS) {
    if (!existsSync(lib)) { t.diagnostic(`${lib} missing`); continue; }
    const r = compareWithObjdump(lib, ['.text']);
    t.diagnostic(`${lib}: ${r.insns} instructions`);
    assert.deepEqual(r.mismatches.slice(0, 20), [], lib);
    assert.ok(r.insns > 100000);
    checked++;
  }
  if (checked === 0) t.skip('no system library');
});

for (const big of KERNEL_BIG) {
  test(`x86Length boundaries match objdump on ${big}`, (t) => {
    if (!haveCommand('objdump') || !existsSync(big)) return t.skip('kernel corpus not built');
    const r = compareWithObjdump(big);
    t.diagnostic(`${r.insns} instructions; objdump cannot decode: ${r.gaps.join(', ') || 'none'}`);
    assert.deepEqual(r.mismatches.slice(0, 20), []);
    assert.ok(r.insns > 100000);
  });
}

test('x86Length boundaries match objdump on the SQLite userspace builds', (t) => {
  const us = join(CORPUS, 'us');
  if (!haveCommand('objdump') || !existsSync(us)) return t.skip('userspace corpus not built');
  const objs: string[] = [];
  for (const build of readdirSync(us).filter((d) => d.startsWith('x86_64-')).sort()) {
    const sqlite = join(us, build, 'sqlite', 'sqlite3.o');
    if (existsSync(sqlite)) objs.push(sqlite);
  }
  if (objs.length === 0) return t.skip('no x86_64 SQLite build');
  for (const obj of objs) {
    const r = compareWithObjdump(obj);
    t.diagnostic(`${obj}: ${r.insns} instructions`);
    assert.deepEqual(r.mismatches.slice(0, 20), [], obj);
    assert.ok(r.insns > 50000);
  }
});

test('x86Length boundaries match objdump on the fixtures built for AVX2, AVX-512, Sapphire Rapids, Zen 4', (t) => {
  if (!haveCommand('objdump')) return t.skip('objdump not installed');
  const dir = mkdtempSync(join(tmpdir(), 'objflow-x86len-'));
  try {
    let compiled = 0;
    for (const { cc, flags } of BUILDS) {
      if (!haveCommand(cc)) { t.diagnostic(`${cc} not installed: skipped`); continue; }
      for (const src of readdirSync(FIXTURES).filter((f) => f.endsWith('.c'))) {
        const obj = join(dir, `${src}.${compiled}.o`);
        execFileSync(cc, [...flags, '-c', join(FIXTURES, src), '-o', obj]);
        const r = compareWithObjdump(obj);
        assert.deepEqual(r.mismatches, [], `${cc} ${flags.join(' ')} ${src}`);
        assert.ok(r.insns > 30, 'the fixture produced code');
        compiled++;
      }
    }
    if (compiled === 0) t.skip('no compiler');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Comparison { insns: number; mismatches: string[]; gaps: string[] }

/** One objdump instruction line: address, byte count, mnemonic (prefix words dropped). */
interface DumpRow { addr: number; len: number; mnemonic: string }

function compareWithObjdump(path: string, only?: string[]): Comparison {
  const elf = new ElfFile(new Uint8Array(readFileSync(path)));
  const dump = objdump(path, only);
  const out: Comparison = { insns: 0, mismatches: [], gaps: [] };
  for (const sec of elf.sections) {
    if (sec.type !== SHT_PROGBITS || (sec.flags & SHF_EXECINSTR) === 0 || sec.size === 0) continue;
    if (only !== undefined && !only.includes(sec.name)) continue;
    compareSection(elf.sectionData(sec), sec.addr, dump.get(sec.name) ?? [], sec.name, out);
  }
  return out;
}

function compareSection(bytes: Uint8Array, addr: number, rows: DumpRow[], name: string, out: Comparison): void {
  const n = bytes.length;
  let pos = 0;
  let j = 0;
  while (pos < n || j < rows.length) {
    const theirs = j < rows.length ? rows[j].addr - addr : Infinity;
    if (pos >= n || theirs < pos) {
      out.mismatches.push(`${name}+0x${theirs.toString(16)}: objdump starts an instruction we do not`);
      j++;
      continue;
    }
    const len = x86Length(bytes, pos, n);
    const step = len < 0 ? 1 : len;
    if (pos < theirs) {
      out.mismatches.push(`${name}+0x${pos.toString(16)}: we start an instruction objdump does not (${len})`);
      pos += step;
      continue;
    }
    const row = rows[j];
    const hex = Buffer.from(bytes.subarray(pos, pos + Math.max(step, row.len))).toString('hex');
    if (row.mnemonic === '(bad)') {
      if (len > 0) {
        const mnemonic = x86Operands(bytes, pos, addr)?.mnemonic ?? '';
        if (OBJDUMP_UNKNOWN.has(mnemonic)) {
          out.gaps.push(`${name}+0x${pos.toString(16)} ${mnemonic}`);
          // skip to where both listings meet again
          pos += len;
          while (j < rows.length && rows[j].addr - addr < pos) j++;
          while (j < rows.length && rows[j].addr - addr !== pos) {
            if (rows[j].addr - addr < pos) j++;
            else { const l = x86Length(bytes, pos, n); pos += l < 0 ? 1 : l; }
          }
          continue;
        }
        out.mismatches.push(`${name}+0x${pos.toString(16)} ${hex}: objdump (bad), we decode ${len} bytes`);
      }
    } else if (len !== row.len) {
      out.mismatches.push(`${name}+0x${pos.toString(16)} ${hex} ${row.mnemonic}: length ${len}, objdump ${row.len}`);
    }
    out.insns++;
    pos += len < 0 ? row.len : step;
    j++;
  }
}

const PREFIX_WORDS = /^(bnd|notrack|cs|ds|es|ss|fs|gs|lock|rep|repz|repnz|repe|repne|data16|addr32|xacquire|xrelease|rex(\.[WRXB]+)?)$/;

/** `objdump -d -z -w`, one row per instruction, by section name. */
function objdump(path: string, only?: string[]): Map<string, DumpRow[]> {
  const args = ['-d', '-z', '-w', '--insn-width=16'];
  for (const s of only ?? []) args.push('-j', s);
  const text = execFileSync('objdump', [...args, path], { encoding: 'latin1', maxBuffer: 1 << 30 });
  const out = new Map<string, DumpRow[]>();
  let rows: DumpRow[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('Disassembly of section ')) {
      rows = [];
      out.set(line.slice('Disassembly of section '.length, -1), rows);
      continue;
    }
    if (!line.startsWith(' ') || line.indexOf(':\t') < 0) continue;
    const parts = line.split('\t');
    const words = (parts[2] ?? '').trim().split(/\s+/);
    while (words.length > 1 && PREFIX_WORDS.test(words[0])) words.shift();
    rows.push({
      addr: parseInt(parts[0], 16),
      len: parts[1].trim().split(/\s+/).filter(Boolean).length,
      mnemonic: words[0] ?? '',
    });
  }
  return out;
}

