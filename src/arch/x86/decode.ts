/**
 * Decodes one x86-64 section into the instruction table.
 *
 * `x86Length` (table-driven, length.ts) supplies instruction boundaries, validity and rip-relative
 * use; `classify` supplies objtool's kind and stack ops from the raw bytes. No wasm, no
 * allocation per instruction; iced-x86 stays on the slow paths (operands.ts, jump-tables.ts).
 */
import { InsnFlag, InsnKind, OpDest, OpSrc } from '../arch.js';
import { NO_TARGET, OP_WORDS, type InsnTableBuilder } from '../../program/insns.js';
import { classified, classify } from './classify.js';
import { X86_MAX_INSN_LEN, X86_RIP_REL, x86Length, x86LengthInfo } from './length.js';
import { X86_SP } from './regs.js';

export function decodeX86Section(bytes: Uint8Array, secIndex: number, addr: number, out: InsnTableBuilder,
  anchors?: Uint32Array, userspace = false): void {
  out.beginSection(secIndex);
  decodeAll(bytes, addr, out, anchors ?? NO_ANCHORS, userspace);
}

const NO_ANCHORS = new Uint32Array(0);

/** The hot loop, kept small (rare cases live in helpers) so V8 optimises it early. */
function decodeAll(bytes: Uint8Array, addr: number, out: InsnTableBuilder, anchors: Uint32Array, userspace: boolean): void {
  const n = bytes.length;
  let pos = 0;
  let a = 0;
  let anchor = anchors.length > 0 ? anchors[0] : n;
  while (pos < n) {
    while (anchor <= pos) anchor = ++a < anchors.length ? anchors[a] : n;
    let len = x86Length(bytes, pos, n);
    if (len < 0) {
      // one-byte Invalid row; decoding resumes at the next byte
      out.add(pos, 1, InsnKind.Invalid, NO_TARGET, 0);
      pos++;
      continue;
    }
    if (pos + len > anchor) {
      // runs into a known instruction start: the bytes before it are fill, not code
      out.add(pos, anchor - pos, InsnKind.Invalid, NO_TARGET, InsnFlag.Padding);
      pos = anchor;
      continue;
    }
    let start = pos;
    if (len === 2 && bytes[pos] === 0x0f && bytes[pos + 1] === 0x0b && isEmulatePrefix(bytes, pos)) {
      const inner = joinEmulatePrefix(bytes, pos);
      if (inner > 0) {
        start = pos + EMULATE_PREFIX_LEN;
        len = EMULATE_PREFIX_LEN + inner;
      } else {
        x86LengthInfo[0] = 0;
      }
    }
    const pcRel = (x86LengthInfo[0] & X86_RIP_REL) !== 0;
    const end = pos + len;
    const kind = classify(bytes, start, end, userspace);
    let flags = pcRel ? InsnFlag.PcRel : 0;
    let target = NO_TARGET;
    if (kind === InsnKind.JumpCond || kind === InsnKind.JumpUncond || kind === InsnKind.Call) {
      target = addr + end + classified[1];
      flags |= InsnFlag.HasTarget;
    } else if (kind === InsnKind.Endbr) {
      flags |= InsnFlag.Landing;
    }
    const nOps = classified[0];
    if (nOps === 0) {
      out.add(pos, len, kind, target, flags);
    } else {
      addWithOps(out, pos, len, kind, target, flags, nOps);
    }
    pos = end;
  }
}

/**
 * ud2 + "xen"/"kvm": the kernel's decoder reads these 5 bytes as a prefix of the next
 * instruction (a forced-emulation cpuid etc.), one instruction for objtool. Returns the length
 * of that next instruction, or 0 when it does not decode or the whole would exceed 15 bytes.
 * `x86LengthInfo` then describes the inner instruction.
 */
function joinEmulatePrefix(bytes: Uint8Array, pos: number): number {
  const inner = x86Length(bytes, pos + EMULATE_PREFIX_LEN, bytes.length);
  return inner > 0 && EMULATE_PREFIX_LEN + inner <= X86_MAX_INSN_LEN ? inner : 0;
}

function addWithOps(out: InsnTableBuilder, pos: number, len: number, kind: InsnKind, target: number,
  flags: number, nOps: number): void {
  const c = classified;
  out.add(pos, len, kind, target, readsSp(nOps) ? flags | InsnFlag.SpSource : flags);
  for (let k = 0, w = 2; k < nOps; k++, w += OP_WORDS) {
    out.addOp(c[w], c[w + 1], c[w + 2], c[w + 3], c[w + 4], c[w + 5]);
  }
}

const EMULATE_PREFIX_LEN = 5;

/** ud2 followed by "xen" or "kvm" (the kernel's forced-emulation prefixes). */
function isEmulatePrefix(b: Uint8Array, pos: number): boolean {
  if (pos + EMULATE_PREFIX_LEN >= b.length) return false;
  const c0 = b[pos + 2], c1 = b[pos + 3], c2 = b[pos + 4];
  return (c0 === 0x78 && c1 === 0x65 && c2 === 0x6e) || (c0 === 0x6b && c1 === 0x76 && c2 === 0x6d);
}

/** True when an op copies %rsp (or %rsp + offset) somewhere other than %rsp itself. */
function readsSp(nOps: number): boolean {
  for (let k = 0, w = 2; k < nOps; k++, w += OP_WORDS) {
    const srcType = classified[w + 3];
    if ((srcType === OpSrc.Reg || srcType === OpSrc.Add) && classified[w + 4] === X86_SP
      && !(classified[w] === OpDest.Reg && classified[w + 1] === X86_SP)) return true;
  }
  return false;
}
