/**
 * Bad inputs for the CLI: small valid objects built here (x86-64 with a call, a jump table and an
 * .eh_frame; AArch64 with a frame and a call), and corrupted variants of any little-endian ELF64
 * object: prefixes, seeded byte flips, and targeted header damage (huge sizes and offsets, counts
 * past the end, sh_link loops, SHN_XINDEX without a table, zero entry sizes, huge e_shnum); and
 * damage inside the contents of chosen sections (`sectionCases`: call-frame records, symbols,
 * relocations, the kernel's patch-site, annotation and ORC tables, jump-table bounds, code).
 */
import { buildElf } from '../helpers/elf-builder.js';
import { bytes } from '../dwarf/bytes.js';

export interface BadCase {
  name: string;
  bytes: Uint8Array;
}

const SHT_RELA = 4;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STT_NOTYPE = 0;
const STT_FUNC = 2;
const STT_SECTION = 3;
const R_X86_64_64 = 1;
const R_X86_64_PC32 = 2;
const R_X86_64_PLT32 = 4;
const R_X86_64_32S = 11;
const R_AARCH64_CALL26 = 283;

/**
 * x86-64: f() { push rbp; mov rbp,rsp; call g; test eax,eax; je 1f; xor eax,eax; 1: pop rbp; ret }
 * and h(x) { switch (x) through an 8-byte jump table in .rodata }, with an .eh_frame FDE for f.
 */
export function validX86(): Uint8Array {
  const f = [0x55, 0x48, 0x89, 0xe5, 0xe8, 0, 0, 0, 0, 0x85, 0xc0, 0x74, 0x02, 0x31, 0xc0, 0x5d, 0xc3];
  // h at 17: cmp edi,3; ja default; mov edi,edi; jmp [rdi*8+table]; case: mov eax,1; ret; default: xor eax,eax; ret
  const h = [0x83, 0xff, 0x03, 0x77, 0x0f, 0x89, 0xff, 0xff, 0x24, 0xfd, 0, 0, 0, 0, 0xb8, 1, 0, 0, 0, 0xc3, 0x31, 0xc0, 0xc3];
  const text = Uint8Array.from([...f, ...h]);
  const ehFrame = x86EhFrame();
  return buildElf({
    sections: [
      { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: text, addralign: 16 },
      { name: '.rodata', flags: SHF_ALLOC, data: new Uint8Array(32), addralign: 8 },
      { name: '.eh_frame', flags: SHF_ALLOC, data: ehFrame.data, addralign: 8 },
    ],
    symbols: [
      { name: '', bind: STB_LOCAL, type: STT_SECTION, section: '.text' },
      { name: '', bind: STB_LOCAL, type: STT_SECTION, section: '.rodata' },
      { name: 'f', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: 0, size: 17 },
      { name: 'h', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: 17, size: 23 },
      { name: 'g', bind: STB_GLOBAL, type: STT_NOTYPE, section: 0 },
    ],
    relocs: [
      { section: '.text', offset: 5, sym: 'g', type: R_X86_64_PLT32, addend: -4 },
      { section: '.text', offset: 17 + 10, sym: 2, type: R_X86_64_32S, addend: 0 },
      { section: '.rodata', offset: 0, sym: 1, type: R_X86_64_64, addend: 17 + 14 },
      { section: '.rodata', offset: 8, sym: 1, type: R_X86_64_64, addend: 17 + 14 },
      { section: '.rodata', offset: 16, sym: 1, type: R_X86_64_64, addend: 17 + 20 },
      { section: '.rodata', offset: 24, sym: 1, type: R_X86_64_64, addend: 17 + 14 },
      { section: '.eh_frame', offset: ehFrame.pcBeginOffset, sym: 1, type: R_X86_64_PC32, addend: 0 },
    ],
  }).bytes;
}

