/**
 * --ibt on a tiny hand-assembled object: code addresses taken by instructions and data must point at
 * an ENDBR; ENDBRs at function starts whose address nothing takes are listed for sealing. The
 * expected lines follow objtool 6.12's validate_ibt rules and were checked against the real objtool
 * (the same rules on assembled sources: test-corpus/fixtures/objtool-warnings/ibt.s).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { R_X86_64_64, textObject, analyze } from '../fixtures/core/x86-object.js';
import { collectObjtoolOutput } from '../../src/kernel/objtool-output.js';
import { SHF_ALLOC, SHF_WRITE } from '../helpers/kernel-elf-builder.js';

const RET = 0xc3;
const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa];
/** lea 0(%rip),%rax: a PC32 field at +3 */
const LEA_RIP_RAX = [0x48, 0x8d, 0x05, 0, 0, 0, 0];
const R_X86_64_PC32 = 2;

/** g: ret | f: endbr64; ret | h: lea g(%rip),%rax; lea f(%rip),%rax; ret | k: endbr64; ret — and .data: .quad f, .quad h */
function ibtObject(): Uint8Array {
  const t = textObject([
    { name: 'g', code: [RET] },
    { name: 'f', code: [...ENDBR64, RET] },
    { name: 'h', code: [...LEA_RIP_RAX, ...LEA_RIP_RAX, RET] },
    { name: 'k', code: [...ENDBR64, RET] },
  ]);
  const b = t.b;
  const h = t.at.get('h')!;
  b.rela('.text', [
    { offset: h + 3, type: R_X86_64_PC32, sym: t.syms.get('g')!, addend: -4 },
    { offset: h + 10, type: R_X86_64_PC32, sym: t.syms.get('f')!, addend: -4 },
  ]);
  b.section('.data', new Uint8Array(16), { flags: SHF_ALLOC | SHF_WRITE, align: 8 });
  b.rela('.data', [
    { offset: 0, type: R_X86_64_64, sym: t.syms.get('f')!, addend: 0 },
    { offset: 8, type: R_X86_64_64, sym: t.syms.get('h')!, addend: 0 },
  ]);
  return b.build();
}

test('--ibt: code and data references to code without ENDBR are reported; unused ENDBRs are sealed', async () => {
  const r = await analyze(ibtObject(), { ibt: true, link: true }, 'i.o');
  assert.deepEqual(r.ctx.diag.list.map((d) => d.text), [
    'i.o: warning: objtool: h+0x0: relocation to !ENDBR: g+0x0',
    'i.o: warning: objtool: .data+0x8: data relocation to !ENDBR: h+0x0',
  ]);
  const out = collectObjtoolOutput(r);
  // f's ENDBR is taken (by h and by .data); k's is not
  assert.equal(out.endbrSeal.count, 1);
  assert.equal(out.endbrSeal.off[0], 1 + 5 + 15);
});

test('without --ibt nothing is checked or sealed', async () => {
  const r = await analyze(ibtObject(), { orc: true, link: true }, 'i.o');
  assert.deepEqual(r.ctx.diag.list.map((d) => d.text), []);
  assert.equal(collectObjtoolOutput(r).endbrSeal.count, 0);
});
