/**
 * Call-frame information reader: CIEs and FDEs of `.eh_frame` or `.debug_frame`.
 *
 * Zero-copy: entries keep offsets into the section bytes; instructions are decoded only when an
 * FDE is evaluated (`eval.ts`). CIEs are parsed on first reference and cached by offset.
 *
 * Bad bytes inside one entry (an FDE whose CIE pointer is wrong, an unknown augmentation, a bad
 * pointer encoding, a truncated field) become a `CfiProblem` and the scan goes on with the next
 * entry, whose position the length field still gives; a length running past the section ends the
 * scan with a problem. With `strict`, the first problem is thrown as the FormatError it is.
 * Every loop advances by at least one byte and stops at the section end.
 */
import { EM_AARCH64, ET_REL, SHT_NOBITS } from '../elf/constants.js';
import { FormatError } from '../elf/errors.js';
import type { ElfFile, Section } from '../elf/reader.js';
import { ByteReader } from './byte-reader.js';
import { DWARF64_LENGTH_ESCAPE, DW_EH_PE } from './constants.js';
import { PointerDecoder, isValidPointerEncoding, newPointerValue, type PointerBases, type PointerValue } from './pointer.js';

export type CfiKind = 'eh_frame' | 'debug_frame';

/** Common Information Entry. Offsets are relative to the section start. */
export interface Cie {
  readonly offset: number;
  /** 64-bit DWARF (length escape 0xffffffff) */
  readonly is64: boolean;
  readonly version: number;
  readonly augmentation: string;
  readonly codeAlign: number;
  readonly dataAlign: number;
  /** return-address column */
  readonly raColumn: number;
  readonly addressSize: number;
  readonly segmentSize: number;
  /** 'z': FDEs carry augmentation data */
  readonly hasAugData: boolean;
  /** 'R' (default absptr) */
  readonly fdeEncoding: number;
  /** 'L' (default omit) */
  readonly lsdaEncoding: number;
  /** 'P' */
  readonly personality: PointerValue | undefined;
  readonly personalityEncoding: number;
  /** 'S' */
  readonly signalFrame: boolean;
  /** 'B': AArch64 return addresses signed with the B key */
  readonly bKey: boolean;
  /** 'G': AArch64 MTE-tagged frames */
  readonly mteTagged: boolean;
  readonly insnStart: number;
  readonly insnEnd: number;
}

/** Frame Description Entry. */
export interface Fde {
  /** position among the FDEs of the section, in section order */
  readonly index: number;
  readonly offset: number;
  readonly cie: Cie;
  /** relocatable objects: section the code is in (relocation target); linked files: -1 (pcBegin is an address) */
  readonly pcSec: number;
  /** section offset (relocatable) or address (linked) of the first instruction covered */
  readonly pcBegin: number;
  readonly pcRange: number;
  /** 'L': language-specific data area, when present */
  readonly lsda: PointerValue | undefined;
  readonly insnStart: number;
  readonly insnEnd: number;
}

export interface CfiProblem {
  /** section offset of the entry (or field) concerned */
  readonly offset: number;
  readonly message: string;
}

export interface CfiOptions {
  /** throw the first problem as a FormatError instead of collecting it */
  strict?: boolean;
  /** bases for DW_EH_PE_textrel/datarel pointers */
  bases?: PointerBases;
}

/**
 * A file's `.eh_frame` and `.debug_frame`, those it has. A broken one throws its FormatError, or with
 * `skipBroken` is left out (an analysis that only uses the tables for hints loses just those).
 */
export function readCfiTables(elf: ElfFile, skipBroken = false): CfiSection[] {
  const tables: CfiSection[] = [];
  for (const which of ['eh_frame', 'debug_frame'] as const) {
    try {
      const t = readCfi(elf, which);
      if (t) tables.push(t);
    } catch (e) {
      if (!skipBroken || !(e instanceof FormatError)) throw e;
    }
  }
  return tables;
}

