import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownNoreturn, isRustNoreturn, OBJTOOL_NORETURNS } from '../../src/kernel/noreturns.js';
import {
  isNoinstrSection, isProfilingFunc, isRetpolineThunk, isRodataSection, staticCallKeyName, UACCESS_SAFE_BUILTIN, UACCESS_SAFE_SET,
} from '../../src/kernel/names.js';

test('noreturn names (objtool 6.12 noreturns.h: 45 entries, sorted)', () => {
  assert.equal(OBJTOOL_NORETURNS.size, 45);
  const list = [...OBJTOOL_NORETURNS];
  assert.deepEqual(list, [...list].sort());
  for (const n of ['panic', 'do_exit', '__stack_chk_fail', 'usercopy_abort', 'xen_start_kernel']) assert.ok(isKnownNoreturn(n), n);
  assert.ok(!isKnownNoreturn('printk'));
  assert.ok(isRustNoreturn('_RNvNtCs1234_4core9panicking5panic'));
  assert.ok(isRustNoreturn('_RNvNtNtCsabc_4core5slice5index24slice_end_index_len_fail'));
  assert.ok(!isRustNoreturn('_4core9panicking5panic'));
});

test('other name tables', () => {
  assert.equal(UACCESS_SAFE_BUILTIN.length, UACCESS_SAFE_SET.size);
  for (const n of ['kasan_report', '__tsan_unaligned_write16', 'copy_to_nontemporal', '__stack_chk_fail']) assert.ok(UACCESS_SAFE_SET.has(n), n);
  assert.ok(isRetpolineThunk('__x86_indirect_thunk_rax'));
  assert.ok(isRetpolineThunk('__x86_indirect_call_thunk_r11'));
  assert.equal(staticCallKeyName('__SCT__preempt_schedule'), '__SCK__preempt_schedule');
  assert.equal(staticCallKeyName('preempt_schedule'), undefined);
  assert.ok(isProfilingFunc('__sanitizer_cov_trace_pc') && isProfilingFunc('__tsan_func_entry') && !isProfilingFunc('__tsan_read1'));
  assert.ok(isNoinstrSection('.text..__x86.indirect_thunk') && isNoinstrSection('.entry.text') && !isNoinstrSection('.text'));
  assert.ok(isRodataSection('.rodata.foo') && !isRodataSection('.rodata.str1.1') && isRodataSection('.data.rel.ro.c_jump_table'));
});

test('generated sections already present are reported with objtool\'s warning', async () => {
  const { KernelElfBuilder } = await import('../helpers/kernel-elf-builder.js');
  const { ElfFile } = await import('../../src/elf/reader.js');
  const { readKernelInputs } = await import('../../src/kernel/inputs.js');
  const b = new KernelElfBuilder();
  b.section('.text', new Uint8Array(4), { flags: 6 });
  b.section('.static_call_sites', new Uint8Array(8));
  b.section('.orc_unwind', new Uint8Array(6));
  const inputs = readKernelInputs(new ElfFile(b.build()), { uaccess: true });
  assert.deepEqual([...inputs.preexisting.keys()], ['.static_call_sites', '.orc_unwind']);
  assert.equal(inputs.preexisting.get('.static_call_sites')!.text, 'file already has .static_call_sites section, skipping');
  assert.equal(inputs.preexisting.get('.orc_unwind')!.fatal, true);
  assert.equal(inputs.special.alts.length, 0);
  assert.equal(inputs.hints.section, -1);
  assert.equal(inputs.annotations.reachable.relocSection, -1);
});
