/**
 * Every objflow command on small valid objects and on truncated and corrupted variants of them:
 * exit 0 or the failure status, one `objflow: FILE: reason` line, no stack trace, bounded time,
 * input untouched on failure. Node only: the objects are built here.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildElf } from '../helpers/elf-builder.js';
import { corruptions, headerCases, validArm64, validX86 } from './bad-input-cases.js';
import type { BadCase } from './bad-input-cases.js';
import { commands, describeFindings, OBJFLOW, REPO, runBatch, runSpawned } from './bad-input-contract.js';
import type { Command, Input } from './bad-input-contract.js';

/**
 * Reproducers (test/fixtures/robustness/) of bugs in the readers of section contents, found by
 * fuzzing real objects with `sectionCases`: every command must fail with this reason.
 */
const CONTENT_REPRODUCERS: readonly { file: string; reason: RegExp }[] = [
  { file: 'symtab-xindex-out-of-range.bin', reason: /symbol 2: section index 128 out of range/ },
];

/** per input and command; generous because the machine running the tests may be busy */
const LIMIT_MS = 15_000;

let scratch = '';
let cmds: Command[] = [];
const bases: BadCase[] = [];
/** the x86-64 object after `objflow objtool --orc` (so that `orc dump` has tables to parse), if that worked */
let withOrc: Uint8Array | undefined;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'objflow-bad-input-'));
  mkdirSync(join(scratch, 'inputs'));
  cmds = commands();
  bases.push({ name: 'x86', bytes: validX86() }, { name: 'arm64', bytes: validArm64() });
  const orcPath = join(scratch, 'with-orc.o');
  writeFileSync(orcPath, bases[0].bytes);
  const r = spawnSync(process.execPath, [OBJFLOW, 'objtool', '--orc', orcPath], { encoding: 'latin1' });
  const out = readFileSync(orcPath);
  if (r.status === 0 && out.length > bases[0].bytes.length) withOrc = out;
  // reproducers of bugs found earlier, kept as regression inputs
  const fixtures = join(REPO, 'test', 'fixtures', 'robustness');
  let names: string[] = [];
  try { names = readdirSync(fixtures).filter((n) => n.endsWith('.bin')); } catch { /* none yet */ }
  for (const n of names) bases.push({ name: `fixture-${n}`, bytes: readFileSync(join(fixtures, n)) });
});

after(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); });

function materialize(cases: readonly BadCase[], prefix: string): Input[] {
  return cases.map((c, k) => {
    const path = join(scratch, 'inputs', `${prefix}-${k}.o`);
    writeFileSync(path, c.bytes);
    return { name: `${prefix}/${c.name}`, path };
  });
}

describe('objflow on bad input', () => {
  it('the valid objects built here are valid ELF (sanity for the rest)', () => {
    for (const b of bases.slice(0, 2)) {
      const dv = new DataView(b.bytes.buffer, b.bytes.byteOffset);
      assert.equal(dv.getUint32(0, false), 0x7f454c46);
      const shoff = Number(dv.getBigUint64(40, true));
      assert.equal(shoff + dv.getUint16(60, true) * 64, b.bytes.length, `${b.name}: section table ends the file`);
      assert.ok(headerCases(b.bytes).length > 50, `${b.name}: header damage cases generated`);
    }
  });

  it('each command, as a process, on the valid objects and the worst headers', () => {
    const pick = (c: BadCase): boolean => ['prefix-63', 'e_shnum-0-ext-huge', 'sh_link-loop'].includes(c.name);
    const cases: BadCase[] = [bases[0], bases[1], ...corruptions(bases[0].bytes, 1, 0, 0).filter(pick)];
    const found = runSpawned(materialize(cases, 'spawned'), cmds, LIMIT_MS, scratch);
    assert.equal(found.length, 0, describeFindings(found));
  });

  for (const [k, seed, flips, prefixes] of [[0, 101, 120, 60], [1, 202, 80, 40]] as const) {
    it(`every command on prefixes, byte flips and header damage of the ${k === 0 ? 'x86-64' : 'AArch64'} object`, () => {
      const cases = corruptions(bases[k].bytes, seed, flips, prefixes);
      const found = runBatch(materialize(cases, `batch${k}`), cmds, LIMIT_MS, scratch, 600_000);
      assert.equal(found.length, 0, describeFindings(found));
    });
  }

  it('every command on damaged copies of the x86-64 object with ORC tables', (t) => {
    if (!withOrc) { t.skip('objflow objtool --orc did not add ORC tables to the x86-64 object'); return; }
    const found = runBatch(materialize(corruptions(withOrc, 303, 80, 30), 'orc'), cmds, LIMIT_MS, scratch, 600_000);
    assert.equal(found.length, 0, describeFindings(found));
  });

  it('the reproducers of section-content bugs fail every command with their reason', () => {
    const dir = join(REPO, 'test', 'fixtures', 'robustness');
    for (const { file, reason } of CONTENT_REPRODUCERS) {
      for (const cmd of cmds) {
        const path = join(scratch, `reason-${cmd.name}-${file}`);
        writeFileSync(path, readFileSync(join(dir, file)));
        const r = spawnSync(process.execPath, [OBJFLOW, ...cmd.argv(path)], {
          encoding: 'latin1', timeout: LIMIT_MS, env: { ...process.env, OBJTOOL_ARGS: '', OBJFLOW_DEBUG: '' },
        });
        assert.equal(r.status, cmd.failStatus, `${cmd.name} on ${file}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^objflow: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*${reason.source}`, 'm'), `${cmd.name} on ${file}`);
      }
    }
  });

  it('the batch driver hands back a run whose stderr is megabytes long (a pipe takes large writes in parts)', () => {
    // .text: ret, then 20,000 unreachable one-byte pushes: objtool warns about each (about 1.2 MB)
    const text = new Uint8Array(20_001).fill(0x50);
    text[0] = 0xc3;
    const obj = buildElf({
      sections: [{ name: '.text', flags: 6, data: text, addralign: 16 }],
      symbols: [{ name: '', bind: 0, type: 3, section: '.text' }],
    }).bytes;
    const found = runBatch(materialize([{ name: 'many-warnings', bytes: obj }], 'many'), cmds.filter((c) => c.name === 'objtool-orc'), LIMIT_MS, scratch, 120_000);
    assert.equal(found.length, 0, describeFindings(found));
  });

  it('every command on the stored reproducers of earlier bugs', () => {
    const fixtures = bases.slice(2);
    if (fixtures.length === 0) return;
    const found = runBatch(materialize(fixtures, 'fixtures'), cmds, LIMIT_MS, scratch, 300_000);
    assert.equal(found.length, 0, describeFindings(found));
  });
});
