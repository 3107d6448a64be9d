/**
 * CFA-program evaluation: every DW_CFA op, row boundaries, seek, the remember/restore stack and
 * its limit, and malformed programs. Expected rows are derived by hand from DWARF 5 §6.4.2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfFile } from '../../src/elf/reader.js';
import { FormatError } from '../../src/elf/errors.js';
import { EM_AARCH64, EM_X86_64 } from '../../src/elf/constants.js';
import { readCfi, type Fde } from '../../src/dwarf/cfi.js';
import { DW_CFA, DW_EH_PE } from '../../src/dwarf/constants.js';
import { CfaEvaluator, CfaKind, MAX_COLUMNS, MAX_STATE_DEPTH, RuleKind } from '../../src/dwarf/eval.js';
import { dwarfRegName, formatCfa, formatOracleRules, formatRule } from '../../src/dwarf/format.js';
import { bytes, elf64, type Bytes } from './bytes.js';

const PC = 0x1000;

interface Program {
  cie?: (b: Bytes) => void;
  fde: (b: Bytes) => void;
  range?: number;
  codeAlign?: number;
  dataAlign?: number;
  ra?: number;
  machine?: number;
}

/** One CIE ("zR", udata4 FDE pointers) and one FDE at PC, as an evaluator positioned with begin(). */
function evaluator(p: Program): CfaEvaluator {
  const machine = p.machine ?? EM_X86_64;
  const b = bytes();
  b.entry((c) => {
    c.u32(0).u8(1).str('zR').uleb(p.codeAlign ?? 1).sleb(p.dataAlign ?? -8).u8(p.ra ?? (machine === EM_X86_64 ? 16 : 30)).uleb(1).u8(DW_EH_PE.udata4);
    if (p.cie) p.cie(c);
    else c.u8(DW_CFA.def_cfa).uleb(machine === EM_X86_64 ? 7 : 31).uleb(machine === EM_X86_64 ? 8 : 0);
  });
  const fdeOff = b.length;
  b.entry((f) => {
    f.u32(fdeOff + 4).u32(PC).u32(p.range ?? 0x100).uleb(0);
    p.fde(f);
  });
  const elf = new ElfFile(elf64({ machine, sections: [{ name: '.eh_frame', addr: 0x9000, data: b.bytes() }] }));
  const cfi = readCfi(elf, 'eh_frame', { strict: true });
  assert.ok(cfi);
  const ev = new CfaEvaluator(cfi);
  ev.begin(cfi.fdes[0]);
  return ev;
}

/** All rows as "start-end cfa | col=rule ..." for the given columns (oracle spelling). */
function rows(ev: CfaEvaluator, cols: number[]): string[] {
  const m = ev.cfi.machine;
  const out: string[] = [];
  while (ev.next()) {
    const rules = cols.map((c) => `${dwarfRegName(m, c)}=${formatRule(ev, m, c)}`).join(' ');
    out.push(`${(ev.rowStart - PC).toString(16)}-${(ev.rowEnd - PC).toString(16)} ${formatCfa(ev, m)}${rules ? ' ' + rules : ''}${ev.raSigned ? ' pac' : ''}`);
  }
  return out;
}

test('advance_loc family: rows split at each location, scaled by the code alignment factor', () => {
  const ev = evaluator({
    codeAlign: 4,
    range: 0x10000,
    fde: (f) => f
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.def_cfa_offset).uleb(16)
      .u8(DW_CFA.advance_loc1, 2).u8(DW_CFA.def_cfa_offset).uleb(24)
      .u8(DW_CFA.advance_loc2).u16(0x100).u8(DW_CFA.def_cfa_offset).uleb(32)
      .u8(DW_CFA.advance_loc4).u32(0x200).u8(DW_CFA.def_cfa_offset).uleb(40)
      .u8(DW_CFA.MIPS_advance_loc8).u64(1).u8(DW_CFA.def_cfa_offset).uleb(48),
  });
  assert.deepEqual(rows(ev, []), [
    '0-4 rsp+8',
    '4-c rsp+16',
    'c-40c rsp+24',
    '40c-c0c rsp+32',
    'c0c-c10 rsp+40',
    'c10-10000 rsp+48',
  ]);
});

test('advances to the same location merge: the row shows the state after both', () => {
  const ev = evaluator({
    fde: (f) => f.u8(DW_CFA.advance_loc | 2).u8(DW_CFA.def_cfa_offset).uleb(16).u8(DW_CFA.advance_loc | 0).u8(DW_CFA.def_cfa_offset).uleb(24).u8(DW_CFA.nop, DW_CFA.nop),
    range: 8,
  });
  assert.deepEqual(rows(ev, []), ['0-2 rsp+8', '2-8 rsp+24']);
});

