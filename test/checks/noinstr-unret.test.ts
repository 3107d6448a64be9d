/**
 * --noinstr and --unret (kbuild's vmlinux.o checks) on tiny hand-assembled objects. The expected
 * lines follow objtool 6.12's validate_call/validate_return (noinstr) and validate_unret rules; the
 * same cases, assembled from source, are compared with the real objtool in
 * test-corpus/fixtures/objtool-warnings/noinstr.s and unret.s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHF_ALLOC, SHF_EXECINSTR, STB_GLOBAL, STT_FUNC } from '../helpers/kernel-elf-builder.js';
import { R_X86_64_PLT32, textObject, warnings } from '../fixtures/core/x86-object.js';
import type { CheckOptions } from '../../src/cfg/context.js';

const RET = 0xc3;
const NOP = 0x90;
const CALL0 = [0xe8, 0, 0, 0, 0];
const R_X86_64_PC32 = 2;

/**
 * .text: traced: ret; .noinstr.text: quiet: ret; calls_traced: call traced; ret;
 * calls_quiet: call quiet; ret; ubsan: call __ubsan_handle_x; ret
 */
function noinstrObject(): Uint8Array {
  const t = textObject([{ name: 'traced', code: [RET] }]);
  const b = t.b;
  const code = [RET, ...CALL0, RET, ...CALL0, RET, ...CALL0, RET];
  b.section('.noinstr.text', Uint8Array.from(code), { flags: SHF_ALLOC | SHF_EXECINSTR, align: 16 });
  const quiet = b.symbol('quiet', '.noinstr.text', 0, { size: 1, type: STT_FUNC, bind: STB_GLOBAL });
  b.symbol('calls_traced', '.noinstr.text', 1, { size: 6, type: STT_FUNC, bind: STB_GLOBAL });
  b.symbol('calls_quiet', '.noinstr.text', 7, { size: 6, type: STT_FUNC, bind: STB_GLOBAL });
  b.symbol('ubsan', '.noinstr.text', 13, { size: 6, type: STT_FUNC, bind: STB_GLOBAL });
  const ubsan = b.symbol('__ubsan_handle_x', null, 0, { bind: STB_GLOBAL });
  b.rela('.noinstr.text', [
    { offset: 2, type: R_X86_64_PLT32, sym: t.syms.get('traced')!, addend: -4 },
    { offset: 8, type: R_X86_64_PLT32, sym: quiet, addend: -4 },
    { offset: 14, type: R_X86_64_PLT32, sym: ubsan, addend: -4 },
  ]);
  return b.build();
}

const NOINSTR: Partial<CheckOptions> = { noinstr: true, link: true };

test('--noinstr --link: a call out of .noinstr.text to instrumentable code is reported, others are not', async () => {
  assert.deepEqual(await warnings(noinstrObject(), NOINSTR, 'n.o'),
    ['n.o: warning: objtool: calls_traced+0x0: call to traced() leaves .noinstr.text section']);
});

test('--noinstr --link with --orc: the frame walk checks the calls of noinstr functions too', async () => {
  assert.deepEqual(await warnings(noinstrObject(), { ...NOINSTR, orc: true }, 'n.o'),
    ['n.o: warning: objtool: calls_traced+0x0: call to traced() leaves .noinstr.text section']);
});

test('without --link (or without --noinstr) noinstr code is not checked', async () => {
  assert.deepEqual(await warnings(noinstrObject(), { orc: true, link: true }, 'n.o'), []);
  assert.deepEqual(await warnings(noinstrObject(), { orc: true, noinstr: true }, 'n.o'), []);
});

/**
 * .text: untrain: nop (VALIDATE_UNRET_END); ret | good: call untrain; ret | bad: ret |
 * calls_bad: call bad2; ret | bad2: nop; ret — entries (VALIDATE_UNRET_BEGIN) at good, bad, calls_bad
 */
function unretObject(): Uint8Array {
  const code = [NOP, RET, ...CALL0, RET, RET, ...CALL0, RET, NOP, RET];
  const t = textObject([
    { name: 'untrain', code: code.slice(0, 2) },
    { name: 'good', code: code.slice(2, 8) },
    { name: 'bad', code: code.slice(8, 9) },
    { name: 'calls_bad', code: code.slice(9, 15) },
    { name: 'bad2', code: code.slice(15) },
  ]);
  const b = t.b;
  b.rela('.text', [
    { offset: 3, type: R_X86_64_PLT32, sym: t.syms.get('untrain')!, addend: -4 },
    { offset: 10, type: R_X86_64_PLT32, sym: t.syms.get('bad2')!, addend: -4 },
  ]);
  b.section('.discard.validate_unret', new Uint8Array(12));
  b.rela('.discard.validate_unret', [2, 8, 9].map((off, k) => ({ offset: 4 * k, type: R_X86_64_PC32, sym: t.text, addend: off })));
  b.section('.discard.retpoline_safe', new Uint8Array(4));
  b.rela('.discard.retpoline_safe', [{ offset: 0, type: R_X86_64_PC32, sym: t.text, addend: 0 }]);
  return b.build();
}

test('--unret --link: every path from an entry untrains before a return, calls included', async () => {
  assert.deepEqual(await warnings(unretObject(), { unret: true, link: true, rethunk: true, orc: true }, 'u.o'), [
    'u.o: warning: objtool: bad+0x0: RET before UNTRAIN',
    'u.o: warning: objtool: bad2+0x1: RET before UNTRAIN',
  ]);
});

test('--unret --backtrace: the path to the return is printed through the call', async () => {
  assert.deepEqual(await warnings(unretObject(), { unret: true, link: true, noinstr: true, backtrace: true }, 'u.o'), [
    'u.o: warning: objtool: bad+0x0: RET before UNTRAIN',
    'u.o: warning: objtool: bad2+0x1: RET before UNTRAIN',
    'u.o: warning: objtool:   calls_bad+0x0: (call)',
  ]);
});
