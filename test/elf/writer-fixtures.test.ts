/**
 * Replays what the real objtool 6.12 did to the committed fixture objects (test/fixtures/elf, made by
 * make-fixtures.sh) with ElfEditor on the objects before objtool, and requires the file it writes to
 * be byte for byte the file objtool wrote (libelf's layout included).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ElfFile } from '../../src/elf/reader.js';
import { replayObjtool } from '../helpers/objtool-replay.js';
import { elfSummary, summaryDiff } from '../helpers/elf-summary.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/elf/', import.meta.url));

const cases: [string, string, string][] = [
  // before, after objtool, what the fixture exercises
  ['sample-gcc.o', 'sample-gcc.objtool.o', 'gcc: static call, retpoline, return thunk, mcount, prefix, ORC'],
  ['sample-clang.o', 'sample-clang.objtool.o', 'clang: no .shstrtab (names in .strtab), same tables'],
  ['sample-gcc.o', 'sample-gcc-ibt.objtool.o', '--link --ibt: .ibt_endbr_seal'],
  ['sample-asm.o', 'sample-asm.objtool.o', 'objtool stopped half way: unfilled relocation left zero, local section symbol'],
];

for (const [before, after, what] of cases) {
  test(`replay of objtool on ${after} (${what})`, () => {
    const orig = new ElfFile(readFileSync(dir + before));
    const ref = new ElfFile(readFileSync(dir + after));
    const { editor, stats } = replayObjtool(orig, ref);
    assert.ok(stats.sections > 0);
    const bytes = editor.serialize();
    // where they differ, the section view says more than a byte offset
    assert.equal(summaryDiff(elfSummary(new ElfFile(bytes)), elfSummary(ref)), '');
    assert.equal(Buffer.compare(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), ref.bytes), 0,
      `differs from objtool's file at byte ${firstDifference(bytes, ref.bytes)}`);
    // the same file handed out in pieces, as it is written to disk
    const chunks = [...editor.chunks()];
    assert.ok(chunks.length > 1);
    const streamed = Buffer.concat(chunks);
    assert.equal(Buffer.compare(streamed, ref.bytes), 0, `pieces differ from objtool's file at byte ${firstDifference(streamed, ref.bytes)}`);
  });
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
