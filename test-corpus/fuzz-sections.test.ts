/**
 * The bad-input promise (see test/robustness/bad-input-contract.ts) on real objects damaged inside
 * their section contents (`sectionCases`: call-frame records, symbols, relocations, the kernel's
 * patch-site and annotation tables, ORC tables, jump-table bounds and code), where fuzz-real.test.ts
 * aims at the headers. Fixed seeds, a bounded number of cases (about two minutes): kernel objects
 * of each build (one x86-64 object also after `objflow objtool`, so that its ORC and site tables are
 * damaged too) and userspace objects. Skips inputs the corpus does not have. OBJCORPUS overrides
 * the corpus root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sectionCases } from '../test/robustness/bad-input-cases.js';
import type { BadCase } from '../test/robustness/bad-input-cases.js';
import { commands, describeFindings, KBUILD_ARGS, OBJFLOW, runBatch } from '../test/robustness/bad-input-contract.js';
import type { Command, Input } from '../test/robustness/bad-input-contract.js';

const CORPUS = process.env.OBJCORPUS ?? '/root/.cache/objcorpus';
/** per input and command: real objects take seconds, and the machine may be busy */
const LIMIT_MS = 60_000;

let scratch = '';
let cmds: Command[] = [];

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'objflow-fuzz-sections-'));
  mkdirSync(join(scratch, 'inputs'));
  cmds = commands();
});

after(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); });

/** [corpus build, object paths in order of preference, cases, seed, run objtool first] */
const KERNEL: readonly [string, readonly string[], number, number, boolean][] = [
  ['x86-gcc', ['kernel/fork.o', 'mm/mmap.o'], 90, 7001, false],
  ['x86-gcc', ['mm/mmap.o', 'kernel/fork.o'], 70, 7002, true],
  ['x86-clang', ['kernel/signal.o', 'kernel/fork.o'], 70, 7003, false],
  ['arm64-gcc', ['kernel/softirq.o', 'kernel/profile.o'], 60, 7004, false],
  ['arm64-clang', ['kernel/profile.o', 'kernel/softirq.o'], 40, 7005, false],
];

/** userspace objects of the corpus: [directory under us/, file, cases, seed] */
const USERSPACE: readonly [string, string, number, number][] = [
  ['x86_64-gcc12-O2-pic', 'expat/xmlrole.o', 60, 7101],
  ['aarch64-clang19-O2-pic', 'expat/xmlrole.o', 60, 7102],
  ['x86_64-clang19-O2-pic', 'dtc/fdt_ro.o', 40, 7103],
];

describe('objflow on real objects damaged inside their sections', () => {
  it('kernel objects (x86-64 and AArch64, GCC and Clang; one after objtool --orc)', (t) => {
    const cases: BadCase[] = [];
    for (const [cfg, prefs, count, seed, objtoolFirst] of KERNEL) {
      const rel = prefs.find((p) => existsSync(join(CORPUS, 'corpus', cfg, p)));
      if (!rel) continue;
      let base = readFileSync(join(CORPUS, 'corpus', cfg, rel));
      if (objtoolFirst) {
        const copy = join(scratch, `orc-${cfg}.o`);
        copyFileSync(join(CORPUS, 'corpus', cfg, rel), copy);
        const r = spawnSync(process.execPath, [OBJFLOW, 'objtool', ...KBUILD_ARGS, copy], { encoding: 'latin1' });
        assert.equal(r.status, 0, `objtool on ${cfg}/${rel}: ${r.stderr}`);
        base = readFileSync(copy);
      }
      const tag = `${cfg}/${rel}${objtoolFirst ? '+orc' : ''}`;
      for (const c of sectionCases(base, seed, count)) cases.push({ name: `${tag}/${c.name}`, bytes: c.bytes });
    }
    if (cases.length === 0) { t.skip(`no kernel corpus under ${CORPUS}`); return; }
    const found = runBatch(materialize(cases, 'kernel'), cmds, LIMIT_MS, scratch, 1_800_000);
    assert.equal(found.length, 0, describeFindings(found));
  });

  it('userspace objects (x86-64 and AArch64)', (t) => {
    const cases: BadCase[] = [];
    for (const [dir, file, count, seed] of USERSPACE) {
      const path = join(CORPUS, 'us', dir, file);
      if (!existsSync(path)) continue;
      for (const c of sectionCases(readFileSync(path), seed, count)) cases.push({ name: `${dir}/${file}/${c.name}`, bytes: c.bytes });
    }
    if (cases.length === 0) { t.skip(`no userspace corpus under ${CORPUS}`); return; }
    const found = runBatch(materialize(cases, 'us'), cmds, LIMIT_MS, scratch, 1_800_000);
    assert.equal(found.length, 0, describeFindings(found));
  });
});

function materialize(cases: readonly BadCase[], prefix: string): Input[] {
  return cases.map((c, k) => {
    const path = join(scratch, 'inputs', `${prefix}-${k}.o`);
    writeFileSync(path, c.bytes);
    return { name: c.name, path };
  });
}
