/**
 * ElfEditor against the real objtool 6.12. For each object objtool changed, the changes are
 * derived from the difference (test/helpers/objtool-replay.ts) and made again with ElfEditor on
 * the original; the file ElfEditor writes must be byte for byte the file objtool wrote (libelf's
 * layout, padding and header table included). Where it is not, the first differing section view
 * (bytes of each section, or readelf/objdump output) is reported.
 *
 * Inputs: the fixture sources compiled with gcc and clang-19 under several objtool option sets,
 * and, when present, the kernel corpus (corpus/x86-gcc = objects before objtool, ref/x86-gcc =
 * the same after it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ElfFile } from '../src/elf/reader.js';
import { writeFileAtomic } from '../src/elf/atomic-write.js';
import { replayObjtool } from '../test/helpers/objtool-replay.js';
import { elfSummary, summaryDiff } from '../test/helpers/elf-summary.js';
import { elfViews, firstDiff } from './helpers/elf-views.js';
import { CORPUS, OBJTOOL, haveCommand, haveObjtool, run, scratchDir } from './helpers/objtool-tools.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/elf/', import.meta.url));
const ready = haveObjtool() && haveCommand('readelf') && haveCommand('objdump');

const KFLAGS = ['-O2', '-fno-pic', '-fno-asynchronous-unwind-tables', '-fcf-protection=branch',
  '-fpatchable-function-entry=16,16', '-mharden-sls=all'];
const COMPILERS: [string, string[]][] = [
  ['gcc', [...KFLAGS, '-mindirect-branch=thunk-extern', '-mindirect-branch-register', '-mfunction-return=thunk-extern', '-pg', '-mfentry']],
  ['clang-19', [...KFLAGS, '-mretpoline-external-thunk', '-mfunction-return=thunk-extern']],
  // kCFI: __cfi_ preambles for --cfi (.cfi_sites); objtool needs -fno-jump-tables here
  ['clang-19', ['-O2', '-fsanitize=kcfi', '-fno-jump-tables', '-fpatchable-function-entry=16,16']],
];
const OPTION_SETS: string[][] = [
  ['--orc'],
  ['--retpoline', '--rethunk'],
  ['--static-call'],
  ['--prefix=16'],
  ['--sls'],
  ['--mcount'],
  ['--hacks=jump_label', '--hacks=noinstr', '--orc', '--retpoline', '--rethunk', '--static-call', '--uaccess', '--prefix=16', '--sls'],
  ['--link', '--ibt', '--orc'],
  ['--cfi', '--orc', '--prefix=16'],
];

/** Replays objtool's output `after` on `before`; returns '' or what differs. */
function compare(before: string, after: string, out: string, views: boolean): string {
  const refBytes = readFileSync(after);
  const ref = new ElfFile(refBytes);
  const { editor } = replayObjtool(new ElfFile(readFileSync(before)), ref);
  const bytes = editor.serialize();
  const d = summaryDiff(elfSummary(new ElfFile(bytes)), elfSummary(ref));
  if (d) return `sections: ${d}`;
  if (views) {
    writeFileAtomic(out, bytes);
    const a = elfViews(out);
    const b = elfViews(after);
    for (const k of ['sections', 'relocs', 'symbols', 'contents'] as const) {
      if (a[k] !== b[k]) return `${k}: ${firstDiff(a[k], b[k])}`;
    }
  }
  if (Buffer.compare(bytes, refBytes) !== 0) {
    let i = 0;
    while (i < bytes.length && i < refBytes.length && bytes[i] === refBytes[i]) i++;
    return `file bytes: first difference at 0x${i.toString(16)} (ours ${bytes.length} bytes, objtool's ${refBytes.length})`;
  }
  return '';
}

test('compiled objects: objtool option sets replayed with ElfEditor', { skip: !ready && 'needs objtool, readelf, objdump' }, () => {
  const dir = scratchDir('writer');
  let compared = 0;
  let changed = 0;
  const failures: string[] = [];
  try {
    const inputs: string[] = [];
    for (const [cc, flags] of COMPILERS) {
      if (!haveCommand(cc)) continue;
      for (const src of ['sample.c', 'more.c']) {
        const o = join(dir, `${src}-${cc}-${inputs.length}.o`);
        run(cc, [...flags, '-c', join(fixtures, src), '-o', o]);
        if (existsSync(o)) inputs.push(o);
      }
    }
    const asm = join(dir, 'sample-asm.o');
    run('gcc', ['-c', join(fixtures, 'sample-asm.S'), '-o', asm]);
    if (existsSync(asm)) inputs.push(asm);
    assert.ok(inputs.length > 0, 'no compiler produced an object');
    for (const input of inputs) {
      for (const opts of OPTION_SETS) {
        const after = `${input}.${compared}.objtool.o`;
        copyFileSync(input, after);
        run(OBJTOOL, [...opts, after]);
        compared++;
        if (Buffer.compare(readFileSync(input), readFileSync(after)) !== 0) changed++;
        const d = compare(input, after, join(dir, 'ours.o'), true);
        if (d) failures.push(`${input} ${opts.join(' ')}: ${d}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`# elf-writer: ${compared} objtool runs (${changed} changed the object), ` +
    `${compared - failures.length}/${compared} byte-identical to objtool's file`);
  assert.deepEqual(failures, []);
  assert.ok(changed > 0, 'objtool changed nothing: the comparison would be empty');
});

test('kernel corpus: every object objtool changed, replayed with ElfEditor', { skip: !existsSync(join(CORPUS, 'ref')) && 'no corpus' }, () => {
  const failures: string[] = [];
  let compared = 0;
  let missing = 0;
  const viewsEvery = Number(process.env.OBJFLOW_VIEWS_EVERY ?? 25);
  const tmp = scratchDir('writer-corpus');
  try {
    for (const flavour of ['x86-gcc', 'x86-clang']) {
      const refDir = join(CORPUS, 'ref', flavour);
      if (!existsSync(refDir)) continue;
      const list = execSync('find . -name "*.o" | sort', { cwd: refDir, encoding: 'latin1' }).trim().split('\n').filter(Boolean);
      for (const rel of list) {
        const before = join(CORPUS, 'corpus', flavour, rel);
        if (!existsSync(before)) { missing++; continue; }
        // binutils views for a sample (they cost four processes per file); section bytes for all
        const d = compare(before, join(refDir, rel), join(tmp, 'ours.o'), compared % viewsEvery === 0);
        compared++;
        if (d) failures.push(`${flavour}/${rel}: ${d}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`# elf-writer corpus: ${compared - failures.length}/${compared} objects byte-identical to objtool's file, ` +
    `${missing} without an original`);
  assert.ok(compared > 0, 'no corpus object to compare');
  assert.deepEqual(failures.slice(0, 10), []);
});
