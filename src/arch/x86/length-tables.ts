/**
 * Opcode tables for the x86-64 length decoder (length.ts), 64-bit mode only.
 *
 * Facts from the Intel SDM volume 2 opcode maps (appendix A) and the Linux kernel's
 * arch/x86/lib/x86-opcode-map.txt, written out by hand. Each table is built once at load from a
 * short text form that reads like the opcode map: a few dozen lines instead of thousands of
 * numbers, and cheap to build (well under a millisecond).
 */

/** Immediate kinds (low 4 bits of a ONE_BYTE entry) */
export const Imm = {
  None: 0,
  /** 1 byte */
  B: 1,
  /** 2 bytes */
  W: 2,
  /** 2 bytes with a 66 prefix (and no REX.W), else 4 */
  Z: 3,
  /** B8+r: 8 bytes with REX.W, else like Z */
  V: 4,
  /** A0-A3 moffs: 8 bytes, 4 with a 67 prefix */
  Moffs: 5,
  /** ENTER: iw then ib */
  WB: 6,
  /** F6 group 3: ib for /0 and /1 only */
  Grp3B: 7,
  /** F7 group 3: iz for /0 and /1 only */
  Grp3Z: 8,
  /** near branch displacement: always 4 bytes in 64-bit mode (a 66 prefix is ignored) */
  Rel32: 9,
} as const;

/** Flag bits of a ONE_BYTE entry above the immediate kind */
export const ONE_MODRM = 0x10;
/** invalid in 64-bit mode (or undefined) */
export const ONE_INVALID = 0x20;
/** needs a look at ModRM.reg / mod before it is known valid (groups, lea, mov sreg, x87) */
export const ONE_CHECK = 0x40;
/** escape or prefix-like opcode handled by code: 0F, 62 (EVEX), 8F (XOP or pop), C4/C5 (VEX) */
export const ONE_SPECIAL = 0x80;

/** The one-byte opcode map. Prefix bytes (legacy and REX) never reach this table. */
export const ONE_BYTE: Uint8Array = buildOneByte();

/**
 * The legacy (non-VEX) 0F, 0F38 and 0F3A maps: per opcode and mandatory prefix (index
 * op * 4 + p with p = 0 none, 1 66, 2 F3, 3 F2), one of the Form values.
 */
export const Form = {
  Invalid: 0,
  /** register or memory r/m (or no ModRM at all, see MAP0F_NO_MODRM) */
  Any: 1,
  /** memory r/m only (mod != 3) */
  Mem: 2,
  /** register r/m only (mod = 3) */
  Reg: 3,
  /** group or special form: decided by code in length.ts from ModRM */
  Check: 4,
  /** ModRM must be exactly C0 (hreset) */
  C0: 5,
  /** memory forms with ModRM.reg 0-3 only (Key Locker wide ops) */
  Mem03: 6,
} as const;

export const MAP0F: Uint8Array = buildMap(MAP0F_TEXT());
export const MAP0F38: Uint8Array = buildMap(MAP0F38_TEXT());
export const MAP0F3A: Uint8Array = buildMap(MAP0F3A_TEXT());

/** 0F-map opcodes that have no ModRM byte */
export const MAP0F_NO_MODRM: Uint8Array = byteSet([
  0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0e, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37, 0x77,
  0xa0, 0xa1, 0xa2, 0xa8, 0xa9, 0xaa, ...range(0x80, 0x8f), ...range(0xc8, 0xcf),
]);

/** 0F-map opcodes followed by an 8-bit immediate (legacy, VEX and EVEX map 1 alike) */
export const MAP0F_IMM8: Uint8Array = byteSet([0x70, 0x71, 0x72, 0x73, 0xa4, 0xac, 0xba, 0xc2, 0xc4, 0xc5, 0xc6]);

/** Opcodes of the 0F map that a LOCK prefix may precede (with a memory destination) */
export const MAP0F_LOCKABLE: Uint8Array = byteSet([0xab, 0xb0, 0xb1, 0xb3, 0xbb, 0xc0, 0xc1]);

/** Opcodes of the one-byte map that a LOCK prefix may precede (with a memory destination) */
export const ONE_LOCKABLE: Uint8Array = byteSet([
  0x00, 0x01, 0x08, 0x09, 0x10, 0x11, 0x18, 0x19, 0x20, 0x21, 0x28, 0x29, 0x30, 0x31,
  0x80, 0x81, 0x83, 0x86, 0x87, 0xf6, 0xf7,
]);

