/**
 * Jump-table recovery against compiler ground truth: fixtures built from sw.c and openend.c by
 * test/fixtures/jumptables/make.sh, whose *.jt.json come from the compiler's assembly
 * (/work/shared/corpus/jumptables.py), not from objflow.
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
import { jumptablesCommand } from '../../src/cli/jumptables.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, '../../../test/fixtures/jumptables');

interface TruthTable { section: string; addr: number; entry_size: number; targets: number[]; target_sections?: string[] }
interface Truth { functions: { name: string; section?: string; tables: TruthTable[] }[] }

async function load(name: string, patch?: (b: Uint8Array, e: ElfFile) => void): Promise<Program> {
  const bytes = new Uint8Array(readFileSync(join(FIX, name)));
  if (patch) patch(bytes, new ElfFile(bytes));
  const elf = new ElfFile(bytes, name);
  const arch = await archFor(elf.machine);
  assert.ok(arch);
  return new Program(elf, arch);
}

/** "section:address" of every truth table, with its targets as "section:address". */
function truthOf(name: string): Map<string, string[]> {
  const t = JSON.parse(readFileSync(join(FIX, name), 'utf8')) as Truth;
  const m = new Map<string, string[]>();
  for (const f of t.functions) {
    for (const tb of f.tables) {
      m.set(`${tb.section}:${tb.addr}:${tb.entry_size}`, tb.targets.map((a, i) => `${tb.target_sections?.[i] ?? f.section}:${a}`));
    }
  }
  return m;
}

function recovered(p: Program): Map<string, string[]> {
  const res = recoverJumpTables(p);
  const elf = p.elf;
  const addr = (sec: number, off: number): number => (elf.type === 1 ? 0 : elf.sections[sec].addr) + off;
  const m = new Map<string, string[]>();
  for (const t of res.tables) {
    m.set(`${elf.sections[t.tableSec].name}:${addr(t.tableSec, t.tableOff)}:${t.entrySize}`,
      t.targets.map((r) => `${elf.sections[p.sec[r]].name}:${addr(p.sec[r], p.off[r])}`));
  }
  return m;
}

const CASES = [
  ['x86-gcc-O2-pic.o', 'PC32 relocations to .text, lea/movslq/add, table base in a callee-saved register across a loop'],
  ['x86-gcc-O0-pic.o', 'unoptimised: index through a frame slot compare, cltq'],
  ['x86-clang-O0-pic.o', 'unoptimised Clang: bound checked with sub on a copy kept in a frame slot'],
  ['x86-gcc-O2-nopic.exe', 'linked non-PIE: absolute 8-byte entries, jmp *T(,%reg,8)'],
  ['a64-gcc-Os-pic.o', 'AArch64 GCC: adrp/add, ldrb/ldrh, adr anchor, sxtb/sxth #2'],
  ['a64-gcc-Os-pic.so', 'AArch64 GCC, linked shared library'],
  ['a64-clang-O2-pic.o', 'AArch64 Clang: 64-bit compare, ldrb, add lsl #2'],
  ['a64-clang-O0-pic.o', 'AArch64 Clang -O0: frame slot, subs, ldrsw, unscaled anchor'],
  // openend.c: no compare bounds the index (an enum in a bitfield, a pointer's tag bits, a byte or halfword
  // loaded from memory, the default unreachable); each table ends where the next one starts
  ['openend-x86-gcc-O2-pic.o', 'bound not in the code, GCC: and-mask, movzbl, movzwl'],
  ['openend-x86-clang-O2-pic.o', 'bound not in the code, Clang: and-mask, tag bits, movzbl, movzwl'],
  ['openend-a64-gcc-O2-pic.o', 'bound not in the code, AArch64 GCC'],
] as const;

for (const [file, what] of CASES) {
  test(`jump tables of ${file} match the compiler's (${what})`, async () => {
    const want = truthOf(`${file}.jt.json`.replace('.o.jt.json', '.jt.json'));
    assert.ok(want.size > 0);
    const got = recovered(await load(file));
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [k, targets] of want) assert.deepEqual(got.get(k), targets, k);
  });
}