/** AArch64: f() { stp x29,x30,[sp,#-16]!; mov x29,sp; bl g; ldp x29,x30,[sp],#16; ret } */
export function validArm64(): Uint8Array {
  const words = [0xa9bf7bfd, 0x910003fd, 0x94000000, 0xa8c17bfd, 0xd65f03c0];
  const text = new Uint8Array(words.length * 4);
  const dv = new DataView(text.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return buildElf({
    machine: 183,
    sections: [{ name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: text, addralign: 4 }],
    symbols: [
      { name: '', bind: STB_LOCAL, type: STT_SECTION, section: '.text' },
      { name: 'f', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', value: 0, size: 20 },
      { name: 'g', bind: STB_GLOBAL, type: STT_NOTYPE, section: 0 },
    ],
    relocs: [{ section: '.text', offset: 8, sym: 'g', type: R_AARCH64_CALL26 }],
    symtabShndx: true,
  }).bytes;
}

/** CIE (zR, pcrel sdata4, CFA rsp+8, RA at CFA-8) and one FDE for f's frame-pointer prologue. */
function x86EhFrame(): { data: Uint8Array; pcBeginOffset: number } {
  const cie = bytes().entry((b) => {
    b.u32(0).u8(1).str('zR').uleb(1).sleb(-8).uleb(16).uleb(1).u8(0x1b);
    b.u8(0x0c).uleb(7).uleb(8).u8(0x90).uleb(1); // def_cfa rsp+8; offset r16 at cfa-8
    while ((b.length + 4) % 8) b.u8(0);
  });
  const fdeStart = cie.length;
  const fde = bytes().entry((b) => {
    b.u32(fdeStart + 4); // CIE pointer: distance back to the CIE from this field
    b.u32(0).u32(17).uleb(0); // pc_begin (relocated), pc_range, augmentation data length
    b.u8(0x41).u8(0x0e).uleb(16).u8(0x86).uleb(2); // advance 1; cfa rsp+16; rbp at cfa-16
    b.u8(0x43).u8(0x0d).uleb(6); // advance 3; cfa = rbp
    b.u8(0x4b).u8(0x0c).uleb(7).uleb(8); // advance 11 (after pop rbp); cfa = rsp+8
    while ((b.length + 4) % 8) b.u8(0);
  });
  const data = bytes().raw(cie).raw(fde).u32(0).bytes();
  return { data, pcBeginOffset: fdeStart + 8 };
}

/** Every kind of damage below, applied to `base` (little-endian ELF64 with a section table). */
export function corruptions(base: Uint8Array, seed: number, flips: number, prefixes: number): BadCase[] {
  return [...prefixCases(base, prefixes), ...flipCases(base, seed, flips), ...headerCases(base)];
}

/** Prefixes: every boundary that matters (header, each section's start and end, the section table) plus an even spread. */
export function prefixCases(base: Uint8Array, count: number): BadCase[] {
  const cuts = new Set<number>([0, 1, 4, 5, 6, 15, 16, 17, 52, 63, 64, 65, base.length - 1]);
  const h = headers(base);
  if (h) {
    cuts.add(h.shoff).add(h.shoff + 1).add(h.shoff + 64).add(h.shoff + 63);
    for (const s of h.secs) { cuts.add(s.offset); cuts.add(s.offset + 1); cuts.add(s.offset + s.size - 1); }
  }
  for (let i = 0; i < count; i++) cuts.add(Math.floor((i * base.length) / count));
  return [...cuts].filter((n) => n >= 0 && n < base.length).sort((a, b) => a - b)
    .map((n) => ({ name: `prefix-${n}`, bytes: base.slice(0, n) }));
}

/** Seeded random damage: 1 to 4 bytes set to random values, half of them aimed at the ELF and section headers. */
export function flipCases(base: Uint8Array, seed: number, count: number): BadCase[] {
  const rnd = mulberry32(seed);
  const h = headers(base);
  const out: BadCase[] = [];
  for (let k = 0; k < count; k++) {
    const b = new Uint8Array(base); // a copy (Buffer.slice would share memory)
    const n = 1 + Math.floor(rnd() * 4);
    const where: string[] = [];
    for (let j = 0; j < n; j++) {
      let p: number;
      const r = rnd();
      if (h && r < 0.35) p = h.shoff + Math.floor(rnd() * h.shnum * 64);
      else if (r < 0.5) p = Math.floor(rnd() * 64);
      else p = Math.floor(rnd() * b.length);
      if (p >= b.length) p = b.length - 1;
      b[p] = Math.floor(rnd() * 256);
      where.push(p.toString(16));
    }
    out.push({ name: `flip-${seed}-${k}@${where.join(',')}`, bytes: b });
  }
  return out;
}

/** Targeted header damage. */
export function headerCases(base: Uint8Array): BadCase[] {
  const h = headers(base);
  if (!h) return [];
  const out: BadCase[] = [];
  const edit = (name: string, f: (dv: DataView, b: Uint8Array) => void): void => {
    const b = new Uint8Array(base); // a copy (Buffer.slice would share memory)
    f(new DataView(b.buffer), b);
    out.push({ name, bytes: b });
  };
  const sh = (i: number, field: number): number => h.shoff + i * 64 + field;
  const HUGE = 0xffffffffffffffffn;
  edit('e_shnum-0xffff', (dv) => dv.setUint16(60, 0xffff, true));
  edit('e_shnum-0-ext-huge', (dv) => { dv.setUint16(60, 0, true); dv.setBigUint64(sh(0, 32), HUGE, true); });
  edit('e_shnum-0-ext-2^31', (dv) => { dv.setUint16(60, 0, true); dv.setBigUint64(sh(0, 32), 0x80000000n, true); });
  edit('e_shstrndx-xindex-huge', (dv) => { dv.setUint16(62, 0xffff, true); dv.setUint32(sh(0, 40), 0xfffffff0, true); });
  edit('e_shstrndx-past-end', (dv) => dv.setUint16(62, h.shnum, true));
  edit('e_shstrndx-0', (dv) => dv.setUint16(62, 0, true));
  edit('e_shentsize-0', (dv) => dv.setUint16(58, 0, true));
  edit('e_shoff-huge', (dv) => dv.setBigUint64(40, HUGE, true));
  edit('e_shoff-2^53', (dv) => dv.setBigUint64(40, 1n << 53n, true));
  edit('e_shoff-unaligned', (dv) => dv.setBigUint64(40, BigInt(h.shoff + 1), true));
  edit('e_phoff-huge-phnum', (dv) => { dv.setBigUint64(32, HUGE, true); dv.setUint16(56, 0xffff, true); });
  edit('e_type-exec', (dv) => dv.setUint16(16, 2, true));
  edit('e_type-dyn', (dv) => dv.setUint16(16, 3, true));
  edit('e_machine-i386', (dv) => dv.setUint16(18, 3, true));
  edit('e_machine-swapped', (dv) => dv.setUint16(18, dv.getUint16(18, true) === 62 ? 183 : 62, true));
  edit('ei_class-32', (_dv, b) => { b[4] = 1; });
  edit('ei_data-big-endian', (_dv, b) => { b[5] = 2; });
  for (const s of h.secs) {
    const i = s.index;
    const tag = `sec${i}-${s.name || 'null'}`;
    edit(`${tag}-size-huge`, (dv) => dv.setBigUint64(sh(i, 32), HUGE, true));
    edit(`${tag}-size-2^53+1`, (dv) => dv.setBigUint64(sh(i, 32), (1n << 53n) + 1n, true));
    edit(`${tag}-size-past-end`, (dv) => dv.setBigUint64(sh(i, 32), BigInt(base.length - s.offset + 1), true));
    edit(`${tag}-offset-huge`, (dv) => dv.setBigUint64(sh(i, 24), HUGE - 7n, true));
    edit(`${tag}-offset-past-end`, (dv) => dv.setBigUint64(sh(i, 24), BigInt(base.length), true));
    edit(`${tag}-name-past-end`, (dv) => dv.setUint32(sh(i, 0), 0xfffffff0, true));
    edit(`${tag}-link-self`, (dv) => dv.setUint32(sh(i, 40), i, true));
    edit(`${tag}-link-huge`, (dv) => dv.setUint32(sh(i, 40), 0xffffffff, true));
    edit(`${tag}-info-self`, (dv) => dv.setUint32(sh(i, 44), i, true));
    edit(`${tag}-info-huge`, (dv) => dv.setUint32(sh(i, 44), 0xffffffff, true));
    edit(`${tag}-entsize-0`, (dv) => dv.setBigUint64(sh(i, 56), 0n, true));
    edit(`${tag}-entsize-huge`, (dv) => dv.setBigUint64(sh(i, 56), HUGE, true));
    edit(`${tag}-align-huge`, (dv) => dv.setBigUint64(sh(i, 48), 1n << 63n, true));
    edit(`${tag}-addr-huge`, (dv) => dv.setBigUint64(sh(i, 16), HUGE - 3n, true));
    if (s.type !== SHT_NOBITS) edit(`${tag}-nobits`, (dv) => dv.setUint32(sh(i, 4), SHT_NOBITS, true));
    if (s.type === SHT_SYMTAB) {
      edit(`${tag}-count-past-end`, (dv) => dv.setBigUint64(sh(i, 32), BigInt(s.size + 24 * 1000), true));
      edit(`${tag}-size-not-multiple`, (dv) => dv.setBigUint64(sh(i, 32), BigInt(s.size - 5), true));
      // every symbol: SHN_XINDEX (the base may or may not have .symtab_shndx), huge value and size, name past the end
      edit(`${tag}-all-xindex`, (dv) => { for (let p = s.offset + 24; p < s.offset + s.size; p += 24) dv.setUint16(p + 6, 0xffff, true); });
      edit(`${tag}-all-shndx-huge`, (dv) => { for (let p = s.offset + 24; p < s.offset + s.size; p += 24) dv.setUint16(p + 6, 0xfeff, true); });
      edit(`${tag}-all-value-size-huge`, (dv) => {
        for (let p = s.offset + 24; p < s.offset + s.size; p += 24) { dv.setBigUint64(p + 8, HUGE - 15n, true); dv.setBigUint64(p + 16, HUGE, true); }
      });
      edit(`${tag}-all-size-2^40`, (dv) => { for (let p = s.offset + 24; p < s.offset + s.size; p += 24) dv.setBigUint64(p + 16, 1n << 40n, true); });
      edit(`${tag}-all-name-huge`, (dv) => { for (let p = s.offset + 24; p < s.offset + s.size; p += 24) dv.setUint32(p, 0xffffff00, true); });
      edit(`${tag}-all-func`, (_dv, b) => { for (let p = s.offset + 24; p < s.offset + s.size; p += 24) b[p + 4] = (b[p + 4] & 0xf0) | STT_FUNC; });
      edit(`${tag}-info-0`, (dv) => dv.setUint32(sh(i, 44), 0, true));
      edit(`${tag}-xindex-table-removed`, (dv) => {
        for (const x of h.secs) if (x.type === 18) dv.setUint32(sh(x.index, 4), 1, true);
        dv.setUint16(s.offset + 24 + 6, 0xffff, true);
      });
    }
    if (s.type === SHT_RELA) {
      edit(`${tag}-count-past-end`, (dv) => dv.setBigUint64(sh(i, 32), BigInt(s.size + 24 * 1000), true));
      edit(`${tag}-all-sym-huge`, (dv) => { for (let p = s.offset; p < s.offset + s.size; p += 24) dv.setUint32(p + 12, 0xfffffff0, true); });
      edit(`${tag}-all-offset-huge`, (dv) => { for (let p = s.offset; p < s.offset + s.size; p += 24) dv.setBigUint64(p, HUGE - 3n, true); });
      edit(`${tag}-all-offset-past-section`, (dv) => { for (let p = s.offset; p < s.offset + s.size; p += 24) dv.setBigUint64(p, 0x100000n, true); });
      edit(`${tag}-all-addend-huge`, (dv) => { for (let p = s.offset; p < s.offset + s.size; p += 24) dv.setBigInt64(p + 16, -(1n << 62n), true); });
      edit(`${tag}-all-type-huge`, (dv) => { for (let p = s.offset; p < s.offset + s.size; p += 24) dv.setUint32(p + 8, 0xffffffff, true); });
      edit(`${tag}-rel-type`, (dv) => dv.setUint32(sh(i, 4), 9, true));
    }
  }
  // a loop through sh_link: symtab -> strtab -> symtab
  const symtab = h.secs.find((s) => s.type === SHT_SYMTAB);
  if (symtab) {
    edit('sh_link-loop', (dv) => {
      const str = dv.getUint32(sh(symtab.index, 40), true);
      if (str < h.shnum) { dv.setUint32(sh(str, 40), symtab.index, true); dv.setUint32(sh(str, 4), SHT_SYMTAB, true); dv.setBigUint64(sh(str, 56), 24n, true); }
    });
  }
  return out;
}

/**
 * The section-content sections `sectionCases` aims at by default: name prefixes (an entry ending
 * in `*`) or exact names. Each entry is one group; a case picks a group first, then one of its
 * sections, so the hundreds of `.rela.*` sections of a kernel object do not crowd out the one
 * `.eh_frame`.
 */
export const CONTENT_SECTIONS: readonly string[] = [
  '.eh_frame', '.eh_frame_hdr', '.debug_frame', '.gcc_except_table*', '.symtab', '.strtab', '.rela*', '.rel.*',
  '.dynsym', '.dynstr', '.dynamic', '.orc_unwind', '.orc_unwind_ip', '.orc_header', '.altinstructions', '.altinstr_replacement',
  '__jump_table', '.static_call_sites', '.return_sites', '.retpoline_sites', '.call_sites', '.discard.*', '__ex_table',
  '__bug_table', '.rodata*', '.data.rel.ro*', '.text*', '.init.text', '.noinstr.text', '.symtab_shndx', '.plt*', '.got*',
];

const SHT_REL = 9;
const SHT_DYNSYM = 11;
const SHT_DYNAMIC = 6;

/**
 * Seeded damage inside the contents of chosen sections (see CONTENT_SECTIONS): byte flips; a 1-,
 * 2-, 4- or 8-byte field set to 0, all ones, a huge value or a small one, aimed at entry fields
 * where the section has fixed-size entries (symbols, relocations, dynamic tags) and at record
 * fields in call-frame sections (a CIE/FDE length cut short or stretched, a CIE pointer moved, an
 * augmentation or pointer-encoding byte changed). The same seed gives the same cases.
 */
export function sectionCases(base: Uint8Array, seed: number, count: number, names: readonly string[] = CONTENT_SECTIONS): BadCase[] {
  const h = headers(base);
  if (!h) return [];
  const groups: Headers['secs'][] = [];
  for (const pat of names) {
    const hit = h.secs.filter((s) => s.type !== SHT_NOBITS && s.size > 0 && s.offset + s.size <= base.length
      && (pat.endsWith('*') ? s.name.startsWith(pat.slice(0, -1)) : s.name === pat));
    if (hit.length) groups.push(hit);
  }
  if (groups.length === 0) return [];
  const rnd = mulberry32(seed);
  const pick = (n: number): number => Math.min(n - 1, Math.floor(rnd() * n));
  const out: BadCase[] = [];
  for (let k = 0; k < count; k++) {
    const grp = groups[pick(groups.length)];
    const sec = grp[pick(grp.length)];
    const b = new Uint8Array(base); // a copy (Buffer.slice would share memory)
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const m = rnd();
    // mostly one change; some cases get a few, some a burst of many in the same section
    const n = m < 0.6 ? 1 : m < 0.9 ? 2 + pick(3) : 8 + pick(25);
    const what: string[] = [];
    for (let j = 0; j < n; j++) what.push(mutateContent(b, dv, sec, rnd, pick));
    if (what.length > 6) what.splice(3, what.length - 4, `...${what.length - 4} more...`);
    out.push({ name: `sec-${seed}-${k}-${sec.name}:${what.join(',')}`, bytes: b });
  }
  return out;
}

type Sec = Headers['secs'][number];

/** One mutation inside `sec`; returns a short description (kind@offset-in-section). */
function mutateContent(b: Uint8Array, dv: DataView, sec: Sec, rnd: () => number, pick: (n: number) => number): string {
  const r = rnd();
  if (/^\.(text|init\.text|noinstr\.text)/.test(sec.name) && r < 0.3) {
    const at = boundCompare(b, sec, dv.getUint16(18, true) === 183, pick);
    if (at) return at;
  }
  if ((sec.name === '.strtab' || sec.name === '.dynstr') && r < 0.4) return renameSymbol(b, sec, pick);
  if (r < 0.25) {
    const at = pick(sec.size);
    b[sec.offset + at] = pick(256);
    return `byte@${at.toString(16)}`;
  }
  const ent = entryLayout(sec);
  if (ent && r < 0.33 && sec.size >= 2 * ent.size) {
    // one entry copied over another: duplicate relocations, symbols, sites; unsorted tables
    const count = Math.floor(sec.size / ent.size);
    const from = pick(count);
    const to = pick(count);
    b.copyWithin(sec.offset + to * ent.size, sec.offset + from * ent.size, sec.offset + (from + 1) * ent.size);
    return `copy-e${from}-to-e${to}`;
  }
  if (ent && r < 0.7 && sec.size >= ent.size) {
    const e = pick(Math.floor(sec.size / ent.size));
    const [fo, w] = ent.fields[pick(ent.fields.length)];
    return setField(dv, sec, e * ent.size + fo, w, rnd, pick, `e${e}`);
  }
  if (/^\.(eh_frame|debug_frame)$/.test(sec.name) && r < 0.75) {
    const rec = frameRecords(dv, sec, sec.name === '.eh_frame');
    if (rec.length) {
      const [at, len] = rec[pick(rec.length)];
      const k = rnd();
      if (k < 0.35) {
        // the length field: cut short, stretched, the 64-bit escape, zero (a terminator mid-section)
        const vals = [0, 1, 4, 8, Math.max(0, len - 1), Math.max(0, len - 4), len + 4, len + 0x1000, 0xffffffff, 0xfffffff0, 0x7fffffff];
        const v = vals[pick(vals.length)];
        dv.setUint32(sec.offset + at, v >>> 0, true);
        return `len@${at.toString(16)}=${v.toString(16)}`;
      }
      if (k < 0.6 && len >= 8) return setField(dv, sec, at + 4, 4, rnd, pick, 'id');
      if (len > 4) {
        const inner = at + 8 + pick(Math.max(1, Math.min(len - 4, 24)));
        if (inner < sec.size) {
          const small = [0x00, 0x01, 0x03, 0x0b, 0x1b, 0x9b, 0x50, 0x80, 0xff, 0x7f, 0x3b];
          b[sec.offset + inner] = rnd() < 0.5 ? small[pick(small.length)] : pick(256);
          return `rec-byte@${inner.toString(16)}`;
        }
      }
    }
  }
  const w = [1, 2, 4, 4, 8][pick(5)];
  const at = w === 1 ? pick(sec.size) : Math.floor(pick(Math.max(1, Math.floor(sec.size / w))) * w);
  return setField(dv, sec, at, w, rnd, pick, 'f');
}

/**
 * Names the analysis treats specially (objtool's tables of thunks, noreturn functions, static-call
 * trampolines, prefix and `.cold` parts, sanitizer and ftrace calls), written over a name in a
 * string table.
 */
const SPECIAL_NAMES = [
  '__x86_return_thunk', '__x86_indirect_thunk_rax', '__x86_indirect_call_thunk_r11', '__SCT__tp_func_x', '__SCK__x',
  '__pfx_', '__cfi_', 'x.cold', '.cold', '__fentry__', '__sanitizer_cov_trace_pc', '__stack_chk_fail', 'do_exit', 'panic',
  '__ubsan_handle_load_invalid_value', '__kasan_check_read', 'lockdep_assert', '__static_call_return0', '.L', 'memcpy',
  '__x86_indirect_jump_thunk_rax', 'srso_return_thunk', '__warn_printk', '__tsan_func_entry', 'longjmp', '_Unwind_Resume', '__cxa_throw',
];

/** Overwrites one name of a string table (at a string start) with one of SPECIAL_NAMES, NUL-terminated. */
function renameSymbol(b: Uint8Array, sec: Sec, pick: (n: number) => number): string {
  const starts: number[] = [];
  for (let i = 1; i < sec.size && starts.length < 100_000; i++) if (b[sec.offset + i - 1] === 0 && b[sec.offset + i] !== 0) starts.push(i);
  if (starts.length === 0) return 'rename-skip';
  const at = starts[pick(starts.length)];
  let name = SPECIAL_NAMES[pick(SPECIAL_NAMES.length)];
  // a suffix keeps the old name's start (`foo.cold`), a prefix or a whole name replaces it
  if (name.startsWith('.') && name !== '.L') {
    let e = at;
    while (e < sec.size && b[sec.offset + e] !== 0) e++;
    const from = Math.max(at, e - name.length);
    for (let k = 0; k < name.length && from + k < sec.size - 1; k++) b[sec.offset + from + k] = name.charCodeAt(k);
    if (from + name.length < sec.size) b[sec.offset + from + name.length] = 0;
    return `name@${at.toString(16)}+${name}`;
  }
  if (name === '.L' || name === '__pfx_' || name === '__cfi_') name += 'x';
  const n = Math.min(name.length, sec.size - 1 - at);
  for (let k = 0; k < n; k++) b[sec.offset + at + k] = name.charCodeAt(k);
  b[sec.offset + at + n] = 0;
  return `name@${at.toString(16)}=${name.slice(0, n)}`;
}

/**
 * A jump table's bound: the immediate of one compare-with-immediate in the code (x86 `cmp r/m, imm8`
 * or `imm32`, `cmp eax, imm32`; AArch64 `cmp wN|xN, #imm12`) set to 0, a small value or the largest
 * one, so that a switch recogniser believes a table of that many entries. Undefined when the
 * section has none.
 */
function boundCompare(b: Uint8Array, sec: Sec, arm64: boolean, pick: (n: number) => number): string | undefined {
  const sites: number[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (arm64) {
    for (let p = sec.offset; p + 4 <= sec.offset + sec.size && sites.length < 4096; p += 4) {
      if ((dv.getUint32(p, true) & 0x7f80001f) === 0x7100001f) sites.push(p);
    }
  } else {
    for (let p = sec.offset; p + 6 <= sec.offset + sec.size && sites.length < 4096; p++) {
      const op = b[p];
      if ((op === 0x83 || op === 0x81) && b[p + 1] >= 0xf8) sites.push(p);
      else if (op === 0x3d && (b[p - 1] === 0x48 || p === sec.offset || b[p - 1] < 0x40)) sites.push(p);
    }
  }
  if (sites.length === 0) return undefined;
  const p = sites[pick(sites.length)];
  const rel = (p - sec.offset).toString(16);
  if (arm64) {
    const w = dv.getUint32(p, true);
    const imm = [0, 1, 0xfff, 0x800][pick(4)];
    const shift = pick(2);
    dv.setUint32(p, ((w & ~(0x1fff << 10)) | (shift << 22) | (imm << 10)) >>> 0, true);
    return `bound@${rel}=${imm << (12 * shift)}`;
  }
  const imm8 = b[p] === 0x83;
  const at = b[p] === 0x3d ? p + 1 : p + 2;
  const vals = imm8 ? [0, 1, 0x7f, 0xff] : [0, 1, 0x7fffffff, 0xffffffff, 0x10000, 0x1000000];
  const v = vals[pick(vals.length)];
  if (imm8) b[at] = v; else dv.setUint32(at, v >>> 0, true);
  return `bound@${rel}=${v.toString(16)}`;
}

/** Set a `w`-byte little-endian field at `at` (section-relative) to one of the values that hurt. */
function setField(dv: DataView, sec: Sec, at: number, w: number, rnd: () => number, pick: (n: number) => number, tag: string): string {
  if (at + w > sec.size) w = sec.size - at >= 4 ? 4 : 1;
  if (at + w > sec.size) return `${tag}-skip`;
  const p = sec.offset + at;
  const kinds = ['zero', 'ones', 'huge', 'small', 'neg', 'plus'];
  const kind = kinds[pick(kinds.length)];
  const bits = BigInt(w * 8);
  const mask = (1n << bits) - 1n;
  const old = w === 1 ? BigInt(dv.getUint8(p)) : w === 2 ? BigInt(dv.getUint16(p, true)) : w === 4 ? BigInt(dv.getUint32(p, true)) : dv.getBigUint64(p, true);
  let v: bigint;
  switch (kind) {
    case 'zero': v = 0n; break;
    case 'ones': v = mask; break;
    case 'huge': v = [mask >> 1n, mask - 15n, 1n << (bits - 1n), w >= 4 ? 0x7ffffff0n : mask - 1n, w === 8 ? 1n << 40n : mask >> 2n][pick(5)] & mask; break;
    case 'small': v = BigInt(1 + pick(16)); break;
    case 'neg': v = (mask - BigInt(pick(64))) & mask; break;
    default: v = (old + BigInt(1 + pick(64)) * (rnd() < 0.5 ? 1n : 4096n)) & mask; break;
  }
  if (w === 1) dv.setUint8(p, Number(v));
  else if (w === 2) dv.setUint16(p, Number(v), true);
  else if (w === 4) dv.setUint32(p, Number(v), true);
  else dv.setBigUint64(p, v, true);
  return `${tag}+${at.toString(16)}/${w}=${kind}`;
}

/** Fields (offset, width) of fixed-size entries, for the sections that have them. */
function entryLayout(sec: Sec): { size: number; fields: [number, number][] } | undefined {
  if (sec.type === SHT_SYMTAB || sec.type === SHT_DYNSYM) return { size: 24, fields: [[0, 4], [4, 1], [5, 1], [6, 2], [8, 8], [16, 8]] };
  if (sec.type === SHT_RELA) return { size: 24, fields: [[0, 8], [8, 4], [12, 4], [16, 8]] };
  if (sec.type === SHT_REL) return { size: 16, fields: [[0, 8], [8, 4], [12, 4]] };
  if (sec.type === SHT_DYNAMIC) return { size: 16, fields: [[0, 8], [8, 8]] };
  if (sec.name === '.symtab_shndx') return { size: 4, fields: [[0, 4]] };
  if (sec.name === '.orc_unwind') return { size: 6, fields: [[0, 2], [2, 2], [4, 1], [5, 1]] };
  if (sec.name === '.discard.unwind_hints') return { size: 12, fields: [[0, 4], [4, 2], [6, 1], [7, 1], [8, 1]] };
  if (/^\.(orc_unwind_ip|return_sites|retpoline_sites|call_sites)$/.test(sec.name) || sec.name.startsWith('.discard.')) return { size: 4, fields: [[0, 4]] };
  if (sec.name === '.static_call_sites') return { size: 8, fields: [[0, 4], [4, 4]] };
  if (sec.name === '__jump_table') return { size: 16, fields: [[0, 4], [4, 4], [8, 8]] };
  if (sec.name === '__ex_table') return { size: 12, fields: [[0, 4], [4, 4], [8, 4]] };
  if (sec.name === '.altinstructions') return { size: 14, fields: [[0, 4], [4, 4], [8, 4], [12, 1], [13, 1]] };
  return undefined;
}

/** The CIE/FDE records of a call-frame section: [offset, length field value] (32-bit lengths only). */
function frameRecords(dv: DataView, sec: Sec, eh: boolean): [number, number][] {
  const out: [number, number][] = [];
  let at = 0;
  while (at + 4 <= sec.size && out.length < 100_000) {
    const len = dv.getUint32(sec.offset + at, true);
    if (len === 0) { if (eh) break; at += 4; continue; }
    if (len >= 0xfffffff0) break;
    out.push([at, len]);
    at += 4 + len;
  }
  return out;
}

interface Headers {
  shoff: number;
  shnum: number;
  secs: { index: number; name: string; type: number; offset: number; size: number }[];
}

/** The section table of a well-formed little-endian ELF64 base object (undefined when it has none). */
export function headers(b: Uint8Array): Headers | undefined {
  if (b.length < 64 || b[4] !== 2 || b[5] !== 1) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shoff = Number(dv.getBigUint64(40, true));
  const shnum = dv.getUint16(60, true);
  const shstrndx = dv.getUint16(62, true);
  if (shoff === 0 || shoff + shnum * 64 > b.length || shstrndx >= shnum) return undefined;
  const strOff = Number(dv.getBigUint64(shoff + shstrndx * 64 + 24, true));
  const secs: Headers['secs'] = [];
  for (let i = 0; i < shnum; i++) {
    const p = shoff + i * 64;
    let n = strOff + dv.getUint32(p, true);
    let name = '';
    while (n < b.length && b[n] !== 0 && name.length < 64) name += String.fromCharCode(b[n++]);
    secs.push({ index: i, name, type: dv.getUint32(p + 4, true), offset: Number(dv.getBigUint64(p + 24, true)), size: Number(dv.getBigUint64(p + 32, true)) });
  }
  return { shoff, shnum, secs };
}

/** A small fast PRNG with a fixed seed, so every run sees the same inputs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
