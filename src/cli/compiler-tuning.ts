/**
 * When V8 optimises a userspace analysis' code. V8's optimising compiler takes a function once a fixed
 * amount of its bytecode has run (the interrupt budget, 66 KiB by default). A library-sized analysis
 * runs for a second or two, and the compiler then costs more CPU than the optimised code saves: `verify`
 * of libstdc++ compiled 303 functions for about 1.9 s of CPU in a 2.1 CPU-s process. Four times the
 * budget compiles only the code that stays hot, and a smaller inlining budget makes each compilation
 * cheaper: less CPU on libraries of every size, wall time unchanged (docs/BENCH.md, twelfth session).
 * Not for objtool's command, where the wall time of one object counts and a larger budget made it grow
 * (big.o 1.02-1.06x).
 */
import { setFlagsFromString } from 'node:v8';

/** Inputs from this size on: below it the compiler hardly runs, and loading node:v8 costs ~4 ms. */
const TUNED_INPUT_BYTES = 1 << 20;
const INTERRUPT_BUDGET = 4 * 65536;
/**
 * Bytecode V8 inlines into one optimised function, in all (default 920): the analysis' large functions
 * otherwise take tens of milliseconds to compile each, and are compiled again after deoptimisations.
 */
const INLINED_BYTECODE_CUMULATIVE = 300;

let tuned = false;

/**
 * Tunes the compiler for an analysis of `bytes` of input. Called after the bundle's code
 * cache was accepted (V8 checks a cache against its flags when loading it, not later).
 */
export function tuneCompilerForAnalysis(bytes: number): void {
  if (tuned || bytes < TUNED_INPUT_BYTES) return;
  tuned = true;
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${INLINED_BYTECODE_CUMULATIVE}`);
}
