/**
 * What `aarch64-linux-gnu-objdump -d` text says about an instruction, in the terms objflow's
 * AArch64 decoder uses: the control-flow class and target, the PAC/BTI flags, which of sp, x29
 * and x30 it writes, and, for the stack forms (stp/ldp/str/ldr of X registers on sp/x29,
 * add/sub/mov/and on sp/x29), the exact stack ops. Derived from the printed text only.
 */

export interface ObjdumpInsn {
  addr: number;
  word: number;
  mnemonic: string;
  operands: string[];
  text: string;
  /** relocation applied to this word (objdump then prints the relocated target, not the encoded one) */
  reloc?: string;
}

export interface ObjdumpSection {
  name: string;
  insns: ObjdumpInsn[];
}

/** Parses `objdump -d` output into sections of instructions (data lines such as `.word` are dropped). */
export function parseObjdump(text: string): ObjdumpSection[] {
  const sections: ObjdumpSection[] = [];
  let cur: ObjdumpSection | undefined;
  for (const line of text.split('\n')) {
    const sec = /^Disassembly of section (.*):$/.exec(line);
    if (sec) { cur = { name: sec[1], insns: [] }; sections.push(cur); continue; }
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t([^\t]+)(?:\t(.*))?$/.exec(line);
    if (!m || !cur) continue;
    const mnemonic = m[3].trim();
    if (mnemonic.startsWith('.word') || mnemonic.startsWith('.short') || mnemonic.startsWith('.byte')) continue;
    let rest = m[4] ?? '';
    const rel = /\t[0-9a-f]+: (R_[A-Z0-9_]+)/.exec(rest); // `-r -w`: the relocation follows on the line
    if (rel) rest = rest.slice(0, rel.index);
    rest = rest.replace(/\s*\/\/.*$/, '').replace(/\s*<[^>]*>/g, '').trim();
    cur.insns.push({
      addr: parseInt(m[1], 16), word: parseInt(m[2], 16), mnemonic, operands: splitOperands(rest), text: line.trim(),
      reloc: rel?.[1],
    });
  }
  return sections;
}

function splitOperands(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) { out.push(s.slice(start, i).trim()); start = i + 1; }
  }
  if (s.trim() !== '') out.push(s.slice(start).trim());
  return out;
}

/** Expected kind name (INSN_KIND_NAMES) from the mnemonic. */
export function expectedKind(i: ObjdumpInsn): string {
  const m = i.mnemonic;
  if (m.startsWith('.inst')) return 'invalid';
  if (m === 'b') return 'jmp';
  if (m === 'bl') return 'call';
  if (/^(b|bc)\.[a-z]+$/.test(m) || /^(cbz|cbnz|tbz|tbnz)$/.test(m)) return 'jcc';
  if (/^br(aa|ab|aaz|abz)?$/.test(m)) return 'jmp*';
  if (/^blr(aa|ab|aaz|abz)?$/.test(m)) return 'call*';
  if (/^ret(aa|ab)?$/.test(m)) return 'ret';
  if (/^eret(aa|ab)?$/.test(m) || m === 'drps') return 'ctxsw';
  if (m === 'svc' || m === 'hvc' || m === 'smc') return 'syscall';
  if (m === 'brk') return i.operands[0] === '#0x800' ? 'bug' : 'trap';
  if (m === 'hlt' || m === 'udf') return 'trap';
  if (m === 'bti') return 'endbr';
  if (m === 'nop') return 'nop';
  return 'other';
}

/** Branch target from the last operand (objdump prints it as a bare hex address). */
export function expectedTarget(i: ObjdumpInsn): number | undefined {
  const k = expectedKind(i);
  if (k !== 'jmp' && k !== 'call' && k !== 'jcc') return undefined;
  const last = i.operands[i.operands.length - 1];
  if (!/^[0-9a-f]+$/.test(last)) return undefined;
  return Number(BigInt.asIntN(64, BigInt('0x' + last))); // below address 0 wraps in objdump's 64-bit arithmetic
}

export type PacFlag = 'pacsign' | 'pacauth' | 'landing' | '';

