/**
 * The x86-64 jump-table describer's fast path (plain lea/mov read from their bytes) against its iced
 * path on every row it reads of real linked libraries: Debian's libLLVM-14, the system's libstdc++ and
 * the other x86-64 libraries downloaded to $CORPUS_DIR/dl/x/*amd64* (corpus/distro-libraries.sh).
 * Every description must be equal.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { archFor } from '../src/arch/registry.js';
import { ElfFile } from '../src/elf/reader.js';
import { Program } from '../src/program/program.js';
import { compareFastDescribe } from '../test/helpers/x86-describe-diff.js';

const X = join(process.env.CORPUS_DIR ?? join(homedir(), '.cache', 'objcorpus'), 'dl', 'x');
const LLVM = join(X, 'libllvm14-amd64/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1');
const STDCXX = '/usr/lib/x86_64-linux-gnu/libstdc++.so.6';

/** Shared libraries (by name: lib*.so*) under `dir`, recursively. */
function sharedLibraries(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...sharedLibraries(path));
    else if (st.isFile() && /^lib.*\.so(\.|$)/.test(name)) out.push(path);
  }
  return out;
}

/** The other downloaded x86-64 libraries, each file once (through its symlinks); libLLVM-14 has its own test. */
function otherLibraries(): string[] {
  if (!existsSync(X)) return [];
  const files = new Set(readdirSync(X).filter((d) => d.endsWith('amd64')).sort()
    .flatMap((d) => sharedLibraries(join(X, d))).map((f) => realpathSync(f)));
  if (existsSync(LLVM)) files.delete(realpathSync(LLVM));
  return [...files];
}

async function assertSame(file: string, log: (s: string) => void): Promise<void> {
  const elf = new ElfFile(new Uint8Array(readFileSync(file)), file);
  if (elf.machine !== 62 || elf.type === 1) return;
  const arch = await archFor(elf.machine);
  assert.ok(arch);
  const r = compareFastDescribe(new Program(elf, arch, false, true));
  log(`${file}: compared ${r.compared} (rip-relative ${r.ripRelative}, described by the fast path ${r.fastDescribed}), differences ${r.differences}`);
  assert.equal(r.differences, 0, `${file}\n${r.samples.join('\n')}`);
  if (r.compared > 1000) assert.ok(r.fastDescribed > 0);
}

test('fast path equals iced on libLLVM-14 x86-64', { skip: existsSync(LLVM) ? false : `absent: ${LLVM}` }, async (t) => {
  await assertSame(LLVM, (s) => t.diagnostic(s));
});

test('fast path equals iced on libstdc++ x86-64', { skip: existsSync(STDCXX) ? false : `absent: ${STDCXX}` }, async (t) => {
  await assertSame(STDCXX, (s) => t.diagnostic(s));
});

const others = otherLibraries();
test('fast path equals iced on the other downloaded x86-64 libraries', { skip: others.length > 0 ? false : `none under ${X}/*amd64*` }, async (t) => {
  for (const f of others) await assertSame(f, (s) => t.diagnostic(s));
});