test('offset rules: offset, offset_extended, _sf, GNU_negative_offset_extended, val_offset, val_offset_sf', () => {
  const ev = evaluator({
    fde: (f) => f
      .u8(DW_CFA.offset | 6).uleb(2) // rbp at cfa-16
      .u8(DW_CFA.offset_extended).uleb(3).uleb(3) // rbx at cfa-24
      .u8(DW_CFA.offset_extended_sf).uleb(12).sleb(-4) // r12 at cfa+32
      .u8(DW_CFA.GNU_negative_offset_extended).uleb(13).uleb(5) // r13 at cfa+40
      .u8(DW_CFA.val_offset).uleb(14).uleb(1) // r14 = cfa-8
      .u8(DW_CFA.val_offset_sf).uleb(15).sleb(-2), // r15 = cfa+16
  });
  assert.equal(ev.next(), true);
  assert.equal(formatRule(ev, EM_X86_64, 6), 'cfa-16');
  assert.equal(formatRule(ev, EM_X86_64, 3), 'cfa-24');
  assert.equal(formatRule(ev, EM_X86_64, 12), 'cfa+32');
  assert.equal(formatRule(ev, EM_X86_64, 13), 'cfa+40');
  assert.equal(formatRule(ev, EM_X86_64, 14), 'val:cfa-8');
  assert.equal(ev.rule(15), RuleKind.ValOffset);
  assert.equal(ev.value[15], 16);
  assert.equal(ev.rule(16), RuleKind.Unspecified); // the default CIE here says nothing about rip
  assert.equal(ev.next(), false);
});

test('register, undefined, same_value, expression, val_expression rules', () => {
  const ev = evaluator({
    fde: (f) => f
      .u8(DW_CFA.register).uleb(3).uleb(9)
      .u8(DW_CFA.undefined).uleb(16)
      .u8(DW_CFA.same_value).uleb(6)
      .u8(DW_CFA.expression).uleb(12).uleb(2).u8(0x77, 0x08)
      .u8(DW_CFA.val_expression).uleb(13).uleb(3).u8(0x77, 0x10, 0x06),
  });
  ev.next();
  const m = EM_X86_64;
  assert.equal(formatRule(ev, m, 3), 'reg:r9');
  assert.equal(formatRule(ev, m, 16), 'undef');
  assert.equal(formatRule(ev, m, 6), 'same');
  assert.equal(ev.rule(6), RuleKind.SameValue);
  assert.equal(formatRule(ev, m, 12), 'expr');
  assert.equal(formatRule(ev, m, 13), 'vexpr');
  // the expression bytes are where the rule says
  const data = ev.cfi.data;
  assert.deepEqual([...data.subarray(ev.value[12], ev.value[12] + ev.aux[12])], [0x77, 0x08]);
  assert.deepEqual([...data.subarray(ev.value[13], ev.value[13] + ev.aux[13])], [0x77, 0x10, 0x06]);
});

test('CFA rules: def_cfa, def_cfa_sf, def_cfa_register, def_cfa_offset, def_cfa_offset_sf, def_cfa_expression', () => {
  const ev = evaluator({
    range: 8,
    fde: (f) => f
      .u8(DW_CFA.def_cfa).uleb(6).uleb(16).u8(DW_CFA.advance_loc | 1)
      .u8(DW_CFA.def_cfa_sf).uleb(7).sleb(-3).u8(DW_CFA.advance_loc | 1) // rsp + 24
      .u8(DW_CFA.def_cfa_register).uleb(3).u8(DW_CFA.advance_loc | 1) // rbx + 24
      .u8(DW_CFA.def_cfa_offset).uleb(40).u8(DW_CFA.advance_loc | 1)
      .u8(DW_CFA.def_cfa_offset_sf).sleb(-7).u8(DW_CFA.advance_loc | 1) // 56
      .u8(DW_CFA.def_cfa_expression).uleb(2).u8(0x77, 0x20).u8(DW_CFA.advance_loc | 1)
      .u8(DW_CFA.def_cfa_offset).uleb(99).u8(DW_CFA.advance_loc | 1) // no effect on an expression
      .u8(DW_CFA.def_cfa_register).uleb(7), // back to a register: offset restarts at 0
  });
  assert.deepEqual(rows(ev, []), [
    '0-1 rbp+16', '1-2 rsp+24', '2-3 rbx+24', '3-4 rbx+40', '4-5 rbx+56', '5-6 expr', '6-7 expr', '7-8 rsp+0',
  ]);
});

