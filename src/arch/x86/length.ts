/**
 * Length of one x86-64 instruction, read straight from its bytes with opcode tables.
 *
 * The hot decode path only needs where an instruction ends, whether it is valid in 64-bit mode
 * and whether it addresses memory rip-relative; everything else comes from classify.ts. Walking
 * the encoding (prefixes, REX, VEX/EVEX/XOP, opcode map, ModRM, SIB, displacement, immediate)
 * with a few table lookups does that without a full disassembler.
 *
 * Validity follows what iced-x86 (the slow-path disassembler) and objdump accept in 64-bit mode
 * for the legacy maps, so instruction boundaries match theirs; for VEX, EVEX and XOP only the
 * structure is checked (prefix rules, map, reserved bits, ModRM forms), not every opcode.
 *
 * Hot path: no allocation; side results go to the module-level `x86LengthInfo`.
 */
import {
  Form, Imm, LEGACY_PREFIX, MAP0F, MAP0F38, MAP0F3A, MAP0F_IMM8, MAP0F_LOCKABLE, MAP0F_NO_MODRM,
  ONE_BYTE, ONE_CHECK, ONE_INVALID, ONE_LOCKABLE, ONE_MODRM, ONE_SPECIAL,
} from './length-tables.js';

/** The architectural limit: a CPU raises #GP for anything longer. */
export const X86_MAX_INSN_LEN = 15;

/** `x86LengthInfo[0]` bit: the instruction has a rip-relative (or eip-relative) memory operand. */
export const X86_RIP_REL = 1;

/** Side results of the last successful `x86Length` call: [0] flags (X86_RIP_REL). */
export const x86LengthInfo = new Int32Array(1);

/**
 * Length (1..15) of the 64-bit-mode instruction starting at `b[off]`, reading no byte at or
 * past `end`; -1 when the bytes are not a valid instruction or it does not fit before `end`.
 */
export function x86Length(b: Uint8Array, off: number, end: number): number {
  const lim = end - off > X86_MAX_INSN_LEN ? off + X86_MAX_INSN_LEN : end;
  let p = off;
  let osz = 0; // 66 seen
  let asz = 0; // 67 seen
  let rep = 0; // last F2/F3
  let lock = 0;
  let rex = 0;
  let c = 0;
  // Prefixes. A REX byte only counts when the opcode follows it directly.
  for (;;) {
    if (p >= lim) return -1;
    c = b[p];
    const k = LEGACY_PREFIX[c];
    if (k !== 0) {
      rex = 0;
      if (k === 2) osz = 1;
      else if (k === 3) asz = 1;
      else if (k === 4) lock = 1;
      else if (k >= 5) rep = c;
    } else if ((c & 0xf0) === 0x40) {
      rex = c;
    } else {
      break;
    }
    p++;
  }
  p++;
  x86LengthInfo[0] = 0;
  const a = ONE_BYTE[c];
  if ((a & (ONE_INVALID | ONE_SPECIAL | ONE_CHECK)) === 0) {
    // the common case: a plain one-byte opcode
    if (lock !== 0 && (ONE_LOCKABLE[c] === 0 || (a & ONE_MODRM) === 0)) return -1;
    if ((a & ONE_MODRM) !== 0) {
      if (p >= lim) return -1;
      const modrm = b[p];
      if (lock !== 0 && (modrm >= 0xc0 || (c >= 0x80 && c <= 0x83 && (modrm & 0x38) === 0x38))) return -1;
      p = skipModrm(b, p, lim);
      if (p < 0) return -1;
      if ((a & 0xf) >= Imm.Grp3B && (modrm & 0x30) === 0) {
        // test r/m, imm (group 3 /0 and /1); the other members have no immediate
        if (lock !== 0) return -1;
        p += immSize(a & 0xf, osz, asz, rex);
      } else if (c >= 0xf6) {
        if (lock !== 0 && (modrm & 0x30) !== 0x10) return -1; // only not/neg lock
      } else {
        p += immSize(a & 0xf, osz, asz, rex);
      }
    } else {
      p += immSize(a & 0xf, osz, asz, rex);
    }
    return p <= lim ? p - off : -1;
  }
  if ((a & ONE_INVALID) !== 0) return -1;
  if (c === 0x0f) return escape0f(b, off, p, lim, osz, rep, lock, rex);
  if ((a & ONE_SPECIAL) !== 0) return vexLike(b, off, p, lim, c, osz | rep | lock | rex, lock);
  return checkedOneByte(b, off, p, lim, c, osz, rex, lock);
}

