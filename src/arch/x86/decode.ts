/**
 * Decodes one x86-64 section into the instruction table.
 *
 * iced-x86 supplies instruction boundaries, validity and rip-relative use; `classify` supplies
 * objtool's kind and stack ops from the raw bytes. One wasm decoder and one wasm instruction per
 * section, both freed before returning; per instruction only three wasm getters are read.
 */
import { InsnFlag, InsnKind, OpDest, OpSrc } from '../arch.js';
import { NO_TARGET, OP_WORDS, type InsnTableBuilder } from '../../program/insns.js';
import { classified, classify } from './classify.js';
import { iced, type Iced } from './iced.js';
import { X86_SP } from './regs.js';

/** iced's Code.INVALID */
const CODE_INVALID = 0;
/** objtool's decoder (like the CPU) never reads more than 15 bytes for one instruction */
const MAX_INSN_LEN = 15;

export function decodeX86Section(bytes: Uint8Array, secIndex: number, addr: number, out: InsnTableBuilder): void {
  out.beginSection(secIndex);
  if (bytes.length === 0) return;
  const I = iced();
  const decoder = new I.Decoder(64, bytes, I.DecoderOptions.None);
  const insn = new I.Instruction();
  try {
    decodeAll(decoder, insn, bytes, addr, out);
  } finally {
    insn.free();
    decoder.free();
  }
}

type Decoder = InstanceType<Iced['Decoder']>;
type Instruction = InstanceType<Iced['Instruction']>;

/** The hot loop, kept small (rare cases live in helpers) so V8 optimises it early. */
function decodeAll(decoder: Decoder, insn: Instruction, bytes: Uint8Array, addr: number, out: InsnTableBuilder): void {
  const n = bytes.length;
  let pos = 0;
  while (pos < n) {
    decoder.decodeOut(insn);
    let len = insn.length;
    if (insn.code === CODE_INVALID) {
      pos = addInvalid(decoder, pos, out);
      continue;
    }
    let start = pos;
    let pcRel: boolean;
    if (len === 2 && bytes[pos] === 0x0f && bytes[pos + 1] === 0x0b && isEmulatePrefix(bytes, pos)) {
      const inner = joinEmulatePrefix(decoder, insn, pos, len);
      if (inner > 0) {
        start = pos + EMULATE_PREFIX_LEN;
        len = EMULATE_PREFIX_LEN + inner;
      }
      pcRel = inner > 0 && insn.isIpRelMemoryOperand;
    } else {
      pcRel = insn.isIpRelMemoryOperand;
    }
    const end = pos + len;
    const kind = classify(bytes, start, end);
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

/** One-byte Invalid row at `pos`; decoding resumes at the next byte. Returns the new position. */
function addInvalid(decoder: Decoder, pos: number, out: InsnTableBuilder): number {
  out.add(pos, 1, InsnKind.Invalid, NO_TARGET, 0);
  decoder.position = pos + 1;
  return pos + 1;
}

/**
 * ud2 + "xen"/"kvm": the kernel's decoder reads these 5 bytes as a prefix of the next
 * instruction (a forced-emulation cpuid etc.), one instruction for objtool. Decodes that
 * instruction into `insn` and returns its length, or 0 (decoder repositioned after the ud2)
 * when it does not decode or the whole would exceed 15 bytes.
 */
function joinEmulatePrefix(decoder: Decoder, insn: Instruction, pos: number, ud2Len: number): number {
  decoder.position = pos + EMULATE_PREFIX_LEN;
  decoder.decodeOut(insn);
  const inner = insn.length;
  const code: number = insn.code;
  if (code !== CODE_INVALID && EMULATE_PREFIX_LEN + inner <= MAX_INSN_LEN) return inner;
  decoder.position = pos + ud2Len;
  return 0;
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