test('CFA expression location is kept', () => {
  const ev = evaluator({ fde: (f) => f.u8(DW_CFA.def_cfa_expression).uleb(3).u8(0x77, 0x08, 0x06) });
  ev.next();
  assert.equal(ev.cfaKind, CfaKind.Expression);
  assert.deepEqual([...ev.cfi.data.subarray(ev.cfaExprStart, ev.cfaExprStart + ev.cfaExprLen)], [0x77, 0x08, 0x06]);
});

test('restore and restore_extended return to the CIE rule, or to no rule', () => {
  const ev = evaluator({
    range: 3,
    cie: (c) => c.u8(DW_CFA.def_cfa).uleb(7).uleb(8).u8(DW_CFA.offset | 16).uleb(1),
    fde: (f) => f
      .u8(DW_CFA.offset | 6).uleb(2).u8(DW_CFA.offset | 16).uleb(3).u8(DW_CFA.offset_extended).uleb(40).uleb(4)
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.restore | 6).u8(DW_CFA.restore | 16)
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.restore_extended).uleb(40),
  });
  assert.deepEqual(rows(ev, [6, 16, 40]), [
    '0-1 rsp+8 rbp=cfa-16 rip=cfa-24 r40=cfa-32',
    '1-2 rsp+8 rbp=same rip=cfa-8 r40=cfa-32',
    '2-3 rsp+8 rbp=same rip=cfa-8 r40=same',
  ]);
});

test('remember_state / restore_state bring back registers and the CFA (nested)', () => {
  const ev = evaluator({
    range: 5,
    fde: (f) => f
      .u8(DW_CFA.def_cfa_offset).uleb(16).u8(DW_CFA.offset | 6).uleb(2)
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.remember_state)
      .u8(DW_CFA.def_cfa).uleb(7).uleb(8).u8(DW_CFA.restore | 6)
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.remember_state).u8(DW_CFA.offset_extended).uleb(100).uleb(1).u8(DW_CFA.def_cfa_offset).uleb(64)
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.restore_state)
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.restore_state),
  });
  assert.deepEqual(rows(ev, [6, 100]), [
    '0-1 rsp+16 rbp=cfa-16 r100=same',
    '1-2 rsp+8 rbp=same r100=same',
    '2-3 rsp+64 rbp=same r100=cfa-8',
    '3-4 rsp+8 rbp=same r100=same',
    '4-5 rsp+16 rbp=cfa-16 r100=same',
  ]);
});

test('remember_state deeper than the limit is a named FormatError; restore_state on an empty stack too', () => {
  const deep = evaluator({ fde: (f) => f.pad(MAX_STATE_DEPTH + 1, DW_CFA.remember_state) });
  assert.throws(() => deep.next(), (e: unknown) => e instanceof FormatError && /remember_state nested deeper than 64/.test(e.message));
  const ok = evaluator({ fde: (f) => f.pad(MAX_STATE_DEPTH, DW_CFA.remember_state).pad(MAX_STATE_DEPTH, DW_CFA.restore_state) });
  assert.equal(ok.next(), true);
  const empty = evaluator({ fde: (f) => f.u8(DW_CFA.restore_state) });
  assert.throws(() => empty.next(), (e: unknown) => e instanceof FormatError && /restore_state without a remembered state/.test(e.message));
});

test('GNU_args_size is tracked; nop does nothing', () => {
  const ev = evaluator({ range: 2, fde: (f) => f.u8(DW_CFA.GNU_args_size).uleb(32).u8(DW_CFA.nop).u8(DW_CFA.advance_loc | 1).u8(DW_CFA.GNU_args_size).uleb(0) });
  ev.next();
  assert.equal(ev.argsSize, 32);
  ev.next();
  assert.equal(ev.argsSize, 0);
});