// Hand-written dispatch loops (loops-*.s): the table base reaches the dispatch only around back edges
// through the cases (hoisted into a register, carried through a cycle of copies, spilled with a pair
// store, reloaded with a pair load, rematerialised on every path); `ipa_ra` bounds a 64-bit index with
// a 32-bit compare across a call to a local leaf that leaves the register alone. Functions named bad_*
// lose the base on one path (a store over the spill slot, another table's address, on the third path a
// search meets) or compare only the low half of a 64-bit load: by hand, not provable. `unreach_end` has
// Clang's `unreachable` cases (entries at the label past its last instruction, padding after it): the
// table is recovered, with no edge there; `bad_endnext` ends where another function starts, so such an
// entry could be a tail call into it, and `bad_midnext`'s goes into another function past its start:
// neither is proven. `mask_pair` indexes two tables by `and $7` where the compiler's tables hold four
// entries each, back to back and followed by `mask_pair_next`'s: each ends where the next starts (read to the
// mask, the first one's last four entries are the second's and land on instructions of the function);
// `byte_pair` does the same with AArch64 byte tables and `and #0xff`.
const LOOPS = [
  ['loops-x86.o', ['hoisted', 'shuffle', 'twoloops', 'spilled', 'ipa_ra', 'unreach_end', 'sext_index', 'mask_pair', 'mask_pair_next'],
    [['bad_overlap', /base/], ['bad_twobases', /base/], ['bad_upper', /bound/], ['bad_thirdbase', /base/], ['bad_endnext', /outside/],
      ['bad_sext16', /bound/], ['bad_midnext', /outside/]]],
  ['loops-a64.o', ['spill_pair', 'reload_pair', 'remat', 'byte_pair', 'byte_pair_next'], [['bad_qstore', /base/]]],
] as const;

for (const [file, good, bad] of LOOPS) {
  test(`dispatch loops of ${file}: bases kept across back edges are proven, lost ones reported`, async () => {
    const truth = JSON.parse(readFileSync(join(FIX, file.replace('.o', '.jt.json')), 'utf8')) as Truth;
    const p = await load(file);
    const got = recovered(p);
    const key = (t: TruthTable): string => `${t.section}:${t.addr}:${t.entry_size}`;
    const byFunc = new Map(truth.functions.map((f) => [f.name, f]));
    for (const name of good) {
      const f = byFunc.get(name);
      assert.ok(f && f.tables.length > 0, name);
      const sec: string = f.section ?? '';
      for (const t of f.tables) assert.deepEqual(got.get(key(t)), t.targets.map((a: number): string => `${sec}:${a}`), `${name} ${key(t)}`);
    }
    const res = recoverJumpTables(p);
    for (const [name, why] of bad) {
      const f = byFunc.get(name)!;
      for (const t of f.tables) assert.equal(got.get(key(t)), undefined, `${name} ${key(t)} must not be recovered`);
      const fn = p.syms.byNameLookup(name);
      const diag = res.unresolved.filter((u) => p.syms.funcContaining(p.sec[u.jump], p.off[u.jump]) === fn);
      assert.equal(diag.length, 1, name);
      assert.match(diag[0].reason, why);
    }
    // nothing beyond the truth
    assert.equal(got.size, truth.functions.filter((f) => (good as readonly string[]).includes(f.name)).reduce((n, f) => n + f.tables.length, 0));
  });
}

test('a byte index with no compare and no table after it is reported, not read to 255 (AArch64 Clang)', async () => {
  // openend.c's by_byte and by_byte2 under Clang: their byte tables back to back, and nothing after the
  // second that is known to be a table: by_byte ends where by_byte2's starts, by_byte2 stays unproven
  const want = truthOf('openend-a64-clang-O2-pic.jt.json');
  assert.equal(want.size, 2);
  const p = await load('openend-a64-clang-O2-pic.o');
  const got = recovered(p);
  assert.equal(got.size, 1);
  for (const [k, targets] of got) assert.deepEqual(targets, want.get(k), k);
  const res = recoverJumpTables(p);
  const fn = p.syms.byNameLookup('by_byte2');
  const diag = res.unresolved.filter((u) => p.syms.funcContaining(p.sec[u.jump], p.off[u.jump]) === fn);
  assert.equal(diag.length, 1);
  assert.match(diag[0].reason, /bounded only by its type/);
});

test('an unreachable case past the function\'s end is a table entry with no edge', async () => {
  const p = await load('loops-x86.o');
  const fn = p.syms.byNameLookup('unreach_end');
  const t = recoverJumpTables(p).tables.find((x) => p.syms.funcContaining(p.sec[x.jump], p.off[x.jump]) === fn);
  assert.ok(t);
  const end = p.syms.offset[fn] + p.syms.len[fn];
  assert.deepEqual(t.targets.map((r) => p.off[r] === end), [false, true, false, true]);
  assert.equal(t.edges.length, 2);
  assert.ok(t.edges.every((r) => p.syms.funcContaining(p.sec[r], p.off[r]) === fn));
});

