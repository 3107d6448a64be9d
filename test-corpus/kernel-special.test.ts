/**
 * Kernel tables read by src/kernel/ compared, entry by entry, with an independent oracle:
 * `readelf -SW` (section names), `readelf -Ws` (symbols), `readelf -Wr` (relocations, with the symbol
 * index taken from r_info) and `objdump -s -j SEC` (table bytes), parsed here with a few lines of
 * text processing. Inputs: the kernel object corpus (x86-gcc, x86-clang, arm64-* when present) and
 * objects assembled here from sources mimicking the kernel macros. A third part runs the real
 * objtool on broken tables and checks the warning texts and places we report for them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElfFile } from '../src/elf/reader.js';
import { readSpecialAlts, type SpecialAlt } from '../src/kernel/special.js';
import { readAnnotation, type AnnotationKind } from '../src/kernel/annotations.js';
import { readUnwindHints } from '../src/kernel/unwind-hints.js';
import { MSG, type KernelWarning } from '../src/kernel/warnings.js';

const CORPUS = '/root/.cache/objcorpus/corpus';
import { OBJTOOL } from './helpers/objtool-tools.js';
const KBUILD_ARGS = ['--hacks=jump_label', '--hacks=noinstr', '--hacks=skylake', '--orc', '--retpoline', '--rethunk', '--static-call', '--uaccess', '--prefix=16'];
const X86_FEATURE_POPCNT = 151;
const X86_FEATURE_SMAP = 308;

// ---------- oracle: text from binutils ----------

interface ORel { off: number; sym: number; addend: number }
interface OSym { value: number; size: number; type: string; ndx: number; name: string }
interface Oracle { secNames: string[]; syms: OSym[]; relocs: Map<string, ORel[]>; tool: string }

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'latin1', maxBuffer: 1 << 28 });
}

function oracle(path: string, arm64: boolean): Oracle {
  const readelf = arm64 && hasTool('aarch64-linux-gnu-readelf') ? 'aarch64-linux-gnu-readelf' : 'readelf';
  const secNames: string[] = [];
  for (const line of run(readelf, ['-SW', path]).split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s(\S*)\s/.exec(line);
    if (m) secNames[Number(m[1])] = m[1] === '0' ? '' : m[2];
  }
  const syms: OSym[] = [];
  let inSymtab = false;
  for (const line of run(readelf, ['-Ws', path]).split('\n')) {
    if (line.startsWith('Symbol table')) inSymtab = line.includes("'.symtab'");
    const m = /^\s*(\d+): ([0-9a-f]+)\s+(0x[0-9a-f]+|\d+) (\S+)\s+(\S+)\s+(\S+)\s+(\S+) ?(.*)$/.exec(line);
    if (!m || !inSymtab) continue;
    const ndx = /^\d+$/.test(m[7]) ? Number(m[7]) : 0;
    syms[Number(m[1])] = { value: parseInt(m[2], 16), size: Number(m[3]), type: m[4], ndx, name: m[8] };
  }
  const relocs = new Map<string, ORel[]>();
  let cur: ORel[] | undefined;
  for (const line of run(readelf, ['-Wr', path]).split('\n')) {
    const h = /^Relocation section '([^']*)'/.exec(line);
    if (h) { cur = []; relocs.set(h[1], cur); continue; }
    const m = /^([0-9a-f]{16})\s+([0-9a-f]{16})\s+\S+\s+(?:[0-9a-f]{16}\s+.*?\s([+-])\s([0-9a-f]+)|([+-]?[0-9a-f]+))\s*$/.exec(line);
    if (!m || !cur) continue;
    const sym = Number(BigInt('0x' + m[2]) >> 32n);
    const addend = m[3] !== undefined ? (m[3] === '-' ? -1 : 1) * parseInt(m[4], 16) : parseInt(m[5], 16);
    cur.push({ off: parseInt(m[1], 16), sym, addend });
  }
  return { secNames, syms, relocs, tool: readelf };
}

/** Bytes of section `name` from `objdump -s`. */
function sectionBytes(path: string, name: string, arm64: boolean): Uint8Array {
  const objdump = arm64 && hasTool('aarch64-linux-gnu-objdump') ? 'aarch64-linux-gnu-objdump' : 'objdump';
  const out: number[] = [];
  let inSec = false;
  for (const line of run(objdump, ['-s', '-j', name, path]).split('\n')) {
    if (line.startsWith('Contents of section ')) { inSec = line === `Contents of section ${name}:`; continue; }
    if (!inSec || !line.startsWith(' ')) continue;
    const hexPart = line.slice(1).split('  ')[0].split(' ').slice(1).join('');
    for (let i = 0; i + 1 < hexPart.length; i += 2) out.push(parseInt(hexPart.slice(i, i + 2), 16));
  }
  return Uint8Array.from(out);
}

