/** struct orc_entry (arch/x86/include/asm/orc_types.h) bytes worked out by hand from the header. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ORC_REG_BP, ORC_REG_BP_INDIRECT, ORC_REG_PREV_SP, ORC_REG_SP, ORC_REG_SP_INDIRECT, ORC_REG_UNDEFINED,
  ORC_TYPE_CALL, ORC_TYPE_REGS_PARTIAL, decodeOrcEntry, encodeOrcEntry, formatOrcEntry, formatReg, orcEntryBytes,
} from '../../src/unwind/orc-format.js';

// sp_offset 8, bp_offset -16, sp_reg SP(5) in the low nibble, bp_reg PREV_SP(1) high, type CALL(2), signal 0
const CALL_LE = [0x08, 0x00, 0xf0, 0xff, 0x15, 0x02];
const CALL_BE = [0x00, 0x08, 0xff, 0xf0, 0x15, 0x02];

test('decode little- and big-endian entries', () => {
  const want = { spOffset: 8, bpOffset: -16, spReg: ORC_REG_SP, bpReg: ORC_REG_PREV_SP, type: ORC_TYPE_CALL, signal: 0 };
  assert.deepEqual(decodeOrcEntry(Uint8Array.from(CALL_LE), 0, true), want);
  assert.deepEqual(decodeOrcEntry(Uint8Array.from([0xaa, ...CALL_BE]), 1, false), want);
});

test('encode is the inverse, and the signal bit is bit 3 of byte 5', () => {
  const e = { spOffset: 8, bpOffset: -16, spReg: ORC_REG_SP, bpReg: ORC_REG_PREV_SP, type: ORC_TYPE_CALL, signal: 0 };
  assert.deepEqual([...orcEntryBytes(e, true)], CALL_LE);
  assert.deepEqual([...orcEntryBytes(e, false)], CALL_BE);
  const b = new Uint8Array(8);
  encodeOrcEntry({ spOffset: -1, bpOffset: 0x7fff, spReg: ORC_REG_SP_INDIRECT, bpReg: ORC_REG_BP, type: ORC_TYPE_REGS_PARTIAL, signal: 1 }, b, 2, true);
  assert.deepEqual([...b], [0, 0, 0xff, 0xff, 0xff, 0x7f, 0x49, 0x0c]);
});

test('text as objtool --dump=orc prints it', () => {
  assert.equal(formatOrcEntry(decodeOrcEntry(Uint8Array.from(CALL_LE), 0, true)), 'type:call sp:sp+8 bp:prevsp-16 signal:0');
  assert.equal(formatReg(ORC_REG_BP_INDIRECT, -8), '(bp-8)');
  assert.equal(formatReg(ORC_REG_SP_INDIRECT, 0), '(sp)+0');
  assert.equal(formatReg(ORC_REG_UNDEFINED, 5), '(und)');
  assert.equal(formatReg(12, 4), '?+4');
  assert.equal(formatOrcEntry({ spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: 0, signal: 0 }), 'type:(und) sp:(und) bp:(und) signal:0');
  assert.equal(formatOrcEntry({ spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: 1, signal: 0 }), 'type:end sp:(und) bp:(und) signal:0');
  assert.equal(formatOrcEntry({ spOffset: 160, bpOffset: 0, spReg: ORC_REG_SP, bpReg: 0, type: 3, signal: 1 }), 'type:regs sp:sp+160 bp:(und) signal:1');
  assert.equal(formatOrcEntry({ spOffset: 0, bpOffset: 0, spReg: 0, bpReg: 0, type: 6, signal: 0 }), 'type:? sp:(und) bp:(und) signal:0');
});
