/**
 * AArch64 frames end to end: tiny hand-assembled functions (one 32-bit word per instruction, each
 * encoding written from the Arm ARM and commented) → the frame walk → unwind rows. The expected rows
 * are derived by hand from the instructions' semantics: the CFA is the caller's sp; `stp x29, x30,
 * [sp, #-N]!` moves sp down by N and stores x29 at sp, x30 at sp+8 (so cfa-N and cfa-N+8);
 * `mov x29, sp` makes x29 the CFA base; paciasp/autiasp toggle the return-address signing state
 * (DWARF's RA_SIGN_STATE, printed as "pac": 1). A row is the state before the instruction runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aarch64 } from '../../src/arch/arm64/index.js';
import { mayWriteGpr } from '../../src/arch/arm64/writes.js';
import { userspaceOptions } from '../../src/cli/analyze.js';
import type { CheckOptions } from '../../src/cfg/context.js';
import { ElfFile } from '../../src/elf/reader.js';
import { runChecks } from '../../src/pipeline.js';
import type { CheckResult } from '../../src/pipeline.js';
import { Program } from '../../src/program/program.js';
import { rowJson, unwindRows } from '../../src/unwind/table.js';
import type { UnwindRow } from '../../src/unwind/table.js';
import { buildElf } from '../helpers/elf-builder.js';

const EM_AARCH64 = 183;
const SHF_ALLOC_EXEC = 0x2 | 0x4;
const STT_FUNC = 2;
const STB_GLOBAL = 1;

// Encodings (Arm ARM, A64): fixed words used below.
const PACIASP = 0xd503233f; // hint #25
const AUTIASP = 0xd50323bf; // hint #29
const NOP = 0xd503201f; // hint #0
const RET = 0xd65f03c0; // ret x30
const RETAA = 0xd65f0bff; // retaa
const STP_FP_LR_PRE32 = 0xa9be7bfd; // stp x29, x30, [sp, #-32]!  (opc=10 pre-index, imm7=-4)
const STP_FP_LR_PRE16 = 0xa9bf7bfd; // stp x29, x30, [sp, #-16]!  (imm7=-2)
const STP_FP_LR_SP0 = 0xa9007bfd; // stp x29, x30, [sp]  (signed offset, imm7=0)
const STP_FP_LR_SP16 = 0xa9017bfd; // stp x29, x30, [sp, #16]  (imm7=2)
const LDP_FP_LR_POST32 = 0xa8c27bfd; // ldp x29, x30, [sp], #32  (post-index, imm7=4)
const LDP_FP_LR_POST16 = 0xa8c17bfd; // ldp x29, x30, [sp], #16
const LDP_FP_LR_SP0 = 0xa9407bfd; // ldp x29, x30, [sp]
const LDP_FP_LR_SP16 = 0xa9417bfd; // ldp x29, x30, [sp, #16]
const MOV_FP_SP = 0x910003fd; // add x29, sp, #0
const ADD_FP_SP16 = 0x910043fd; // add x29, sp, #16
const SUB_SP_32 = 0xd10083ff; // sub sp, sp, #32
const ADD_SP_32 = 0x910083ff; // add sp, sp, #32
const STR_X19_SP16 = 0xf9000bf3; // str x19, [sp, #16]  (unsigned offset, imm12=2)
const LDR_X19_SP16 = 0xf9400bf3; // ldr x19, [sp, #16]
const MOV_X30_X1 = 0xaa0103fe; // orr x30, xzr, x1
const MOVZ_X12_10D0 = 0xd2821a0c; // movz x12, #0x10d0
const SUB_SP_SP_X12 = 0xcb2c63ff; // sub sp, sp, x12  (extended register, uxtx #0)
const ADD_SP_SP_X12 = 0x8b2c63ff; // add sp, sp, x12
const MOVZ_X16_1234 = 0xd2824690; // movz x16, #0x1234
const MOVK_X16_1_LSL16 = 0xf2a00030; // movk x16, #0x1, lsl #16
const SUB_SP_SP_X16 = 0xcb3063ff; // sub sp, sp, x16
const BL = (words: number): number => (0x94000000 | (words & 0x3ffffff)) >>> 0; // bl pc + 4*words
const CBZ_X0 = (words: number): number => (0xb4000000 | ((words & 0x7ffff) << 5)) >>> 0; // cbz x0, pc + 4*words
const B = (words: number): number => (0x14000000 | (words & 0x3ffffff)) >>> 0; // b pc + 4*words

interface Fn { name: string; words: number[] }

/** A relocatable AArch64 object with `fns` back to back in .text (the last one is usually a callee). */
function object(fns: readonly Fn[]): Uint8Array {
  const words = fns.flatMap((f) => f.words);
  const text = new Uint8Array(words.length * 4);
  const dv = new DataView(text.buffer);
  words.forEach((w, k) => dv.setUint32(4 * k, w >>> 0, true));
  let at = 0;
  const symbols = fns.map((f) => {
    const s = { name: f.name, bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: at, size: f.words.length * 4 };
    at += f.words.length * 4;
    return s;
  });
  return buildElf({ machine: EM_AARCH64, type: 1, sections: [{ name: '.text', flags: SHF_ALLOC_EXEC, data: text, addralign: 4 }], symbols }).bytes;
}

