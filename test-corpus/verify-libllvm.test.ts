/**
 * `objflow verify` on Debian 12's libLLVM-14 (corpus/distro-libraries.sh), the largest C++ library
 * at hand: about 95,000 FDEs per architecture.
 *
 * x86-64: every mismatch is one of the Clang table bugs written up in docs/findings/ and is
 * recognised here from the file's own bytes, independently of objflow's decoder: the instruction
 * just before the first difference is an `add $N,%rsp` hoisted above a branch with the table N too
 * high (clang19-x86-64-hoisted-epilogue-add.md), a `sub $8,%rsp` hoisted the same way with the table
 * 8 too low, or a push whose CFI comes an instruction late (clang19-x86-64-reload-between-push-and-cfi.md).
 *
 * AArch64: the library's tables are synchronous (exact at calls only: the prologue's CFI follows
 * the whole prologue, epilogues have none). Every mismatching FDE differs only between calls, and
 * with `--synchronous` none remains (docs/findings/libllvm14-aarch64-synchronous-tables.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { verifyFile } from '../src/verify/verify.js';
import type { FdeVerdict } from '../src/verify/verify.js';
import { ElfFile } from '../src/elf/reader.js';

const X = join(process.env.CORPUS_DIR ?? join(homedir(), '.cache', 'objcorpus'), 'dl', 'x');
const X86 = join(X, 'libllvm14-amd64/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1');
const A64 = join(X, 'libllvm14-arm64/usr/lib/aarch64-linux-gnu/libLLVM-14.so.1');

/** File bytes at virtual address `addr` (through the section that holds it). */
function bytesAt(elf: ElfFile, file: Uint8Array, addr: number, n: number): Uint8Array {
  for (const sec of elf.sections) {
    if (sec.type === 8 /* NOBITS */ || sec.addr === 0 || addr < sec.addr || addr + n > sec.addr + sec.size) continue;
    const o = addr - sec.addr + sec.offset;
    return file.subarray(o, o + n);
  }
  return new Uint8Array(0);
}

/** The triaged class of an x86-64 mismatch, from the bytes before its first difference; null: none. */
function x86Class(v: FdeVerdict, elf: ElfFile, file: Uint8Array): string | null {
  const f = v.first;
  if (!f || f.rule !== 'cfa') return null;
  const t = /^rsp\+(\d+)$/.exec(f.table);
  const c = /^rsp\+(\d+)$/.exec(f.code);
  if (!t || !c) return null;
  const d = Number(t[1]) - Number(c[1]);
  const b = bytesAt(elf, file, f.addr - 7, 7);
  if (b.length !== 7) return null;
  // add $imm8,%rsp (48 83 c4 ib) / add $imm32,%rsp (48 81 c4 id), the table `imm` too high
  if (b[3] === 0x48 && b[4] === 0x83 && b[5] === 0xc4 && d === b[6]) return 'hoisted add';
  if (b[0] === 0x48 && b[1] === 0x81 && b[2] === 0xc4 && d === (b[3] | b[4] << 8 | b[5] << 16 | b[6] << 24)) return 'hoisted add';
  // sub $8,%rsp hoisted above the branch, the table 8 too low
  if (b[3] === 0x48 && b[4] === 0x83 && b[5] === 0xec && b[6] === 8 && d === -8) return 'hoisted sub';
  // a push (reg, REX reg, imm8, imm32, memory through rsp) whose CFI comes late, the table 8 too low
  if (d === -8) {
    const one = b[6];
    if (one >= 0x50 && one <= 0x57) return 'late push';
    if (b[5] === 0x41 && one >= 0x50 && one <= 0x57) return 'late push';
    if (b[5] === 0x6a) return 'late push';
    if (b[2] === 0x68) return 'late push';
    if (b[3] === 0xff && b[4] === 0x74 && b[5] === 0x24) return 'late push';
    if (b[0] === 0xff && b[1] === 0xb4 && b[2] === 0x24) return 'late push';
    if (b[4] === 0xff && (b[5] & 0xf8) === 0x70) return 'late push'; // push disp8(%reg)
  }
  return null;
}

/**
 * The frame-pointer rule at a `ret` that an early exit jumps to before anything was saved, the
 * epilogue's `cfa-16` kept (x86 epilogues carry no .cfi_restore): table `cfa-N`, code `same`
 * (docs/findings/llvm-x86-64-shared-return-keeps-saved-rules.md).
 */
function fpClass(v: FdeVerdict, elf: ElfFile, file: Uint8Array): string | null {
  const f = v.first;
  if (!f || f.rule !== 'fp' || !/^cfa-\d+$/.test(f.table) || f.code !== 'same' || v.addrs.length !== 1) return null;
  return bytesAt(elf, file, f.addr, 1)[0] === 0xc3 ? 'shared return' : null;
}

/**
 * The FDEs binutils' readelf finds in the file's unwind tables. Debian ships security updates of these
 * packages under the same file names (librsvg2-2 went from 30,764 FDEs to 30,772 in 2.54.7+dfsg-1~deb12u2),
 * so the count comes from the file at hand rather than from the build first measured.
 */
