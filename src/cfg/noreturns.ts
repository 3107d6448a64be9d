/** The kernel's noreturn list and Rust panics (objtool 6.12's tables, kept in kernel/). */
export { OBJTOOL_NORETURNS as NORETURN_NAMES, isRustNoreturn } from '../kernel/noreturns.js';

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
  // GLib's g_assert() failure path (declared G_NORETURN; libgtk-x11 and libgirepository put other code after it)
  'g_assertion_message_expr',
  // systemd's assert() failure paths (`_noreturn_`, src/basic/log.h; libsystemd-core puts other code after them)
  'log_assert_failed', 'log_assert_failed_unreachable',
  // Perl's croak/die family (PERL_CALLCONV_NO_RET in proto.h; XS modules such as Opcode.so call them through the PLT)
  'Perl_croak', 'Perl_croak_nocontext', 'Perl_croak_sv', 'Perl_croak_xs_usage', 'Perl_croak_caller', 'Perl_croak_no_mem',
  'Perl_croak_no_modify', 'Perl_croak_popstack', 'Perl_vcroak', 'Perl_die', 'Perl_die_nocontext', 'Perl_die_sv',
  'Perl_die_unwind', 'Perl_my_exit', 'Perl_my_failure_exit', 'Perl_abort_execution', 'Perl_noperl_die',
]);

/** `name@VERSION` / `name@@VERSION` → `name`. */
export function stripVersion(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}