/**
 * Bytes of immediate for a one-byte-map immediate kind (for the group 3 kinds: of their `test`
 * members, /0 and /1). A table rather than a switch or conditions: the decoder is compiled once the
 * common forms have been seen, and a case first met later (ENTER, moffs, `test` with an imm32 after
 * one with an imm8) would throw that code away; a table lookup has no case.
 */
function immSize(kind: number, osz: number, asz: number, rex: number): number {
  return IMM_BYTES[(kind << 3) | (osz << 2) | (asz << 1) | ((rex >> 3) & 1)];
}

/** IMM_BYTES[kind << 3 | 66 seen << 2 | 67 seen << 1 | REX.W]: the immediate's bytes. */
const IMM_BYTES: Uint8Array = (() => {
  const t = new Uint8Array(16 << 3);
  for (let i = 0; i < t.length; i++) {
    const kind = i >> 3;
    const osz = (i >> 2) & 1;
    const asz = (i >> 1) & 1;
    const w = i & 1;
    const z = osz !== 0 && w === 0 ? 2 : 4;
    t[i] = kind === Imm.B || kind === Imm.Grp3B ? 1 : kind === Imm.W ? 2 : kind === Imm.Z || kind === Imm.Grp3Z ? z
      : kind === Imm.V ? (w !== 0 ? 8 : osz !== 0 ? 2 : 4)
      : kind === Imm.Moffs ? (asz !== 0 ? 4 : 8) : kind === Imm.WB ? 3 : kind === Imm.Rel32 ? 4 : 0;
  }
  return t;
})();

/**
 * Skips ModRM at `p` and its SIB and displacement; returns the position after them or -1 when
 * they run past `lim`. Sets X86_RIP_REL for mod 0, r/m 5 (no SIB). Addressing is 32 or 64 bits
 * in 64-bit mode (67 never selects the 16-bit forms), so the sizes do not depend on 67.
 */
function skipModrm(b: Uint8Array, p: number, lim: number): number {
  if (p >= lim) return -1;
  const modrm = b[p++];
  const mod = modrm >> 6;
  if (mod === 3) return p;
  const rm = modrm & 7;
  if (rm === 4) {
    if (p >= lim) return -1;
    const base = b[p++] & 7;
    if (mod === 0 && base === 5) p += 4;
  } else if (mod === 0 && rm === 5) {
    p += 4;
    x86LengthInfo[0] = X86_RIP_REL;
  }
  if (mod === 1) p += 1;
  else if (mod === 2) p += 4;
  return p <= lim ? p : -1;
}

