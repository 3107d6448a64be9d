/**
 * Expected findings of the hand-written verify fixtures, read from the assembler's listing
 * (`as -al`): each source line marked `# BAD <rule>` / `// BAD <rule>` is an instruction whose
 * unwind row is wrong; the listing gives its offset in .text. The function it belongs to is the
 * last label defined above it.
 */
export interface PlantedError {
  func: string;
  off: number;
  rule: string;
}

export interface ListingFacts {
  planted: PlantedError[];
  /** functions (labels at the start of an FDE: `.cfi_startproc` follows) in order, with offsets */
  funcs: { name: string; off: number }[];
}

/** One listing line: the instruction's offset in its section (-1 for directives and labels) and its source, comments cut. */
export interface ListingLine { off: number; text: string }

/** Every non-empty source line of an `as -al` listing, in order (x86 `#` and AArch64 `//` comments cut). */
export function listingLines(text: string): ListingLine[] {
  const out: ListingLine[] = [];
  for (const raw of text.split('\n')) {
    const m = /^\s*\d+ (?:([0-9a-f]{4}) [0-9A-F]+)?\s+(.*)$/i.exec(raw);
    if (!m) continue;
    const src = m[2].replace(/(?:\/\/|#).*$/, '').trim();
    if (src) out.push({ off: m[1] ? parseInt(m[1], 16) : -1, text: src });
  }
  return out;
}

export function readListing(text: string): ListingFacts {
  const planted: PlantedError[] = [];
  const funcs: { name: string; off: number }[] = [];
  let label = '';
  let labelOff = -1;
  let pendingLabel = '';
  for (const line of text.split('\n')) {
    // "  58 002c 4889FB   \t\tmov %rdi, %rbx   # BAD cfa": line number, offset, bytes, source
    const m = /^\s*\d+\s+([0-9a-f]{4})\s+[0-9A-F]+\s+(.*)$/.exec(line);
    const src = m ? m[2] : line.replace(/^\s*\d+\s+/, '');
    const lab = /^\s*([A-Za-z_][A-Za-z0-9_]*):/.exec(src);
    if (lab) pendingLabel = lab[1];
    if (/\.cfi_startproc/.test(src) && pendingLabel) { label = pendingLabel; labelOff = -1; }
    if (!m) continue;
    const off = parseInt(m[1], 16);
    if (labelOff < 0 && label) { labelOff = off; funcs.push({ name: label, off }); }
    const bad = /(?:#|\/\/) BAD (\w+)/.exec(src);
    if (bad) planted.push({ func: label, off, rule: bad[1] });
  }
  return { planted, funcs };
}
