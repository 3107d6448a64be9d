/**
 * The bad-input promise (see test/robustness/bad-input-contract.ts) on mutated copies of real
 * objects: kernel corpus objects (GCC and Clang) and a SQLite userspace object. A few hundred
 * mutations at fixed seeds: header-aimed byte flips, header damage and prefixes. Skips inputs the
 * corpus does not have yet. OBJCORPUS overrides the corpus root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flipCases, headerCases, prefixCases } from '../test/robustness/bad-input-cases.js';
import type { BadCase } from '../test/robustness/bad-input-cases.js';
import { commands, describeFindings, runBatch } from '../test/robustness/bad-input-contract.js';
import type { Command, Input } from '../test/robustness/bad-input-contract.js';

const CORPUS = process.env.OBJCORPUS ?? '/root/.cache/objcorpus';
/** per input and command: real objects take seconds, and the machine may be busy */
const LIMIT_MS = 60_000;

let scratch = '';
let cmds: Command[] = [];

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'objflow-fuzz-real-'));
  mkdirSync(join(scratch, 'inputs'));
  cmds = commands();
});

after(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); });

describe('objflow on mutated real objects', () => {
  for (const cfg of ['x86-gcc', 'x86-clang']) {
    it(`kernel objects (${cfg})`, (t) => {
      const objs = kernelObjects(join(CORPUS, 'corpus', cfg), 3);
      if (objs.length === 0) { t.skip(`no ${cfg} corpus under ${CORPUS}`); return; }
      const cases: BadCase[] = [];
      objs.forEach((file, k) => {
        const base = readFileSync(file);
        const tag = file.slice(file.indexOf(cfg));
        for (const c of [...flipCases(base, 1000 + k, 30), ...sample(headerCases(base), 30), ...sample(prefixCases(base, 4), 6)]) {
          cases.push({ name: `${tag}/${c.name}`, bytes: c.bytes });
        }
      });
      const found = runBatch(materialize(cases, cfg), cmds, LIMIT_MS, scratch, 1_800_000);
      assert.equal(found.length, 0, describeFindings(found));
    });
  }

  it('a SQLite object (userspace)', (t) => {
    const root = join(CORPUS, 'us');
    const file = existsSync(root)
      ? readdirSync(root).sort().map((d) => join(root, d, 'sqlite', 'sqlite3.o')).find((f) => existsSync(f))
      : undefined;
    if (!file) { t.skip(`no us/*/sqlite/sqlite3.o under ${CORPUS}`); return; }
    const base = readFileSync(file);
    // analysis of the whole file takes seconds per command: fewer, header-aimed mutations
    const cases = [...flipCases(base, 2000, 6), ...sample(headerCases(base), 10), ...sample(prefixCases(base, 2), 4)];
    const found = runBatch(materialize(cases, 'sqlite'), cmds, LIMIT_MS, scratch, 3_600_000);
    assert.equal(found.length, 0, describeFindings(found));
  });
});

/** `n` objects of the build spread over its size range (the smallest and the largest left out). */
function kernelObjects(dir: string, n: number): string[] {
  if (!existsSync(dir)) return [];
  const all: { f: string; size: number }[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.o') && !e.name.startsWith('big')) all.push({ f: p, size: statSync(p).size });
    }
  };
  walk(dir);
  all.sort((a, b) => a.size - b.size || (a.f < b.f ? -1 : 1));
  const small = all.filter((x) => x.size < 256 * 1024);
  return [1, 2, 3].slice(0, n).map((k) => small[Math.floor((k * small.length) / (n + 1))]?.f).filter((f): f is string => !!f);
}

/** every k-th case, so that each kind of damage is represented */
function sample<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.floor((i * xs.length) / n)]);
  return out;
}

function materialize(cases: readonly BadCase[], prefix: string): Input[] {
  return cases.map((c, k) => {
    const path = join(scratch, 'inputs', `${prefix}-${k}.o`);
    writeFileSync(path, c.bytes);
    return { name: c.name, path };
  });
}
