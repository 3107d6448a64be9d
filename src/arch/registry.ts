/** The arch for an ELF machine number, with its kernel hooks where it has them. */
import type { Arch } from './arch.js';
import { EM_AARCH64, EM_X86_64 } from '../elf/constants.js';
import { x86KernelHooks } from './x86/kernel.js';

export async function archFor(machine: number): Promise<Arch | undefined> {
  if (machine === EM_X86_64) {
    const { x86_64 } = await import('./x86/index.js');
    // typical rows measured on the kernel corpus (3.36 bytes, 1.46 op words a row) and x86-64
    // libLLVM-14 (4.16 and 2.51)
    return {
      ...x86_64, kernel: x86KernelHooks, insnBytesHint: 3.2,
      typicalRows: { bytesPerRow: 3.45, opWordsPerRow: 1.4, userspace: { bytesPerRow: 4.3, opWordsPerRow: 2.4 } },
    };
  }
  if (machine === EM_AARCH64) {
    const { aarch64 } = await import('./arm64/index.js');
    return aarch64;
  }
  return undefined;
}
