/**
 * Where an FDE's code is: the executable section and the instruction rows it covers. Relocatable
 * objects name the section (`pcSec`) and give offsets; linked files give addresses, which are
 * looked up among the executable sections.
 */
import { SHF_EXECINSTR } from '../elf/constants.js';
import type { Fde } from '../dwarf/index.js';
import type { Program } from './program.js';

export interface FdeCode {
  sec: number;
  /** address of offset 0 of `sec` in FDE coordinates (0 in relocatable files) */
  base: number;
  /** first row, -1 when the FDE start is not an instruction boundary */
  first: number;
}

export class CodeSections {
  private readonly secs: number[] = [];
  /** no two executable sections share an address */
  private readonly disjoint: boolean;
  /** the section of the last FDE located by address, or -1 */
  private lastSec = -1;

  constructor(private readonly p: Program) {
    for (const s of p.elf.sections) {
      if (s.index !== 0 && (Number(s.flags) & SHF_EXECINSTR) && s.size > 0) this.secs.push(s.index);
    }
    const byAddr = this.secs.map((k) => p.elf.sections[k]).sort((a, b) => a.addr - b.addr);
    let disjoint = true;
    for (let k = 1; k < byAddr.length; k++) if (byAddr[k].addr < byAddr[k - 1].addr + byAddr[k - 1].size) disjoint = false;
    this.disjoint = disjoint;
  }

  /** The code an FDE covers, or undefined when its start lies in no executable section. */
  locate(fde: Fde): FdeCode | undefined {
    const p = this.p;
    const linked = p.elf.type !== 1;
    let sec = -1;
    if (!linked) {
      sec = fde.pcSec;
      if (sec < 0 || sec >= p.elf.sections.length || !(Number(p.elf.sections[sec].flags) & SHF_EXECINSTR)) return undefined;
    } else {
      // FDEs come mostly in address order: most lie in the section of the one before (the only
      // one holding the address when no two sections overlap)
      const last = this.lastSec >= 0 ? p.elf.sections[this.lastSec] : undefined;
      if (this.disjoint && last && fde.pcBegin >= last.addr && fde.pcBegin < last.addr + last.size) {
        sec = this.lastSec;
      } else {
        for (const s of this.secs) {
          const h = p.elf.sections[s];
          if (fde.pcBegin >= h.addr && fde.pcBegin < h.addr + h.size) { sec = s; break; }
        }
        if (sec < 0) return undefined;
        this.lastSec = sec;
      }
    }
    const base = linked ? p.elf.sections[sec].addr : 0;
    if (fde.pcBegin - base >= p.elf.sections[sec].size) return undefined;
    return { sec, base, first: p.find(sec, fde.pcBegin - base) };
  }
}