/** One-byte opcodes whose validity depends on ModRM: groups, lea, mov sreg, x87. */
function checkedOneByte(b: Uint8Array, off: number, p: number, lim: number, c: number, osz: number,
  rex: number, lock: number): number {
  if (p >= lim) return -1;
  const modrm = b[p];
  const reg = (modrm >> 3) & 7;
  const isReg = modrm >= 0xc0;
  let imm = 0;
  switch (c) {
    case 0x8c: // mov r/m, sreg: es cs ss ds fs gs
      if (reg > 5 || lock !== 0) return -1;
      break;
    case 0x8e: // mov sreg, r/m: cs cannot be loaded
      if (reg > 5 || reg === 1 || lock !== 0) return -1;
      break;
    case 0x8d: // lea
      if (isReg || lock !== 0) return -1;
      break;
    case 0xc6: // mov r/m8, ib; xabort ib (C6 F8)
      if (lock !== 0 || (reg !== 0 && modrm !== 0xf8)) return -1;
      imm = 1;
      break;
    case 0xc7: // mov r/m, iz; xbegin rel (C7 F8)
      if (lock !== 0 || (reg !== 0 && modrm !== 0xf8)) return -1;
      imm = osz !== 0 && (rex & 8) === 0 ? 2 : 4;
      break;
    case 0xfe: // inc/dec r/m8
      if (reg > 1 || (lock !== 0 && isReg)) return -1;
      break;
    case 0xff: // inc dec call callf jmp jmpf push
      if (reg === 7 || (isReg && (reg === 3 || reg === 5))) return -1;
      if (lock !== 0 && (reg > 1 || isReg)) return -1;
      break;
    default: // x87 escapes D8-DF
      if (lock !== 0 || (c === 0xdb && !isReg && reg === 6)) return -1;
      if (isReg ? X87_REG_INVALID[((c & 7) << 6) | (modrm & 0x3f)] !== 0 : X87_MEM_RESERVED[c & 7] === reg) return -1;
      break;
  }
  const q = skipModrm(b, p, lim);
  if (q < 0 || q + imm > lim) return -1;
  return q + imm - off;
}

/** The reserved memory form (ModRM.reg) of each x87 escape, 8 for none: D9 /1, DB /4 (and /6), DD /5. */
const X87_MEM_RESERVED = new Uint8Array([8, 1, 8, 4, 8, 5, 8, 8]);

/** Register forms (mod = 3) of the x87 escapes that are undefined; index (escape & 7) << 6 | modrm & 0x3f. */
const X87_REG_INVALID: Uint8Array = (() => {
  const t = new Uint8Array(8 * 64);
  const bad = (esc: number, lo: number, hi: number): void => {
    for (let m = lo; m <= hi; m++) t[((esc & 7) << 6) | (m & 0x3f)] = 1;
  };
  bad(0xd9, 0xd1, 0xd7); // only fnop in D9 D0-D7
  bad(0xd9, 0xe2, 0xe3);
  bad(0xd9, 0xe6, 0xe7);
  bad(0xd9, 0xef, 0xef);
  bad(0xda, 0xe0, 0xe8); // only fucompp (DA E9) in DA E0-EF
  bad(0xda, 0xea, 0xff);
  bad(0xdb, 0xe5, 0xe7); // E0 E1 E4 (feni fdisi fsetpm) decode as legacy nops

  bad(0xdd, 0xf0, 0xff);
  bad(0xdb, 0xf8, 0xff);
  bad(0xde, 0xd8, 0xd8); // only fcompp (DE D9) in DE D8-DF
  bad(0xde, 0xda, 0xdf);
  bad(0xdf, 0xe1, 0xe7); // only fnstsw %ax (DF E0) in DF E0-E7
  bad(0xdf, 0xf8, 0xff);
  return t;
})();