test('a table whose bound check is removed is reported, not guessed', async () => {
  // `dense` starts with `cmp $0x8,%edi` (83 ff 08) and `ja rel32` (0f 87 ..): overwrite both with nops
  const p = await load('x86-gcc-O2-pic.o', (b, e) => {
    const text = e.section('.text')!;
    const sym = e.symtab!;
    let at = -1;
    for (let i = 0; i < sym.count; i++) if (sym.name(i) === 'dense') at = text.offset + sym.value[i];
    assert.deepEqual([...b.subarray(at, at + 5)], [0x83, 0xff, 0x08, 0x0f, 0x87]);
    b.fill(0x90, at, at + 9);
  });
  const res = recoverJumpTables(p);
  const dense = p.syms.byNameLookup('dense');
  const inDense = (row: number): boolean => p.syms.funcContaining(p.sec[row], p.off[row]) === dense;
  assert.equal(res.tables.filter((t) => inDense(t.jump)).length, 0);
  const diag = res.unresolved.filter((u) => inDense(u.jump));
  assert.equal(diag.length, 1);
  assert.match(diag[0].reason, /bound/);
  // the other functions keep their tables
  assert.equal(res.tables.length, truthOf('x86-gcc-O2-pic.jt.json').size - 1);
});

test('objflow jumptables --format json prints one line per table', async () => {
  let out = '';
  let err = '';
  const code = await jumptablesCommand(['--format', 'json', join(FIX, 'a64-gcc-Os-pic.so')], {
    out: (s) => { out += s; }, err: (s) => { err += s; },
  });
  assert.equal(code, 0, err);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as {
    func: string; sec: string; jump: number; table: { sec: string; addr: number; entry: number }; targets: number[];
  });
  const truth = JSON.parse(readFileSync(join(FIX, 'a64-gcc-Os-pic.so.jt.json'), 'utf8')) as Truth;
  const want = truth.functions.flatMap((f) => f.tables.map((t) => ({ func: f.name, t })));
  assert.equal(lines.length, want.length);
  for (const { func, t } of want) {
    const l = lines.find((x) => x.table.addr === t.addr);
    assert.ok(l, `table at ${t.addr}`);
    assert.equal(l.func, func);
    assert.equal(l.sec, '.text');
    assert.deepEqual(l.table, { sec: t.section, addr: t.addr, entry: t.entry_size });
    assert.deepEqual(l.targets, t.targets);
    assert.ok(l.jump > l.table.addr - 0x100000 && l.jump < t.targets[0] + 0x10000);
  }
});

test('objflow jumptables finds the tables of a stripped library (functions from its FDEs)', async () => {
  const run = async (name: string): Promise<{ table: unknown; targets: number[]; func: string }[]> => {
    let out = '';
    let err = '';
    const code = await jumptablesCommand(['--format', 'json', join(FIX, name)], { out: (s) => { out += s; }, err: (s) => { err += s; } });
    assert.equal(code, 0, err);
    return out.trim().split('\n').filter((l) => l).map((l) => JSON.parse(l) as { table: unknown; targets: number[]; func: string });
  };
  const full = await run('a64-gcc-Os-pic.so');
  const stripped = await run('a64-gcc-Os-pic.stripped.so');
  const truth = JSON.parse(readFileSync(join(FIX, 'a64-gcc-Os-pic.so.jt.json'), 'utf8')) as Truth;
  const want = truth.functions.flatMap((f) => f.tables.map((t) => ({ table: { sec: t.section, addr: t.addr, entry: t.entry_size }, targets: t.targets })));
  assert.ok(want.length > 0);
  // the same tables and targets as the compiler's assembly names, in the library with and without its symbol table
  for (const got of [full, stripped]) {
    assert.deepEqual(got.map((l) => ({ table: l.table, targets: l.targets })).sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1),
      want.sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  // without .symtab a function is named by .dynsym when exported, else after its FDE
  for (const l of stripped) assert.match(l.func, /^(fde_[0-9a-f]+|[a-z_]+)$/);
});

test('jumptables: usage errors and unreadable files', async () => {
  const io = { out: (): void => {}, err: (): void => {} };
  assert.equal(await jumptablesCommand([], io), 2);
  assert.equal(await jumptablesCommand(['--format', 'xml', 'x'], io), 2);
  assert.equal(await jumptablesCommand(['/nonexistent/file'], io), 2);
});