/** The relocation objtool uses at `off`: the last one listed for that offset. */
function relAt(list: ORel[] | undefined, off: number): ORel | undefined {
  let hit: ORel | undefined;
  for (const r of list ?? []) if (r.off === off) hit = r;
  return hit;
}

interface Site { sec: string; off: number }
function siteOf(o: Oracle, r: ORel): Site {
  const s = o.syms[r.sym];
  return { sec: o.secNames[s.ndx] ?? '', off: s.value + r.addend };
}

// ---------- expected tables from the oracle ----------

interface ExpAlt { kind: string; orig: Site; next: Site | null; origLen: number; newLen: number; feature: number; flags: number; keyAddend: number; skipOrig: boolean; skipAlt: boolean; exData: number }

const U16 = (b: Uint8Array, p: number): number => b[p] | (b[p + 1] << 8);
const I32 = (b: Uint8Array, p: number): number => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24));

function expectedAlts(path: string, o: Oracle, arm64: boolean): ExpAlt[] {
  const out: ExpAlt[] = [];
  const tables: [string, string, number][] = [['.altinstructions', 'alternative', arm64 ? 12 : 14], ['__jump_table', 'jump_label', 16], ['__ex_table', 'ex_table', 12]];
  for (const [name, kind, size] of tables) {
    if (!o.secNames.includes(name)) continue;
    const bytes = sectionBytes(path, name, arm64);
    const rel = o.relocs.get(`.rela${name}`);
    const first = out.length;
    for (let p = 0; p + size <= bytes.length; p += size) {
      const orig = siteOf(o, relAt(rel, p)!);
      const e: ExpAlt = { kind, orig, next: null, origLen: 0, newLen: 0, feature: -1, flags: 0, keyAddend: 0, skipOrig: false, skipAlt: false, exData: 0 };
      if (kind === 'alternative') {
        e.origLen = bytes[p + (arm64 ? 10 : 12)];
        e.newLen = bytes[p + (arm64 ? 11 : 13)];
        const f = U16(bytes, p + 8);
        e.feature = arm64 ? f & 0x7fff : f;
        e.flags = arm64 ? 0 : U16(bytes, p + 10);
        if (!arm64) {
          if (f === X86_FEATURE_SMAP) e.skipOrig = true; // --uaccess
          if (f === X86_FEATURE_POPCNT) e.skipOrig = true;
        }
      }
      if (kind !== 'alternative' || e.newLen !== 0) {
        const n = siteOf(o, relAt(rel, p + 4)!);
        if (n.off >= 0x7ffffff0) n.off -= 0x7ffffff0;
        e.next = n;
      }
      if (kind === 'jump_label') e.keyAddend = relAt(rel, p + 8)!.addend & 0xff;
      if (kind === 'ex_table') e.exData = I32(bytes, p + 8);
      out.push(e);
    }
    // nested x86 alternatives: a run of entries with one original site all get the run's largest orig_len
    if (kind === 'alternative' && !arm64) {
      for (let i = first; i < out.length;) {
        let j = i;
        let max = 0;
        while (j < out.length && out[j].orig.sec === out[i].orig.sec && out[j].orig.off === out[i].orig.off) max = Math.max(max, out[j++].origLen);
        for (let k = i; k < j; k++) out[k].origLen = max;
        i = j;
      }
    }
  }
  return out;
}

function actualAlts(elf: ElfFile, alts: SpecialAlt[]): ExpAlt[] {
  const name = (s: number): string => elf.sections[s]?.name ?? '';
  return alts.map((a) => ({
    kind: a.kind, orig: { sec: name(a.origSec), off: a.origOff }, next: a.hasNew ? { sec: name(a.newSec), off: a.newOff } : null,
    origLen: a.origLen, newLen: a.newLen, feature: a.feature, flags: a.featureFlags, keyAddend: a.keyAddend,
    skipOrig: a.skipOrig, skipAlt: a.skipAlt, exData: a.exData,
  }));
}