/** Two- and three-byte legacy opcodes (after 0F). `p` is past the 0F byte. */
function escape0f(b: Uint8Array, off: number, p: number, lim: number, osz: number, rep: number,
  lock: number, rex: number): number {
  if (p >= lim) return -1;
  const op = b[p++];
  // mandatory prefix column: the last F2/F3 wins over 66
  const col = rep === 0xf3 ? 2 : rep === 0xf2 ? 3 : osz !== 0 ? 1 : 0;
  let table = MAP0F;
  let imm = 0;
  let key = op;
  if (op === 0x38 || op === 0x3a) {
    if (p >= lim) return -1;
    key = b[p++];
    table = op === 0x38 ? MAP0F38 : MAP0F3A;
    imm = op === 0x3a ? 1 : 0;
  } else {
    if (MAP0F_NO_MODRM[op] !== 0) {
      if (table[op * 4 + col] === Form.Invalid || lock !== 0) return -1;
      if (op >= 0x80 && op <= 0x8f) p += 4; // jcc rel32 (66 ignored in 64-bit mode)
      return p <= lim ? p - off : -1;
    }
    imm = MAP0F_IMM8[op];
  }
  const form = table[key * 4 + col];
  if (form === Form.Invalid) return -1;
  if (p >= lim) return -1;
  const modrm = b[p];
  if (form === Form.Mem ? modrm >= 0xc0 : form === Form.Reg ? modrm < 0xc0 : form > Form.Check
    && (form === Form.C0 ? modrm !== 0xc0 : modrm >= 0xc0 || (modrm & 0x38) >= 0x20)) return -1;
  if (lock !== 0 && (table !== MAP0F || modrm >= 0xc0 || !lockable0f(op, modrm))) return -1;
  if (form === Form.Check) {
    const extra = check0fGroup(b, p, lim, op, modrm, col, osz);
    if (extra < 0) return -1;
    imm += extra;
  }
  let q: number;
  if (table === MAP0F && op >= 0x20 && op <= 0x23) {
    // mov to/from control and debug registers: mod is ignored, r/m is always a register;
    // cr0 cr2 cr3 cr4 cr8 and dr0-dr7 exist
    const r = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    if ((op & 1) === 0 ? (CONTROL_REGS >> r) & 1 ^ 1 : r > 7) return -1;
    q = p + 1;
  } else {
    q = skipModrm(b, p, lim);
  }
  if (q < 0) return -1;
  return q + imm <= lim ? q + imm - off : -1;
}

/** Bit n set: crN exists */
const CONTROL_REGS = 0x11d;

function lockable0f(op: number, modrm: number): boolean {
  if (MAP0F_LOCKABLE[op] !== 0) return true;
  const reg = (modrm >> 3) & 7;
  if (op === 0xba) return reg >= 5; // bts btr btc imm8
  if (op === 0xc7) return reg === 1; // cmpxchg8b/16b
  return false;
}

/**
 * Validity of the 0F-map groups and ModRM-selected forms; returns the number of extra immediate
 * bytes (beyond the map's own imm8) or -1 when invalid.
 */
