/**
 * x86-64 length decoder vectors. Each line: `hex bytes | length or bad | rip`.
 * Lengths are counted by hand from the Intel SDM encoding rules (prefixes, REX, opcode bytes,
 * ModRM, SIB, displacement, immediate) and its opcode maps (appendix A); "bad" means invalid in
 * 64-bit mode (SDM "i64"/undefined entries) or cut off. Every vector is decoded inside a buffer
 * padded with extra bytes, so only the instruction's own fields may count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X86_RIP_REL, x86Length, x86LengthInfo } from '../../src/arch/x86/length.js';

const VECTORS = `
# one-byte opcodes without operands
90                            | 1 |
c3                            | 1 |
cc                            | 1 |
f4                            | 1 |
55                            | 1 |
41 5f                         | 2 |
# ModRM forms: register, [reg], disp8, disp32, SIB, SIB+disp8, SIB base=5 mod 0 (disp32, no base), rip
48 89 e5                      | 3 |
48 8b 07                      | 3 |
48 8b 47 08                   | 4 |
48 8b 87 00 01 00 00          | 7 |
48 8b 04 24                   | 4 |
48 8b 44 24 08                | 5 |
48 8b 84 24 00 01 00 00       | 8 |
48 8b 04 25 00 00 00 00       | 8 |
48 8b 04 c5 00 00 00 00       | 8 |
48 8b 05 00 00 00 00          | 7 | rip
48 8d 3d 10 00 00 00          | 7 | rip
67 48 8b 05 00 00 00 00       | 8 | rip
48 8b 45 00                   | 4 |
# immediates: ib, iz (66 -> iw, REX.W stays imm32), iv for B8+r, moffs, iw, enter
83 c0 01                      | 3 |
81 c1 00 01 00 00             | 6 |
66 81 c1 00 01                | 5 |
66 48 81 c1 00 01 00 00       | 8 |
05 01 00 00 00                | 5 |
66 05 01 00                   | 4 |
68 00 00 00 00                | 5 |
66 68 00 00                   | 4 |
6a 01                         | 2 |
69 c0 10 00 00 00             | 6 |
6b c0 10                      | 3 |
b8 01 00 00 00                | 5 |
66 b8 01 00                   | 4 |
48 b8 01 02 03 04 05 06 07 08 | 10 |
49 bf 01 02 03 04 05 06 07 08 | 10 |
b0 01                         | 2 |
a0 00 00 00 00 00 00 00 00    | 9 |
48 a1 00 00 00 00 00 00 00 00 | 10 |
67 a3 00 00 00 00             | 6 |
c2 08 00                      | 3 |
ca 08 00                      | 3 |
c8 10 00 01                   | 4 |
c6 45 ff 01                   | 4 |
c7 45 f8 01 00 00 00          | 7 |
66 c7 45 f8 01 00             | 6 |
48 c7 c0 ff ff ff ff          | 7 |
c6 f8 01                      | 3 |
c7 f8 00 00 00 00             | 6 |
c1 e0 04                      | 3 |
d1 e0                         | 2 |
cd 80                         | 2 |
e4 60                         | 2 |
# group 3: test has an immediate (/0, /1), not/neg/mul/imul/div/idiv do not
f6 c1 01                      | 3 |
f7 c1 00 01 00 00             | 6 |
66 f7 c1 00 01                | 5 |
48 f7 c1 00 01 00 00          | 7 |
f6 d1                         | 2 |
48 f7 d8                      | 3 |
48 f7 74 24 08                | 5 |
# branches: rel8, rel32 (66 does not shorten a near branch in 64-bit mode)
eb fe                         | 2 |
74 05                         | 2 |
e3 00                         | 2 |
e8 00 00 00 00                | 5 |
e9 00 00 00 00                | 5 |
66 e9 00 00 00 00             | 6 |
0f 84 00 00 00 00             | 6 |
ff 25 00 00 00 00             | 6 | rip
ff e0                         | 2 |
41 ff d3                      | 3 |
# two-byte map
0f 05                         | 2 |
0f 0b                         | 2 |
0f a2                         | 2 |
0f 1f 00                      | 3 |
0f 1f 40 00                   | 4 |
0f 1f 44 00 00                | 5 |
66 0f 1f 44 00 00             | 6 |
0f 1f 80 00 00 00 00          | 7 |
0f 1f 84 00 00 00 00 00       | 8 |
66 2e 0f 1f 84 00 00 00 00 00 | 10 |
66 66 2e 0f 1f 84 00 00 00 00 00 | 11 |
f3 0f 1e fa                   | 4 |
0f b6 c0                      | 3 |
48 0f af c1                   | 4 |
0f 44 c1                      | 3 |
0f 94 c0                      | 3 |
0f a4 c0 04                   | 4 |
0f ba e0 03                   | 4 |
f3 0f b8 c0                   | 4 |
0f c8                         | 2 |
0f 20 c0                      | 3 |
0f 22 d8                      | 3 |
0f 20 05                      | 3 |
44 0f 20 c0                   | 4 |
0f 01 ca                      | 3 |
0f 01 f9                      | 3 |
0f 01 10                      | 3 |
0f ae f8                      | 3 |
0f ae 38                      | 3 |
f0 48 0f b1 0f                | 5 |
f0 0f c7 0f                   | 4 |
f3 48 0f c7 f8                | 5 |
# SSE with mandatory prefixes, and the 3-byte maps (0F 3A always has an imm8)
66 0f 6f 05 00 00 00 00       | 8 | rip
f3 0f 10 44 24 04             | 6 |
f2 0f 58 c1                   | 4 |
66 0f 70 c0 1b                | 5 |
66 0f 73 d8 08                | 5 |
66 0f c6 c1 44                | 5 |
66 0f 38 00 c1                | 5 |
66 0f 3a 0f c1 08             | 6 |
0f 3a cc c1 01                | 5 |
f2 0f 38 f1 c1                | 5 |
66 48 0f 3a 16 c0 01          | 7 |
66 0f 3a 63 04 24 00          | 7 |
66 0f 78 c0 08 10             | 6 |
f2 0f 78 c1 08 10             | 6 |
0f 0f c1 b4                   | 4 |
# VEX (C5 two-byte, C4 three-byte with maps 0F, 0F38, 0F3A) and vzeroupper (no ModRM)
c5 f8 77                      | 3 |
c5 fc 28 c1                   | 4 |
c5 f9 6f 05 00 00 00 00       | 8 | rip
c4 e2 7d 18 c0                | 5 |
c4 e3 7d 18 c1 01             | 6 |
c4 e3 79 4a c1 30             | 6 |
c4 41 7c 28 44 24 20          | 7 |
c5 f9 70 c1 1b                | 5 |
c4 e2 f9 f7 c1                | 5 |
# EVEX (62) maps 1, 2, 3, 5
62 f1 7c 48 28 c1             | 6 |
62 f1 7c 48 28 44 24 01       | 8 |
62 f1 fd 48 6f 05 00 00 00 00 | 10 | rip
62 f2 7d 48 58 c1             | 6 |
62 f3 7d 48 25 c1 ff          | 7 |
62 f1 7d 48 72 e1 05          | 7 |
62 f5 7c 08 58 c1             | 6 |
# XOP (8F with map select >= 8): map 8 has an imm8, map 0A an imm32; 8F /0 is pop
8f e8 78 c0 c1 01             | 6 |
8f e9 78 80 c1                | 5 |
8f ea 78 10 c0 01 00 00 00    | 9 |
8f 00                         | 2 |
8f 44 24 08                   | 4 |
# prefixes: REX must be last; a REX followed by a legacy prefix is dropped but still a byte
66 90                         | 2 |
f3 90                         | 2 |
48 66 90                      | 3 |
2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 90 | 15 |
2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 2e 90 | bad |
66 66 66 66 66 66 66 66 66 66 0f 1f 44 00 00 | 15 |
f0 48 83 04 24 01             | 6 |
f0 ff 00                      | 3 |
# invalid in 64-bit mode
06                            | bad |
07                            | bad |
0e                            | bad |
16                            | bad |
17                            | bad |
1e                            | bad |
1f                            | bad |
27                            | bad |
2f                            | bad |
37                            | bad |
3f                            | bad |
60                            | bad |
61                            | bad |
82 c0 01                      | bad |
9a 00 00 00 00 00 00          | bad |
ce                            | bad |
d4 0a                         | bad |
d5 0a                         | bad |
d6                            | bad |
ea 00 00 00 00 00 00          | bad |
# undefined opcodes and forbidden forms
0f 04                         | bad |
0f 0a                         | bad |
0f 24 c0                      | bad |
0f 36                         | bad |
0f 39                         | bad |
0f ff                         | bad |
8d c0                         | bad |
fe d0                         | bad |
ff f8                         | bad |
ff d8                         | bad |
c6 c8 00                      | bad |
8e c8                         | bad |
0f 20 c8                      | bad |
f0 90                         | bad |
f0 01 c0                      | bad |
f0 83 3c 24 00                | bad |
66 c5 f8 77                   | bad |
48 c5 f8 77                   | bad |
f3 62 f1 7c 48 28 c1          | bad |
62 f1 7c 48 28                | bad |
c4 e0 7d 18 c0                | bad |
62 f0 7c 48 28 c1             | bad |
# cut off before the end of the buffer
48                            | bad |
0f                            | bad |
e8 00 00 00                   | bad |
48 8b 04                      | bad |
48 8b 05 00 00 00             | bad |
48 b8 01 02 03 04 05 06 07    | bad |
`;

interface Vector { hex: string; bytes: Uint8Array; len: number; rip: boolean }

function parseVectors(text: string): Vector[] {
  const out: Vector[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [hex, len, rip] = line.split('|').map((f) => f.trim());
    const bytes = Uint8Array.from(hex.split(/\s+/).map((h) => parseInt(h, 16)));
    out.push({ hex, bytes, len: len === 'bad' ? -1 : Number(len), rip: rip === 'rip' });
  }
  return out;
}

test('x86 length vectors (lengths counted from the SDM encoding rules)', () => {
  const vectors = parseVectors(VECTORS);
  assert.ok(vectors.length > 150);
  for (const v of vectors) {
    // exact buffer: the instruction ends where the bytes end (or is cut off)
    assert.equal(x86Length(v.bytes, 0, v.bytes.length), v.len, v.hex);
    if (v.len > 0) {
      assert.equal((x86LengthInfo[0] & X86_RIP_REL) !== 0, v.rip, `${v.hex}: rip-relative`);
    }
    if (v.len > 0) {
      // the same bytes at an offset in a larger buffer, followed by filler that must not count
      const big = new Uint8Array(v.bytes.length + 40).fill(0xcc);
      big.set(v.bytes, 7);
      assert.equal(x86Length(big, 7, big.length), v.len, `${v.hex} inside a buffer`);
    }
  }
});

test('x86Length never reads past end and never exceeds 15 bytes', () => {
  // a long run of prefixes before a valid nop: 15 bytes is the limit
  const bytes = new Uint8Array(32).fill(0x66);
  bytes[20] = 0x90;
  for (let off = 0; off <= 20; off++) {
    const len = x86Length(bytes, off, bytes.length);
    assert.equal(len, 21 - off <= 15 ? 21 - off : -1, `offset ${off}`);
  }
  // `end` cuts the instruction even though more bytes follow in the array
  const call = Uint8Array.from([0xe8, 0, 0, 0, 0, 0x90]);
  assert.equal(x86Length(call, 0, 5), 5);
  assert.equal(x86Length(call, 0, 4), -1);
  assert.equal(x86Length(call, 5, 5), -1);
});
