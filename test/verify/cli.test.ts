/** `objflow verify` command line: formats, exit status. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyCommand } from '../../src/cli/verify.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/verify/', import.meta.url));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await verifyCommand(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

test('verify --format json: one line per FDE in the documented shape, then the summary; exit 1', async () => {
  const r = await run(['--format', 'json', `${dir}x86-64-cfi.o`]);
  assert.equal(r.code, 1);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = lines.pop() as { summary: Record<string, number> };
  assert.deepEqual(Object.keys(summary.summary), ['fdes', 'agrees', 'mismatch', 'unknown']);
  assert.equal(summary.summary.fdes, lines.length);
  for (const l of lines) assert.deepEqual(Object.keys(l), ['func', 'start', 'end', 'status', 'addrs', 'first', 'reason']);
  const bad = lines.find((l) => l.func === 'bad_missing_pop') as { status: string; first: Record<string, unknown>; addrs: number[] };
  assert.equal(bad.status, 'mismatch');
  assert.deepEqual(Object.keys(bad.first), ['addr', 'rule', 'table', 'code']);
  assert.equal(bad.first.addr, bad.addrs[0]);
  const good = lines.find((l) => l.func === 'good_frame');
  assert.deepEqual(good, { ...good, status: 'agrees', addrs: [], first: null, reason: null });
});

test('verify text: mismatch lines with function, place, both rules and the path; summary', async () => {
  const r = await run([`${dir}aarch64-cfi.o`]);
  assert.equal(r.code, 1);
  assert.match(r.out, /bad_cfa: FDE \.text 0x[0-9a-f]+\.\.0x[0-9a-f]+: mismatch at bad_cfa\+0x4 \(0x[0-9a-f]+\): CFA: table says sp\+32, code has sp\+16/);
  assert.match(r.out, /path: bad_fp_one_path\+0x0 \(entry\) -> bad_fp_one_path\+0x4 \(taken\)/);
  assert.match(r.out, /7 FDEs: 2 agree \(28\.6%\), 5 mismatch, 0 unknown/);
});

test('verify --format sarif: SARIF 2.1.0, one result per mismatch, code flows', async () => {
  const r = await run(['--format=sarif', `${dir}x86-64-cfi.o`]);
  assert.equal(r.code, 1);
  const log = JSON.parse(r.out) as { version: string; runs: { tool: { driver: { name: string } }; results: { ruleId: string; codeFlows?: unknown[]; locations: { physicalLocation: { address: Record<string, unknown> } }[] }[] }[] };
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs[0].tool.driver.name, 'objflow');
  assert.equal(log.runs[0].results.length, 6);
  const ids = new Set(log.runs[0].results.map((x) => x.ruleId));
  assert.deepEqual([...ids].sort(), ['cfi-cfa', 'cfi-fp', 'cfi-ra']);
  for (const x of log.runs[0].results) {
    assert.ok(x.codeFlows && x.codeFlows.length === 1);
    assert.equal(x.locations[0].physicalLocation.address.kind, 'section');
  }
});

test('verify: unusable input exits 2 with one line; bad options exit 2', async () => {
  const d = mkdtempSync(join(tmpdir(), 'objflow-verify-'));
  const junk = join(d, 'junk.o');
  writeFileSync(junk, 'not an ELF file at all');
  const r = await run([junk]);
  assert.equal(r.code, 2);
  assert.equal(r.err.trim().split('\n').length, 1);
  assert.equal((await run(['--format', 'xml', junk])).code, 2);
  assert.equal((await run([])).code, 2);
  assert.equal((await run([join(d, 'missing.o')])).code, 2);
});

test('verify: an analysis that stopped early says so on stderr, in every format, and its unreached FDEs stay unknown', async () => {
  // g starts inside a movabs decoded from the section's start: objtool's fatal "can't find starting instruction"
  const f = `${dir}x86-64-function-in-text-data.o`;
  for (const format of ['text', 'json', 'sarif']) {
    const r = await run(['--format', format, f]);
    assert.equal(r.code, 0, format);
    assert.equal(r.err, `objflow: ${f}: the analysis stopped early: g(): can't find starting instruction; code it had not reached is unknown\n`, format);
  }
  const ok = await run([`${dir}x86-64-cfi.o`]);
  assert.ok(!ok.err.includes('stopped early'));
});