function check0fGroup(b: Uint8Array, p: number, lim: number, op: number, modrm: number, col: number,
  osz: number): number {
  const reg = (modrm >> 3) & 7;
  const isReg = modrm >= 0xc0;
  switch (op) {
    case 0x00: // sldt str lldt ltr verr verw; F2 /6 lkgs
      if (reg === 6) return col === 3 ? 0 : -1;
      return reg === 7 ? -1 : 0;
    case 0x01:
      return isReg ? (GRP7_REG[(modrm & 0x3f) * 4 + col] !== 0 ? 0 : -1) : reg === 5 && col !== 2 ? -1 : 0;
    case 0x0d: // prefetch group: memory forms; register forms decode as reserved nops
      return 0;
    case 0x0f: { // 3DNow!: ModRM, then the opcode suffix as an imm8
      const q = skipModrm(b, p, lim);
      if (q < 0 || q >= lim) return -1;
      return AMD3DNOW[b[q]] !== 0 ? 1 : -1;
    }
    case 0x18: // prefetch hints (memory); other forms are reserved nops
    case 0x1a: case 0x1b: // MPX; without MPX forms they are reserved nops
      return 0;
    case 0x1e: // endbr64 etc. (F3 0F 1E FA/FB), rdssp; else reserved nop
      return 0;
    case 0x71: case 0x72: case 0x73: // shift groups, register forms only
      if (!isReg || col >= 2) return -1;
      if (op === 0x73) return reg === 2 || reg === 6 || (col === 1 && (reg === 3 || reg === 7)) ? 0 : -1;
      return reg === 2 || reg === 4 || reg === 6 ? 0 : -1;
    case 0x78: // vmread; 66: extrq xmm, ib, ib (/0, register); F2: insertq xmm, xmm, ib, ib
      if (col === 0) return 0;
      if (!isReg) return -1;
      if (col === 1) return reg === 0 ? 2 : -1;
      return 2;
    case 0x79: // vmwrite; 66 extrq xmm, xmm; F2 insertq xmm, xmm
      if (col === 0) return 0;
      return isReg ? 0 : -1;
    case 0xae: // group 15
      if (col === 2 && reg === 4 && osz !== 0) return -1; // ptwrite takes no 66
      if (!isReg) {
        if (col === 0) return 0; // fxsave fxrstor ldmxcsr stmxcsr xsave xrstor xsaveopt clflush
        if (col === 1) return reg === 6 || reg === 7 ? 0 : -1; // clwb, clflushopt
        if (col === 2) return reg === 4 || reg === 6 ? 0 : -1; // ptwrite, clrssbsy
        return -1;
      }
      if (col === 0) return reg >= 5 ? 0 : -1; // lfence mfence sfence
      if (col === 2) return reg <= 6 ? 0 : -1; // rd/wr fs/gs base, ptwrite, incssp, umonitor
      if (col === 1) return reg === 6 ? 0 : -1; // tpause
      return reg === 6 ? 0 : -1; // umwait
    case 0xa6: // VIA PadLock hashes: F3 0F A6 C8-FF
      return col === 2 && modrm >= 0xc8 ? 0 : -1;
    case 0xa7: // VIA PadLock xstore (any prefix), F3: the xcrypt family
      return isReg && (col === 2 || reg === 0) ? 0 : -1;
    case 0xba: // bt bts btr btc r/m, imm8
      return reg >= 4 ? 0 : -1;
    case 0xc7: // group 9
      if (!isReg) {
        if (reg === 1) return 0; // cmpxchg8b/16b
        if (reg >= 3 && reg <= 5) return col === 0 ? 0 : -1; // xrstors xsavec xsaves
        if (reg === 6) return col !== 3 ? 0 : -1; // vmptrld vmclear vmxon
        if (reg === 7) return col === 0 ? 0 : -1; // vmptrst
        return -1;
      }
      if (reg === 6 || reg === 7) return col === 3 ? -1 : 0; // rdrand rdseed / rdpid (F3 /7)
      return -1;
    default:
      return 0;
  }
}

/** 3DNow! opcode suffixes (the imm8 after 0F 0F ModRM) */
const AMD3DNOW: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const c of [0x0c, 0x0d, 0x1c, 0x1d, 0x8a, 0x8e, 0x90, 0x94, 0x96, 0x97, 0x9a, 0x9e, 0xa0, 0xa4,
    0xa6, 0xa7, 0xaa, 0xae, 0xb0, 0xb4, 0xb6, 0xb7, 0xbb, 0xbf]) t[c] = 1;
  return t;
})();

/**
 * Register forms of 0F 01 (group 7), by ModRM low six bits and mandatory-prefix column: the
 * VMX, SMAP, XSAVE, MONITOR, SVM and misc system instructions encoded there.
 */