test('AArch64: negate_ra_state toggles the signed state; remembered and restored; ignored on x86-64', () => {
  const a64 = evaluator({
    machine: EM_AARCH64,
    codeAlign: 4,
    dataAlign: -8,
    range: 20,
    fde: (f) => f
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.AARCH64_negate_ra_state)
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.def_cfa_offset).uleb(16).u8(DW_CFA.offset | 29).uleb(2).u8(DW_CFA.offset | 30).uleb(1)
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.remember_state).u8(DW_CFA.AARCH64_negate_ra_state).u8(DW_CFA.def_cfa_offset).uleb(0)
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.restore_state),
  });
  assert.deepEqual(rows(a64, [29, 30]), [
    '0-4 sp+0 x29=same x30=same',
    '4-8 sp+0 x29=same x30=same pac',
    '8-c sp+16 x29=cfa-16 x30=cfa-8 pac',
    'c-10 sp+0 x29=cfa-16 x30=cfa-8',
    '10-14 sp+16 x29=cfa-16 x30=cfa-8 pac',
  ]);
  a64.seek(PC + 8);
  assert.deepEqual(formatOracleRules(a64, EM_AARCH64), { cfa: 'sp+16', ra: 'cfa-8', fp: 'cfa-16', pac: 1 });
  const x86 = evaluator({ fde: (f) => f.u8(DW_CFA.AARCH64_negate_ra_state) });
  x86.next();
  assert.equal(x86.raSigned, 0);
});

test('set_loc moves to an absolute location (FDE encoding); backwards is an error', () => {
  const ev = evaluator({ range: 0x20, fde: (f) => f.u8(DW_CFA.set_loc).u32(PC + 0x10).u8(DW_CFA.def_cfa_offset).uleb(16) });
  assert.deepEqual(rows(ev, []), ['0-10 rsp+8', '10-20 rsp+16']);
  const back = evaluator({ fde: (f) => f.u8(DW_CFA.advance_loc | 8).u8(DW_CFA.set_loc).u32(PC + 4) });
  back.next();
  assert.throws(() => back.next(), (e: unknown) => e instanceof FormatError && /set_loc moves backwards/.test(e.message));
});

test('seek: the row in effect at any address, forwards and backwards; outside the FDE is false', () => {
  const ev = evaluator({
    range: 0x30,
    fde: (f) => f.u8(DW_CFA.advance_loc | 0x10).u8(DW_CFA.def_cfa_offset).uleb(16).u8(DW_CFA.advance_loc | 0x10).u8(DW_CFA.def_cfa_offset).uleb(8),
  });
  const at = (a: number): string | undefined => (ev.seek(PC + a) ? formatCfa(ev, EM_X86_64) : undefined);
  assert.equal(at(0x15), 'rsp+16');
  assert.equal(at(0x2f), 'rsp+8');
  assert.equal(at(0x0), 'rsp+8');
  assert.equal(at(0x10), 'rsp+16');
  assert.equal(at(0x1f), 'rsp+16');
  assert.equal(at(0x20), 'rsp+8');
  assert.equal(at(0x30), undefined);
  assert.equal(at(-1), undefined);
  assert.equal(ev.rowStart, PC + 0x20); // failed seeks leave the position alone
});

test('the CIE program runs first; its advances are ignored; rules past the last advance cover to the FDE end', () => {
  const ev = evaluator({
    range: 6,
    cie: (c) => c.u8(DW_CFA.def_cfa).uleb(7).uleb(8).u8(DW_CFA.advance_loc | 3).u8(DW_CFA.offset | 16).uleb(1),
    fde: (f) => f.u8(DW_CFA.advance_loc | 2).u8(DW_CFA.def_cfa_offset).uleb(16),
  });
  assert.deepEqual(rows(ev, [16]), ['0-2 rsp+8 rip=cfa-8', '2-6 rsp+16 rip=cfa-8']);
});

test('oracle spelling: return-address column from the CIE, frame pointer, undefined CFA reads sp+0', () => {
  const ev = evaluator({ ra: 16, cie: () => undefined, fde: (f) => f.u8(DW_CFA.val_offset).uleb(6).uleb(0).u8(DW_CFA.register).uleb(16).uleb(9) });
  ev.next();
  assert.deepEqual(formatOracleRules(ev, EM_X86_64), { cfa: 'rsp+0', ra: 'reg:r9', fp: 'val:cfa+0' });
  assert.equal(dwarfRegName(EM_X86_64, 4), 'rsi');
  assert.equal(dwarfRegName(EM_AARCH64, 31), 'sp');
  assert.equal(dwarfRegName(EM_AARCH64, 70), 'v6');
});

