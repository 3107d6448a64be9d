/**
 * `check` and `unwind` on linked programs as distributions ship them (test/fixtures/check/make.sh:
 * GCC 12 and glibc 2.36, x86-64 and AArch64, stripped and not). Before, every stripped executable
 * got ~60 "unreachable instruction" warnings for its start-up code (`.init`, `.fini`, crtstuff's
 * functions: no symbol, no FDE), a C++ one thousands more for its exception landing pads, and
 * `_start` "fell through" into the next function (x86-64: `hlt` after `call *__libc_start_main@GOTPCREL`;
 * AArch64: `bl abort` after `bl __libc_start_main`, and `_init` cut short at crtn.o's `$x` symbol).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { analyzeFile, userspaceOptions } from '../../src/cli/analyze.js';
import { openElf } from '../../src/cli/io.js';
import { readCfi } from '../../src/dwarf/cfi.js';
import { InsnFlag, InsnKind } from '../../src/arch/arch.js';
import { SHT_FINI_ARRAY, SHT_INIT_ARRAY } from '../../src/elf/constants.js';
import { B } from '../../src/program/program.js';
import { isTrapLoopJump } from '../../src/checks/reachable.js';
import type { Program } from '../../src/program/program.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/check/', import.meta.url));
const FILES = ['startup-x86-64', 'startup-x86-64-stripped', 'throw-x86-64-stripped',
  'startup-aarch64', 'startup-aarch64-stripped', 'throw-aarch64-stripped'];

for (const name of FILES) {
  test(`check ${name}: no warnings on a correct program`, async () => {
    const r = await analyzeFile(`${dir}${name}`, userspaceOptions());
    assert.equal(r.stopped, false);
    assert.deepEqual(r.ctx.diag.list.map((d) => d.text), []);
  });

  test(`analysis of ${name}: every instruction an FDE covers is reached (landing pads too)`, async () => {
    const file = `${dir}${name}`;
    const r = await analyzeFile(file, { ...userspaceOptions(), noUnreachable: true });
    const p = r.ctx.prog;
    const cfi = readCfi(openElf(file), 'eh_frame');
    assert.ok(cfi && cfi.fdes.length > 0);
    let rows = 0;
    for (const fde of cfi.fdes) {
      for (let i = p.findAddr(fde.pcBegin); i >= 0 && p.addrOf(i) < fde.pcBegin + fde.pcRange; i = p.next(i)) {
        if (isPadding(p, i)) continue;
        rows++;
        assert.ok(p.cfi[i] >= 0, `${name}: 0x${p.addrOf(i).toString(16)} (FDE at 0x${fde.pcBegin.toString(16)}) not reached`);
      }
    }
    assert.ok(rows > 20, `${rows} rows`);
  });
}

test('analysis of a stripped executable walks its start-up code from the ELF entry, .init/.fini and the init/fini arrays', async () => {
  for (const name of ['startup-x86-64-stripped', 'startup-aarch64-stripped']) {
    const file = `${dir}${name}`;
    const elf = openElf(file);
    const r = await analyzeFile(file, { ...userspaceOptions(), noUnreachable: true });
    const p = r.ctx.prog;
    const places = [elf.entry];
    for (const s of elf.sections) {
      if (s.name === '.init' || s.name === '.fini') places.push(s.addr);
      // frame_dummy and our constructor, __do_global_dtors_aux and our destructor
      if (s.type === SHT_INIT_ARRAY || s.type === SHT_FINI_ARRAY) for (let o = 0; o < s.size; o += 8) places.push(elf.u64(s.offset + o));
    }
    assert.ok(places.length >= 7, `${name}: ${places.length} places`);
    for (const a of places) {
      const i = p.findAddr(a);
      assert.ok(i >= 0 && p.cfi[i] >= 0, `${name}: 0x${a.toString(16)} reached`);
    }
    // and nothing in the executable sections is left unreached but padding
    for (let i = 0; i < p.count; i++) {
      if (!isPadding(p, i)) assert.ok(p.cfi[i] >= 0, `${name}: 0x${p.addrOf(i).toString(16)} not reached`);
    }
  }
});

function isPadding(p: Program, i: number): boolean {
  const k = p.kind[i];
  if (k === InsnKind.Nop || k === InsnKind.Trap || k === InsnKind.Invalid || (p.flags[i] & InsnFlag.Padding)) return true;
  if (isTrapLoopJump(p, i)) return true;
  // a guard call after a call that never returns (`bl abort`)
  const prev = p.prev(i);
  return prev >= 0 && k === InsnKind.Call && (p.bits[i] & B.DeadEnd) !== 0 && (p.bits[prev] & B.DeadEnd) !== 0;
}