function analyze(bytes: Uint8Array, opts: Partial<CheckOptions> = {}): CheckResult {
  const elf = new ElfFile(bytes, 'test.o');
  const o: CheckOptions = { ...userspaceOptions(), ...opts };
  return runChecks(new Program(elf, aarch64, o.module, !o.kernel), o, 'test.o');
}

/** The printed row in force at each instruction of the function at `start` (`n` instructions). */
function rowsAt(r: CheckResult, start: number, n: number): string[] {
  const rows: UnwindRow[] = [];
  unwindRows(r.ctx, (row) => rows.push(row));
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const a = start + 4 * k;
    let cur: UnwindRow | undefined;
    for (const row of rows) if (row.addr <= a) cur = row;
    assert.ok(cur, `a row at 0x${a.toString(16)}`);
    const { sec: _s, addr: _a, func: _f, ...fields } = JSON.parse(rowJson(cur)) as Record<string, unknown>;
    void _s; void _a; void _f;
    out.push(JSON.stringify(fields));
  }
  return out;
}

/** Row text as the table prints it (fields in order; `pac` only while signed). */
function row(cfa: string, sp: number | null, fpv: number | null, ra: string, fp: string, pac = false): string {
  return JSON.stringify({ cfa, sp, fpv, ra, fp, ...(pac ? { pac: 1 } : {}) });
}

const warnings = (r: CheckResult): string[] => r.ctx.diag.list.map((d) => d.text);

test('GCC-style frame with return-address signing: rows per instruction, pac while signed', () => {
  const f = [
    PACIASP, // +0
    STP_FP_LR_PRE32, // +4
    MOV_FP_SP, // +8
    STR_X19_SP16, // +12
    BL(6), // +16 -> callee at +40
    LDR_X19_SP16, // +20
    LDP_FP_LR_POST32, // +24
    AUTIASP, // +28
    RET, // +32
    NOP, // +36 padding
  ];
  const r = analyze(object([{ name: 'f', words: f }, { name: 'callee', words: [RET] }]));
  assert.deepEqual(warnings(r), []);
  const entry = row('sp+0', 0, null, 'same', 'same');
  const signed = row('sp+0', 0, null, 'same', 'same', true);
  const frame = row('sp+32', 32, null, 'cfa-24', 'cfa-32', true);
  const fpFrame = row('x29+32', 32, 32, 'cfa-24', 'cfa-32', true);
  assert.deepEqual(rowsAt(r, 0, 10), [
    entry, // paciasp has not run yet
    signed, // stp: x30 is signed, nothing saved yet
    frame, // mov x29, sp: sp = CFA-32, x29 at [sp] = cfa-32, x30 at [sp+8] = cfa-24
    fpFrame, // x29 = sp = CFA-32: CFA = x29+32
    fpFrame, fpFrame,
    fpFrame, // ldp: still before the reload
    signed, // autiasp: registers reloaded, sp back at the CFA, x30 still signed
    entry, // ret: authenticated
    entry, // padding keeps the state before it
  ]);
});

