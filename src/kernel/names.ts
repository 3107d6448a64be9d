/**
 * Symbol- and section-name tables objtool 6.12's x86 analysis keys on (check.c, arch/x86/decode.c,
 * include/linux/static_call_types.h), as exported constants and name predicates. Facts only: which
 * names and prefixes objtool compares against and what it does with a match.
 */

/**
 * Functions allowed to be called with AC set (objtool's uaccess_safe_builtin[], read under --uaccess):
 * a symbol of one of these names is marked uaccess-safe.
 */
export const UACCESS_SAFE_BUILTIN: readonly string[] = [
  'kasan_report',
  'kasan_check_range',
  '__asan_loadN_noabort',
  '__asan_load1_noabort',
  '__asan_load2_noabort',
  '__asan_load4_noabort',
  '__asan_load8_noabort',
  '__asan_load16_noabort',
  '__asan_storeN_noabort',
  '__asan_store1_noabort',
  '__asan_store2_noabort',
  '__asan_store4_noabort',
  '__asan_store8_noabort',
  '__asan_store16_noabort',
  '__kasan_check_read',
  '__kasan_check_write',
  '__asan_report_load_n_noabort',
  '__asan_report_load1_noabort',
  '__asan_report_load2_noabort',
  '__asan_report_load4_noabort',
  '__asan_report_load8_noabort',
  '__asan_report_load16_noabort',
  '__asan_report_store_n_noabort',
  '__asan_report_store1_noabort',
  '__asan_report_store2_noabort',
  '__asan_report_store4_noabort',
  '__asan_report_store8_noabort',
  '__asan_report_store16_noabort',
  '__kcsan_check_access',
  '__kcsan_mb',
  '__kcsan_wmb',
  '__kcsan_rmb',
  '__kcsan_release',
  'kcsan_found_watchpoint',
  'kcsan_setup_watchpoint',
  'kcsan_check_scoped_accesses',
  'kcsan_disable_current',
  'kcsan_enable_current_nowarn',
  '__tsan_func_entry',
  '__tsan_func_exit',
  '__tsan_read_range',
  '__tsan_write_range',
  '__tsan_read1',
  '__tsan_read2',
  '__tsan_read4',
  '__tsan_read8',
  '__tsan_read16',
  '__tsan_write1',
  '__tsan_write2',
  '__tsan_write4',
  '__tsan_write8',
  '__tsan_write16',
  '__tsan_read_write1',
  '__tsan_read_write2',
  '__tsan_read_write4',
  '__tsan_read_write8',
  '__tsan_read_write16',
  '__tsan_volatile_read1',
  '__tsan_volatile_read2',
  '__tsan_volatile_read4',
  '__tsan_volatile_read8',
  '__tsan_volatile_read16',
  '__tsan_volatile_write1',
  '__tsan_volatile_write2',
  '__tsan_volatile_write4',
  '__tsan_volatile_write8',
  '__tsan_volatile_write16',
  '__tsan_atomic8_load',
  '__tsan_atomic16_load',
  '__tsan_atomic32_load',
  '__tsan_atomic64_load',
  '__tsan_atomic8_store',
  '__tsan_atomic16_store',
  '__tsan_atomic32_store',
  '__tsan_atomic64_store',
  '__tsan_atomic8_exchange',
  '__tsan_atomic16_exchange',
  '__tsan_atomic32_exchange',
  '__tsan_atomic64_exchange',
  '__tsan_atomic8_fetch_add',
  '__tsan_atomic16_fetch_add',
  '__tsan_atomic32_fetch_add',
  '__tsan_atomic64_fetch_add',
  '__tsan_atomic8_fetch_sub',
  '__tsan_atomic16_fetch_sub',
  '__tsan_atomic32_fetch_sub',
  '__tsan_atomic64_fetch_sub',
  '__tsan_atomic8_fetch_and',
  '__tsan_atomic16_fetch_and',
  '__tsan_atomic32_fetch_and',
  '__tsan_atomic64_fetch_and',
  '__tsan_atomic8_fetch_or',
  '__tsan_atomic16_fetch_or',
  '__tsan_atomic32_fetch_or',
  '__tsan_atomic64_fetch_or',
  '__tsan_atomic8_fetch_xor',
  '__tsan_atomic16_fetch_xor',
  '__tsan_atomic32_fetch_xor',
  '__tsan_atomic64_fetch_xor',
  '__tsan_atomic8_fetch_nand',
  '__tsan_atomic16_fetch_nand',
  '__tsan_atomic32_fetch_nand',
  '__tsan_atomic64_fetch_nand',
  '__tsan_atomic8_compare_exchange_strong',
  '__tsan_atomic16_compare_exchange_strong',
  '__tsan_atomic32_compare_exchange_strong',
  '__tsan_atomic64_compare_exchange_strong',
  '__tsan_atomic8_compare_exchange_weak',
  '__tsan_atomic16_compare_exchange_weak',
  '__tsan_atomic32_compare_exchange_weak',
  '__tsan_atomic64_compare_exchange_weak',
  '__tsan_atomic8_compare_exchange_val',
  '__tsan_atomic16_compare_exchange_val',
  '__tsan_atomic32_compare_exchange_val',
  '__tsan_atomic64_compare_exchange_val',
  '__tsan_atomic_thread_fence',
  '__tsan_atomic_signal_fence',
  '__tsan_unaligned_read16',
  '__tsan_unaligned_write16',
  'write_comp_data',
  'check_kcov_mode',
  '__sanitizer_cov_trace_pc',
  '__sanitizer_cov_trace_const_cmp1',
  '__sanitizer_cov_trace_const_cmp2',
  '__sanitizer_cov_trace_const_cmp4',
  '__sanitizer_cov_trace_const_cmp8',
  '__sanitizer_cov_trace_cmp1',
  '__sanitizer_cov_trace_cmp2',
  '__sanitizer_cov_trace_cmp4',
  '__sanitizer_cov_trace_cmp8',
  '__sanitizer_cov_trace_switch',
  'kmsan_copy_to_user',
  'kmsan_disable_current',
  'kmsan_enable_current',
  'kmsan_report',
  'kmsan_unpoison_entry_regs',
  'kmsan_unpoison_memory',
  '__msan_chain_origin',
  '__msan_get_context_state',
  '__msan_instrument_asm_store',
  '__msan_metadata_ptr_for_load_1',
  '__msan_metadata_ptr_for_load_2',
  '__msan_metadata_ptr_for_load_4',
  '__msan_metadata_ptr_for_load_8',
  '__msan_metadata_ptr_for_load_n',
  '__msan_metadata_ptr_for_store_1',
  '__msan_metadata_ptr_for_store_2',
  '__msan_metadata_ptr_for_store_4',
  '__msan_metadata_ptr_for_store_8',
  '__msan_metadata_ptr_for_store_n',
  '__msan_poison_alloca',
  '__msan_warning',
  'ubsan_type_mismatch_common',
  '__ubsan_handle_type_mismatch',
  '__ubsan_handle_type_mismatch_v1',
  '__ubsan_handle_shift_out_of_bounds',
  '__ubsan_handle_load_invalid_value',
  'stackleak_track_stack',
  'ftrace_likely_update',
  '__stack_chk_fail',
  'csum_partial_copy_generic',
  'copy_mc_fragile',
  'copy_mc_fragile_handle_tail',
  'copy_mc_enhanced_fast_string',
  'rep_stos_alternative',
  'rep_movs_alternative',
  'copy_to_nontemporal',
];

