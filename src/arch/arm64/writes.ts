/**
 * Which general registers an AArch64 instruction may write, conservatively: a `false` is a promise,
 * a `true` may be wrong. Used where a value must be known to survive a stretch of code (a constant
 * loaded for a large stack adjustment, a saved register still holding its value).
 *
 * The register fields follow the Arm ARM encodings: Rd/Rt in bits 4:0, Rt2 in 14:10, Rn in 9:5, Rs
 * in 20:16. Plain stores and pairs are exact (only a write-back writes their base); rarer classes
 * answer true whenever any register field names `reg`, which only costs precision.
 */

const LR = 30;

/** Can the instruction word `w` (int32) write general register `reg` (0..30)? */
export function mayWriteGpr(w: number, reg: number): boolean {
  const rd = w & 31;
  switch ((w >>> 25) & 15) {
    case 10: case 11: return branchWrites(w, reg);
    case 4: case 6: case 12: case 14: return loadStoreWrites(w, reg);
    case 1: case 3: return false; // unallocated
    default: return rd === reg; // data processing, SIMD moves to general registers, SVE/SME scalars
  }
}

/** Arch hook form of `mayWriteGpr` over section bytes (instructions are little-endian). */
export function arm64WritesRegister(bytes: Uint8Array, off: number, reg: number): boolean {
  if (off + 4 > bytes.length) return true;
  const w = bytes[off] | (bytes[off + 1] << 8) | (bytes[off + 2] << 16) | (bytes[off + 3] << 24);
  if (reg === 31) return true; // sp: callers never ask; stay conservative
  return mayWriteGpr(w, reg);
}

function branchWrites(w: number, reg: number): boolean {
  const top = w >>> 24;
  if ((top & 0xfc) === 0x94) return reg === LR; // bl
  if (top === 0xd6 || top === 0xd7) { // blr, blraa..: the link register; br/ret write nothing
    const opc = (w >>> 21) & 15;
    return (opc === 1 || opc === 9) && reg === LR;
  }
  if (top !== 0xd5) return false;
  const rt = w & 31;
  if (((w >>> 22) & 3) === 1) return rt === reg || rt + 1 === reg; // mrrs, sysp: a register pair
  return ((w >>> 21) & 1) === 1 && rt === reg; // mrs, sysl
}

function loadStoreWrites(w: number, reg: number): boolean {
  const rt = w & 31;
  const rn = (w >>> 5) & 31;
  const simd = ((w >>> 26) & 1) === 1; // rt/rt2 are vector registers
  switch ((w >>> 27) & 7) {
    case 5: { // pairs: rt and rt2 for loads; rn on write-back (post/pre-index)
      const type = (w >>> 23) & 3;
      if ((type === 1 || type === 3) && rn === reg) return true;
      return !simd && ((w >>> 22) & 1) === 1 && (rt === reg || ((w >>> 10) & 31) === reg);
    }
    case 7: { // single register
      const opc = (w >>> 22) & 3;
      if (((w >>> 24) & 1) === 0) {
        if (((w >>> 21) & 1) === 1) return rt === reg || rn === reg || ((w >>> 16) & 31) === reg; // atomics, register offset, ldra*
        if ((((w >>> 10) & 3) & 1) === 1 && rn === reg) return true; // post/pre-index write-back
      }
      return !simd && opc !== 0 && rt === reg; // loads (prfm included: harmless)
    }
    default: // exclusives, literal loads, structures, tags, copies: any register field
      return rt === reg || rn === reg || ((w >>> 10) & 31) === reg || ((w >>> 16) & 31) === reg;
  }
}
