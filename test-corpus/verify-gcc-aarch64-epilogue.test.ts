/**
 * GCC 12 AArch64: a frame too large for `ldp x29, x30, [sp], #N` with its CFA on x29 (the function
 * takes `__builtin_frame_address(0)`) keeps that CFA after `ldp x29, x30, [sp]` has reloaded the
 * caller's frame pointer, until `add sp` (docs/findings/gcc12-aarch64-fp-based-cfa-after-reload.md).
 * The expected instructions come from the compiler's own listing: those between the reload and the
 * `.cfi_def_cfa 31, 0` that follows the `add sp`. Debian's libasan (arm64 cross) has the same
 * epilogue in hundreds of functions; each of its mismatches is recognised from the file's bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ElfFile } from '../src/elf/reader.js';
import { verifyFile } from '../src/verify/verify.js';
import { listingLines } from '../test/verify/listing.js';
import { haveCommand } from './helpers/objtool-tools.js';

const src = fileURLToPath(new URL('../../test-corpus/fixtures/verify/gcc12-aarch64-fp-epilogue.c', import.meta.url));
const CC = 'aarch64-linux-gnu-gcc';
const AS = 'aarch64-linux-gnu-as';

test('verify: GCC 12 AArch64 keeps an x29-based CFA after reloading x29 (listing)', { skip: !(haveCommand(CC) && haveCommand(AS)) && `needs ${CC}` }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'objflow-gcc-epilogue-'));
  const s = join(dir, 'f.s');
  const o = join(dir, 'f.o');
  execFileSync(CC, ['-O2', '-fno-omit-frame-pointer', '-S', '-o', s, src]);
  execFileSync(AS, [`-al=${join(dir, 'f.lst')}`, '-o', o, s]);
  const lines = listingLines(readFileSync(join(dir, 'f.lst'), 'utf8'));
  const expected: number[] = [];
  let inside = false;
  for (const l of lines) {
    if (/^ldp\s+x29, x30, \[sp\]$/.test(l.text)) { inside = true; continue; }
    if (inside && l.text.startsWith('.cfi_def_cfa 31')) inside = false;
    else if (inside && l.off >= 0 && !/^ret/.test(l.text)) expected.push(l.off);
  }
  assert.ok(expected.length >= 2, `the listing has the reload before 'add sp': ${expected}`);
  const r = await verifyFile(o);
  const f = r.verdicts.find((v) => v.func === 'f');
  assert.equal(f?.status, 'mismatch');
  assert.deepEqual(f?.addrs, expected);
  assert.match(f?.first?.table ?? '', /^x29\+\d+$/);
  assert.equal(f?.synchronousShape, false, 'an epilogue bug, not a synchronous table');
});

const ASAN = '/usr/aarch64-linux-gnu/lib/libasan.so.8.0.0';

test('verify Debian libasan (arm64 cross): every mismatch is the x29 reload before add sp', { skip: !existsSync(ASAN) && 'no arm64 libasan' }, async () => {
  const r = await verifyFile(ASAN);
  const s = r.summary;
  console.log(`# ${ASAN}: ${s.fdes} FDEs, agree ${s.agrees}, mismatch ${s.mismatch}, unknown ${s.unknown}`);
  assert.ok(s.mismatch > 100, `${s.mismatch} mismatches`);
  const file = readFileSync(ASAN);
  const elf = new ElfFile(file, ASAN);
  const text = elf.sections.find((x) => x.name === '.text')!;
  const word = (addr: number): number => file.readUInt32LE(addr - text.addr + text.offset);
  const other: string[] = [];
  for (const v of r.verdicts) {
    if (v.status !== 'mismatch' || !v.first) continue;
    // the table on x29 while the code has the CFA from sp; an `ldp x29, x30, [sp]` (a9407bfd) shortly before
    let reload = false;
    for (let a = v.first.addr - 4; a >= Math.max(v.start, v.first.addr - 16) && !reload; a -= 4) reload = word(a) === 0xa9407bfd;
    if (!/^x29\+/.test(v.first.table) || !/^sp\+/.test(v.first.code) || !reload) other.push(`${v.func} at 0x${v.first.addr.toString(16)}: ${v.first.table} / ${v.first.code}`);
  }
  assert.deepEqual(other.slice(0, 10), []);
});