export const UACCESS_SAFE_SET: ReadonlySet<string> = new Set(UACCESS_SAFE_BUILTIN);

/** arch_is_retpoline: (tail) calls to these become .retpoline_sites entries */
export const RETPOLINE_THUNK_PREFIX = '__x86_indirect_';
/** arch_is_rethunk: jumps to it are returns (.return_sites) */
export const RETURN_THUNK = '__x86_return_thunk';
/** arch_is_embedded_insn: symbols living inside other instructions, mostly ignored */
export const EMBEDDED_INSN_SYMBOLS: ReadonlySet<string> = new Set(['retbleed_return_thunk', 'srso_safe_ret']);
/** arch_ftrace_match: calls to it are __mcount_loc sites (with --mcount) */
export const FENTRY = '__fentry__';
/** static call trampolines and keys (STATIC_CALL_TRAMP_PREFIX / STATIC_CALL_KEY_PREFIX) */
export const STATIC_CALL_TRAMP_PREFIX = '__SCT__';
export const STATIC_CALL_KEY_PREFIX = '__SCK__';
/** .static_call_sites key low bits (include/linux/static_call_types.h) */
export const STATIC_CALL_SITE_TAIL = 1;
export const STATIC_CALL_SITE_INIT = 2;
/** kCFI preamble and function-padding prefix symbols (not validated as functions) */
export const CFI_PREFIX = '__cfi_';
export const PFX_PREFIX = '__pfx_';

export function isRetpolineThunk(name: string): boolean { return name.startsWith(RETPOLINE_THUNK_PREFIX); }
export function isReturnThunk(name: string): boolean { return name === RETURN_THUNK; }
export function isEmbeddedInsn(name: string): boolean { return EMBEDDED_INSN_SYMBOLS.has(name); }
export function isFentry(name: string): boolean { return name === FENTRY; }
export function isStaticCallTramp(name: string): boolean { return name.startsWith(STATIC_CALL_TRAMP_PREFIX); }

/**
 * The static_call key objtool looks for for trampoline `name` (`__SCT__x` -> `__SCK__x`), or
 * undefined when the name is not a trampoline (objtool: "static_call: trampoline name malformed: %s").
 */
