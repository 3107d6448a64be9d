/**
 * Functions the symbol table does not name, for analysing linked userspace files: PLT stubs (named
 * `NAME@plt` after the dynamic relocation of their GOT slot, as objdump names them) and code an FDE
 * covers where no function symbol starts (stripped binaries, hand-written assembly without `.type`).
 */
import { SHF_EXECINSTR, SHT_RELA } from '../elf/constants.js';
import type { ElfFile } from '../elf/reader.js';
import { readCfi } from '../dwarf/cfi.js';

export interface SyntheticFunction {
  name: string;
  sec: number;
  /** section offset */
  offset: number;
  len: number;
}

const R_X86_64_JUMP_SLOT = 7;
const R_AARCH64_JUMP_SLOT = 1026;

/** PLT stubs and FDE-covered code without a function symbol; `covered(sec, off)` says where one starts. */
export function syntheticFunctions(elf: ElfFile, covered: (sec: number, off: number) => boolean): SyntheticFunction[] {
  if (elf.type === 1) return [];
  const out: SyntheticFunction[] = [];
  pltStubs(elf, out);
  const taken = new Set(out.map((f) => `${f.sec}:${f.offset}`));
  let cfi;
  try {
    cfi = readCfi(elf, 'eh_frame');
  } catch {
    cfi = undefined; // a broken .eh_frame only costs the FDE-derived functions
  }
  if (cfi) {
    for (const fde of cfi.fdes) {
      const sec = sectionAt(elf, fde.pcBegin);
      if (sec < 0) continue;
      const off = fde.pcBegin - elf.sections[sec].addr;
      if (covered(sec, off) || taken.has(`${sec}:${off}`)) continue;
      out.push({ name: `fde_${fde.pcBegin.toString(16)}`, sec, offset: off, len: fde.pcRange });
    }
  }
  return out;
}

function sectionAt(elf: ElfFile, addr: number): number {
  for (const s of elf.sections) {
    if ((Number(s.flags) & SHF_EXECINSTR) && addr >= s.addr && addr < s.addr + s.size) return s.index;
  }
  return -1;
}

/** `.plt` (PLT0 plus one 16-byte stub per JUMP_SLOT), `.plt.sec` and `.plt.got` stubs. */
function pltStubs(elf: ElfFile, out: SyntheticFunction[]): void {
  const slots = jumpSlotNames(elf);
  const x86 = elf.machine === 62;
  const plt = elf.section('.plt');
  const pltSec = elf.section('.plt.sec');
  if (plt && plt.size > 0) {
    const head = x86 ? 16 : 32;
    out.push({ name: '.plt', sec: plt.index, offset: 0, len: Math.min(head, plt.size) });
    // with .plt.sec (IBT), the .plt entries are the lazy-binding halves; names go to .plt.sec
    for (let k = 0, off = head; off + 16 <= plt.size; k++, off += 16) {
      if (pltSec || !x86) {
        out.push({ name: pltSec ? `.plt+${off.toString(16)}` : `${slots[k] ?? `plt${k}`}@plt`, sec: plt.index, offset: off, len: 16 });
        continue;
      }
      // x86 lazy binding: `jmp *GOT` (6 bytes), then `push $k; jmp PLT0`, entered through the GOT
      const name = `${slots[k] ?? `plt${k}`}@plt`;
      out.push({ name, sec: plt.index, offset: off, len: 6 });
      out.push({ name: `${name}.lazy`, sec: plt.index, offset: off + 6, len: 10 });
    }
  }
  if (pltSec && pltSec.size > 0) {
    for (let k = 0, off = 0; off + 16 <= pltSec.size; k++, off += 16) {
      out.push({ name: `${slots[k] ?? `plt${k}`}@plt`, sec: pltSec.index, offset: off, len: 16 });
    }
  }
  const got = elf.section('.plt.got');
  if (got && got.size > 0) {
    // 8-byte `jmp *GOT; xchg %ax,%ax` stubs, 16 bytes when they start with endbr64 (IBT)
    const b = elf.sectionData(got);
    const step = x86 && b[0] === 0xf3 && b[1] === 0x0f && b[2] === 0x1e && b[3] === 0xfa ? 16 : x86 ? 8 : 16;
    for (let off = 0; off + step <= got.size; off += step) out.push({ name: `.plt.got+${off.toString(16)}`, sec: got.index, offset: off, len: step });
  }
}

/** Names of the JUMP_SLOT relocations in order (PLT entry k ↔ relocation k). */
function jumpSlotNames(elf: ElfFile): string[] {
  const names: string[] = [];
  const rel = elf.section('.rela.plt');
  if (!rel || rel.type !== SHT_RELA || !elf.dynsym) return names;
  const t = elf.relocs(rel.index);
  for (let i = 0; i < t.count; i++) {
    const ty = t.type[i];
    if (ty !== R_X86_64_JUMP_SLOT && ty !== R_AARCH64_JUMP_SLOT) continue;
    names.push(elf.dynsym.name(t.sym[i]));
  }
  return names;
}
