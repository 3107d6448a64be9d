/**
 * Jump tables of the arm64 kernel's shapes (objflow issue 3) against compiler ground truth:
 * test/fixtures/arm64-kernel/make-kernel-jt.sh builds kernel-jt.c with GCC and Clang and
 * kernel-jt-a64.s by hand; the *.jt.json come from the compilers' assembly
 * (/work/shared/corpus/jumptables.py), the dispatch offsets below from `aarch64-linux-gnu-objdump -d`.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { archFor } from '../../src/arch/registry.js';
import { recoverJumpTables, type SwitchTableResult } from '../../src/cfg/switch-tables.js';
import { ElfFile } from '../../src/elf/reader.js';
import { Program } from '../../src/program/program.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, '../../../test/fixtures/arm64-kernel');

interface TruthTable { section: string; addr: number; entry_size: number; targets: number[] }
interface Truth { functions: { name: string; tables: TruthTable[] }[] }

async function load(path: string, patch?: (b: Uint8Array, e: ElfFile) => void): Promise<Program> {
  const bytes = new Uint8Array(readFileSync(path));
  if (patch) patch(bytes, new ElfFile(bytes));
  const elf = new ElfFile(bytes, path);
  const arch = await archFor(elf.machine);
  assert.ok(arch);
  return new Program(elf, arch);
}

/** Truth tables by "section:address" (jumptables.py files every table of kernel-jt.c under one function). */
function truthTables(name: string): Map<string, TruthTable> {
  const t = JSON.parse(readFileSync(join(FIX, name), 'utf8')) as Truth;
  return new Map(t.functions.flatMap((f) => f.tables).map((tb) => [`${tb.section}:${tb.addr}`, tb]));
}

interface Got { table: string; entry: number; targets: number[] }

/** Recovered tables by "function+offset" of the dispatch; reasons of the unproven ones likewise. */
function byDispatch(p: Program, res: SwitchTableResult): { tables: Map<string, Got>; reasons: Map<string, string> } {
  const at = (row: number): string => {
    const pl = p.placeOf(row);
    return `${pl.sym}+0x${pl.symOff.toString(16)}`;
  };
  const tables = new Map<string, Got>();
  for (const t of res.tables) {
    tables.set(at(t.jump), { table: `${p.elf.sections[t.tableSec].name}:${t.tableOff}`, entry: t.entrySize, targets: t.targets.map((r) => p.off[r]) });
  }
  return { tables, reasons: new Map(res.unresolved.map((u) => [at(u.jump), u.reason])) };
}

// `br` offsets (objdump) of each function, relative to the function
const C_DISPATCHES = {
  'kernel-jt-gcc': { interp: [0x28, 0x70, 0x98, 0xb0, 0xd4, 0xf8, 0x11c, 0x134], short_table: [0x1c, 0x34, 0x48, 0x5c], request: [0x44] },
  'kernel-jt-clang': { interp: [0x28, 0x4c, 0x70, 0x94, 0xac, 0xdc, 0xf8], short_table: [0x14, 0x28, 0x3c, 0x50], request: [0x30] },
} as const;

for (const [name, d] of Object.entries(C_DISPATCHES)) {
  test(`${name}.o: computed goto over a u8 opcode bounded by its 256-entry table object; a rebased long switch`, async () => {
    const truth = truthTables(`${name}.jt.json`);
    const byCount = (n: number): [string, TruthTable] => {
      const all = [...truth].filter(([, t]) => t.targets.length === n);
      assert.equal(all.length, 1, `one truth table of ${n} entries`);
      return all[0];
    };
    const [gotoKey, gotoTable] = byCount(256);
    const [switchKey, switchTable] = byCount(18);
    const [shortKey] = byCount(16);
    const p = await load(join(FIX, `${name}.o`));
    const { tables, reasons } = byDispatch(p, recoverJumpTables(p));
    for (const off of d.interp) {
      assert.deepEqual(tables.get(`interp+0x${off.toString(16)}`), { table: gotoKey, entry: 8, targets: gotoTable.targets }, `interp+0x${off.toString(16)}`);
    }
    assert.deepEqual(tables.get(`request+0x${d.request[0].toString(16)}`), { table: switchKey, entry: 2, targets: switchTable.targets });
    // a 16-entry table under a 0..255 index: every dispatch reported, none guessed
    for (const off of d.short_table) {
      const at = `short_table+0x${off.toString(16)}`;
      assert.equal(tables.get(at), undefined, at);
      assert.match(reasons.get(at) ?? '', /bounded only by its type \(0\.\.255\)/, at);
    }
    assert.ok(![...tables.values()].some((t) => t.table === shortKey));
    assert.equal(tables.size, d.interp.length + 1, 'nothing beyond the truth');
  });
}

