/**
 * Decodes one x86-64 section into the instruction table.
 *
 * `x86Length` (table-driven, length.ts) supplies instruction boundaries, validity and rip-relative
 * use; `classify` supplies objtool's kind and stack ops from the raw bytes. No wasm, no
 * allocation per instruction; iced-x86 stays on the slow paths (operands.ts, jump-tables.ts).
 */
import { InsnFlag, InsnKind, OpDest, OpSrc } from '../arch.js';
import { NO_TARGET, OP_BLOCK_BITS, OP_BLOCK_MASK, OP_FIELDS, targetColumnFor, type InsnTableBuilder } from '../../program/insns.js';
import { classified, classify, isPlainOther } from './classify.js';
import { X86_MAX_INSN_LEN, X86_RIP_REL, x86Length, x86LengthInfo } from './length.js';
import { X86_SP } from './regs.js';

export function decodeX86Section(bytes: Uint8Array, secIndex: number, addr: number, out: InsnTableBuilder,
  anchors?: Uint32Array, userspace = false): void {
  out.beginSection(secIndex);
  decodeAll(bytes, addr, out, anchors ?? NO_ANCHORS, userspace);
}

const NO_ANCHORS = new Uint32Array(0);

/** The one-byte `nop` opcode. */
const NOP1 = 0x90;

/**
 * The hot loop, kept small (rare cases live in helpers) so V8 optimises it early. Rows are written
 * to the builder's columns held in locals (reloaded when they grow): the length decoder and the
 * classifier are calls, after which V8 would load every column from the builder again.
 */
function decodeAll(bytes: Uint8Array, addr: number, out: InsnTableBuilder, anchors: Uint32Array, userspace: boolean): void {
  const n = bytes.length;
  let pos = 0;
  let a = 0;
  let anchor = anchors.length > 0 ? anchors[0] : n;
  let row = out.count;
  let offCol = out.off;
  let lenCol = out.len;
  let kindCol = out.kind;
  let flagsCol = out.flags;
  let targetCol = out.target;
  let opBaseCol = out.opBase;
  let opPreCol = out.opPre;
  while (pos < n) {
    while (anchor <= pos) anchor = ++a < anchors.length ? anchors[a] : n;
    // what the row will be: a one-byte nop unless the bytes say otherwise
    let rowLen = 1;
    let kind: InsnKind = InsnKind.Nop;
    let flags = 0;
    let target = NO_TARGET;
    let nOps = 0;
    // the one-byte nop, a fifth of a kernel object's rows (function padding), is settled without
    // asking the length decoder and the classifier (length 1, Nop, no ops: what they would say)
    if (bytes[pos] !== NOP1) {
      const len = x86Length(bytes, pos, n);
      if (len < 0) {
        // one-byte Invalid row; decoding resumes at the next byte
        kind = InsnKind.Invalid;
      } else if (pos + len > anchor) {
        // runs into a known instruction start: the bytes before it are fill, not code
        rowLen = anchor - pos;
        kind = InsnKind.Invalid;
        flags = InsnFlag.Padding;
      } else {
        rowLen = len;
        let start = pos;
        if (len === 2 && bytes[pos] === 0x0f && bytes[pos + 1] === 0x0b && isEmulatePrefix(bytes, pos)) {
          const inner = joinEmulatePrefix(bytes, pos);
          if (inner > 0) {
            start = pos + EMULATE_PREFIX_LEN;
            rowLen = EMULATE_PREFIX_LEN + inner;
          } else {
            x86LengthInfo[0] = 0;
          }
        }
        if ((x86LengthInfo[0] & X86_RIP_REL) !== 0) flags = InsnFlag.PcRel;
        const end = pos + rowLen;
        if (isPlainOther(bytes, start, end)) {
          // most rows: an opcode objtool has no case for (what `classify` answers first, without the call)
          kind = InsnKind.Other;
        } else {
          kind = classify(bytes, start, end, userspace);
          if (kind === InsnKind.JumpCond || kind === InsnKind.JumpUncond || kind === InsnKind.Call) {
            target = addr + end + classified[1];
            flags |= InsnFlag.HasTarget;
            // as InsnTableBuilder.add: a target an Int32 cannot hold widens the column first
            targetCol = out.target = targetColumnFor(targetCol, target);
          } else if (kind === InsnKind.Endbr) {
            flags |= InsnFlag.Landing;
          }
          nOps = classified[0];
          if (nOps !== 0 && readsSp(nOps)) flags |= InsnFlag.SpSource;
        }
      }
    }
    if (row === offCol.length) {
      out.count = row;
      out.growRows();
      offCol = out.off; lenCol = out.len; kindCol = out.kind;
      flagsCol = out.flags; targetCol = out.target; opBaseCol = out.opBase; opPreCol = out.opPre;
    }
    // as InsnTableBuilder.add: the row's section and op count are written by the builder
    offCol[row] = pos;
    lenCol[row] = rowLen;
    kindCol[row] = kind;
    flagsCol[row] = flags;
    targetCol[row] = target;
    const added = out.opsAdded;
    if ((row & OP_BLOCK_MASK) === 0) opBaseCol[row >>> OP_BLOCK_BITS] = added;
    opPreCol[row] = added - opBaseCol[row >>> OP_BLOCK_BITS];
    out.count = ++row;
    if (nOps !== 0) addOps(out, nOps);
    pos += rowLen;
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

/** The classifier's stack ops, appended to the last row added. */
function addOps(out: InsnTableBuilder, nOps: number): void {
  const c = classified;
  for (let k = 0, w = 2; k < nOps; k++, w += OP_FIELDS) {
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
  for (let k = 0, w = 2; k < nOps; k++, w += OP_FIELDS) {
    const srcType = classified[w + 3];
    if ((srcType === OpSrc.Reg || srcType === OpSrc.Add) && classified[w + 4] === X86_SP
      && !(classified[w] === OpDest.Reg && classified[w + 1] === X86_SP)) return true;
  }
  return false;
}
