/**
 * Jump-table shapes first met in the code bases beyond SQLite (corpus/extra-codebases.sh), as small
 * hand-written fixtures (test/fixtures/jumptables-codebases/make.sh; truth from the assembly by
 * /work/shared/corpus/jumptables.py, not from objflow):
 * - noreturn-*: a dispatch loop whose table base register is reused on a path that ends in exit() or
 *   abort() right before code a case reaches (dtc's getopt loop, GCC -O2): the call ends that path, in
 *   objects (named by the relocation) and shared libraries (through the PLT stub `exit@plt`); a call of
 *   an unknown function does not;
 * - masks-a64: Clang AArch64's 16-bit index masked once for the bound check and once for the load
 *   (tree-sitter's ts_lex): the guard on the other register bounds the table; a guard on fewer bits
 *   does not;
 * - fallin-a64: a call that never returns right before the table load, the bound check jumping over it
 *   (dtc's util_usage, flex's yy_fatal_error; GCC AArch64): an external callee (its return value would
 *   index the table unchecked) or a local one with no way back ends the path; a local callee that
 *   returns, or an index kept in a callee-saved register across the call, does not.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { archFor } from '../../src/arch/registry.js';
import { recoverJumpTables } from '../../src/cfg/switch-tables.js';
import { ElfFile } from '../../src/elf/reader.js';
import { Program } from '../../src/program/program.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, '../../../test/fixtures/jumptables-codebases');

interface TruthTable { section: string; addr: number; entry_size: number; targets: number[] }
interface Truth { functions: { name: string; section?: string; tables: TruthTable[] }[] }

const CASES: [string, string[], [string, RegExp][]][] = [
  ['noreturn-x86.o', ['after_exit', 'after_abort'], [['bad_after_finish', /base/]]],
  ['noreturn-x86.so', ['after_exit', 'after_abort'], [['bad_after_finish', /base/]]],
  ['noreturn-a64.o', ['after_exit', 'after_abort'], [['bad_after_finish', /base/]]],
  ['noreturn-a64.so', ['after_exit', 'after_abort'], [['bad_after_finish', /base/]]],
  ['masks-a64.o', ['masked16'], [['bad_masked8', /table|entry/]]],
  ['fallin-a64.o', ['after_usage', 'after_fatal'], [['bad_after_helper', /bound/], ['bad_kept', /bound/]]],
];

for (const [file, good, bad] of CASES) {
  test(`${file}: ${good.join(', ')} recovered exactly; ${bad.map(([n]) => n).join(', ')} reported, not guessed`, async () => {
    const elf = new ElfFile(new Uint8Array(readFileSync(join(FIX, file))), file);
    const arch = await archFor(elf.machine);
    assert.ok(arch);
    // userspace symbols (PLT stubs named NAME@plt), as `objflow check` builds them
    const p = new Program(elf, arch, false, true);
    const res = recoverJumpTables(p);
    const addr = (sec: number, off: number): number => (elf.type === 1 ? 0 : elf.sections[sec].addr) + off;
    const got = new Map(res.tables.map((t) => [
      `${elf.sections[t.tableSec].name}:${addr(t.tableSec, t.tableOff)}:${t.entrySize}`,
      t.targets.map((r) => `${elf.sections[p.sec[r]].name}:${addr(p.sec[r], p.off[r])}`),
    ]));
    const truth = JSON.parse(readFileSync(join(FIX, file.replace(/\.o$/, '') + '.jt.json'), 'utf8')) as Truth;
    let want = 0;
    for (const f of truth.functions) {
      for (const t of f.tables) {
        const key = `${t.section}:${t.addr}:${t.entry_size}`;
        if (good.includes(f.name)) {
          want++;
          assert.deepEqual(got.get(key), t.targets.map((a) => `${f.section}:${a}`), `${f.name} ${key}`);
        } else {
          assert.equal(got.get(key), undefined, `${f.name} ${key} must not be recovered`);
        }
      }
    }
    assert.equal(want, good.length);
    assert.equal(got.size, want);
    for (const [name, why] of bad) {
      const fn = p.syms.byNameLookup(name);
      const diag = res.unresolved.filter((u) => p.syms.funcContaining(p.sec[u.jump], p.off[u.jump]) === fn);
      assert.equal(diag.length, 1, name);
      assert.match(diag[0].reason, why, name);
    }
  });
}