const ANNOTATIONS: AnnotationKind[] = ['func_stack_frame_non_standard', 'ignore_alts', 'noendbr', 'reachable', 'retpoline_safe', 'instr_end', 'instr_begin', 'validate_unret', 'intra_function_calls'];

/** Expected (section, offset) of each annotation entry (or function name), by objtool's rules, from the oracle. */
function expectedAnnotation(o: Oracle, kind: AnnotationKind): { sites: string[]; error: boolean } {
  const sites: string[] = [];
  for (const r of o.relocs.get(`.rela.discard.${kind}`) ?? []) {
    const s = o.syms[r.sym];
    const sec = o.secNames[s.ndx] ?? '';
    if (kind === 'noendbr') { sites.push(`${sec}+${s.value + r.addend}`); continue; }
    if (kind === 'func_stack_frame_non_standard') {
      if (s.type === 'FUNC') sites.push(s.name);
      else if (s.type === 'SECTION') {
        const f = o.syms.find((x) => x && x.type === 'FUNC' && x.ndx === s.ndx && x.value === r.addend && x.size > 0);
        if (f) sites.push(f.name);
      }
      continue;
    }
    if (s.type === 'SECTION') sites.push(`${sec}+${r.addend}`);
    else if (kind === 'reachable' && s.type === 'NOTYPE' && s.name.startsWith('.L')) sites.push(`${sec}+${s.value}`);
    else return { sites, error: true };
  }
  return { sites, error: false };
}

function actualAnnotation(elf: ElfFile, kind: AnnotationKind): { sites: string[]; error: boolean } {
  const t = readAnnotation(elf, kind);
  const sites = t.entries.map((e) => (kind === 'func_stack_frame_non_standard' ? elf.symtab!.name(e.func) : `${elf.sections[e.sec].name}+${e.off}`));
  return { sites, error: t.error !== undefined };
}

// ---------- helpers ----------

