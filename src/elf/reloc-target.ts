/**
 * Where a relocation points: the symbol's section plus symbol value plus addend. Section symbols
 * and ordinary defined symbols both resolve to (section index, offset); undefined, absolute and
 * common symbols resolve to no section (`sec === -1`) but keep the symbol.
 */
import { SHN_LORESERVE, SHN_UNDEF } from './constants.js';
import type { RelocTable, SymbolTable } from './reader.js';
import { lowerBound } from '../typed-arrays.js';

export interface RelocDest {
  /** section index, or -1 when the symbol is not defined in a section */
  sec: number;
  /** offset in that section: st_value + addend (for linked files st_value is an address: minus sh_addr is the caller's job) */
  off: number;
  sym: number;
}

/** Resolves relocation `i` into `out` (reused by the caller; no allocation). */
export function relocDest(syms: SymbolTable, r: RelocTable, i: number, out: RelocDest): RelocDest {
  const s = r.sym[i];
  const sh = syms.shndx[s];
  out.sym = s;
  if (sh === SHN_UNDEF || (sh >= SHN_LORESERVE && sh <= 0xffff && syms.rawShndx[s] !== 0xffff)) {
    out.sec = -1;
    out.off = r.addend[i];
  } else {
    out.sec = sh;
    out.off = syms.value[s] + r.addend[i];
  }
  return out;
}

/** Index of the first relocation at or after `offset` (relocations sorted by offset). */
export function lowerBoundReloc(r: RelocTable, offset: number): number {
  return lowerBound(r.offset, offset, r.count);
}
