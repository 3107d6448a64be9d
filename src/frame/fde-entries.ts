/**
 * Analysis from FDE starts: code no function symbol leads to (stripped binaries, PLT stubs,
 * assembly without `.type`) is walked from each FDE start the table describes as a function entry
 * (the CFA and return address where a call leaves them). Runs after the symbol-driven walk, so code
 * a function reaches (its `.cold` part, for one) keeps the state its function gives it; an FDE
 * that does not start like a function (a cold part no path reached, PLT0 after its push) is not
 * guessed at.
 */
import type { Context } from '../cfg/context.js';
import { CfaEvaluator } from '../dwarf/index.js';
import type { CfiSection } from '../dwarf/index.js';
import { Validator } from './validate.js';
import { VISITED_MASK } from '../program/program.js';
import { fdeStartsAsEntry } from '../program/synthetic-functions.js';
import { CodeSections } from '../program/fde-code.js';

/** Walks the unreached FDE starts; returns how many walks were started. */
export function analyseFdeEntries(ctx: Context, tables: readonly CfiSection[], validator?: Validator): number {
  const p = ctx.prog;
  const code = new CodeSections(p);
  let v = validator;
  let started = 0;
  for (const cfi of tables) {
    const ev = new CfaEvaluator(cfi);
    for (const fde of cfi.fdes) {
      const c = code.locate(fde);
      if (!c || c.first < 0) continue;
      const i = c.first;
      if (p.cfi[i] >= 0 || (p.bits[i] & VISITED_MASK) || p.func(i) >= 0) continue;
      // the same rule the userspace symbol set uses for FDE-derived functions (one implementation:
      // the first row is the state a call leaves, which is also the analysis' entry state)
      if (!fdeStartsAsEntry(ev, fde)) continue;
      v ??= new Validator(ctx);
      v.validateBranch(-1, i, v.newState(true, false));
      started++;
    }
  }
  return started;
}