export function expectedFlag(i: ObjdumpInsn): PacFlag {
  const m = i.mnemonic;
  if (/^paci[ab](sp|z)$/.test(m)) return 'pacsign';
  if (/^auti[ab](sp|z)$/.test(m) || m === 'retaa' || m === 'retab') return 'pacauth';
  if (/^paci(a|b|za|zb)$/.test(m) && i.operands[0] === 'x30') return 'pacsign';
  if (/^auti(a|b|za|zb)$/.test(m) && i.operands[0] === 'x30') return 'pacauth';
  if (m === 'bti') return 'landing';
  return '';
}

/**
 * Tracked register number of a register operand, or -1: 31 = sp, 29, 30, and the callee-saved
 * x19..x28 (whose writes the decoder records so that "saved and not written since" is known).
 */
function tracked(op: string | undefined): number {
  const cs = op === undefined ? null : /^[xw](19|2[0-8])$/.exec(op);
  if (cs) return Number(cs[1]);
  switch (op) {
    case 'sp': case 'wsp': return 31;
    case 'x29': case 'w29': return 29;
    case 'x30': case 'w30': return 30;
    default: return -1;
  }
}

function regNum(op: string): number {
  if (op === 'sp') return 31;
  const m = /^x(\d+)$/.exec(op);
  return m ? Number(m[1]) : -1;
}

const NO_WRITE = /^(cmp|cmn|tst|ccmp|ccmn|rmif|setf8|setf16|msr|sys|dc|ic|at|tlbi|prfm|prfum|hint|wfet|wfit|tcancel|gcs.*)$/;

/** The set of tracked registers (19..31, see `tracked`) the instruction writes, by the text's operand roles. */
export function expectedWrites(i: ObjdumpInsn): Set<number> {
  const out = new Set<number>();
  const m = i.mnemonic;
  const ops = i.operands;
  const k = expectedKind(i);
  if (k !== 'other' && k !== 'nop') return out; // branches (calls: the core knows), traps, invalid
  for (let j = 0; j < ops.length; j++) {
    const op = ops[j];
    const wb = /^\[([a-z0-9]+)(?:, [^\]]*)?\]!$/.exec(op);
    if (wb) addTracked(out, wb[1]);
    const post = /^\[([a-z0-9]+)\]$/.exec(op);
    if (post && j + 1 < ops.length && j > 0 && !/^(cas|swp|ld(add|clr|eor|set|smax|smin|umax|umin)|st(add|clr|eor|set|smax|smin|umax|umin))/.test(m)) {
      addTracked(out, post[1]); // [xN], #imm or [xN], xM: post-index
    }
    const bang = /^\[?([a-z0-9]+)\]?!$/.exec(op);
    if (bang && !wb) addTracked(out, bang[1]); // cpy*/set* register updates
  }
  if (/^(paci|auti|xpaci)/.test(m)) return out; // instruction-key PAC: x30 keeps the return address (flags instead)
  if (NO_WRITE.test(m)) return out;
  let dests = 1;
  if (/^st/.test(m)) dests = /^(stl?x[rp]|st64bv)/.test(m) ? 1 : 0; // exclusive/64-byte stores write a status
  else if (/^cas.*p/.test(m)) dests = 2;
  else if (/^(ldp|ldnp|ldpsw|ldxp|ldaxp)$/.test(m)) dests = 2;
  if (/^(swp|ld(add|clr|eor|set|smax|smin|umax|umin))/.test(m)) { addTracked(out, ops[1]); return out; }
  for (let j = 0; j < dests && j < ops.length; j++) addTracked(out, ops[j]);
  return out;
}

function addTracked(set: Set<number>, op: string | undefined): void {
  const r = tracked(op);
  if (r >= 0) set.add(r);
}

function memText(base: number, off: number): string {
  return `[${base === 31 ? 'sp' : 'x' + base}${off < 0 ? '-' + -off : '+' + off}]`;
}

function regText(r: number): string {
  return r === 31 ? 'sp' : `x${r}`;
}

