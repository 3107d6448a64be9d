/**
 * Compares recovered jump tables with the compiler-derived ground truth of
 * `/work/shared/corpus/jumptables.py` (`*.jt.json`): per file, tables in truth, recovered exactly,
 * wrong (same table, other targets), missed, extra (reported but not in truth).
 *
 * Usage as a script: node dist/test-corpus/jumptables-compare.js FILE TRUTH.jt.json [FILE TRUTH ...]
 */
import { readFileSync } from 'node:fs';
import { archFor } from '../src/arch/registry.js';
import { analyseJumpTables } from '../src/cli/jumptables.js';
import { ElfFile } from '../src/elf/reader.js';

export interface CompareCounts {
  truth: number;
  exact: number;
  wrong: number;
  missed: number;
  extra: number;
  unresolved: number;
  details: string[];
}

interface TruthTable {
  section: string;
  addr: number;
  entry_size: number;
  targets: number[];
  target_sections?: string[];
}
interface TruthFunc { name: string; section?: string; tables: TruthTable[] }

export async function compareFile(file: string, truthPath: string): Promise<CompareCounts> {
  const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as { functions: TruthFunc[] };
  const elf = new ElfFile(readFileSync(file), file);
  const arch = await archFor(elf.machine);
  if (!arch) throw new Error(`${file}: no arch`);
  // what `objflow jumptables` prints: the recovery over the userspace symbols (PLT stubs named
  // `NAME@plt`, FDE-covered code), call destinations and noreturn calls that check and verify use
  const { prog: p, res } = analyseJumpTables(elf, arch, file);
  const addr = (sec: number, off: number): number => (elf.type === 1 ? 0 : elf.sections[sec].addr) + off;
  const want = new Map<string, { t: TruthTable; fsec: string; func: string }>();
  for (const f of truth.functions) {
    for (const t of f.tables) want.set(`${t.section}:${t.addr}`, { t, fsec: f.section ?? '', func: f.name });
  }
  const got = new Map<string, { targets: string[]; jump: number; size: number }>();
  for (const t of res.tables) {
    const key = `${elf.sections[t.tableSec].name}:${addr(t.tableSec, t.tableOff)}`;
    const targets = t.targets.map((r) => `${elf.sections[p.sec[r]].name}:${addr(p.sec[r], p.off[r])}`);
    const prev = got.get(key);
    if (prev && prev.targets.join() !== targets.join()) {
      got.set(key, { targets: ['<conflict>'], jump: t.jump, size: t.entrySize });
    } else {
      got.set(key, { targets, jump: t.jump, size: t.entrySize });
    }
  }
  const c: CompareCounts = { truth: want.size, exact: 0, wrong: 0, missed: 0, extra: 0, unresolved: res.unresolved.length, details: [] };
  for (const [key, w] of want) {
    const g = got.get(key);
    if (!g) {
      c.missed++;
      c.details.push(`missed ${key} (${w.func}, ${w.t.targets.length} entries)`);
      continue;
    }
    const exp = w.t.targets.map((a, i) => `${w.t.target_sections?.[i] ?? w.fsec}:${a}`);
    if (exp.join() === g.targets.join() && g.size === w.t.entry_size) c.exact++;
    else {
      c.wrong++;
      c.details.push(`wrong ${key} (${w.func}): want ${exp.length} [${exp.slice(0, 4).join(' ')}...] got ${g.targets.length} [${g.targets.slice(0, 4).join(' ')}...]`);
    }
  }
  for (const [key, g] of got) {
    if (!want.has(key)) {
      c.extra++;
      c.details.push(`extra ${key} jump ${p.placeOf(g.jump).sym}+0x${p.placeOf(g.jump).symOff.toString(16)} (${g.targets.length} entries)`);
    }
  }
  for (const u of res.unresolved) {
    const pl = p.placeOf(u.jump);
    c.details.push(`unresolved ${pl.sym}+0x${pl.symOff.toString(16)}: ${u.reason}`);
  }
  return c;
}

async function main(args: string[]): Promise<void> {
  for (let i = 0; i + 1 < args.length; i += 2) {
    const t0 = Date.now();
    const c = await compareFile(args[i], args[i + 1]);
    const ms = Date.now() - t0;
    console.log(`${args[i]}: truth ${c.truth} exact ${c.exact} wrong ${c.wrong} missed ${c.missed} extra ${c.extra} unresolved ${c.unresolved} (${ms} ms)`);
    if (process.env.JT_DETAILS) for (const d of c.details.slice(0, Number(process.env.JT_DETAILS) || 20)) console.log(`  ${d}`);
  }
}

if (process.argv[1]?.endsWith('jumptables-compare.js')) await main(process.argv.slice(2));
