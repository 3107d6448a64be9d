/**
 * A cost probe for issue 4's throughput target, not a verifier: the least work any per-FDE check of a
 * whole library must do, timed on its own. For each FDE: decode its bytes, evaluate its CFA rows, and
 * step every instruction's stack-pointer effect against the next row (sp-based rows only). No control
 * flow, jump tables, reachability, return-address or frame-pointer rules, no report: what `verify`
 * adds to this is what makes its verdicts sound.
 *
 *   node dist/tools/verify-floor.js LIBRARY
 *
 * prints the FDEs, instructions and CPU of each part; the whole process' CPU (start-up included) is
 * measured from outside (docs/BENCH.md, twelfth session).
 */
import { readFileSync } from 'node:fs';
import { ElfFile } from '../src/elf/reader.js';
import { archFor } from '../src/arch/registry.js';
import { CfaEvaluator, CfaKind, dwarfStackPointer, readCfiTables } from '../src/dwarf/index.js';
import { InsnTableBuilder, OP_WORDS, opFields, opStartOf } from '../src/program/insns.js';
import { InsnKind, OpDest, OpSrc, fallsThrough } from '../src/arch/arch.js';
import { SHF_EXECINSTR } from '../src/elf/constants.js';

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) { process.stderr.write('usage: verify-floor LIBRARY\n'); process.exitCode = 2; return; }
  const c0 = cpuMs();
  const elf = new ElfFile(readFileSync(file), file);
  const arch = await archFor(elf.machine);
  if (!arch) throw new Error(`unsupported machine ${elf.machine}`);
  const tables = readCfiTables(elf);
  const c1 = cpuMs();
  const code = elf.sections.filter((s) => s.index !== 0 && (Number(s.flags) & SHF_EXECINSTR) && s.size > 0);
  const dwarfSp = dwarfStackPointer(elf.machine);
  const sp = arch.regs.sp;
  const slot = arch.slot;
  const out = new InsnTableBuilder(1, 1 << 16);
  let cfaOff = new Float64Array(1 << 16);
  let spBased = new Uint8Array(1 << 16);
  let fdes = 0;
  let insns = 0;
  let consistent = 0;
  let decodeMs = 0;
  for (const t of tables) {
    const ev = new CfaEvaluator(t);
    for (const fde of t.fdes) {
      fdes++;
      const pc = fde.pcBegin;
      const n = fde.pcRange;
      const sec = code.find((s) => pc >= s.addr && pc + n <= s.addr + s.size);
      if (!sec || n <= 0) continue;
      const d0 = performance.now();
      out.clear();
      arch.decodeSection(elf.sectionData(sec).subarray(pc - sec.addr, pc - sec.addr + n), 0, pc, out, undefined, true);
      decodeMs += performance.now() - d0;
      const rows = out.count;
      insns += rows;
      if (rows > cfaOff.length) { cfaOff = new Float64Array(2 * rows); spBased = new Uint8Array(2 * rows); }
      // the table's CFA before each instruction
      ev.begin(fde);
      let r = 0;
      while (r < rows && ev.next()) {
        const based = ev.cfaKind === CfaKind.RegOffset && ev.cfaReg === dwarfSp ? 1 : 0;
        for (const end = ev.rowEnd - pc; r < rows && out.off[r] < end; r++) { spBased[r] = based; cfaOff[r] = ev.cfaOffset; }
      }
      for (; r < rows; r++) spBased[r] = 0;
      // each sp-based row stepped through its instruction's stack ops must give the next sp-based row
      let ok = true;
      for (let i = 0; i + 1 < rows && ok; i++) {
        const k = out.kind[i];
        if (!spBased[i] || !spBased[i + 1] || !fallsThrough(k)) continue;
        let off = cfaOff[i];
        // a call's push of the return address is undone by the callee's return
        const calls = k === InsnKind.Call || k === InsnKind.CallDynamic;
        for (let o = opStartOf(out, i), end = calls ? o : o + out.opCount[i]; o < end; o++) {
          const [dest, destReg, , src, srcReg, srcOff] = opFields(out.ops, o * OP_WORDS);
          if (dest === OpDest.Push || dest === OpDest.PushF) off += slot;
          else if (src === OpSrc.Pop || src === OpSrc.PopF) off -= slot;
          else if (dest === OpDest.Reg && destReg === sp && src === OpSrc.Add && srcReg === sp) off -= srcOff;
        }
        ok = off === cfaOff[i + 1];
      }
      if (ok) consistent++;
    }
  }
  const c2 = cpuMs();
  process.stdout.write(`${fdes} FDEs, ${insns} instructions; sp-based rows consistent in ${consistent} FDEs\n`);
  process.stdout.write(`CPU ms: read + CFI ${(c1 - c0).toFixed(0)}, decode ${decodeMs.toFixed(0)} (main thread\'s time), ` +
    `rows + check ${(c2 - c1 - decodeMs).toFixed(0)}, all ${(c2 - c0).toFixed(0)} (${Math.round(fdes / ((c2 - c0) / 1000))} FDEs per CPU-second without start-up)\n`);
}

await main();