/** Legacy prefix bytes (not REX): 1 = segment, 2 = 66, 3 = 67, 4 = F0, 5 = F2, 6 = F3 */
export const LEGACY_PREFIX: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const c of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]) t[c] = 1;
  t[0x66] = 2; t[0x67] = 3; t[0xf0] = 4; t[0xf2] = 5; t[0xf3] = 6;
  return t;
})();

function buildOneByte(): Uint8Array {
  const t = new Uint8Array(256);
  const M = ONE_MODRM;
  // ALU block 00-3F: r/m forms, then AL/rAX with an immediate; the column 6/7 and E/F
  // entries are segment pushes/pops and BCD ops, all gone in 64-bit mode
  for (let row = 0; row < 0x40; row += 8) {
    for (let k = 0; k < 4; k++) t[row + k] = M;
    t[row + 4] = Imm.B;
    t[row + 5] = Imm.Z;
    t[row + 6] = ONE_INVALID;
    t[row + 7] = ONE_INVALID;
  }
  t[0x0f] = ONE_SPECIAL;
  t[0x26] = t[0x2e] = t[0x36] = t[0x3e] = ONE_INVALID; // prefixes: never looked up
  // 40-4F REX (never looked up), 50-5F push/pop reg
  for (let c = 0x40; c <= 0x5f; c++) t[c] = Imm.None;
  t[0x60] = t[0x61] = ONE_INVALID; // pusha, popa
  t[0x62] = ONE_SPECIAL; // EVEX (bound in 32-bit mode)
  t[0x63] = M; // movsxd
  t[0x68] = Imm.Z;
  t[0x69] = M | Imm.Z;
  t[0x6a] = Imm.B;
  t[0x6b] = M | Imm.B;
  for (let c = 0x70; c <= 0x7f; c++) t[c] = Imm.B; // jcc rel8
  t[0x80] = M | Imm.B;
  t[0x81] = M | Imm.Z;
  t[0x82] = ONE_INVALID;
  t[0x83] = M | Imm.B;
  for (let c = 0x84; c <= 0x8b; c++) t[c] = M;
  t[0x8c] = M | ONE_CHECK; // mov r/m, sreg
  t[0x8d] = M | ONE_CHECK; // lea: memory only
  t[0x8e] = M | ONE_CHECK; // mov sreg, r/m
  t[0x8f] = ONE_SPECIAL; // pop r/m, or XOP
  t[0x9a] = ONE_INVALID; // far call ptr16:32
  t[0xa0] = t[0xa1] = t[0xa2] = t[0xa3] = Imm.Moffs;
  t[0xa8] = Imm.B;
  t[0xa9] = Imm.Z;
  for (let c = 0xb0; c <= 0xb7; c++) t[c] = Imm.B;
  for (let c = 0xb8; c <= 0xbf; c++) t[c] = Imm.V;
  t[0xc0] = t[0xc1] = M | Imm.B;
  t[0xc2] = Imm.W;
  t[0xc4] = t[0xc5] = ONE_SPECIAL; // VEX (les/lds in 32-bit mode)
  t[0xc6] = M | Imm.B | ONE_CHECK; // mov r/m8, ib; xabort
  t[0xc7] = M | Imm.Z | ONE_CHECK; // mov r/m, iz; xbegin
  t[0xc8] = Imm.WB;
  t[0xca] = Imm.W;
  t[0xcd] = Imm.B;
  t[0xce] = ONE_INVALID; // into
  t[0xd0] = t[0xd1] = t[0xd2] = t[0xd3] = M;
  t[0xd4] = t[0xd5] = t[0xd6] = ONE_INVALID; // aam, aad, salc
  for (let c = 0xd8; c <= 0xdf; c++) t[c] = M | ONE_CHECK; // x87
  for (let c = 0xe0; c <= 0xe7; c++) t[c] = Imm.B; // loop*, jrcxz, in/out imm8
  t[0xe8] = t[0xe9] = Imm.Rel32;
  t[0xea] = ONE_INVALID; // far jmp ptr16:32
  t[0xeb] = Imm.B;
  t[0xf0] = t[0xf2] = t[0xf3] = ONE_INVALID; // prefixes: never looked up
  t[0xf6] = M | Imm.Grp3B;
  t[0xf7] = M | Imm.Grp3Z;
  t[0xfe] = M | ONE_CHECK;
  t[0xff] = M | ONE_CHECK;
  return t;
}

