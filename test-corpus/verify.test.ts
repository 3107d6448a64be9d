/**
 * `objflow verify` with real tools and real binaries:
 * - the hand-written fixtures assembled now (GNU as, aarch64-linux-gnu-as), as objects and linked
 *   into shared libraries (addresses move by the link offset nm gives; PLT stubs included);
 * - the SQLite corpus builds: agreement share, and every mismatch one of the triaged table bugs
 *   (docs/findings/);
 * - distribution libraries: no crash, agreement share.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyFile } from '../src/verify/verify.js';
import type { VerifyReport } from '../src/verify/verify.js';
import { readListing } from '../test/verify/listing.js';

const src = fileURLToPath(new URL('../../test-corpus/fixtures/verify/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'objflow-verify-corpus-'));

function has(tool: string): boolean {
  try { execFileSync(tool, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

function symbolAddr(file: string, nm: string, name: string): number {
  const out = execFileSync(nm, [file], { encoding: 'utf8' });
  const m = new RegExp(`^([0-9a-f]+) \\w ${name}$`, 'm').exec(out);
  assert.ok(m, `${name} in ${file}`);
  return parseInt(m[1], 16);
}

const ARCHES = [
  { name: 'x86-64-cfi', as: 'as', ld: 'ld', nm: 'nm' },
  { name: 'aarch64-cfi', as: 'aarch64-linux-gnu-as', ld: 'aarch64-linux-gnu-ld', nm: 'aarch64-linux-gnu-nm' },
];

for (const a of ARCHES) {
  test(`verify ${a.name}: planted errors exactly (object and shared library)`, { skip: !has(a.as) && `${a.as} not installed` }, async () => {
    const obj = join(work, `${a.name}.o`);
    const lst = execFileSync(a.as, ['-al', '-o', obj, join(src, `${a.name}.s`)], { encoding: 'utf8' });
    const facts = readListing(lst);
    const check = (r: VerifyReport, delta: number): void => {
      for (const f of facts.funcs) {
        const v = r.verdicts.find((x) => x.start === f.off + delta);
        assert.ok(v, `${f.name}: FDE`);
        const planted = facts.planted.filter((p) => p.func === f.name);
        if (planted.length === 0) { assert.equal(v.status, 'agrees', `${f.name}: ${v.reason ?? JSON.stringify(v.first)}`); continue; }
        assert.equal(v.status, 'mismatch', f.name);
        assert.deepEqual(v.addrs, planted.map((p) => p.off + delta), f.name);
        assert.equal(v.first?.rule, planted[0].rule, f.name);
      }
      // nothing else (PLT stubs, linker-made FDEs) reports a mismatch
      const planted = new Set(facts.planted.map((p) => p.func));
      assert.equal(r.summary.mismatch, planted.size);
    };
    check(await verifyFile(obj), 0);
    if (!has(a.ld)) return;
    const so = join(work, `${a.name}.so`);
    execFileSync(a.ld, ['-shared', '--eh-frame-hdr', '-o', so, obj]);
    const delta = symbolAddr(so, a.nm, 'good_frame') - symbolAddr(obj, a.nm, 'good_frame');
    check(await verifyFile(so), delta);
  });
}

/** Mismatching FDEs triaged as real table bugs, by build-name prefix (arch-compiler). */
const KNOWN_TABLE_BUGS: Record<string, string[]> = {
  // docs/findings/clang19-x86-64-hoisted-epilogue-add.md
  'x86_64-clang19': ['unixDlError', 'sqlite3Select', 'rtreeInsertCell',
    // docs/findings/clang19-x86-64-reload-between-push-and-cfi.md
    'sqlite3Pragma', 'sqlite3GenerateConstraintChecks'],
  // docs/findings/clang19-aarch64-duplicated-prologue-cfi.md
  'aarch64-clang19': ['sqlite3ExprCheckIN'],
};

const US = '/root/.cache/objcorpus/us';
const builds = existsSync(US) ? readdirSync(US).filter((d) => existsSync(join(US, d, 'sqlite', 'build.ok'))).sort() : [];

test('verify SQLite corpus: agreement share; every mismatch a triaged table bug', { skip: builds.length === 0 && 'corpus not built' }, async () => {
  for (const b of builds) {
    for (const f of ['sqlite3.o', 'libsqlite3.so', 'sqlite3-nopie']) {
      const path = join(US, b, 'sqlite', f);
      if (!existsSync(path)) continue;
      const t0 = process.cpuUsage();
      const r = await verifyFile(path);
      const cpu = process.cpuUsage(t0);
      const s = r.summary;
      const share = s.agrees / s.fdes;
      console.log(`# ${b}/${f}: ${s.fdes} FDEs, agree ${(100 * share).toFixed(2)}%, mismatch ${s.mismatch}, unknown ${s.unknown}, ` +
        `${Math.round(s.fdes / ((cpu.user + cpu.system) / 1e6))} FDEs/CPU-s`);
      const known = Object.entries(KNOWN_TABLE_BUGS).filter(([prefix]) => b.startsWith(prefix)).flatMap(([, names]) => names);
      for (const v of r.verdicts) {
        if (v.status === 'mismatch') assert.ok(known.includes(v.func), `${b}/${f}: untriaged mismatch in ${v.func} at 0x${v.first?.addr.toString(16)}`);
      }
      assert.ok(share >= 0.99, `${b}/${f}: agreement ${share}`);
    }
  }
});

const SYSTEM = [
  '/usr/lib/x86_64-linux-gnu/libc.so.6',
  '/usr/lib/x86_64-linux-gnu/libstdc++.so.6',
  '/usr/aarch64-linux-gnu/lib/libc.so.6',
  '/usr/aarch64-linux-gnu/lib/libstdc++.so.6',
  '/usr/aarch64-linux-gnu/lib/libm.so.6',
].filter((p) => existsSync(p));

test('verify distribution libraries: no crash, most FDEs agree', { skip: SYSTEM.length === 0 && 'no libraries' }, async () => {
  for (const path of SYSTEM) {
    const r = await verifyFile(path);
    const s = r.summary;
    // every FDE readelf lists gets a verdict
    if (has('readelf')) {
      // readelf exits 1 on warnings it prints about the file; its listing is complete all the same
      const listed = spawnSync('readelf', ['--debug-dump=frames', path], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout.split('\n').filter((l) => / FDE cie=/.test(l)).length;
      assert.equal(s.fdes, listed, `${path}: FDE count`);
    }
    console.log(`# ${path}: ${s.fdes} FDEs, agree ${(100 * s.agrees / s.fdes).toFixed(2)}%, mismatch ${s.mismatch}, unknown ${s.unknown}`);
    assert.equal(s.agrees + s.mismatch + s.unknown, s.fdes);
    assert.ok(s.agrees / s.fdes >= 0.5, `${path}: agreement ${s.agrees}/${s.fdes}`);
  }
});