const GRP7_REG: Uint8Array = (() => {
  const t = new Uint8Array(64 * 4);
  const ok = (lo: number, hi: number, cols: string): void => {
    for (let m = lo; m <= hi; m++) for (let c = 0; c < 4; c++) if (cols[c] === 'x') t[(m & 0x3f) * 4 + c] = 1;
  };
  ok(0xc0, 0xc7, 'x---'); // enclv vmcall vmlaunch vmresume vmxoff pconfig wrmsrns pbndkb
  ok(0xc6, 0xc6, '--xx'); // wrmsrlist (F3), rdmsrlist (F2)
  ok(0xc8, 0xcb, 'x---'); // monitor mwait clac stac
  ok(0xca, 0xca, 'x-xx'); // erets (F2), eretu (F3)
  ok(0xcc, 0xcf, '-x--'); // tdcall seamret seamops seamcall (66)
  ok(0xcf, 0xcf, 'x---'); // encls
  ok(0xd0, 0xd1, 'x---'); // xgetbv xsetbv
  ok(0xd4, 0xd7, 'x---'); // vmfunc xend xtest enclu
  ok(0xd8, 0xdf, 'xxxx'); // vmrun vmmcall(vmgexit F2/F3) vmload vmsave stgi clgi skinit invlpga
  ok(0xd9, 0xd9, 'x-xx');
  ok(0xe0, 0xe7, 'xxxx'); // smsw reg
  ok(0xe8, 0xe8, 'x-xx'); // serialize, setssbsy (F3), xsusldtrk (F2)
  ok(0xe9, 0xe9, '---x'); // xresldtrk
  ok(0xea, 0xea, '--x-'); // saveprevssp
  ok(0xec, 0xef, '--x-'); // uiret testui clui stui
  ok(0xee, 0xef, 'x-x-'); // rdpkru wrpkru
  ok(0xf0, 0xf7, 'xxxx'); // lmsw reg
  ok(0xf8, 0xf9, 'xxxx'); // swapgs rdtscp
  ok(0xfa, 0xfd, 'x---'); // monitorx mwaitx clzero rdpru
  ok(0xfa, 0xfa, 'x-x-'); // mcommit (F3)
  ok(0xfc, 0xfc, 'xxxx'); // clzero
  ok(0xfd, 0xff, '--x-'); // rmpquery rmpadjust psmash (F3)
  ok(0xfe, 0xff, 'x--x'); // invlpgb tlbsync; rmpupdate pvalidate (F2)
  return t;
})();

/**
 * VEX (C4, C5), EVEX (62) and XOP (8F) encodings, and 8F's plain pop r/m. `p` is past the first
 * byte; `legacy` is non-zero when a 66/F2/F3/F0 prefix or a REX byte came before it, which these
 * encodings forbid (pop only forbids `lock`).
 */
function vexLike(b: Uint8Array, off: number, p: number, lim: number, c: number, legacy: number,
  lock: number): number {
  if (p >= lim) return -1;
  const b1 = b[p];
  let map: number;
  if (c === 0x8f) {
    if ((b1 & 0x1f) < 8) {
      // pop r/m (group 1A /0)
      if (((b1 >> 3) & 7) !== 0 || lock !== 0) return -1;
      const q = skipModrm(b, p, lim);
      return q < 0 ? -1 : q - off;
    }
    map = (b1 & 0x1f) | 0x100; // XOP maps 8, 9, 0A
    if (map !== 0x108 && map !== 0x109 && map !== 0x10a) return -1;
    p += 2;
  } else if (c === 0xc5) {
    map = 1;
    p += 1;
  } else if (c === 0xc4) {
    map = b1 & 0x1f;
    if (map < 1 || map > 3) return -1;
    p += 2;
  } else {
    // EVEX: P0 = R X B R' 0 m m m, P1 = W v v v v 1 p p, P2 = z L'L b V' a a a
    if (p + 2 >= lim) return -1;
    map = b1 & 7;
    if ((b1 & 0x08) !== 0 || (b[p + 1] & 0x04) === 0) return -1;
    if (map === 0 || map === 4 || map === 7) return -1;
    p += 3;
  }
  if (legacy !== 0) return -1;
  if (p >= lim) return -1;
  const op = b[p++];
  if (map === 1 && op === 0x77 && c !== 0x62) return p - off; // vzeroupper / vzeroall
  const q = skipModrm(b, p, lim);
  if (q < 0) return -1;
  let imm = 0;
  if (map === 3 || map === 0x108) imm = 1;
  else if (map === 1) imm = MAP0F_IMM8[op];
  else if (map === 0x10a) imm = 4;
  return q + imm <= lim ? q + imm - off : -1;
}
