/**
 * dumpOrc against `objtool --dump=orc` (stdout, stderr and exit status, byte for byte): on objects
 * compiled here and run through objtool --orc, on malformed objects made with the test ELF builder,
 * and on every `*.o` / `*.o.orc` pair of the kernel corpus when it exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ElfFile } from '../src/elf/reader.js';
import { dumpOrc } from '../src/unwind/orc-dump.js';
import { buildElf, type BuildOptions } from '../test/helpers/elf-builder.js';
import { CORPUS, OBJTOOL, haveCommand, haveObjtool, run, scratchDir } from './helpers/objtool-tools.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/elf/', import.meta.url));

function sameAsObjtool(path: string): string {
  const want = run(OBJTOOL, ['--dump=orc', path]);
  const got = dumpOrc(new ElfFile(readFileSync(path)), path);
  if (got.stdout !== want.stdout) return `${path}: stdout differs`;
  if (got.stderr !== want.stderr) return `${path}: stderr ${JSON.stringify(got.stderr)} vs ${JSON.stringify(want.stderr)}`;
  if (got.status !== want.status) return `${path}: status ${got.status} vs ${want.status}`;
  return '';
}

test('compiled objects after objtool --orc', { skip: !haveObjtool() && 'needs objtool' }, () => {
  const dir = scratchDir('orc');
  const failures: string[] = [];
  let lines = 0;
  try {
    const builds: [string, string[]][] = [
      // CET's `notrack jmp` jump tables are not recognized by objtool outside the kernel: leave it off
      ['gcc', ['-O2', '-fcf-protection=none', '-c']], ['gcc', ['-O0', '-fcf-protection=none', '-c']],
      ['gcc', ['-O2', '-fcf-protection=none', '-fno-omit-frame-pointer', '-c']],
      ['clang-19', ['-O2', '-c']], ['clang-19', ['-O1', '-fno-omit-frame-pointer', '-c']],
    ];
    let n = 0;
    for (const [cc, flags] of builds) {
      if (!haveCommand(cc)) continue;
      for (const src of ['sample.c', 'more.c', 'sample-asm.S']) {
        const o = join(dir, `${n++}.o`);
        run(cc, [...flags, join(fixtures, src), '-o', o]);
        if (!existsSync(o)) continue;
        run(OBJTOOL, ['--orc', o]);
        const d = sameAsObjtool(o);
        if (d) failures.push(d);
        lines += dumpOrc(new ElfFile(readFileSync(o)), o).stdout.split('\n').length - 1;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`# orc-dump: ${lines} lines compared, ${failures.length} objects differ`);
  assert.deepEqual(failures, []);
  assert.ok(lines > 0);
});

const ORC = Uint8Array.from([8, 0, 0, 0, 5, 2, 16, 0, 0xf0, 0xff, 0x15, 2, 0, 0, 0, 0, 0, 1]);
function crafted(o: Partial<BuildOptions> & { orc?: Uint8Array; ip?: Uint8Array; addr?: number }): Uint8Array {
  return buildElf({
    sections: [
      { name: '.text', flags: 6, data: new Uint8Array(0x40) },
      { name: '.orc_unwind', flags: 2, data: o.orc ?? ORC, entsize: 6 },
      { name: '.orc_unwind_ip', flags: 2, data: o.ip ?? new Uint8Array(12), entsize: 4, addr: o.addr ?? 0 },
    ],
    symbols: [{ name: '', bind: 0, type: 3, section: '.text' }, { name: 'fn', bind: 1, type: 2, section: '.text', value: 0x20 }],
    relocs: o.relocs ?? [
      { section: '.orc_unwind_ip', offset: 0, sym: 1, type: 2, addend: 0 },
      { section: '.orc_unwind_ip', offset: 4, sym: 'fn', type: 2, addend: 0x1a },
      { section: '.orc_unwind_ip', offset: 8, sym: 1, type: 2, addend: -1 },
    ],
    le: o.le,
  }).bytes;
}

test('crafted and malformed objects', { skip: !haveObjtool() && 'needs objtool' }, () => {
  const dir = scratchDir('orc-bad');
  const cases: Record<string, Uint8Array> = {
    plain: crafted({}),
    bigEndian: crafted({ le: false }),
    fewRelocs: crafted({ relocs: [{ section: '.orc_unwind_ip', offset: 0, sym: 1, type: 2, addend: 4 }] }),
    badSize: crafted({ orc: new Uint8Array(7) }),
    emptyOrc: crafted({ orc: new Uint8Array(0) }),
    linked: crafted({ relocs: [], addr: 0xffffffff81000000, ip: Uint8Array.from([0, 0xf0, 0xff, 0xff, 0x10, 0, 0, 0, 0xfc, 0xff, 0xff, 0xff]) }),
  };
  const patch = (name: string, fn: (b: Uint8Array, e: ElfFile, dv: DataView) => void): void => {
    const b = crafted({});
    fn(b, new ElfFile(b), new DataView(b.buffer));
    cases[name] = b;
  };
  const symAt = (e: ElfFile, i: number): number => e.sections[e.symtab!.section].offset + i * 24;
  patch('badSymIndex', (b, e, dv) => dv.setUint32(e.section('.rela.orc_unwind_ip')!.offset + 24 + 12, 9, true));
  patch('nameOutOfRange', (b, e, dv) => dv.setUint32(symAt(e, 2), 0x7fff, true));
  patch('sectionSymbolAbs', (b, e, dv) => dv.setUint16(symAt(e, 1) + 6, 0xfff1, true));
  patch('unterminatedStrtab', (b, e) => { const s = e.section('.strtab')!; b[s.offset + s.size - 1] = 0x41; });
  const failures: string[] = [];
  try {
    for (const [name, bytes] of Object.entries(cases)) {
      const p = join(dir, `${name}.o`);
      writeFileSync(p, bytes);
      const d = sameAsObjtool(p);
      if (d) failures.push(d);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(failures, []);
});

test('kernel corpus: every object with a recorded dump', { skip: !existsSync(join(CORPUS, 'ref')) && 'no corpus' }, () => {
  let compared = 0;
  let lines = 0;
  const failures: string[] = [];
  for (const flavour of ['x86-gcc', 'x86-clang']) {
    const refDir = join(CORPUS, 'ref', flavour);
    if (!existsSync(refDir)) continue;
    const list = execSync('find . -name "*.o.orc" | sort', { cwd: refDir, encoding: 'latin1' }).trim().split('\n').filter(Boolean);
    for (const rel of list) {
      const obj = join(refDir, rel.slice(0, -4));
      if (!existsSync(obj)) continue;
      const want = readFileSync(join(refDir, rel), 'latin1');
      const got = dumpOrc(new ElfFile(readFileSync(obj)), obj);
      compared++;
      lines += want.split('\n').length - 1;
      if (got.stdout !== want) failures.push(`${flavour}/${rel}`);
    }
  }
  console.log(`# orc-dump corpus: ${compared} objects, ${lines} lines, ${failures.length} differ`);
  assert.deepEqual(failures.slice(0, 10), []);
  assert.ok(compared > 0);
});

test('fixture dumps were made by objtool from the committed objects', { skip: !haveObjtool() && 'needs objtool' }, () => {
  for (const n of ['sample-gcc', 'sample-clang', 'sample-gcc-ibt']) {
    const dir = scratchDir('orc-fx');
    try {
      const p = join(dir, `${n}.objtool.o`);
      copyFileSync(join(fixtures, `${n}.objtool.o`), p);
      assert.equal(run(OBJTOOL, ['--dump=orc', p]).stdout, readFileSync(join(fixtures, `${n}.orc`), 'latin1'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