test('retaa authenticates and returns; the state before it is signed', () => {
  const f = [PACIASP, STP_FP_LR_PRE16, MOV_FP_SP, LDP_FP_LR_POST16, RETAA];
  const r = analyze(object([{ name: 'f', words: f }]));
  assert.deepEqual(warnings(r), []);
  assert.deepEqual(rowsAt(r, 0, 5), [
    row('sp+0', 0, null, 'same', 'same'),
    row('sp+0', 0, null, 'same', 'same', true),
    row('sp+16', 16, null, 'cfa-8', 'cfa-16', true),
    row('x29+16', 16, 16, 'cfa-8', 'cfa-16', true),
    row('sp+0', 0, null, 'same', 'same', true),
  ]);
});

test('paths that meet with different signing states: a stack state mismatch', () => {
  const f = [
    CBZ_X0(3), // +0: taken to +12 unsigned
    PACIASP, // +4
    NOP, // +8
    RET, // +12: reached unsigned first (taken branch), then signed
  ];
  const r = analyze(object([{ name: 'f', words: f }]));
  assert.deepEqual(warnings(r), ['test.o: warning: objtool: f+0xc: stack state mismatch: pac1=0 pac2=1']);
});

test('frames of 4 KiB and more: sp adjusted through a constant register', () => {
  const f = [
    MOVZ_X12_10D0, // +0
    SUB_SP_SP_X12, // +4: sp -= 0x10d0 (4304)
    STP_FP_LR_SP0, // +8
    MOV_FP_SP, // +12
    BL(6), // +16 -> callee at +40
    LDP_FP_LR_SP0, // +20
    MOVZ_X12_10D0, // +24
    ADD_SP_SP_X12, // +28: sp += 4304
    RET, // +32
    NOP, // +36
  ];
  const r = analyze(object([{ name: 'f', words: f }, { name: 'callee', words: [RET] }]));
  assert.deepEqual(warnings(r), []);
  const fpFrame = row('x29+4304', 4304, 4304, 'cfa-4296', 'cfa-4304');
  const top = row('sp+4304', 4304, null, 'same', 'same');
  assert.deepEqual(rowsAt(r, 0, 9), [
    row('sp+0', 0, null, 'same', 'same'),
    row('sp+0', 0, null, 'same', 'same'),
    top,
    row('sp+4304', 4304, null, 'cfa-4296', 'cfa-4304'),
    fpFrame, fpFrame, top, top,
    row('sp+0', 0, null, 'same', 'same'),
  ]);
});

test('movz + movk constant: sp -= 0x11234', () => {
  const f = [MOVZ_X16_1234, MOVK_X16_1_LSL16, SUB_SP_SP_X16, NOP];
  const r = analyze(object([{ name: 'f', words: f }]), {});
  assert.deepEqual(rowsAt(r, 0, 4)[3], row('sp+70196', 70196, null, 'same', 'same'));
});

test('the constant set at the top of a long prologue (GCC: 14 words before the sub, libicutu)', () => {
  // movz x12 first, then register-pair stores that do not touch x12, then the sub
  const f = [MOVZ_X12_10D0, ...Array(13).fill(NOP), SUB_SP_SP_X12, NOP];
  const r = analyze(object([{ name: 'f', words: f }]), {});
  assert.deepEqual(rowsAt(r, 0, 16)[15], row('sp+4304', 4304, null, 'same', 'same'));
  // the register written in between: no constant, the adjustment is not followed
  const g = [MOVZ_X12_10D0, ...Array(6).fill(NOP), 0x9100058c /* add x12, x12, #1 */, ...Array(6).fill(NOP), SUB_SP_SP_X12, RET];
  assert.deepEqual(warnings(analyze(object([{ name: 'g', words: g }]))), ['test.o: warning: objtool: g+0x38: unsupported stack register modification']);
});

test('a branch between the constant and the adjustment: sp is lost, the walk says so', () => {
  const f = [MOVZ_X12_10D0, B(1), SUB_SP_SP_X12, RET];
  const r = analyze(object([{ name: 'f', words: f }]));
  assert.deepEqual(warnings(r), ['test.o: warning: objtool: f+0x8: unsupported stack register modification']);
});

