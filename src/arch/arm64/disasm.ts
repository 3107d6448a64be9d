/**
 * AArch64 one-line disassembly for diagnostics (slow path), spelled like GNU objdump for the
 * instructions objflow reasons about: branches, calls, returns, hints, stack loads/stores and
 * sp/x29 arithmetic. Other words print as `.inst 0x........`.
 */
import { bitmaskValid, bitmaskValue } from './bitmask.js';

const CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];

/** Disassembles the word at `off` of `bytes`; `addr` is that word's address. */
export function disassembleArm64(bytes: Uint8Array, off: number, addr: number): string {
  if (off < 0 || off + 4 > bytes.length) return '(bad)';
  const w = (bytes[off] | (bytes[off + 1] << 8) | (bytes[off + 2] << 16) | (bytes[off + 3] << 24)) >>> 0;
  return disassembleWord(w, addr);
}

/** Disassembles one instruction word (unsigned) at address `addr`. */
export function disassembleWord(w: number, addr: number): string {
  return branch(w, addr) ?? hintText(w) ?? exceptionText(w) ?? arith(w, addr) ?? memory(w) ?? `.inst\t${hex8(w)}`;
}

function hex(v: number | bigint): string {
  return v.toString(16);
}

function hex8(w: number): string {
  return '0x' + (w >>> 0).toString(16).padStart(8, '0');
}

function imm(v: number): string {
  return `#${v}`;
}

/** General register name: `sp` selects the stack pointer for register 31, else the zero register. */
export function gpr(r: number, x64: boolean, sp: boolean): string {
  if (r === 31) return sp ? (x64 ? 'sp' : 'wsp') : (x64 ? 'xzr' : 'wzr');
  return (x64 ? 'x' : 'w') + r;
}

function target(addr: number, delta: number): string {
  return hex(addr + delta);
}

function branch(w: number, addr: number): string | undefined {
  const top = w >>> 24;
  if ((top & 0x7c) === 0x14) return `${top & 0x80 ? 'bl' : 'b'}\t${target(addr, ((w << 6) >> 6) * 4)}`;
  if (top === 0x54) return `${w & 0x10 ? 'bc' : 'b'}.${CONDS[w & 15]}\t${target(addr, ((w << 8) >> 13) * 4)}`;
  if ((top & 0x7e) === 0x34) {
    return `${top & 1 ? 'cbnz' : 'cbz'}\t${gpr(w & 31, top >= 0x80, false)}, ${target(addr, ((w << 8) >> 13) * 4)}`;
  }
  if ((top & 0x7e) === 0x36) {
    const bit = ((top >>> 7) << 5) | ((w >>> 19) & 31);
    return `${top & 1 ? 'tbnz' : 'tbz'}\t${gpr(w & 31, bit >= 32, false)}, #${bit}, ${target(addr, ((w << 13) >> 18) * 4)}`;
  }
  if ((top & 0xfe) !== 0xd6 || ((w >>> 16) & 31) !== 31) return undefined;
  const opc = (w >>> 21) & 15;
  const op3 = (w >>> 10) & 63;
  const rn = (w >>> 5) & 31;
  const op4 = w & 31;
  const base = ['br', 'blr', 'ret'][opc & 3];
  if (op3 === 0 && op4 === 0) {
    if (opc <= 1) return `${base}\tx${rn}`;
    if (opc === 2) return rn === 30 ? 'ret' : `ret\tx${rn}`;
    if (opc === 4 && rn === 31) return 'eret';
    if (opc === 5 && rn === 31) return 'drps';
  }
  if ((op3 & 62) !== 2) return undefined;
  const key = op3 & 1 ? 'b' : 'a';
  if (op4 === 31 && opc <= 1) return `${base}${key}az\tx${rn}`;
  if (op4 === 31 && rn === 31 && opc === 2) return `reta${key}`;
  if (op4 === 31 && rn === 31 && opc === 4) return `ereta${key}`;
  if (opc === 8 || opc === 9) return `${opc === 8 ? 'br' : 'blr'}a${key}\tx${rn}, ${gpr(op4, true, true)}`;
  return undefined;
}

