/**
 * Language-specific data areas (`.gcc_except_table`, the LSDA an FDE's 'L' augmentation points
 * to): the call-site table of the Itanium C++ ABI's exception handling, as GCC and Clang write it
 * for x86-64 and AArch64 alike. Only what control flow needs is read: each call-site record's code
 * range and its landing pad (where the personality routine resumes the frame when an exception
 * passes a call in that range). Type and action tables are skipped.
 *
 * Layout: LPStart encoding (u8) [LPStart pointer], TType encoding (u8) [TType offset, uleb128],
 * call-site encoding (u8), call-site table length (uleb128), then records of
 * (start, length, landing pad, action uleb128). Start is relative to the FDE's first
 * instruction, the landing pad to LPStart (which defaults to that instruction too); a landing pad
 * of 0 means none.
 *
 * One reader serves a whole file and reuses its arrays: no allocation per FDE. Bad bytes throw
 * FormatError (the caller skips that FDE); every loop advances and stops at the section end.
 */
import { SHT_NOBITS } from '../elf/constants.js';
import type { ElfFile } from '../elf/reader.js';
import { ByteReader } from './byte-reader.js';
import type { CfiSection, Fde } from './cfi.js';
import { DW_EH_PE } from './constants.js';
import { PointerDecoder, isValidPointerEncoding, newPointerValue } from './pointer.js';
import { grown } from '../typed-arrays.js';

export class LsdaReader {
  /** call-site records of the last `read`: range start, range end (exclusive), landing pad */
  csStart = new Float64Array(16);
  csEnd = new Float64Array(16);
  landingPad = new Float64Array(16);
  /** records with a landing pad, after the last `read` */
  count = 0;
  private readonly readers = new Map<number, SectionReader | null>();
  /** section offset of the LSDA `locate` found */
  private at = 0;
  private readonly pv = newPointerValue();

  constructor(private readonly elf: ElfFile) {}

  /**
   * Reads the call sites of `fde`'s LSDA that have a landing pad into `csStart`/`csEnd`/`landingPad`
   * (FDE coordinates: section offsets of the FDE's code section in relocatable objects,
   * addresses in linked files) and returns how many. 0 when the FDE has no LSDA or it lies in no
   * readable section; FormatError for bad bytes.
   */
  read(cfi: CfiSection, fde: Fde): number {
    this.count = 0;
    const lsda = fde.lsda;
    if (!lsda || lsda.indirect) return 0;
    const r = this.locate(cfi, lsda.sec, lsda.value);
    if (!r) return 0;
    const { rd, ptr } = r;
    rd.end = rd.data.length;
    rd.pos = this.at;
    const funcStart = fde.pcBegin;
    const lpStartEnc = rd.u8();
    let lpStart = funcStart;
    if (lpStartEnc !== DW_EH_PE.omit) {
      const v = ptr.read(rd, lpStartEnc, funcStart, this.pv);
      // a relocated LPStart in an object must name the FDE's own section to be usable
      if (v.sec >= 0 && v.sec !== fde.pcSec) rd.fail('LPStart in another section');
      lpStart = v.value;
    }
    const ttypeEnc = rd.u8();
    if (ttypeEnc !== DW_EH_PE.omit) {
      if (!isValidPointerEncoding(ttypeEnc)) rd.fail(`bad TType encoding 0x${ttypeEnc.toString(16)}`, rd.pos - 1);
      rd.uleb();
    }
    const csEnc = rd.u8();
    // call-site fields are plain offsets: a format, no application
    if (csEnc === DW_EH_PE.omit || (csEnc & 0x70) !== 0 || !isValidPointerEncoding(csEnc)) {
      rd.fail(`unsupported call-site encoding 0x${csEnc.toString(16)}`, rd.pos - 1);
    }
    const fmt = csEnc & 0x0f;
    const tableLen = rd.uleb();
    const tableEnd = rd.pos + tableLen;
    if (tableEnd > rd.data.length) rd.fail(`call-site table length ${tableLen} runs past the section`);
    rd.end = tableEnd;
    while (rd.pos < tableEnd) {
      const start = ptr.readFormat(rd, fmt);
      const len = ptr.readFormat(rd, fmt);
      const lp = ptr.readFormat(rd, fmt);
      rd.uleb(); // action
      if (lp === 0) continue;
      this.push(funcStart + start, funcStart + start + len, lpStart + lp);
    }
    return this.count;
  }

  private push(start: number, end: number, lp: number): void {
    const n = this.count;
    if (n === this.csStart.length) {
      this.csStart = grown(this.csStart, this.csStart.length * 2);
      this.csEnd = grown(this.csEnd, this.csEnd.length * 2);
      this.landingPad = grown(this.landingPad, this.landingPad.length * 2);
    }
    this.csStart[n] = start;
    this.csEnd[n] = end;
    this.landingPad[n] = lp;
    this.count = n + 1;
  }

  /** The reader of the section holding the LSDA (its offset in `at`), or undefined. */
  private locate(cfi: CfiSection, sec: number, value: number): SectionReader | undefined {
    const elf = this.elf;
    let s = -1;
    let off = value;
    if (cfi.relocatable) {
      s = sec;
    } else {
      for (const h of elf.sections) {
        if (h.index !== 0 && h.addr !== 0 && h.type !== SHT_NOBITS && value >= h.addr && value < h.addr + h.size) {
          s = h.index;
          off = value - h.addr;
          break;
        }
      }
    }
    if (s <= 0 || s >= elf.sections.length) return undefined;
    let r = this.readers.get(s);
    if (r === undefined) {
      const h = elf.sections[s];
      r = h.type === SHT_NOBITS ? null : {
        rd: new ByteReader(elf.sectionData(h), elf.le, h.offset, h.name || 'LSDA'),
        ptr: new PointerDecoder(elf, h, 8),
      };
      this.readers.set(s, r);
    }
    if (!r || off < 0 || off >= r.rd.data.length) return undefined;
    this.at = off;
    return r;
  }
}

interface SectionReader {
  rd: ByteReader;
  ptr: PointerDecoder;
}


