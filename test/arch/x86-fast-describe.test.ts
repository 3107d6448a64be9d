/**
 * The x86-64 jump-table describer's fast path (plain lea/mov read from their bytes) gives exactly the
 * descriptions of its iced path: on every row it reads in the shipped linked x86-64 fixtures, and on
 * hand-made encodings (rip-relative, SIB without base, r12/r13 bases, REX.X index, frame slots).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { archFor } from '../../src/arch/registry.js';
import { newPlainMove, readPlainMove } from '../../src/arch/x86/fast-describe.js';
import { X86Describer } from '../../src/arch/x86/jump-tables.js';
import { MemCells } from '../../src/cfg/switch-tables.js';
import { ElfFile } from '../../src/elf/reader.js';
import { Program } from '../../src/program/program.js';
import { buildElf } from '../helpers/elf-builder.js';
import { compareFastDescribe } from '../helpers/x86-describe-diff.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '../../../test/fixtures');

/** Linked (not ET_REL) x86-64 ELF files under `dir`, by their header. */
function linkedX86Files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...linkedX86Files(path));
    else if (st.size >= 64) {
      const h = readFileSync(path).subarray(0, 20);
      const elf64le = h[0] === 0x7f && h[1] === 0x45 && h[2] === 0x4c && h[3] === 0x46 && h[4] === 2 && h[5] === 1;
      // e_type (2 = executable, 3 = shared object) and e_machine 62 (x86-64)
      if (elf64le && (h[16] === 2 || h[16] === 3) && h[18] === 62) out.push(path);
    }
  }
  return out;
}

async function program(bytes: Uint8Array, name: string): Promise<Program> {
  const elf = new ElfFile(bytes, name);
  const arch = await archFor(elf.machine);
  assert.ok(arch);
  return new Program(elf, arch, false, true);
}

test('fast path equals iced on every row it reads in the linked x86-64 fixtures', async () => {
  const files = linkedX86Files(FIXTURES);
  assert.ok(files.length >= 5, `linked x86-64 fixtures: ${files.length}`);
  let compared = 0;
  let fast = 0;
  let ripRelative = 0;
  for (const f of files) {
    const r = compareFastDescribe(await program(new Uint8Array(readFileSync(f)), f));
    assert.equal(r.differences, 0, `${f}\n${r.samples.join('\n')}`);
    compared += r.compared;
    fast += r.fastDescribed;
    ripRelative += r.ripRelative;
  }
  assert.ok(fast > 0 && compared >= fast && ripRelative > 0, `compared ${compared}, fast ${fast}, rip-relative ${ripRelative}`);
});