const HINTS: Record<number, string> = {
  0: 'nop', 1: 'yield', 2: 'wfe', 3: 'wfi', 4: 'sev', 5: 'sevl', 6: 'dgh', 7: 'xpaclri',
  8: 'pacia1716', 10: 'pacib1716', 12: 'autia1716', 14: 'autib1716', 16: 'esb', 17: 'psb\tcsync',
  18: 'tsb\tcsync', 20: 'csdb', 22: 'clrbhb', 24: 'paciaz', 25: 'paciasp', 26: 'pacibz', 27: 'pacibsp',
  28: 'autiaz', 29: 'autiasp', 30: 'autibz', 31: 'autibsp', 32: 'bti', 34: 'bti\tc', 36: 'bti\tj', 38: 'bti\tjc',
};

function hintText(w: number): string | undefined {
  if ((w & (0xfffff01f | 0)) !== (0xd503201f | 0)) return undefined;
  const n = (w >>> 5) & 127;
  return HINTS[n] ?? `hint\t#0x${hex(n)}`;
}

function exceptionText(w: number): string | undefined {
  if (w >>> 16 === 0) return `udf\t#${w & 0xffff}`;
  if (w >>> 24 !== 0xd4 || (w >>> 2) & 7) return undefined;
  const code = `#0x${hex((w >>> 5) & 0xffff)}`;
  const name = [['', 'svc', 'hvc', 'smc'], ['brk'], ['hlt']][(w >>> 21) & 7]?.[w & 3];
  return name ? `${name}\t${code}` : undefined;
}

function arith(w: number, addr: number): string | undefined {
  const sf = (w >>> 31) === 1;
  const rd = w & 31;
  const rn = (w >>> 5) & 31;
  if (((w >>> 24) & 0x1f) === 0x10) { // adr, adrp
    const lo = (w >>> 29) & 3;
    const hi = (w << 8) >> 13;
    const delta = hi * 4 + lo;
    if (w >>> 31) return `adrp\t${gpr(rd, true, false)}, ${hex(Math.floor(addr / 4096) * 4096 + delta * 4096)}`;
    return `adr\t${gpr(rd, true, false)}, ${hex(addr + delta)}`;
  }
  if (((w >>> 23) & 0x3f) === 0x22) { // add/sub (immediate)
    const sub = (w >>> 30) & 1;
    const s = (w >>> 29) & 1;
    const sh = (w >>> 22) & 1;
    const v = (w >>> 10) & 0xfff;
    const shift = sh ? ', lsl #12' : '';
    const n = gpr(rn, sf, true);
    if (!sub && !s && v === 0 && !sh && (rd === 31 || rn === 31)) return `mov\t${gpr(rd, sf, true)}, ${n}`;
    if (s && rd === 31) return `${sub ? 'cmp' : 'cmn'}\t${n}, #0x${hex(v)}${shift}`;
    return `${sub ? 'sub' : 'add'}${s ? 's' : ''}\t${gpr(rd, sf, !s)}, ${n}, #0x${hex(v)}${shift}`;
  }
  if (((w >>> 23) & 0x3f) === 0x24) { // logical (immediate)
    const opc = (w >>> 29) & 3;
    const n = (w >>> 22) & 1;
    const imms = (w >>> 10) & 63;
    if (!bitmaskValid(sf ? 1 : 0, n, imms)) return undefined;
    const m = bitmaskValue(sf ? 1 : 0, n, (w >>> 16) & 63, imms);
    const name = ['and', 'orr', 'eor', 'ands'][opc];
    return `${name}\t${gpr(rd, sf, opc !== 3)}, ${gpr(rn, sf, false)}, #0x${hex(m)}`;
  }
  if (((w >>> 24) & 0x1f) === 0x0a && !((w >>> 21) & 1)) { // logical (shifted register), mov alias only
    const opc = (w >>> 29) & 3;
    if (opc === 1 && rn === 31 && ((w >>> 10) & 0xfff) === 0 && !((w >>> 22) & 3)) {
      return `mov\t${gpr(rd, sf, false)}, ${gpr((w >>> 16) & 31, sf, false)}`;
    }
    return undefined;
  }
  if (((w >>> 21) & 0xff) === 0x59 && !((w >>> 29) & 1)) { // add/sub (extended register) without flags
    const ext = ['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'][(w >>> 13) & 7];
    const amount = (w >>> 10) & 7;
    const rm = (w >>> 16) & 31;
    const x64m = ((w >>> 13) & 3) === 3;
    return `${(w >>> 30) & 1 ? 'sub' : 'add'}\t${gpr(rd, sf, true)}, ${gpr(rn, sf, true)}, ${gpr(rm, x64m, false)}, ${ext}${amount ? ` #${amount}` : ''}`;
  }
  return undefined;
}