export function staticCallKeyName(tramp: string): string | undefined {
  if (!tramp.startsWith(STATIC_CALL_TRAMP_PREFIX)) return undefined;
  return STATIC_CALL_KEY_PREFIX + tramp.slice(STATIC_CALL_TRAMP_PREFIX.length);
}

/**
 * objtool's is_profiling_func: instrumentation calls that --hacks=noinstr turns into NOPs (or RET
 * for tail calls) in noinstr sections.
 */
export function isProfilingFunc(name: string): boolean {
  return name.startsWith('__sanitizer_cov_') || name.startsWith('__tsan_func_') || name === '__tsan_atomic_signal_fence';
}

/** Calls objtool lets noinstr code make (a __ubsan_handle_* call is like WARN). */
export const UBSAN_HANDLER_PREFIX = '__ubsan_handle_';
/** Unreachable-code exemptions: code around calls to these is KASAN/UBSAN instrumentation. */
export const KASAN_NORETURN_CALL = '__asan_handle_no_return';
export const UBSAN_UNREACHABLE_CALL = '__ubsan_handle_builtin_unreachable';
/** Paravirt call tables read under --noinstr (init_pv_ops); `pv_ops` sizes the table. */
export const PV_OPS_TABLES: readonly string[] = ['pv_ops', 'xen_cpu_ops', 'xen_irq_ops', 'xen_mmu_ops'];
/** Marker of a GCC cold part (`foo.cold`), whose parent is `foo`. */
export const COLD_SUFFIX = '.cold';

/** Executable sections holding alternative replacement code (decoded, but not "text"). */
export const ALT_REPLACEMENT_SECTIONS: ReadonlySet<string> = new Set(['.altinstr_replacement', '.altinstr_aux']);

/** Executable sections objtool decodes but does not treat as text (sec->text false). */
export function isNonTextExecSection(name: string): boolean {
  return ALT_REPLACEMENT_SECTIONS.has(name) || name.startsWith('.discard.');
}

/** noinstr sections: calls out of them and instrumentation inside them are checked. */
export function isNoinstrSection(name: string): boolean {
  return name === '.noinstr.text' || name === '.entry.text' || name === '.cpuidle.text' || name.startsWith('.text..__x86.');
}

/** `.init.text` of a non-module object is exempt from retpoline rules (sec->init). */
export function isInitSection(name: string, module: boolean): boolean {
  return name === '.init.text' && !module;
}

/** Sections that may hold switch jump tables (mark_rodata). */
export function isRodataSection(name: string): boolean {
  return (name.startsWith('.rodata') && !name.includes('.str1.')) || name.startsWith('.data.rel.ro');
}

/** C jump tables (with symbols) objtool accepts as switch tables. */
export const C_JUMP_TABLE_SECTION = '.data.rel.ro.c_jump_table';

/**
 * Sections objtool generates (after validation, in this order), the option that generates each, and
 * the plain warning printed instead when the input already has one (whether or not there is anything
 * to generate). `.orc_unwind` differs: checked only when there are ORC entries, and fatal.
 */
export const GENERATED_SECTIONS: readonly { readonly name: string; readonly option: string; readonly warning: string; readonly fatal?: boolean }[] = [
  { name: '.static_call_sites', option: '--static-call', warning: 'file already has .static_call_sites section, skipping' },
  { name: '.retpoline_sites', option: '--retpoline', warning: 'file already has .retpoline_sites, skipping' },
  { name: '.cfi_sites', option: '--cfi', warning: 'file already has .cfi_sites section, skipping' },
  { name: '.return_sites', option: '--rethunk', warning: 'file already has .return_sites, skipping' },
  { name: '.call_sites', option: '--rethunk --hacks=skylake', warning: 'file already has .call_sites section, skipping' },
  { name: '__mcount_loc', option: '--mcount', warning: 'file already has __mcount_loc section, skipping' },
  { name: '.ibt_endbr_seal', option: '--ibt', warning: 'file already has .ibt_endbr_seal, skipping' },
  { name: '.orc_unwind', option: '--orc', warning: 'file already has .orc_unwind section, skipping', fatal: true },
];

/** Sections whose relocations validate_ibt (--ibt) does not check as code pointers. */
export function isIbtSkippedSection(name: string): boolean {
  return (name.startsWith('.discard') && name !== '.discard.ibt_endbr_noseal') || name.startsWith('.debug') ||
    IBT_SKIPPED.has(name) || name.includes('__patchable_function_entries');
}

const IBT_SKIPPED: ReadonlySet<string> = new Set([
  '.altinstructions', '.ibt_endbr_seal', '.orc_unwind_ip', '.parainstructions', '.retpoline_sites', '.smp_locks',
  '.static_call_sites', '_error_injection_whitelist', '_kprobe_blacklist', '__bug_table', '__ex_table', '__jump_table',
  '__mcount_loc', '.kcfi_traps',
]);
