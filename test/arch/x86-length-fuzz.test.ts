/**
 * x86Length against iced-x86 (the slow-path disassembler) on seeded random byte strings, biased
 * towards prefixes, REX and the escape bytes so every map is reached. Legacy encodings must
 * agree exactly: same length, or both invalid. For VEX, EVEX and XOP, x86Length checks the
 * structure only: whatever iced decodes must have the same length (nothing iced accepts is
 * lost), and the count of encodings we accept that iced rejects is reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iced } from '../../src/arch/x86/iced.js';
import { x86Length } from '../../src/arch/x86/length.js';

const STRIDE = 32;
const CASES = 200_000;
const PREFIXES = [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x36, 0x40, 0x41, 0x44, 0x48, 0x49, 0x4c, 0x4f];
const ESCAPES = [[], [], [0x0f], [0x0f], [0x0f, 0x38], [0x0f, 0x3a], [0xc4], [0xc5], [0x62], [0x8f]];

test('x86Length agrees with iced-x86 on random byte strings', (t) => {
  let seed = 0x0720f6cc;
  const rand = (): number => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) & 0xff;
  };
  const buf = new Uint8Array(CASES * STRIDE);
  for (let i = 0; i < CASES; i++) {
    const base = i * STRIDE;
    let p = base;
    const nPrefix = rand() % 4 === 0 ? rand() % 4 : 0;
    for (let k = 0; k < nPrefix; k++) buf[p++] = PREFIXES[rand() % PREFIXES.length];
    for (const c of ESCAPES[rand() % ESCAPES.length]) buf[p++] = c;
    while (p < base + STRIDE) buf[p++] = rand();
  }
  const I = iced();
  const decoder = new I.Decoder(64, buf, I.DecoderOptions.None);
  const insn = new I.Instruction();
  const mismatches: string[] = [];
  let valid = 0;
  let vexLenient = 0;
  try {
    for (let i = 0; i < CASES; i++) {
      const base = i * STRIDE;
      decoder.position = base;
      decoder.decodeOut(insn);
      const theirs = insn.code === 0 ? -1 : insn.length;
      const ours = x86Length(buf, base, base + STRIDE);
      if (theirs > 0) valid++;
      if (ours === theirs) continue;
      if (theirs < 0 && isVexLike(buf, base)) { vexLenient++; continue; }
      if (mismatches.length < 20) {
        mismatches.push(`${Buffer.from(buf.subarray(base, base + 16)).toString('hex')}: iced ${theirs}, x86Length ${ours}`);
      }
    }
  } finally {
    insn.free();
    decoder.free();
  }
  t.diagnostic(`${CASES} strings, ${valid} valid for iced; VEX/EVEX/XOP accepted here, rejected by iced: ${vexLenient}`);
  assert.deepEqual(mismatches, []);
  assert.ok(valid > CASES / 3, `enough valid instructions (${valid})`);
  // structure-only validity for VEX/EVEX/XOP: reported, bounded so a regression shows
  assert.ok(vexLenient < CASES / 5, `VEX/EVEX/XOP accepted but rejected by iced: ${vexLenient}`);
});

/** The first byte after legacy prefixes and REX is C4, C5, 62 or an XOP 8F. */
function isVexLike(b: Uint8Array, p: number): boolean {
  while (p < b.length - 1) {
    const c = b[p];
    if (c === 0x66 || c === 0x67 || c === 0xf0 || c === 0xf2 || c === 0xf3 || c === 0x2e || c === 0x3e
      || c === 0x26 || c === 0x64 || c === 0x65 || c === 0x36 || (c & 0xf0) === 0x40) { p++; continue; }
    return c === 0xc4 || c === 0xc5 || c === 0x62 || (c === 0x8f && (b[p + 1] & 0x1f) >= 8);
  }
  return false;
}