/** Reads `.eh_frame`/`.debug_frame` (by name or section); undefined when the file has no such section. */
export function readCfi(elf: ElfFile, which: CfiKind | Section, options: CfiOptions = {}): CfiSection | undefined {
  if (typeof which === 'string' && Object.keys(options).length === 0) {
    // read once per file: the userspace symbol set and verify both want a linked file's .eh_frame
    // (a CfiSection is not changed after its scan)
    let byKind = parsedTables.get(elf);
    if (!byKind) { byKind = new Map(); parsedTables.set(elf, byKind); }
    let t = byKind.get(which);
    if (t === undefined) {
      try {
        t = readCfiSection(elf, which, options) ?? null;
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        t = e;
      }
      byKind.set(which, t);
    }
    if (t instanceof FormatError) throw t;
    return t ?? undefined;
  }
  return readCfiSection(elf, which, options);
}

/** Tables read by `readCfi` without options, per file and kind (null: the file has none). */
const parsedTables = new WeakMap<ElfFile, Map<CfiKind, CfiSection | null | FormatError>>();

function readCfiSection(elf: ElfFile, which: CfiKind | Section, options: CfiOptions): CfiSection | undefined {
  const section = typeof which === 'string' ? elf.section('.' + which) : which;
  if (!section || section.type === SHT_NOBITS) return undefined;
  const kind: CfiKind = section.name === '.debug_frame' ? 'debug_frame' : 'eh_frame';
  return new CfiSection(elf, section, kind, options);
}

export class CfiSection {
  readonly data: Uint8Array;
  readonly fdes: Fde[] = [];
  readonly problems: CfiProblem[] = [];
  readonly machine: number;
  readonly relocatable: boolean;
  /** address size of the ELF class (8): default for absptr and .debug_frame CIEs before version 4 */
  readonly addressSize = 8;
  /** total CIEs seen in the scan */
  cieCount = 0;
  private readonly cies = new Map<number, Cie | FormatError>();
  private readonly rd: ByteReader;
  readonly pointers: PointerDecoder;
  private readonly strict: boolean;

  constructor(readonly elf: ElfFile, readonly section: Section, readonly kind: CfiKind, options: CfiOptions = {}) {
    this.data = elf.sectionData(section);
    this.machine = elf.machine;
    this.relocatable = elf.type === ET_REL;
    this.strict = options.strict ?? false;
    this.rd = new ByteReader(this.data, elf.le, section.offset, section.name || kind);
    const bases: PointerBases = { ...options.bases };
    if (bases.text === undefined) bases.text = elf.section('.text')?.addr;
    if (bases.data === undefined) bases.data = elf.section('.got')?.addr;
    this.pointers = new PointerDecoder(elf, section, this.addressSize, bases);
    this.scan();
  }

  get isAArch64(): boolean {
    return this.machine === EM_AARCH64;
  }

  /** The CIE at section offset `offset` (parsed once); throws FormatError when there is none. */
  cie(offset: number): Cie {
    let c = this.cies.get(offset);
    if (c === undefined) {
      try {
        c = this.parseCieAt(offset);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        c = e;
      }
      this.cies.set(offset, c);
    }
    if (c instanceof FormatError) throw c;
    return c;
  }

  private scan(): void {
    const rd = this.rd;
    const size = this.data.length;
    let pos = 0;
    const pc = newPointerValue();
    while (pos < size) {
      const start = pos;
      rd.end = size;
      rd.pos = pos;
      if (size - pos < 4) {
        this.problem(new FormatError(`${rd.what}+0x${pos.toString(16)}: ${size - pos} trailing bytes`, rd.fileOffset + pos), pos);
        break;
      }
      let length = rd.u32();
      if (length === 0) {
        pos = rd.pos; // terminator (or padding): keep scanning like the unwinders' section walkers
        continue;
      }
      const is64 = length === DWARF64_LENGTH_ESCAPE;
      let end: number;
      try {
        if (is64) length = rd.u64();
        end = rd.pos + length;
        if (end > size || !Number.isSafeInteger(end)) rd.fail(`entry length 0x${length.toString(16)} runs past the section end (0x${size.toString(16)})`, start);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        this.problem(e, start);
        break; // the next entry cannot be found
      }
      rd.end = end;
      try {
        const idPos = rd.pos;
        if (this.isCieId(is64)) {
          this.cieCount++;
          this.cie(start);
        } else {
          rd.pos = idPos;
          const cieOff = this.ciePointer(idPos, is64);
          this.parseFde(start, idPos, cieOff, end, pc);
        }
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        this.problem(e, start);
      }
      pos = end;
    }
  }