test('x30 used as a scratch register after its save: no warning, the rule stays on the slot', () => {
  const f = [
    STP_FP_LR_PRE16, // +0
    MOV_FP_SP, // +4
    MOV_X30_X1, // +8: x30 = x1
    NOP, // +12
    LDP_FP_LR_POST16, // +16
    RET, // +20
  ];
  const r = analyze(object([{ name: 'f', words: f }]));
  assert.deepEqual(warnings(r), []);
  const fpFrame = row('x29+16', 16, 16, 'cfa-8', 'cfa-16');
  assert.deepEqual(rowsAt(r, 0, 6).slice(2), [fpFrame, fpFrame, fpFrame, row('sp+0', 0, null, 'same', 'same')]);
  // after the save and before the write, x30 still holds the return address: `same` is also right
  const rows: UnwindRow[] = [];
  unwindRows(r.ctx, (x) => rows.push(x));
  const at = (a: number): UnwindRow => rows.filter((x) => x.addr <= a).pop()!;
  assert.equal(at(8).equiv?.ra, 'same');
  assert.equal(at(12).equiv?.ra, undefined);
});

test('frame-record check (--frame-pointer): x29/x30 pair with x29 pointing at it before a call', () => {
  const callee = { name: 'callee', words: [RET] };
  // GCC shape: stp x29, x30, [sp, #-16]!; mov x29, sp; bl
  const gcc = object([{ name: 'f', words: [STP_FP_LR_PRE16, MOV_FP_SP, BL(3), LDP_FP_LR_POST16, RET] }, callee]);
  assert.deepEqual(warnings(analyze(gcc, { framePointer: true })), []);
  // Clang shape: sub sp, sp, #32; stp x29, x30, [sp, #16]; add x29, sp, #16; bl
  const clang = object([{ name: 'f', words: [SUB_SP_32, STP_FP_LR_SP16, ADD_FP_SP16, BL(4), LDP_FP_LR_SP16, ADD_SP_32, RET] }, callee]);
  assert.deepEqual(warnings(analyze(clang, { framePointer: true })), []);
  // pair saved but x29 not set: a frame-pointer unwinder would skip the caller
  const noFp = object([{ name: 'f', words: [STP_FP_LR_PRE16, BL(3), LDP_FP_LR_POST16, RET] }, callee]);
  const msg = 'test.o: warning: objtool: f+0x4: call without frame record (x29/x30 saved as a pair with x29 pointing at it)';
  assert.deepEqual(warnings(analyze(noFp, { framePointer: true })), [msg]);
  // x29 points 16 bytes above the pair: not the record
  const off = object([{ name: 'f', words: [SUB_SP_32, STP_FP_LR_SP0, ADD_FP_SP16, BL(4), LDP_FP_LR_SP0, ADD_SP_32, RET] }, callee]);
  assert.deepEqual(warnings(analyze(off, { framePointer: true })), [msg.replace('f+0x4', 'f+0xc')]);
  // no call, no frame needed; without the flag no check
  assert.deepEqual(warnings(analyze(object([{ name: 'f', words: [NOP, RET] }]), { framePointer: true })), []);
  assert.deepEqual(warnings(analyze(noFp)), []);
});

test('mayWriteGpr: exact for stores, pairs and calls', () => {
  assert.equal(mayWriteGpr(BL(1) | 0, 30), true);
  assert.equal(mayWriteGpr(STP_FP_LR_PRE16 | 0, 30), false); // a store writes only its base (sp)
  assert.equal(mayWriteGpr(STP_FP_LR_PRE16 | 0, 29), false);
  assert.equal(mayWriteGpr(LDP_FP_LR_POST16 | 0, 30), true);
  assert.equal(mayWriteGpr(LDP_FP_LR_POST16 | 0, 29), true);
  assert.equal(mayWriteGpr(STR_X19_SP16 | 0, 19), false);
  assert.equal(mayWriteGpr(LDR_X19_SP16 | 0, 19), true);
  assert.equal(mayWriteGpr(MOV_X30_X1 | 0, 30), true);
  assert.equal(mayWriteGpr(MOV_X30_X1 | 0, 1), false);
  assert.equal(mayWriteGpr(RET | 0, 30), false);
  assert.equal(mayWriteGpr(0xd63f0020 | 0, 30), true); // blr x1
  assert.equal(mayWriteGpr(MOVZ_X12_10D0 | 0, 12), true);
  assert.equal(mayWriteGpr(0xf8410c2c | 0, 1), true); // ldr x12, [x1, #16]!: write-back of x1
});