test('kernel-jt-gcc.o: a table object whose size does not match the index type is not read by the type bound', async () => {
  // shrink the 256-entry table object's st_size (2048) by one entry
  const p = await load(join(FIX, 'kernel-jt-gcc.o'), (b, e) => {
    const st = e.symtab!;
    const symSec = e.sections[st.section];
    let hit = 0;
    for (let i = 0; i < st.count; i++) {
      if (st.size[i] !== 2048) continue;
      new DataView(b.buffer, b.byteOffset).setBigUint64(symSec.offset + 24 * i + 16, 2040n, true);
      hit++;
    }
    assert.equal(hit, 1);
  });
  const { tables, reasons } = byDispatch(p, recoverJumpTables(p));
  for (const off of C_DISPATCHES['kernel-jt-gcc'].interp) {
    const at = `interp+0x${off.toString(16)}`;
    assert.equal(tables.get(at), undefined, at);
    assert.match(reasons.get(at) ?? '', /bounded only by its type/, at);
  }
  assert.ok(tables.has('request+0x44'));
});

test('kernel-jt-asm.o: an index kept in a frame slot beside narrower stores; a 32-bit pair load compared as 32 bits', async () => {
  const truth = JSON.parse(readFileSync(join(FIX, 'kernel-jt-asm.jt.json'), 'utf8')) as Truth;
  const want = new Map(truth.functions.map((f) => [f.name, f.tables[0]]));
  const p = await load(join(FIX, 'kernel-jt-asm.o'));
  const { tables, reasons } = byDispatch(p, recoverJumpTables(p));
  // slot_beside: `str wzr, [sp, #28]` and `strb wzr, [sp, #40]` leave the slot at sp+32 alone (Clang do_madvise)
  // pair_index: `ldp w9, w10` zero-extends, so `cmp w9, #3` bounds x9 (Clang cgroup_bpf_prog_query)
  for (const [fn, off] of [['slot_beside', 0x3c], ['pair_index', 0x20]] as const) {
    const t = want.get(fn)!;
    assert.deepEqual(tables.get(`${fn}+0x${off.toString(16)}`), { table: `${t.section}:${t.addr}`, entry: t.entry_size, targets: t.targets }, fn);
  }
  // `strh wzr, [sp, #38]` overwrites part of the slot; `ldpsw` sign-extends: by hand, not provable
  for (const [fn, off] of [['bad_slot_overlap', 0x38], ['bad_pair_signed', 0x20]] as const) {
    const at = `${fn}+0x${off.toString(16)}`;
    assert.equal(tables.get(at), undefined, at);
    assert.match(reasons.get(at) ?? '', /bound/, at);
  }
  assert.equal(tables.size, 2);
});

test('every dynamic jump is listed once: as a table or as unproven, never both or twice', async () => {
  const dirs = [FIX, join(FIX, '../jumptables')];
  let files = 0;
  for (const dir of dirs) {
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.o') && !f.endsWith('.so')) continue;
      const p = await load(join(dir, f));
      const res = recoverJumpTables(p);
      const jumps = [...res.tables.map((t) => t.jump), ...res.unresolved.map((u) => u.jump)];
      assert.equal(new Set(jumps).size, jumps.length, f);
      files++;
    }
  }
  assert.ok(files >= 6);
});