  /** Reads the CIE id / CIE pointer field and tells whether it marks a CIE. */
  private isCieId(is64: boolean): boolean {
    const rd = this.rd;
    if (this.kind === 'eh_frame') return rd.u32() === 0;
    if (!is64) return rd.u32() === 0xffffffff;
    const lo = rd.u32();
    const hi = rd.u32();
    return lo === 0xffffffff && hi === 0xffffffff;
  }

  /** Section offset of the CIE an FDE names; reads the field at `idPos`. */
  private ciePointer(idPos: number, is64: boolean): number {
    const rd = this.rd;
    rd.pos = idPos;
    if (this.kind === 'eh_frame') {
      // .eh_frame: the field is 4 bytes even in 64-bit entries, and counts back from itself
      const delta = rd.u32();
      return idPos - delta;
    }
    const raw = is64 ? rd.u64() : rd.u32();
    return this.pointers.relocatedOr(idPos, raw);
  }

  private parseCieAt(offset: number): Cie {
    const rd = this.rd;
    const size = this.data.length;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + 4 > size) {
      rd.fail(`no CIE at 0x${offset.toString(16)} (outside the section)`, 0);
    }
    const savedPos = rd.pos;
    const savedEnd = rd.end;
    try {
      rd.pos = offset;
      rd.end = size;
      let length = rd.u32();
      const is64 = length === DWARF64_LENGTH_ESCAPE;
      if (is64) length = rd.u64();
      const end = rd.pos + length;
      if (length === 0 || end > size) rd.fail(`no CIE at 0x${offset.toString(16)} (bad length)`, offset);
      rd.end = end;
      if (!this.isCieId(is64)) rd.fail(`entry at 0x${offset.toString(16)} is not a CIE`, offset);
      return this.parseCieBody(offset, is64, end);
    } finally {
      rd.pos = savedPos;
      rd.end = savedEnd;
    }
  }

  private parseCieBody(offset: number, is64: boolean, end: number): Cie {
    const rd = this.rd;
    const eh = this.kind === 'eh_frame';
    const versionPos = rd.pos;
    const version = rd.u8();
    const versionOk = eh ? version === 1 || version === 3 : version === 1 || version === 3 || version === 4;
    if (!versionOk) rd.fail(`unsupported CIE version ${version}`, versionPos);
    const augPos = rd.pos;
    const augmentation = rd.cstring();
    if (augmentation === 'eh') rd.uN(this.addressSize); // old GCC: address of the exception table
    let addressSize = this.addressSize;
    let segmentSize = 0;
    if (version >= 4) {
      addressSize = rd.u8();
      segmentSize = rd.u8();
      if (addressSize !== 1 && addressSize !== 2 && addressSize !== 4 && addressSize !== 8) rd.fail(`unsupported address size ${addressSize}`, rd.pos - 2);
      if (segmentSize > 8) rd.fail(`unsupported segment selector size ${segmentSize}`, rd.pos - 1);
    }
    const codeAlign = rd.uleb();
    const dataAlign = rd.sleb();
    const raColumn = version === 1 ? rd.u8() : rd.uleb();
    let fdeEncoding: number = DW_EH_PE.absptr;
    let lsdaEncoding: number = DW_EH_PE.omit;
    let personalityEncoding: number = DW_EH_PE.omit;
    let personality: PointerValue | undefined;
    let signalFrame = false;
    let bKey = false;
    let mteTagged = false;
    const hasAugData = augmentation.charCodeAt(0) === 0x7a; // 'z'
    if (hasAugData) {
      const augLen = rd.uleb();
      const augEnd = rd.pos + augLen;
      if (augEnd > end) rd.fail(`augmentation data length ${augLen} runs past the CIE`, rd.pos);
      const saved = rd.end;
      rd.end = augEnd;
      for (let i = 1; i < augmentation.length; i++) {
        const ch = augmentation[i];
        if (ch === 'R') {
          fdeEncoding = rd.u8();
          if (!isValidPointerEncoding(fdeEncoding) || fdeEncoding === DW_EH_PE.omit) rd.fail(`bad FDE pointer encoding 0x${fdeEncoding.toString(16)}`, rd.pos - 1);
        } else if (ch === 'L') {
          lsdaEncoding = rd.u8();
          if (!isValidPointerEncoding(lsdaEncoding)) rd.fail(`bad LSDA pointer encoding 0x${lsdaEncoding.toString(16)}`, rd.pos - 1);
        } else if (ch === 'P') {
          personalityEncoding = rd.u8();
          if (!isValidPointerEncoding(personalityEncoding)) rd.fail(`bad personality pointer encoding 0x${personalityEncoding.toString(16)}`, rd.pos - 1);
          personality = this.pointers.read(rd, personalityEncoding, 0, newPointerValue());
        } else if (ch === 'S') {
          signalFrame = true;
        } else if (ch === 'B') {
          bKey = true;
        } else if (ch === 'G') {
          mteTagged = true;
        } else {
          rd.fail(`unknown CIE augmentation '${ch}' in "${augmentation}"`, augPos);
        }
      }
      rd.end = saved;
      rd.pos = augEnd;
    } else if (augmentation !== '' && augmentation !== 'eh') {
      rd.fail(`unknown CIE augmentation "${augmentation}"`, augPos);
    }
    return {
      offset, is64, version, augmentation, codeAlign, dataAlign, raColumn, addressSize, segmentSize, hasAugData,
      fdeEncoding, lsdaEncoding, personality, personalityEncoding, signalFrame, bKey, mteTagged,
      insnStart: rd.pos, insnEnd: end,
    };
  }

  private parseFde(offset: number, idPos: number, cieOff: number, end: number, pc: PointerValue): void {
    const rd = this.rd;
    const cie = this.cieForFde(cieOff, idPos);
    rd.pos = idPos + (this.kind === 'debug_frame' && cie.is64 ? 8 : 4);
    if (cie.segmentSize > 0) rd.pos += cie.segmentSize;
    const pointers = this.pointers;
    let pcSec: number;
    let pcBegin: number;
    let pcRange: number;
    if (this.kind === 'eh_frame') {
      pointers.read(rd, cie.fdeEncoding, 0, pc);
      pcSec = pc.sec;
      pcBegin = pc.value;
      pcRange = pointers.readFormat(rd, cie.fdeEncoding & 0x0f);
    } else {
      // .debug_frame: plain target addresses, relocated in objects
      const field = rd.pos;
      pcBegin = rd.uN(cie.addressSize);
      pcSec = -1;
      const dest = pointers.relocationAt(field);
      if (dest) {
        pcSec = dest.sec;
        pcBegin = dest.off;
      }
      pcRange = rd.uN(cie.addressSize);
    }
    let lsda: PointerValue | undefined;
    if (cie.hasAugData) {
      const augLen = rd.uleb();
      const augEnd = rd.pos + augLen;
      if (augEnd > end) rd.fail(`augmentation data length ${augLen} runs past the FDE`, rd.pos);
      if (cie.lsdaEncoding !== DW_EH_PE.omit) {
        const saved = rd.end;
        rd.end = augEnd;
        lsda = pointers.read(rd, cie.lsdaEncoding, pcBegin, newPointerValue());
        rd.end = saved;
      }
      rd.pos = augEnd;
    }
    this.fdes.push({ index: this.fdes.length, offset, cie, pcSec, pcBegin, pcRange, lsda, insnStart: rd.pos, insnEnd: end });
  }

  private cieForFde(cieOff: number, idPos: number): Cie {
    try {
      return this.cie(cieOff);
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      return this.rd.fail(`FDE names CIE at 0x${cieOff.toString(16)}: ${e.what}`, idPos);
    }
  }

  private problem(e: FormatError, offset: number): void {
    if (this.strict) throw e;
    this.problems.push({ offset, message: e.message });
  }
}