/** Hand-made encodings, each one instruction (hex bytes), with whether the fast path reads it. */
const CASES: [string, boolean][] = [
  ['48 8d 05 10 00 00 00', true], // lea rax, [rip+0x10]
  ['4c 8d 3d f0 ff ff ff', true], // lea r15, [rip-0x10]
  ['8d 05 10 00 00 00', true], // lea eax, [rip+0x10] (32-bit destination)
  ['48 8b 05 00 01 00 00', true], // mov rax, [rip+0x100]
  ['48 89 05 00 01 00 00', true], // mov [rip+0x100], rax
  ['48 8d 04 25 f0 ff ff ff', true], // lea rax, [-0x10] (SIB, no base, no index)
  ['48 8b 04 cd 00 10 00 00', true], // mov rax, [rcx*8+0x1000] (SIB, no base)
  ['8b 04 65 10 00 00 00', true], // mov eax, [0x10] with a scale but no index
  ['49 8b 04 24', true], // mov rax, [r12]
  ['49 8b 45 00', true], // mov rax, [r13+0]
  ['4b 8b 04 ec', true], // mov rax, [r12+r13*8]
  ['4a 8b 04 e0', true], // mov rax, [rax+r12*8] (REX.X index 100)
  ['4a 8d 44 e5 08', true], // lea rax, [rbp+r12*8+8]
  ['48 8b 44 24 f8', true], // mov rax, [rsp-8]
  ['8b 45 fc', true], // mov eax, [rbp-4]
  ['48 89 44 24 10', true], // mov [rsp+0x10], rax
  ['89 45 fc', true], // mov [rbp-4], eax
  ['48 89 84 24 00 00 10 00', true], // mov [rsp+0x100000], rax (out of slot range)
  ['48 89 04 cc', true], // mov [rsp+rcx*8], rax
  ['4c 89 3c 24', true], // mov [rsp], r15
  ['44 8b 2c 98', true], // mov r13d, [rax+rbx*4]
  ['48 8d 0c 01', true], // lea rcx, [rcx+rax]
  ['8d 4c 01 ff', true], // lea ecx, [rcx+rax-1]
  ['48 63 04 24', true], // movsxd rax, [rsp]
  ['63 44 24 08', true], // movsxd eax, [rsp+8] (no REX.W)
  ['48 63 05 00 02 00 00', true], // movsxd rax, [rip+0x200]
  ['4a 63 04 a7', true], // movsxd rax, [rdi+r12*4]
  ['0f b6 45 f0', true], // movzx eax, byte [rbp-0x10]
  ['48 0f b7 04 48', true], // movzx rax, word [rax+rcx*2]
  ['0f be 05 00 03 00 00', true], // movsx eax, byte [rip+0x300]
  ['48 0f be 04 24', true], // movsx rax, byte [rsp]
  ['0f bf 44 24 04', true], // movsx eax, word [rsp+4]
  ['41 0f bf 04 24', true], // movsx eax, word [r12]
  ['0f b6 c1', false], // movzx eax, cl: iced
  ['48 8b c1', false], // mov rax, rcx: iced
  ['48 0f af 04 24', false], // imul rax, [rsp]: iced
  ['66 8b 04 24', false], // mov ax, [rsp]: prefix, iced
  ['67 8b 04 24', false], // mov eax, [esp]: address size, iced
  ['64 48 8b 04 25 28 00 00 00', false], // mov rax, fs:[0x28]: segment, iced
];

/** The cases as one function's code in a shared object (type 3) or a relocatable object (type 1). */
function handMade(type: number): Uint8Array {
  const code: number[] = [];
  for (const [h] of CASES) code.push(...h.split(' ').map((x) => parseInt(x, 16)));
  const addr = type === 1 ? 0 : 0x401000;
  return buildElf({
    type,
    machine: 62,
    sections: [{ name: '.text', type: 1, flags: 6, addr, addralign: 16, data: Uint8Array.from(code) }],
    symbols: [{ name: 'f', bind: 1, type: 2, section: '.text', value: addr, size: code.length }],
  }).bytes;
}

test('fast path equals iced on hand-made encodings', async () => {
  const p = await program(handMade(3), 'hand-made.so');
  assert.equal(p.count, CASES.length, 'one row per case');
  const text = p.elf.sectionData(p.elf.sections[p.sec[0]]);
  const mv = newPlainMove();
  for (let row = 0; row < CASES.length; row++) {
    assert.equal(readPlainMove(text, p.off[row], p.len[row], mv), CASES[row][1], CASES[row][0]);
  }
  const r = compareFastDescribe(p);
  assert.equal(r.differences, 0, r.samples.join('\n'));
  assert.equal(r.compared, CASES.filter((c) => c[1]).length);
  assert.equal(r.fastDescribed, r.compared);
});

test('relocatable objects keep the iced path (displacements may carry relocations)', async () => {
  const p = await program(handMade(1), 'hand-made.o');
  assert.equal(p.count, CASES.length);
  const d = new X86Describer(p, new MemCells());
  try {
    for (let row = 0; row < p.count; row++) d.describe(row);
  } finally {
    d.close();
  }
  assert.equal(d.fastDescribed, 0);
});