function hasTool(t: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${t}`]).status === 0;
}

function findObjects(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) findObjects(p, out);
    else if (e.endsWith('.o')) out.push(p);
  }
  return out;
}

interface Counts { objects: number; alternative: number; jump_label: number; ex_table: number; annotations: number; hints: number }

function compareObject(path: string, counts: Counts): void {
  const elf = new ElfFile(new Uint8Array(readFileSync(path)), path);
  const arm64 = elf.machine === 183;
  const names = new Set(elf.sections.map((s) => s.name));
  const relevant = ['.altinstructions', '__jump_table', '__ex_table', '.discard.unwind_hints', ...ANNOTATIONS.map((k) => `.rela.discard.${k}`)].some((n) => names.has(n));
  if (!relevant) return;
  counts.objects++;
  const o = oracle(path, arm64);
  const special = readSpecialAlts(elf, { uaccess: true });
  assert.equal(special.error, undefined, `${path}: ${special.error?.text}`);
  const exp = expectedAlts(path, o, arm64);
  const act = actualAlts(elf, special.alts);
  assert.equal(act.length, exp.length, `${path}: special entry count`);
  for (let i = 0; i < exp.length; i++) assert.deepEqual(act[i], exp[i], `${path}: special entry ${i}`);
  for (const a of act) counts[a.kind as 'alternative' | 'jump_label' | 'ex_table']++;
  for (const k of ANNOTATIONS) {
    const e = expectedAnnotation(o, k);
    const a = actualAnnotation(elf, k);
    assert.deepEqual(a, e, `${path}: .discard.${k}`);
    counts.annotations += a.sites.length;
  }
  if (names.has('.discard.unwind_hints')) {
    const hints = readUnwindHints(elf);
    assert.equal(hints.error, undefined);
    const bytes = sectionBytes(path, '.discard.unwind_hints', arm64);
    const rel = o.relocs.get('.rela.discard.unwind_hints');
    assert.equal(hints.hints.length, bytes.length / 12);
    hints.hints.forEach((h, i) => {
      const r = relAt(rel, i * 12)!;
      const s = o.syms[r.sym];
      const off = s.type === 'SECTION' ? r.addend : s.value;
      const spOffset = (U16(bytes, i * 12 + 4) << 16) >> 16;
      assert.deepEqual([elf.sections[h.sec].name, h.off, h.spOffset, h.spReg, h.type, h.signal],
        [o.secNames[s.ndx], off, spOffset, bytes[i * 12 + 6], bytes[i * 12 + 7], bytes[i * 12 + 8]], `${path}: hint ${i}`);
      counts.hints++;
    });
  }
}

function newCounts(): Counts {
  return { objects: 0, alternative: 0, jump_label: 0, ex_table: 0, annotations: 0, hints: 0 };
}

// ---------- tests ----------

for (const flavour of process.env.SKIP_CORPUS ? [] :  ['x86-gcc', 'x86-clang', 'arm64-gcc', 'arm64-clang']) {
  const objs = findObjects(join(CORPUS, flavour));
  test(`corpus ${flavour}: special tables and annotations match readelf/objdump`, { skip: objs.length === 0 ? 'no corpus' : false }, () => {
    const counts = newCounts();
    for (const p of objs) compareObject(p, counts);
    console.log(`${flavour}: ${objs.length} objects, ${counts.objects} with tables; compared ${counts.alternative} alternatives, ${counts.jump_label} jump labels, ${counts.ex_table} ex_table entries, ${counts.annotations} annotations, ${counts.hints} hints`);
    assert.ok(counts.alternative + counts.jump_label + counts.ex_table > 0);
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'objflow-kernel-'));

/** An x86 file using every annotation the kernel macros emit, plus alternatives, jump labels, ex_table and hints. */
const X86_ASM = String.raw`
	.text
	.globl f1
	.type f1,@function
f1:
	push %rbp
	mov %rsp, %rbp
.Lhere_1:
	.pushsection .discard.unwind_hints
	.long .Lhere_1 - .
	.short 16
	.byte 4
	.byte 2
	.byte 0
	.balign 4
	.popsection
661:	call *%rax
662:
	.pushsection .altinstructions, "a"
	.long 661b - .
	.long 6641f - .
	.short 308
	.short 0
	.byte 662b-661b
	.byte 6642f-6641f
	.long 661b - .
	.long 6643f - .
	.short 151
	.short 1
	.byte 662b-661b
	.byte 6644f-6643f
	.popsection
	.pushsection .altinstr_replacement, "ax"
6641:	nop
6642:
6643:	lfence
6644:
	.popsection
999:	jmp *%rax
	.pushsection .discard.retpoline_safe
	.long 999b
	.popsection
	.pushsection .discard.ignore_alts
	.long 661b
	.popsection
1:	jmp 2f
	.pushsection __jump_table, "aw"
	.balign 8
	.long 1b - .
	.long 2f - .
	.quad static_key_x + 3 - .
	.popsection
2:	call 3f
	.pushsection .discard.intra_function_calls
	.long 2b
	.popsection
3:	pop %rax
4:	movq (%rdi), %rax
5:
	.pushsection __ex_table, "a"
	.balign 4
	.long 4b - .
	.long 5b - .
	.long 0x00010203
	.popsection
	.pushsection .discard.reachable
	.long 5b
	.popsection
	.pushsection .discard.validate_unret
	.long 5b
	.popsection
	pop %rbp
	ret
	int3
	.size f1, .-f1
	.pushsection .discard.func_stack_frame_non_standard, "aw"
	.quad f1
	.popsection

	.section .noinstr.text, "ax"
	.globl f2
	.type f2,@function
f2:
	.pushsection .discard.noendbr
	.long f2
	.popsection
	nop
7:	call f1
	.pushsection .discard.instr_begin
	.long 7b
	.popsection
8:	ret
	.pushsection .discard.instr_end
	.long 8b
	.popsection
	int3
	.size f2, .-f2
	.data
	.globl static_key_x
static_key_x: .quad 0, 0
`;

const ARM64_C = String.raw`
extern long some_key;
void f(long *p) {
	asm volatile("661:\n\tnop\n662:\n"
		".pushsection .altinstructions,\"a\"\n"
		" .word 661b - .\n .word 663f - .\n .hword 12\n .byte 662b-661b\n .byte 664f-663f\n"
		".popsection\n"
		".subsection 1\n663:\n\tdmb ish\n664:\n\t.previous\n" ::: "memory");
	asm volatile("661:\n\tnop\n662:\n"
		".pushsection .altinstructions,\"a\"\n"
		" .word 661b - .\n .word f - .\n .hword (1 << 15) | 7\n .byte 662b-661b\n .byte 0\n"
		".popsection\n" ::: "memory");
	asm goto("1: nop\n\t"
		".pushsection __jump_table, \"aw\"\n\t.align 3\n\t"
		".long 1b - ., %l[yes] - .\n\t.quad %c0 - . + 1\n\t.popsection" :: "i"(&some_key) :: yes);
	*p = 1;
	return;
yes:
	*p = 2;
}
`;

test('self-made x86 object: every table and annotation kind matches readelf/objdump', { skip: hasTool('gcc') ? false : 'no gcc' }, () => {
  const src = join(tmp, 'all.S');
  writeFileSync(src, X86_ASM);
  const obj = join(tmp, 'all.o');
  run('gcc', ['-c', src, '-o', obj]);
  const counts = newCounts();
  compareObject(obj, counts);
  const elf = new ElfFile(new Uint8Array(readFileSync(obj)));
  const kinds = ANNOTATIONS.filter((k) => readAnnotation(elf, k).entries.length > 0);
  console.log(`self-made x86: ${counts.alternative} alternatives, ${counts.jump_label} jump labels, ${counts.ex_table} ex_table, ${counts.annotations} annotations (${kinds.length} kinds), ${counts.hints} hints`);
  assert.equal(kinds.length, ANNOTATIONS.length);
  assert.deepEqual([counts.alternative, counts.jump_label, counts.ex_table, counts.hints], [2, 1, 1, 1]);
  const alts = readSpecialAlts(elf, { uaccess: true }).alts;
  assert.deepEqual(alts.slice(0, 2).map((a) => [a.feature, a.skipOrig, a.skipAlt]), [[308, true, false], [151, true, false]]);
  assert.equal(alts[2].keyAddend, 3);
});

test('self-made arm64 object: alternatives (incl. callback) and jump labels match readelf/objdump', { skip: hasTool('aarch64-linux-gnu-gcc') ? false : 'no aarch64 gcc' }, () => {
  const src = join(tmp, 'alt.c');
  writeFileSync(src, ARM64_C);
  const obj = join(tmp, 'alt-arm64.o');
  run('aarch64-linux-gnu-gcc', ['-O2', '-fno-pie', '-c', src, '-o', obj]);
  const counts = newCounts();
  compareObject(obj, counts);
  console.log(`self-made arm64: ${counts.alternative} alternatives, ${counts.jump_label} jump labels`);
  assert.deepEqual([counts.alternative, counts.jump_label], [2, 1]);
  const alts = readSpecialAlts(new ElfFile(new Uint8Array(readFileSync(obj))), { uaccess: true }).alts;
  assert.deepEqual(alts.slice(0, 2).map((a) => [a.feature, a.callback, a.hasNew]), [[12, false, true], [7, true, false]]);
  assert.equal(alts[2].keyAddend & 1, 1);
});

/** Broken tables: objtool's own warning (text and place) must be the fatal warning we report. */
const BROKEN: { name: string; asm: string; read: (elf: ElfFile) => KernelWarning | undefined }[] = [
  {
    name: 'jump table without key relocation',
    asm: `f: 1: jmp 2f\n2: ret\n.pushsection __jump_table, "aw"\n.balign 8\n.long 1b - .\n.long 2b - .\n.quad 0\n.popsection\n`,
    read: (e) => readSpecialAlts(e, { uaccess: true }).error,
  },
  {
    name: 'jump table size',
    asm: `f: 1: jmp 2f\n2: ret\n.pushsection __jump_table, "aw"\n.long 1b - .\n.long 2b - .\n.long 0\n.popsection\n`,
    read: (e) => readSpecialAlts(e, { uaccess: true }).error,
  },
  {
    name: 'alternative without new relocation',
    asm: `f: 661: nop\n662: ret\n.pushsection .altinstructions, "a"\n.long 661b - .\n.long 0\n.short 1\n.short 0\n.byte 1\n.byte 1\n.popsection\n`,
    read: (e) => readSpecialAlts(e, { uaccess: true }).error,
  },
  {
    name: 'unwind hints without relocations',
    asm: `f: ret\n.pushsection .discard.unwind_hints\n.long 0\n.short 0\n.byte 5\n.byte 2\n.byte 0\n.balign 4\n.popsection\n`,
    read: (e) => readUnwindHints(e).error,
  },
  {
    name: 'unwind hint size',
    asm: `f: ret\n.pushsection .discard.unwind_hints\n.long f - .\n.short 0\n.byte 5\n.byte 2\n.byte 0\n.popsection\n`,
    read: (e) => readUnwindHints(e).error,
  },
  {
    name: 'retpoline_safe through a global symbol',
    asm: `.globl g\ng: jmp *%rax\n.pushsection .discard.retpoline_safe\n.long g\n.popsection\n`,
    read: (e) => readAnnotation(e, 'retpoline_safe').error,
  },
];

for (const c of BROKEN) {
  test(`objtool agrees on fatal warning: ${c.name}`, { skip: existsSync(OBJTOOL) && hasTool('gcc') ? false : 'no objtool/gcc' }, () => {
    const base = join(tmp, c.name.replace(/\W+/g, '-'));
    writeFileSync(`${base}.S`, `\t.text\n\t.type f,@function\n${c.asm}\n`);
    run('gcc', ['-c', `${base}.S`, '-o', `${base}.o`]);
    copyFileSync(`${base}.o`, `${base}.ref.o`);
    const r = spawnSync(OBJTOOL, [...KBUILD_ARGS, `${base}.ref.o`], { encoding: 'latin1' });
    const lines = r.stderr.split('\n').filter((l) => l.includes('warning: objtool:'));
    const elf = new ElfFile(new Uint8Array(readFileSync(`${base}.o`)));
    const w = c.read(elf);
    assert.ok(w && w.fatal, 'we report a fatal warning');
    const place = w.kind === 'plain' ? '' : `${elf.sections[w.sec].name}+0x${w.off.toString(16)}: `;
    const expected = `${base}.ref.o: warning: objtool: ${place}${w.text}`;
    assert.deepEqual(lines, [expected]);
  });
}

/**
 * Annotations pointing into a non-executable section have no instruction for certain: objtool's
 * fatal text must be the entry's `noInsnText` (checks the texts the caller will print, quirks included).
 */
const NO_INSN: { kind: AnnotationKind | 'unwind_hints'; asm: string }[] = [
  { kind: 'retpoline_safe', asm: '.pushsection .discard.retpoline_safe\n.long d + 4\n.popsection\n' },
  { kind: 'ignore_alts', asm: '.pushsection .discard.ignore_alts\n.long d + 4\n.popsection\n' },
  { kind: 'noendbr', asm: '.pushsection .discard.noendbr\n.long d + 4\n.popsection\n' },
  { kind: 'reachable', asm: '.pushsection .discard.reachable\n.long d + 4\n.popsection\n' },
  { kind: 'instr_end', asm: '.pushsection .discard.instr_end\n.long d + 4\n.popsection\n' },
  { kind: 'validate_unret', asm: '.pushsection .discard.validate_unret\n.long d + 4\n.popsection\n' },
  { kind: 'intra_function_calls', asm: '.pushsection .discard.intra_function_calls\n.long d + 4\n.popsection\n' },
  { kind: 'unwind_hints', asm: '.pushsection .discard.unwind_hints\n.long d + 4 - .\n.short 0\n.byte 5\n.byte 2\n.byte 0\n.balign 4\n.popsection\n' },
];

for (const c of NO_INSN) {
  test(`objtool agrees on the missing-instruction text: ${c.kind}`, { skip: existsSync(OBJTOOL) && hasTool('gcc') ? false : 'no objtool/gcc' }, () => {
    const base = join(tmp, `noinsn-${c.kind}`);
    writeFileSync(`${base}.S`, `\t.text\n\t.type f,@function\nf: ret\n\tint3\n\t.size f, .-f\n\t.data\nd: .quad 0, 0\n\t.text\n${c.asm}`);
    run('gcc', ['-c', `${base}.S`, '-o', `${base}.o`]);
    copyFileSync(`${base}.o`, `${base}.ref.o`);
    const r = spawnSync(OBJTOOL, [...KBUILD_ARGS, `${base}.ref.o`], { encoding: 'latin1' });
    const lines = r.stderr.split('\n').filter((l) => l.includes('warning: objtool:'));
    const elf = new ElfFile(new Uint8Array(readFileSync(`${base}.o`)));
    let text: string;
    if (c.kind === 'unwind_hints') {
      const h = readUnwindHints(elf);
      assert.equal(h.hints[0].sec, elf.section('.data')!.index);
      text = MSG.hintNoInsn(0);
    } else {
      const t = readAnnotation(elf, c.kind);
      assert.equal(t.error, undefined);
      assert.equal(t.entries[0].sec, elf.section('.data')!.index);
      text = t.entries[0].noInsnText;
    }
    assert.deepEqual(lines, [`${base}.ref.o: warning: objtool: ${text}`]);
  });
}