function readelfFdes(path: string): number {
  const r = spawnSync('readelf', ['--debug-dump=frames', path], { encoding: 'latin1', maxBuffer: 1 << 30 });
  if (r.error || !r.stdout) throw new Error(`readelf --debug-dump=frames ${path} failed: ${r.stderr?.slice(0, 300)}`);
  let n = 0;
  for (let at = r.stdout.indexOf(' FDE cie='); at >= 0; at = r.stdout.indexOf(' FDE cie=', at + 1)) n++;
  return n;
}

/**
 * LLVM-built x86-64 libraries, C++ (libLLVM-14, libclang-19) and Rust (librsvg), and the least share of
 * FDEs that agree and the largest share left unknown, a little below and above what was measured.
 */
const X86_LIBS: { path: string; minAgree: number; maxUnknown: number }[] = [
  // 94,994 FDEs: 94,139 agree (99.10%), 123 mismatch, 732 unknown (0.77%), 2026-11-28
  { path: X86, minAgree: 0.990, maxUnknown: 0.0085 },
  // 53,721 FDEs: 53,118 agree (98.88%), 40 mismatch, 563 unknown (1.05%) (Debian's clang-19 package), 2026-11-28
  { path: '/usr/lib/x86_64-linux-gnu/libclang-19.so.19', minAgree: 0.987, maxUnknown: 0.0115 },
  // 30,772 FDEs: 29,973 agree (97.40%), 220 mismatch, 579 unknown (1.88%) (Rust; corpus/distro-libraries.sh), 2026-11-28
  { path: join(X, 'librsvg2-2-amd64/usr/lib/x86_64-linux-gnu/librsvg-2.so.2.48.0'), minAgree: 0.972, maxUnknown: 0.020 },
];

for (const lib of X86_LIBS) {
  test(`verify ${lib.path.slice(lib.path.lastIndexOf('/') + 1)} (x86-64, LLVM): agreement, and every mismatch a triaged LLVM table bug`, { skip: !existsSync(lib.path) && 'run corpus/distro-libraries.sh' }, async () => {
    const r = await verifyFile(lib.path);
    const s = r.summary;
    console.log(`# ${lib.path}: ${s.fdes} FDEs, agree ${s.agrees} (${(100 * s.agrees / s.fdes).toFixed(2)}%), mismatch ${s.mismatch}, unknown ${s.unknown}`);
    assert.equal(s.fdes, readelfFdes(lib.path));
    assert.ok(s.agrees >= lib.minAgree * s.fdes, `${s.agrees} agree`);
    assert.ok(s.unknown <= lib.maxUnknown * s.fdes, `${s.unknown} unknown`);
    const file = readFileSync(lib.path);
    const elf = new ElfFile(file, lib.path);
    const classes = new Map<string, number>();
    const untriaged: string[] = [];
    for (const v of r.verdicts) {
      if (v.status !== 'mismatch') continue;
      const k = x86Class(v, elf, file) ?? fpClass(v, elf, file);
      if (k) classes.set(k, (classes.get(k) ?? 0) + 1);
      else untriaged.push(`${v.func} at 0x${v.first?.addr.toString(16)}: ${v.first?.rule} table ${v.first?.table}, code ${v.first?.code}`);
    }
    console.log(`# mismatch classes: ${[...classes].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    assert.deepEqual(untriaged.slice(0, 10), []);
  });
}

test('verify libLLVM-14 AArch64: synchronous tables, every mismatch only between calls', { skip: !existsSync(A64) && 'run corpus/distro-libraries.sh' }, async () => {
  const r = await verifyFile(A64);
  const s = r.summary;
  const between = r.verdicts.filter((v) => v.betweenCalls).length;
  const shaped = r.verdicts.filter((v) => v.synchronousShape).length;
  console.log(`# ${A64}: ${s.fdes} FDEs, agree ${s.agrees}, mismatch ${s.mismatch} (${between} only between calls, ${shaped} from the prologue on), unknown ${s.unknown}`);
  // measured 2026-11-26: 94,986 FDEs; with --synchronous 93,648 agree, 0 mismatch, 1,338 unknown
  assert.equal(s.fdes, readelfFdes(A64));
  assert.ok(s.mismatch > 50000, 'the prologues of a synchronous table differ from the code');
  assert.ok(shaped * 2 >= s.mismatch, 'most first differences are in prologues, before any call');
  const atCalls = r.verdicts.filter((v) => v.status === 'mismatch' && !v.betweenCalls).map((v) => `${v.func} at 0x${v.first?.addr.toString(16)}`);
  assert.deepEqual(atCalls.slice(0, 10), [], 'no mismatch at a call');
  // what --synchronous makes of it: the mismatches become agreements, nothing else changes
  assert.ok(s.agrees + s.mismatch >= 93600, `${s.agrees + s.mismatch} agree at calls`);
  assert.ok(s.unknown <= 1400, `${s.unknown} unknown`);
});
