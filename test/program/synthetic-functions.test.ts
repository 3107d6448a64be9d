/**
 * The userspace symbol set of stripped shared libraries (test/fixtures/userspace-symbols/make.sh):
 * PLT stubs named by the GOT slot they jump through, IFUNC dynamic symbols as functions, and no
 * function entry at `.cold` parts' FDEs. Expected values are objdump's and readelf's (quoted in the
 * comments), not objflow's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InsnKind } from '../../src/arch/arch.js';
import { archFor } from '../../src/arch/registry.js';
import { userspaceOptions } from '../../src/cli/analyze.js';
import { openElf } from '../../src/cli/io.js';
import { runChecks } from '../../src/pipeline.js';
import { B, Program } from '../../src/program/program.js';
import { pltStubs, syntheticFunctions } from '../../src/program/synthetic-functions.js';
import { markNoreturnPltCalls } from '../../src/cfg/linked-calls.js';
import { verifyFile } from '../../src/verify/verify.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/userspace-symbols/', import.meta.url));
const X86 = `${dir}stripped-x86-64.so`;
const ARM = `${dir}stripped-aarch64.so`;

/** `objdump -d -j .plt`: the stub labels (x86-64: the IRELATIVE stubs sit between JUMP_SLOT ones). */
const PLT_X86: [number, string][] = [
  [0x1030, 'getenv@plt'], [0x1040, 'free@plt'], [0x1050, 'abort@plt'], [0x1060, 'puts@plt'], [0x1070, 'strlen@plt'],
  [0x1080, 'pick@plt'], [0x1090, '*ABS*+0x1210@plt'], [0x10a0, '*ABS*+0x1210@plt'], [0x10b0, 'exit@plt'],
  [0x10c0, '*ABS*+0x1210@plt'],
];
const PLT_ARM: [number, string][] = [
  [0x6d0, 'strlen@plt'], [0x6e0, 'exit@plt'], [0x6f0, '__cxa_finalize@plt'], [0x700, '__gmon_start__@plt'],
  [0x710, 'abort@plt'], [0x720, 'puts@plt'], [0x730, 'free@plt'], [0x740, 'getenv@plt'], [0x750, 'pick@plt'],
  [0x760, '*ABS*+0x8d0@plt'], [0x770, '*ABS*+0x8d0@plt'], [0x780, '*ABS*+0x8d0@plt'],
];

for (const [file, expected] of [[X86, PLT_X86], [ARM, PLT_ARM]] as const) {
  test(`PLT stubs named by their GOT slot's relocation, as objdump names them (${file.split('/').pop()})`, () => {
    const elf = openElf(file);
    const byAddr = new Map(pltStubs(elf).filter((s) => !s.name.endsWith('.lazy')).map((s) => [elf.sections[s.sec].addr + s.offset, s.name]));
    for (const [addr, name] of expected) assert.equal(byAddr.get(addr), name, `stub at 0x${addr.toString(16)}`);
  });
}

test('noreturn PLT calls: only the calls to abort@plt and exit@plt end their paths', async () => {
  const elf = openElf(X86);
  const p = new Program(elf, (await archFor(elf.machine))!, false);
  markNoreturnPltCalls(p);
  // objdump: every `call` to 0x1050 <abort@plt> / 0x10b0 <exit@plt>, and none to the IRELATIVE stubs
  for (let i = 0; i < p.count; i++) {
    if (p.kind[i] !== InsnKind.Call || p.target[i] < 0) continue;
    const noreturn = p.target[i] === 0x1050 || p.target[i] === 0x10b0;
    assert.equal((p.bits[i] & B.DeadEnd) !== 0, noreturn, `call at 0x${p.addrOf(i).toString(16)} to 0x${p.target[i].toString(16)}`);
  }
});

test('FDE-derived functions: none at `.cold` parts (first row inside the parent frame)', () => {
  const elf = openElf(X86);
  const names = new Set(syntheticFunctions(elf, () => false).map((f) => f.name));
  // readelf -wF: 0x10e0 starts at rsp+32 (use_pick's cold `call abort`), 0x1101 at rsp+176
  // (split.cold); 0x10e5 (the hidden cold function `report`) and 0x1240 (resolver_twice) at rsp+8
  assert.ok(!names.has('fde_10e0'));
  assert.ok(!names.has('fde_1101'));
  assert.ok(names.has('fde_10e5'));
  assert.ok(names.has('fde_1240'));
});

test('a call to an IFUNC dynamic symbol is a call to a function, and returns', async () => {
  const elf = openElf(X86);
  const p = new Program(elf, (await archFor(elf.machine))!, false, true);
  const r = runChecks(p, { ...userspaceOptions(), orc: true, noUnreachable: true }, X86);
  assert.equal(r.stopped, false);
  // readelf --dyn-syms: pick IFUNC 0x1210 size 42, pick_raw IFUNC 0x13a3 size 8 (raw.S: no FDE);
  // objdump: resolver_twice calls 0x1210 at 0x1246 and 0x124e, 0x13a3 at 0x1256
  for (const [at, callee] of [[0x1246, 'pick'], [0x124e, 'pick'], [0x1256, 'pick_raw']] as const) {
    const i = p.findAddr(at);
    assert.ok(i >= 0);
    assert.equal(p.syms.name(p.callDestOf(i)), callee);
    assert.equal(p.bits[i] & B.DeadEnd, 0);
  }
});

for (const file of [X86, ARM]) {
  test(`verify with dynamic symbols: every FDE of the stripped library agrees or is the PLT's (${file.split('/').pop()})`, async () => {
    const r = await verifyFile(file);
    assert.equal(r.summary.mismatch, 0, JSON.stringify(r.verdicts.filter((v) => v.status === 'mismatch')));
    // the x86-64 .plt FDE's CFA is a DWARF expression; everything else is checked and agrees
    for (const v of r.verdicts) {
      if (v.status !== 'agrees') assert.match(v.reason ?? '', /DWARF expression/, `${v.func} 0x${v.start.toString(16)}`);
    }
  });
}
