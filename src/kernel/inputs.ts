/**
 * Everything objtool 6.12 reads from a kernel object besides code and symbols, in one value:
 * special tables (`special.ts`), `.discard.*` annotations (`annotations.ts`), unwind hints
 * (`unwind-hints.ts`), and the generated sections the input already has (objtool then warns and
 * skips generating them). The analysis consumes these in `OBJTOOL_READ_ORDER`.
 *
 * Not read by objtool 6.12 for x86 with kbuild's options, hence not here: `.discard.addressable`
 * (__ADDRESSABLE), `.discard.ibt_endbr_noseal` (under --ibt its relocations are checked as data, `checks/ibt.ts`), `.static_call_sites`,
 * `__mcount_loc` and the other generated sections beyond the "already has" check. The `pv_ops` tables,
 * read only under --noinstr (kbuild's vmlinux.o run), are `pv-ops.ts`'.
 */
import type { ElfFile } from '../elf/reader.js';
import { readAnnotations, type AnnotationKind, type AnnotationTable } from './annotations.js';
import { GENERATED_SECTIONS } from './names.js';
import { findSectionByName } from './reloc-lookup.js';
import { readSpecialAlts, type SpecialAlts, type SpecialOptions } from './special.js';
import { readUnwindHints, type UnwindHints } from './unwind-hints.js';
import { plainWarning, type KernelWarning } from './warnings.js';

export interface KernelInputs {
  readonly special: SpecialAlts;
  readonly annotations: Record<AnnotationKind, AnnotationTable>;
  readonly hints: UnwindHints;
  /** generated sections present in the input, by name, with objtool's (non-fatal) warning */
  readonly preexisting: ReadonlyMap<string, KernelWarning>;
}

export function readKernelInputs(elf: ElfFile, opts: SpecialOptions): KernelInputs {
  return {
    special: readSpecialAlts(elf, opts),
    annotations: readAnnotations(elf),
    hints: readUnwindHints(elf),
    preexisting: preexistingGeneratedSections(elf),
  };
}

/**
 * Generated sections the file already has. objtool prints each warning at the point it would
 * generate that section (its option on, after validation; see GENERATED_SECTIONS for the order and
 * the .orc_unwind exception) and skips it.
 */
export function preexistingGeneratedSections(elf: ElfFile): ReadonlyMap<string, KernelWarning> {
  const out = new Map<string, KernelWarning>();
  for (const g of GENERATED_SECTIONS) {
    if (findSectionByName(elf, g.name) >= 0) out.set(g.name, plainWarning(g.warning, g.fatal === true));
  }
  return out;
}