test('malformed programs: unknown opcode, truncated operands, expression past the end, huge column', () => {
  const cases: [string, (f: Bytes) => void, RegExp][] = [
    ['unknown', (f) => f.u8(0x3f), /unknown DW_CFA opcode 0x3f/],
    ['truncated uleb', (f) => f.u8(DW_CFA.def_cfa).uleb(7).u8(0x80), /truncated LEB128/],
    ['truncated advance_loc4', (f) => f.u8(DW_CFA.advance_loc4).u8(1, 2), /truncated/],
    ['expression too long', (f) => f.u8(DW_CFA.expression).uleb(3).uleb(50).u8(1), /expression of 50 bytes runs past/],
    ['cfa expression too long', (f) => f.u8(DW_CFA.def_cfa_expression).uleb(1000), /expression of 1000 bytes/],
    ['huge column', (f) => f.u8(DW_CFA.offset_extended).uleb(1e9).uleb(1), new RegExp(`column 1000000000 is beyond the ${MAX_COLUMNS}`)],
    ['huge restore column', (f) => f.u8(DW_CFA.restore_extended).uleb(2 ** 40), /beyond the/],
  ];
  for (const [name, prog, re] of cases) {
    const ev = evaluator({ fde: prog });
    assert.throws(() => { while (ev.next()); }, (e: unknown) => e instanceof FormatError && re.test(e.message), name);
  }
});

test('a huge advance is a row, not a loop; random programs end quickly with rows or FormatError', () => {
  const ev = evaluator({ range: 4, fde: (f) => f.u8(DW_CFA.advance_loc4).u32(0xffffffff).u8(DW_CFA.def_cfa_offset).uleb(16) });
  assert.deepEqual(rows(ev, []), ['0-ffffffff rsp+8', 'ffffffff-ffffffff rsp+16']);
  let seed = 99;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 8;
  };
  const start = Date.now();
  for (let i = 0; i < 300; i++) {
    const prog = Array.from({ length: 1 + (rnd() % 60) }, () => rnd() & 0xff);
    const e = evaluator({ fde: (f) => f.raw(prog) });
    try {
      let n = 0;
      while (e.next()) n++;
      assert.ok(n <= prog.length + 1);
      for (let a = PC; a < PC + 0x100; a += 7) e.seek(a);
    } catch (err) {
      assert.ok(err instanceof FormatError, String(err));
    }
  }
  assert.ok(Date.now() - start < 5000);
});

test('a long CIE program shared by many FDEs runs once (no quadratic time); a bad CIE program fails every begin', () => {
  const b = bytes();
  b.entry((c) => c.u32(0).u8(1).str('zR').uleb(1).sleb(-8).u8(16).uleb(1).u8(DW_EH_PE.udata4)
    .pad(200000, DW_CFA.nop).u8(DW_CFA.def_cfa).uleb(7).uleb(8));
  for (let i = 0; i < 20000; i++) {
    const off = b.length;
    b.entry((f) => f.u32(off + 4).u32(PC + i * 16).u32(16).uleb(0).u8(DW_CFA.advance_loc | 1).u8(DW_CFA.def_cfa_offset).uleb(16));
  }
  const elf = new ElfFile(elf64({ sections: [{ name: '.eh_frame', data: b.bytes() }] }));
  const cfi = readCfi(elf, 'eh_frame', { strict: true });
  assert.ok(cfi);
  const ev = new CfaEvaluator(cfi);
  const start = Date.now();
  let rowCount = 0;
  for (const fde of cfi.fdes) {
    ev.begin(fde);
    while (ev.next()) rowCount++;
  }
  assert.equal(rowCount, 40000);
  assert.ok(Date.now() - start < 3000, `${Date.now() - start} ms`);

  const bad = evaluatorWithCie((c) => c.u8(0x3e));
  assert.throws(() => bad.ev.begin(bad.fde), /unknown DW_CFA opcode 0x3e/);
  assert.throws(() => bad.ev.begin(bad.fde), /unknown DW_CFA opcode 0x3e/);
  assert.equal(bad.ev.next(), false);
});

function evaluatorWithCie(cie: (c: Bytes) => void): { ev: CfaEvaluator; fde: Fde } {
  const b = bytes();
  b.entry((c) => {
    c.u32(0).u8(1).str('zR').uleb(1).sleb(-8).u8(16).uleb(1).u8(DW_EH_PE.udata4);
    cie(c);
  });
  b.entry((f) => f.u32(b.length + 4).u32(PC).u32(4).uleb(0));
  const elf = new ElfFile(elf64({ sections: [{ name: '.eh_frame', data: b.bytes() }] }));
  const cfi = readCfi(elf, 'eh_frame', { strict: true });
  assert.ok(cfi);
  return { ev: new CfaEvaluator(cfi), fde: cfi.fdes[0] };
}