function memory(w: number): string | undefined {
  const rt = w & 31;
  const rn = (w >>> 5) & 31;
  const base = gpr(rn, true, true);
  if (((w >>> 27) & 7) === 5 && !((w >>> 25) & 1)) { // pairs
    const opc = w >>> 30;
    const v = (w >>> 26) & 1;
    const type = (w >>> 23) & 3;
    const l = (w >>> 22) & 1;
    if (opc === 3) return undefined;
    const scale = v ? 4 << opc : opc === 2 ? 8 : opc === 1 && !l ? 16 : 4;
    const off = ((w << 10) >> 25) * scale;
    const reg = (r: number): string => v ? 'sdq'[opc] + r : opc === 1 && !l ? gpr(r, true, false) : gpr(r, opc !== 0, false);
    const name = opc === 1 && !v ? (l ? 'ldpsw' : 'stgp') : (l ? 'ld' : 'st') + (type === 0 ? 'np' : 'p');
    return `${name}\t${reg(rt)}, ${reg((w >>> 10) & 31)}, ${address(base, type === 1 ? 1 : type === 3 ? 3 : 0, off)}`;
  }
  if (((w >>> 27) & 7) !== 7 || ((w >>> 25) & 1)) return undefined;
  const size = w >>> 30;
  const v = (w >>> 26) & 1;
  const opc = (w >>> 22) & 3;
  let mode: number;
  let off: number;
  if ((w >>> 24) & 1) {
    mode = 0;
    off = ((w >>> 10) & 0xfff) << (v ? size | ((opc & 2) << 1) : size);
  } else if (!((w >>> 21) & 1)) {
    mode = (w >>> 10) & 3;
    off = (w << 11) >> 23;
    if (mode === 2) return undefined;
  } else return undefined;
  let name: string;
  let reg: string;
  if (v) {
    const q = size === 0 && opc >= 2;
    name = opc & 1 ? 'ldr' : 'str';
    reg = (q ? 'q' : 'bhsd'[size]) + rt;
  } else {
    if (size === 3 && opc === 2) return undefined; // prfm
    const suffix = size === 0 ? 'b' : size === 1 ? 'h' : '';
    if (opc === 0) name = 'str' + suffix;
    else if (opc === 1) name = 'ldr' + suffix;
    else name = 'ldrs' + (size === 2 ? 'w' : suffix);
    reg = gpr(rt, opc === 2 || (size === 3 && opc < 2), false);
  }
  if (mode === 0 && !((w >>> 24) & 1)) name = name.replace(/^(ld|st)r/, '$1ur');
  return `${name}\t${reg}, ${address(base, mode, off)}`;
}

/** Memory operand: mode 0 offset, 1 post-index, 3 pre-index. */
function address(base: string, mode: number, off: number): string {
  if (mode === 1) return `[${base}], ${imm(off)}`;
  if (mode === 3) return `[${base}, ${imm(off)}]!`;
  return off === 0 ? `[${base}]` : `[${base}, ${imm(off)}]`;
}