function parseImm(s: string | undefined): number | undefined {
  if (s === undefined) return 0;
  const m = /^#(-?)(0x[0-9a-f]+|\d+)$/.exec(s);
  if (!m) return undefined;
  const v = Number(m[2]);
  return m[1] ? -v : v;
}

/**
 * The exact stack ops for the stack forms, in the test's notation (`sp=sp-16; [sp+0]=x29`), or
 * undefined when the instruction is not one of them.
 */
export function expectedStackOps(i: ObjdumpInsn): string | undefined {
  const m = i.mnemonic;
  const ops = i.operands;
  const pair = /^(stp|stnp|ldp|ldnp)$/.test(m);
  const single = /^(str|stur|ldr|ldur)$/.test(m);
  if (pair || single) {
    const memIdx = pair ? 2 : 1;
    const mem = ops[memIdx];
    if (!mem) return undefined;
    const am = /^\[([a-z0-9]+)(?:, (#-?\d+))?\](!?)$/.exec(mem);
    if (!am) return undefined;
    const base = regNum(am[1]);
    if (base !== 31 && base !== 29) return undefined;
    const imm = parseImm(am[2]) ?? 0;
    const pre = am[3] === '!';
    const postImm = ops.length > memIdx + 1 ? parseImm(ops[memIdx + 1]) : undefined;
    if (ops.length > memIdx + 1 && postImm === undefined) return undefined; // register post-index (SIMD)
    const post = postImm !== undefined;
    const regs = ops.slice(0, memIdx);
    const isX = regs.every((r) => /^(x\d+|xzr)$/.test(r));
    const fpRegs = regs.every((r) => /^[bhsdq]\d+$/.test(r));
    if (!isX && !fpRegs && !regs.every((r) => /^(w\d+|wzr)$/.test(r))) return undefined;
    const parts: string[] = [];
    const disp = pre || post ? 0 : imm;
    if (pre) parts.push(`${regText(base)}=${regText(base)}${imm < 0 ? '-' + -imm : '+' + imm}`);
    const load = m.startsWith('ld');
    if (isX) {
      const nums = regs.map((r) => (r === 'xzr' ? -1 : regNum(r)));
      const order = load && pair && nums[0] === base ? [1, 0] : nums.map((_, k) => k);
      for (const k of order) {
        const r = nums[k];
        if (r < 0) continue;
        parts.push(load ? `x${r}=${memText(base, disp + 8 * k)}` : `${memText(base, disp + 8 * k)}=x${r}`);
      }
    } else if (load && !fpRegs) {
      for (const r of regs) { const t = tracked(r); if (t >= 0) parts.push(`x${t}=?`); }
    }
    if (post) parts.push(`${regText(base)}=${regText(base)}${postImm < 0 ? '-' + -postImm : '+' + postImm}`);
    return parts.length ? parts.join('; ') : '-';
  }
  if ((m === 'add' || m === 'sub' || m === 'mov') && ops.length >= 2) {
    const d = ops[0];
    const s = ops[1];
    const rd = regNum(d);
    const rn = regNum(s);
    if (m === 'mov') {
      if ((d !== 'sp' && s !== 'sp') || rd < 0 || rn < 0) return undefined; // orr/movz alias
      return `${regText(rd)}=${regText(rn)}`;
    }
    if (rd < 0 || rn < 0 || (rd < 29 && rn !== 31)) return undefined; // W forms, other registers
    let imm = parseImm(ops[2]);
    if (imm === undefined) return undefined; // register forms
    if (ops[3] === 'lsl #12') imm *= 4096;
    else if (ops[3] !== undefined) return undefined;
    if (m === 'sub') imm = -imm;
    return imm === 0 ? `${regText(rd)}=${regText(rn)}` : `${regText(rd)}=${regText(rn)}${imm < 0 ? '-' + -imm : '+' + imm}`;
  }
  if (m === 'and' && ops[0] === 'sp' && /^x\d+$/.test(ops[1] ?? '')) {
    const v = BigInt.asIntN(64, BigInt((ops[2] ?? '#0').slice(1)));
    if (v < -0x80000000n || v > 0x7fffffffn) return 'sp=?';
    return `sp=${ops[1]}&${v}`;
  }
  return undefined;
}
