/** Global functions known never to return (the kernel's noreturn list, objtool 6.12), and Rust panics. */
export const NORETURN_NAMES: ReadonlySet<string> = new Set([
  '__fortify_panic',
  '__ia32_sys_exit',
  '__ia32_sys_exit_group',
  '__kunit_abort',
  '__module_put_and_kthread_exit',
  '__reiserfs_panic',
  '__stack_chk_fail',
  '__tdx_hypercall_failed',
  '__ubsan_handle_builtin_unreachable',
  '__x64_sys_exit',
  '__x64_sys_exit_group',
  'arch_cpu_idle_dead',
  'bch2_trans_in_restart_error',
  'bch2_trans_restart_error',
  'bch2_trans_unlocked_error',
  'cpu_bringup_and_idle',
  'cpu_startup_entry',
  'do_exit',
  'do_group_exit',
  'do_task_dead',
  'ex_handler_msr_mce',
  'hlt_play_dead',
  'hv_ghcb_terminate',
  'kthread_complete_and_exit',
  'kthread_exit',
  'kunit_try_catch_throw',
  'machine_real_restart',
  'make_task_dead',
  'mpt_halt_firmware',
  'nmi_panic_self_stop',
  'panic',
  'panic_smp_self_stop',
  'rest_init',
  'rewind_stack_and_make_dead',
  'rust_begin_unwind',
  'rust_helper_BUG',
  'sev_es_terminate',
  'snp_abort',
  'start_kernel',
  'stop_this_cpu',
  'usercopy_abort',
  'x86_64_start_kernel',
  'x86_64_start_reservations',
  'xen_cpu_bringup_again',
  'xen_start_kernel',
]);

const RUST_SUFFIXES = [
  '_4core3num22from_ascii_radix_panic',
  '_4core5sliceSp15copy_from_slice17len_mismatch_fail',
  '_4core6option13expect_failed',
  '_4core6option13unwrap_failed',
  '_4core6result13unwrap_failed',
  '_4core6result13unwrap_failed19unwrap_failed_inner',
  '_4core9panicking5panic',
  '_4core9panicking9panic_fmt',
  '_4core9panicking14panic_explicit',
  '_4core9panicking14panic_nounwind',
  '_4core9panicking18panic_bounds_check',
  '_4core9panicking18panic_nounwind_fmt',
  '_4core9panicking19assert_failed_inner',
  '_4core9panicking30panic_null_pointer_dereference',
  '_4core9panicking32panic_null_reference_constructed',
  '_4core9panicking36panic_misaligned_pointer_dereference',
  '_7___rustc17rust_begin_unwind',
];

/** Rust core panics, recognised by mangled-name fragments since crate hashes vary. */
export function isRustNoreturn(name: string): boolean {
  if (!name.startsWith('_R')) return false;
  for (const s of RUST_SUFFIXES) if (name.endsWith(s)) return true;
  return name.includes('_4core9panicking13assert_failed') ||
    name.includes('_4core9panicking11panic_const24panic_const_') ||
    (name.includes('_4core5slice5index') && name.includes('slice_') && name.endsWith('_fail'));
}

/**
 * Userspace functions that never return (C library, C++ runtime, unwinder), by name without a
 * symbol version. Calls to them end a path, as calls to the kernel's noreturn functions do.
 */
export const USERSPACE_NORETURNS: ReadonlySet<string> = new Set([
  'abort', 'exit', '_exit', '_Exit', 'quick_exit', '__assert_fail', '__assert_perror_fail', '__assert',
  '__stack_chk_fail', '__stack_chk_fail_local', '__fortify_fail', '__chk_fail', '__libc_fatal',
  'longjmp', '_longjmp', 'siglongjmp', '__longjmp_chk', 'pthread_exit', 'thrd_exit', 'err', 'errx', 'verr', 'verrx',
  '__cxa_throw', '__cxa_rethrow', '__cxa_bad_cast', '__cxa_bad_typeid', '__cxa_throw_bad_array_new_length',
  '__cxa_pure_virtual', '__cxa_deleted_virtual', '_Unwind_Resume', '__builtin_unreachable', '__ubsan_handle_builtin_unreachable',
  'std::terminate()', '_ZSt9terminatev', '__gxx_personality_v0_never', '__libc_start_main',
]);

/** `name@VERSION` / `name@@VERSION` → `name`. */
export function stripVersion(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}
