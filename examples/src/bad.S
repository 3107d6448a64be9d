/*
 * Hand-written assembly with the mistakes objflow exists to find. Each function is one bug:
 *  unbalanced_return  returns with a register still pushed (the caller's stack is off by 8)
 *  path_mismatch      two paths reach the same instruction with different stack depths
 *  falls_off          runs off its end into the next function
 *  dead_code          has an instruction no path reaches
 */
	.text

	.globl	unbalanced_return
	.type	unbalanced_return, @function
unbalanced_return:
	push	%rbx
	mov	%rdi, %rbx
	test	%rbx, %rbx
	je	1f
	pop	%rbx
1:	ret
	.size	unbalanced_return, .-unbalanced_return

	.globl	path_mismatch
	.type	path_mismatch, @function
path_mismatch:
	test	%edi, %edi
	je	1f
	push	%rbp
1:	mov	%esi, %eax
	pop	%rbp
	ret
	.size	path_mismatch, .-path_mismatch

	.globl	falls_off
	.type	falls_off, @function
falls_off:
	mov	%edi, %eax
	add	$1, %eax
	.size	falls_off, .-falls_off

	.globl	dead_code
	.type	dead_code, @function
dead_code:
	mov	%edi, %eax
	ret
	add	$2, %eax
	ret
	.size	dead_code, .-dead_code
	.section	.note.GNU-stack,"",@progbits