/*
 * Text form of the legacy two- and three-byte maps: "op[-op] np 66 F3 F2", each column one of
 * a (any r/m), m (memory only), r (register only), - (invalid), g (decided in code), c (ModRM C0
 * only), w (memory, ModRM.reg 0-3). Opcodes not
 * listed are invalid. Integer instructions that ignore F2/F3 are listed with all four columns.
 */
function MAP0F_TEXT(): string {
  return `
00 g g g g
01 g g g g
02-03 a a a a
05-09 a a a a
0b a a a a
0d g g g g
0e a a a a
0f g g g g
10-11 a a a a
12 a m a a
13 m m - -
14-15 a a - -
16 a m a -
17 m m - -
18 g g g g
19 a a a a
1a g g g g
1b g g g g
1c-1d a a a a
1e g g g g
1f a a a a
20-23 a a a a
28-29 a a - -
2a a a a a
2b m m m m
2c-2d a a a a
2e-2f a a - -
30-35 a a a a
37 a - - -
40-4f a a a a
50 r r - -
51 a a a a
52-53 a - a -
54-57 a a - -
58-5a a a a a
5b a a a -
5c-5f a a a a
60-6b a a - -
6c-6d - a - -
6e a a - -
6f a a a -
70 a a a a
71-73 g g g g
74-76 a a - -
77 a - - -
78 g g - g
79 g g - g
7c-7d - a - a
7e a a a -
7f a a a -
80-8f a a a a
90-9f a a a a
a0-a5 a a a a
a6-a7 g g g g
a8-ab a a a a
ac-ad a a a a
ae g g g g
af a a a a
b0-b1 a a a a
b2 m m m m
b3 a a a a
b4-b5 m m m m
b6-b7 a a a a
b8 - - a -
b9 a a a a
ba g g g g
bb-bd a a a a
be-c1 a a a a
c2 a a a a
c3 m - - -
c4 a a - -
c5 r r - -
c6 a a - -
c7 g g g g
c8-cf a a a a
d0 - a - a
d1-d5 a a - -
d6 - a r r
d7 r r - -
d8-df a a - -
e0-e5 a a - -
e6 - a a a
e7 m m - -
e8-ef a a - -
f0 - - - m
f1-f6 a a - -
f7 r r - -
f8-fe a a - -
ff a a a a
`;
}

function MAP0F38_TEXT(): string {
  return `
00-0b a a - -
10 - a - -
14-15 - a - -
17 - a - -
1c-1e a a - -
20-25 - a - -
28-2b - a - -
2a - m - -
30-35 - a - -
37-41 - a - -
80-82 - m - -
c8-cd a - - -
cf - a - -
d8 - - w -
db - a - -
dc - a a -
dd-df - a m -
f0 m m - a
f1 m m - a
f5 - m - -
f6 m a a -
f8 - m m m
f9 m - - -
fa-fb - - r -
fc m m m m
`;
}

function MAP0F3A_TEXT(): string {
  return `
08-0f - a - -
0f a a - -
14-17 - a - -
20-22 - a - -
40-42 - a - -
44 - a - -
60-63 - a - -
cc a - - -
ce-cf - a - -
df - a - -
f0 - - c -
`;
}

function buildMap(text: string): Uint8Array {
  const t = new Uint8Array(256 * 4);
  const code: Record<string, number> = {
    '-': Form.Invalid, a: Form.Any, m: Form.Mem, r: Form.Reg, g: Form.Check, c: Form.C0, w: Form.Mem03,
  };
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 5) continue;
    const [lo, hi] = f[0].split('-').map((h) => parseInt(h, 16));
    for (let op = lo; op <= (hi ?? lo); op++) {
      for (let p = 0; p < 4; p++) t[op * 4 + p] = code[f[p + 1]];
    }
  }
  return t;
}

function byteSet(bytes: number[]): Uint8Array {
  const t = new Uint8Array(256);
  for (const c of bytes) t[c] = 1;
  return t;
}

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let c = lo; c <= hi; c++) out.push(c);
  return out;
}
